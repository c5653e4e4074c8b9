//! The ids of the domain's nouns, each its own type, so a draft id cannot be passed where an item
//! id is wanted. On disk they are plain strings (`#[serde(transparent)]`), so the file format does
//! not change with them.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Ids are folder and file names too.
        impl AsRef<std::path::Path> for $name {
            fn as_ref(&self) -> &std::path::Path {
                std::path::Path::new(&self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// A draft: its folder name under `drafts/` (the creation time, `20240301-100000`).
    DraftId
);
id_type!(
    /// An item of the notice (`p1-1` = 一、一是), from the campaign template.
    ItemId
);
id_type!(
    /// An activity within a draft (`a1`, `a2`, …), never reused within it.
    ActivityId
);
id_type!(
    /// An attachment within a draft (`f1`, `f2`, …), never reused within it.
    AttachmentId
);
id_type!(
    /// A deleted draft's folder name under `recycle/` (`<draft id>~<deletion time>`).
    RecycledName
);

//! `settings.json` in the data folder: what the app remembers between drafts — the last unit
//! profile (the default for the next draft) and the campaign template file last opened.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::campaign::Intake;
use crate::draft::UnitProfile;

pub const SETTINGS_SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub schema: u32,
    /// The unit profile of the last draft edited: the default for the next one.
    pub default_unit: UnitProfile,
    /// A template file opened instead of the built-in one.
    pub template_path: Option<PathBuf>,
    /// The intake endpoint set in 设置, overriding baosong.toml and the template's.
    pub intake: Option<Intake>,
    /// The folder the receiving desk (收件台) last read bundles from.
    pub desk_folder: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            schema: SETTINGS_SCHEMA,
            default_unit: UnitProfile::default(),
            template_path: None,
            intake: None,
            desk_folder: None,
        }
    }
}

//! The core of baosong — a crate of its own, whose manifest has no egui: the GUI and the CLI
//! (the `baosong` crate, which re-exports this one as `baosong::core`) are two thin faces on it,
//! and the compiler keeps it so.
//!
//! - [`platform`]: the only place with `cfg(windows)`.
//!
//! - [`campaign`]: the campaign template (the notice as data): pillars, items, fields, deadline.
//! - [`ids`]: `DraftId`, `ItemId`, `ActivityId`, `AttachmentId`, `RecycledName`.
//! - [`draft`]: `Draft`, `UnitProfile`, `ItemAnswer`, `Activity`, `Attachment`, `Status` and its
//!   transitions.
//! - [`validate`]: problems, each pointing at a field, and the per-pillar progress.
//! - [`media`]: attachments — kind by content, import (copy + hash, GPS removed), previews,
//!   video metadata and posters, the cut-off-able probe, the thumbnail cache, links.
//! - [`store`]: the data folder: atomic writes, backups, quarantine, recycle area, settings.
//! - [`clock`]: "now", injectable so tests and screenshots do not depend on the day they run.
//! - [`error`]: `CoreError`, with one Chinese message for the clerk and detail for the log.
//! - [`dates`]: the date formats a clerk types.
//! - [`intake`]: the intake endpoint: which one is in force, the probe, tus and plain uploads.
//! - [`bundle`]: the 材料包 — manifest, summary, files — in one streaming, hashing pass.
//! - [`submit`]: 一键报送: bundle, send until confirmed, receipt.
//! - [`desk`]: the receiving end (收件台): bundles read as untrusted input, the tally of who
//!   reported, the integrity check on all cores, the Excel table, a bundle imported as a draft.
//! - [`portable`]: `baosong.toml` beside the exe (IT's intake endpoint and template).
//! - [`secrets`]: the unit's access token in the system's credential store, never in a file.
//! - [`diagnostics`]: the zip of logs and settings (tokens removed) for IT support.
//! - [`work`]: how long work reports progress and is cancelled (`Work`), without threads.
//! - [`build_info`]: the version and the commit, as every face says them.

/// The program's version and the commit it was built from (build.rs, build_commit.rs). What
/// `baosong --version`, the receipt, the diagnostics and the exe's version resource say.
pub mod build_info {
    pub const VERSION: &str = env!("CARGO_PKG_VERSION");
    /// 12 hex digits, or "unknown" for a build from sources without git.
    pub const COMMIT: &str = env!("BAOSONG_COMMIT");
    /// `0.1.0 (1a2b3c4d5e6f)`.
    pub const VERSION_AND_COMMIT: &str =
        concat!(env!("CARGO_PKG_VERSION"), " (", env!("BAOSONG_COMMIT"), ")");
}

pub mod bundle;
pub mod campaign;
pub mod clock;
pub mod dates;
pub mod desk;
pub mod diagnostics;
pub mod draft;
pub mod error;
pub mod hashing;
pub mod ids;
pub mod intake;
pub mod media;
pub mod platform;
pub mod portable;
pub mod review;
pub mod secrets;
pub mod store;
pub mod submit;
pub mod units;
pub mod validate;
pub mod work;

pub use campaign::Campaign;
pub use clock::{Clock, FixedClock, SystemClock};
pub use draft::{Activity, Draft, ItemAnswer, Status, UnitProfile};
pub use error::CoreError;
pub use store::DataDir;

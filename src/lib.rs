//! baosong（报送）：重庆市妇联“三八”国际妇女节活动情况报送客户端。
//!
//! The crate's map, one line a module:
//!
//! - [`platform`]: the only place with `cfg(windows)`.
//! - [`logging`]: stderr and the rotating log file in the data folder.
//! - [`core`]: everything a report is, with no egui in it — campaign template, drafts and their
//!   store, validation, media, errors with one Chinese message each. A crate of its own
//!   (`crates/baosong-core`), re-exported here: the layering is checked by the compiler.
//! - [`jobs`]: work off the UI thread — the ordered store lane, and long jobs with progress and
//!   取消 (imports, thumbnails, connection tests).
//! - [`gui`]: the egui face; one file per screen.
//! - [`cli`]: the headless face (`baosong drafts|validate|probe|inspect`), and `main`'s parsing.
//!
//! The layering, as it is and as it is kept (each uses only what is left of it):
//! platform, logging ← core ← jobs ← gui ← cli.

pub mod cli;
pub mod gui;
pub mod jobs;
pub mod logging;

/// The core, a crate of its own (`crates/baosong-core`): no egui in its manifest.
pub use baosong_core as core;
pub use baosong_core::platform;

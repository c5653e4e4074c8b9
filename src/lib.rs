//! baosong（报送）：重庆市妇联“三八”国际妇女节活动情况报送客户端。
//!
//! The crate's map, one line a module; the layering is top to bottom and never upwards:
//!
//! - [`core`]: everything a report is, with no egui in it — campaign template, drafts and their
//!   store, validation, errors with one Chinese message each.
//! - [`jobs`]: the worker thread that does every file operation for the GUI; commands in, events out.
//! - [`cli`]: the headless face (`baosong drafts|validate`).
//! - [`gui`]: the egui face; one file per screen.
//! - [`logging`]: stderr and the rotating log file in the data folder.
//! - [`platform`]: the only place with `cfg(windows)`.

pub mod cli;
pub mod core;
pub mod gui;
pub mod jobs;
pub mod logging;
pub mod platform;

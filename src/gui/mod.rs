//! The egui face: a thin shell over the core. One file per screen:
//!
//! - [`app`]: the shell — state, panels, actions, autosave.
//! - [`start_screen`]: 草稿列表 with the countdown, new / continue / duplicate / delete / restore.
//! - [`profile_screen`] — 单位信息.
//! - [`tasks_screen`]: 填报任务, the three pillars and one item at a time; [`activity_form`] its
//!   activities.
//! - [`check_screen`] — 检查并提交.
//! - [`fonts`], [`widgets`]: the bundled CJK font; shared small widgets.

pub mod activity_form;
pub mod app;
pub mod check_screen;
pub mod fonts;
pub mod profile_screen;
pub mod start_screen;
pub mod tasks_screen;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub use app::{App, AppConfig, FilePicker, NativePicker};

use crate::core::clock::SystemClock;

pub const WINDOW_TITLE: &str = "报送 — “三八”国际妇女节活动情况报送";

/// Open the window; returns when it is closed.
pub fn run(template: Option<PathBuf>) -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_inner_size([1200.0, 800.0])
            .with_min_inner_size([800.0, 560.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "baosong",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            Ok(Box::new(App::new(AppConfig {
                data_root: None,
                template,
                clock: Arc::new(SystemClock),
                picker: Box::new(NativePicker),
            })))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the window could not be opened");
            eprintln!("错误：无法打开程序窗口（{e}）。请确认显卡驱动正常，或联系信息技术人员。");
            ExitCode::from(2)
        }
    }
}

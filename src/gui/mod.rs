//! The egui face: a thin shell over the core. One file per screen:
//!
//! - [`app`]: the shell — owns the state, lays out panels, applies actions, autosaves.
//! - [`state`]: `Screen`, `Action`, `Banner`, `OpenDraft` — what the shell and screens share.
//!   Screens get narrow arguments and push actions; they never see `App`.
//! - [`start_screen`]: 草稿列表 with the countdown, new / continue / duplicate / delete / restore.
//! - [`profile_screen`] — 单位信息, with [`unit_picker`].
//! - [`tasks_screen`]: 填报任务, the three pillars and one item at a time; [`activity_form`] its
//!   activities, [`date_field`] their dates.
//! - [`check_screen`] — 检查并提交.
//! - [`settings_screen`] — 设置: folders, intake endpoint, 导出诊断信息; [`help_screen`] 使用说明.
//! - [`desk_screen`] — 收件台 (the receiving desk): the tally of a folder of bundles and one
//!   bundle opened read-only.
//! - [`materials`]: an activity's (or 综合材料's) photos, videos, documents and links;
//!   [`viewer`] the large viewer; [`previews`] the bounded textures of what is on screen.
//! - [`picker`]: the file dialog, behind a trait.
//! - [`fonts`], [`widgets`]: the bundled CJK font; shared small widgets.
//!
//! [`run`] opens the real window, and never leaves a clerk with nothing: if the preferred
//! renderer cannot start (an old graphics driver, Remote Desktop, a virtual machine), it tries the
//! other one, and logs which one ran.

pub mod activity_form;
pub mod app;
pub mod campaign_editor;
pub mod check_screen;
pub mod date_field;
pub mod desk_screen;
pub mod fonts;
pub mod help_screen;
pub mod materials;
pub mod picker;
pub mod previews;
pub mod profile_screen;
pub mod settings_screen;
pub mod start_screen;
pub mod state;
pub mod submission;
pub mod tasks_screen;
pub mod unit_picker;
pub mod viewer;
pub mod widgets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use app::{App, AppConfig};
use eframe::Renderer;
pub use picker::{FilePicker, NativePicker, Picked};

use crate::core::clock::{SystemClock, SystemTicker};

pub const WINDOW_TITLE: &str = "报送 — “三八”国际妇女节活动情况报送";
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// The renderers to try, in order. `BAOSONG_RENDERER=glow` or `=wgpu` puts that one first
/// (IT staff can force the one that works on a machine); by default wgpu, then glow (OpenGL).
pub fn renderer_order(preference: Option<&str>) -> Vec<Renderer> {
    match preference
        .map(str::trim)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("glow" | "opengl" | "gl") => vec![Renderer::Glow, Renderer::Wgpu],
        _ => vec![Renderer::Wgpu, Renderer::Glow],
    }
}

pub fn renderer_name(r: Renderer) -> &'static str {
    match r {
        Renderer::Glow => "glow",
        Renderer::Wgpu => "wgpu",
    }
}

/// The window icon (the same image is the exe's icon on Windows).
pub fn icon() -> Option<egui::IconData> {
    let img = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
        .map_err(|e| tracing::warn!(error = %e, "icon unreadable"))
        .ok()?
        .into_rgba8();
    Some(egui::IconData {
        width: img.width(),
        height: img.height(),
        rgba: img.into_raw(),
    })
}

/// Open the window; returns when it is closed.
pub fn run(template: Option<PathBuf>) -> ExitCode {
    let preference = std::env::var("BAOSONG_RENDERER").ok();
    let close_after = std::env::var("BAOSONG_SMOKE_EXIT_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis);
    // benches/send-cpu.sh: open this draft, press 一键报送, count the frames drawn until the
    // server confirms, then close.
    let bench_send = std::env::var("BAOSONG_BENCH_SEND")
        .ok()
        .filter(|id| !id.trim().is_empty())
        .map(|id| crate::core::draft::DraftId::new(id.trim()));
    let mut failures = Vec::new();
    for renderer in renderer_order(preference.as_deref()) {
        let name = renderer_name(renderer);
        tracing::info!(renderer = name, "starting the window");
        let mut viewport = egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_inner_size([1200.0, 800.0])
            .with_min_inner_size([800.0, 560.0]);
        if let Some(icon) = icon() {
            viewport = viewport.with_icon(Arc::new(icon));
        }
        let options = eframe::NativeOptions {
            viewport,
            renderer,
            ..Default::default()
        };
        let template = template.clone();
        let bench_send = bench_send.clone();
        let result = eframe::run_native(
            "baosong",
            options,
            Box::new(move |cc| {
                fonts::install(&cc.egui_ctx);
                // No animations: each one redraws the window at full speed for its duration
                // (scroll bars fading in and out while a send's figures change kept a software
                // renderer busy: issue 18 item 7, benches/send-cpu.sh).
                cc.egui_ctx.all_styles_mut(|s| s.animation_time = 0.0);
                use crate::core::portable::PortableConfig;
                let mut app = App::new(AppConfig {
                    data_root: None,
                    template,
                    clock: Arc::new(SystemClock),
                    ticker: Arc::new(SystemTicker),
                    picker: Box::new(NativePicker),
                    portable: PortableConfig::found_beside_exe(),
                    probe_exe: None,
                    preview_workers: 0,
                    upload: Default::default(),
                });
                if let Some(problem) = PortableConfig::problem_beside_exe() {
                    app.set_portable_problem(problem.to_string());
                }
                Ok(Box::new(Window {
                    app,
                    renderer: name,
                    started: Instant::now(),
                    first_frame: true,
                    close_after,
                    bench: bench_send.map(|id| Bench {
                        id,
                        asked: false,
                        frames: 0,
                        since: None,
                        causes: Default::default(),
                    }),
                }))
            }),
        );
        match result {
            Ok(()) => return ExitCode::SUCCESS,
            Err(e) => {
                tracing::warn!(renderer = name, error = %e, "renderer could not start, trying the next one");
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    tracing::error!(?failures, "no renderer could start");
    eprintln!(
        "错误：无法打开程序窗口（{}）。请更新显卡驱动，或把日志交给信息技术人员。",
        failures.join("；")
    );
    ExitCode::from(2)
}

/// The real window around [`App`]: logs the renderer on the first frame, saves on exit, and for
/// smoke tests closes itself after `BAOSONG_SMOKE_EXIT_AFTER_MS`.
struct Window {
    app: App,
    renderer: &'static str,
    started: Instant,
    first_frame: bool,
    close_after: Option<Duration>,
    bench: Option<Bench>,
}

/// `BAOSONG_BENCH_SEND`: the draft sent and the frames drawn meanwhile.
struct Bench {
    id: crate::core::draft::DraftId,
    asked: bool,
    frames: u64,
    since: Option<Instant>,
    /// Why each frame was drawn (egui's repaint causes), counted: what keeps the window busy.
    causes: std::collections::BTreeMap<String, u64>,
}

impl Window {
    /// The benchmark's part of a frame: press 一键报送 once, count frames while sending, and
    /// when the send has ended, log the count and close.
    fn bench(&mut self, ctx: &egui::Context) {
        let Some(b) = &mut self.bench else {
            return;
        };
        if !b.asked {
            b.asked = true;
            self.app.open_and_send(b.id.clone());
            ctx.request_repaint();
            return;
        }
        let sending = self.app.is_sending();
        match (sending, b.since) {
            (true, None) => b.since = Some(Instant::now()),
            (true, Some(_)) => {
                b.frames += 1;
                for cause in ctx.repaint_causes() {
                    *b.causes
                        .entry(format!("{}:{} {}", cause.file, cause.line, cause.reason))
                        .or_default() += 1;
                }
            }
            (false, Some(since)) => {
                let secs = since.elapsed().as_secs_f64();
                let status = self
                    .app
                    .open_draft()
                    .map(|d| d.status().label())
                    .unwrap_or_default();
                tracing::info!(
                    frames = b.frames,
                    seconds = secs,
                    per_second = b.frames as f64 / secs.max(0.001),
                    status,
                    "bench: frames drawn while sending"
                );
                tracing::info!(causes = ?b.causes, "bench: why they were drawn");
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            (false, None) => {}
        }
    }
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
        self.bench(ui.ctx());
        if self.first_frame {
            self.first_frame = false;
            tracing::info!(
                renderer = self.renderer,
                "first frame drawn; renderer in use: {}",
                self.renderer
            );
        }
        if let Some(after) = self.close_after {
            if self.started.elapsed() >= after {
                tracing::info!(
                    "closing after {} ms (BAOSONG_SMOKE_EXIT_AFTER_MS)",
                    after.as_millis()
                );
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            }
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.shutdown();
        tracing::info!("window closed, drafts saved");
    }
}

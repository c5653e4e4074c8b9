//! The shell: one struct owns the GUI's state; `ui` lays out the panels and the current screen,
//! then applies the actions the screens asked for (data flows one way: the screens read state
//! and push [`Action`]s; the store worker does the file work and answers with events).
//! `panels` draws the bars around every screen; `events` applies worker events and actions.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

mod events;
mod panels;

use egui::Ui;

use super::{check_screen, profile_screen, settings_screen, start_screen, tasks_screen, widgets};
use crate::core::campaign::{Campaign, Intake};
use crate::core::clock::Clock;
use crate::core::draft::Draft;
use crate::core::portable::{PortableConfig, template_choice};
use crate::core::store::{DataDir, DataDirLock, Listing, Settings};
use crate::core::validate::{Report, Target, validate};
use crate::jobs::{ProbeJob, StoreCommand, StoreWorker};

/// Save at most this long after the first unsaved change…
pub const SAVE_AT_MOST_AFTER: Duration = Duration::from_millis(800);
/// …or once typing has paused this long.
pub const SAVE_AFTER_PAUSE: Duration = Duration::from_millis(300);
/// After a failed save, try again this often until it works.
const SAVE_RETRY: Duration = Duration::from_secs(5);

/// Asks the clerk for a file. The real one is a native dialog; tests put in their own.
pub trait FilePicker {
    fn pick_template(&mut self) -> Option<PathBuf>;
    /// Where to save the diagnostics zip (`default_name` suggested).
    fn save_diagnostics(&mut self, default_name: &str) -> Option<PathBuf>;
}

/// The system's file dialog (rfd). Without a dialog service it returns nothing, never panics.
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick_template(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("打开活动模板")
            .add_filter("活动模板（JSON）", &["json"])
            .pick_file()
    }

    fn save_diagnostics(&mut self, default_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("导出诊断信息")
            .set_file_name(default_name)
            .add_filter("压缩文件（zip）", &["zip"])
            .save_file()
    }
}

/// How the app is started: where its data is, which template, what time it is.
pub struct AppConfig {
    /// `None`: `BAOSONG_DATA_DIR` or the system's local app-data folder.
    pub data_root: Option<PathBuf>,
    /// A template file to use instead of the remembered one or the built-in one.
    pub template: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    pub picker: Box<dyn FilePicker>,
    /// `baosong.toml` from beside the exe, if IT put one there.
    pub portable: Option<PortableConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Profile,
    Tasks,
    Check,
    Settings,
}

/// What a screen asks for; applied after the frame is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    NewDraft,
    OpenDraft(String),
    Duplicate(String),
    Delete(String),
    Restore(String),
    OpenTemplate,
    UseBuiltinTemplate,
    GoTo(Screen),
    SelectItem(String),
    Jump(Target),
    MarkReady,
    CloseDraft,
    SaveIntake(Option<Intake>),
    ProbeIntake(Intake),
    ExportDiagnostics,
}

/// The draft being edited, with its autosave bookkeeping.
pub struct OpenDraft {
    pub draft: Draft,
    pub report: Report,
    first_unsaved: Option<Instant>,
    last_change: Instant,
    saving: bool,
    /// After a failed save: when to try again (sooner if the clerk changes something).
    retry_at: Option<Instant>,
    pub saved_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub save_error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Banner {
    Info(String),
    Error(String),
}

pub struct App {
    pub campaign: Arc<Campaign>,
    /// Where the campaign came from, when it is not the built-in one.
    pub template_path: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    worker: Option<StoreWorker>,
    wake: Arc<OnceLock<egui::Context>>,
    pub data_root: PathBuf,
    /// The data folder could not be opened: nothing else works, say why.
    fatal: Option<String>,
    pub listing: Listing,
    settings: Settings,
    pub screen: Screen,
    pub open: Option<OpenDraft>,
    pub current_item: String,
    pub banner: Option<Banner>,
    pub focus: Option<Target>,
    pub start: start_screen::StartState,
    picker: Box<dyn FilePicker>,
    actions: Vec<Action>,
    settings_dirty: bool,
    pub portable: Option<PortableConfig>,
    pub settings_form: settings_screen::SettingsForm,
    /// 测试连接 under way.
    pub probe: Option<ProbeJob>,
    /// This window's hold on the data folder (declared last: released after the worker stops).
    _lock: Option<DataDirLock>,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let AppConfig {
            data_root,
            template,
            clock,
            picker,
            portable,
        } = config;
        let builtin = Campaign::builtin().map_err(|e| e.user_message());
        let mut fatal = None;
        let campaign = match builtin {
            Ok(c) => Arc::new(c),
            Err(m) => {
                fatal = Some(m);
                Arc::new(fallback_campaign())
            }
        };
        let wake: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let root = data_root.map_or_else(DataDir::locate, Ok);
        let data = root.and_then(|root| DataDir::open(root, clock.clone()));
        let data = data.and_then(|data| data.lock_for_window().map(|lock| (data, lock)));
        let (worker, data_root, settings, lock) = match data {
            Ok((data, lock)) => {
                let settings = data.load_settings();
                let root = data.root().to_path_buf();
                let worker = StoreWorker::start(data, repaint_waker(&wake));
                (Some(worker), root, settings, Some(lock))
            }
            Err(e) => {
                tracing::error!(error = %e, "data folder unusable");
                fatal.get_or_insert(e.user_message());
                (None, PathBuf::new(), Settings::default(), None)
            }
        };
        let current_item = campaign.first_item_id();
        let mut app = Self {
            campaign,
            template_path: None,
            clock,
            worker,
            wake,
            data_root,
            fatal,
            listing: Listing::default(),
            settings,
            screen: Screen::Start,
            open: None,
            current_item,
            banner: None,
            focus: None,
            start: start_screen::StartState::default(),
            picker,
            actions: Vec::new(),
            settings_dirty: false,
            portable,
            settings_form: settings_screen::SettingsForm::default(),
            probe: None,
            _lock: lock,
        };
        if let Some(path) = template_choice(
            template,
            app.settings.template_path.clone(),
            app.portable.as_ref(),
        ) {
            app.send(StoreCommand::LoadTemplate { path });
        }
        app.send(StoreCommand::List);
        app
    }

    fn send(&mut self, command: StoreCommand) {
        if let Some(w) = &mut self.worker {
            w.send(command);
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.clock.now()
    }

    /// Nothing queued for the worker and nothing unsaved (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.worker.as_ref().is_none_or(|w| w.pending() == 0)
            && self.open.as_ref().is_none_or(|o| o.first_unsaved.is_none())
            && !self.settings_dirty
            && self.probe.is_none()
    }

    /// Send any unsaved change to the worker now.
    pub fn flush(&mut self) {
        if let Some(open) = &mut self.open
            && open.first_unsaved.take().is_some()
        {
            open.saving = true;
            let draft = Box::new(open.draft.clone());
            self.send(StoreCommand::Save { draft });
        }
        if self.settings_dirty {
            self.settings_dirty = false;
            self.send(StoreCommand::SaveSettings(self.settings.clone()));
        }
    }

    /// Save everything and wait for the worker to finish (closing the window).
    pub fn shutdown(&mut self) {
        self.flush();
        if let Some(w) = &mut self.worker {
            w.finish();
        }
    }

    /// The intake endpoint in force and where it comes from: 设置, baosong.toml, or the template.
    pub fn intake(&self) -> Option<(Intake, &'static str)> {
        crate::core::intake::effective(
            self.settings.intake.as_ref(),
            self.portable.as_ref().and_then(|p| p.intake.as_ref()),
            self.campaign.intake.as_ref(),
        )
        .map(|(i, source)| (i, source.label()))
    }

    /// The "about" text of the diagnostics zip: versions, system, folders; no tokens.
    pub fn about(&self) -> String {
        let intake = self
            .intake()
            .map(|(i, from)| format!("{}（来自{from}）", i.url))
            .unwrap_or_else(|| "未设置".into());
        format!(
            "baosong {}\n系统：{} {}\n数据文件夹：{}\n活动模板：{}（{}）\n报送地址：{}\n",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            self.data_root.display(),
            self.campaign.id,
            self.template_path
                .as_ref()
                .map_or_else(|| "内置".to_string(), |p| p.display().to_string()),
            intake
        )
    }

    /// Note that the open draft was edited: re-check it and schedule an autosave.
    pub fn draft_changed(&mut self) {
        let now = self.now();
        let campaign = self.campaign.clone();
        if let Some(open) = &mut self.open {
            if let Err(e) = open.draft.mark_edited(now) {
                self.banner = Some(Banner::Error(e.to_string()));
                return;
            }
            open.report = validate(&campaign, &open.draft);
            open.first_unsaved.get_or_insert_with(Instant::now);
            open.last_change = Instant::now();
            if self.settings.default_unit != open.draft.unit {
                self.settings.default_unit = open.draft.unit.clone();
                self.settings_dirty = true;
            }
        }
    }

    /// The whole window.
    pub fn ui(&mut self, ui: &mut Ui) {
        let _ = self.wake.set(ui.ctx().clone());
        self.handle_events();
        self.top_bar(ui);
        self.bottom_bar(ui);
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if let Some(message) = &self.fatal {
                widgets::notice_box(ui, widgets::RED, |ui| {
                    ui.heading("无法启动");
                    ui.label(message.as_str());
                });
                return;
            }
            self.banner_ui(ui);
            let mut actions = std::mem::take(&mut self.actions);
            let mut edited = false;
            match (self.screen, &mut self.open) {
                (Screen::Settings, _) => settings_screen::ui(ui, self, &mut actions),
                (Screen::Start, _) | (_, None) => start_screen::ui(ui, self, &mut actions),
                (Screen::Profile, Some(open)) => {
                    edited =
                        profile_screen::ui(ui, &self.campaign, open, &mut self.focus, &mut actions);
                }
                (Screen::Tasks, Some(open)) => {
                    edited = tasks_screen::ui(
                        ui,
                        &self.campaign,
                        open,
                        &self.current_item,
                        &mut self.focus,
                        &mut actions,
                    );
                }
                (Screen::Check, Some(open)) => {
                    check_screen::ui(ui, &self.campaign, open, &mut actions)
                }
            }
            if edited {
                self.draft_changed();
            }
            for action in actions {
                self.apply(action);
            }
        });
        self.autosave(ui.ctx());
    }

    /// Send the draft to the worker within a second of a change: after a pause in typing, or
    /// at the latest [`SAVE_AT_MOST_AFTER`] after the first unsaved change.
    fn autosave(&mut self, ctx: &egui::Context) {
        if let Some(open) = &mut self.open
            && let Some(at) = open.retry_at
        {
            if Instant::now() >= at {
                open.retry_at = None;
                open.first_unsaved.get_or_insert_with(Instant::now);
            } else {
                ctx.request_repaint_after(at - Instant::now());
            }
        }
        let due = match &self.open {
            Some(OpenDraft {
                first_unsaved: Some(first),
                last_change,
                ..
            }) => {
                let due = first.elapsed() >= SAVE_AT_MOST_AFTER
                    || last_change.elapsed() >= SAVE_AFTER_PAUSE;
                if !due {
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
                due
            }
            _ => self.settings_dirty,
        };
        if due {
            self.flush();
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Called by a worker thread after each event: repaint, once the window has a context.
fn repaint_waker(wake: &Arc<OnceLock<egui::Context>>) -> impl Fn() + Send + 'static {
    let wake = wake.clone();
    move || {
        if let Some(ctx) = wake.get() {
            ctx.request_repaint();
        }
    }
}

impl App {
    /// Switch to another campaign template (`path`: `None` for the built-in one): remembered in
    /// the settings, the task list back at its first item, the open draft re-checked.
    fn set_campaign(&mut self, campaign: Campaign, path: Option<PathBuf>) {
        self.campaign = Arc::new(campaign);
        self.current_item = self.campaign.first_item_id();
        if self.settings.template_path != path {
            self.settings.template_path = path.clone();
            self.settings_dirty = true;
        }
        self.template_path = path;
        if let Some(open) = &mut self.open {
            open.report = validate(&self.campaign, &open.draft);
        }
    }
}

/// Only used when the built-in template itself is broken (a bad build): an empty campaign, so
/// the window can still say what is wrong.
fn fallback_campaign() -> Campaign {
    Campaign {
        schema: 1,
        id: String::new(),
        year: 0,
        title: "报送".into(),
        theme: String::new(),
        issuer: String::new(),
        document_number: String::new(),
        notice_title: String::new(),
        notice_date: None,
        window: crate::core::campaign::Window {
            start: chrono::NaiveDate::MIN,
            end: chrono::NaiveDate::MAX,
        },
        deadline: chrono::DateTime::UNIX_EPOCH.fixed_offset(),
        deadline_text: String::new(),
        material_kinds_text: String::new(),
        receiver: crate::core::campaign::Receiver {
            name: String::new(),
            contact_person: String::new(),
            phone: String::new(),
            email: String::new(),
        },
        intake: None,
        units: Vec::new(),
        typed_unit_hint: String::new(),
        activity_fields: Default::default(),
        attachments: Default::default(),
        pillars: Vec::new(),
    }
}

//! The shell: one struct owns the GUI's state; `ui` lays out the panels and the current screen,
//! then applies the actions the screens asked for (data flows one way: the screens read state
//! and push [`Action`]s; the store worker does the file work and answers with events).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::{check_screen, profile_screen, settings_screen, start_screen, tasks_screen, widgets};
use crate::core::campaign::{Campaign, Countdown, Intake};
use crate::core::clock::Clock;
use crate::core::dates::{chinese_date, chinese_date_time};
use crate::core::draft::Draft;
use crate::core::portable::PortableConfig;
use crate::core::store::{DataDir, DataDirLock, Listing, Settings};
use crate::core::validate::{Report, Target, validate};
use crate::jobs::{ProbeJob, StoreCommand, StoreEvent, StoreWorker};

/// Save at most this long after the first unsaved change…
const SAVE_AT_MOST_AFTER: Duration = Duration::from_millis(800);
/// …or once typing has paused this long.
const SAVE_AFTER_PAUSE: Duration = Duration::from_millis(300);
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
                let wake = wake.clone();
                let worker = StoreWorker::start(data, move || {
                    if let Some(ctx) = wake.get() {
                        ctx.request_repaint();
                    }
                });
                (Some(worker), root, settings, Some(lock))
            }
            Err(e) => {
                tracing::error!(error = %e, "data folder unusable");
                fatal.get_or_insert(e.user_message());
                (None, PathBuf::new(), Settings::default(), None)
            }
        };
        let current_item = campaign
            .items()
            .next()
            .map(|(_, it)| it.id.clone())
            .unwrap_or_default();
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
        let portable_template = app.portable.as_ref().and_then(|p| p.template.clone());
        if let Some(path) = template
            .or_else(|| app.settings.template_path.clone())
            .or(portable_template)
        {
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
            "baosong {}
系统：{} {}
数据文件夹：{}
活动模板：{}（{}）
报送地址：{}
",
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

    fn top_bar(&mut self, ui: &mut Ui) {
        egui::Panel::top("top").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.heading(RichText::new(&self.campaign.title).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let countdown = Countdown::until(self.campaign.deadline, self.now());
                    let colour = if countdown.is_late() {
                        widgets::RED
                    } else {
                        widgets::GREEN
                    };
                    ui.label(RichText::new(countdown.label()).color(colour).strong());
                    ui.label(format!(
                        "截止：{}",
                        chinese_date(self.campaign.deadline.date_naive())
                    ));
                });
            });
            if let Some(open) = &self.open
                && self.screen != Screen::Start
            {
                ui.horizontal(|ui| {
                    if ui.button("← 草稿列表").clicked() {
                        self.actions.push(Action::CloseDraft);
                    }
                    ui.separator();
                    for (screen, label) in [
                        (Screen::Profile, "单位信息"),
                        (Screen::Tasks, "填报任务"),
                        (Screen::Check, "检查并提交"),
                    ] {
                        if ui.selectable_label(self.screen == screen, label).clicked() {
                            self.actions.push(Action::GoTo(screen));
                        }
                    }
                    ui.separator();
                    let unit = if open.draft.unit.unit.is_empty() {
                        "（未填写单位）"
                    } else {
                        &open.draft.unit.unit
                    };
                    ui.label(format!("{unit} · {}", open.draft.status.label()));
                });
            }
            ui.add_space(2.0);
        });
    }

    fn bottom_bar(&mut self, ui: &mut Ui) {
        egui::Panel::bottom("bottom").show(ui, |ui| {
            ui.horizontal(|ui| {
                match &self.open {
                    Some(o) if o.save_error.is_some() => {
                        let m = o.save_error.as_deref().unwrap_or_default();
                        ui.label(RichText::new(format!("保存失败：{m}")).color(widgets::RED));
                    }
                    Some(o) if o.first_unsaved.is_some() || o.saving => {
                        ui.label(RichText::new("正在保存…").color(widgets::GREY));
                    }
                    Some(o) => {
                        let when = o.saved_at.map(chinese_date_time).unwrap_or_default();
                        ui.label(RichText::new(format!("已自动保存 {when}")).color(widgets::GREY));
                    }
                    None => {
                        ui.label(
                            RichText::new("草稿随时自动保存在本机，关闭程序或断电也不会丢失")
                                .color(widgets::GREY),
                        )
                        .on_hover_text(format!("数据文件夹：{}", self.data_root.display()));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let r = &self.campaign.receiver;
                    ui.label(
                        RichText::new(format!(
                            "{} 联系人：{} 电话：{} 邮箱：{}",
                            r.name, r.contact_person, r.phone, r.email
                        ))
                        .color(widgets::GREY)
                        .small(),
                    );
                });
            });
        });
    }

    fn banner_ui(&mut self, ui: &mut Ui) {
        let Some(banner) = &self.banner else {
            return;
        };
        let (colour, text) = match banner {
            Banner::Info(t) => (widgets::GREEN, t.clone()),
            Banner::Error(t) => (widgets::RED, t.clone()),
        };
        let mut close = false;
        widgets::notice_box(ui, colour, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(text).color(colour));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    close = ui.button("知道了").clicked();
                });
            });
        });
        if close {
            self.banner = None;
        }
        ui.add_space(4.0);
    }

    fn handle_events(&mut self) {
        if let Some(result) = self.probe.as_ref().and_then(ProbeJob::poll) {
            self.probe = None;
            self.banner = Some(match result {
                Ok(p) => Banner::Info(p.user_message()),
                Err(m) => Banner::Error(m),
            });
        }
        let events = self
            .worker
            .as_mut()
            .map(StoreWorker::poll)
            .unwrap_or_default();
        for event in events {
            match event {
                StoreEvent::Listed(listing) => self.listing = listing,
                StoreEvent::Opened(draft) => self.opened(*draft),
                StoreEvent::Saved { id } => {
                    let now = self.now();
                    if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == id) {
                        open.saving = false;
                        open.saved_at = Some(now);
                        open.save_error = None;
                        open.retry_at = None;
                    }
                }
                StoreEvent::Done { message } if message.is_empty() => {}
                StoreEvent::Done { message } => self.banner = Some(Banner::Info(message)),
                StoreEvent::TemplateLoaded { path, campaign } => {
                    self.banner = Some(Banner::Info(format!(
                        "已打开活动模板：{}（{}）",
                        campaign.title,
                        path.display()
                    )));
                    self.campaign = Arc::new(*campaign);
                    self.template_path = Some(path.clone());
                    if self.settings.template_path.as_ref() != Some(&path) {
                        self.settings.template_path = Some(path);
                        self.settings_dirty = true;
                    }
                    self.current_item = self
                        .campaign
                        .items()
                        .next()
                        .map(|(_, it)| it.id.clone())
                        .unwrap_or_default();
                    if let Some(open) = &mut self.open {
                        open.report = validate(&self.campaign, &open.draft);
                    }
                }
                StoreEvent::Failed { message } => {
                    if let Some(open) = self.open.as_mut().filter(|o| o.saving) {
                        // The draft stays in memory and is saved again on the next change.
                        open.saving = false;
                        open.save_error = Some(message.clone());
                        open.retry_at = Some(Instant::now() + SAVE_RETRY);
                    }
                    self.banner = Some(Banner::Error(message));
                    self.send(StoreCommand::List);
                }
            }
        }
    }

    fn opened(&mut self, draft: Draft) {
        if draft.campaign_id != self.campaign.id {
            self.banner = Some(Banner::Error(format!(
                "此草稿属于活动模板“{}”，当前打开的是“{}”。请先点“打开活动模板…”打开对应的模板。",
                draft.campaign_id, self.campaign.id
            )));
            return;
        }
        let report = validate(&self.campaign, &draft);
        let fresh = draft.activity_count() == 0 && draft.answers.values().all(|a| a.is_untouched());
        self.screen = if fresh || draft.unit.unit.is_empty() {
            Screen::Profile
        } else {
            Screen::Tasks
        };
        self.open = Some(OpenDraft {
            saved_at: Some(draft.updated_at),
            draft,
            report,
            first_unsaved: None,
            last_change: Instant::now(),
            saving: false,
            retry_at: None,
            save_error: None,
        });
        self.send(StoreCommand::List);
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::NewDraft => {
                let unit = self.settings.default_unit.clone();
                self.send(StoreCommand::Create {
                    campaign: self.campaign.clone(),
                    unit,
                });
            }
            Action::OpenDraft(id) => self.send(StoreCommand::Open { id }),
            Action::Duplicate(id) => self.send(StoreCommand::Duplicate { id }),
            Action::Delete(id) => {
                self.banner = Some(Banner::Info(
                    "草稿已移到回收区，可在“回收区”中恢复。".into(),
                ));
                self.send(StoreCommand::Delete { id });
            }
            Action::Restore(name) => {
                self.banner = Some(Banner::Info("草稿已恢复。".into()));
                self.send(StoreCommand::Restore { name });
            }
            Action::OpenTemplate => {
                if let Some(path) = self.picker.pick_template() {
                    self.send(StoreCommand::LoadTemplate { path });
                }
            }
            Action::UseBuiltinTemplate => match Campaign::builtin() {
                Ok(c) => {
                    self.campaign = Arc::new(c);
                    self.template_path = None;
                    self.settings.template_path = None;
                    self.settings_dirty = true;
                    self.banner = Some(Banner::Info("已改用内置活动模板。".into()));
                }
                Err(e) => self.banner = Some(Banner::Error(e.user_message())),
            },
            Action::GoTo(screen) => {
                if let Some(open) = &mut self.open {
                    open.report = validate(&self.campaign, &open.draft);
                }
                self.screen = screen;
            }
            Action::SelectItem(id) => {
                self.current_item = id;
                self.screen = Screen::Tasks;
            }
            Action::Jump(target) => {
                use Target as T;
                match &target {
                    T::UnitName | T::ContactPerson | T::Phone => self.screen = Screen::Profile,
                    T::Item { item_id }
                    | T::ItemReason { item_id }
                    | T::ActivityField { item_id, .. } => {
                        self.current_item = item_id.clone();
                        self.screen = Screen::Tasks;
                    }
                }
                self.focus = Some(target);
            }
            Action::MarkReady => {
                let now = self.now();
                if let Some(open) = &mut self.open {
                    let problems = validate(&self.campaign, &open.draft).problems.len();
                    match open.draft.mark_ready(problems, now) {
                        Ok(()) => {
                            open.first_unsaved.get_or_insert_with(Instant::now);
                            self.banner = Some(Banner::Info("已标记为“已完成待报送”。".into()));
                        }
                        Err(e) => self.banner = Some(Banner::Error(e.to_string())),
                    }
                }
            }
            Action::CloseDraft => {
                self.flush();
                self.open = None;
                self.screen = Screen::Start;
                self.send(StoreCommand::List);
            }
            Action::SaveIntake(intake) => {
                self.settings.intake = intake;
                self.settings_dirty = true;
                self.banner = Some(Banner::Info("设置已保存。".into()));
            }
            Action::ProbeIntake(intake) => {
                let wake = self.wake.clone();
                self.probe = Some(ProbeJob::start(intake, move || {
                    if let Some(ctx) = wake.get() {
                        ctx.request_repaint();
                    }
                }));
            }
            Action::ExportDiagnostics => {
                let name = format!("baosong-诊断信息-{}.zip", self.now().format("%Y%m%d-%H%M"));
                if let Some(to) = self.picker.save_diagnostics(&name) {
                    let about = self.about();
                    self.send(StoreCommand::ExportDiagnostics { to, about });
                }
            }
        }
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

//! The shell: one struct owns the GUI's state; `ui` lays out the panels and the current screen,
//! then applies the actions the screens asked for (data flows one way: the screens read state
//! and push [`Action`]s; the workers do the file and network work and answer with events).
//! `panels` draws the bars around every screen; `events` applies worker events and actions.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

mod attachments;
mod campaigns;
mod desk;
mod editor;
mod events;
mod jobs;
mod panels;
mod sending;

use egui::Ui;

use super::materials::{ImportStatus, MaterialsCtx};
use super::picker::FilePicker;
use super::previews::Previews;
use super::settings_screen::{SettingsForm, SettingsView};
use super::start_screen::{StartState, StartView};
use super::state::{Action, Banner, OpenDraft, Screen, TaskPage};
use super::submission::{self, SendView};
use super::viewer::ViewerState;
use super::{check_screen, help_screen, profile_screen, settings_screen, start_screen};
use super::{tasks_screen, widgets};
use crate::core::campaign::{Campaign, Intake};
use crate::core::clock::{Clock, Ticker};
use crate::core::draft::{Draft, DraftId, Edited, ItemId, Place};
use crate::core::intake::upload::UploadOptions;
use crate::core::media::probe::Prober;
use crate::core::media::thumbs::ThumbnailCache;
use crate::core::portable::{PortableConfig, template_choice};
use crate::core::store::{DataDir, DataDirLock, FILES_DIR, Listing, Settings, draft_dir_in};
use crate::core::validate::validate_with_files;
use crate::jobs::Wake;
use crate::jobs::store::{StoreCommand, StoreWorker};
use crate::jobs::thumbnails::ThumbnailPool;

/// How the app is started: where its data is, which template, what time it is.
pub struct AppConfig {
    /// `None`: `BAOSONG_DATA_DIR` or the system's local app-data folder.
    pub data_root: Option<PathBuf>,
    /// A template file to use instead of the remembered one or the built-in one.
    pub template: Option<PathBuf>,
    /// Wall-clock time (timestamps, the countdown).
    pub clock: Arc<dyn Clock>,
    /// Monotonic time (the autosave's timers).
    pub ticker: Arc<dyn Ticker>,
    pub picker: Box<dyn FilePicker>,
    /// `baosong.toml` from beside the exe, if IT put one there.
    pub portable: Option<PortableConfig>,
    /// The program that probes media in a child process (`None`: this program itself).
    pub probe_exe: Option<PathBuf>,
    /// Preview workers (0: one per core).
    pub preview_workers: usize,
    /// How uploads are cut and retried (tests make the chunks small).
    pub upload: UploadOptions,
}

pub struct App {
    campaign: Arc<Campaign>,
    /// IT's baosong.toml could not be used: what is wrong (start screen).
    portable_problem: Option<String>,
    /// Where the campaign came from, when it is not the built-in one.
    template_path: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    ticker: Arc<dyn Ticker>,
    worker: Option<StoreWorker>,
    /// The window's context, once the first frame has given it (the workers' repaint).
    context: Arc<OnceLock<egui::Context>>,
    data_root: PathBuf,
    /// The data folder could not be opened: nothing else works, say why.
    fatal: Option<String>,
    listing: Listing,
    settings: Settings,
    settings_dirty: bool,
    screen: Screen,
    open: Option<OpenDraft>,
    /// The item last shown in the task list, and what the task list's right side shows.
    current_item: ItemId,
    page: TaskPage,
    banner: Option<Banner>,
    start: StartState,
    settings_form: SettingsForm,
    /// What the desk's cache of opened bundles holds (measured when 设置与帮助 opens).
    desk_cache: Option<u64>,
    picker: Box<dyn FilePicker>,
    portable: Option<PortableConfig>,
    /// Every long job running: polled once a frame, see [`jobs::JobSet`].
    jobs: jobs::JobSet,
    previews: Previews,
    prober: Option<Prober>,
    cache: ThumbnailCache,
    viewer: Option<ViewerState>,
    /// Files dropped where no materials section was, waiting for the clerk to say where.
    pending_drop: Option<Vec<PathBuf>>,
    /// Where each materials section was drawn this frame (for files dropped on it).
    drop_zones: Vec<(egui::Rect, Place)>,
    upload: UploadOptions,
    /// 收件台: its folder, table and opened bundle.
    desk: desk::DeskState,
    /// Actions pushed by the panels, applied with the screen's.
    actions: Vec<Action>,
    /// The data folder, as the store's worker has it (the desk's import writes a draft into it).
    data: Option<DataDir>,
    /// 继续报送 was pressed on the draft list: resume once this draft is opened.
    resume_when_opened: Option<DraftId>,
    /// The benchmark's draft (`BAOSONG_BENCH_SEND`): sent with 一键报送 as soon as it is open.
    send_when_opened: Option<DraftId>,
    /// The store's thread was found gone (said once in the log, kept in the banner).
    store_stopped: bool,
    /// 市妇联发布的活动: what the background look found.
    campaigns: campaigns::CampaignsState,
    /// The built-in template, read once.
    builtin: Option<Arc<Campaign>>,
    /// 活动编辑: the template the department is editing (kept while it looks at the desk).
    editor: Option<super::campaign_editor::EditorState>,
    /// This window's hold on the data folder (declared last: released after the worker stops).
    _lock: Option<DataDirLock>,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let AppConfig {
            data_root,
            template,
            clock,
            ticker,
            picker,
            portable,
            probe_exe,
            preview_workers,
            upload,
        } = config;
        let mut fatal = None;
        let campaign = match Campaign::builtin() {
            Ok(c) => Arc::new(c),
            Err(e) => {
                fatal = Some(e.user_message());
                Arc::new(fallback_campaign())
            }
        };
        let context: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let root = data_root.map_or_else(DataDir::locate, Ok);
        let data = root.and_then(|root| DataDir::open(root, clock.clone()));
        let data = data.and_then(|data| data.lock_for_window().map(|lock| (data, lock)));
        let mut first_banner = None;
        let (worker, data_dir, data_root, settings, lock) = match data {
            Ok((data, lock)) => {
                let settings = data.load_settings();
                // No credential store: said once, where a token would be needed.
                if settings.intake.is_some() {
                    first_banner = data.token_keeping().user_message().map(Banner::info);
                }
                let root = data.root().to_path_buf();
                let worker = StoreWorker::start(data.clone(), repaint_waker(&context));
                (Some(worker), Some(data), root, settings, Some(lock))
            }
            Err(e) => {
                tracing::error!(error = %e, "data folder unusable");
                fatal.get_or_insert(e.user_message());
                (None, None, PathBuf::new(), Settings::default(), None)
            }
        };
        let current_item = campaign.first_item_id();
        let prober = probe_exe.map(Prober::new).or_else(Prober::this_program);
        let cache = ThumbnailCache::new(&data_root.join("cache"));
        let pool = worker.as_ref().map(|_| {
            ThumbnailPool::start(
                cache.clone(),
                prober.clone(),
                preview_workers,
                repaint_waker(&context),
            )
        });
        let campaigns = campaigns::CampaignsState::new(portable.as_ref());
        let mut app = Self {
            portable_problem: None,
            campaign,
            template_path: None,
            clock,
            ticker,
            worker,
            context,
            data_root,
            fatal,
            listing: Listing::default(),
            settings,
            settings_dirty: false,
            screen: Screen::Start,
            open: None,
            page: TaskPage::Item(current_item.clone()),
            current_item,
            banner: first_banner,
            start: StartState::default(),
            settings_form: SettingsForm::default(),
            desk_cache: None,
            picker,
            portable,
            jobs: jobs::JobSet::default(),
            data: data_dir,
            resume_when_opened: None,
            send_when_opened: None,
            store_stopped: false,
            previews: Previews::new(pool),
            prober,
            cache,
            viewer: None,
            desk: Default::default(),
            pending_drop: None,
            drop_zones: Vec::new(),
            upload,
            actions: Vec::new(),
            campaigns,
            builtin: campaigns::builtin(),
            editor: None,
            _lock: lock,
        };
        if let Some(path) = template_choice(
            template,
            app.settings.template_path.clone(),
            app.portable.as_ref(),
        ) {
            let key = app.pinned_key();
            app.send(StoreCommand::LoadTemplate { path, key });
        }
        app.list();
        app
    }

    fn send(&mut self, command: StoreCommand) {
        if let Some(w) = &mut self.worker {
            w.send(command);
        }
    }

    fn list(&mut self) {
        let campaign = self.campaign.clone();
        self.send(StoreCommand::List { campaign });
    }

    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.clock.now()
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn current_item(&self) -> &ItemId {
        &self.current_item
    }

    /// The draft being edited, if any.
    pub fn open_draft(&self) -> Option<&Draft> {
        self.open.as_ref().map(|o| &o.draft)
    }

    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// Nothing queued for the workers and nothing unsaved (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.worker.as_ref().is_none_or(|w| w.pending() == 0)
            && self
                .open
                .as_ref()
                .is_none_or(|o| !o.autosave.has_unsaved() && !o.autosave.saving)
            && !self.settings_dirty
            && self.jobs.is_empty()
            && self.previews.is_idle()
    }

    /// How many preview textures are held (tests and benchmarks of the bound).
    /// For `benches/send-cpu.sh` (`BAOSONG_BENCH_SEND`): open this draft and press 一键报送, as
    /// a clerk would.
    pub fn open_and_send(&mut self, id: DraftId) {
        self.send_when_opened = Some(id.clone());
        self.actions.push(crate::gui::state::Action::OpenDraft(id));
    }

    /// 一键报送 is running (its job not finished).
    pub fn is_sending(&self) -> bool {
        self.jobs.sending.is_some()
    }

    pub fn texture_count(&self) -> usize {
        self.previews.texture_count()
    }

    /// The drafts with long work running on them.
    fn busy_drafts(&self) -> Vec<DraftId> {
        self.jobs.busy_drafts()
    }

    /// `drafts/<id>/` of a draft.
    fn draft_dir(&self, id: &DraftId) -> PathBuf {
        draft_dir_in(&self.data_root, id)
    }

    /// The `files/` folder of a draft.
    fn files_dir(&self, id: &DraftId) -> PathBuf {
        self.draft_dir(id).join(FILES_DIR)
    }

    /// Send any unsaved change to the worker now.
    pub fn flush(&mut self) {
        if let Some(open) = &mut self.open
            && open.autosave.has_unsaved()
        {
            open.autosave.sent();
            let draft = Box::new(open.draft.clone());
            self.send(StoreCommand::Save { draft });
        }
        if self.settings_dirty {
            self.settings_dirty = false;
            self.send(StoreCommand::SaveSettings(self.settings.clone()));
        }
    }

    /// Save everything and wait for the worker to finish (closing the window). Imports under
    /// way are stopped; what they had copied already is kept in the draft. An upload is paused:
    /// the draft stays 报送中 and 继续报送 resumes it from the server's offset.
    pub fn shutdown(&mut self) {
        // Every job told to stop at once; then each waited for against one deadline.
        let deadline = std::time::Instant::now() + sending::SHUTDOWN_LIMIT;
        self.jobs.cancel_all();
        self.stop_sending(deadline);
        for (_, job) in std::mem::take(&mut self.jobs.imports) {
            // What it had copied is recorded; a copy left unrecorded (an import that did not
            // stop within the limit) is removed once a day old (store::remove_orphans).
            if let Some(Ok(outcome)) = job.finish_within(left_until(deadline)) {
                self.imported(outcome);
            }
        }
        self.desk_shutdown(left_until(deadline));
        self.editor_shutdown();
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

    /// IT's baosong.toml beside the exe has a mistake (the window could not use it): said in
    /// red on the start screen until it is mended.
    pub fn set_portable_problem(&mut self, message: String) {
        self.portable_problem = Some(message);
    }

    /// The "about" text of the diagnostics zip: versions, system, folders; no tokens.
    pub fn about(&self) -> String {
        let intake = self
            .intake()
            .map(|(i, from)| format!("{}（来自{from}）", i.url))
            .unwrap_or_else(|| "未设置".into());
        format!(
            "baosong {}\n系统：{} {}\n数据文件夹：{}\n活动模板：{}（{}）\n报送地址：{}\n",
            crate::core::build_info::VERSION_AND_COMMIT,
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
    fn draft_changed(&mut self) {
        let now = self.now();
        let tick = self.ticker.now();
        let Some(open) = &mut self.open else {
            return;
        };
        match open.draft.mark_edited(now) {
            Err(e) => {
                self.banner = Some(Banner::error(e.user_message()));
                return;
            }
            Ok(Edited::BackToDraft) => {
                self.banner =
                    Some(Banner::warning("已修改，需重新检查后再报送。").about(&open.draft.id));
            }
            Ok(Edited::Quietly) => {}
        }
        open.fresh = false;
        open.form.report = validate_with_files(&self.campaign, &open.draft, &open.form.files);
        open.autosave.changed(tick);
        if self.settings.default_unit != open.draft.unit {
            self.settings.default_unit = open.draft.unit.clone();
            self.settings_dirty = true;
        }
    }

    /// The whole window.
    pub fn ui(&mut self, ui: &mut Ui) {
        let _ = self.context.set(ui.ctx().clone());
        self.handle_events();
        self.previews.receive(ui.ctx());
        self.drop_zones.clear();
        self.top_bar(ui);
        self.bottom_bar(ui);
        // The message banner sits above the bottom bar: appearing or going, it moves nothing the
        // clerk is about to click (at the top it pushed the whole page down by its height).
        if self.banner.is_some() && self.fatal.is_none() {
            egui::Panel::bottom("banner").show(ui, |ui| {
                ui.add_space(4.0);
                self.banner_ui(ui);
            });
        }
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if let Some(message) = &self.fatal {
                widgets::notice_box(ui, widgets::RED, |ui| {
                    ui.heading("无法启动");
                    ui.label(message.as_str());
                });
                return;
            }
            let mut actions = std::mem::take(&mut self.actions);
            if self.screen_ui(ui, &mut actions) {
                self.draft_changed();
            }
            let pointer_down = ui.input(|i| i.pointer.any_down());
            if let Some(open) = &mut self.open
                && open.form.settle_touched(pointer_down)
            {
                ui.ctx().request_repaint();
            }
            self.dropped_files(ui.ctx(), &mut actions);
            self.overlays(ui.ctx(), &mut actions);
            for action in actions {
                self.apply(action);
            }
        });
        self.autosave(ui.ctx());
        self.look_for_campaigns(ui.ctx());
    }

    /// The current screen; true when it edited the open draft.
    fn screen_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) -> bool {
        let campaign = self.campaign.clone();
        let open_id = self.open.as_ref().map(|o| o.draft.id.clone());
        let sending = open_id.as_ref().and_then(|id| self.sending_view(id));
        let exporting = open_id.as_ref().and_then(|id| self.exporting_view(id));
        let receipt = self.open.as_ref().and_then(|o| self.receipt_of(&o.draft));
        let intake = self.intake();
        match (self.screen, &mut self.open) {
            (Screen::Settings, _) => {
                let view = SettingsView {
                    campaign: &campaign,
                    template_path: self.template_path.as_deref(),
                    data_root: &self.data_root,
                    intake: self.intake(),
                    testing: self.jobs.connection.is_some(),
                    desk_cache: self.desk_cache,
                };
                settings_screen::ui(ui, &view, &mut self.settings_form, actions);
                false
            }
            (Screen::Help, _) => {
                help_screen::ui(ui, &campaign, actions);
                false
            }
            (Screen::Desk | Screen::DeskBundle, _) => {
                self.desk_ui(ui, actions);
                false
            }
            (Screen::CampaignEditor, _) => {
                self.editor_ui(ui, actions);
                false
            }
            (Screen::Start, _) | (_, None) => {
                let busy = self.busy_drafts();
                let known = self.known_campaigns();
                let offers = self.offers();
                let view = StartView {
                    campaign: &campaign,
                    listing: &self.listing,
                    template_path: self.template_path.as_deref(),
                    busy: &busy,
                    known: &known,
                    offers: &offers,
                    refused: self.campaigns.refused,
                    now: self.now(),
                    reviews: &self.campaigns.messages,
                    listening: self.campaigns.key.is_some(),
                    portable_problem: self.portable_problem.as_deref(),
                };
                start_screen::ui(ui, &view, &mut self.start, actions);
                false
            }
            (Screen::Profile, Some(open)) => profile_screen::ui(ui, &campaign, open, actions),
            (Screen::Tasks, Some(open)) => {
                // `self.files_dir` would borrow all of `self`; the field alone is free.
                let files_dir = draft_dir_in(&self.data_root, &open.draft.id).join(FILES_DIR);
                let imports: Vec<ImportStatus> = self
                    .jobs
                    .imports
                    .iter()
                    .filter(|(_, j)| j.draft() == Some(&open.draft.id))
                    .map(|(place, j)| ImportStatus {
                        job: j.id(),
                        place: place.clone(),
                        progress: j.progress(),
                    })
                    .collect();
                let editable = open.draft.is_editable();
                let mut cx = MaterialsCtx {
                    files_dir: &files_dir,
                    imports: &imports,
                    previews: &mut self.previews,
                    zones: &mut self.drop_zones,
                    editable,
                };
                tasks_screen::ui(ui, &campaign, open, &self.page, &mut cx, actions)
            }
            (Screen::Receipt, Some(_)) if receipt.is_some() => {
                if let Some((text, file)) = &receipt {
                    submission::receipt_screen(ui, text, file, actions);
                }
                false
            }
            (Screen::Check | Screen::Receipt, Some(open)) => {
                let endpoint = intake.as_ref().map(|(i, from)| (i.url.as_str(), *from));
                let review = match open.draft.status() {
                    crate::core::draft::Status::Submitted { receipt } => {
                        crate::core::review::review_of(
                            &self.campaigns.messages,
                            &receipt.bundle_sha256,
                        )
                    }
                    _ => None,
                };
                let send = SendView {
                    status: open.draft.status(),
                    ready: open.form.report.is_ready(),
                    endpoint,
                    sending: sending.as_ref(),
                    exporting: exporting.as_ref(),
                    returned: review.is_some_and(|m| {
                        m.verdict() == Some(crate::core::review::Verdict::Returned)
                    }),
                };
                let review = check_screen::ReviewView {
                    listening: self.campaigns.key.is_some(),
                    review,
                };
                check_screen::ui(ui, &campaign, open, &send, &review, actions);
                false
            }
        }
    }

    /// Send the draft to the worker within a second of a change: after a pause in typing, or
    /// at the latest [`super::state::Autosave::AT_MOST_AFTER`] after the first unsaved change.
    fn autosave(&mut self, ctx: &egui::Context) {
        let now = self.ticker.now();
        let due = match &mut self.open {
            Some(open) => open.autosave.due(now),
            None => None,
        };
        match due {
            Some(wait) if wait.is_zero() => self.flush(),
            Some(wait) => ctx.request_repaint_after(wait),
            None if self.settings_dirty => self.flush(),
            None => {}
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The time left until `deadline` (none once it has passed: a job is then only asked).
pub(super) fn left_until(deadline: std::time::Instant) -> std::time::Duration {
    deadline.saturating_duration_since(std::time::Instant::now())
}

/// What a worker thread calls after each event: repaint, once the window has a context.
fn repaint_waker(context: &Arc<OnceLock<egui::Context>>) -> Wake {
    let context = context.clone();
    Arc::new(move || {
        if let Some(ctx) = context.get() {
            // One frame per wake: egui answers an immediate request with two (to let things
            // settle), which doubled the frames drawn while a send reports its progress; a
            // request "after 1 ms" is answered with one (issue 18 item 7).
            ctx.request_repaint_after(std::time::Duration::from_millis(1));
        }
    })
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
            open.form.report = validate_with_files(&self.campaign, &open.draft, &open.form.files);
        }
        self.list();
    }
}

/// Only used when the built-in template itself is broken (a bad build): an empty campaign, so
/// the window can still say what is wrong.
fn fallback_campaign() -> Campaign {
    Campaign {
        schema: 1,
        id: String::new(),
        version: 0,
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
        unread: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::core::clock::{SystemClock, SystemTicker};
    use crate::jobs::store::STORE_STOPPED;

    fn app_on(dir: &std::path::Path) -> App {
        App::new(AppConfig {
            data_root: Some(dir.to_path_buf()),
            template: None,
            clock: Arc::new(SystemClock),
            ticker: Arc::new(SystemTicker),
            picker: Box::new(crate::gui::picker::NativePicker),
            portable: None,
            probe_exe: None,
            preview_workers: 1,
            upload: UploadOptions::default(),
        })
    }

    fn harness(app: App) -> Harness<'static, App> {
        Harness::builder()
            .with_size([1280.0, 900.0])
            .with_context_setup(crate::gui::fonts::install)
            .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
    }

    /// Issue 18 item 7: a job's wake asks for one frame; egui answers an immediate request with
    /// two, which doubled what a software renderer drew while a send reported its progress.
    #[test]
    fn a_wake_asks_for_one_frame_not_two() {
        let ctx = egui::Context::default();
        let cell = Arc::new(OnceLock::new());
        assert!(cell.set(ctx.clone()).is_ok());
        let wake = repaint_waker(&cell);
        let pass = || {
            let mut out = ctx.run_ui(Default::default(), |_| {});
            out.textures_delta.clear();
        };
        for _ in 0..3 {
            pass();
        }
        assert!(!ctx.has_requested_repaint(), "settled");
        wake();
        assert!(ctx.has_requested_repaint(), "the wake asks for a frame");
        pass();
        assert!(
            !ctx.has_requested_repaint(),
            "and only one: no second frame is asked for"
        );
    }

    #[test]
    #[allow(clippy::panic)]
    fn a_lost_job_is_cleared_and_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(app_on(dir.path()));
        h.run_ok();
        // A file check whose thread dies (a bug in it).
        let id = DraftId::from("d-lost".to_string());
        h.state_mut().jobs.file_check = Some(crate::jobs::Job::spawn(
            "正在检查文件…",
            Some(id),
            crate::jobs::no_wake(),
            |_| panic!("a bug in the check"),
        ));
        let said = crate::jobs::JobLost.user_message("检查材料文件");
        for _ in 0..2000 {
            h.run_ok();
            if h.state().is_idle() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // Cleared: the window is not busy for ever (it once was).
        assert!(h.state().is_idle(), "the lost check was cleared");
        assert!(h.query_by_label(&said).is_some(), "and said");
        // Said once: put away, it does not come back.
        h.get_by_label("知道了").click();
        h.run_ok();
        h.run_ok();
        assert!(h.query_by_label(&said).is_none());
    }

    #[test]
    fn the_store_threads_death_is_shown_and_stays_shown() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(app_on(dir.path()));
        h.run_ok();
        assert!(h.query_by_label(STORE_STOPPED).is_none());
        h.state_mut().send(StoreCommand::EndForTest);
        let mut shown = false;
        for _ in 0..2000 {
            h.run_ok();
            if h.query_by_label(STORE_STOPPED).is_some() {
                shown = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(shown, "保存已停止 is said to the clerk");
        // 知道了 puts it away for one frame only: every later save is lost, so it comes back.
        h.get_by_label("知道了").click();
        h.run_ok();
        h.run_ok();
        assert!(h.query_by_label(STORE_STOPPED).is_some());
    }
}

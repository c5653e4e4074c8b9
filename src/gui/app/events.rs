//! What happens between frames: events from the worker threads, and the actions the screens
//! asked for during the frame.

use super::{App, Banner, OpenDraft, Screen, TaskPage};
use crate::core::campaign::Campaign;
use crate::core::draft::{Draft, DraftId, Status};
use crate::core::error::CoreError;
use crate::core::validate::{Target, validate_with_files};
use crate::gui::picker::Picked;
use crate::gui::settings_screen::SettingsForm;
use crate::gui::state::Action;
use crate::jobs::connection::test_connection;
use crate::jobs::store::{Signed, StoreCommand, StoreEvent, StoreWorker};

/// Where 导出诊断信息 puts its zip when no dialog can ask (inside the data folder).
const DIAGNOSTICS_FOLDER: &str = "诊断信息";

impl App {
    pub(super) fn handle_events(&mut self) {
        let now = self.ticker.now();
        for done in self.jobs.poll(now) {
            self.job_done(done);
        }
        let events = self
            .worker
            .as_mut()
            .map(StoreWorker::poll)
            .unwrap_or_default();
        for event in events {
            self.store_event(event);
        }
        // The store's thread gone: said, and kept said (every later save is lost).
        if self.worker.as_ref().is_some_and(|w| !w.alive()) {
            if !self.store_stopped {
                self.store_stopped = true;
                tracing::error!("the store worker is gone: saving has stopped");
            }
            if self
                .banner
                .as_ref()
                .is_none_or(|b| b.text != crate::jobs::store::STORE_STOPPED)
            {
                self.banner = Some(Banner::error(crate::jobs::store::STORE_STOPPED));
            }
        }
    }

    fn store_event(&mut self, event: StoreEvent) {
        match event {
            StoreEvent::Listed(listing) => self.listing = listing,
            StoreEvent::Opened(draft) => self.opened(*draft),
            StoreEvent::Saved { id } => {
                let now = self.now();
                if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == id) {
                    open.autosave.succeeded(now);
                }
            }
            StoreEvent::SaveFailed { id, message } => {
                let tick = self.ticker.now();
                if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == id) {
                    open.autosave.failed(message.clone(), tick);
                }
                self.banner = Some(Banner::error(message));
                self.list();
            }
            StoreEvent::Deleted { name } => {
                self.banner = Some(
                    Banner::info("草稿已移到回收区。").with_button("撤销", Action::Restore(name)),
                );
            }
            StoreEvent::Done { message: None } => {}
            StoreEvent::DeskCache(bytes) => self.desk_cache = Some(bytes),
            StoreEvent::Done {
                message: Some(message),
            } => self.banner = Some(Banner::info(message)),
            StoreEvent::TemplateLoaded {
                path,
                campaign,
                signed,
            } => {
                let opened = format!("已打开活动模板：{}（{}）", campaign.title, path.display());
                self.banner = Some(match signed {
                    Signed::Verified => Banner::info(format!("{opened}，市妇联签名核对无误。")),
                    Signed::NoKey => Banner::info(opened),
                    Signed::Unsigned => Banner::warning(format!(
                        "{opened}。此模板没有市妇联的签名，无法确认来源：如不是市妇联宣传部直接给的，请先核实再填报。"
                    )),
                });
                self.set_campaign(*campaign, Some(path));
            }
            StoreEvent::Failed { message } => {
                self.banner = Some(Banner::error(message));
                self.list();
            }
        }
    }

    fn opened(&mut self, draft: Draft) {
        // A draft of another campaign this PC knows opens with that campaign's template.
        if draft.campaign_id != self.campaign.id && !self.switch_to_campaign_of(&draft.campaign_id)
        {
            let e = CoreError::WrongCampaign {
                id: draft.id.to_string(),
                draft_campaign: draft.campaign_id,
                template: self.campaign.id.clone(),
            };
            self.banner = Some(Banner::error(e.user_message()));
            return;
        }
        let report = validate_with_files(&self.campaign, &draft, &Default::default());
        let fresh = draft.is_pristine();
        self.screen = if matches!(
            draft.status(),
            Status::Submitting | Status::Submitted { .. }
        ) {
            // 继续报送 or its receipt: both on the check page.
            Screen::Check
        } else if fresh || draft.unit.unit.is_empty() {
            Screen::Profile
        } else {
            Screen::Tasks
        };
        // Each draft opens at the top of its task list, not where another draft was left.
        self.current_item = self.campaign.first_item_id();
        self.page = TaskPage::Item(self.current_item.clone());
        let mut open = OpenDraft::new(draft, report);
        open.fresh = fresh && open.draft.created_at == self.now();
        open.form.revealed = self.screen == Screen::Check;
        let resume = self.resume_when_opened.take().as_ref() == Some(&open.draft.id)
            && *open.draft.status() == Status::Submitting
            || self.send_when_opened.take().as_ref() == Some(&open.draft.id);
        self.open = Some(open);
        if self.screen == Screen::Check {
            self.check_files();
        }
        self.list();
        if resume {
            self.apply(Action::Send(crate::gui::state::SendAction::Submit {
                again: false,
            }));
        }
    }

    pub(super) fn apply(&mut self, action: Action) {
        // One exhaustive match, by value: a new action that is not handled does not compile.
        match action {
            Action::Materials(a) => self.apply_material(a),
            Action::Send(a) => self.apply_send(a),
            Action::Desk(a) => self.apply_desk(a),
            Action::Editor(a) => self.apply_editor(a),
            Action::NewDraft => {
                let unit = self.settings.default_unit.clone();
                self.send(StoreCommand::Create {
                    campaign: self.campaign.clone(),
                    unit,
                });
            }
            Action::OpenDraft(id) => self.send(StoreCommand::Open { id }),
            Action::ResumeSending(id) => {
                self.resume_when_opened = Some(id.clone());
                self.send(StoreCommand::Open { id });
            }
            Action::Duplicate(id) | Action::Delete(id) if self.busy_drafts().contains(&id) => {
                self.banner = Some(Banner::error(
                    "此草稿的文件正在处理中（添加文件、导出或报送），请等待完成（或点“取消”）后再复制或删除。",
                ));
            }
            Action::Duplicate(id) => self.send(StoreCommand::Duplicate { id }),
            Action::Delete(id) => self.send(StoreCommand::Delete { id }),
            Action::Restore(name) => {
                self.banner = Some(Banner::info("草稿已恢复。"));
                self.send(StoreCommand::Restore { name });
            }
            Action::OpenTemplate => match self.picker.pick_template() {
                Picked::Chosen(path) => {
                    let key = self.pinned_key();
                    self.send(StoreCommand::LoadTemplate { path, key });
                }
                Picked::Cancelled => {}
                Picked::Unavailable(why) => {
                    tracing::warn!(why, "no file dialog");
                    self.banner = Some(Banner::error(
                        "无法显示选择文件的窗口。可以用命令行参数 --template 指定活动模板文件，或请信息技术人员把模板写入程序旁的 baosong.toml。",
                    ));
                }
            },
            Action::UseOffered { id, start } => self.use_offered(&id, start),
            Action::UseBuiltinTemplate => match Campaign::builtin() {
                Ok(c) => {
                    self.set_campaign(c, None);
                    self.banner = Some(Banner::info("已改用内置活动模板。"));
                }
                Err(e) => self.banner = Some(Banner::error(e.user_message())),
            },
            Action::GoTo(screen) => self.go_to(screen),
            Action::SelectItem(id) => {
                self.page = TaskPage::Item(id.clone());
                self.current_item = id;
                self.screen = Screen::Tasks;
                if let Some(open) = &mut self.open {
                    open.form.came_from_check = false;
                }
            }
            Action::Jump(target) => self.jump(target),
            Action::ClearDeskCache => {
                // Not while a bundle is being opened (its files are being written there).
                if self.jobs.desk.is_none() {
                    self.send(StoreCommand::ClearDeskCache);
                }
            }
            Action::ReviseReturned => self.revise_returned(),
            Action::AddressNote(index) => self.address_note(index),
            Action::RemoveActivity {
                item_id,
                activity_id,
            } => {
                let now = self.now();
                if let Some(open) = &mut self.open {
                    let answer = open.draft.answer(item_id.as_str());
                    let index =
                        answer.and_then(|a| a.activities.iter().position(|x| x.id == activity_id));
                    if let Some(index) = index {
                        open.draft.remove_activity(item_id.as_str(), index, now);
                        self.draft_changed();
                    }
                }
            }
            Action::MarkReady => self.mark_ready(),
            Action::CloseDraft => self.close_draft(),
            Action::SaveIntake(intake) => {
                self.settings.intake = intake;
                self.settings_dirty = true;
                self.banner = Some(Banner::info("设置已保存。"));
            }
            Action::ProbeIntake(intake) => {
                self.jobs.connection =
                    Some(test_connection(intake, super::repaint_waker(&self.context)));
            }
            Action::ExportDiagnostics => self.export_diagnostics(),
            Action::ExportDiagnosticsToDataFolder => {
                let to = self
                    .data_root
                    .join(DIAGNOSTICS_FOLDER)
                    .join(self.diagnostics_name());
                self.export_diagnostics_to(to);
            }
            Action::DismissBanner => self.banner = None,
        }
    }

    fn go_to(&mut self, screen: Screen) {
        if screen == Screen::Settings {
            self.send(StoreCommand::MeasureDeskCache);
            self.settings_form = SettingsForm::from_intake(
                self.intake().map(|(i, _)| i).as_ref(),
                self.settings.intake.as_ref(),
            );
        }
        if screen == Screen::Desk {
            self.desk_entered();
        }
        if let Some(open) = &mut self.open {
            if screen == Screen::Check {
                // From now on the forms show every problem (the GOV.UK rule).
                open.form.revealed = true;
            }
            if screen != Screen::Profile && screen != Screen::Tasks {
                open.form.came_from_check = false;
            }
            open.form.report = validate_with_files(&self.campaign, &open.draft, &open.form.files);
        }
        self.screen = screen;
        if screen == Screen::Check {
            self.check_files();
        }
    }

    /// 去修改: to the field, with 返回检查 offered there.
    fn jump(&mut self, target: Target) {
        match &target {
            Target::UnitName | Target::ContactPerson | Target::Phone => {
                self.screen = Screen::Profile;
            }
            Target::Attachment {
                place: crate::core::draft::Place::General,
                ..
            } => {
                self.page = TaskPage::General;
                self.screen = Screen::Tasks;
            }
            other => {
                if let Some(item_id) = other.item_id() {
                    self.current_item = item_id.clone();
                    self.page = TaskPage::Item(item_id.clone());
                }
                self.screen = Screen::Tasks;
            }
        }
        if let Some(open) = &mut self.open {
            open.form.came_from_check = true;
            open.form.focus = Some(target);
        }
    }

    fn mark_ready(&mut self) {
        let now = self.now();
        let tick = self.ticker.now();
        let Some(open) = &mut self.open else {
            return;
        };
        // The report is kept current by every edit and template change.
        let problems = open.form.report.problems.len();
        match open.draft.mark_ready(problems, now) {
            Ok(()) => {
                open.autosave.changed(tick);
                self.banner = Some(Banner::info("已标记为“已完成待报送”。").about(&open.draft.id));
            }
            Err(e) => self.banner = Some(Banner::error(e.user_message())),
        }
    }

    fn close_draft(&mut self) {
        self.flush();
        self.viewer = None;
        self.pending_drop = None;
        self.previews.clear_requests();
        if let Some(open) = self.open.take() {
            let id: DraftId = open.draft.id.clone();
            if open.fresh {
                self.send(StoreCommand::DiscardIfPristine { id: id.clone() });
            }
            if self
                .banner
                .as_ref()
                .is_some_and(|b| b.about.as_ref() == Some(&id))
            {
                self.banner = None;
            }
        }
        self.screen = Screen::Start;
        self.list();
    }

    fn diagnostics_name(&self) -> String {
        format!("baosong-诊断信息-{}.zip", self.now().format("%Y%m%d-%H%M"))
    }

    /// 导出诊断信息: ask where; if no dialog can be shown, put it in the data folder and say so.
    fn export_diagnostics(&mut self) {
        let name = self.diagnostics_name();
        match self.picker.save_diagnostics(&name) {
            Picked::Chosen(to) => self.export_diagnostics_to(to),
            Picked::Cancelled => {
                self.banner = Some(
                    Banner::info("未导出诊断信息：没有选择保存位置。如果没有出现选择窗口，可以改为保存到数据文件夹。")
                        .with_button("保存到数据文件夹", Action::ExportDiagnosticsToDataFolder),
                );
            }
            Picked::Unavailable(why) => {
                tracing::warn!(why, "no file dialog; diagnostics go to the data folder");
                let to = self.data_root.join(DIAGNOSTICS_FOLDER).join(name);
                self.export_diagnostics_to(to);
            }
        }
    }

    fn export_diagnostics_to(&mut self, to: std::path::PathBuf) {
        let about = self.about();
        self.send(StoreCommand::ExportDiagnostics { to, about });
    }
}

//! What happens between frames: events from the worker threads, and the actions the screens
//! asked for during the frame.

use std::time::Instant;

use super::{Action, App, Banner, OpenDraft, SAVE_RETRY, Screen};
use crate::core::campaign::Campaign;
use crate::core::draft::Draft;
use crate::core::validate::{Target, validate};
use crate::jobs::{ProbeJob, StoreCommand, StoreEvent, StoreWorker};

impl App {
    pub(super) fn handle_events(&mut self) {
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
                StoreEvent::Done { message: None } => {}
                StoreEvent::Done {
                    message: Some(message),
                } => self.banner = Some(Banner::Info(message)),
                StoreEvent::TemplateLoaded { path, campaign } => {
                    self.banner = Some(Banner::Info(format!(
                        "已打开活动模板：{}（{}）",
                        campaign.title,
                        path.display()
                    )));
                    self.set_campaign(*campaign, Some(path));
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

    pub(super) fn opened(&mut self, draft: Draft) {
        if draft.campaign_id != self.campaign.id {
            self.banner = Some(Banner::Error(format!(
                "此草稿属于活动模板“{}”，当前打开的是“{}”。请先点“打开活动模板…”打开对应的模板。",
                draft.campaign_id, self.campaign.id
            )));
            return;
        }
        let report = validate(&self.campaign, &draft);
        let fresh = draft.answers.values().all(|a| a.is_untouched());
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

    pub(super) fn apply(&mut self, action: Action) {
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
                    self.set_campaign(c, None);
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
                    // The report is kept current by every edit and template change.
                    let problems = open.report.problems.len();
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
                self.probe = Some(ProbeJob::start(intake, super::repaint_waker(&self.wake)));
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
}

//! The shell's side of the receiving desk (收件台): its jobs started, their outcomes turned into
//! the table, the opened bundle and the banner. One job at a time (in the window's
//! [`JobSet`](super::jobs::JobSet)).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use egui::Ui;

use super::jobs::{DeskDone, Outcome, failed};
use super::{App, Banner};
use crate::core::desk::DeskError;
use crate::core::desk::import::ImportError;
use crate::core::desk::opened::Opened;
use crate::core::desk::verify::Verdict;
use crate::core::draft::{Draft, Place};
use crate::core::review::{Message, Verdict as ReviewVerdict};
use crate::core::work::Cancelled;
use crate::gui::desk_screen::{self, BundleView, Busy, DeskForm, DeskView};
use crate::gui::picker::Picked;
use crate::gui::state::{Action, DeskAction, Screen};
use crate::gui::viewer::{ViewerState, viewer_ui};
use crate::jobs::desk::{
    ImportJob, OpenJob, ReviewJob, ReviewRequest, Reviewed, SaveJob, ScanJob, Scanned, VerifyJob,
    start_import, start_open, start_review, start_scan, start_summary, start_verify_all,
    start_xlsx,
};

/// Where the opened bundles' photos and videos are extracted for the previews (in the cache).
const PREVIEW_FOLDER: &str = "desk";
/// Where the desk's Excel table and summary documents go when no dialog can ask: in the data
/// folder — never among the bundles (the intake's store is not ours to write into).
pub(super) const DESK_EXPORT_FOLDER: &str = "收件台导出";

pub(super) enum DeskJob {
    Scan(ScanJob),
    Verify(VerifyJob),
    Open(OpenJob),
    Save(SaveJob, &'static str),
    Import(ImportJob),
    Review(ReviewJob),
}

impl DeskJob {
    /// What it ended with, once it has.
    pub(super) fn poll(&mut self) -> Option<DeskDone> {
        Some(match self {
            Self::Scan(j) => DeskDone::Scanned(j.poll()?.map(|r| r.map(Box::new))),
            Self::Verify(j) => DeskDone::Verified(j.poll()?),
            Self::Open(j) => DeskDone::Opened(j.poll()?.map(|r| r.map(Box::new))),
            Self::Save(j, done) => DeskDone::Saved(done, j.poll()?),
            Self::Import(j) => DeskDone::Imported(j.poll()?.map(|r| r.map(Box::new))),
            Self::Review(j) => DeskDone::Reviewed(j.poll()?.map(Box::new)),
        })
    }

    fn busy(&self) -> Busy {
        let (label, progress, cancellable) = match self {
            Self::Scan(j) => (j.label(), j.progress(), true),
            Self::Verify(j) => (j.label(), j.progress(), true),
            Self::Open(j) => (j.label(), j.progress(), true),
            Self::Save(j, _) => (j.label(), j.progress(), false),
            Self::Import(j) => (j.label(), j.progress(), true),
            Self::Review(j) => (j.label(), j.progress(), true),
        };
        Busy {
            label: label.to_string(),
            progress,
            cancellable,
        }
    }

    /// Closing the window: a job that writes (the Excel table, an imported draft) is given a
    /// moment to end; the others are only told to stop.
    fn finish_within(self, limit: std::time::Duration) {
        match self {
            Self::Save(j, _) => drop(j.finish_within(limit)),
            Self::Import(j) => drop(j.finish_within(limit)),
            Self::Review(j) => drop(j.finish_within(limit)),
            Self::Scan(_) | Self::Verify(_) | Self::Open(_) => {}
        }
    }

    pub(super) fn cancel(&self) {
        match self {
            Self::Scan(j) => j.cancel(),
            Self::Verify(j) => j.cancel(),
            Self::Open(j) => j.cancel(),
            Self::Save(j, _) => j.cancel(),
            Self::Import(j) => j.cancel(),
            Self::Review(j) => j.cancel(),
        }
    }
}

#[derive(Default)]
pub(super) struct DeskState {
    form: DeskForm,
    scanned: Option<Arc<Scanned>>,
    verdicts: HashMap<PathBuf, Verdict>,
    opened: Option<Arc<Opened>>,
    viewer: Option<ViewerState>,
    /// The draft the last import made (offered to open).
    imported: Option<crate::core::draft::DraftId>,
    /// What the desk has published (reviews, reminders), with when each was seen.
    reviews: Vec<(Message, Option<String>)>,
}

impl App {
    /// Coming to the desk: the folder field starts with the folder read last time.
    pub(super) fn desk_entered(&mut self) {
        if self.desk.form.folder.is_empty()
            && let Some(folder) = &self.settings.desk_folder
        {
            self.desk.form.folder = folder.display().to_string();
        }
    }

    /// Closing the window: see [`DeskJob::finish_within`].
    pub(super) fn desk_shutdown(&mut self, limit: std::time::Duration) {
        // (`limit`: what is left of the window's one deadline for closing.)
        if let Some(job) = self.jobs.desk.take() {
            job.finish_within(limit);
        }
    }

    fn desk_busy(&self) -> Option<Busy> {
        self.jobs.desk.as_ref().map(DeskJob::busy)
    }

    /// 收件台 and the bundle opened from it.
    pub(super) fn desk_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let busy = self.desk_busy();
        match (self.screen, self.desk.opened.clone()) {
            (Screen::DeskBundle, Some(opened)) => {
                let imported = self.desk.imported.clone();
                // The unit's line of the table (its versions), borrowed for the frame.
                let scanned = self.desk.scanned.clone();
                let row = scanned.as_ref().and_then(|s| {
                    s.tally.lines().map(|(r, _)| r).find(|r| {
                        r.latest
                            .as_ref()
                            .is_some_and(|l| l.path == opened.bundle.path)
                            || r.earlier.iter().any(|e| e.path == opened.bundle.path)
                    })
                });
                let view = BundleView {
                    opened: &opened,
                    imported: imported.as_ref(),
                    busy,
                    campaign: &self.campaign,
                    reviews: &self.desk.reviews,
                    row,
                };
                desk_screen::bundle_ui(ui, &view, &mut self.desk.form, &mut self.previews, actions);
                if let Some(state) = &mut self.desk.viewer {
                    let list = opened.visual_in_order();
                    viewer_ui(
                        ui.ctx(),
                        state,
                        &list,
                        &opened.files_dir,
                        &mut self.previews,
                        actions,
                    );
                }
            }
            _ => {
                let scanned = self.desk.scanned.clone();
                let view = DeskView {
                    tally: scanned.as_ref().map(|s| &s.tally),
                    read_from: scanned.as_ref().map(|s| s.folder.as_path()),
                    verdicts: &self.desk.verdicts,
                    busy,
                    reviews: &self.desk.reviews,
                };
                desk_screen::desk_ui(ui, &view, &mut self.desk.form, actions);
            }
        }
    }

    /// The desk's viewer closed (its Esc and ✕ are the clerk's viewer's).
    pub(super) fn desk_close_viewer(&mut self) {
        self.desk.viewer = None;
    }

    /// A desk action.
    pub(super) fn apply_desk(&mut self, action: DeskAction) {
        let wake = super::repaint_waker(&self.context);
        match action {
            DeskAction::PickFolder => match self.picker.pick_folder() {
                Picked::Chosen(folder) => {
                    self.desk.form.folder = folder.display().to_string();
                    self.desk_read();
                }
                Picked::Cancelled => {}
                Picked::Unavailable(why) => {
                    tracing::warn!(%why, "no folder dialog");
                    self.banner = Some(Banner::error(
                        "无法打开选择文件夹的对话框，请把文件夹的路径粘贴到上面的框中，再点“读取”。",
                    ));
                }
            },
            DeskAction::Read => self.desk_read(),
            DeskAction::VerifyAll => {
                if self.jobs.desk.is_none()
                    && let Some(scanned) = &self.desk.scanned
                {
                    let bundles = scanned.found.bundles.clone();
                    self.banner = None;
                    self.jobs.desk = Some(DeskJob::Verify(start_verify_all(bundles, wake)));
                }
            }
            DeskAction::ExportXlsx => self.desk_export_xlsx(),
            DeskAction::Cancel => {
                if let Some(job) = &self.jobs.desk {
                    job.cancel();
                }
            }
            DeskAction::Open(path) => {
                if self.jobs.desk.is_none() {
                    self.banner = None;
                    self.desk.imported = None;
                    let files = self.data_root.join("cache").join(PREVIEW_FOLDER);
                    self.jobs.desk = Some(DeskJob::Open(start_open(path.clone(), files, wake)));
                }
            }
            DeskAction::Back => {
                self.desk.viewer = None;
                self.banner = None;
                self.screen = Screen::Desk;
            }
            DeskAction::ExportSummary => self.desk_export_summary(),
            DeskAction::Import => {
                if self.jobs.desk.is_none()
                    && let Some(opened) = &self.desk.opened
                    && let Some(data) = &self.data
                {
                    self.jobs.desk = Some(DeskJob::Import(start_import(
                        opened.bundle.clone(),
                        self.campaign.clone(),
                        data.clone(),
                        wake,
                    )));
                }
            }
            DeskAction::View(path) => {
                if let Some(a) = self.desk.opened.as_ref().and_then(|o| o.visual.get(&path)) {
                    self.desk.viewer = Some(ViewerState::new(Place::General, a.id.clone()));
                }
            }
            DeskAction::OpenImported(id) => {
                self.apply(Action::OpenDraft(id));
            }
            DeskAction::ReviewOpened(verdict) => {
                let Some(opened) = self.desk.opened.clone() else {
                    return;
                };
                let (reason, notes) = match (verdict, self.desk.form.returning.as_ref()) {
                    (ReviewVerdict::Returned, Some(form)) => {
                        (form.reason.clone(), form.notes.clone())
                    }
                    _ => (String::new(), Vec::new()),
                };
                self.desk_review(ReviewRequest::Review {
                    bundles: vec![opened.bundle.clone()],
                    verdict,
                    reason,
                    notes,
                });
            }
            DeskAction::PassSelected => {
                let Some(scanned) = &self.desk.scanned else {
                    return;
                };
                let bundles: Vec<_> = scanned
                    .found
                    .bundles
                    .iter()
                    .filter(|b| self.desk.form.selected.contains(&b.path))
                    .cloned()
                    .collect();
                if !bundles.is_empty() {
                    self.desk_review(ReviewRequest::Review {
                        bundles,
                        verdict: ReviewVerdict::Passed,
                        reason: String::new(),
                        notes: Vec::new(),
                    });
                }
            }
            DeskAction::Remind { units, text } => {
                self.desk_review(ReviewRequest::Remind { units, text });
            }
            DeskAction::RefreshReminders => self.desk_review(ReviewRequest::Refresh),
        }
    }

    /// 导出 Excel…: where the department chooses, or beside the bundles without a dialog.
    fn desk_export_xlsx(&mut self) {
        if self.jobs.desk.is_some() {
            return;
        }
        let wake = super::repaint_waker(&self.context);
        let Some(scanned) = self.desk.scanned.clone() else {
            return;
        };
        let name = format!("{}报送情况汇总.xlsx", self.campaign.year);
        let to = match self.picker.save_document(&name, "xlsx") {
            Picked::Chosen(to) => to,
            Picked::Cancelled => return,
            Picked::Unavailable(why) => {
                tracing::warn!(why, "no save dialog; the table goes to the data folder");
                self.data_root.join(DESK_EXPORT_FOLDER).join(&name)
            }
        };
        self.jobs.desk = Some(DeskJob::Save(
            start_xlsx(scanned.tally.clone(), to, wake),
            "已导出 Excel",
        ));
    }

    /// 导出汇总文档…: the opened bundle's 汇总.html.
    fn desk_export_summary(&mut self) {
        if self.jobs.desk.is_some() {
            return;
        }
        let wake = super::repaint_waker(&self.context);
        let Some(opened) = self.desk.opened.clone() else {
            return;
        };
        let name = format!(
            "汇总-{}.html",
            crate::core::bundle::names::component(&opened.bundle.manifest.unit.name)
        );
        let to = match self.picker.save_document(&name, "html") {
            Picked::Chosen(to) => to,
            Picked::Cancelled => return,
            Picked::Unavailable(why) => {
                tracing::warn!(why, "no save dialog; the summary goes to the data folder");
                self.data_root.join(DESK_EXPORT_FOLDER).join(&name)
            }
        };
        self.jobs.desk = Some(DeskJob::Save(
            start_summary(opened.bundle.clone(), to, wake),
            "已导出汇总文档",
        ));
    }

    fn desk_read(&mut self) {
        let folder = PathBuf::from(self.desk.form.folder.trim());
        if folder.as_os_str().is_empty() || self.jobs.desk.is_some() {
            return;
        }
        self.banner = None;
        if self.settings.desk_folder.as_ref() != Some(&folder) {
            self.settings.desk_folder = Some(folder.clone());
            self.settings_dirty = true;
        }
        let wake = super::repaint_waker(&self.context);
        self.jobs.desk = Some(DeskJob::Scan(start_scan(
            folder,
            self.campaign.clone(),
            self.data_root.clone(),
            wake,
        )));
    }

    /// What the desk's job ended with: into the table, the opened bundle or the banner.
    pub(super) fn desk_done(&mut self, done: DeskDone) {
        match done {
            DeskDone::Scanned(r) => self.desk_scanned(r),
            DeskDone::Verified(r) => self.desk_verified(r),
            DeskDone::Opened(r) => self.desk_opened(r),
            DeskDone::Saved(done, r) => {
                self.banner = Some(match r {
                    Ok(Ok(path)) => Banner::info(format!("{done}：{}", path.display())),
                    Ok(Err(e)) => failed(&e, e.user_message()),
                    Err(lost) => Banner::error(lost.user_message("导出")),
                });
            }
            DeskDone::Imported(r) => self.desk_imported(r),
            DeskDone::Reviewed(r) => self.desk_reviewed(r),
        }
    }

    /// Start sending reviews or reminders, or reading back who has seen them.
    fn desk_review(&mut self, request: ReviewRequest) {
        if self.jobs.desk.is_some() {
            return;
        }
        self.banner = None;
        let wake = super::repaint_waker(&self.context);
        let intake = self.intake().map(|(i, _)| i);
        // A fresh table (not yet given any review) for the job to mark.
        let tally = self.desk.scanned.as_ref().map(|s| s.tally.clone());
        self.jobs.desk = Some(DeskJob::Review(start_review(
            request,
            intake,
            self.data_root.clone(),
            self.campaign.id.clone(),
            self.now(),
            tally,
            wake,
        )));
    }

    fn desk_reviewed(&mut self, result: Outcome<Box<Reviewed>>) {
        let r = match result {
            Ok(r) => *r,
            Err(lost) => {
                self.banner = Some(Banner::error(lost.user_message("发送")));
                return;
            }
        };
        self.desk.reviews = r.messages;
        self.banner = Some(match (&r.error, r.sent) {
            (None, 0) => Banner::info("已查看提醒情况。"),
            (None, n) => Banner::info(format!("已发送 {n} 条，只发给所涉单位。")),
            (Some(e), 0) => Banner::error(format!("没有发送：{e}")),
            (Some(e), n) => Banner::error(format!("已发送 {n} 条，其余没有发送：{e}")),
        });
        if r.sent > 0 {
            self.desk.form.selected.clear();
            self.desk.form.returning = None;
            self.desk.form.remind = None;
        }
        // The table's 审核 column from what was published (worked out by the job).
        if let (Some(scanned), Some(tally)) = (&self.desk.scanned, r.tally) {
            self.desk.scanned = Some(Arc::new(Scanned {
                folder: scanned.folder.clone(),
                found: scanned.found.clone(),
                tally,
                reviews: self.desk.reviews.clone(),
            }));
        }
    }

    fn desk_scanned(&mut self, result: Outcome<Result<Box<Scanned>, DeskError>>) {
        match result {
            Ok(Ok(scanned)) => {
                self.desk.verdicts.clear();
                self.desk.reviews = scanned.reviews.clone();
                // Reminders sent before: who has seen them since, asked of the intake now.
                let reminded = scanned
                    .reviews
                    .iter()
                    .any(|(m, _)| matches!(m.body, crate::core::review::Body::Reminder { .. }));
                self.desk.scanned = Some(Arc::new(*scanned));
                if reminded && self.intake().is_some() {
                    self.desk_review(ReviewRequest::Refresh);
                }
            }
            Ok(Err(DeskError::Cancelled)) => self.banner = Some(Banner::info("已取消读取。")),
            Ok(Err(e)) => self.banner = Some(failed(&e, e.user_message())),
            Err(lost) => self.banner = Some(Banner::error(lost.user_message("读取"))),
        }
    }

    fn desk_opened(&mut self, result: Outcome<Result<Box<Opened>, DeskError>>) {
        match result {
            Ok(Ok(opened)) => {
                self.desk_cache = Some(opened.cache_bytes);
                self.desk
                    .verdicts
                    .insert(opened.bundle.path.clone(), opened.verdict.clone());
                self.desk.opened = Some(Arc::new(*opened));
                self.desk.viewer = None;
                self.screen = Screen::DeskBundle;
            }
            Ok(Err(DeskError::Cancelled)) => self.banner = Some(Banner::info("已取消打开。")),
            Ok(Err(e)) => self.banner = Some(failed(&e, e.user_message())),
            Err(lost) => self.banner = Some(Banner::error(lost.user_message("打开材料包"))),
        }
    }

    fn desk_verified(&mut self, result: Outcome<Result<Vec<(PathBuf, Verdict)>, Cancelled>>) {
        match result {
            Ok(Ok(verdicts)) => {
                let damaged = verdicts.iter().filter(|(_, v)| !v.intact()).count();
                self.banner = Some(if damaged == 0 {
                    Banner::info(format!("核对完毕：{} 个材料包全部完好。", verdicts.len()))
                } else {
                    Banner::error(format!(
                        "核对完毕：{} 个材料包中有 {damaged} 个与清单不符，请打开查看标红的文件。",
                        verdicts.len()
                    ))
                });
                self.desk.verdicts.extend(verdicts);
            }
            Ok(Err(_)) => self.banner = Some(Banner::info("已取消核对。")),
            Err(lost) => self.banner = Some(Banner::error(lost.user_message("核对"))),
        }
    }

    fn desk_imported(&mut self, result: Outcome<Result<Box<Draft>, ImportError>>) {
        match result {
            Ok(Ok(draft)) => {
                self.banner = Some(Banner::info(format!(
                    "已导入为草稿“{}”（{} 项活动），可在草稿列表中打开、修改后重新报送。",
                    draft.display_name(),
                    draft.activity_count()
                )));
                self.desk.imported = Some(draft.id.clone());
                self.list();
            }
            Ok(Err(ImportError::Desk(DeskError::Cancelled))) => {
                self.banner = Some(Banner::info("已取消导入，没有留下不完整的草稿。"));
            }
            Ok(Err(e)) => self.banner = Some(failed(&e, e.user_message())),
            Err(lost) => self.banner = Some(Banner::error(lost.user_message("导入"))),
        }
    }
}

//! The shell's side of 一键报送 and 导出材料包: the jobs started, their progress turned into
//! speed and time left, 暂停 / 取消, and their results put into the draft's status — whether or
//! not the draft is still open when the server answers.
//!
//! The draft is 报送中 (saved so) before the first byte is sent; a window closed mid-upload
//! leaves it 报送中 with its upload state on disk, and 继续报送 resumes from the server's offset.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{App, Banner};
use crate::core::bundle::{self, Built, BundleError};
use crate::core::draft::{Draft, DraftId, Receipt, Status};
use crate::core::submit::{self, SubmitError};
use crate::core::validate::human_bytes;
use crate::gui::picker::Picked;
use crate::gui::state::{Action, Screen};
use crate::gui::submission::Running;
use crate::jobs::submission::{
    CancelJob, ExportJob, ExportRequest, SubmitJob, SubmitRequest, Thumbnails, start_cancel,
    start_export, start_submission,
};
use crate::jobs::{JobLost, JobProgress};

/// Where 导出材料包 puts the bundle when no dialog can ask (inside the data folder).
const EXPORT_FOLDER: &str = "导出的材料包";

/// Why a submission is being stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// 暂停 (or the window closing): keep what the server has.
    Pause,
    /// 取消报送: end the upload on the server too.
    Cancel,
}

pub(super) struct Sending {
    job: SubmitJob,
    sent: Sent,
    rate: Rate,
}

/// What is needed to record how a submission ended.
struct Sent {
    /// The draft as it was handed to the job (its status is set from here when the job ends,
    /// open or not: a 报送中 draft cannot change meanwhile).
    draft: Draft,
    /// Its status before 报送中 (取消 goes back to it).
    before: Status,
    stop: Option<Stop>,
}

pub(super) struct Exporting {
    job: ExportJob,
    draft: DraftId,
    rate: Rate,
}

/// How long closing the window waits for a job that writes or talks to the server.
pub(super) const SHUTDOWN_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) struct Cancelling {
    job: CancelJob,
    draft: DraftId,
}

/// Speed over the last seconds of one stage, from samples of its bytes.
#[derive(Debug, Default)]
pub(super) struct Rate {
    stage: String,
    samples: VecDeque<(Instant, u64)>,
}

impl Rate {
    const WINDOW: Duration = Duration::from_secs(5);
    /// Below this span the speed is not yet said (it would jump about).
    const SETTLED: Duration = Duration::from_millis(800);

    /// One look at the job's progress.
    fn observe(&mut self, at: Instant, p: &JobProgress) {
        // 正在打包“…” / 正在上传 / 等待网络（…）: only the bytes of one kind of stage count.
        let stage: String = p.stage.chars().take(4).collect();
        let went_back = self.samples.back().is_some_and(|&(_, b)| p.done < b);
        if stage != self.stage || went_back {
            self.stage = stage;
            self.samples.clear();
        }
        self.samples.push_back((at, p.done));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|&(t, _)| at.duration_since(t) > Self::WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes a second, once the samples span long enough.
    fn speed(&self) -> Option<f64> {
        let (&(t0, b0), &(t1, b1)) = (self.samples.front()?, self.samples.back()?);
        let span = t1.duration_since(t0);
        (span >= Self::SETTLED && b1 > b0).then(|| (b1 - b0) as f64 / span.as_secs_f64())
    }

    fn running(&self, progress: JobProgress, stopping: bool) -> Running {
        let speed = self.speed();
        let eta = speed
            .filter(|_| progress.total > progress.done)
            .map(|s| Duration::from_secs_f64((progress.total - progress.done) as f64 / s));
        Running {
            progress,
            speed,
            eta,
            stopping,
        }
    }
}

impl App {
    /// What the check page shows of a submission of `id` under way.
    pub(super) fn sending_view(&self, id: &DraftId) -> Option<Running> {
        let s = self.sending.as_ref().filter(|s| &s.sent.draft.id == id)?;
        Some(s.rate.running(s.job.progress(), s.sent.stop.is_some()))
    }

    pub(super) fn exporting_view(&self, id: &DraftId) -> Option<Running> {
        let e = self.exporting.as_ref().filter(|e| &e.draft == id)?;
        Some(e.rate.running(e.job.progress(), e.job.is_cancelled()))
    }

    /// The drafts a submission, an export or a 取消 is working on.
    pub(super) fn sending_drafts(&self) -> Vec<DraftId> {
        let mut ids = Vec::new();
        ids.extend(self.sending.as_ref().map(|s| s.sent.draft.id.clone()));
        ids.extend(self.exporting.as_ref().map(|e| e.draft.clone()));
        ids.extend(self.cancelling.as_ref().map(|c| c.draft.clone()));
        ids
    }

    pub(super) fn sending_idle(&self) -> bool {
        self.sending.is_none() && self.exporting.is_none() && self.cancelling.is_none()
    }

    fn thumbnails(&self) -> Thumbnails {
        Thumbnails {
            cache: self.cache.clone(),
            prober: self.prober.clone(),
        }
    }

    /// The actions of this module; false when the action is another's.
    pub(super) fn apply_sending_action(&mut self, action: &Action) -> bool {
        match action {
            Action::Submit { again } => self.start_submission(*again),
            Action::PauseSubmission => {
                if let Some(s) = &mut self.sending {
                    s.sent.stop = Some(Stop::Pause);
                    s.job.cancel();
                }
            }
            Action::CancelSubmission => self.cancel_submission(),
            Action::ExportBundle => self.export_bundle(),
            Action::CancelExport => {
                if let Some(e) = &self.exporting {
                    e.job.cancel();
                }
            }
            Action::CopyText(text) => {
                if let Some(ctx) = self.context.get() {
                    ctx.copy_text(text.clone());
                }
                self.banner = Some(Banner::info("回执已复制，可以粘贴到微信、邮件或文档中。"));
            }
            _ => return false,
        }
        true
    }

    fn start_submission(&mut self, again: bool) {
        if self.sending.is_some() {
            self.banner = Some(Banner::warning("正在报送，请等待这次报送结束。"));
            return;
        }
        let Some(open) = &self.open else {
            return;
        };
        let id = open.draft.id.clone();
        if self.cancelling.as_ref().is_some_and(|c| c.draft == id) {
            self.banner = Some(Banner::warning("正在取消上次报送，请稍候几秒再报送。"));
            return;
        }
        if self.imports.iter().any(|(_, j)| j.draft() == Some(&id)) {
            self.banner = Some(Banner::error(
                "正在向此草稿添加文件，请等待完成（或点“取消”）后再报送。",
            ));
            return;
        }
        let Some((intake, _)) = self.intake() else {
            self.banner = Some(Banner::error(SubmitError::NoEndpoint.user_message()));
            return;
        };
        let tick = self.ticker.now();
        let Some(open) = &mut self.open else {
            return;
        };
        let snapshot = open.draft.clone();
        let before = snapshot.status.clone();
        // 报送中 left by a closed window, a crash or 暂停: 继续报送 picks it up.
        if before != Status::Submitting {
            let problems = open.form.report.problems.len();
            if let Err(e) = open.draft.start_submitting(problems, again) {
                self.banner = Some(Banner::error(e.user_message()));
                return;
            }
            open.autosave.changed(tick);
        }
        // 报送中 is on disk before the first byte is sent.
        self.flush();
        let before = match before {
            Status::Submitting | Status::Failed { .. } => Status::Ready,
            other => other,
        };
        let request = SubmitRequest {
            campaign: self.campaign.clone(),
            // The status it had: the core refuses to send a confirmed bundle twice unless
            // `again`. The bundle itself never depends on the status.
            draft: snapshot.clone(),
            draft_dir: self.draft_dir(&id),
            intake,
            thumbnails: self.thumbnails(),
            options: self.upload.clone(),
            again,
            clock: self.clock.clone(),
        };
        let job = start_submission(request, super::repaint_waker(&self.context));
        let mut draft = snapshot;
        draft.status = Status::Submitting;
        self.banner = None;
        self.sending = Some(Sending {
            job,
            sent: Sent {
                draft,
                before,
                stop: None,
            },
            rate: Rate::default(),
        });
    }

    fn cancel_submission(&mut self) {
        if let Some(s) = &mut self.sending {
            s.sent.stop = Some(Stop::Cancel);
            s.job.cancel();
            return;
        }
        // 报送中 with nothing running (paused, or left by a closed window): end it now.
        let Some(open) = &self.open else {
            return;
        };
        if open.draft.status != Status::Submitting {
            return;
        }
        let mut draft = open.draft.clone();
        draft.submission_cancelled(Status::Ready);
        self.cancelled(draft);
    }

    /// 取消报送 took effect: the draft back to 已完成待报送 (or 已报送, for a re-send), the
    /// server's partial upload ended on a job of its own.
    fn cancelled(&mut self, draft: Draft) {
        let intake = self.intake().map(|(i, _)| i);
        let dir = self.draft_dir(&draft.id);
        let job = start_cancel(&draft, dir, intake, super::repaint_waker(&self.context));
        self.cancelling = Some(Cancelling {
            job,
            draft: draft.id.clone(),
        });
        self.banner = Some(Banner::info("已取消报送，草稿可以继续修改。").about(&draft.id));
        self.set_status(draft);
    }

    /// The draft's new status, saved: into the open draft if it is this one, else to disk.
    fn set_status(&mut self, draft: Draft) {
        let tick = self.ticker.now();
        if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == draft.id) {
            open.draft.status = draft.status;
            open.autosave.changed(tick);
            self.flush();
        } else {
            self.send(crate::jobs::store::StoreCommand::Save {
                draft: Box::new(draft),
            });
            self.list();
        }
    }

    /// Look at the jobs of this module after each frame.
    pub(super) fn sending_events(&mut self) {
        let now = self.ticker.now();
        if let Some(s) = &mut self.sending {
            s.rate.observe(now, &s.job.progress());
            if let Some(result) = s.job.poll()
                && let Some(s) = self.sending.take()
            {
                self.submission_ended(s.sent, result);
            }
        }
        if let Some(e) = &mut self.exporting {
            e.rate.observe(now, &e.job.progress());
            if let Some(result) = e.job.poll() {
                self.exporting = None;
                self.exported(result);
            }
        }
        if let Some(result) = self.cancelling.as_mut().and_then(|c| c.job.poll()) {
            let id = self.cancelling.take().map(|c| c.draft);
            if let Ok(Err(e)) = result {
                tracing::warn!(error = %e, "could not end the upload on the server");
                let banner = Banner::info(
                    "已取消报送，草稿可以继续修改。服务器上已收到的部分没能删除（网络不通或服务器不支持），不影响下次报送。",
                );
                self.banner = Some(match &id {
                    Some(id) => banner.about(id),
                    None => banner,
                });
            }
        }
    }

    fn submission_ended(
        &mut self,
        sent: Sent,
        result: Result<Result<Receipt, SubmitError>, JobLost>,
    ) {
        let Sent {
            mut draft,
            before,
            stop,
        } = sent;
        let id = draft.id.clone();
        match result {
            Ok(Ok(receipt)) => {
                tracing::info!(reference = %receipt.reference, "submitted");
                draft.submitted(receipt);
                self.banner = None;
                self.set_status(draft);
                if self.open.as_ref().is_some_and(|o| o.draft.id == id) {
                    self.screen = Screen::Receipt;
                } else {
                    self.banner = Some(Banner::info(
                        "报送成功：服务器已确认收到材料包，回执已保存在草稿中。",
                    ));
                }
            }
            Ok(Err(SubmitError::AlreadySent(receipt))) => {
                let message = SubmitError::AlreadySent(receipt).user_message();
                draft.status = before;
                self.banner = Some(Banner::info(message).about(&id));
                self.set_status(draft);
            }
            Ok(Err(e)) if e.is_cancelled() => match stop {
                Some(Stop::Cancel) => {
                    draft.submission_cancelled(before);
                    self.cancelled(draft);
                }
                _ => {
                    self.banner = Some(
                        Banner::info("已暂停报送。已上传的部分保留在服务器上，点“继续报送”会从中断处接着传。")
                            .about(&id),
                    );
                }
            },
            Ok(Err(e)) => {
                tracing::error!(error = %e, "submission failed");
                let message = e.user_message();
                draft.submission_failed(message.clone());
                // The check page says it (上次报送失败); elsewhere the banner does.
                let shown = self.screen == Screen::Check
                    && self.open.as_ref().is_some_and(|o| o.draft.id == id);
                self.banner =
                    (!shown).then(|| Banner::error(format!("报送失败：{message}")).about(&id));
                self.set_status(draft);
            }
            Err(JobLost) => {
                let message = "报送过程中程序出错，报送没有完成。请点“重新报送”；如再出现，请导出诊断信息交给信息技术人员。".to_string();
                draft.submission_failed(message.clone());
                self.banner = Some(Banner::error(message).about(&id));
                self.set_status(draft);
            }
        }
    }

    fn export_bundle(&mut self) {
        if self.exporting.is_some() {
            return;
        }
        let Some(open) = &self.open else {
            return;
        };
        if !open.form.report.is_ready() {
            self.banner = Some(Banner::error(format!(
                "还有 {} 个问题需要修改，暂不能导出材料包。",
                open.form.report.problems.len()
            )));
            return;
        }
        let name = bundle::file_name(&open.draft);
        let to = match self.picker.save_bundle(&name) {
            Picked::Chosen(mut to) => {
                if to.extension().is_none() {
                    to.set_extension("zip");
                }
                to
            }
            Picked::Cancelled => return,
            Picked::Unavailable(why) => {
                tracing::warn!(why, "no file dialog; the bundle goes to the data folder");
                self.data_root.join(EXPORT_FOLDER).join(name)
            }
        };
        let request = ExportRequest {
            campaign: self.campaign.clone(),
            draft: open.draft.clone(),
            draft_dir: self.draft_dir(&open.draft.id),
            to,
            thumbnails: self.thumbnails(),
        };
        let draft = open.draft.id.clone();
        let job = start_export(request, super::repaint_waker(&self.context));
        self.exporting = Some(Exporting {
            job,
            draft,
            rate: Rate::default(),
        });
    }

    fn exported(&mut self, result: Result<Result<Built, BundleError>, JobLost>) {
        self.banner = Some(match result {
            Ok(Ok(built)) => Banner::info(format!(
                "材料包已导出：{}（{}）。可以拷到 U 盘或作为邮件附件报送。",
                built.path.display(),
                human_bytes(built.bytes)
            ))
            .with_button("打开所在文件夹", Action::ShowInFolder(built.path)),
            Ok(Err(BundleError::Cancelled)) => Banner::info("已取消导出，没有留下不完整的文件。"),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "export failed");
                Banner::error(e.user_message())
            }
            Err(JobLost) => Banner::error(
                "导出材料包时程序出错。请重试；如再出现，请导出诊断信息交给信息技术人员。",
            ),
        });
    }

    /// Closing the window: an upload is paused (报送中 stays, 继续报送 resumes next time), an
    /// export stopped; an answer that came meanwhile is still recorded.
    pub(super) fn stop_sending(&mut self) {
        if let Some(Sending { job, mut sent, .. }) = self.sending.take() {
            sent.stop = Some(Stop::Pause);
            job.cancel();
            let result = job.wait();
            self.submission_ended(sent, result);
        }
        if let Some(e) = self.exporting.take() {
            e.job.cancel();
            let _ = e.job.wait();
        }
        // A 取消 under way is given a moment to reach the server.
        if let Some(c) = self.cancelling.take() {
            let _ = c.job.finish_within(SHUTDOWN_LIMIT);
        }
    }

    /// The text and file of the receipt of the open draft, for 报送回执.
    pub(super) fn receipt_of(&self, draft: &Draft) -> Option<(String, PathBuf)> {
        let Status::Submitted { receipt } = &draft.status else {
            return None;
        };
        let text = submit::receipt_text(&self.campaign, draft, receipt);
        let file = submit::submission_dir(&self.draft_dir(&draft.id)).join(submit::RECEIPT_FILE);
        Some((text, file))
    }
}

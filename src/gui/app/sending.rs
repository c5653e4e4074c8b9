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
use crate::core::submit::{self, Ending, Stop, Submission, SubmitError};
use crate::core::units::human_bytes;
use crate::gui::picker::Picked;
use crate::gui::state::{Action, MaterialAction, Screen, SendAction};
use crate::gui::submission::Running;
use crate::jobs::submission::{
    CancelJob, ExportJob, ExportRequest, SubmitJob, SubmitRequest, Thumbnails, start_cancel,
    start_export, start_submission,
};
use crate::jobs::{JobLost, JobProgress};

/// Where 导出材料包 puts the bundle when no dialog can ask (inside the data folder).
const EXPORT_FOLDER: &str = "导出的材料包";

pub(super) struct Sending {
    pub(super) job: SubmitJob,
    pub(super) sent: Sent,
    rate: Rate,
}

impl Sending {
    /// One look at the progress, for the speed.
    pub(super) fn observe(&mut self, now: Instant) {
        self.rate.observe(now, &self.job.progress());
    }
}

/// What is needed to record how a submission ended.
pub(super) struct Sent {
    /// The draft, 报送中, as it was when the job started: its ending is recorded in the open
    /// draft if it is this one, else in this copy (a 报送中 draft cannot change meanwhile).
    pub(super) draft: Draft,
    submission: Submission,
    stop: Option<Stop>,
}

pub(super) struct Exporting {
    pub(super) job: ExportJob,
    pub(super) draft: DraftId,
    rate: Rate,
}

impl Exporting {
    pub(super) fn observe(&mut self, now: Instant) {
        self.rate.observe(now, &self.job.progress());
    }
}

/// How long closing the window waits for a job that writes or talks to the server.
pub(super) const SHUTDOWN_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) struct Cancelling {
    pub(super) job: CancelJob,
    pub(super) draft: DraftId,
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
        let s = self
            .jobs
            .sending
            .as_ref()
            .filter(|s| &s.sent.draft.id == id)?;
        Some(s.rate.running(s.job.progress(), s.sent.stop.is_some()))
    }

    pub(super) fn exporting_view(&self, id: &DraftId) -> Option<Running> {
        let e = self.jobs.exporting.as_ref().filter(|e| &e.draft == id)?;
        Some(e.rate.running(e.job.progress(), e.job.is_cancelled()))
    }

    fn thumbnails(&self) -> Thumbnails {
        Thumbnails {
            cache: self.cache.clone(),
            prober: self.prober.clone(),
        }
    }

    /// 一键报送 and 导出材料包.
    pub(super) fn apply_send(&mut self, action: SendAction) {
        match action {
            SendAction::Submit { again } => self.start_submission(again),
            SendAction::Pause => {
                if let Some(s) = &mut self.jobs.sending {
                    s.sent.stop = Some(Stop::Pause);
                    s.job.cancel();
                }
            }
            SendAction::Cancel => self.cancel_submission(),
            SendAction::RetryNow => {
                if let Some(s) = &self.jobs.sending {
                    s.job.retry_now();
                }
            }
            SendAction::ExportBundle => self.export_bundle(),
            SendAction::CancelExport => {
                if let Some(e) = &self.jobs.exporting {
                    e.job.cancel();
                }
            }
            SendAction::CopyText(text) => {
                if let Some(ctx) = self.context.get() {
                    ctx.copy_text(text);
                }
                self.banner = Some(Banner::info("回执已复制，可以粘贴到微信、邮件或文档中。"));
            }
        }
    }

    fn start_submission(&mut self, again: bool) {
        if self.jobs.sending.is_some() {
            self.banner = Some(Banner::warning("正在报送，请等待这次报送结束。"));
            return;
        }
        let Some(open) = &self.open else {
            return;
        };
        let id = open.draft.id.clone();
        if self.jobs.cancelling.as_ref().is_some_and(|c| c.draft == id) {
            self.banner = Some(Banner::warning("正在取消上次报送，请稍候几秒再报送。"));
            return;
        }
        if self.jobs.importing_into(&id) {
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
        // The status it had goes to the core (a confirmed bundle is not sent twice unless
        // `again`); 报送中 left by a closed window, a crash or 暂停: 继续报送 picks it up.
        let snapshot = open.draft.clone();
        let was_sending = *snapshot.status() == Status::Submitting;
        let problems = open.form.report.problems.len();
        let submission = match Submission::start(&mut open.draft, problems, again) {
            Ok(s) => s,
            Err(e) => {
                self.banner = Some(Banner::error(e.user_message()));
                return;
            }
        };
        if !was_sending {
            open.autosave.changed(tick);
        }
        let sending_copy = open.draft.clone();
        // 报送中 is on disk before the first byte is sent.
        self.flush();
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
        self.banner = None;
        self.jobs.sending = Some(Sending {
            job,
            sent: Sent {
                draft: sending_copy,
                submission,
                stop: None,
            },
            rate: Rate::default(),
        });
    }

    fn cancel_submission(&mut self) {
        if let Some(s) = &mut self.jobs.sending {
            s.sent.stop = Some(Stop::Cancel);
            s.job.cancel();
            return;
        }
        // 报送中 with nothing running (paused, or left by a closed window): end it now.
        let Some(open) = &self.open else {
            return;
        };
        if *open.draft.status() != Status::Submitting {
            return;
        }
        let draft = open.draft.clone();
        self.record_ending(draft, &Submission::resumed(), Ending::Cancelled);
    }

    /// 取消报送 took effect: the server's partial upload ended on a job of its own.
    fn end_on_server(&mut self, draft: &Draft) {
        let intake = self.intake().map(|(i, _)| i);
        let dir = self.draft_dir(&draft.id);
        let job = start_cancel(draft, dir, intake, super::repaint_waker(&self.context));
        self.jobs.cancelling = Some(Cancelling {
            job,
            draft: draft.id.clone(),
        });
        self.banner = Some(Banner::info("已取消报送，草稿可以继续修改。").about(&draft.id));
    }

    /// How a sending ended, recorded through the submission's transition — in the open draft if
    /// it is this one, else in the copy, saved to disk — and, for 取消, ended on the server.
    fn record_ending(&mut self, mut copy: Draft, submission: &Submission, ending: Ending) {
        let tick = self.ticker.now();
        let cancelled = ending == Ending::Cancelled;
        let id = copy.id.clone();
        if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == id) {
            match submission.end(&mut open.draft, ending) {
                Ok(()) => open.autosave.changed(tick),
                Err(e) => {
                    tracing::error!(error = %e, status = ?open.draft.status(), "ending not recorded")
                }
            }
            copy = open.draft.clone();
            self.flush();
        } else {
            match submission.end(&mut copy, ending) {
                Ok(()) => self.send(crate::jobs::store::StoreCommand::Save {
                    draft: Box::new(copy.clone()),
                }),
                Err(e) => {
                    tracing::error!(error = %e, status = ?copy.status(), "ending not recorded")
                }
            }
            self.list();
        }
        if cancelled {
            self.end_on_server(&copy);
        }
    }

    /// 取消报送's call to the server ended: if the partial upload could not be ended there, the
    /// clerk is told it does no harm.
    pub(super) fn cancel_ended(
        &mut self,
        id: &DraftId,
        result: Result<Result<(), crate::core::intake::IntakeError>, JobLost>,
    ) {
        match result {
            Ok(Ok(())) => return,
            Ok(Err(e)) => tracing::warn!(error = %e, "could not end the upload on the server"),
            Err(lost) => {
                self.banner = Some(Banner::error(lost.user_message("取消报送")).about(id));
                return;
            }
        }
        self.banner = Some(
            Banner::info(
                "已取消报送，草稿可以继续修改。服务器上已收到的部分没能删除（网络不通或服务器不支持），不影响下次报送。",
            )
            .about(id),
        );
    }

    pub(super) fn submission_ended(
        &mut self,
        sent: Sent,
        result: Result<Result<Receipt, SubmitError>, JobLost>,
    ) {
        let Sent {
            draft,
            submission,
            stop,
        } = sent;
        let id = draft.id.clone();
        let ending = match result {
            Ok(result) => {
                if let Err(e) = &result
                    && !e.is_cancelled()
                    && !matches!(e, SubmitError::AlreadySent(_))
                {
                    tracing::error!(error = %e, "submission failed");
                }
                if let Err(e @ SubmitError::AlreadySent(_)) = &result {
                    self.banner = Some(Banner::info(e.user_message()).about(&id));
                }
                Submission::ending(result, stop)
            }
            Err(lost) => Ending::Failed(lost.user_message("报送")),
        };
        match &ending {
            Ending::Confirmed(receipt) => {
                tracing::info!(reference = %receipt.reference, "submitted");
                self.banner = None;
            }
            Ending::AlreadySent | Ending::Cancelled => {}
            Ending::Paused => {
                self.banner = Some(
                    Banner::info(
                        "已暂停报送。已上传的部分保留在服务器上，点“继续报送”会从中断处接着传。",
                    )
                    .about(&id),
                );
            }
            Ending::Failed(message) => {
                // The check page says it (上次报送失败); elsewhere the banner does.
                let shown = self.screen == Screen::Check
                    && self.open.as_ref().is_some_and(|o| o.draft.id == id);
                self.banner =
                    (!shown).then(|| Banner::error(format!("报送失败：{message}")).about(&id));
            }
        }
        let confirmed = matches!(ending, Ending::Confirmed(_));
        self.record_ending(draft, &submission, ending);
        if confirmed {
            if self.open.as_ref().is_some_and(|o| o.draft.id == id) {
                self.screen = Screen::Receipt;
            } else {
                self.banner = Some(Banner::info(
                    "报送成功：服务器已确认收到材料包，回执已保存在草稿中。",
                ));
            }
        }
    }

    fn export_bundle(&mut self) {
        if self.jobs.exporting.is_some() {
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
        self.jobs.exporting = Some(Exporting {
            job,
            draft,
            rate: Rate::default(),
        });
    }

    pub(super) fn exported(&mut self, result: Result<Result<Built, BundleError>, JobLost>) {
        self.banner = Some(match result {
            Ok(Ok(built)) => Banner::info(format!(
                "材料包已导出：{}（{}）。可以拷到 U 盘或作为邮件附件报送。",
                built.path.display(),
                human_bytes(built.bytes)
            ))
            .with_button(
                "打开所在文件夹",
                Action::Materials(MaterialAction::ShowInFolder(built.path)),
            ),
            Ok(Err(BundleError::Cancelled)) => Banner::info("已取消导出，没有留下不完整的文件。"),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "export failed");
                Banner::error(e.user_message())
            }
            Err(lost) => Banner::error(lost.user_message("导出材料包")),
        });
    }

    /// Closing the window: an upload is paused (报送中 stays, 继续报送 resumes next time), an
    /// export stopped; an answer that came meanwhile is still recorded.
    pub(super) fn stop_sending(&mut self, deadline: Instant) {
        if let Some(Sending { job, mut sent, .. }) = self.jobs.sending.take() {
            // Paused — unless the clerk had pressed 取消 already: that stays a 取消.
            sent.stop.get_or_insert(Stop::Pause);
            // Not answered within the limit (a request hanging on a dead line): the draft is
            // 报送中 on disk already, and 继续报送 resumes from the server's offset next time.
            if let Some(result) = job.finish_within(super::left_until(deadline)) {
                self.submission_ended(sent, result);
            }
        }
        if let Some(e) = self.jobs.exporting.take() {
            // An unfinished export leaves no bundle (it is written under a temporary name).
            let _ = e.job.finish_within(super::left_until(deadline));
        }
        // A 取消 under way is given what is left of the moment to reach the server.
        if let Some(c) = self.jobs.cancelling.take() {
            let _ = c.job.finish_within(super::left_until(deadline));
        }
    }

    /// The text and file of the receipt of the open draft, for 报送回执.
    pub(super) fn receipt_of(&self, draft: &Draft) -> Option<(String, PathBuf)> {
        let Status::Submitted { receipt } = draft.status() else {
            return None;
        };
        let text = submit::receipt_text(&self.campaign, draft, receipt);
        let file = submit::submission_dir(&self.draft_dir(&draft.id)).join(submit::RECEIPT_FILE);
        Some((text, file))
    }
}

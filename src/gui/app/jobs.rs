//! Every long job the window has running, in one set, polled once a frame: each job that ended
//! comes out as one [`JobDone`], and the shell matches them in one exhaustive `match`
//! ([`App::job_done`](super::App)) — a new kind of job that is not handled does not compile.
//! A job that died (its thread panicked) comes out like any other, as `Err(JobLost)`: cleared
//! from the set and said once, with [`JobLost::user_message`].

use std::path::PathBuf;
use std::time::Instant;

use super::desk::DeskJob;
use super::sending::{Cancelling, Exporting, Sending, Sent};
use super::{App, Banner};
use crate::core::bundle::{Built, BundleError};
use crate::core::desk::DeskError;
use crate::core::desk::import::ImportError;
use crate::core::desk::opened::Opened;
use crate::core::desk::verify::Verdict;
use crate::core::draft::{Draft, DraftId, Place, Receipt};
use crate::core::intake::{IntakeError, Probe};
use crate::core::store::FilesChecked;
use crate::core::submit::SubmitError;
use crate::core::work::Cancelled;
use crate::jobs::JobLost;
use crate::jobs::campaign_edit::{EditorDone, EditorJob};
use crate::jobs::campaigns::{CampaignsLook, CampaignsSeen};
use crate::jobs::connection::ConnectionTest;
use crate::jobs::desk::Scanned;
use crate::jobs::files::{FileCheck, SystemJob, SystemOpenError};
use crate::jobs::import::{ImportJob, ImportOutcome};

/// A job's result, or how it was lost.
pub(super) type Outcome<R> = Result<R, JobLost>;

/// The window's jobs. At most one of each singular kind; imports and system calls side by side.
#[derive(Default)]
pub(super) struct JobSet {
    /// 测试连接.
    pub connection: Option<ConnectionTest>,
    /// Attachments being copied in, and where they go.
    pub imports: Vec<(Place, ImportJob)>,
    /// The check of the open draft's files (检查并提交).
    pub file_check: Option<FileCheck>,
    /// Files and links handed to the system.
    pub system: Vec<SystemJob>,
    /// 一键报送, 导出材料包 and 取消报送's call to the server.
    pub sending: Option<Sending>,
    pub exporting: Option<Exporting>,
    pub cancelling: Option<Cancelling>,
    /// The receiving desk's one job.
    pub desk: Option<DeskJob>,
    /// 市妇联发布的活动, looked at in the background.
    pub campaigns: Option<CampaignsLook>,
    /// 活动编辑's one job (a notice read, a template opened or saved, a publication).
    pub editor: Option<EditorJob>,
}

/// One job that ended, with what it ended with.
pub(super) enum JobDone {
    Connection(Outcome<Result<Probe, IntakeError>>),
    Import(Outcome<ImportOutcome>),
    FileCheck(Outcome<(DraftId, FilesChecked)>),
    System(Outcome<Result<(), SystemOpenError>>),
    Sent(Box<Sent>, Outcome<Result<Receipt, SubmitError>>),
    Exported(Outcome<Result<Built, BundleError>>),
    CancelledOnServer(DraftId, Outcome<Result<(), IntakeError>>),
    Desk(DeskDone),
    Campaigns(Outcome<CampaignsSeen>),
    Editor(Outcome<Box<EditorDone>>),
}

/// The desk's job that ended.
pub(super) enum DeskDone {
    Scanned(Outcome<Result<Box<Scanned>, DeskError>>),
    Verified(Outcome<Result<Vec<(PathBuf, Verdict)>, Cancelled>>),
    Opened(Outcome<Result<Box<Opened>, DeskError>>),
    /// An Excel table or a summary document written; the words that say it was.
    Saved(&'static str, Outcome<Result<PathBuf, DeskError>>),
    Imported(Outcome<Result<Box<Draft>, ImportError>>),
    Reviewed(Outcome<Box<crate::jobs::desk::Reviewed>>),
}

impl JobSet {
    /// Look at every job once (`now`: for the speed of the sending and the export); the ones
    /// that ended are taken out of the set and returned.
    pub fn poll(&mut self, now: Instant) -> Vec<JobDone> {
        let mut done = Vec::new();
        if let Some(r) = self.connection.as_mut().and_then(|j| j.poll()) {
            self.connection = None;
            done.push(JobDone::Connection(r));
        }
        self.imports.retain_mut(|(_, job)| match job.poll() {
            Some(r) => {
                done.push(JobDone::Import(r));
                false
            }
            None => true,
        });
        if let Some(r) = self.file_check.as_mut().and_then(|j| j.poll()) {
            self.file_check = None;
            done.push(JobDone::FileCheck(r));
        }
        self.system.retain_mut(|job| match job.poll() {
            Some(r) => {
                done.push(JobDone::System(r));
                false
            }
            None => true,
        });
        if let Some(s) = &mut self.sending {
            s.observe(now);
            if let Some(r) = s.job.poll()
                && let Some(s) = self.sending.take()
            {
                done.push(JobDone::Sent(Box::new(s.sent), r));
            }
        }
        if let Some(e) = &mut self.exporting {
            e.observe(now);
            if let Some(r) = e.job.poll() {
                self.exporting = None;
                done.push(JobDone::Exported(r));
            }
        }
        if let Some(c) = &mut self.cancelling
            && let Some(r) = c.job.poll()
        {
            let id = c.draft.clone();
            self.cancelling = None;
            done.push(JobDone::CancelledOnServer(id, r));
        }
        if let Some(r) = self.desk.as_mut().and_then(DeskJob::poll) {
            self.desk = None;
            done.push(JobDone::Desk(r));
        }
        if let Some(r) = self.campaigns.as_mut().and_then(|j| j.poll()) {
            self.campaigns = None;
            done.push(JobDone::Campaigns(r));
        }
        if let Some(r) = self.editor.as_mut().and_then(|j| j.poll()) {
            self.editor = None;
            done.push(JobDone::Editor(r.map(Box::new)));
        }
        done
    }

    /// Tell every job to stop (closing the window: all at once, then each is waited for against
    /// one deadline — not one limit after another).
    pub fn cancel_all(&self) {
        let Self {
            connection,
            imports,
            file_check,
            system,
            sending,
            exporting,
            cancelling,
            desk,
            campaigns,
            editor,
        } = self;
        connection.iter().for_each(|j| j.cancel());
        campaigns.iter().for_each(|j| j.cancel());
        // A save or a publication under way is let finish (a file written whole, a request).
        let _ = editor;
        imports.iter().for_each(|(_, j)| j.cancel());
        file_check.iter().for_each(|j| j.cancel());
        system.iter().for_each(|j| j.cancel());
        sending.iter().for_each(|s| s.job.cancel());
        exporting.iter().for_each(|e| e.job.cancel());
        // 取消报送's call to the server is let finish: it ends the upload there.
        let _ = cancelling;
        desk.iter().for_each(DeskJob::cancel);
    }

    /// Nothing running.
    pub fn is_empty(&self) -> bool {
        let Self {
            connection,
            imports,
            file_check,
            system,
            sending,
            exporting,
            cancelling,
            desk,
            campaigns,
            editor,
        } = self;
        connection.is_none()
            && campaigns.is_none()
            && editor.is_none()
            && imports.is_empty()
            && file_check.is_none()
            && system.is_empty()
            && sending.is_none()
            && exporting.is_none()
            && cancelling.is_none()
            && desk.is_none()
    }

    /// The drafts long work is running on (they cannot be deleted meanwhile).
    pub fn busy_drafts(&self) -> Vec<DraftId> {
        let mut ids: Vec<DraftId> = self
            .imports
            .iter()
            .filter_map(|(_, j)| j.draft().cloned())
            .collect();
        ids.extend(self.sending.as_ref().map(|s| s.sent.draft.id.clone()));
        ids.extend(self.exporting.as_ref().map(|e| e.draft.clone()));
        ids.extend(self.cancelling.as_ref().map(|c| c.draft.clone()));
        ids
    }

    /// Any attachment import running into `id`.
    pub fn importing_into(&self, id: &DraftId) -> bool {
        self.imports.iter().any(|(_, j)| j.draft() == Some(id))
    }
}

impl App {
    /// What a job that ended comes to: one arm each, none left out.
    pub(super) fn job_done(&mut self, done: JobDone) {
        match done {
            JobDone::Connection(r) => {
                self.banner = Some(match r {
                    Ok(Ok(p)) => Banner::info(p.user_message()),
                    // Logged with its cause by the job itself (the address it tried).
                    Ok(Err(e)) => Banner::error(e.user_message()),
                    Err(lost) => Banner::error(lost.user_message("测试连接")),
                });
            }
            JobDone::Import(Ok(outcome)) => self.imported(outcome),
            JobDone::Import(Err(lost)) => {
                self.banner = Some(Banner::error(lost.user_message("添加文件")));
            }
            JobDone::FileCheck(r) => self.files_checked(r),
            JobDone::System(Ok(Ok(()))) => {}
            JobDone::System(Ok(Err(e))) => self.banner = Some(failed(&e, e.user_message())),
            JobDone::System(Err(lost)) => {
                self.banner = Some(Banner::error(lost.user_message("打开文件")));
            }
            JobDone::Sent(sent, r) => self.submission_ended(*sent, r),
            JobDone::Exported(r) => self.exported(r),
            JobDone::CancelledOnServer(id, r) => self.cancel_ended(&id, r),
            JobDone::Desk(d) => self.desk_done(d),
            JobDone::Campaigns(r) => self.campaigns_seen(r),
            JobDone::Editor(r) => self.editor_done(r),
        }
    }
}

/// A job's error as the clerk reads it, its technical cause in the log first.
pub(super) fn failed(error: &dyn std::fmt::Display, message: String) -> Banner {
    tracing::warn!(%error, "job failed");
    Banner::error(message)
}

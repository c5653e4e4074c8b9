//! 一键报送, 导出材料包 and 取消报送 as [`Job`]s: each a core function (`core::submit`,
//! `core::bundle`) on a thread of its own, with the window reading its progress and pressing its
//! 取消 flag. 暂停 is that same flag: the upload stops between two reads, its state on disk, and
//! 继续报送 picks it up from the server's offset.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Job, Wake};
use crate::core::bundle::{self, BuildInput, Built, BundleError};
use crate::core::campaign::{Campaign, Intake};
use crate::core::clock::Clock;
use crate::core::draft::{Draft, Receipt};
use crate::core::intake::IntakeError;
use crate::core::intake::upload::UploadOptions;
use crate::core::media::probe::Prober;
use crate::core::media::thumbs::{ThumbnailCache, Thumbnailer};
use crate::core::store::FILES_DIR;
use crate::core::submit::{self, SubmitError, SubmitInput};

/// Thumbnails for the bundle's summary, from the cache (made there when missing).
#[derive(Clone)]
pub struct Thumbnails {
    pub cache: ThumbnailCache,
    pub prober: Option<Prober>,
}

impl Thumbnails {
    fn thumbnailer(&self) -> Thumbnailer {
        Thumbnailer::cached(self.cache.clone(), self.prober.clone())
    }
}

/// What a submission needs; owned, for the job's thread.
pub struct SubmitRequest {
    pub campaign: Arc<Campaign>,
    /// The draft as it is being sent (報送中: it cannot change meanwhile).
    pub draft: Draft,
    /// `drafts/<id>/`.
    pub draft_dir: PathBuf,
    pub intake: Intake,
    pub thumbnails: Thumbnails,
    pub options: UploadOptions,
    /// 仍要重新报送: send even if this bundle was confirmed before.
    pub again: bool,
    pub clock: Arc<dyn Clock>,
}

pub type SubmitJob = Job<Result<Receipt, SubmitError>>;

pub fn start_submission(request: SubmitRequest, wake: Wake) -> SubmitJob {
    let draft = request.draft.id.clone();
    Job::spawn("正在报送", Some(draft), wake, move |work| {
        let thumbnail = request.thumbnails.thumbnailer();
        let now = || request.clock.now();
        let input = SubmitInput {
            campaign: &request.campaign,
            draft: &request.draft,
            draft_dir: &request.draft_dir,
            intake: Some(&request.intake),
            thumbnail: &thumbnail,
            options: request.options.clone(),
            again: request.again,
            now: &now,
        };
        submit::submit(&input, work)
    })
}

/// 导出材料包 to a file the clerk chose.
pub struct ExportRequest {
    pub campaign: Arc<Campaign>,
    pub draft: Draft,
    pub draft_dir: PathBuf,
    pub to: PathBuf,
    pub thumbnails: Thumbnails,
}

pub type ExportJob = Job<Result<Built, BundleError>>;

pub fn start_export(request: ExportRequest, wake: Wake) -> ExportJob {
    let draft = request.draft.id.clone();
    Job::spawn("正在导出材料包", Some(draft), wake, move |work| {
        let thumbnail = request.thumbnails.thumbnailer();
        let files_dir = request.draft_dir.join(FILES_DIR);
        let input = BuildInput {
            campaign: &request.campaign,
            draft: &request.draft,
            files_dir: &files_dir,
            thumbnail: &thumbnail,
        };
        bundle::build(&input, &request.to, work)
    })
}

pub type CancelJob = Job<Result<(), IntakeError>>;

/// 取消报送: the upload ended on the server (tus termination) and its state forgotten.
pub fn start_cancel(
    draft: &Draft,
    draft_dir: PathBuf,
    intake: Option<Intake>,
    wake: Wake,
) -> CancelJob {
    Job::spawn(
        "正在取消报送",
        Some(draft.id.clone()),
        wake,
        move |_work| submit::cancel(&draft_dir, intake.as_ref()),
    )
}

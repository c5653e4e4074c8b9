//! 添加图片/视频/文件 (and `baosong attach`): a batch of files copied into a draft with one
//! progress over all their bytes and one 取消 ([`import_batch`]; the window runs it as a job of
//! its own, never on the store worker: a 2 GB video being copied must not hold up an autosave).
//! Each video (and HEIC photo) is then probed in the limited child process, which also leaves
//! its poster frame in the thumbnail cache.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use super::import::{ImportTarget, import_file};
use crate::campaign::AttachmentRules;
use crate::draft::{Attachment, AttachmentId, DraftId, FileKind, Material, Place};
use crate::media::probe::Prober;
use crate::media::thumbs::{THUMB_SIZE, ThumbnailCache};
use crate::media::{MediaError, display_name};
use crate::work::Work;

/// What to import, and where.
pub struct ImportRequest {
    pub draft: DraftId,
    pub place: Place,
    /// The draft's `files/`.
    pub files_dir: PathBuf,
    /// Each file with the attachment id reserved for it.
    pub sources: Vec<(PathBuf, AttachmentId)>,
    pub rules: AttachmentRules,
    /// The hashes already in the draft, with where (“一是 加强理论武装 · 活动1”).
    pub known: Vec<(String, String)>,
    pub prober: Option<Prober>,
    pub cache: ThumbnailCache,
    pub now: DateTime<FixedOffset>,
}

/// How the batch ended.
#[derive(Debug)]
pub struct ImportOutcome {
    pub draft: DraftId,
    pub place: Place,
    pub added: Vec<Attachment>,
    /// One Chinese message per file that was not attached.
    pub refused: Vec<String>,
    /// How many of those were already in the draft (not added twice).
    pub duplicates: usize,
    pub cancelled: bool,
}

/// Progress of one file reported as progress of the whole batch.
struct Batch<'a> {
    work: &'a dyn Work,
    before: u64,
    total: u64,
}

impl Work for Batch<'_> {
    fn progress(&self, stage: &str, done: u64, _total: u64) {
        self.work.progress(
            stage,
            self.before + done,
            self.total.max(self.before + done),
        );
    }

    fn should_stop(&self) -> bool {
        self.work.should_stop()
    }
}

/// The batch, on the caller's thread (the window's job's, or `baosong attach`'s).
pub fn import_batch(request: ImportRequest, work: &dyn Work) -> ImportOutcome {
    let ImportRequest {
        draft,
        place,
        files_dir,
        sources,
        rules,
        mut known,
        prober,
        cache,
        now,
    } = request;
    let sizes: Vec<u64> = sources
        .iter()
        .map(|(p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .collect();
    let total: u64 = sizes.iter().sum();
    let mut outcome = ImportOutcome {
        draft,
        place,
        added: Vec::new(),
        refused: Vec::new(),
        duplicates: 0,
        cancelled: false,
    };
    let mut before = 0u64;
    for ((source, id), size) in sources.into_iter().zip(sizes) {
        if work.should_stop() {
            outcome.cancelled = true;
            break;
        }
        let batch = Batch {
            work,
            before,
            total,
        };
        let already = |sha: &str| {
            known
                .iter()
                .find(|(k, _)| k == sha)
                .map(|(_, place)| place.clone())
        };
        let target = ImportTarget {
            files_dir: &files_dir,
            rules: &rules,
            already: &already,
        };
        match import_file(&source, id, &target, &batch, now) {
            Ok(mut attachment) => {
                if let Some(prober) = &prober {
                    probe(&mut attachment, &files_dir, prober, &cache, work);
                }
                if let Some(f) = attachment.file() {
                    known.push((f.sha256.clone(), format!("本次添加的“{}”", f.original_name)));
                }
                tracing::info!(file = %display_name(&source), "attached");
                outcome.added.push(attachment);
            }
            Err(MediaError::Cancelled) => {
                outcome.cancelled = true;
                break;
            }
            Err(e) => {
                tracing::warn!(file = %source.display(), error = %e, "not attached");
                if matches!(e, MediaError::Duplicate { .. }) {
                    outcome.duplicates += 1;
                }
                outcome.refused.push(e.user_message());
            }
        }
        before += size;
    }
    outcome
}

/// Videos and HEIC photos: metadata and the poster/preview from the limited child process.
fn probe(
    attachment: &mut Attachment,
    files_dir: &std::path::Path,
    prober: &Prober,
    cache: &ThumbnailCache,
    work: &dyn Work,
) {
    let Material::File(file) = &mut attachment.material else {
        return;
    };
    let needs =
        file.kind == Some(FileKind::Video) || matches!(file.format.as_str(), "heic" | "heif");
    if !needs {
        return;
    }
    work.progress(&format!("正在读取“{}”的信息", file.original_name), 0, 0);
    let stored = files_dir.join(&file.stored_name);
    let tmp = cache.path(&file.sha256).with_extension("probe.png");
    if let Some(dir) = tmp.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match prober.inspect(&stored, Some((&tmp, THUMB_SIZE))) {
        Ok(inspection) => {
            file.info = inspection.info;
            // The poster becomes the cached thumbnail.
            if tmp.is_file() {
                let _ = std::fs::rename(&tmp, cache.path(&file.sha256));
            }
        }
        Err(e) => {
            tracing::warn!(file = %stored.display(), error = %e, "probe failed");
            file.info.warning = Some(e.user_message());
        }
    }
    let _ = std::fs::remove_file(&tmp);
}

//! The receiving desk's long work as [`Job`]s: reading a folder of bundles (manifests only),
//! checking them all, opening one (checked, its photos and videos extracted under names of our
//! own for the previews), the Excel table, the summary document, the import as a draft.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Job, Wake};
use crate::core::bundle::SUMMARY_HTML;
use crate::core::campaign::Campaign;
use crate::core::clock::Clock;
use crate::core::desk::tally::{self, Found, Tally};
use crate::core::desk::verify::{self, FileState, Verdict};
use crate::core::desk::{Bundle, import, xlsx};
use crate::core::draft::{Attachment, AttachmentId, Draft, FileKind, Material, StoredFile};
use crate::core::store::DataDir;
use crate::core::store::atomic::{AtomicFile, write_atomic};
use crate::core::work::Cancelled;

/// A folder read.
pub struct Scanned {
    pub folder: PathBuf,
    pub found: Found,
    pub tally: Tally,
}

pub type ScanJob = Job<Result<Scanned, String>>;

pub fn start_scan(folder: PathBuf, campaign: Arc<Campaign>, wake: Wake) -> ScanJob {
    Job::spawn("正在读取材料包", None, wake, move |work| {
        let found = tally::scan(&folder, work).map_err(|e| said(&e, e.user_message()))?;
        let tally = tally::tally(&campaign, &found);
        Ok(Scanned {
            folder,
            found,
            tally,
        })
    })
}

pub type VerifyJob = Job<Result<Vec<(PathBuf, Verdict)>, Cancelled>>;

/// 核对全部材料包.
pub fn start_verify_all(bundles: Vec<Bundle>, wake: Wake) -> VerifyJob {
    Job::spawn("正在核对材料包", None, wake, move |work| {
        let refs: Vec<&Bundle> = bundles.iter().collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let verdicts = verify::verify_all(&refs, threads, work)?;
        Ok(bundles
            .iter()
            .map(|b| b.path.clone())
            .zip(verdicts)
            .collect())
    })
}

/// One bundle opened read-only.
pub struct Opened {
    pub bundle: Bundle,
    pub verdict: Verdict,
    /// Its intact photos and videos as attachments whose copies are in `files_dir` (named by
    /// their sha256), for the thumbnails and the viewer; by their path in the zip.
    pub visual: HashMap<String, Attachment>,
    pub files_dir: PathBuf,
}

impl Opened {
    /// The photos and videos in the manifest's order (the viewer steps through them).
    pub fn visual_in_order(&self) -> Vec<Attachment> {
        self.bundle
            .listed()
            .iter()
            .filter_map(|l| self.visual.get(l.path).cloned())
            .collect()
    }
}

pub type OpenJob = Job<Result<Opened, String>>;

/// Open, check and extract the previewable files of the bundle at `path` into `files_dir`.
pub fn start_open(path: PathBuf, files_dir: PathBuf, wake: Wake) -> OpenJob {
    Job::spawn("正在打开材料包", None, wake, move |work| {
        let bundle = Bundle::open(&path).map_err(|e| said(&e, e.user_message()))?;
        let verdict = verify::verify(&bundle, work).map_err(|_| "已取消。".to_string())?;
        std::fs::create_dir_all(&files_dir).map_err(|e| preview_error(&files_dir, &e))?;
        let mut visual = HashMap::new();
        for (n, listed) in bundle.listed().iter().enumerate() {
            let kind = match listed.attachment.kind.as_str() {
                "photo" => FileKind::Photo,
                "video" => FileKind::Video,
                _ => continue,
            };
            if verdict.state_of(listed.path) != Some(&FileState::Intact) {
                continue;
            }
            // Named by us: the content's hash and an extension of letters and digits only.
            let format = listed
                .attachment
                .format
                .clone()
                .filter(|f| {
                    !f.is_empty() && f.len() <= 5 && f.bytes().all(|b| b.is_ascii_alphanumeric())
                })
                .unwrap_or_else(|| "bin".into());
            let stored_name = format!("{}.{format}", listed.sha256);
            let target = files_dir.join(&stored_name);
            let have = std::fs::metadata(&target).map(|m| m.len()).ok();
            if have != Some(listed.bytes) {
                let cannot = |e: std::io::Error| preview_error(&target, &e);
                let mut file = AtomicFile::create(&target).map_err(cannot)?;
                if bundle
                    .copy_to(listed.path, listed.bytes, &mut file, work)
                    .is_err()
                {
                    continue;
                }
                file.commit().map_err(cannot)?;
            }
            let a = listed.attachment;
            visual.insert(
                listed.path.to_string(),
                Attachment {
                    id: AttachmentId::from(format!("b{n}")),
                    caption: a.caption.clone(),
                    added_at: bundle.manifest.draft.updated_at,
                    material: Material::File(StoredFile {
                        kind: Some(kind),
                        format,
                        original_name: a.original_name.clone().unwrap_or_default(),
                        stored_name,
                        bytes: listed.bytes,
                        sha256: listed.sha256.to_string(),
                        modified_ms: 0,
                        location_removed: a.location_removed,
                        location_kept: false,
                        info: a.info.clone().unwrap_or_default(),
                    }),
                },
            );
        }
        Ok(Opened {
            bundle,
            verdict,
            visual,
            files_dir,
        })
    })
}

fn preview_error(path: &std::path::Path, e: &std::io::Error) -> String {
    format!(
        "无法在“{}”写入预览文件：{}。请检查磁盘空间后重试。",
        path.display(),
        crate::core::error::io_reason(e)
    )
}

/// The largest summary document taken out of a bundle.
const MAX_SUMMARY: u64 = 64 << 20;

pub type SaveJob = Job<Result<PathBuf, String>>;

/// 导出 Excel.
pub fn start_xlsx(tally: Tally, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出 Excel", None, wake, move |_| {
        xlsx::write(&tally, &to)
            .map(|()| to)
            .map_err(|e| said(&e, e.user_message()))
    })
}

/// 导出汇总文档: the bundle's own summary (汇总.html), for printing.
pub fn start_summary(bundle: Bundle, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出汇总文档", None, wake, move |_| {
        let html = read_summary(&bundle)?;
        write_atomic(&to, &html).map_err(|e| {
            format!(
                "无法保存“{}”：{}",
                to.display(),
                crate::core::error::io_reason(&e)
            )
        })?;
        Ok(to)
    })
}

/// The summary document, at most [`MAX_SUMMARY`].
fn read_summary(bundle: &Bundle) -> Result<Vec<u8>, String> {
    let unreadable = |detail: String| {
        crate::core::desk::DeskError::NotZip {
            path: bundle.path.clone(),
            detail,
        }
        .user_message()
    };
    let file = std::fs::File::open(&bundle.path).map_err(|source| {
        crate::core::desk::DeskError::Io {
            path: bundle.path.clone(),
            source,
        }
        .user_message()
    })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(e.to_string()))?;
    let mut entry = zip
        .by_name(SUMMARY_HTML)
        .map_err(|_| "材料包中没有汇总文档（汇总.html）。".to_string())?;
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, MAX_SUMMARY), &mut out)
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(out)
}

pub type ImportJob = Job<Result<Draft, String>>;

/// 导入为草稿.
pub fn start_import(
    bundle: Bundle,
    campaign: Arc<Campaign>,
    data_root: PathBuf,
    clock: Arc<dyn Clock>,
    wake: Wake,
) -> ImportJob {
    Job::spawn("正在导入为草稿", None, wake, move |work| {
        let data = DataDir::open(&data_root, clock).map_err(|e| said(&e, e.user_message()))?;
        import::import(&bundle, &campaign, &data, work).map_err(|e| said(&e, e.user_message()))
    })
}

/// A desk failure in the clerk's words, its technical cause in the log first.
fn said(e: &dyn std::fmt::Display, message: String) -> String {
    tracing::warn!(error = %e, "desk job failed");
    message
}

//! One bundle opened at the desk to be looked at: checked file by file against its manifest,
//! its intact photos and videos extracted under names of our own (their sha256 and a short
//! extension of letters and digits — never the entry's name) for the thumbnails and the viewer,
//! and its summary document read for 导出汇总文档.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::verify::{self, FileState, Verdict};
use super::{Bundle, DeskError};
use crate::bundle::SUMMARY_HTML;
use crate::draft::{Attachment, AttachmentId, FileKind, Material, StoredFile};
use crate::store::atomic::AtomicFile;
use crate::work::Work;

/// One bundle opened read-only.
#[derive(Debug)]
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

/// Open, check and extract the previewable files of the bundle at `path` into `files_dir`.
/// A file that does not match its manifest is not extracted (the verdict marks it).
pub fn open_for_viewing(
    path: &Path,
    files_dir: &Path,
    work: &dyn Work,
) -> Result<Opened, DeskError> {
    let bundle = Bundle::open(path)?;
    let verdict = verify::verify(&bundle, work).map_err(|_| DeskError::Cancelled)?;
    let cannot = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeskError::Write { path, source }
    };
    std::fs::create_dir_all(files_dir).map_err(cannot(files_dir))?;
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
            let mut file = AtomicFile::create(&target).map_err(cannot(&target))?;
            if bundle
                .copy_to(listed.path, listed.bytes, &mut file, work)
                .is_err()
            {
                continue;
            }
            file.commit().map_err(cannot(&target))?;
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
        files_dir: files_dir.to_path_buf(),
    })
}

/// The largest summary document taken out of a bundle.
const MAX_SUMMARY: u64 = 64 << 20;

/// The bundle's summary document (汇总.html), at most [`MAX_SUMMARY`] bytes.
pub fn read_summary(bundle: &Bundle) -> Result<Vec<u8>, DeskError> {
    let unreadable = |detail: String| DeskError::NotZip {
        path: bundle.path.clone(),
        detail,
    };
    let file = std::fs::File::open(&bundle.path).map_err(|source| DeskError::Io {
        path: bundle.path.clone(),
        source,
    })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(e.to_string()))?;
    let mut entry = zip
        .by_name(SUMMARY_HTML)
        .map_err(|_| DeskError::NoSummary {
            path: bundle.path.clone(),
        })?;
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, MAX_SUMMARY), &mut out)
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(out)
}

/// 导出汇总文档: the bundle's summary written, atomically, to `to`.
pub fn export_summary(bundle: &Bundle, to: &Path) -> Result<(), DeskError> {
    let html = read_summary(bundle)?;
    crate::store::atomic::write_atomic(to, &html).map_err(|source| DeskError::Write {
        path: to.to_path_buf(),
        source,
    })
}

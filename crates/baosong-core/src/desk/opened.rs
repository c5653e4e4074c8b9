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
    /// What the desk's cache holds after this bundle was opened (shown in 设置与帮助).
    pub cache_bytes: u64,
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

/// The most the desk keeps of photos and videos taken out of opened bundles (in the data
/// folder's `cache\desk`): past it, the files looked at longest ago go (41 units' 1 GB videos
/// once filled C:). The bundle being opened keeps all of its own, whatever their size.
pub const CACHE_LIMIT: u64 = 2 << 30;

/// Keep `dir` under `limit` bytes: the files used longest ago (by their modification time,
/// renewed at each use) are deleted first; the files named in `keep` stay. Returns the bytes left.
pub fn trim_cache(dir: &Path, keep: &std::collections::HashSet<String>, limit: u64) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            let name = e.file_name().to_string_lossy().into_owned();
            Some((
                m.modified().unwrap_or(std::time::UNIX_EPOCH),
                m.len(),
                e.path(),
                keep.contains(&name),
            ))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort_by_key(|f| f.0);
    for (_, bytes, path, kept) in files {
        if total <= limit {
            break;
        }
        if !kept && std::fs::remove_file(&path).is_ok() {
            total -= bytes;
        }
    }
    total
}

/// How many bytes the desk's cache holds.
pub fn cache_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok().filter(std::fs::Metadata::is_file))
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Open, check and extract the previewable files of the bundle at `path` into `files_dir`.
/// A file that does not match its manifest is not extracted (the verdict marks it). The cache
/// is then kept under [`CACHE_LIMIT`] ([`trim_cache`]).
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
        if have == Some(listed.bytes) {
            // Used now: the last to go when the cache is trimmed.
            if let Ok(f) = std::fs::File::options().write(true).open(&target) {
                let _ = f.set_modified(std::time::SystemTime::now());
            }
        } else {
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
    let mine: std::collections::HashSet<String> = visual
        .values()
        .filter_map(|a| a.file().map(|f| f.stored_name.clone()))
        .collect();
    let cache_bytes = trim_cache(files_dir, &mine, CACHE_LIMIT);
    Ok(Opened {
        bundle,
        verdict,
        visual,
        files_dir: files_dir.to_path_buf(),
        cache_bytes,
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

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[test]
    fn the_cache_keeps_under_its_limit_dropping_what_was_looked_at_longest_ago() {
        let dir = tempfile::tempdir().unwrap();
        let at = |secs: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        for (name, when) in [
            ("old.mp4", 1),
            ("mid.jpg", 2),
            ("new.mp4", 3),
            ("open.mp4", 0),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![0u8; 1000]).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(at(when))
                .unwrap();
        }
        let keep: std::collections::HashSet<String> = ["open.mp4".to_string()].into();
        // 4000 bytes, limit 2500: the two looked at longest ago go, the open bundle's stays
        // although it is the oldest of all.
        assert_eq!(trim_cache(dir.path(), &keep, 2500), 2000);
        let left: std::collections::BTreeSet<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["new.mp4", "open.mp4"].map(String::from).into());
        assert_eq!(cache_bytes(dir.path()), 2000);
        // What is kept may be over the limit alone: nothing of it is deleted.
        assert_eq!(trim_cache(dir.path(), &keep, 10), 1000);
        assert!(dir.path().join("open.mp4").exists());
    }
}

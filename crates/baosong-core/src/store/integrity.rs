//! Is an attachment's copy in `files/` still what was attached? Its size and time, and — only
//! when the time differs — its content, hashed; a copy found the same under a new time gives the
//! time to record.

use std::path::Path;
use std::time::SystemTime;

use super::FILES_DIR;
use crate::draft::{AttachmentId, Draft, StoredFile};
use crate::validate::{FileProblem, FileProblems};
use crate::work::{Cancelled, Work};

/// Is an attachment's copy still what was attached?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyState {
    /// Its size and time as recorded.
    Same,
    /// Only its time changed (a draft folder copied to another PC gets new times) and its
    /// content is the same (hashed): the time to record instead, so it is not hashed again.
    SameContent { modified_ms: i64 },
    /// Gone, or another file.
    Problem(FileProblem),
}

/// The one check of a copy against its record (检查并提交, the bundle, the CLI): gone, or of
/// another size, or — when the modification time differs — of another content (then, and only
/// then, the file is hashed, stopping when `work` asks).
pub fn copy_state(path: &Path, file: &StoredFile, work: &dyn Work) -> Result<CopyState, Cancelled> {
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        _ => return Ok(CopyState::Problem(FileProblem::Missing)),
    };
    if meta.len() != file.bytes {
        return Ok(CopyState::Problem(FileProblem::Changed));
    }
    let time = meta.modified().ok().map(modified_ms);
    if time == Some(file.modified_ms) {
        return Ok(CopyState::Same);
    }
    work.progress(&format!("正在核对“{}”", file.original_name), 0, file.bytes);
    Ok(match crate::hashing::sha256_file(path, work)? {
        Some(hash) if hash == file.sha256 => match time {
            Some(modified_ms) => CopyState::SameContent { modified_ms },
            None => CopyState::Same,
        },
        _ => CopyState::Problem(FileProblem::Changed),
    })
}

/// What a check of a draft's copies found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesChecked {
    pub problems: FileProblems,
    /// Copies whose time changed but content did not: the times to record (see
    /// [`Draft::refresh_file_times`]).
    pub refreshed: Vec<(AttachmentId, i64)>,
    /// Stopped on request before every copy was looked at.
    pub cancelled: bool,
}

/// Which attachments' copies in `<folder>/files/` are not as recorded ([`copy_state`] of each).
pub fn check_files_with(folder: &Path, draft: &Draft, work: &dyn Work) -> FilesChecked {
    let files = folder.join(FILES_DIR);
    let mut out = FilesChecked::default();
    for (_, attachment) in draft.all_attachments() {
        let Some(file) = attachment.file() else {
            continue;
        };
        match copy_state(&files.join(&file.stored_name), file, work) {
            Ok(CopyState::Same) => {}
            Ok(CopyState::SameContent { modified_ms }) => {
                out.refreshed.push((attachment.id.clone(), modified_ms));
            }
            Ok(CopyState::Problem(p)) => {
                out.problems.insert(attachment.id.clone(), p);
            }
            Err(Cancelled) => {
                out.cancelled = true;
                break;
            }
        }
    }
    out
}

/// [`check_files_with`], unwatched: the problems only.
pub fn check_files(folder: &Path, draft: &Draft) -> FileProblems {
    check_files_with(folder, draft, &crate::work::Unwatched).problems
}

/// The sha256 of a file, lowercase hex; `None` if it cannot be read.
pub fn sha256_of(path: &Path) -> Option<String> {
    crate::hashing::sha256_file(path, &crate::work::Unwatched)
        .ok()
        .flatten()
}

/// A file time as recorded in a draft: milliseconds since 1970.
pub fn modified_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// How old a file in `files/` that no attachment names must be before it is removed: a younger
/// one may belong to an import still running (its record is saved when the import ends).
pub const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Remove the files in `<folder>/files/` that no attachment of `draft` names (removed ones
/// included: they can be restored) and that are [`ORPHAN_AGE`] old: left by an import or a
/// `baosong attach` killed after its copy was made but before the draft was saved. Returns how
/// many were removed.
pub fn remove_orphans(folder: &Path, draft: &Draft) -> usize {
    let named: std::collections::HashSet<&str> = draft
        .all_attachments()
        .map(|(_, a)| a)
        .chain(draft.removed.iter().map(|r| &r.attachment))
        .filter_map(|a| a.file().map(|f| f.stored_name.as_str()))
        .collect();
    let Ok(entries) = std::fs::read_dir(folder.join(FILES_DIR)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age >= ORPHAN_AGE);
        if old && !named.contains(name) && !name.starts_with('.') {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::info!(file = %entry.path().display(), "orphan copy removed");
                    removed += 1;
                }
                Err(e) => {
                    tracing::warn!(file = %entry.path().display(), error = %e, "orphan copy not removed")
                }
            }
        }
    }
    removed
}

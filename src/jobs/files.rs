//! Small jobs on a draft's files that must not run on the UI thread: checking that every
//! attachment's copy is still as recorded (检查并提交), and handing a file or a link to the
//! system (打开, 所在文件夹), which may take a moment on a slow disk or a network drive.

use std::path::PathBuf;

use super::{Job, Wake};
use crate::core::draft::{Draft, DraftId};
use crate::core::store::FilesChecked;

/// The copies of a draft's attachments that are gone or changed, and the times to refresh.
pub type FileCheck = Job<(DraftId, FilesChecked)>;

/// Stops when let go of (a newer check replaces it, the draft is closed).
pub fn check_files(draft: Draft, folder: PathBuf, wake: Wake) -> FileCheck {
    let id = draft.id.clone();
    Job::spawn(
        "正在检查文件…",
        Some(id.clone()),
        wake,
        move |work| {
            (
                id,
                crate::core::store::check_files_with(&folder, &draft, work),
            )
        },
    )
}

/// What to hand to the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemOpen {
    /// Open with the default program (a file, or a link in the browser).
    Open(String),
    /// Show the file in its folder (Explorer, the file manager).
    Reveal(PathBuf),
}

/// The system could not open it (no program for the file, no file manager).
#[derive(Debug, thiserror::Error)]
#[error("the system could not open {what:?}: {source}")]
pub struct SystemOpenError {
    pub what: SystemOpen,
    pub source: opener::OpenError,
}

impl SystemOpenError {
    pub fn user_message(&self) -> String {
        match self.what {
            SystemOpen::Open(_) => {
                "系统无法打开它：没有找到能打开这种文件的程序。文件仍在草稿中，会随材料报送。"
                    .to_string()
            }
            SystemOpen::Reveal(_) => "无法打开文件所在的文件夹。".to_string(),
        }
    }
}

/// The system's answer.
pub type SystemJob = Job<Result<(), SystemOpenError>>;

pub fn open_with_system(what: SystemOpen, wake: Wake) -> SystemJob {
    Job::spawn("正在打开…", None, wake, move |_| {
        let result = match &what {
            SystemOpen::Open(target) => opener::open(target),
            SystemOpen::Reveal(path) => opener::reveal(path),
        };
        result.map_err(|source| SystemOpenError { what, source })
    })
}

//! A draft that cannot be read is moved aside to `quarantine/<id>~<time>/`, with a note saying
//! why (`quarantine.json`); the other drafts still load.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::{DataDir, QUARANTINE_NOTE, unique_path};
use crate::error::DraftDefect;

/// A draft moved aside because it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineNote {
    pub id: String,
    /// Chinese: what happened.
    pub reason: String,
    /// Technical detail, for IT staff.
    pub detail: String,
    pub at: DateTime<FixedOffset>,
    /// Where the files are now.
    #[serde(default)]
    pub folder: PathBuf,
}

impl QuarantineNote {
    pub fn user_message(&self) -> String {
        format!(
            "草稿“{}”无法读取：{}。原文件已移至“{}”，其他草稿不受影响；如需找回，请把该文件夹交给信息技术人员。",
            self.id,
            self.reason,
            self.folder.display()
        )
    }
}

impl DataDir {
    /// Move an unreadable draft's folder aside, with a note saying why.
    pub(super) fn quarantine(&self, id: &str, dir: &Path, defect: &DraftDefect) -> QuarantineNote {
        let now = self.now();
        let target = unique_path(&self.root.join("quarantine"), &self.stamped(id));
        let folder = match std::fs::rename(dir, &target) {
            Ok(()) => target,
            Err(e) => {
                tracing::error!(id, error = %e, "could not move the unreadable draft aside");
                dir.to_path_buf()
            }
        };
        let note = QuarantineNote {
            id: id.to_string(),
            reason: defect.user_message(),
            detail: defect.to_string(),
            at: now,
            folder: folder.clone(),
        };
        if let Ok(json) = serde_json::to_vec_pretty(&note) {
            let _ = write_atomic(&folder.join(QUARANTINE_NOTE), &json);
        }
        note
    }
}

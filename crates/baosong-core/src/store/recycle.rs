//! 删除 moves a draft's folder to `recycle/<id>~<time>/`; 恢复 moves it back.

use std::path::Path;

use chrono::{DateTime, FixedOffset};

use super::listing::{DraftSummary, subfolders};
use super::{DRAFT_FILE, DRAFTS_DIR, DataDir, FOLDER_STAMP, read_draft_file, unique_path};
use crate::campaign::Campaign;
use crate::draft::{Draft, DraftId};
use crate::error::CoreError;
use crate::ids::RecycledName;

/// A draft in the recycle area.
#[derive(Debug, Clone, PartialEq)]
pub struct RecycledDraft {
    /// The folder name under `recycle/`; what [`DataDir::restore`] takes.
    pub name: RecycledName,
    /// When it was deleted (from the folder's name).
    pub deleted_at: Option<DateTime<FixedOffset>>,
    pub summary: Option<DraftSummary>,
}

impl DataDir {
    /// 删除: move the draft's folder to the recycle area.
    pub fn delete(&self, id: &DraftId) -> Result<RecycledDraft, CoreError> {
        let dir = self.draft_dir(id);
        if !dir.is_dir() {
            return Err(CoreError::DraftNotFound {
                query: id.to_string(),
                data_dir: self.root.clone(),
            });
        }
        let target = unique_path(&self.root.join("recycle"), &self.stamped(id.as_str()));
        std::fs::rename(&dir, &target).map_err(|e| CoreError::io("move", &dir, e))?;
        let _ = crate::platform::sync_dir(&self.root.join(DRAFTS_DIR));
        Ok(recycled_at(&target, None, self.now().offset()))
    }

    /// The recycle area, most recently deleted first.
    pub fn recycled(&self, campaign: Option<&Campaign>) -> Vec<RecycledDraft> {
        let offset = *self.now().offset();
        let mut all: Vec<RecycledDraft> = subfolders(&self.root.join("recycle"))
            .into_iter()
            .map(|(_, dir)| recycled_at(&dir, campaign, &offset))
            .collect();
        all.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at).then(b.name.cmp(&a.name)));
        all
    }

    /// 恢复: move a recycled draft back (under a new id if its old one was taken meanwhile).
    pub fn restore(&self, name: &RecycledName) -> Result<Draft, CoreError> {
        let from = self.root.join("recycle").join(name.as_str());
        let mut draft = read_draft_file(&from.join(DRAFT_FILE)).map_err(|defect| {
            CoreError::DraftUnreadable {
                path: from.join(DRAFT_FILE),
                defect,
            }
        })?;
        if self.draft_dir(&draft.id).exists() {
            draft.id = self.new_id(self.now());
        }
        let to = self.draft_dir(&draft.id);
        std::fs::rename(&from, &to).map_err(|e| CoreError::io("move", &from, e))?;
        self.save(&draft)?;
        Ok(draft)
    }
}

fn recycled_at(dir: &Path, campaign: Option<&Campaign>, offset: &FixedOffset) -> RecycledDraft {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `<id>~20240301-100000`, perhaps with `-2` after it when two were deleted in one second.
    let deleted_at = name.rsplit_once('~').and_then(|(_, stamp)| {
        let stamp = stamp.get(..15)?;
        let naive = chrono::NaiveDateTime::parse_from_str(stamp, FOLDER_STAMP).ok()?;
        naive.and_local_timezone(*offset).single()
    });
    RecycledDraft {
        name: RecycledName::new(name),
        deleted_at,
        summary: read_draft_file(&dir.join(DRAFT_FILE))
            .ok()
            .map(|d| DraftSummary::of(&d, campaign)),
    }
}

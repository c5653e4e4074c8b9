//! `drafts/<id>/backups/`: the last few readable versions of a draft.json, at most one a
//! minute, pruned before a new one is written.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::atomic::write_atomic;
use super::{BACKUPS_DIR, BACKUPS_KEPT, DataDir, migrate};
use crate::draft::DraftId;

impl DataDir {
    /// Copy the current draft.json into backups/ when the newest backup is older than the
    /// interval; keep the last [`BACKUPS_KEPT`]. A failed backup never stops the save.
    ///
    /// The oldest are removed *before* a new one is written, so a process killed at any moment
    /// leaves at most [`BACKUPS_KEPT`]; and a folder left with more (by an older version) is
    /// mended on the next save even when no new backup is due.
    pub(super) fn keep_backup(&self, dir: &Path, current: &Path) {
        let backups = dir.join(BACKUPS_DIR);
        let mut existing = numbered_backups(&backups);
        let prune = |existing: &mut Vec<(u64, PathBuf)>, keep: usize| {
            while existing.len() > keep {
                let (_, old) = existing.remove(0);
                let _ = std::fs::remove_file(old);
            }
        };
        let newest_age = existing
            .last()
            .and_then(|(_, p)| p.metadata().ok()?.modified().ok())
            .and_then(|m| SystemTime::now().duration_since(m).ok());
        if newest_age.is_some_and(|age| age < self.backup_interval) {
            prune(&mut existing, BACKUPS_KEPT);
            return;
        }
        let next = existing.last().map_or(1, |(n, _)| n + 1);
        let result = std::fs::create_dir_all(&backups)
            .and_then(|()| std::fs::read(current))
            .and_then(|bytes| {
                // Only a readable version is worth keeping.
                if migrate::draft_from_bytes(&bytes).is_err() {
                    return Ok(());
                }
                prune(&mut existing, BACKUPS_KEPT - 1);
                write_atomic(&backups.join(format!("draft.{next}.json")), &bytes)
            });
        if let Err(e) = result {
            tracing::warn!(dir = %dir.display(), error = %e, "backup failed");
        }
    }

    /// The backups of a draft, oldest first.
    pub fn backups(&self, id: &DraftId) -> Vec<PathBuf> {
        numbered_backups(&self.draft_dir(id).join(BACKUPS_DIR))
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }
}

fn numbered_backups(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .strip_prefix("draft.")?
                .strip_suffix(".json")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    out.sort();
    out
}

//! The start screen's list: every draft, newest change first, each saying how far it is;
//! unreadable ones moved to quarantine and listed; the recycle area.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::atomic::remove_stale_temps;
use super::quarantine::QuarantineNote;
use super::recycle::RecycledDraft;
use super::{DRAFT_FILE, DRAFTS_DIR, DataDir, QUARANTINE_NOTE, read_draft_file};
use crate::campaign::Campaign;
use crate::draft::{Draft, DraftId, Status};
use crate::validate::{self, Progress, Reveal};

/// One line of the start screen's list.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSummary {
    pub id: DraftId,
    /// What the list calls it: the clerk's name for it, or the unit ([`Draft::display_name`]).
    pub name: String,
    pub unit: String,
    pub campaign_id: String,
    pub status: Status,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub activity_count: usize,
    /// 1, or more once 退回修改 opened it again.
    pub version: usize,
    /// Items done (or marked 本项未开展 with a reason) out of all items, when the draft is of
    /// the campaign the list was made for.
    pub items_done: Option<(usize, usize)>,
}

impl DraftSummary {
    pub(super) fn of(d: &Draft, campaign: Option<&Campaign>) -> Self {
        let items_done = campaign.filter(|c| c.id == d.campaign_id).map(|c| {
            let report = validate::validate(c, d);
            let done = c
                .items()
                .filter(|(_, it)| {
                    matches!(
                        validate::item_progress(&report, &Reveal::All, d, it.id.as_str()),
                        Progress::Done | Progress::NotCarriedOut
                    )
                })
                .count();
            (done, c.items().count())
        });
        Self {
            id: d.id.clone(),
            name: d.display_name().to_string(),
            unit: d.unit.unit.clone(),
            campaign_id: d.campaign_id.clone(),
            status: d.status().clone(),
            created_at: d.created_at,
            updated_at: d.updated_at,
            activity_count: d.activity_count(),
            version: d.version(),
            items_done,
        }
    }
}

/// What the start screen shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub drafts: Vec<DraftSummary>,
    pub recycled: Vec<RecycledDraft>,
    pub quarantined: Vec<QuarantineNote>,
}

impl DataDir {
    /// Every draft, newest change first; unreadable ones are moved to quarantine and listed.
    pub fn list(&self) -> Listing {
        self.list_for(None)
    }

    /// The same, with each draft of `campaign` saying how many of its items are done.
    pub fn list_for(&self, campaign: Option<&Campaign>) -> Listing {
        let mut listing = Listing::default();
        remove_stale_temps(&self.root.join(DRAFTS_DIR));
        for (id, dir) in subfolders(&self.root.join(DRAFTS_DIR)) {
            remove_stale_temps(&dir);
            match read_draft_file(&dir.join(DRAFT_FILE)) {
                Ok(d) => {
                    super::integrity::remove_orphans(&dir, &d);
                    listing.drafts.push(DraftSummary::of(&d, campaign));
                }
                Err(defect) => {
                    let note = self.quarantine(&id, &dir, &defect);
                    tracing::warn!(id, %defect, "draft quarantined");
                    listing.quarantined.push(note);
                }
            }
        }
        listing
            .drafts
            .sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        for (name, dir) in subfolders(&self.root.join("quarantine")) {
            if listing.quarantined.iter().any(|q| q.folder == dir) {
                continue;
            }
            let note = std::fs::read(dir.join(QUARANTINE_NOTE))
                .ok()
                .and_then(|b| serde_json::from_slice::<QuarantineNote>(&b).ok());
            listing.quarantined.push(QuarantineNote {
                folder: dir.clone(),
                ..note.unwrap_or(QuarantineNote {
                    id: name,
                    reason: "草稿文件无法读取".into(),
                    detail: String::new(),
                    at: self.now(),
                    folder: dir,
                })
            });
        }
        listing.quarantined.sort_by_key(|q| std::cmp::Reverse(q.at));
        listing.recycled = self.recycled(campaign);
        listing
    }
}

/// Sub-folders of `dir` as (name, path), sorted by name; none if it cannot be read.
pub(super) fn subfolders(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    out.sort();
    out
}

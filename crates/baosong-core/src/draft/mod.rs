//! A draft: one unit's report for one campaign, filled in over days. Its nouns are few — the
//! unit profile, one answer per item of the notice, the activities inside an answer, and the
//! attachments (photos, videos, documents, links) on an activity or on the draft as a whole —
//! and its status is an enum with named transitions.
//!
//! Everything persisted derives serde with `#[serde(default)]`, so a file written by an older
//! version still loads; `schema` says which meaning the file has (see `store::migrate`).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::campaign::Campaign;
pub use super::ids::{ActivityId, AttachmentId, DraftId, ItemId};

mod attachment;
mod status;

pub use attachment::{
    Attachment, FileKind, LOCATION_KEPT, Link, Material, MediaInfo, Place, PlaceChoice,
    RemovedAttachment, StoredFile, known_files, places,
};
pub use status::{Edited, Receipt, Status, TransitionError};

/// The draft schema this program writes. 2: attachments, ISO dates.
pub const DRAFT_SCHEMA: u32 = 2;

/// What the clerk reads where a draft has no unit yet.
pub const NO_UNIT: &str = "（未填写单位）";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub schema: u32,
    pub id: DraftId,
    pub campaign_id: String,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// Changed only through the transitions below ([`Draft::mark_ready`], [`Draft::mark_edited`],
    /// and for sending, `core::submit::Submission`), each refusing an impossible step.
    status: Status,
    /// A name of the clerk's own, shown instead of the unit (a copy is called “…（副本）”).
    pub name: String,
    pub unit: UnitProfile,
    /// One answer per item id of the campaign template.
    pub answers: BTreeMap<ItemId, ItemAnswer>,
    /// 综合材料: material that belongs to no single activity (the unit's 工作总结, a compilation).
    pub general: Vec<Attachment>,
    /// Attachments the clerk removed: restorable until the draft itself is deleted.
    pub removed: Vec<RemovedAttachment>,
    /// The number part of the next activity id (`a1`, `a2`, …), never reused within a draft.
    pub next_activity: u32,
    /// The number part of the next attachment id (`f1`, `f2`, …), never reused within a draft.
    pub next_attachment: u32,
    /// The receipts of the versions sent before this one, oldest first: 退回修改 opens the sent
    /// draft as a new version and its receipt moves here (nothing confirmed is forgotten).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Receipt>,
    /// The department's 退回修改 this version answers: the bundle it replaces, the reason and
    /// the notes (each ticked off by the clerk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
}

/// 退回修改, as the draft keeps it while the clerk corrects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// The sha256 of the bundle it replaces (named in the new bundle's manifest).
    pub replaces: String,
    /// The review's id.
    pub review: String,
    pub issued_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub notes: Vec<CorrectionNote>,
}

/// One of the department's notes, and whether the clerk has dealt with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionNote {
    #[serde(flatten)]
    pub note: crate::review::Note,
    #[serde(default)]
    pub addressed: bool,
}

impl Correction {
    /// Notes not yet ticked off.
    pub fn open_notes(&self) -> impl Iterator<Item = (usize, &CorrectionNote)> {
        self.notes.iter().enumerate().filter(|(_, n)| !n.addressed)
    }
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            schema: DRAFT_SCHEMA,
            id: DraftId::default(),
            campaign_id: String::new(),
            created_at: DateTime::UNIX_EPOCH.fixed_offset(),
            updated_at: DateTime::UNIX_EPOCH.fixed_offset(),
            status: Status::Draft,
            name: String::new(),
            unit: UnitProfile::default(),
            answers: BTreeMap::new(),
            general: Vec::new(),
            removed: Vec::new(),
            next_activity: 1,
            next_attachment: 1,
            history: Vec::new(),
            correction: None,
        }
    }
}

/// Who reports: the unit, and the person the city federation can call back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitProfile {
    /// A unit from the template's list, or a name typed for an agency women's committee.
    pub unit: String,
    /// True when `unit` was typed rather than picked from the list.
    pub typed: bool,
    pub contact_person: String,
    pub phone: String,
}

impl UnitProfile {
    /// The unit's name, or [`NO_UNIT`].
    pub fn display_name(&self) -> &str {
        if self.unit.trim().is_empty() {
            NO_UNIT
        } else {
            &self.unit
        }
    }
}

/// The answer to one item of the notice: its activities, or 本项未开展 with a reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemAnswer {
    pub activities: Vec<Activity>,
    pub not_carried_out: bool,
    pub reason: String,
}

impl ItemAnswer {
    pub fn is_untouched(&self) -> bool {
        self.activities.is_empty() && !self.not_carried_out && self.reason.trim().is_empty()
    }
}

/// One activity: 活动名称, 日期, 地点, 主办/承办, 参与人数, 简要情况, and its materials. Texts are
/// kept as typed (the date is stored as `2024-03-08` once it is understood); the validator says
/// what is wrong with them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Activity {
    pub id: ActivityId,
    pub title: String,
    pub date: String,
    pub place: String,
    pub organiser: String,
    pub participants: String,
    pub summary: String,
    pub attachments: Vec<Attachment>,
}

/// The six activity fields, to point at one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityField {
    Title,
    Date,
    Place,
    Organiser,
    Participants,
    Summary,
}

impl ActivityField {
    pub const ALL: [Self; 6] = [
        Self::Title,
        Self::Date,
        Self::Place,
        Self::Organiser,
        Self::Participants,
        Self::Summary,
    ];

    pub fn value(self, a: &Activity) -> &str {
        match self {
            Self::Title => &a.title,
            Self::Date => &a.date,
            Self::Place => &a.place,
            Self::Organiser => &a.organiser,
            Self::Participants => &a.participants,
            Self::Summary => &a.summary,
        }
    }

    pub fn value_mut(self, a: &mut Activity) -> &mut String {
        match self {
            Self::Title => &mut a.title,
            Self::Date => &mut a.date,
            Self::Place => &mut a.place,
            Self::Organiser => &mut a.organiser,
            Self::Participants => &mut a.participants,
            Self::Summary => &mut a.summary,
        }
    }

    pub fn spec(self, c: &Campaign) -> &super::campaign::FieldSpec {
        let f = &c.activity_fields;
        match self {
            Self::Title => &f.title,
            Self::Date => &f.date,
            Self::Place => &f.place,
            Self::Organiser => &f.organiser,
            Self::Participants => &f.participants,
            Self::Summary => &f.summary,
        }
    }
}

impl Draft {
    /// A new, empty draft for `campaign`.
    pub fn new(
        id: DraftId,
        campaign: &Campaign,
        unit: UnitProfile,
        now: DateTime<FixedOffset>,
    ) -> Self {
        Self {
            id,
            campaign_id: campaign.id.clone(),
            created_at: now,
            updated_at: now,
            unit,
            ..Self::default()
        }
    }

    /// The name on the draft list: the clerk's own name for it, or the unit.
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            self.unit.display_name()
        } else {
            &self.name
        }
    }

    /// Holds nothing the clerk entered beyond the unit profile (a new draft left at once).
    pub fn is_pristine(&self) -> bool {
        self.answers.values().all(ItemAnswer::is_untouched)
            && self.general.is_empty()
            && self.removed.is_empty()
            && self.status == Status::Draft
    }

    pub fn answer(&self, item_id: &str) -> Option<&ItemAnswer> {
        self.answers.get(item_id)
    }

    pub fn answer_mut(&mut self, item_id: &str) -> &mut ItemAnswer {
        self.answers.entry(ItemId::from(item_id)).or_default()
    }

    pub fn activity(&self, item_id: &str, activity_id: &str) -> Option<&Activity> {
        self.answer(item_id)?
            .activities
            .iter()
            .find(|a| a.id == activity_id)
    }

    pub fn activity_mut(&mut self, item_id: &str, activity_id: &str) -> Option<&mut Activity> {
        self.answers
            .get_mut(item_id)?
            .activities
            .iter_mut()
            .find(|a| a.id == activity_id)
    }

    /// Add an empty activity to an item; returns its id.
    pub fn add_activity(&mut self, item_id: &str) -> ActivityId {
        let id = ActivityId::new(format!("a{}", self.next_activity.max(1)));
        self.next_activity = self.next_activity.max(1) + 1;
        let answer = self.answer_mut(item_id);
        answer.activities.push(Activity {
            id: id.clone(),
            ..Activity::default()
        });
        id
    }

    /// Remove an activity; its attachments go to the removed list, restorable.
    pub fn remove_activity(&mut self, item_id: &str, index: usize, now: DateTime<FixedOffset>) {
        let Some(answer) = self.answers.get_mut(item_id) else {
            return;
        };
        if index >= answer.activities.len() {
            return;
        }
        let activity = answer.activities.remove(index);
        let from = Place::Activity {
            item_id: ItemId::from(item_id),
            activity_id: activity.id.clone(),
        };
        self.removed.extend(
            activity
                .attachments
                .into_iter()
                .enumerate()
                .map(|(index, a)| RemovedAttachment {
                    attachment: a,
                    from: from.clone(),
                    index,
                    removed_at: now,
                }),
        );
    }

    /// The copy made by 复制: same answers and materials, a new id and name, back to 草稿.
    pub fn duplicate(&self, new_id: DraftId, name: String, now: DateTime<FixedOffset>) -> Self {
        Self {
            id: new_id,
            name,
            created_at: now,
            updated_at: now,
            status: Status::Draft,
            ..self.clone()
        }
    }

    /// How many activities the whole draft holds.
    pub fn activity_count(&self) -> usize {
        self.answers.values().map(|a| a.activities.len()).sum()
    }

    /// The 主办/承办 values already typed in this draft, most used first (offered for the next).
    pub fn organisers_used(&self) -> Vec<String> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for a in self.answers.values().flat_map(|a| &a.activities) {
            let o = a.organiser.trim();
            if !o.is_empty() {
                *counts.entry(o).or_default() += 1;
            }
        }
        let mut used: Vec<(&str, usize)> = counts.into_iter().collect();
        used.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        used.into_iter().map(|(o, _)| o.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn receipt(sha: &str) -> Receipt {
        Receipt {
            endpoint: "https://intake.example/files/".into(),
            reference: format!("https://intake.example/files/{sha}"),
            confirmed_at: t("2024-03-09T10:00:00+08:00"),
            bundle_sha256: sha.into(),
            bytes: 1,
            protocol: "tus".into(),
            bundle_name: String::new(),
            app: String::new(),
        }
    }

    #[test]
    fn a_re_send_that_ends_unsent_keeps_the_earlier_receipt_even_after_a_restart() {
        let mut d = Draft::default();
        d.start_submitting(0, false).unwrap();
        d.submitted(receipt(&"a".repeat(64))).unwrap();
        // 仍要重新报送, then 取消 in the same run: back to 已报送, nothing doubled.
        let before = d.status().clone();
        d.start_submitting(0, true).unwrap();
        d.submission_ended_unsent(before).unwrap();
        assert!(matches!(d.status(), Status::Submitted { .. }));
        assert!(d.history.is_empty());
        // Again, but the window closed meanwhile: what it was before is not known any more and
        // the draft ends 已完成待报送 — the confirmed send is still in its history.
        d.start_submitting(0, true).unwrap();
        d.submission_ended_unsent(Status::Ready).unwrap();
        assert_eq!(d.status(), &Status::Ready);
        assert_eq!(d.history, vec![receipt(&"a".repeat(64))]);
    }

    #[test]
    fn only_a_return_of_the_last_bundle_opens_a_new_version() {
        use crate::review::{Message, Note, Verdict};
        let now = t("2024-03-09T11:00:00+08:00");
        let mut d = Draft::default();
        let note = Note {
            item: "p1-1".into(),
            item_label: "一、一是".into(),
            activity: None,
            activity_label: String::new(),
            text: "请补充视频".into(),
        };
        let returned = |sha: &str, v: Verdict| {
            Message::review(
                "渝中区妇联",
                "c",
                now,
                (sha, ""),
                v,
                "缺视频",
                vec![note.clone()],
            )
        };
        // Not sent yet: nothing to reopen.
        assert_eq!(
            d.reopen_for_correction(&returned(&"a".repeat(64), Verdict::Returned), now),
            Err(TransitionError::NotReturned)
        );
        d.start_submitting(0, false).unwrap();
        d.submitted(receipt(&"a".repeat(64))).unwrap();
        // A return of another bundle, or a pass: refused.
        assert!(
            d.reopen_for_correction(&returned(&"b".repeat(64), Verdict::Returned), now)
                .is_err()
        );
        assert!(
            d.reopen_for_correction(&returned(&"a".repeat(64), Verdict::Passed), now)
                .is_err()
        );
        d.reopen_for_correction(&returned(&"a".repeat(64), Verdict::Returned), now)
            .unwrap();
        assert_eq!(d.version(), 2);
        assert!(d.is_editable());
        let c = d.correction.as_ref().unwrap();
        assert_eq!(c.replaces, "a".repeat(64));
        assert_eq!(c.open_notes().count(), 1);
    }

    fn photo(id: &str, sha: &str) -> Attachment {
        Attachment {
            id: id.into(),
            caption: String::new(),
            added_at: t("2024-03-01T10:00:00+08:00"),
            material: Material::File(StoredFile {
                kind: Some(FileKind::Photo),
                sha256: sha.into(),
                original_name: format!("{id}.jpg"),
                ..StoredFile::default()
            }),
        }
    }

    #[test]
    fn status_transitions() {
        let c = Campaign::builtin().unwrap();
        let now = t("2024-03-01T10:00:00+08:00");
        let mut d = Draft::new("d1".into(), &c, UnitProfile::default(), now);
        assert_eq!(d.status.label(), "草稿");
        assert_eq!(d.mark_ready(3, now), Err(TransitionError::HasProblems(3)));
        d.mark_ready(0, now).unwrap();
        assert_eq!(d.status.label(), "已完成待报送");
        assert_eq!(d.mark_edited(now), Ok(Edited::BackToDraft));
        assert_eq!(
            d.status,
            Status::Draft,
            "an edit sends a checked draft back to 草稿"
        );
        assert_eq!(d.mark_edited(now), Ok(Edited::Quietly));
        d.status = Status::Submitted {
            receipt: Receipt {
                endpoint: "https://example.invalid".into(),
                reference: "r1".into(),
                confirmed_at: now,
                bundle_sha256: "ab".into(),
                bytes: 1,
                protocol: "tus".into(),
                bundle_name: "材料包.zip".into(),
                app: String::new(),
            },
        };
        assert!(!d.is_editable());
        assert_eq!(d.mark_edited(now), Err(TransitionError::AlreadySubmitted));
        let copy = d.duplicate("d2".into(), "副本".into(), now);
        assert_eq!(copy.status, Status::Draft);
        assert!(copy.is_editable());
    }

    #[test]
    fn activity_ids_are_never_reused() {
        let c = Campaign::builtin().unwrap();
        let now = t("2024-03-01T10:00:00+08:00");
        let mut d = Draft::new("d1".into(), &c, UnitProfile::default(), now);
        let a = d.add_activity("p1-1");
        let b = d.add_activity("p1-1");
        d.remove_activity("p1-1", 1, now);
        let c2 = d.add_activity("p2-1");
        assert_eq!((a.as_str(), b.as_str(), c2.as_str()), ("a1", "a2", "a3"));
        assert_eq!(d.activity_count(), 2);
    }

    #[test]
    fn removed_attachments_come_back_where_they_were() {
        let c = Campaign::builtin().unwrap();
        let now = t("2024-03-01T10:00:00+08:00");
        let mut d = Draft::new("d1".into(), &c, UnitProfile::default(), now);
        let a = d.add_activity("p1-1");
        let place = Place::Activity {
            item_id: "p1-1".into(),
            activity_id: a,
        };
        d.attachments_mut(&place).unwrap().push(photo("f1", "aa"));
        d.general.push(photo("f2", "bb"));
        assert_eq!(d.find_by_sha256("bb").map(|(p, _)| p), Some(Place::General));
        assert!(d.remove_attachment(&place, &"f1".into(), now));
        assert!(d.attachments(&place).unwrap().is_empty());
        assert_eq!(d.restore_attachment(&"f1".into()), Some(place.clone()));
        assert_eq!(d.attachments(&place).unwrap().len(), 1);

        // Removing the activity keeps its photo restorable; it comes back to 综合材料.
        d.remove_activity("p1-1", 0, now);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.restore_attachment(&"f1".into()), Some(Place::General));
        assert_eq!(d.general.len(), 2);
    }

    #[test]
    fn status_serialises_as_a_tagged_state() {
        let json = serde_json::to_string(&Status::Failed {
            reason: "网络中断".into(),
        })
        .unwrap();
        assert_eq!(json, r#"{"state":"failed","reason":"网络中断"}"#);
    }

    #[test]
    fn organisers_are_offered_most_used_first() {
        let c = Campaign::builtin().unwrap();
        let now = t("2024-03-01T10:00:00+08:00");
        let mut d = Draft::new("d1".into(), &c, UnitProfile::default(), now);
        for (item, org) in [
            ("p1-1", "乙"),
            ("p1-2", "甲"),
            ("p2-1", "甲"),
            ("p2-2", " "),
        ] {
            let id = d.add_activity(item);
            d.activity_mut(item, id.as_str()).unwrap().organiser = org.into();
        }
        assert_eq!(d.organisers_used(), ["甲", "乙"]);
    }
}

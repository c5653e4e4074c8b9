//! A draft: one unit's report for one campaign, filled in over days. Its nouns are few — the
//! unit profile, one answer per item of the notice, the activities inside an answer — and its
//! status is an enum with named transitions.
//!
//! Everything persisted derives serde with `#[serde(default)]`, so a file written by an older
//! version still loads; `schema` says which meaning the file has (see `store::migrate`).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::campaign::Campaign;

/// The draft schema this program writes.
pub const DRAFT_SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub schema: u32,
    pub id: String,
    pub campaign_id: String,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub status: Status,
    pub unit: UnitProfile,
    /// One answer per item id of the campaign template.
    pub answers: BTreeMap<String, ItemAnswer>,
    /// The number part of the next activity id (`a1`, `a2`, …), never reused within a draft.
    pub next_activity: u32,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            schema: DRAFT_SCHEMA,
            id: String::new(),
            campaign_id: String::new(),
            created_at: DateTime::UNIX_EPOCH.fixed_offset(),
            updated_at: DateTime::UNIX_EPOCH.fixed_offset(),
            status: Status::Draft,
            unit: UnitProfile::default(),
            answers: BTreeMap::new(),
            next_activity: 1,
        }
    }
}

/// Where a draft is in its life. Changed only through the named transitions on [`Draft`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// 草稿: being filled in.
    #[default]
    Draft,
    /// 已完成待报送: checked, nothing missing, waiting to be sent.
    Ready,
    /// 报送中: an upload has started.
    Submitting,
    /// 已报送: the server confirmed it.
    Submitted { receipt: Receipt },
    /// 报送失败: the last upload failed, with the reason.
    Failed { reason: String },
}

/// The server's confirmation of a submission (filled in by the submit issue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub endpoint: String,
    pub reference: String,
    pub confirmed_at: DateTime<FixedOffset>,
}

impl Status {
    /// The word the clerk reads.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Ready => "已完成待报送",
            Self::Submitting => "报送中",
            Self::Submitted { .. } => "已报送",
            Self::Failed { .. } => "报送失败",
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

/// One activity: 活动名称, 日期, 地点, 主办/承办, 参与人数, 简要情况. Texts are kept as typed; the
/// validator says what is wrong with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Activity {
    pub id: String,
    pub title: String,
    pub date: String,
    pub place: String,
    pub organiser: String,
    pub participants: String,
    pub summary: String,
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

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("还有 {0} 个问题需要修改，暂不能标记为已完成")]
    HasProblems(usize),
    #[error("此草稿已报送，不能再修改；如需补充，请复制为新草稿")]
    AlreadySubmitted,
    #[error("此草稿正在报送，请等待报送结束")]
    Submitting,
}

impl Draft {
    /// A new, empty draft for `campaign`.
    pub fn new(
        id: String,
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

    /// Can the clerk change it? Not while sending, not once sent.
    pub fn is_editable(&self) -> bool {
        !matches!(self.status, Status::Submitting | Status::Submitted { .. })
    }

    /// Something was changed: a checked draft must be checked again.
    pub fn mark_edited(&mut self, now: DateTime<FixedOffset>) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitted { .. } => return Err(TransitionError::AlreadySubmitted),
            Status::Submitting => return Err(TransitionError::Submitting),
            Status::Ready | Status::Failed { .. } => self.status = Status::Draft,
            Status::Draft => {}
        }
        self.updated_at = now;
        Ok(())
    }

    /// 草稿 → 已完成待报送, only when the check found nothing.
    pub fn mark_ready(
        &mut self,
        problem_count: usize,
        now: DateTime<FixedOffset>,
    ) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitted { .. } => Err(TransitionError::AlreadySubmitted),
            Status::Submitting => Err(TransitionError::Submitting),
            _ if problem_count > 0 => Err(TransitionError::HasProblems(problem_count)),
            _ => {
                self.status = Status::Ready;
                self.updated_at = now;
                Ok(())
            }
        }
    }

    pub fn answer(&self, item_id: &str) -> Option<&ItemAnswer> {
        self.answers.get(item_id)
    }

    pub fn answer_mut(&mut self, item_id: &str) -> &mut ItemAnswer {
        self.answers.entry(item_id.to_string()).or_default()
    }

    /// Add an empty activity to an item; returns its id.
    pub fn add_activity(&mut self, item_id: &str) -> String {
        let id = format!("a{}", self.next_activity.max(1));
        self.next_activity = self.next_activity.max(1) + 1;
        let answer = self.answer_mut(item_id);
        answer.activities.push(Activity {
            id: id.clone(),
            ..Activity::default()
        });
        id
    }

    /// The copy made by 复制: same answers, a new id, back to 草稿.
    pub fn duplicate(&self, new_id: String, now: DateTime<FixedOffset>) -> Self {
        Self {
            id: new_id,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
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
        d.mark_edited(now).unwrap();
        assert_eq!(
            d.status,
            Status::Draft,
            "an edit sends a checked draft back to 草稿"
        );
        d.status = Status::Submitted {
            receipt: Receipt {
                endpoint: "https://example.invalid".into(),
                reference: "r1".into(),
                confirmed_at: now,
            },
        };
        assert!(!d.is_editable());
        assert_eq!(d.mark_edited(now), Err(TransitionError::AlreadySubmitted));
        let copy = d.duplicate("d2".into(), now);
        assert_eq!(copy.status, Status::Draft);
        assert!(copy.is_editable());
    }

    #[test]
    fn activity_ids_are_never_reused() {
        let c = Campaign::builtin().unwrap();
        let mut d = Draft::new(
            "d1".into(),
            &c,
            UnitProfile::default(),
            t("2024-03-01T10:00:00+08:00"),
        );
        let a = d.add_activity("p1-1");
        let b = d.add_activity("p1-1");
        d.answer_mut("p1-1").activities.remove(1);
        let c2 = d.add_activity("p2-1");
        assert_eq!((a.as_str(), b.as_str(), c2.as_str()), ("a1", "a2", "a3"));
        assert_eq!(d.activity_count(), 2);
    }

    #[test]
    fn status_serialises_as_a_tagged_state() {
        let json = serde_json::to_string(&Status::Failed {
            reason: "网络中断".into(),
        })
        .unwrap();
        assert_eq!(json, r#"{"state":"failed","reason":"网络中断"}"#);
    }
}

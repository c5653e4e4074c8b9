//! The department's answer back to a unit: a review of a bundle it received (通过, 退回修改 with a
//! reason and notes on single items or activities, 已阅) and reminders (催报). Each is a small
//! JSON message signed with the department's key (the one campaigns are signed with, under a
//! context of its own: a campaign's signature never verifies as a review's) and published through
//! the intake to the unit it concerns only ([`channel`]); the unit's app checks the signature
//! against the key IT pinned and the unit against its own before it shows anything.
//!
//! What the clerk's app keeps is [`Inbox`]: every verified message, in `<data>/reviews/`.

pub mod channel;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::campaign::signing::{DeskKey, PublicKey};
use crate::store::atomic::write_atomic;

/// What every review or reminder signature covers before the message's bytes.
pub const CONTEXT: &[u8] = b"baosong-review-v1\n";
/// The largest message read or published.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// The most characters of a reason, a note or a reminder.
pub const MAX_TEXT: usize = 2000;
/// The most notes on one review.
pub const MAX_NOTES: usize = 100;

/// The department's verdict on one bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 通过: the bundle counts as it is.
    Passed,
    /// 退回修改: the unit corrects and sends again.
    Returned,
    /// 已阅: read, no verdict.
    Read,
}

impl Verdict {
    /// What the clerk and the desk read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Passed => "已通过",
            Self::Returned => "退回修改",
            Self::Read => "已阅",
        }
    }
}

/// A note on one item (and perhaps one activity) of a returned bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The template's item id.
    pub item: String,
    /// How people name it: 二、一是 (or the item's title).
    #[serde(default)]
    pub item_label: String,
    /// The activity's id in the bundle, when the note is on one activity.
    #[serde(default)]
    pub activity: Option<String>,
    /// 活动2 (its place in the item), for people.
    #[serde(default)]
    pub activity_label: String,
    pub text: String,
}

impl Note {
    /// 二、一是 · 活动2：请补充活动视频
    pub fn line(&self) -> String {
        let mut place = self.item_label.clone();
        if !self.activity_label.is_empty() {
            place.push_str(" · ");
            place.push_str(&self.activity_label);
        }
        format!("{place}：{}", self.text)
    }
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// The department's review of one bundle (named by its sha256).
    Review {
        bundle_sha256: String,
        #[serde(default)]
        bundle_name: String,
        verdict: Verdict,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        notes: Vec<Note>,
    },
    /// 催报: a reminder, shown once as a banner.
    Reminder { text: String },
}

/// One message from the department to one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub schema: u32,
    /// 32 random hex digits: the intake keeps each id once.
    pub id: String,
    /// The unit it concerns (as in the tokens file and the campaign's list).
    pub unit: String,
    pub campaign_id: String,
    pub issued_at: DateTime<FixedOffset>,
    #[serde(flatten)]
    pub body: Body,
}

/// A message as published: its exact text and the department's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub message: String,
    pub signature: String,
    /// When the intake took it (the intake's word).
    #[serde(default)]
    pub published_at: Option<String>,
    /// When the unit's app showed it (the intake's word; for the desk).
    #[serde(default)]
    pub seen_at: Option<String>,
}

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageProblem {
    #[error("signature: {0}")]
    Signature(&'static str),
    #[error("not a message: {0}")]
    Unreadable(String),
    #[error("for another unit ({0})")]
    OtherUnit(String),
    #[error("{0}")]
    Invalid(String),
}

impl Message {
    fn new(unit: &str, campaign_id: &str, now: DateTime<FixedOffset>, body: Body) -> Self {
        Self {
            schema: 1,
            id: new_id(),
            unit: unit.trim().to_string(),
            campaign_id: campaign_id.to_string(),
            issued_at: now,
            body,
        }
    }

    /// A review of the bundle `(sha256, file name)`.
    pub fn review(
        unit: &str,
        campaign_id: &str,
        now: DateTime<FixedOffset>,
        (bundle_sha256, bundle_name): (&str, &str),
        verdict: Verdict,
        reason: &str,
        notes: Vec<Note>,
    ) -> Self {
        Self::new(
            unit,
            campaign_id,
            now,
            Body::Review {
                bundle_sha256: bundle_sha256.to_ascii_lowercase(),
                bundle_name: bundle_name.to_string(),
                verdict,
                reason: reason.trim().to_string(),
                notes,
            },
        )
    }

    /// A reminder (催报).
    pub fn reminder(unit: &str, campaign_id: &str, now: DateTime<FixedOffset>, text: &str) -> Self {
        Self::new(
            unit,
            campaign_id,
            now,
            Body::Reminder {
                text: text.trim().to_string(),
            },
        )
    }

    /// What is wrong with it, in Chinese (checked before signing and after verifying).
    pub fn check(&self) -> Result<(), String> {
        let long = |s: &str| s.chars().count() > MAX_TEXT;
        if self.schema != 1 {
            return Err(format!("消息格式第{}版，本程序只认第1版", self.schema));
        }
        if self.id.len() != 32 || !self.id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("消息编号不符合规定".into());
        }
        if self.unit.is_empty() || self.unit.chars().count() > 100 {
            return Err("没有写明单位".into());
        }
        match &self.body {
            Body::Review {
                bundle_sha256,
                verdict,
                reason,
                notes,
                ..
            } => {
                if bundle_sha256.len() != 64
                    || !bundle_sha256.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err("没有写明是哪个材料包（校验值）".into());
                }
                if *verdict == Verdict::Returned && reason.trim().is_empty() && notes.is_empty() {
                    return Err("退回修改需要写明理由".into());
                }
                if long(reason) {
                    return Err(format!("理由不能超过{MAX_TEXT}字"));
                }
                if notes.len() > MAX_NOTES {
                    return Err(format!("意见不能超过{MAX_NOTES}条"));
                }
                if notes
                    .iter()
                    .any(|n| long(&n.text) || n.text.trim().is_empty() || n.item.is_empty())
                {
                    return Err(format!("每条意见要写明事项和内容，不超过{MAX_TEXT}字"));
                }
            }
            Body::Reminder { text } => {
                if text.trim().is_empty() {
                    return Err("提醒内容不能为空".into());
                }
                if long(text) {
                    return Err(format!("提醒内容不能超过{MAX_TEXT}字"));
                }
            }
        }
        Ok(())
    }

    /// Signed with the department's key, ready to publish.
    pub fn sign(&self, key: &DeskKey) -> Result<Signed, String> {
        self.check()?;
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        if text.len() > MAX_MESSAGE {
            return Err("消息太长".into());
        }
        Ok(Signed {
            signature: key.sign_as(CONTEXT, text.as_bytes()),
            message: text,
            published_at: None,
            seen_at: None,
        })
    }

    /// The review's verdict, when it is one.
    pub fn verdict(&self) -> Option<Verdict> {
        match &self.body {
            Body::Review { verdict, .. } => Some(*verdict),
            Body::Reminder { .. } => None,
        }
    }

    /// The bundle a review concerns.
    pub fn bundle(&self) -> Option<&str> {
        match &self.body {
            Body::Review { bundle_sha256, .. } => Some(bundle_sha256),
            Body::Reminder { .. } => None,
        }
    }

    /// 退回修改：理由 / 已通过 / 市妇联提醒：…, in one line.
    pub fn headline(&self) -> String {
        match &self.body {
            Body::Review {
                verdict, reason, ..
            } if !reason.is_empty() => format!("{}：{reason}", verdict.label()),
            Body::Review { verdict, .. } => verdict.label().to_string(),
            Body::Reminder { text } => format!("市妇联提醒：{text}"),
        }
    }
}

impl Signed {
    /// The message, verified against the department's key; `unit`, when given, must be the one
    /// it is for (a message for another unit is never shown, whoever delivered it).
    pub fn open(&self, key: &PublicKey, unit: Option<&str>) -> Result<Message, MessageProblem> {
        if self.message.len() > MAX_MESSAGE {
            return Err(MessageProblem::Unreadable("too long".into()));
        }
        key.verify_as(CONTEXT, self.message.as_bytes(), &self.signature)
            .map_err(|p| MessageProblem::Signature(p.user_message()))?;
        let message: Message = serde_json::from_str(&self.message)
            .map_err(|e| MessageProblem::Unreadable(e.to_string()))?;
        message.check().map_err(MessageProblem::Invalid)?;
        if let Some(unit) = unit
            && message.unit != unit.trim()
        {
            return Err(MessageProblem::OtherUnit(message.unit));
        }
        Ok(message)
    }
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness from the system: the time and the process make it unique enough for an
        // id the intake refuses twice.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = (now ^ (u128::from(std::process::id()) << 96)).to_le_bytes();
    }
    crate::media::hex(&bytes)
}

/// The latest review of the bundle with this sha256, among `messages` (newest last).
pub fn review_of<'a>(messages: &'a [Message], bundle_sha256: &str) -> Option<&'a Message> {
    messages
        .iter()
        .filter(|m| {
            m.bundle()
                .is_some_and(|b| b.eq_ignore_ascii_case(bundle_sha256))
        })
        .max_by_key(|m| m.issued_at)
}

/// What the clerk's app has received: every verified message, kept in `<data>/reviews/`.
pub struct Inbox {
    dir: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    /// The unit the intake last answered for (this PC's token's): its messages are shown even
    /// before any draft names it (a 催报 to a unit that has not started).
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    messages: Vec<Signed>,
    /// Reminders shown to the clerk (their banner is shown once)…
    #[serde(default)]
    shown: Vec<String>,
    /// …and told to the intake (the desk sees who has seen them); the rest is told next time.
    #[serde(default)]
    acknowledged: Vec<String>,
}

const INBOX_FILE: &str = "inbox.json";
/// The most messages kept (the intake keeps as many per unit).
pub const MAX_KEPT: usize = 500;

impl Inbox {
    pub fn in_data_dir(root: &Path) -> Self {
        Self {
            dir: root.join("reviews"),
        }
    }

    fn kept(&self) -> Kept {
        std::fs::read(self.dir.join(INBOX_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, kept: &Kept) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(kept).map_err(std::io::Error::other)?;
        write_atomic(&self.dir.join(INBOX_FILE), &text)
    }

    /// Keep what verified (each id once), for `unit` (the token's, as the intake said). Returns
    /// how many were new.
    pub fn keep(&self, unit: Option<&str>, verified: &[Signed]) -> std::io::Result<usize> {
        let mut kept = self.kept();
        let mut new = 0;
        let unit = unit.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        let changed_unit = unit.is_some() && kept.unit != unit;
        if unit.is_some() {
            kept.unit = unit;
        }
        for s in verified {
            if !kept.messages.iter().any(|k| k.message == s.message) {
                kept.messages.push(Signed {
                    seen_at: None,
                    ..s.clone()
                });
                new += 1;
            }
        }
        if kept.messages.len() > MAX_KEPT {
            let extra = kept.messages.len() - MAX_KEPT;
            kept.messages.drain(..extra);
        }
        if new > 0 || changed_unit {
            self.save(&kept)?;
        }
        Ok(new)
    }

    /// Every kept message, verified again (a file changed on disk is not believed), oldest
    /// first. Only messages for `units` (the drafts' units) or the token's unit are shown.
    pub fn messages(&self, key: &PublicKey, units: &[String]) -> Vec<Message> {
        let kept = self.kept();
        let token_unit = kept.unit.clone();
        let mut out: Vec<Message> = kept
            .messages
            .iter()
            .filter_map(|s| match s.open(key, None) {
                Ok(m)
                    if units.iter().any(|u| u.trim() == m.unit)
                        || token_unit.as_deref() == Some(m.unit.as_str()) =>
                {
                    Some(m)
                }
                Ok(_) => None,
                Err(problem) => {
                    tracing::warn!(%problem, "a kept review no longer verifies; ignored");
                    None
                }
            })
            .collect();
        out.sort_by_key(|m| m.issued_at);
        out
    }

    /// The reminders among `messages` (from [`Inbox::messages`]) not yet shown.
    pub fn unshown_reminders(&self, messages: &[Message]) -> Vec<Message> {
        let shown = self.kept().shown;
        messages
            .iter()
            .filter(|m| matches!(m.body, Body::Reminder { .. }) && !shown.contains(&m.id))
            .cloned()
            .collect()
    }

    /// The clerk has seen this reminder (no banner again).
    pub fn mark_shown(&self, id: &str) -> std::io::Result<()> {
        let mut kept = self.kept();
        if !kept.shown.iter().any(|s| s == id) {
            kept.shown.push(id.to_string());
            self.save(&kept)?;
        }
        Ok(())
    }

    /// Shown but not yet told to the intake.
    pub fn unacknowledged(&self) -> Vec<String> {
        let kept = self.kept();
        kept.shown
            .iter()
            .filter(|id| !kept.acknowledged.contains(id))
            .cloned()
            .collect()
    }

    pub fn mark_acknowledged(&self, id: &str) -> std::io::Result<()> {
        let mut kept = self.kept();
        if !kept.acknowledged.iter().any(|s| s == id) {
            kept.acknowledged.push(id.to_string());
            self.save(&kept)?;
        }
        Ok(())
    }
}

/// The note `spec` names in a bundle of `campaign`: `二、一是`, `二、一是 活动2` (or `·活动2`), an
/// item's id, its number alone when only one item has it, or a part of its title. The activity
/// is the bundle's Nth activity of that item.
pub fn locate(
    campaign: &crate::campaign::Campaign,
    manifest: &crate::bundle::Manifest,
    spec: &str,
    text: &str,
) -> Result<Note, String> {
    let spec = spec.trim();
    let (item_part, activity) = match spec.rfind("活动") {
        Some(at)
            if !spec[at + "活动".len()..].trim().is_empty()
                && spec[at + "活动".len()..]
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
        {
            let n: usize = spec[at + "活动".len()..]
                .trim()
                .parse()
                .map_err(|_| format!("“{spec}”中的活动序号不对"))?;
            (
                spec[..at].trim_end_matches([' ', '·', '・', '　']).trim(),
                Some(n),
            )
        }
        _ => (spec, None),
    };
    let items: Vec<(String, &crate::campaign::Item)> = campaign
        .pillars
        .iter()
        .flat_map(|p| {
            p.items
                .iter()
                .map(move |i| (format!("{}、{}", p.number, i.number), i))
        })
        .collect();
    let exact: Vec<_> = items
        .iter()
        .filter(|(label, i)| i.id.as_str() == item_part || *label == item_part)
        .collect();
    let found = if exact.len() == 1 {
        exact
    } else {
        let by_number: Vec<_> = items
            .iter()
            .filter(|(_, i)| i.number == item_part)
            .collect();
        if !by_number.is_empty() {
            by_number
        } else {
            items
                .iter()
                .filter(|(_, i)| !item_part.is_empty() && i.title.contains(item_part))
                .collect()
        }
    };
    let [(label, item)] = found.as_slice() else {
        return Err(if found.is_empty() {
            format!("找不到事项“{item_part}”：请写成“二、一是”这样的板块和事项序号")
        } else {
            format!(
                "“{item_part}”对应不止一个事项（{}）：请写成“二、一是”这样的板块和事项序号",
                found
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        });
    };
    let (activity, activity_label) = match activity {
        None => (None, String::new()),
        Some(n) => {
            let sent = manifest
                .pillars
                .iter()
                .flat_map(|p| &p.items)
                .find(|i| i.id == item.id.as_str())
                .map(|i| i.activities.as_slice())
                .unwrap_or_default();
            let a = n
                .checked_sub(1)
                .and_then(|k| sent.get(k))
                .ok_or_else(|| format!("{label} 只报送了 {} 个活动，没有活动{n}", sent.len()))?;
            (Some(a.id.clone()), format!("活动{n}"))
        }
    };
    if text.trim().is_empty() {
        return Err(format!("{spec} 的意见没有内容"));
    }
    Ok(Note {
        item: item.id.as_str().to_string(),
        item_label: label.clone(),
        activity,
        activity_label,
        text: text.trim().to_string(),
    })
}

/// The unit a received bundle counts for and its sha256: the intake's record where there is one
/// (the token's unit, the sha256 it verified), else the manifest's unit and the file's own
/// sha256 (read now; `None` when the file cannot be read).
pub fn identify(
    bundle: &crate::desk::Bundle,
    work: &dyn crate::work::Work,
) -> Result<Option<(String, String)>, crate::work::Cancelled> {
    let record = bundle.intake.as_ref();
    let unit = record
        .and_then(|r| r.unit.clone())
        .unwrap_or_else(|| bundle.manifest.unit.name.trim().to_string());
    let sha256 = match record.and_then(|r| r.sha256.clone()) {
        Some(s) => s,
        None => match crate::hashing::sha256_file(&bundle.path, work)? {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    Ok(Some((unit, sha256)))
}

/// What the desk has published from this PC, with when each was seen (as the intake last
/// said): `<data>/desk/reviews.json`.
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    pub fn in_data_dir(root: &Path) -> Self {
        Self {
            path: root.join("desk").join("reviews.json"),
        }
    }

    fn read(&self) -> Vec<Signed> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write(&self, all: &[Signed]) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_vec_pretty(all).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &text)
    }

    /// One more published message.
    pub fn record(&self, signed: &Signed) -> std::io::Result<()> {
        let mut all = self.read();
        if !all.iter().any(|s| s.message == signed.message) {
            all.push(signed.clone());
            self.write(&all)?;
        }
        Ok(())
    }

    /// What the intake holds (from [`channel::all`]): every message kept, when seen updated.
    pub fn merge(&self, from_intake: &[Signed]) -> std::io::Result<()> {
        let mut all = self.read();
        for s in from_intake {
            match all.iter_mut().find(|k| k.message == s.message) {
                Some(k) => {
                    k.seen_at.clone_from(&s.seen_at);
                    k.published_at.clone_from(&s.published_at);
                }
                None => all.push(s.clone()),
            }
        }
        self.write(&all)
    }

    /// Every message, verified against the department's key, oldest first, with when seen.
    pub fn messages(&self, key: &PublicKey) -> Vec<(Message, Option<String>)> {
        let mut out: Vec<_> = self
            .read()
            .into_iter()
            .filter_map(|s| s.open(key, None).ok().map(|m| (m, s.seen_at)))
            .collect();
        out.sort_by_key(|(m, _)| m.issued_at);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::china;
    use chrono::TimeZone;

    fn now() -> DateTime<FixedOffset> {
        china().with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_review_verifies_only_for_its_key_its_bytes_and_its_unit() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = DeskKey::load_or_create(dir.path()).unwrap();
        let public = key.public();
        let m = Message::review(
            "渝中区妇联",
            "cq-sanba-2024",
            now(),
            (&"ab".repeat(32), "材料包.zip"),
            Verdict::Returned,
            "缺少活动视频",
            vec![Note {
                item: "p2-1".into(),
                item_label: "二、一是".into(),
                activity: Some("a2".into()),
                activity_label: "活动2".into(),
                text: "请补充活动视频".into(),
            }],
        );
        let signed = m.sign(&key).unwrap();
        assert_eq!(signed.open(&public, Some("渝中区妇联")).unwrap(), m);
        // Another unit's app does not take it, whoever delivered it.
        assert!(matches!(
            signed.open(&public, Some("江北区妇联")),
            Err(MessageProblem::OtherUnit(_))
        ));
        // One character changed (the verdict turned into 通过): refused.
        let forged = Signed {
            message: signed.message.replace("returned", "passed"),
            ..signed.clone()
        };
        assert!(matches!(
            forged.open(&public, None),
            Err(MessageProblem::Signature(_))
        ));
        // Unsigned; signed by another key; a campaign signature over the same bytes.
        let unsigned = Signed {
            signature: String::new(),
            ..signed.clone()
        };
        assert!(unsigned.open(&public, None).is_err());
        let other = tempfile::tempdir().unwrap();
        let (stranger, _) = DeskKey::load_or_create(other.path()).unwrap();
        assert!(m.sign(&stranger).unwrap().open(&public, None).is_err());
        let as_campaign = Signed {
            signature: key.sign(signed.message.as_bytes()),
            ..signed.clone()
        };
        assert!(as_campaign.open(&public, None).is_err());
    }

    #[test]
    fn what_cannot_be_a_message_is_refused_before_signing() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = DeskKey::load_or_create(dir.path()).unwrap();
        let sha = "ab".repeat(32);
        let returned_bare =
            Message::review("u", "c", now(), (&sha, ""), Verdict::Returned, " ", vec![]);
        assert!(returned_bare.sign(&key).unwrap_err().contains("理由"));
        let no_bundle = Message::review("u", "c", now(), ("x", ""), Verdict::Passed, "", vec![]);
        assert!(no_bundle.sign(&key).is_err());
        let long = Message::reminder("u", "c", now(), &"催".repeat(MAX_TEXT + 1));
        assert!(long.sign(&key).unwrap_err().contains("2000"));
        let empty = Message::reminder("u", "c", now(), "  ");
        assert!(empty.sign(&key).is_err());
        let no_unit = Message::reminder(" ", "c", now(), "请报送");
        assert!(no_unit.sign(&key).is_err());
    }

    #[test]
    fn the_inbox_keeps_each_message_once_and_believes_only_what_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = DeskKey::load_or_create(&dir.path().join("k")).unwrap();
        let inbox = Inbox::in_data_dir(dir.path());
        let units = vec!["渝中区妇联".to_string()];
        let remind = Message::reminder("渝中区妇联", "c", now(), "请于3月12日前报送")
            .sign(&key)
            .unwrap();
        assert_eq!(
            inbox.keep(None, &[remind.clone(), remind.clone()]).unwrap(),
            1
        );
        assert_eq!(inbox.keep(None, std::slice::from_ref(&remind)).unwrap(), 0);
        // Another unit's drafts only, and no word from the intake: not shown…
        assert!(
            inbox
                .messages(&key.public(), &["江北区妇联".to_string()])
                .is_empty()
        );
        // …until the intake answered for this PC's token's unit.
        inbox.keep(Some("渝中区妇联"), &[]).unwrap();
        assert_eq!(inbox.messages(&key.public(), &[]).len(), 1);
        let shown = inbox.unshown_reminders(&inbox.messages(&key.public(), &units));
        assert_eq!(shown.len(), 1);
        inbox.mark_shown(&shown[0].id).unwrap();
        assert!(
            inbox
                .unshown_reminders(&inbox.messages(&key.public(), &units))
                .is_empty()
        );
        assert_eq!(inbox.unacknowledged(), vec![shown[0].id.clone()]);
        inbox.mark_acknowledged(&shown[0].id).unwrap();
        assert!(inbox.unacknowledged().is_empty());
        // Changed on disk: no longer believed.
        let file = dir.path().join("reviews").join(INBOX_FILE);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("3月12日", "3月15日")).unwrap();
        assert!(inbox.messages(&key.public(), &units).is_empty());
    }
}

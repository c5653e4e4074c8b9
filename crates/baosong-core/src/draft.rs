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

/// The server's confirmation of a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub endpoint: String,
    /// The tus upload's address, or what the plain server called it.
    pub reference: String,
    pub confirmed_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub bundle_sha256: String,
    #[serde(default)]
    pub bytes: u64,
    /// `tus` or `multipart`.
    #[serde(default)]
    pub protocol: String,
    #[serde(default)]
    pub bundle_name: String,
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

/// One piece of material: a file copied into the draft's `files/`, or a link to a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    /// 图片说明 / 说明, as typed.
    #[serde(default)]
    pub caption: String,
    #[serde(default = "epoch")]
    pub added_at: DateTime<FixedOffset>,
    pub material: Material,
}

fn epoch() -> DateTime<FixedOffset> {
    DateTime::UNIX_EPOCH.fixed_offset()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Material {
    File(StoredFile),
    Link(Link),
}

/// What a file is, decided by its content (see `media::sniff`), never by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Photo,
    Video,
    Document,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Photo => "图片",
            Self::Video => "视频",
            Self::Document => "文档",
        }
    }
}

/// A file in `files/`: what it was called, what it is, and how to tell it is still the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredFile {
    pub kind: Option<FileKind>,
    /// The precise format (`jpeg`, `mp4`, `docx`, …), also the stored file's extension.
    pub format: String,
    /// The name the clerk's file had (for display and for the bundle).
    pub original_name: String,
    /// The name under `files/`.
    pub stored_name: String,
    pub bytes: u64,
    /// sha256 of the stored copy, lowercase hex.
    pub sha256: String,
    /// The stored copy's modification time (milliseconds since 1970) when it was made.
    pub modified_ms: i64,
    /// GPS/location data was found in the original and removed from the copy.
    pub location_removed: bool,
    /// A video's location could not be looked for or not all of it removed (see
    /// `media::video_location`): the copy may still say where it was taken. The tile says so.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub location_kept: bool,
    pub info: MediaInfo,
}

/// What the tile and the viewer say of a photo or video whose location may be left in it.
pub const LOCATION_KEPT: &str = "未能确认已移除位置信息：文件中可能仍含拍摄地点，请用手机或编辑软件去除后重新添加，或确认可以公开";

/// What the media probe read: sizes after orientation, duration, codec, page count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaInfo {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    pub frame_rate: Option<f64>,
    pub codec: Option<String>,
    /// Degrees clockwise the picture is shown rotated (0, 90, 180, 270).
    pub rotation: Option<u16>,
    pub pages: Option<u32>,
    /// When a photo was taken, as the camera wrote it (`2024:03:08 10:15:00`).
    pub taken_at: Option<String>,
    /// A problem the probe found (a truncated video…), in Chinese; the file is still attached.
    pub warning: Option<String>,
}

/// A link to a new-media post (微信公众号, 抖音, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Link {
    pub url: String,
    /// The platform recognised from the URL (`微信公众号`), or `其他`.
    pub platform: String,
    pub title: String,
}

impl Attachment {
    pub fn file(&self) -> Option<&StoredFile> {
        match &self.material {
            Material::File(f) => Some(f),
            Material::Link(_) => None,
        }
    }

    pub fn kind(&self) -> Option<FileKind> {
        self.file().and_then(|f| f.kind)
    }

    pub fn is_photo_or_video(&self) -> bool {
        matches!(self.kind(), Some(FileKind::Photo | FileKind::Video))
    }

    /// The name the clerk reads: the file's original name, or the link's title or address.
    pub fn display_name(&self) -> &str {
        match &self.material {
            Material::File(f) => &f.original_name,
            Material::Link(l) if !l.title.trim().is_empty() => &l.title,
            Material::Link(l) => &l.url,
        }
    }
}

/// Where an attachment sits: on an activity, or in 综合材料.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Place {
    General,
    Activity {
        item_id: ItemId,
        activity_id: ActivityId,
    },
}

/// A place materials can go, as the clerk and a script name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceChoice {
    /// `一是 加强理论武装 · 活动1：巾帼宣讲进社区`, `综合材料（不属于某一个活动）`.
    pub label: String,
    /// `1-1` (the campaign's first item, its first activity); `综合` for the general materials.
    pub code: String,
    /// The activity's title (empty for 综合材料 or an untitled activity).
    pub title: String,
    pub place: Place,
}

/// Every place materials can go in `draft`: each activity in the campaign's order, then 综合材料.
pub fn places(campaign: &Campaign, draft: &Draft) -> Vec<PlaceChoice> {
    let mut out = Vec::new();
    for (i, (_, item)) in campaign.items().enumerate() {
        let Some(answer) = draft.answer(item.id.as_str()) else {
            continue;
        };
        for (n, a) in answer.activities.iter().enumerate() {
            let title = a.title.trim();
            let shown = if title.is_empty() {
                "（未命名）"
            } else {
                title
            };
            out.push(PlaceChoice {
                label: format!("{} · 活动{}：{shown}", item.title, n + 1),
                code: format!("{}-{}", i + 1, n + 1),
                title: title.to_string(),
                place: Place::Activity {
                    item_id: item.id.clone(),
                    activity_id: a.id.clone(),
                },
            });
        }
    }
    out.push(PlaceChoice {
        label: "综合材料（不属于某一个活动）".into(),
        code: "综合".into(),
        title: String::new(),
        place: Place::General,
    });
    out
}

/// The files already in `draft` (removed ones too), each with where it is in the clerk's words:
/// an identical file is not attached twice.
pub fn known_files(campaign: &Campaign, draft: &Draft) -> Vec<(String, String)> {
    let choices = places(campaign, draft);
    let label = |place: &Place| {
        choices
            .iter()
            .find(|c| &c.place == place)
            .map_or_else(|| "综合材料".into(), |c| c.label.clone())
    };
    let mut known: Vec<(String, String)> = draft
        .all_attachments()
        .filter_map(|(place, a)| {
            a.file()
                .map(|f| (f.sha256.clone(), format!("“{}”", label(&place))))
        })
        .collect();
    known.extend(draft.removed.iter().filter_map(|r| {
        r.attachment
            .file()
            .map(|f| (f.sha256.clone(), "已移除的材料中（可恢复）".to_string()))
    }));
    known
}

/// An attachment the clerk removed, and where it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedAttachment {
    pub attachment: Attachment,
    pub from: Place,
    /// Its position there, so 恢复 puts it back where it was.
    #[serde(default)]
    pub index: usize,
    pub removed_at: DateTime<FixedOffset>,
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

/// Why a transition was refused. `Display` is for the log; [`TransitionError::user_message`]
/// is what the clerk reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{0} problems left, cannot mark as ready")]
    HasProblems(usize),
    #[error("the draft was submitted and cannot change")]
    AlreadySubmitted,
    #[error("the draft is being submitted")]
    Submitting,
    #[error("the draft is not being submitted")]
    NotSubmitting,
}

impl TransitionError {
    pub fn user_message(&self) -> String {
        match self {
            Self::HasProblems(n) => format!("还有 {n} 个问题需要修改，暂不能标记为已完成。"),
            Self::AlreadySubmitted => "此草稿已报送，不能再修改；如需补充，请复制为新草稿。".into(),
            Self::Submitting => "此草稿正在报送，请等待报送结束。".into(),
            Self::NotSubmitting => {
                "此草稿不在报送中，报送结果没有记录。请查看草稿的状态后重试。".into()
            }
        }
    }
}

/// What an edit did to the draft's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// Nothing changed in its status.
    Quietly,
    /// It was 已完成待报送 (or 报送失败) and is a 草稿 again: it must be checked again.
    BackToDraft,
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

    /// Can the clerk change it? Not while sending, not once sent.
    pub fn is_editable(&self) -> bool {
        !matches!(self.status, Status::Submitting | Status::Submitted { .. })
    }

    /// Something was changed: a checked draft must be checked again.
    pub fn mark_edited(&mut self, now: DateTime<FixedOffset>) -> Result<Edited, TransitionError> {
        let edited = match self.status {
            Status::Submitted { .. } => return Err(TransitionError::AlreadySubmitted),
            Status::Submitting => return Err(TransitionError::Submitting),
            Status::Ready | Status::Failed { .. } => {
                self.status = Status::Draft;
                Edited::BackToDraft
            }
            Status::Draft => Edited::Quietly,
        };
        self.updated_at = now;
        Ok(edited)
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

    /// 一键报送 starts: 已完成待报送 (or 报送失败, or a checked 草稿) → 报送中. A 已报送 draft is sent
    /// again only when `again` (the clerk insists). Nothing can be edited meanwhile.
    pub fn start_submitting(
        &mut self,
        problem_count: usize,
        again: bool,
    ) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitting => Err(TransitionError::Submitting),
            Status::Submitted { .. } if !again => Err(TransitionError::AlreadySubmitted),
            _ if problem_count > 0 => Err(TransitionError::HasProblems(problem_count)),
            _ => {
                self.status = Status::Submitting;
                Ok(())
            }
        }
    }

    /// Where the draft stands: 草稿, 已完成待报送, 报送中, 已报送, 报送失败.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The server confirmed: 报送中 → 已报送, with its receipt.
    pub fn submitted(&mut self, receipt: Receipt) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = Status::Submitted { receipt };
        Ok(())
    }

    /// The upload failed for good: 报送中 → 报送失败, with the reason (重新报送 resumes).
    pub fn submission_failed(&mut self, reason: String) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = Status::Failed { reason };
        Ok(())
    }

    /// 取消, or nothing to send (this very bundle was confirmed before): 报送中 → 已完成待报送,
    /// or back to 已报送 when it was a re-send.
    pub fn submission_ended_unsent(&mut self, before: Status) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = match before {
            Status::Submitted { .. } => before,
            _ => Status::Ready,
        };
        Ok(())
    }

    fn while_submitting(&self) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitting => Ok(()),
            _ => Err(TransitionError::NotSubmitting),
        }
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

    /// A fresh attachment id, reserved at once (an import in progress names its file with it).
    /// Record the new times of copies whose content was found unchanged (a folder copied to
    /// another PC): not an edit — the status and `updated_at` stay — only so that they are not
    /// hashed again. Returns whether anything changed.
    pub fn refresh_file_times(&mut self, times: &[(AttachmentId, i64)]) -> bool {
        let mut changed = false;
        let mut places: Vec<Place> = self.all_attachments().map(|(p, _)| p).collect();
        places.dedup();
        for place in places {
            let Some(list) = self.attachments_mut(&place) else {
                continue;
            };
            for a in list.iter_mut() {
                if let Material::File(f) = &mut a.material
                    && let Some((_, t)) = times.iter().find(|(id, _)| *id == a.id)
                    && f.modified_ms != *t
                {
                    f.modified_ms = *t;
                    changed = true;
                }
            }
        }
        changed
    }

    pub fn reserve_attachment_id(&mut self) -> AttachmentId {
        let id = AttachmentId::new(format!("f{}", self.next_attachment.max(1)));
        self.next_attachment = self.next_attachment.max(1) + 1;
        id
    }

    /// The attachments at a place; `None` when the activity does not exist (any more).
    pub fn attachments(&self, place: &Place) -> Option<&Vec<Attachment>> {
        match place {
            Place::General => Some(&self.general),
            Place::Activity {
                item_id,
                activity_id,
            } => self
                .activity(item_id.as_str(), activity_id.as_str())
                .map(|a| &a.attachments),
        }
    }

    pub fn attachments_mut(&mut self, place: &Place) -> Option<&mut Vec<Attachment>> {
        match place {
            Place::General => Some(&mut self.general),
            Place::Activity {
                item_id,
                activity_id,
            } => self
                .activity_mut(item_id.as_str(), activity_id.as_str())
                .map(|a| &mut a.attachments),
        }
    }

    /// Every attachment in the draft with its place, in the notice's order then 综合材料.
    pub fn all_attachments(&self) -> impl Iterator<Item = (Place, &Attachment)> {
        let on_activities = self.answers.iter().flat_map(|(item_id, answer)| {
            answer.activities.iter().flat_map(move |a| {
                a.attachments.iter().map(move |att| {
                    (
                        Place::Activity {
                            item_id: item_id.clone(),
                            activity_id: a.id.clone(),
                        },
                        att,
                    )
                })
            })
        });
        on_activities.chain(self.general.iter().map(|a| (Place::General, a)))
    }

    /// The attachment (anywhere in the draft, removed ones included) whose copy has this hash.
    pub fn find_by_sha256(&self, sha256: &str) -> Option<(Place, &Attachment)> {
        self.all_attachments()
            .find(|(_, a)| a.file().is_some_and(|f| f.sha256 == sha256))
    }

    /// Move an attachment to the removed list (restorable).
    pub fn remove_attachment(
        &mut self,
        place: &Place,
        id: &AttachmentId,
        now: DateTime<FixedOffset>,
    ) -> bool {
        let Some(list) = self.attachments_mut(place) else {
            return false;
        };
        let Some(index) = list.iter().position(|a| &a.id == id) else {
            return false;
        };
        let attachment = list.remove(index);
        self.removed.push(RemovedAttachment {
            attachment,
            from: place.clone(),
            index,
            removed_at: now,
        });
        true
    }

    /// Put a removed attachment back where it was (or in 综合材料 if its activity is gone).
    pub fn restore_attachment(&mut self, id: &AttachmentId) -> Option<Place> {
        let index = self.removed.iter().position(|r| &r.attachment.id == id)?;
        let RemovedAttachment {
            attachment,
            from,
            index: at,
            ..
        } = self.removed.remove(index);
        let (place, at) = if self.attachments(&from).is_some() {
            (from, at)
        } else {
            (Place::General, usize::MAX)
        };
        let list = self.attachments_mut(&place)?;
        list.insert(at.min(list.len()), attachment);
        Some(place)
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

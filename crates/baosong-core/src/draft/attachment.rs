//! What a draft's materials are: attachments (a file copied into `files/`, or a link to a
//! post), where each sits (an activity, or 综合材料), the ones removed (restorable), and the
//! draft's own operations on them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{ActivityId, AttachmentId, Draft, ItemId};
use crate::campaign::Campaign;

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

impl Draft {
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

    /// A fresh attachment id, reserved at once (an import in progress names its file with it).
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
}

//! The check before sending (检查并提交): every problem of a draft, each pointing at the field
//! that fixes it; reminders that do not block sending (an activity without a photo or video);
//! and each pillar's progress (未开始 / 进行中 / 已完成 / 有问题).
//!
//! Which problems a form shows while the clerk is still typing is the GOV.UK rule: a field's
//! problem once she has left the field, or once she has visited 检查并提交 ([`Reveal`]).

use std::collections::{HashMap, HashSet};

mod input;
mod progress;
mod rules;

pub use input::{check_field, check_phone, check_reason, participant_count};
pub use progress::{Progress, item_progress, pillar_progress};

use super::campaign::Campaign;
use super::draft::{ActivityField, ActivityId, AttachmentId, Draft, ItemId, Place};

/// Where a problem is listed: the unit profile, one of the pillars (by index), or 综合材料.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Profile,
    Pillar(usize),
    General,
}

/// The field a problem is fixed in; the GUI jumps there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    UnitName,
    ContactPerson,
    Phone,
    /// The item as a whole: add an activity or mark it 本项未开展.
    Item {
        item_id: ItemId,
    },
    /// The reason for 本项未开展.
    ItemReason {
        item_id: ItemId,
    },
    ActivityField {
        item_id: ItemId,
        activity_id: ActivityId,
        field: ActivityField,
    },
    /// An activity's materials (add a photo).
    ActivityMaterials {
        item_id: ItemId,
        activity_id: ActivityId,
    },
    /// One attachment (a file that vanished, one over the limit).
    Attachment {
        place: Place,
        attachment_id: AttachmentId,
    },
    /// One of the department's 退回修改 notes (by its place in the draft's correction), on an
    /// item or one of its activities: listed until the clerk ticks it off (已按意见修改).
    CorrectionNote {
        index: usize,
        item_id: ItemId,
        activity_id: Option<ActivityId>,
    },
}

impl Target {
    /// The item the target is in, if any.
    pub fn item_id(&self) -> Option<&ItemId> {
        match self {
            Self::Item { item_id }
            | Self::ItemReason { item_id }
            | Self::ActivityField { item_id, .. }
            | Self::ActivityMaterials { item_id, .. }
            | Self::CorrectionNote { item_id, .. }
            | Self::Attachment {
                place: Place::Activity { item_id, .. },
                ..
            } => Some(item_id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub section: Section,
    pub target: Target,
    /// Where, in the clerk's words (e.g. `一是 加强理论武装 · 活动1`).
    pub place: String,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// What must be mended before sending.
    pub problems: Vec<Problem>,
    /// 提醒: worth a look, but sending is allowed.
    pub reminders: Vec<Problem>,
}

impl Report {
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.section == section)
    }

    pub fn reminders_in(&self, section: Section) -> impl Iterator<Item = &Problem> {
        self.reminders.iter().filter(move |p| p.section == section)
    }

    /// Problems inside one item (its choice, its reason, its activities and their files).
    pub fn in_item<'a>(&'a self, item_id: &'a str) -> impl Iterator<Item = &'a Problem> + 'a {
        self.problems
            .iter()
            .filter(move |p| p.target.item_id().is_some_and(|i| i == item_id))
    }

    /// The problem on one field, if any (shown under the field).
    pub fn on(&self, target: &Target) -> Option<&Problem> {
        self.problems.iter().find(|p| &p.target == target)
    }
}

/// Which problems the forms show: all of them (检查并提交 was visited; the CLI), or only those
/// of the fields the clerk has left.
#[derive(Debug, Clone, Copy)]
pub enum Reveal<'a> {
    All,
    Touched(&'a HashSet<Target>),
}

impl Reveal<'_> {
    /// Is this problem shown yet? Typing problems wait until their field was left; problems of
    /// an item as a whole and of files are the clerk's own doing and shown at once.
    pub fn shows(&self, target: &Target) -> bool {
        match (self, target) {
            (Self::All, _) => true,
            (
                _,
                Target::Item { .. } | Target::Attachment { .. } | Target::CorrectionNote { .. },
            ) => true,
            (Self::Touched(touched), t) => touched.contains(t),
        }
    }
}

/// What the store found wrong with an attachment's copy in `files/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    /// The copy is gone.
    Missing,
    /// The copy's size or modification time is not what was recorded.
    Changed,
}

/// The attachments whose copies are not as recorded (from a check of the draft's folder).
pub type FileProblems = HashMap<AttachmentId, FileProblem>;

/// Check the whole draft against its campaign (files assumed as recorded).
pub fn validate(campaign: &Campaign, draft: &Draft) -> Report {
    validate_with_files(campaign, draft, &FileProblems::new())
}

/// Check the whole draft, with what a check of its files found.
pub fn validate_with_files(campaign: &Campaign, draft: &Draft, files: &FileProblems) -> Report {
    let out = rules::check_draft(campaign, draft, files);
    Report {
        problems: out.problems,
        reminders: out.reminders,
    }
}

/// The sections of 检查并提交 in order, with their headings (the check page and the CLI).
pub fn sections(campaign: &Campaign) -> Vec<(Section, String)> {
    std::iter::once((Section::Profile, "单位信息".to_string()))
        .chain(
            campaign
                .pillars
                .iter()
                .enumerate()
                .map(|(i, p)| (Section::Pillar(i), p.heading())),
        )
        .chain(std::iter::once((Section::General, "综合材料".to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::{Attachment, FileKind, Material, StoredFile, UnitProfile};
    use chrono::DateTime;

    fn campaign() -> Campaign {
        Campaign::builtin().unwrap()
    }

    fn photo(id: &str, bytes: u64) -> Attachment {
        Attachment {
            id: id.into(),
            caption: String::new(),
            added_at: DateTime::UNIX_EPOCH.fixed_offset(),
            material: Material::File(StoredFile {
                kind: Some(FileKind::Photo),
                original_name: format!("{id}.jpg"),
                bytes,
                ..StoredFile::default()
            }),
        }
    }

    fn filled_draft(c: &Campaign) -> Draft {
        let now = DateTime::parse_from_rfc3339("2024-03-01T10:00:00+08:00").unwrap();
        let unit = UnitProfile {
            unit: "渝中区妇联".into(),
            typed: false,
            contact_person: "张丽".into(),
            phone: "023-63751234".into(),
        };
        let mut d = Draft::new("d".into(), c, unit, now);
        let ids: Vec<ItemId> = c.items().map(|(_, it)| it.id.clone()).collect();
        for (n, id) in ids.iter().enumerate() {
            let aid = d.add_activity(id.as_str());
            let a = d.activity_mut(id.as_str(), aid.as_str()).unwrap();
            a.title = "“巾帼大宣讲”进社区".into();
            a.date = "2024-03-05".into();
            a.place = "解放碑街道社区活动中心".into();
            a.organiser = "渝中区妇联".into();
            a.participants = "120".into();
            a.summary = "宣讲党的创新理论。".into();
            a.attachments.push(photo(&format!("f{n}"), 1000));
        }
        d
    }

    #[test]
    fn an_item_expecting_a_video_reminds_and_never_refuses() {
        let mut c = campaign();
        c.pillars[0].items[0].expects = vec![
            crate::campaign::Expected::Photo,
            crate::campaign::Expected::Video,
        ];
        let d = filled_draft(&c);
        let r = validate(&c, &d);
        assert!(r.is_ready(), "{:?}", r.problems);
        let m: Vec<&str> = r.reminders.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            m,
            ["市妇联要求本项的活动报送图片、视频，本活动还没有视频，建议添加"]
        );
        // With a video it is satisfied.
        let mut d = d;
        let mut video = photo("v", 1000);
        if let Material::File(f) = &mut video.material {
            f.kind = Some(FileKind::Video);
        }
        d.answer_mut("p1-1").activities[0].attachments.push(video);
        assert!(validate(&c, &d).reminders.is_empty());
    }

    #[test]
    fn a_complete_draft_is_ready() {
        let c = campaign();
        let d = filled_draft(&c);
        let r = validate(&c, &d);
        assert!(r.is_ready(), "{:?}", r.problems);
        assert!(r.reminders.is_empty(), "{:?}", r.reminders);
        for i in 0..3 {
            assert_eq!(pillar_progress(&c, &r, &Reveal::All, &d, i), Progress::Done);
        }
    }

    #[test]
    fn an_empty_draft_lists_every_item_and_the_profile() {
        let c = campaign();
        let d = Draft::new(
            "d".into(),
            &c,
            UnitProfile::default(),
            DateTime::UNIX_EPOCH.fixed_offset(),
        );
        let r = validate(&c, &d);
        assert_eq!(r.in_section(Section::Profile).count(), 3);
        assert_eq!(r.problems.len(), 3 + 10);
        assert_eq!(
            pillar_progress(&c, &r, &Reveal::All, &d, 0),
            Progress::NotStarted
        );
    }

    #[test]
    fn names_each_kind_of_problem() {
        let c = campaign();
        let mut d = filled_draft(&c);
        d.unit.phone = "6712".into();
        {
            let a = &mut d.answer_mut("p1-1").activities[0];
            a.title = "  ".into();
            a.date = "2024-01-05".into();
            a.participants = "很多".into();
            a.summary = "字".repeat(2001);
        }
        d.answer_mut("p1-2").activities[0].date = "三月八日".into();
        let ans = d.answer_mut("p2-1");
        ans.not_carried_out = true; // still has its activity, and no reason
        let r = validate(&c, &d);
        let msgs: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
        let has = |s: &str| msgs.iter().any(|m| m.contains(s));
        assert!(has("联系电话格式不正确"), "{msgs:?}");
        assert!(has("请填写活动名称"));
        assert!(has("不在本次活动期间（2024年2月20日至2024年3月12日）"));
        assert!(has("参与人数请填写人数"));
        assert!(has("简要情况不能超过2000字（现为2001字）"));
        assert!(has("日期“三月八日”看不懂"));
        assert!(has("请填写未开展的原因"));
        assert!(has("但仍填有活动"));
        assert_eq!(
            pillar_progress(&c, &r, &Reveal::All, &d, 0),
            Progress::HasProblems
        );
        assert_eq!(pillar_progress(&c, &r, &Reveal::All, &d, 2), Progress::Done);
        let title = Target::ActivityField {
            item_id: "p1-1".into(),
            activity_id: d.answer("p1-1").unwrap().activities[0].id.clone(),
            field: ActivityField::Title,
        };
        assert_eq!(r.on(&title).unwrap().place, "一是 加强理论武装 · 活动1");
    }

    #[test]
    fn an_unfinished_activity_is_in_progress_until_its_fields_are_left() {
        let c = campaign();
        let mut d = filled_draft(&c);
        d.add_activity("p1-1");
        let r = validate(&c, &d);
        let touched = HashSet::new();
        assert_eq!(
            item_progress(&r, &Reveal::Touched(&touched), &d, "p1-1"),
            Progress::InProgress,
            "adding an activity is not an error"
        );
        let title = r.in_item("p1-1").next().unwrap().target.clone();
        let touched: HashSet<Target> = [title].into();
        assert_eq!(
            item_progress(&r, &Reveal::Touched(&touched), &d, "p1-1"),
            Progress::HasProblems
        );
        assert_eq!(
            item_progress(&r, &Reveal::All, &d, "p1-1"),
            Progress::HasProblems
        );
    }

    #[test]
    fn phone_numbers() {
        for ok in [
            "13812345678",
            "023-67125371",
            "67125371",
            "(023)67125371",
            "023 6712 5371",
            "+86 138 1234 5678",
            "023-67125371转123",
            // Typed with a Chinese input method: full-width digits and signs.
            "１３８１２３４５６７８",
            "０２３－６７１２５３７１",
            "（０２３）６７１２５３７１",
        ] {
            assert!(check_phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "6712",
            "12345678901",
            "023-6712537a",
            "电话",
            "0236712537112345",
        ] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn participants_as_clerks_write_them() {
        for (text, n) in [
            ("120", 120),
            ("120人", 120),
            ("约120人", 120),
            ("120余人", 120),
            ("100多人", 100),
            ("近200人", 200),
            ("1,200人", 1200),
            ("1.2万人", 12000),
            ("300人次", 300),
            ("约 50 人", 50),
            // Full-width, as a Chinese input method types them.
            ("１２０", 120),
            ("约１２０人", 120),
            ("１，２００人", 1200),
            ("１．２万人", 12000),
        ] {
            assert_eq!(participant_count(text), Some(n), "{text}");
        }
        for bad in ["很多", "", "人", "一百人", "1.2.3", "约"] {
            assert_eq!(participant_count(bad), None, "{bad}");
        }
    }

    #[test]
    fn not_carried_out_needs_a_real_reason() {
        let c = campaign();
        let mut d = filled_draft(&c);
        let ans = d.answer_mut("p3-3");
        ans.activities.clear();
        ans.not_carried_out = true;
        for poor in ["无", "没有", "无。", "暂无", "不适用"] {
            d.answer_mut("p3-3").reason = poor.into();
            let r = validate(&c, &d);
            assert!(
                r.problems.iter().any(|p| p.message.contains("请具体说明")),
                "{poor}"
            );
        }
        d.answer_mut("p3-3").reason = "本年度该项工作由区司法局牵头开展".into();
        let r = validate(&c, &d);
        assert!(r.is_ready(), "{:?}", r.problems);
        assert_eq!(
            item_progress(&r, &Reveal::All, &d, "p3-3"),
            Progress::NotCarriedOut
        );
        assert_eq!(pillar_progress(&c, &r, &Reveal::All, &d, 2), Progress::Done);
    }

    #[test]
    fn materials_remind_block_and_flag_files() {
        let mut c = campaign();
        let mut d = filled_draft(&c);
        d.answer_mut("p1-1").activities[0].attachments.clear();
        let r = validate(&c, &d);
        assert!(r.is_ready(), "a missing photo is only a reminder");
        assert_eq!(r.reminders.len(), 1);
        assert_eq!(
            r.reminders[0].message,
            "本活动还没有图片、视频或新媒体链接。通知要求报送图片、视频、活动稿件、新媒体产品等，建议添加"
        );
        // A post on new media alone is material: no reminder.
        let mut with_link = d.clone();
        with_link.answer_mut("p1-1").activities[0]
            .attachments
            .push(Attachment {
                id: "f9".into(),
                caption: String::new(),
                added_at: d.updated_at,
                material: Material::Link(crate::draft::Link {
                    url: "https://mp.weixin.qq.com/s/abc".into(),
                    platform: "微信公众号".into(),
                    title: String::new(),
                }),
            });
        assert!(validate(&c, &with_link).reminders.is_empty());

        c.pillars[0].items[0].min_photos = Some(2);
        let r = validate(&c, &d);
        assert!(r.problems[0].message.contains("至少有2张图片（现有0张）"));

        let c = campaign();
        let mut d = filled_draft(&c);
        d.answer_mut("p1-2").activities[0].attachments[0] = photo("big", 60 * 1024 * 1024);
        d.general.push(photo("gone", 10));
        let files: FileProblems = [
            (AttachmentId::from("gone"), FileProblem::Missing),
            (AttachmentId::from("f0"), FileProblem::Changed),
        ]
        .into();
        let r = validate_with_files(&c, &d, &files);
        let msgs: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("“big.jpg”大小为60 MB，超过图片的上限50 MB")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("“gone.jpg”在草稿文件夹中的副本不见了"))
        );
        assert!(msgs.iter().any(|m| m.contains("“f0.jpg”在添加后被改动过")));
        assert_eq!(r.in_section(Section::General).count(), 1);
    }
}

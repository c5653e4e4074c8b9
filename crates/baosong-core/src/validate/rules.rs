//! The rules of a whole report: the unit's profile, each item (an activity or 本项未开展 with a
//! reason), each activity's fields and materials, each attachment's copy and size.

use super::input::{check_field, check_phone, check_reason};
use super::{FileProblem, FileProblems, Problem, Section, Target};
use crate::campaign::{Campaign, Expected};
use crate::draft::{
    Activity, ActivityField, ActivityId, Attachment, Draft, FileKind, ItemAnswer, ItemId, Place,
};
use crate::units::human_bytes;

/// Every problem and reminder of the draft, with what a check of its files found.
pub(super) fn check_draft(campaign: &Campaign, draft: &Draft, files: &FileProblems) -> Out {
    let mut out = Out::default();
    check_profile(draft, &mut out);
    let empty = ItemAnswer::default();
    for (pi, pillar) in campaign.pillars.iter().enumerate() {
        for item in &pillar.items {
            let answer = draft.answer(item.id.as_str()).unwrap_or(&empty);
            let ctx = ItemContext {
                campaign,
                section: Section::Pillar(pi),
                item_id: &item.id,
                place: format!("{} {}", item.number, item.title).trim().to_string(),
                min_photos: item.min_photos.unwrap_or(0),
                expects: &item.expects,
                files,
            };
            check_item(&ctx, answer, &mut out);
        }
    }
    check_correction(campaign, draft, &mut out);
    for attachment in &draft.general {
        check_attachment(
            campaign,
            files,
            Section::General,
            &Place::General,
            "综合材料",
            attachment,
            &mut out,
        );
    }
    out
}

#[derive(Default)]
pub(super) struct Out {
    pub(super) problems: Vec<Problem>,
    pub(super) reminders: Vec<Problem>,
}

impl Out {
    fn problem(&mut self, section: Section, target: Target, place: &str, message: String) {
        self.problems.push(Problem {
            section,
            target,
            place: place.to_string(),
            message,
        });
    }

    fn reminder(&mut self, section: Section, target: Target, place: &str, message: String) {
        self.reminders.push(Problem {
            section,
            target,
            place: place.to_string(),
            message,
        });
    }
}

fn check_profile(draft: &Draft, out: &mut Out) {
    let mut push = |target, message: &str| {
        out.problem(Section::Profile, target, "单位信息", message.into());
    };
    let u = &draft.unit;
    if u.unit.trim().is_empty() {
        push(
            Target::UnitName,
            "请选择报送单位；市级机关妇委会请选择“其他单位”后填写单位全称",
        );
    }
    if u.contact_person.trim().is_empty() {
        push(Target::ContactPerson, "请填写联系人姓名");
    }
    if u.phone.trim().is_empty() {
        push(Target::Phone, "请填写联系电话");
    } else if let Err(m) = check_phone(&u.phone) {
        push(Target::Phone, m);
    }
}

struct ItemContext<'a> {
    campaign: &'a Campaign,
    section: Section,
    item_id: &'a ItemId,
    place: String,
    min_photos: u32,
    expects: &'a [Expected],
    files: &'a FileProblems,
}

fn check_item(ctx: &ItemContext<'_>, answer: &ItemAnswer, out: &mut Out) {
    let item = |item_id: &ItemId| Target::Item {
        item_id: item_id.clone(),
    };
    if answer.not_carried_out {
        if let Some(message) = check_reason(&answer.reason) {
            out.problem(
                ctx.section,
                Target::ItemReason {
                    item_id: ctx.item_id.clone(),
                },
                &ctx.place,
                message.into(),
            );
        }
        if !answer.activities.is_empty() {
            out.problem(
                ctx.section,
                item(ctx.item_id),
                &ctx.place,
                "已标记“本项未开展”，但仍填有活动：请删除这些活动，或取消“本项未开展”".into(),
            );
        }
        return;
    }
    if answer.activities.is_empty() {
        out.problem(
            ctx.section,
            item(ctx.item_id),
            &ctx.place,
            "本项尚未填写：请添加开展的活动，或勾选“本项未开展”并说明原因".into(),
        );
        return;
    }
    for (n, activity) in answer.activities.iter().enumerate() {
        let where_ = format!("{} · 活动{}", ctx.place, n + 1);
        check_activity(ctx, activity, &where_, out);
    }
}

fn check_activity(ctx: &ItemContext<'_>, activity: &Activity, where_: &str, out: &mut Out) {
    for field in ActivityField::ALL {
        if let Some(message) = check_field(ctx.campaign, field, field.value(activity)) {
            out.problem(
                ctx.section,
                Target::ActivityField {
                    item_id: ctx.item_id.clone(),
                    activity_id: activity.id.clone(),
                    field,
                },
                where_,
                message,
            );
        }
    }
    let materials = Target::ActivityMaterials {
        item_id: ctx.item_id.clone(),
        activity_id: activity.id.clone(),
    };
    let photos = activity
        .attachments
        .iter()
        .filter(|a| a.kind() == Some(FileKind::Photo))
        .count();
    if (photos as u64) < u64::from(ctx.min_photos) {
        out.problem(
            ctx.section,
            materials.clone(),
            where_,
            format!(
                "本项要求每个活动至少有{}张图片（现有{photos}张），请添加",
                ctx.min_photos
            ),
        );
    } else if !activity
        .attachments
        .iter()
        .any(|a| a.is_photo_or_video() || a.file().is_none())
    {
        // A post on new media (a link) is material too; a write-up alone shows nothing of the day.
        let asked = match ctx.campaign.material_kinds_text.trim() {
            "" => "图片、视频等材料",
            text => text,
        };
        out.reminder(
            ctx.section,
            materials.clone(),
            where_,
            format!("本活动还没有图片、视频或新媒体链接。通知要求报送{asked}，建议添加"),
        );
    }
    // What the department said this item needs, and the activity lacks: a reminder.
    let has = |e: Expected| {
        activity.attachments.iter().any(|a| match e {
            Expected::Photo => a.kind() == Some(FileKind::Photo),
            Expected::Video => a.kind() == Some(FileKind::Video),
            Expected::Document => a.kind() == Some(FileKind::Document),
            Expected::Link => a.file().is_none(),
        })
    };
    let lacking: Vec<&str> = ctx
        .expects
        .iter()
        .filter(|e| !has(**e))
        .map(|e| e.label())
        .collect();
    if !lacking.is_empty() {
        out.reminder(
            ctx.section,
            materials,
            where_,
            format!(
                "市妇联要求本项的活动报送{}，本活动还没有{}，建议添加",
                ctx.expects
                    .iter()
                    .map(|e| e.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                lacking.join("、")
            ),
        );
    }
    let place = Place::Activity {
        item_id: ctx.item_id.clone(),
        activity_id: activity.id.clone(),
    };
    for attachment in &activity.attachments {
        check_attachment(
            ctx.campaign,
            ctx.files,
            ctx.section,
            &place,
            where_,
            attachment,
            out,
        );
    }
}

fn check_attachment(
    campaign: &Campaign,
    files: &FileProblems,
    section: Section,
    place: &Place,
    where_: &str,
    attachment: &Attachment,
    out: &mut Out,
) {
    let Some(file) = attachment.file() else {
        return;
    };
    let target = Target::Attachment {
        place: place.clone(),
        attachment_id: attachment.id.clone(),
    };
    let name = &file.original_name;
    match files.get(&attachment.id) {
        Some(FileProblem::Missing) => out.problem(
            section,
            target.clone(),
            where_,
            format!("文件“{name}”在草稿文件夹中的副本不见了，请删除后重新添加"),
        ),
        Some(FileProblem::Changed) => out.problem(
            section,
            target.clone(),
            where_,
            format!("文件“{name}”在添加后被改动过，请删除后重新添加"),
        ),
        None => {}
    }
    let rule = file.kind.and_then(|k| campaign.attachments.rule(k));
    if let Some(rule) = rule
        && file.bytes > rule.max_bytes
    {
        out.problem(
            section,
            target,
            where_,
            format!(
                "文件“{name}”大小为{}，超过{}的上限{}，请压缩后重新添加",
                human_bytes(file.bytes),
                rule.label,
                human_bytes(rule.max_bytes)
            ),
        );
    }
}

/// The department's 退回修改 notes not yet ticked off: each a problem at its item (or activity),
/// in that item's pillar; a note on an item this template no longer has goes to 单位信息.
fn check_correction(campaign: &Campaign, draft: &Draft, out: &mut Out) {
    let Some(correction) = &draft.correction else {
        return;
    };
    for (index, n) in correction.open_notes() {
        let pillar = campaign
            .pillars
            .iter()
            .position(|p| p.items.iter().any(|i| i.id.as_str() == n.note.item));
        let activity_id = n
            .note
            .activity
            .as_ref()
            .filter(|a| {
                draft
                    .answer(&n.note.item)
                    .is_some_and(|ans| ans.activities.iter().any(|x| x.id.as_str() == a.as_str()))
            })
            .map(|a| ActivityId::new(a.clone()));
        // Named as every other problem of the item is (一是 加强理论武装 · 活动1).
        let mut place = campaign
            .item(&n.note.item)
            .map(|(_, it)| format!("{} {}", it.number, it.title).trim().to_string())
            .unwrap_or_else(|| n.note.item_label.clone());
        if !n.note.activity_label.is_empty() {
            place.push_str(" · ");
            place.push_str(&n.note.activity_label);
        }
        out.problems.push(Problem {
            section: pillar.map_or(Section::Profile, Section::Pillar),
            target: Target::CorrectionNote {
                index,
                item_id: ItemId::new(n.note.item.clone()),
                activity_id,
            },
            place,
            message: format!("市妇联退回意见：{}（改好后点“已按意见修改”）", n.note.text),
        });
    }
}

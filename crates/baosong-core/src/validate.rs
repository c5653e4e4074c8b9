//! The check before sending (检查并提交): every problem of a draft, each pointing at the field
//! that fixes it; reminders that do not block sending (an activity without a photo or video);
//! and each pillar's progress (未开始 / 进行中 / 已完成 / 有问题).
//!
//! Which problems a form shows while the clerk is still typing is the GOV.UK rule: a field's
//! problem once she has left the field, or once she has visited 检查并提交 ([`Reveal`]).

use std::collections::{HashMap, HashSet};

use super::campaign::Campaign;
use super::dates::{chinese_date, parse_date};
use super::draft::{
    Activity, ActivityField, ActivityId, Attachment, AttachmentId, Draft, FileKind, ItemAnswer,
    ItemId, Place,
};

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
}

impl Target {
    /// The item the target is in, if any.
    pub fn item_id(&self) -> Option<&ItemId> {
        match self {
            Self::Item { item_id }
            | Self::ItemReason { item_id }
            | Self::ActivityField { item_id, .. }
            | Self::ActivityMaterials { item_id, .. }
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
            (_, Target::Item { .. } | Target::Attachment { .. }) => true,
            (Self::Touched(touched), t) => touched.contains(t),
        }
    }
}

/// The progress of a pillar or an item, as the task list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotStarted,
    InProgress,
    Done,
    /// 本项未开展, with an acceptable reason.
    NotCarriedOut,
    HasProblems,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "进行中",
            Self::Done => "已完成",
            Self::NotCarriedOut => "未开展",
            Self::HasProblems => "有问题",
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
                files,
            };
            check_item(&ctx, answer, &mut out);
        }
    }
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
    Report {
        problems: out.problems,
        reminders: out.reminders,
    }
}

#[derive(Default)]
struct Out {
    problems: Vec<Problem>,
    reminders: Vec<Problem>,
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

/// A Chinese phone number: an 11-digit mobile, or a landline with or without its area code
/// (`67125371`, `023-67125371`, `(023)67125371`), optionally with an extension (`转123`).
pub fn check_phone(phone: &str) -> Result<(), &'static str> {
    const MSG: &str = "联系电话格式不正确：请填写11位手机号，或固定电话（如 023-67125371）";
    let main = phone.split(['转', '#']).next().unwrap_or_default().trim();
    let mut digits = String::new();
    for c in main.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '-' | ' ' | '(' | ')' | '（' | '）' | '－' => {}
            '+' if digits.is_empty() => {}
            _ => return Err(MSG),
        }
    }
    let digits = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    let ok = match digits.len() {
        11 if digits.starts_with('1') => digits.as_bytes()[1] >= b'3',
        7 | 8 => !digits.starts_with('0') && !digits.starts_with('1'),
        10..=12 => digits.starts_with('0'),
        _ => false,
    };
    if ok { Ok(()) } else { Err(MSG) }
}

/// The number in what a clerk types as 参与人数: `120`, `120人`, `约120人`, `120余人`,
/// `100多人`, `近200人`, `1,200人`, `1.2万人`. The wording is kept for the summary document;
/// this is the number for totals. `None` when there is no number in it.
pub fn participant_count(text: &str) -> Option<u64> {
    let mut t = text.trim();
    for prefix in ["大约", "累计", "超过", "约", "近", "逾", "共", "计", "超"] {
        t = t.strip_prefix(prefix).unwrap_or(t).trim_start();
    }
    for suffix in ["人次", "人", "名", "余", "多", "左右"] {
        t = t.strip_suffix(suffix).unwrap_or(t).trim_end();
    }
    for suffix in ["余", "多"] {
        t = t.strip_suffix(suffix).unwrap_or(t).trim_end();
    }
    let (number, scale) = match t.strip_suffix('万') {
        Some(n) => (n.trim_end(), 10_000.0),
        None => (t, 1.0),
    };
    let digits: String = number.chars().filter(|c| *c != ',' && *c != '，').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if scale == 1.0 {
        return digits.parse().ok();
    }
    let n: f64 = digits.parse().ok()?;
    let total = (n * scale).round();
    (0.0..1e12).contains(&total).then_some(total as u64)
}

/// A reason for 本项未开展 worth sending: a few characters at least, not just “无”.
pub fn check_reason(reason: &str) -> Option<&'static str> {
    const MIN_CHARS: usize = 4;
    let meaningful: String = reason
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>();
    if meaningful.is_empty() {
        return Some("已标记“本项未开展”，请填写未开展的原因");
    }
    let non_answers = [
        "无",
        "没有",
        "暂无",
        "没",
        "未开展",
        "本项未开展",
        "不适用",
        "略",
    ];
    if meaningful.chars().count() < MIN_CHARS || non_answers.contains(&meaningful.as_str()) {
        return Some(
            "请具体说明本项未开展的原因（至少4个字），如“本年度该项工作由区司法局牵头开展”",
        );
    }
    None
}

struct ItemContext<'a> {
    campaign: &'a Campaign,
    section: Section,
    item_id: &'a ItemId,
    place: String,
    min_photos: u32,
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
        .any(Attachment::is_photo_or_video)
    {
        out.reminder(
            ctx.section,
            materials,
            where_,
            "本活动还没有图片或视频。通知要求报送图片、视频等材料，建议添加".into(),
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

/// `5.2 GB`, `830 KB`
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if value >= 100.0 || value.fract() < 0.05 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The problem with one activity field's text, if any.
pub fn check_field(campaign: &Campaign, field: ActivityField, text: &str) -> Option<String> {
    let spec = field.spec(campaign);
    let text = text.trim();
    if text.is_empty() {
        return spec.required.then(|| format!("请填写{}", spec.label));
    }
    if let Some(max) = spec.max_chars {
        let n = text.chars().count();
        if n > max {
            return Some(format!(
                "{}不能超过{max}字（现为{n}字），请精简",
                spec.label
            ));
        }
    }
    match field {
        ActivityField::Date => {
            let Some(date) = parse_date(text, campaign.year) else {
                return Some(format!(
                    "{}“{text}”看不懂，请按“3月8日”或“2024-03-08”的格式填写，或点“选择日期”",
                    spec.label
                ));
            };
            let w = campaign.window;
            (!w.contains(date)).then(|| {
                format!(
                    "活动日期{}不在本次活动期间（{}至{}），请核对",
                    chinese_date(date),
                    chinese_date(w.start),
                    chinese_date(w.end)
                )
            })
        }
        ActivityField::Participants => participant_count(text)
            .is_none()
            .then(|| format!("{}请填写人数，如“120”“约120人”“100多人”", spec.label)),
        _ => None,
    }
}

/// The progress of one item, as far as `reveal` lets the clerk see its problems.
pub fn item_progress(
    report: &Report,
    reveal: &Reveal<'_>,
    draft: &Draft,
    item_id: &str,
) -> Progress {
    let answer = draft.answer(item_id);
    if answer.is_none_or(ItemAnswer::is_untouched) {
        return Progress::NotStarted;
    }
    let mut problems = report.in_item(item_id).peekable();
    if problems.peek().is_none() {
        return if answer.is_some_and(|a| a.not_carried_out) {
            Progress::NotCarriedOut
        } else {
            Progress::Done
        };
    }
    if problems.any(|p| reveal.shows(&p.target)) {
        Progress::HasProblems
    } else {
        Progress::InProgress
    }
}

/// The progress of a pillar: 未开始 when no item was touched, 已完成 when every item is done
/// (or not carried out), 有问题 when an item shows a problem, 进行中 otherwise.
pub fn pillar_progress(
    campaign: &Campaign,
    report: &Report,
    reveal: &Reveal<'_>,
    draft: &Draft,
    pillar: usize,
) -> Progress {
    let Some(p) = campaign.pillars.get(pillar) else {
        return Progress::NotStarted;
    };
    let states: Vec<Progress> = p
        .items
        .iter()
        .map(|it| item_progress(report, reveal, draft, it.id.as_str()))
        .collect();
    if states.iter().all(|s| *s == Progress::NotStarted) {
        Progress::NotStarted
    } else if states
        .iter()
        .all(|s| matches!(s, Progress::Done | Progress::NotCarriedOut))
    {
        Progress::Done
    } else if states.contains(&Progress::HasProblems) {
        Progress::HasProblems
    } else {
        Progress::InProgress
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
    use crate::draft::{Material, StoredFile, UnitProfile};
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
        assert!(r.reminders[0].message.contains("还没有图片或视频"));

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

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(830 * 1024), "830 KB");
        assert_eq!(human_bytes(52_428_800), "50 MB");
        assert_eq!(human_bytes(5_583_457_485), "5.2 GB");
    }
}

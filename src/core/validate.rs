//! The check before sending (检查并提交): every problem of a draft, each pointing at the field
//! that fixes it, and each pillar's progress (未开始 / 进行中 / 已完成 / 有问题).

use super::campaign::Campaign;
use super::dates::{chinese_date, parse_date};
use super::draft::{ActivityField, Draft, ItemAnswer};

/// Where a problem is listed: the unit profile, or one of the pillars (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Profile,
    Pillar(usize),
}

/// The field a problem is fixed in; the GUI jumps there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    UnitName,
    ContactPerson,
    Phone,
    /// The item as a whole: add an activity or mark it 本项未开展.
    Item {
        item_id: String,
    },
    /// The reason for 本项未开展.
    ItemReason {
        item_id: String,
    },
    ActivityField {
        item_id: String,
        activity_id: String,
        field: ActivityField,
    },
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
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.section == section)
    }

    /// Problems inside one item (its choice, its reason, its activities).
    pub fn in_item<'a>(&'a self, item_id: &'a str) -> impl Iterator<Item = &'a Problem> + 'a {
        self.problems.iter().filter(move |p| match &p.target {
            Target::Item { item_id: i } | Target::ItemReason { item_id: i } => i == item_id,
            Target::ActivityField { item_id: i, .. } => i == item_id,
            _ => false,
        })
    }

    /// The problem on one field, if any (shown under the field).
    pub fn on(&self, target: &Target) -> Option<&Problem> {
        self.problems.iter().find(|p| &p.target == target)
    }
}

/// The progress of a pillar or an item, as the task list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotStarted,
    InProgress,
    Done,
    HasProblems,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "进行中",
            Self::Done => "已完成",
            Self::HasProblems => "有问题",
        }
    }
}

/// Check the whole draft against its campaign.
pub fn validate(campaign: &Campaign, draft: &Draft) -> Report {
    let mut problems = Vec::new();
    check_profile(draft, &mut problems);
    let empty = ItemAnswer::default();
    for (pi, pillar) in campaign.pillars.iter().enumerate() {
        for item in &pillar.items {
            let answer = draft.answer(&item.id).unwrap_or(&empty);
            let place = format!("{} {}", item.number, item.title).trim().to_string();
            check_item(
                campaign,
                Section::Pillar(pi),
                &item.id,
                &place,
                answer,
                &mut problems,
            );
        }
    }
    Report { problems }
}

fn check_profile(draft: &Draft, out: &mut Vec<Problem>) {
    let mut push = |target, message: &str| {
        out.push(Problem {
            section: Section::Profile,
            target,
            place: "单位信息".into(),
            message: message.into(),
        })
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

fn check_item(
    campaign: &Campaign,
    section: Section,
    item_id: &str,
    place: &str,
    answer: &ItemAnswer,
    out: &mut Vec<Problem>,
) {
    let mut push = |target: Target, place: String, message: String| {
        out.push(Problem {
            section,
            target,
            place,
            message,
        })
    };
    if answer.not_carried_out {
        if answer.reason.trim().is_empty() {
            push(
                Target::ItemReason {
                    item_id: item_id.into(),
                },
                place.into(),
                "已标记“本项未开展”，请填写未开展的原因".into(),
            );
        }
        if !answer.activities.is_empty() {
            push(
                Target::Item {
                    item_id: item_id.into(),
                },
                place.into(),
                "已标记“本项未开展”，但仍填有活动：请删除这些活动，或取消“本项未开展”".into(),
            );
        }
        return;
    }
    if answer.activities.is_empty() {
        push(
            Target::Item {
                item_id: item_id.into(),
            },
            place.into(),
            "本项尚未填写：请添加开展的活动，或勾选“本项未开展”并说明原因".into(),
        );
        return;
    }
    for (n, activity) in answer.activities.iter().enumerate() {
        let where_ = format!("{place} · 活动{}", n + 1);
        for field in ActivityField::ALL {
            if let Some(message) = check_field(campaign, field, field.value(activity)) {
                push(
                    Target::ActivityField {
                        item_id: item_id.into(),
                        activity_id: activity.id.clone(),
                        field,
                    },
                    where_.clone(),
                    message,
                );
            }
        }
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
            let Some(date) = parse_date(text) else {
                return Some(format!(
                    "{}“{text}”看不懂，请按 2024-03-08 的格式填写",
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
        ActivityField::Participants => {
            let digits = text.trim_end_matches(['人', '余', '多']).trim();
            (digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| format!("{}请填写数字（如 120）", spec.label))
        }
        _ => None,
    }
}

/// The progress of one item.
pub fn item_progress(report: &Report, draft: &Draft, item_id: &str) -> Progress {
    let untouched = draft.answer(item_id).is_none_or(ItemAnswer::is_untouched);
    let has_problems = report.in_item(item_id).next().is_some();
    match (untouched, has_problems) {
        (true, _) => Progress::NotStarted,
        (false, true) => Progress::HasProblems,
        (false, false) => Progress::Done,
    }
}

/// The progress of a pillar: 未开始 when no item was touched, 已完成 when every item is done,
/// 有问题 when a started item has a problem, 进行中 otherwise.
pub fn pillar_progress(
    campaign: &Campaign,
    report: &Report,
    draft: &Draft,
    pillar: usize,
) -> Progress {
    let Some(p) = campaign.pillars.get(pillar) else {
        return Progress::NotStarted;
    };
    let states: Vec<Progress> = p
        .items
        .iter()
        .map(|it| item_progress(report, draft, &it.id))
        .collect();
    if states.iter().all(|s| *s == Progress::NotStarted) {
        Progress::NotStarted
    } else if states.iter().all(|s| *s == Progress::Done) {
        Progress::Done
    } else if states.contains(&Progress::HasProblems) {
        Progress::HasProblems
    } else {
        Progress::InProgress
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::draft::UnitProfile;
    use chrono::DateTime;

    fn campaign() -> Campaign {
        Campaign::builtin().unwrap()
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
        let ids: Vec<String> = c.items().map(|(_, it)| it.id.clone()).collect();
        for id in ids {
            let aid = d.add_activity(&id);
            let a = d
                .answer_mut(&id)
                .activities
                .iter_mut()
                .find(|a| a.id == aid)
                .unwrap();
            a.title = "“巾帼大宣讲”进社区".into();
            a.date = "2024-03-05".into();
            a.place = "解放碑街道社区活动中心".into();
            a.organiser = "渝中区妇联".into();
            a.participants = "120".into();
            a.summary = "宣讲党的创新理论。".into();
        }
        d
    }

    #[test]
    fn a_complete_draft_is_ready() {
        let c = campaign();
        let d = filled_draft(&c);
        let r = validate(&c, &d);
        assert!(r.is_ready(), "{:?}", r.problems);
        for i in 0..3 {
            assert_eq!(pillar_progress(&c, &r, &d, i), Progress::Done);
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
        assert_eq!(pillar_progress(&c, &r, &d, 0), Progress::NotStarted);
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
        assert!(has("参与人数请填写数字"));
        assert!(has("简要情况不能超过2000字（现为2001字）"));
        assert!(has("日期“三月八日”看不懂"));
        assert!(has("请填写未开展的原因"));
        assert!(has("但仍填有活动"));
        assert_eq!(pillar_progress(&c, &r, &d, 0), Progress::HasProblems);
        assert_eq!(pillar_progress(&c, &r, &d, 2), Progress::Done);
        let title = Target::ActivityField {
            item_id: "p1-1".into(),
            activity_id: d.answer("p1-1").unwrap().activities[0].id.clone(),
            field: ActivityField::Title,
        };
        assert_eq!(r.on(&title).unwrap().place, "一是 加强理论武装 · 活动1");
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
    fn not_carried_out_with_reason_is_done() {
        let c = campaign();
        let mut d = filled_draft(&c);
        let ans = d.answer_mut("p3-3");
        ans.activities.clear();
        ans.not_carried_out = true;
        ans.reason = "本年度该项工作由区司法局牵头开展".into();
        let r = validate(&c, &d);
        assert!(r.is_ready(), "{:?}", r.problems);
        assert_eq!(item_progress(&r, &d, "p3-3"), Progress::Done);
    }
}

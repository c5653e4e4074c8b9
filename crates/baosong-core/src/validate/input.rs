//! What a clerk types, read as she writes it: phone numbers, head counts (约120人, 1.2万人),
//! a reason for 本项未开展, and each activity field's text against its campaign's rules.

use crate::campaign::Campaign;
use crate::dates::{chinese_date, parse_date};
use crate::draft::ActivityField;
use crate::units::half_width;

/// A Chinese phone number: an 11-digit mobile, or a landline with or without its area code
/// (`67125371`, `023-67125371`, `(023)67125371`), optionally with an extension (`转123`).
pub fn check_phone(phone: &str) -> Result<(), &'static str> {
    const MSG: &str = "联系电话格式不正确：请填写11位手机号，或固定电话（如 023-67125371）";
    let phone = half_width(phone);
    let main = phone
        .split(['转', '#', '＃'])
        .next()
        .unwrap_or_default()
        .trim();
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
    let text = half_width(text);
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

//! The date formats a clerk types, and the way dates are shown back.
//!
//! Read: `2024-03-08`, `2024-3-8`, `2024/3/8`, `2024.3.8`, `2024年3月8日`, `20240308`, and —
//! since the campaign's year is known — `3月8日`, `3.8`, `3/8`, `3-8`, full-width digits too.
//! Stored: ISO `2024-03-08` ([`iso`]). Shown: `2024年3月8日 星期五`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Utc, Weekday};

/// Parse a date as a clerk would type it; a date without a year is in `default_year` (the
/// campaign's). `None` when it is not a date.
pub fn parse_date(text: &str, default_year: i32) -> Option<NaiveDate> {
    parse_date_only(split_time_of_day(text)?.0, default_year)
}

/// Words for a time of day a clerk writes after a date (`3月6日上午`, `3月6日 14:00-16:00`).
const TIMES_OF_DAY: [&str; 14] = [
    "上午", "下午", "中午", "晚上", "早上", "早晨", "凌晨", "傍晚", "晚间", "夜间", "夜晚", "全天",
    "全日", "白天",
];

/// The date and what follows it as a time of day, trimmed (`None` when there is none). `None`
/// altogether when what follows is not a time of day (a second date, words).
fn split_time_of_day(text: &str) -> Option<(&str, Option<&str>)> {
    let text = text.trim();
    // Where the date ends: after its 日 or 号, else where a time word or a space begins.
    let end = text
        .char_indices()
        .find(|&(_, c)| c == '日' || c == '号')
        .map(|(i, c)| i + c.len_utf8())
        .or_else(|| {
            TIMES_OF_DAY
                .iter()
                .filter_map(|w| text.find(w))
                .chain(text.find(char::is_whitespace))
                .min()
        });
    let Some(end) = end.filter(|&e| e < text.len()) else {
        return Some((text, None));
    };
    let (date, rest) = text.split_at(end);
    let rest = rest.trim();
    if rest.is_empty() {
        return Some((date.trim(), None));
    }
    let clock =
        |c: char| c.is_ascii_digit() || c.is_whitespace() || ":点时分半-—~～至到".contains(c);
    let mut words = crate::units::half_width(rest);
    for w in TIMES_OF_DAY {
        words = words.replace(w, "");
    }
    let timed =
        TIMES_OF_DAY.iter().any(|w| rest.contains(w)) || rest.contains([':', '：', '点', '时']);
    (timed && words.chars().all(clock)).then_some((date.trim(), Some(rest)))
}

fn parse_date_only(text: &str, default_year: i32) -> Option<NaiveDate> {
    let normalised: String = crate::units::half_width(text.trim())
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '-' => '-',
            '日' | '号' => ' ',
            c if c.is_ascii_digit() => c,
            c if c.is_whitespace() => ' ',
            _ => '?',
        })
        .collect();
    let normalised = normalised.trim();
    if normalised.is_empty() || normalised.contains(['?', ' ']) {
        return None;
    }
    // 20240308
    if normalised.len() == 8 && normalised.bytes().all(|b| b.is_ascii_digit()) {
        let (y, md) = normalised.split_at(4);
        let (m, d) = md.split_at(2);
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    let parts: Vec<&str> = normalised.split('-').collect();
    let small = |s: &str| !s.is_empty() && s.len() <= 2;
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && small(m) && small(d) => (y.parse().ok()?, *m, *d),
        [m, d] if small(m) && small(d) => (default_year, *m, *d),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
}

/// The stored form: `2024-03-08`.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The stored form of what was typed, when it is a date (`3月8日` → `2024-03-08`); a time of
/// day after it is kept as written (`3月6日上午` → `2024-03-06 上午`).
pub fn normalise(text: &str, default_year: i32) -> Option<String> {
    let (date, time) = split_time_of_day(text)?;
    let date = iso(parse_date_only(date, default_year)?);
    Some(match time {
        Some(time) => format!("{date} {time}"),
        None => date,
    })
}

/// `text` with its date replaced by `day` (the calendar's pick), a time of day after it kept.
pub fn with_date(text: &str, day: NaiveDate) -> String {
    match split_time_of_day(text) {
        Some((_, Some(time))) => format!("{} {time}", iso(day)),
        _ => iso(day),
    }
}

/// `2024年3月8日`
pub fn chinese_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// `星期五`
pub fn chinese_weekday(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// The campaign's time zone: China's, +08:00, with no summer time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// What the zone is called where a time is shown with it.
pub const ZONE_NAME: &str = "北京时间";

/// `2024年3月8日 14:05`, in China's time (a time kept with another offset — a draft from a PC
/// set to another zone — is shown as China's).
pub fn chinese_date_time(at: DateTime<FixedOffset>) -> String {
    let at = at.with_timezone(&china());
    format!("{} {}", chinese_date(at.date_naive()), at.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_clerks_type() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 8);
        for text in [
            "2024-03-08",
            "2024-3-8",
            "2024/3/8",
            "2024.03.08",
            "2024.3.8",
            "2024年3月8日",
            " 2024年03月08日 ",
            "２０２４年３月８日",
            "20240308",
            "3月8日",
            "3月8号",
            "3.8",
            "3/8",
            "03-08",
            "３月８日",
        ] {
            assert_eq!(parse_date(text, 2024), want, "{text}");
        }
        assert_eq!(
            parse_date("3月8日", 2025),
            NaiveDate::from_ymd_opt(2025, 3, 8),
            "the campaign's year"
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "三月八日",
            "2024-02-30",
            "24-3-8",
            "2024-03",
            "2024-03-08-01",
            "明天",
            "3.8.",
            "38",
            "2024 3 8",
            "13月1日",
            "20241308",
        ] {
            assert_eq!(parse_date(text, 2024), None, "{text}");
        }
    }

    #[test]
    fn a_time_of_day_after_the_date_is_accepted_and_kept() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 6);
        for (text, stored) in [
            ("3月6日上午", "2024-03-06 上午"),
            ("3月6日 下午", "2024-03-06 下午"),
            ("2024年3月6日晚上7点", "2024-03-06 晚上7点"),
            ("3月6日14:00-16:00", "2024-03-06 14:00-16:00"),
            ("３月６日上午９：３０", "2024-03-06 上午９：３０"),
            ("2024-03-06 上午", "2024-03-06 上午"),
            ("2024-03-06上午", "2024-03-06 上午"),
            ("3.6 下午", "2024-03-06 下午"),
            ("3月6号全天", "2024-03-06 全天"),
        ] {
            assert_eq!(parse_date(text, 2024), want, "{text}");
            assert_eq!(normalise(text, 2024).as_deref(), Some(stored), "{text}");
            // What was stored reads back as the same date and is stored the same again.
            assert_eq!(parse_date(stored, 2024), want, "{stored}");
            assert_eq!(normalise(stored, 2024).as_deref(), Some(stored), "{stored}");
        }
        for text in [
            "3月6日至8日",
            "3月6日和3月8日",
            "3月6日在社区",
            "3月6日 9",
            "3月6日上午在社区",
        ] {
            assert_eq!(parse_date(text, 2024), None, "{text}");
        }
    }

    #[test]
    fn times_are_shown_in_chinas_time_whatever_the_pc_was_set_to() {
        // 09:56 in London (a PC left on UTC) is 17:56 in Chongqing.
        let utc = DateTime::parse_from_rfc3339("2024-03-11T09:56:00+00:00").unwrap();
        assert_eq!(chinese_date_time(utc), "2024年3月11日 17:56");
        // Late evening on the US west coast is the next morning in China.
        let west = DateTime::parse_from_rfc3339("2024-03-11T17:56:00-08:00").unwrap();
        assert_eq!(chinese_date_time(west), "2024年3月12日 09:56");
        let now = crate::clock::Clock::now(&crate::clock::SystemClock);
        assert_eq!(now.offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn stores_iso_and_shows_chinese() {
        assert_eq!(normalise("3月8日", 2024).as_deref(), Some("2024-03-08"));
        assert_eq!(normalise("2024/3/8", 2024).as_deref(), Some("2024-03-08"));
        assert_eq!(normalise("不知道", 2024), None);
        let d = NaiveDate::from_ymd_opt(2024, 3, 8).unwrap_or_default();
        assert_eq!(chinese_date(d), "2024年3月8日");
        assert_eq!(chinese_weekday(d), "星期五");
    }
}

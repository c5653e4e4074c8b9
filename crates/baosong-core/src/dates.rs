//! The date formats a clerk types, and the way dates are shown back.
//!
//! Read: `2024-03-08`, `2024-3-8`, `2024/3/8`, `2024.3.8`, `2024年3月8日`, `20240308`, and —
//! since the campaign's year is known — `3月8日`, `3.8`, `3/8`, `3-8`, full-width digits too.
//! Stored: ISO `2024-03-08` ([`iso`]). Shown: `2024年3月8日 星期五`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};

/// Parse a date as a clerk would type it; a date without a year is in `default_year` (the
/// campaign's). `None` when it is not a date.
pub fn parse_date(text: &str, default_year: i32) -> Option<NaiveDate> {
    let normalised: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '－' | '／' | '．' | '-' => '-',
            '日' | '号' => ' ',
            c if c.is_ascii_digit() => c,
            c if ('０'..='９').contains(&c) => {
                char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
            }
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

/// The stored form of what was typed, when it is a date (`3月8日` → `2024-03-08`).
pub fn normalise(text: &str, default_year: i32) -> Option<String> {
    parse_date(text, default_year).map(iso)
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

/// `2024年3月8日 14:05`
pub fn chinese_date_time(at: DateTime<FixedOffset>) -> String {
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
    fn stores_iso_and_shows_chinese() {
        assert_eq!(normalise("3月8日", 2024).as_deref(), Some("2024-03-08"));
        assert_eq!(normalise("2024/3/8", 2024).as_deref(), Some("2024-03-08"));
        assert_eq!(normalise("不知道", 2024), None);
        let d = NaiveDate::from_ymd_opt(2024, 3, 8).unwrap_or_default();
        assert_eq!(chinese_date(d), "2024年3月8日");
        assert_eq!(chinese_weekday(d), "星期五");
    }
}

//! The date formats a clerk types: `2024-03-08`, `2024-3-8`, `2024/3/8`, `2024.3.8`,
//! `2024年3月8日`; and the way dates are shown back (`2024年3月8日`).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

/// Parse a date as a clerk would type it; `None` when it is not one.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let normalised: String = text
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '－' | '／' => '-',
            '日' | '号' => ' ',
            c if c.is_ascii_digit() || c == '-' => c,
            c if ('０'..='９').contains(&c) => {
                char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
            }
            _ => '?',
        })
        .collect();
    let normalised = normalised.trim();
    let mut parts = normalised.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `2024年3月8日`
pub fn chinese_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
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
            "2024年3月8日",
            " 2024年03月08日 ",
            "２０２４年３月８日",
        ] {
            assert_eq!(parse_date(text), want, "{text}");
        }
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
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn shows_dates_in_chinese() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap_or_default();
        assert_eq!(chinese_date(d), "2024年3月12日");
    }
}

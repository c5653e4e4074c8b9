//! Quantities in the clerk's words, and the digits she types.

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

/// What a Chinese input method types as full-width — digits, `，．：－／（）＋` and the
/// ideographic space — read as their ASCII forms (`１２０人` is 120人): every numeric field and
/// the dates take them.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '０'..='９' | '．' | '，' | '：' | '－' | '／' | '（' | '）' | '＋' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(830 * 1024), "830 KB");
        assert_eq!(human_bytes(52_428_800), "50 MB");
        assert_eq!(human_bytes(5_583_457_485), "5.2 GB");
    }
}

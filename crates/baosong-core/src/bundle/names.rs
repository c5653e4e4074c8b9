//! Readable Chinese names for the folders and files inside a bundle, safe on every system the
//! publicity department might open it on: `一、强化政治引领，筑牢思想根基/加强理论武装/01 活动名称/合影.jpg`.

use std::collections::HashSet;

/// Longest name of one folder or file inside the bundle, in characters.
const MAX_CHARS: usize = 60;

/// One path component made safe for Windows (and everything else): no `\ / : * ? " < > |` or
/// control characters, no trailing dot or space, not a reserved device name, not too long.
pub fn component(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_end_matches(['.', ' ']).to_string();
    let cleaned = if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "未命名".to_string()
    } else {
        cleaned
    };
    let stem = cleaned
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    let cleaned = if reserved {
        format!("_{cleaned}")
    } else {
        cleaned
    };
    shorten(&cleaned)
}

/// At most [`MAX_CHARS`], keeping the extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_CHARS {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if name.len() - i <= 8 && i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let keep = MAX_CHARS.saturating_sub(ext.chars().count() + 1);
    format!("{}…{ext}", stem.chars().take(keep).collect::<String>())
}

/// Names already used in one folder; a second `合影.jpg` becomes `合影 (2).jpg`.
#[derive(Debug, Default)]
pub struct Folder {
    used: HashSet<String>,
}

impl Folder {
    pub fn unique(&mut self, name: &str) -> String {
        let name = component(name);
        if self.used.insert(name.to_lowercase()) {
            return name;
        }
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 => (&name[..i], &name[i..]),
            _ => (name.as_str(), ""),
        };
        for n in 2.. {
            let candidate = format!("{stem} ({n}){ext}");
            if self.used.insert(candidate.to_lowercase()) {
                return candidate;
            }
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_everywhere() {
        assert_eq!(component("活动/总结:终稿?.docx"), "活动_总结_终稿_.docx");
        assert_eq!(component("  合影. "), "合影");
        assert_eq!(component("CON.txt"), "_CON.txt");
        assert_eq!(component("com1"), "_com1");
        assert_eq!(component(""), "未命名");
        assert_eq!(component(".."), "未命名");
        let long = format!("{}.mp4", "快闪".repeat(50));
        let short = component(&long);
        assert!(
            short.chars().count() <= 60 && short.ends_with(".mp4"),
            "{short}"
        );
    }

    #[test]
    fn the_same_name_twice_gets_a_number() {
        let mut f = Folder::default();
        assert_eq!(f.unique("合影.jpg"), "合影.jpg");
        assert_eq!(f.unique("合影.JPG"), "合影 (2).JPG");
        assert_eq!(f.unique("合影.jpg"), "合影 (3).jpg");
    }
}

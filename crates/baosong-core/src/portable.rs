//! `baosong.toml` beside `baosong.exe`: how IT hands out one folder that already knows the city
//! federation's intake endpoint and this year's template. No installer, no admin rights.
//!
//! ```toml
//! # baosong.toml
//! template = "2025年三八活动模板.json"   # relative to this file's folder
//! campaign_key = "…"                     # the department's public key, 64 hex digits
//!
//! [intake]
//! url = "https://intake.example.cn/files/"
//! token = "…"                            # optional
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::campaign::Intake;
use super::error::CoreError;

pub const FILE_NAME: &str = "baosong.toml";

/// A few settings: anything bigger is not a baosong.toml.
const MAX_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortableConfig {
    /// A template file; a relative path is taken from the folder of `baosong.toml`.
    #[serde(default)]
    pub template: Option<PathBuf>,
    #[serde(default)]
    pub intake: Option<Intake>,
    /// The department's public key (64 hex digits): campaigns published through the intake are
    /// taken only when signed with its private half (docs/campaigns.md).
    #[serde(default)]
    pub campaign_key: Option<String>,
}

impl PortableConfig {
    /// Read `baosong.toml` from `dir`; `Ok(None)` when there is none. What is wrong is said in
    /// Chinese with its line: not UTF-8 (an old Notepad's ANSI), a TOML mistake, a setting the
    /// program does not know (a typo, at the top or under [intake], which would otherwise be
    /// silently ignored), `campaign_key` under [intake], the example's placeholder address.
    pub fn load_from(dir: &Path) -> Result<Option<Self>, CoreError> {
        let path = dir.join(FILE_NAME);
        let invalid = |detail: String| CoreError::PortableInvalid {
            path: path.clone(),
            detail,
        };
        // Only a plain file, and only so much of it: a FIFO would block the start for ever, a
        // link to a device or a huge file saved under this name would be read into memory.
        match std::fs::metadata(&path) {
            Ok(m) if !m.is_file() => {
                return Err(invalid(
                    "这不是一个普通文件；请删除它，或换成按 baosong.toml.example 填写的文件".into(),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CoreError::io("read", &path, e)),
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| {
                use std::io::Read;
                f.take(MAX_BYTES + 1).read_to_end(&mut bytes)
            })
            .map_err(|e| CoreError::io("read", &path, e))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(invalid(format!(
                "文件超过 {} KB，不像是按 baosong.toml.example 填写的设置；请检查是否放错了文件",
                MAX_BYTES / 1024
            )));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Err(invalid(
                "文件不是 UTF-8 编码（记事本按 ANSI 保存的就是这样）；请用记事本打开，“另存为”时编码选 UTF-8"
                    .into(),
            ));
        };
        let text = text.trim_start_matches('\u{feff}');
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            invalid(match e.span() {
                Some(span) => format!("第 {} 行：{}", line_of(span.start), explain(e.message())),
                None => explain(e.message()),
            })
        })?;
        let line_with = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(String::new(), |i| format!("第 {} 行：", i + 1))
        };
        // A key written under [intake] belongs to the intake's table there, where it would be
        // silently ignored: said instead; so is any other name the program does not know.
        if let Some(intake) = table.get("intake").and_then(|i| i.as_table()) {
            for key in intake.keys() {
                if key == "campaign_key" {
                    return Err(invalid(format!(
                        "{}campaign_key 写在了 [intake] 下面；请把它移到文件开头、[intake] 之前",
                        line_with("campaign_key")
                    )));
                }
                if !["url", "token", "allow_http"].contains(&key.as_str()) {
                    return Err(invalid(format!(
                        "{}[intake] 下没有“{key}”这一项（可写的是 url、token、allow_http），请对照 baosong.toml.example 改正",
                        line_with(key)
                    )));
                }
            }
        }
        let mut config: Self = toml::from_str(text).map_err(|e: toml::de::Error| {
            let at = e.span().map_or(String::new(), |span| {
                format!("第 {} 行：", line_of(span.start))
            });
            invalid(format!("{at}{}", explain(e.message())))
        })?;
        if let Some(intake) = &config.intake
            && (intake.url.contains('（') || intake.url.trim().is_empty())
        {
            return Err(invalid(format!(
                "{}报送地址（url）还没有填写，或仍是示例中的占位文字；请填写市妇联提供的地址",
                line_with("url")
            )));
        }
        if let Some(key) = &config.campaign_key
            && let Err(problem) = super::campaign::signing::PublicKey::from_hex(key)
        {
            return Err(invalid(format!(
                "{}campaign_key: {problem}",
                line_with("campaign_key")
            )));
        }
        if let Some(t) = &config.template
            && t.is_relative()
        {
            config.template = Some(dir.join(t));
        }
        Ok(Some(config))
    }

    /// `baosong.toml` beside the exe for the window and the CLI: a broken one is not used, so it
    /// never stops the program (what is wrong: [`Self::problem_beside_exe`]).
    pub fn found_beside_exe() -> Option<Self> {
        beside_exe_once().config.clone()
    }

    /// What is wrong with `baosong.toml` beside the exe, in Chinese, when it could not be used:
    /// the faces say it (the CLI once on stderr, the window on its start screen).
    pub fn problem_beside_exe() -> Option<&'static str> {
        beside_exe_once().problem.as_deref()
    }

    /// Read `baosong.toml` from the folder of the running program.
    fn beside_exe() -> Result<Option<Self>, CoreError> {
        let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return Ok(None);
        };
        Self::load_from(&dir)
    }
}

/// `baosong.toml` beside the exe, read once per process (a CLI command asks for it from several
/// places; the window at its start).
struct BesideExe {
    config: Option<PortableConfig>,
    problem: Option<String>,
}

fn beside_exe_once() -> &'static BesideExe {
    static ONCE: std::sync::OnceLock<BesideExe> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| match PortableConfig::beside_exe() {
        Ok(config) => BesideExe {
            config,
            problem: None,
        },
        Err(e) => {
            tracing::info!(error = %e, "baosong.toml unreadable, not used");
            BesideExe {
                config: None,
                problem: Some(e.user_message()),
            }
        }
    })
}

/// TOML's and serde's English, with what to do in Chinese for the mistakes IT makes.
fn explain(message: &str) -> String {
    let hint = if message.contains("expected a boolean") {
        "应写 true 或 false，不加引号"
    } else if message.contains("unknown field") {
        "没有这一项，请对照 baosong.toml.example 改正拼写"
    } else if message.contains("expected a string") || message.contains("invalid string") {
        "文字要写在英文双引号 \"\" 里"
    } else if message.contains("duplicate key") {
        "同一项写了两次，请删去一处"
    } else {
        "请对照 baosong.toml.example 改正"
    };
    format!("{hint}（{}）", message.trim())
}

/// The template file to use instead of the built-in one, for the window and the CLI alike: the
/// one asked for (`--template`), else the one the clerk last opened, else IT's in baosong.toml.
pub fn template_choice(
    explicit: Option<PathBuf>,
    remembered: Option<PathBuf>,
    portable: Option<&PortableConfig>,
) -> Option<PathBuf> {
    explicit
        .or(remembered)
        .or_else(|| portable.and_then(|p| p.template.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the release zip (release/baosong.toml.example).
    const EXAMPLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../release/baosong.toml.example"
    ));

    /// The release zip's baosong.toml.example, renamed without filling in the address, is
    /// refused at the address's line; with the address filled in it reads (the address only);
    /// with every commented setting switched on it sets every setting the program knows: a
    /// setting added to [`PortableConfig`] or [`Intake`] and not to the example fails here.
    #[test]
    fn the_release_example_reads_once_filled_in_and_names_every_setting() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), EXAMPLE).unwrap();
        let m = PortableConfig::load_from(dir.path())
            .unwrap_err()
            .user_message();
        let url_line = EXAMPLE
            .lines()
            .position(|l| l.starts_with("url = "))
            .unwrap()
            + 1;
        assert!(
            m.contains(&format!("第 {url_line} 行：报送地址（url）还没有填写")),
            "{m}"
        );
        let filled = EXAMPLE.replace("（市妇联提供的报送地址）", "intake.cqwomen.example");
        std::fs::write(dir.path().join(FILE_NAME), &filled).unwrap();
        let as_is = PortableConfig::load_from(dir.path()).unwrap().unwrap();
        assert_eq!(as_is.template, None);
        assert_eq!(as_is.campaign_key, None);
        let intake = as_is.intake.unwrap();
        assert_eq!(intake.url, "https://intake.cqwomen.example/files/");
        assert_eq!((intake.token, intake.allow_http), (None, false));

        // Every `# key = value` line switched on.
        let on: String = filled
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) =>
                {
                    rest.to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.path().join(FILE_NAME), &on).unwrap();
        let all = PortableConfig::load_from(dir.path()).unwrap().unwrap();
        // Every field the program has (as serde names them), in the switched-on file.
        let fields = serde_json::to_value(&all).unwrap();
        let table: toml::Table = on.parse().unwrap();
        let mut missing = Vec::new();
        for (k, _) in fields.as_object().unwrap() {
            if !table.contains_key(k) {
                missing.push(k.clone());
            }
        }
        for (k, _) in fields["intake"].as_object().unwrap() {
            if !table["intake"].as_table().unwrap().contains_key(k) {
                missing.push(format!("intake.{k}"));
            }
        }
        assert!(missing.is_empty(), "not in the example: {missing:?}");
        assert!(all.campaign_key.is_some());
        assert!(all.intake.unwrap().token.is_some());
        assert!(all.template.unwrap().ends_with("2025年三八活动模板.json"));
    }

    #[test]
    fn reads_template_and_intake_relative_to_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PortableConfig::load_from(dir.path()).unwrap(), None);
        std::fs::write(
            dir.path().join(FILE_NAME),
            "template = \"2025年模板.json\"\n[intake]\nurl = \"https://intake.example.cn/files/\"\ntoken = \"t\"\n",
        )
        .unwrap();
        let c = PortableConfig::load_from(dir.path()).unwrap().unwrap();
        assert_eq!(c.template.unwrap(), dir.path().join("2025年模板.json"));
        let intake = c.intake.unwrap();
        assert_eq!(intake.url, "https://intake.example.cn/files/");
        assert_eq!(intake.token.as_deref(), Some("t"));
    }

    /// What IT gets wrong in baosong.toml is said in Chinese, at its line, with what to do —
    /// never silently ignored (a typo under [intake] used to drop the token without a word).
    #[test]
    fn each_mistake_in_the_file_is_said_in_chinese_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let said = |bytes: &[u8]| {
            std::fs::write(dir.path().join(FILE_NAME), bytes).unwrap();
            PortableConfig::load_from(dir.path())
                .unwrap_err()
                .user_message()
        };
        // An old Notepad's ANSI (GBK): 报送 is B1 A8 CB CD.
        let gbk = b"# \xb1\xa8\xcb\xcd\n[intake]\nurl = \"https://x.example/files/\"\n".to_vec();
        let m = said(&gbk);
        assert!(m.contains("不是 UTF-8 编码") && m.contains("另存为"), "{m}");
        let cases: [(&str, &[&str]); 7] = [
            (
                "[intake]\nurl = \"https://x.example/files/\"\nallow_http = \"true\"\n",
                &["第 3 行", "true 或 false"],
            ),
            (
                "templte = \"模板.json\"\n[intake]\nurl = \"https://x.example/files/\"\n",
                &["第 1 行", "templte", "没有这一项"],
            ),
            (
                "[intake]\nurl = \"https://x.example/files/\"\ntokne = \"t\"\n",
                &["第 3 行", "[intake] 下没有“tokne”这一项"],
            ),
            (
                "[intake]\nurl = \"https://x.example/files/\"\ncampaign_key = \"ab\"\n",
                &["第 3 行", "campaign_key 写在了 [intake] 下面"],
            ),
            (
                "campaign_key = \"not hex\"\n[intake]\nurl = \"https://x.example/files/\"\n",
                &["第 1 行", "campaign_key"],
            ),
            (
                "[intake]\nurl = “https://x.example/files/”\n",
                &["第 2 行", "请对照 baosong.toml.example"],
            ),
            (
                "[intake]\nurl = \"https://x.example/files/\"\nurl = \"https://y.example/files/\"\n",
                &["第 3 行", "同一项写了两次"],
            ),
        ];
        for (text, parts) in cases {
            let m = said(text.as_bytes());
            assert!(m.contains("配置文件格式不正确"), "{m}");
            for part in parts {
                assert!(m.contains(part), "{text:?}: {part} not in {m}");
            }
        }
        // A BOM and Windows line ends are fine.
        std::fs::write(
            dir.path().join(FILE_NAME),
            "\u{feff}[intake]\r\nurl = \"https://x.example/files/\"\r\n",
        )
        .unwrap();
        assert!(PortableConfig::load_from(dir.path()).unwrap().is_some());
    }

    /// Files no one expected under the name: a folder, an oversize file (a log saved as
    /// baosong.toml), and on Unix a FIFO (which would block the start for ever: opening it
    /// waits for a writer) and a link to /dev/zero (read until memory ran out) — each refused
    /// at once, with a message.
    #[test]
    fn a_file_that_is_not_a_settings_file_is_refused_without_reading_it_all() {
        let said = |dir: &Path| PortableConfig::load_from(dir).unwrap_err().user_message();
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join(FILE_NAME)).unwrap();
        assert!(said(folder.path()).contains("不是一个普通文件"));
        let big = tempfile::tempdir().unwrap();
        let mut text = String::from("[intake]\nurl = \"https://x.example/files/\"\n");
        text.push_str(&"# 说明\n".repeat(200_000));
        std::fs::write(big.path().join(FILE_NAME), text).unwrap();
        assert!(said(big.path()).contains("文件超过 1024 KB"));
        #[cfg(unix)]
        {
            let fifo = tempfile::tempdir().unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(fifo.path().join(FILE_NAME))
                .status()
                .unwrap();
            assert!(made.success());
            assert!(said(fifo.path()).contains("不是一个普通文件"));
            let zero = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink("/dev/zero", zero.path().join(FILE_NAME)).unwrap();
            assert!(said(zero.path()).contains("不是一个普通文件"));
        }
    }

    #[test]
    fn a_bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[intake\nurl = 3").unwrap();
        let m = PortableConfig::load_from(dir.path())
            .unwrap_err()
            .user_message();
        assert!(
            m.contains("baosong.toml") && m.contains("配置文件格式不正确"),
            "{m}"
        );
        std::fs::write(
            dir.path().join(FILE_NAME),
            format!(
                "[intake]\nurl = \"https://x/files/\"\ncampaign_key = \"{}\"\n",
                "ab".repeat(32)
            ),
        )
        .unwrap();
        let m = PortableConfig::load_from(dir.path())
            .unwrap_err()
            .user_message();
        assert!(m.contains("移到文件开头"), "{m}");
        std::fs::write(dir.path().join(FILE_NAME), "campaign_key = \"abc\"").unwrap();
        let m = PortableConfig::load_from(dir.path())
            .unwrap_err()
            .user_message();
        assert!(m.contains("64 位十六进制"), "{m}");
        std::fs::write(dir.path().join(FILE_NAME), "colour = \"red\"").unwrap();
        assert!(
            PortableConfig::load_from(dir.path()).is_err(),
            "unknown keys are refused"
        );
    }
}

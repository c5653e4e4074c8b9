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
    /// Read `baosong.toml` from `dir`; `Ok(None)` when there is none.
    pub fn load_from(dir: &Path) -> Result<Option<Self>, CoreError> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CoreError::io("read", &path, e)),
        };
        // A key written under [intake] belongs to the intake's table there, where it would be
        // silently ignored: said instead.
        if let Ok(table) = toml::from_str::<toml::Table>(text.trim_start_matches('\u{feff}'))
            && table
                .get("intake")
                .and_then(|i| i.get("campaign_key"))
                .is_some()
        {
            return Err(CoreError::PortableInvalid {
                path,
                detail: "campaign_key 写在了 [intake] 下面；请把它移到文件开头、[intake] 之前"
                    .into(),
            });
        }
        let mut config: Self =
            toml::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                CoreError::PortableInvalid {
                    path: path.clone(),
                    detail: e.message().to_string(),
                }
            })?;
        if let Some(key) = &config.campaign_key
            && let Err(problem) = super::campaign::signing::PublicKey::from_hex(key)
        {
            return Err(CoreError::PortableInvalid {
                path,
                detail: format!("campaign_key: {problem}"),
            });
        }
        if let Some(t) = &config.template
            && t.is_relative()
        {
            config.template = Some(dir.join(t));
        }
        Ok(Some(config))
    }

    /// `baosong.toml` beside the exe for the window and the CLI: a broken one is logged and
    /// ignored, so it never stops the program.
    pub fn found_beside_exe() -> Option<Self> {
        Self::beside_exe()
            .map_err(|e| tracing::error!(error = %e, "baosong.toml unreadable"))
            .ok()
            .flatten()
    }

    /// Read `baosong.toml` from the folder of the running program.
    pub fn beside_exe() -> Result<Option<Self>, CoreError> {
        let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return Ok(None);
        };
        Self::load_from(&dir)
    }
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

    /// The release zip's baosong.toml.example reads as it is (the intake's address only), and
    /// with every commented setting switched on it sets every setting the program knows: a
    /// setting added to [`PortableConfig`] or [`Intake`] and not to the example fails here.
    #[test]
    fn the_release_example_reads_as_it_is_and_names_every_setting() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), EXAMPLE).unwrap();
        let as_is = PortableConfig::load_from(dir.path()).unwrap().unwrap();
        assert_eq!(as_is.template, None);
        assert_eq!(as_is.campaign_key, None);
        let intake = as_is.intake.unwrap();
        assert!(intake.url.starts_with("https://"), "{}", intake.url);
        assert_eq!((intake.token, intake.allow_http), (None, false));

        // Every `# key = value` line switched on.
        let on: String = EXAMPLE
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

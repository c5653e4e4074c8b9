//! The receiving desk (收件台): what the city federation's publicity department does with the
//! bundles that arrived — who of the campaign's units reported and when ([`tally`]), each
//! bundle opened read-only with every file checked against its manifest ([`verify`]), the
//! table for the leaders as Excel ([`xlsx`]), and a bundle taken back in as a draft ([`import`]).
//!
//! **Bundles are untrusted input.** This module is the only way in: a bundle is opened by
//! [`Bundle::open`], which refuses entries that name a place outside the bundle (`../`, absolute
//! paths, drive letters, backslashes), links, more entries than a bundle has, a manifest of a
//! schema it does not know, or a manifest pointing at such names. Entry names are never used as
//! paths on disk: whatever is extracted is named by us. Every read is limited to the size the
//! manifest gives the file (a zip bomb stops there), and media are previewed through the same
//! cut-off child probe as attachments.

pub mod audit;
pub mod import;
pub mod opened;
pub mod tally;
pub mod verify;
pub mod xlsx;

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::bundle::{AttachmentEntry, BUNDLE_SCHEMA, MANIFEST, Manifest};
use super::media::display_name;

/// The most entries a bundle may have (one per attachment, plus two).
const MAX_ENTRIES: usize = 20_000;
/// The largest `manifest.json` read.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a whole zip: {detail}")]
    NotZip { path: PathBuf, detail: String },
    #[error("{path} has no manifest.json")]
    NoManifest { path: PathBuf },
    #[error("{path}: manifest.json unreadable: {detail}")]
    BadManifest { path: PathBuf, detail: String },
    #[error("{path}: bundle schema {schema}")]
    NewerSchema { path: PathBuf, schema: String },
    #[error("{path}: unsafe entry {entry:?}")]
    Unsafe { path: PathBuf, entry: String },
    #[error("{path}: {entry} expands beyond what the manifest says")]
    TooBig { path: PathBuf, entry: String },
    #[error("{path}: {entry} is not in the bundle")]
    Absent { path: PathBuf, entry: String },
    #[error("{path} has no summary document")]
    NoSummary { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Xlsx(#[from] xlsx::XlsxFail),
    #[error("cancelled")]
    Cancelled,
}

impl DeskError {
    /// What happened and what to do, for the publicity department.
    pub fn user_message(&self) -> String {
        match self {
            Self::Io { path, source } => format!(
                "无法读取“{}”：{}。",
                path.display(),
                super::error::io_reason(source)
            ),
            Self::NotZip { path, .. } => format!(
                "“{}”不是完整的材料包（文件不完整或已损坏，可能没有传完或拷贝时中断）。请让报送单位重新报送，或重新拷贝一次。",
                display_name(path)
            ),
            Self::NoManifest { path } => format!(
                "“{}”里没有清单 manifest.json，不是报送程序生成的材料包。",
                display_name(path)
            ),
            Self::BadManifest { path, .. } => format!(
                "“{}”的清单 manifest.json 无法读取（内容损坏或被改动）。请让报送单位重新报送。",
                display_name(path)
            ),
            Self::NewerSchema { path, schema } => format!(
                "“{}”是更新版本的报送程序生成的（格式 {schema}），本程序只能读 {BUNDLE_SCHEMA}。请升级本程序后再打开。",
                display_name(path)
            ),
            Self::Unsafe { path, entry } => format!(
                "“{}”中有不安全的条目“{entry}”（指向材料包以外的位置，或是一个链接），为安全起见没有打开。请让报送单位用报送程序重新导出。",
                display_name(path)
            ),
            Self::TooBig { path, entry } => format!(
                "“{}”中的“{entry}”解压后比清单所写的大得多（可能是恶意构造的压缩包），已停止读取。",
                display_name(path)
            ),
            Self::Absent { path, entry } => {
                format!("“{}”中缺少清单列出的文件“{entry}”。", display_name(path))
            }
            Self::NoSummary { path } => {
                format!("“{}”中没有汇总文档（汇总.html）。", display_name(path))
            }
            Self::Write { path, source } => format!(
                "无法写入“{}”：{}。请检查磁盘空间，或换一个位置后重试。",
                path.display(),
                super::error::io_reason(source)
            ),
            Self::Xlsx(e) => e.user_message(),
            Self::Cancelled => "已取消。".into(),
        }
    }
}

/// Is an entry name one a bundle may have: relative, forward slashes, no `..`, no drive, no
/// control characters?
pub fn safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.chars().any(char::is_control)
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Where a file of the manifest is in the zip, and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: usize,
    pub stored: bool,
    /// Where its bytes start in the zip file (stored entries are read from there directly).
    pub data_start: u64,
    pub compressed: u64,
    /// What the zip's directory says it expands to.
    pub size: u64,
}

/// A bundle opened for reading: its manifest, checked, and where each of its files is.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub path: PathBuf,
    pub manifest: Manifest,
    /// The zip's size.
    pub bytes: u64,
    /// When it arrived: see [`arrival`].
    pub received: Option<DateTime<FixedOffset>>,
    /// What the intake recorded of it, when it lies in the intake's store.
    pub intake: Option<IntakeRecord>,
    /// The manifest's files (by their path in the zip) that the zip has.
    pub entries: HashMap<String, Entry>,
}

/// One file the manifest lists: where it belongs and what it should be.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    /// `一、…/加强理论武装/01 …` or `综合材料`.
    pub place: String,
    pub attachment: &'a AttachmentEntry,
    pub path: &'a str,
    pub bytes: u64,
    pub sha256: &'a str,
}

impl Bundle {
    /// Open a bundle: its directory and manifest only (nothing hashed, nothing extracted).
    pub fn open(path: &Path) -> Result<Self, DeskError> {
        let io = |source| DeskError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| DeskError::NotZip {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        if zip.len() > MAX_ENTRIES {
            return Err(DeskError::Unsafe {
                path: path.to_path_buf(),
                entry: format!("{} 个条目", zip.len()),
            });
        }
        let mut names = HashMap::new();
        for i in 0..zip.len() {
            let entry = zip.by_index_data(i).map_err(|e| DeskError::NotZip {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if !safe_entry_name(name.trim_end_matches('/')) || entry.is_symlink() {
                return Err(DeskError::Unsafe {
                    path: path.to_path_buf(),
                    entry: name,
                });
            }
            if !entry.is_dir() {
                names.insert(name, i);
            }
        }
        let manifest = read_manifest(path, &mut zip)?;
        let mut entries = HashMap::new();
        for listed in listed(&manifest) {
            if !safe_entry_name(listed.path) {
                return Err(DeskError::Unsafe {
                    path: path.to_path_buf(),
                    entry: listed.path.to_string(),
                });
            }
            let Some(&index) = names.get(listed.path) else {
                continue;
            };
            let raw = zip.by_index_raw(index).map_err(|e| DeskError::NotZip {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
            let entry = Entry {
                index,
                stored: raw.compression() == zip::CompressionMethod::Stored,
                data_start: raw.data_start().unwrap_or(0),
                compressed: raw.compressed_size(),
                size: raw.size(),
            };
            drop(raw);
            entries.insert(listed.path.to_string(), entry);
        }
        let intake = intake_record(path);
        let received = arrival(
            path,
            &meta,
            intake.as_ref(),
            manifest.campaign.deadline.timezone(),
        );
        Ok(Self {
            path: path.to_path_buf(),
            manifest,
            bytes: meta.len(),
            received,
            intake,
            entries,
        })
    }

    /// The files the manifest lists, in its order.
    pub fn listed(&self) -> Vec<Listed<'_>> {
        listed(&self.manifest)
    }

    /// The bytes of one listed file, at most what the manifest says it is (`limit`): a bigger
    /// expansion stops there with [`DeskError::TooBig`].
    pub fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, DeskError> {
        let mut out = Vec::new();
        self.copy_to(path, limit, &mut out, &super::work::Unwatched)?;
        Ok(out)
    }

    /// Copy one listed file's bytes into `to`, at most `limit` of them.
    pub fn copy_to(
        &self,
        path: &str,
        limit: u64,
        to: &mut dyn std::io::Write,
        work: &dyn super::work::Work,
    ) -> Result<u64, DeskError> {
        let entry = self.entries.get(path).ok_or_else(|| DeskError::Absent {
            path: self.path.clone(),
            entry: path.to_string(),
        })?;
        let io = |source| DeskError::Io {
            path: self.path.clone(),
            source,
        };
        if entry.size > limit {
            return Err(DeskError::TooBig {
                path: self.path.clone(),
                entry: path.to_string(),
            });
        }
        let mut file = File::open(&self.path).map_err(io)?;
        if entry.stored {
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(entry.data_start))
                .map_err(io)?;
            let mut reader = file.take(entry.compressed.min(limit.saturating_add(1)));
            pump(&mut reader, to, limit, work).map_err(|e| e.at(self, path))
        } else {
            let mut zip = zip::ZipArchive::new(file).map_err(|e| DeskError::NotZip {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            let mut reader = zip.by_index(entry.index).map_err(|e| DeskError::NotZip {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            pump(&mut reader, to, limit, work).map_err(|e| e.at(self, path))
        }
    }
}

enum PumpError {
    Io(std::io::Error),
    TooBig,
    Cancelled,
}

impl PumpError {
    fn at(self, bundle: &Bundle, entry: &str) -> DeskError {
        match self {
            Self::Io(source) => DeskError::Io {
                path: bundle.path.clone(),
                source,
            },
            Self::TooBig => DeskError::TooBig {
                path: bundle.path.clone(),
                entry: entry.to_string(),
            },
            Self::Cancelled => DeskError::Cancelled,
        }
    }
}

/// Copy at most `limit` bytes; one more is an expansion the manifest does not justify.
fn pump(
    reader: &mut dyn Read,
    to: &mut dyn std::io::Write,
    limit: u64,
    work: &dyn super::work::Work,
) -> Result<u64, PumpError> {
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        if work.should_stop() {
            return Err(PumpError::Cancelled);
        }
        let n = super::media::read_up_to(&mut &mut *reader, &mut buf).map_err(PumpError::Io)?;
        if n == 0 {
            return Ok(done);
        }
        done += n as u64;
        if done > limit {
            return Err(PumpError::TooBig);
        }
        to.write_all(&buf[..n]).map_err(PumpError::Io)?;
    }
}

/// @tus/file-store's record of an upload, beside it: `<id>.json` (its announced `size`, metadata).
pub fn tus_info(path: &Path) -> PathBuf {
    let mut info = path.as_os_str().to_owned();
    info.push(".json");
    PathBuf::from(info)
}

/// What the intake (deploy/intake) wrote in an upload's record, `<name>.json` beside it: its
/// announced size and, in the `baosong` part, who sent it — the unit of the token it came
/// with — and the sha256 it recomputed when the last byte arrived. This, not the manifest (the
/// sender's word), says which unit a bundle is from and that it arrived intact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntakeRecord {
    /// The size announced at creation.
    pub size: Option<u64>,
    /// The unit of the token it was sent with; `None`: a token for any unit, or none asked.
    pub unit: Option<String>,
    /// The sha256 verified on arrival; `None`: complete or not, it was never checked.
    pub sha256: Option<String>,
    /// When the intake verified it, and so confirmed it to the sender.
    pub received_at: Option<DateTime<FixedOffset>>,
}

/// The intake's record of the upload at `path`, if it lies in the intake's store. A record that
/// cannot be read counts as one saying nothing (never verified).
pub fn intake_record(path: &Path) -> Option<IntakeRecord> {
    let text = std::fs::read(tus_info(path)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
    let ours = &v["baosong"];
    let text_of = |v: &serde_json::Value| v.as_str().map(str::to_string);
    Some(IntakeRecord {
        size: v["size"].as_u64(),
        unit: text_of(&ours["unit"]).filter(|u| !u.trim().is_empty()),
        sha256: text_of(&ours["sha256"]).filter(|s| s.len() == 64),
        received_at: ours["received_at"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok()),
    })
}

/// When a bundle arrived, as well as can be told:
/// 1. in the intake's own store (tus's `<name>.json` beside it): when the intake verified it
///    (its record), or for a record without that time the file's modification time, when its
///    last byte was written;
/// 2. elsewhere, under the name the intake gave it (`20240310-101502-渝中区妇联-3f9c1a.zip`,
///    copied or downloaded from the store, which may not keep the file's time): the time in the
///    name — when the upload began, by the server's clock (the intake runs in China Standard
///    Time, the deadline's zone);
/// 3. otherwise (a bundle exported to a USB stick): the file's modification time, which
///    Explorer's copy keeps.
pub fn arrival(
    path: &Path,
    meta: &std::fs::Metadata,
    record: Option<&IntakeRecord>,
    zone: FixedOffset,
) -> Option<DateTime<FixedOffset>> {
    let modified = || {
        meta.modified().ok().map(|t| {
            let utc: DateTime<chrono::Utc> = t.into();
            utc.with_timezone(&zone)
        })
    };
    if let Some(record) = record {
        return record
            .received_at
            .map(|t| t.with_timezone(&zone))
            .or_else(modified);
    }
    let name = path.file_name()?.to_string_lossy();
    let stamp = name.get(..15).filter(|s| {
        s.char_indices()
            .all(|(i, c)| if i == 8 { c == '-' } else { c.is_ascii_digit() })
    });
    stamp
        .and_then(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y%m%d-%H%M%S").ok())
        .and_then(|t| t.and_local_timezone(zone).single())
        .or_else(modified)
}

fn read_manifest(path: &Path, zip: &mut zip::ZipArchive<File>) -> Result<Manifest, DeskError> {
    let bad = |detail: String| DeskError::BadManifest {
        path: path.to_path_buf(),
        detail,
    };
    let mut entry = zip.by_name(MANIFEST).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => DeskError::NoManifest {
            path: path.to_path_buf(),
        },
        other => bad(other.to_string()),
    })?;
    if entry.size() > MAX_MANIFEST {
        return Err(DeskError::TooBig {
            path: path.to_path_buf(),
            entry: MANIFEST.into(),
        });
    }
    let mut text = Vec::new();
    (&mut entry)
        .take(MAX_MANIFEST + 1)
        .read_to_end(&mut text)
        .map_err(|e| bad(e.to_string()))?;
    if text.len() as u64 > MAX_MANIFEST {
        return Err(DeskError::TooBig {
            path: path.to_path_buf(),
            entry: MANIFEST.into(),
        });
    }
    // The schema first: a newer bundle is named as such, not as "unreadable".
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    let schema = value
        .get("schema")
        .and_then(|s| s.as_str())
        .unwrap_or_default()
        .to_string();
    if schema != BUNDLE_SCHEMA {
        if schema.starts_with("baosong.bundle/") {
            return Err(DeskError::NewerSchema {
                path: path.to_path_buf(),
                schema,
            });
        }
        return Err(bad(format!("schema {schema:?}")));
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

fn listed(manifest: &Manifest) -> Vec<Listed<'_>> {
    fn push<'m>(out: &mut Vec<Listed<'m>>, place: String, a: &'m AttachmentEntry) {
        if let (Some(path), Some(sha256)) = (a.path.as_deref(), a.sha256.as_deref()) {
            out.push(Listed {
                place,
                attachment: a,
                path,
                bytes: a.bytes.unwrap_or(0),
                sha256,
            });
        }
    }
    let mut out = Vec::new();
    for pillar in &manifest.pillars {
        for item in &pillar.items {
            for activity in &item.activities {
                for a in &activity.attachments {
                    let place = format!("{} / {} / {}", pillar.heading, item.title, activity.title);
                    push(&mut out, place, a);
                }
            }
        }
    }
    for a in &manifest.general {
        push(&mut out, super::bundle::GENERAL_FOLDER.to_string(), a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_leave_the_bundle_are_unsafe() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/Windows/x",
            "c:x",
            "a\\..\\x",
            "",
            "a//b",
            "./a",
            "a\u{0}b",
        ] {
            assert!(!safe_entry_name(bad), "{bad:?}");
        }
        for good in [
            "manifest.json",
            "一、强化政治引领，筑牢思想根基/加强理论武装/01 读书班/合影.jpg",
            "综合材料/工作总结.docx",
            "a..b/c",
        ] {
            assert!(safe_entry_name(good), "{good:?}");
        }
    }
}

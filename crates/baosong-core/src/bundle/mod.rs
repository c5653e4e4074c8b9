//! The bundle (材料包): one zip per submission, the thing that is sent, exported to a USB stick,
//! and read at the receiving end.
//!
//! ```text
//! manifest.json                 baosong.bundle/1: campaign, unit, contact, every answer, every
//!                               attachment with its path here, kind, bytes, sha256, caption
//! 汇总.html                      the summary the publicity department reads and prints
//! 一、强化政治引领，筑牢思想根基/加强理论武装/01 活动名称/合影.jpg
//! 综合材料/工作总结.docx
//! ```
//!
//! Written in **one streaming pass** that hashes the zip while writing it, and re-hashes every
//! attachment on the way in: a copy that changed or vanished since it was attached stops the
//! build with the file named. UTF-8 names (the language-encoding flag), zip64 when needed, media
//! stored as they are, text deflated. Everything that goes in is derived from the draft — its
//! `updated_at` is every entry's time, never the wall clock — so the same draft always gives the
//! same bytes, on any PC, and the bundle's sha256 identifies it (a re-send is recognised).
//! The format is documented in `docs/bundle.md`.

pub mod names;
pub mod summary;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::campaign::Campaign;
use super::draft::{Attachment, Draft, FileKind, Material, MediaInfo, StoredFile};
use super::hashing::HashThread;
use super::media::thumbs::Thumbnailer;
use super::store::atomic::AtomicFile;
use super::validate::{FileProblem, participant_count, validate};
use super::work::Work;
use chrono::{Datelike, Timelike};
use names::Folder;
use serde::{Deserialize, Serialize};

/// The bundle format this program writes.
pub const BUNDLE_SCHEMA: &str = "baosong.bundle/1";
pub const MANIFEST: &str = "manifest.json";
pub const SUMMARY_HTML: &str = "汇总.html";
/// The folder of 综合材料 in the bundle.
pub const GENERAL_FOLDER: &str = "综合材料";
/// Attachments are copied into the zip in pieces of this size.
const CHUNK: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the draft has {0} problems")]
    NotReady(usize),
    #[error("attachment {name} is missing ({path})")]
    Missing { name: String, path: PathBuf },
    #[error("attachment {name} changed since it was attached ({path})")]
    Changed { name: String, path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("zip: {0}")]
    Zip(String),
    #[error("cancelled")]
    Cancelled,
}

impl BundleError {
    pub fn user_message(&self) -> String {
        match self {
            Self::NotReady(n) => {
                format!("还有 {n} 个问题需要修改，暂不能打包。请先在“检查并提交”中改完。")
            }
            Self::Missing { name, .. } => format!(
                "材料“{name}”在草稿文件夹中的副本不见了，无法打包。请在“检查并提交”中找到它，删除后重新添加。"
            ),
            Self::Changed { name, .. } => format!(
                "材料“{name}”在添加后被改动过，无法打包。请在“检查并提交”中找到它，删除后重新添加。"
            ),
            Self::Write { path, source } => format!(
                "无法写入材料包“{}”：{}。请检查磁盘空间后重试。",
                path.display(),
                crate::error::io_reason(source)
            ),
            Self::Zip(_) => "打包时出错，请重试；如再出现，请导出诊断信息交给信息技术人员。".into(),
            Self::Cancelled => "已取消打包。".into(),
        }
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub app: AppInfo,
    pub campaign: CampaignInfo,
    pub draft: DraftInfo,
    pub unit: UnitInfo,
    pub pillars: Vec<PillarEntry>,
    /// 综合材料.
    pub general: Vec<AttachmentEntry>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    pub id: String,
    pub title: String,
    pub year: i32,
    pub deadline: chrono::DateTime<chrono::FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftInfo {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
    /// The bundle's time: every entry's modification time is this.
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub name: String,
    /// Typed rather than picked from the template's list (an agency women's committee).
    pub typed: bool,
    pub contact_person: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarEntry {
    pub id: String,
    pub heading: String,
    pub items: Vec<ItemEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemEntry {
    pub id: String,
    pub number: String,
    pub title: String,
    pub not_carried_out: bool,
    pub reason: String,
    pub activities: Vec<ActivityEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: String,
    pub title: String,
    /// `2024-03-08`.
    pub date: String,
    pub place: String,
    pub organiser: String,
    /// As the clerk wrote it (`约120人`)…
    pub participants: String,
    /// …and the number in it, for totals.
    pub participant_count: Option<u64>,
    pub summary: String,
    pub attachments: Vec<AttachmentEntry>,
}

/// One attachment: a file in the zip, or a link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentEntry {
    pub id: String,
    /// `photo`, `video`, `document` or `link`.
    pub kind: String,
    pub caption: String,
    /// Files: the path inside the zip, the format, the name on the clerk's PC, size, hash.
    pub path: Option<String>,
    pub format: Option<String>,
    pub original_name: Option<String>,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    pub location_removed: bool,
    pub info: Option<MediaInfo>,
    /// Links: the address, the platform, the title.
    pub url: Option<String>,
    pub platform: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub activities: usize,
    pub photos: usize,
    pub videos: usize,
    pub documents: usize,
    pub links: usize,
    /// The attachments' bytes.
    pub file_bytes: u64,
    /// The participants' numbers added up.
    pub participants: u64,
}

/// A file to copy into the zip.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub zip_path: String,
    pub file: StoredFile,
}

/// The manifest and the files of a draft, in the order they go into the zip.
pub fn plan(campaign: &Campaign, draft: &Draft) -> (Manifest, Vec<FileEntry>) {
    let mut files = Vec::new();
    let mut totals = Totals::default();
    let mut folders: HashMap<String, Folder> = HashMap::new();
    let mut entry =
        |folder: &str, a: &Attachment, totals: &mut Totals, files: &mut Vec<FileEntry>| {
            attachment_entry(
                folder,
                a,
                totals,
                files,
                folders.entry(folder.to_string()).or_default(),
            )
        };
    let mut pillars = Vec::new();
    for pillar in &campaign.pillars {
        let pillar_folder = names::component(&pillar.heading());
        let mut items = Vec::new();
        for item in &pillar.items {
            let answer = draft.answer(item.id.as_str()).cloned().unwrap_or_default();
            let item_folder = format!("{pillar_folder}/{}", names::component(&item.title));
            let activities = if answer.not_carried_out {
                Vec::new()
            } else {
                answer
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(n, a)| {
                        totals.activities += 1;
                        let count = participant_count(&a.participants);
                        totals.participants += count.unwrap_or(0);
                        let title = if a.title.trim().is_empty() {
                            "未命名"
                        } else {
                            a.title.trim()
                        };
                        let folder =
                            format!("{item_folder}/{:02} {}", n + 1, names::component(title));
                        ActivityEntry {
                            id: a.id.to_string(),
                            title: a.title.clone(),
                            date: a.date.clone(),
                            place: a.place.clone(),
                            organiser: a.organiser.clone(),
                            participants: a.participants.clone(),
                            participant_count: count,
                            summary: a.summary.clone(),
                            attachments: a
                                .attachments
                                .iter()
                                .map(|att| entry(&folder, att, &mut totals, &mut files))
                                .collect(),
                        }
                    })
                    .collect()
            };
            items.push(ItemEntry {
                id: item.id.to_string(),
                number: item.number.clone(),
                title: item.title.clone(),
                not_carried_out: answer.not_carried_out,
                reason: if answer.not_carried_out {
                    answer.reason.clone()
                } else {
                    String::new()
                },
                activities,
            });
        }
        pillars.push(PillarEntry {
            id: pillar.id.clone(),
            heading: pillar.heading(),
            items,
        });
    }
    let general = draft
        .general
        .iter()
        .map(|a| entry(GENERAL_FOLDER, a, &mut totals, &mut files))
        .collect();
    let manifest = Manifest {
        schema: BUNDLE_SCHEMA.into(),
        app: AppInfo {
            name: "baosong".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        campaign: CampaignInfo {
            id: campaign.id.clone(),
            title: campaign.title.clone(),
            year: campaign.year,
            deadline: campaign.deadline,
        },
        draft: DraftInfo {
            id: draft.id.to_string(),
            created_at: draft.created_at,
            updated_at: draft.updated_at,
        },
        unit: UnitInfo {
            name: draft.unit.unit.clone(),
            typed: draft.unit.typed,
            contact_person: draft.unit.contact_person.clone(),
            phone: draft.unit.phone.clone(),
        },
        pillars,
        general,
        totals,
    };
    (manifest, files)
}

fn attachment_entry(
    folder: &str,
    a: &Attachment,
    totals: &mut Totals,
    files: &mut Vec<FileEntry>,
    names: &mut Folder,
) -> AttachmentEntry {
    match &a.material {
        Material::File(f) => {
            let zip_path = format!("{folder}/{}", names.unique(&f.original_name));
            match f.kind {
                Some(FileKind::Photo) => totals.photos += 1,
                Some(FileKind::Video) => totals.videos += 1,
                _ => totals.documents += 1,
            }
            totals.file_bytes += f.bytes;
            files.push(FileEntry {
                zip_path: zip_path.clone(),
                file: f.clone(),
            });
            AttachmentEntry {
                id: a.id.to_string(),
                kind: match f.kind {
                    Some(FileKind::Photo) => "photo",
                    Some(FileKind::Video) => "video",
                    _ => "document",
                }
                .into(),
                caption: a.caption.clone(),
                path: Some(zip_path),
                format: Some(f.format.clone()),
                original_name: Some(f.original_name.clone()),
                bytes: Some(f.bytes),
                sha256: Some(f.sha256.clone()),
                location_removed: f.location_removed,
                info: Some(f.info.clone()),
                ..AttachmentEntry::default()
            }
        }
        Material::Link(l) => {
            totals.links += 1;
            AttachmentEntry {
                id: a.id.to_string(),
                kind: "link".into(),
                caption: a.caption.clone(),
                url: Some(l.url.clone()),
                platform: Some(l.platform.clone()),
                title: Some(l.title.clone()),
                ..AttachmentEntry::default()
            }
        }
    }
}

/// What a build made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub path: PathBuf,
    /// sha256 of the whole zip, lowercase hex.
    pub sha256: String,
    pub bytes: u64,
}

/// What a build needs besides the draft.
pub struct BuildInput<'a> {
    pub campaign: &'a Campaign,
    pub draft: &'a Draft,
    /// The draft's `files/`.
    pub files_dir: &'a Path,
    /// PNG thumbnails of photos and videos for the summary, best effort within a time limit.
    pub thumbnail: &'a Thumbnailer,
}

/// The file name a bundle is offered under: `材料包-渝中区妇联-20240310.zip`.
pub fn file_name(draft: &Draft) -> String {
    format!(
        "材料包-{}-{}.zip",
        names::component(draft.unit.display_name()),
        draft.updated_at.format("%Y%m%d")
    )
}

/// A writer that hashes what passes through it, on a second thread.
struct Hashing<W: Write> {
    inner: W,
    hasher: HashThread,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Build the bundle of a draft at `to` (atomically: it appears only when whole).
pub fn build(input: &BuildInput<'_>, to: &Path, work: &dyn Work) -> Result<Built, BundleError> {
    let report = validate(input.campaign, input.draft);
    if !report.is_ready() {
        return Err(BundleError::NotReady(report.problems.len()));
    }
    let (manifest, files) = plan(input.campaign, input.draft);
    let write_err = |source: std::io::Error| BundleError::Write {
        path: to.to_path_buf(),
        source,
    };
    let zip_err = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(source) => BundleError::Write {
            path: to.to_path_buf(),
            source,
        },
        other => BundleError::Zip(other.to_string()),
    };
    if let Some(dir) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let file = AtomicFile::create(to).map_err(write_err)?;
    let hashing = Hashing {
        inner: BufWriter::with_capacity(CHUNK, file),
        hasher: HashThread::start(),
        bytes: 0,
    };
    let mut zip = zip::ZipWriter::new_stream(hashing);
    let updated = input.draft.updated_at;
    let time = zip::DateTime::from_date_and_time(
        u16::try_from(updated.year())
            .unwrap_or(1980)
            .clamp(1980, 2107),
        updated.month() as u8,
        updated.day() as u8,
        updated.hour() as u8,
        updated.minute() as u8,
        updated.second() as u8,
    )
    .unwrap_or_default();
    let base = zip::write::SimpleFileOptions::default()
        .last_modified_time(time)
        .system(zip::System::Unix)
        .unix_permissions(0o644);
    let text = base
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    let total: u64 = files.iter().map(|f| f.file.bytes).sum();
    let stage = "正在打包";
    work.progress(stage, 0, total);

    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BundleError::Zip(e.to_string()))?;
    zip.start_file(MANIFEST, text).map_err(zip_err)?;
    zip.write_all(&manifest_json).map_err(write_err)?;
    let thumbnails = summary_thumbnails(input, &files);
    zip.start_file(SUMMARY_HTML, text).map_err(zip_err)?;
    zip.write_all(summary::html(&manifest, &thumbnails).as_bytes())
        .map_err(write_err)?;

    let mut done = 0u64;
    let mut buf = vec![0u8; CHUNK];
    for entry in &files {
        let f = &entry.file;
        let path = input.files_dir.join(&f.stored_name);
        use crate::store::{CopyState, copy_state};
        match copy_state(&path, f, work).map_err(|_| BundleError::Cancelled)? {
            CopyState::Same | CopyState::SameContent { .. } => {}
            CopyState::Problem(FileProblem::Missing) => {
                return Err(BundleError::Missing {
                    name: f.original_name.clone(),
                    path,
                });
            }
            CopyState::Problem(FileProblem::Changed) => {
                return Err(BundleError::Changed {
                    name: f.original_name.clone(),
                    path,
                });
            }
        }
        let mut source = File::open(&path).map_err(|_| BundleError::Missing {
            name: f.original_name.clone(),
            path: path.clone(),
        })?;
        let options = base
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(f.bytes >= u64::from(u32::MAX));
        zip.start_file(entry.zip_path.as_str(), options)
            .map_err(zip_err)?;
        let mut copied = 0u64;
        loop {
            if work.should_stop() {
                return Err(BundleError::Cancelled);
            }
            let n = crate::media::read_up_to(&mut source, &mut buf).map_err(|_| {
                BundleError::Missing {
                    name: f.original_name.clone(),
                    path: path.clone(),
                }
            })?;
            if n == 0 {
                break;
            }
            zip.write_all(&buf[..n]).map_err(write_err)?;
            copied += n as u64;
            done += n as u64;
            work.progress(&format!("正在打包“{}”", f.original_name), done, total);
        }
        // Changed while being read (another program writing to it).
        if copied != f.bytes {
            return Err(BundleError::Changed {
                name: f.original_name.clone(),
                path,
            });
        }
    }
    let hashing = zip.finish().map_err(zip_err)?.into_inner();
    let Hashing {
        inner,
        hasher,
        bytes,
    } = hashing;
    let file = inner.into_inner().map_err(|e| write_err(e.into_error()))?;
    let sha256 = hasher
        .finish()
        .ok_or_else(|| write_err(std::io::Error::other("the hashing thread stopped")))?;
    file.commit().map_err(write_err)?;
    Ok(Built {
        path: to.to_path_buf(),
        sha256,
        bytes,
    })
}

/// The summary's thumbnails, by attachment id: from the given source (the cache).
fn summary_thumbnails(input: &BuildInput<'_>, files: &[FileEntry]) -> HashMap<String, Vec<u8>> {
    let mut out = HashMap::new();
    for (_, a) in input.draft.all_attachments() {
        let Some(f) = a.file() else { continue };
        if !matches!(f.kind, Some(FileKind::Photo | FileKind::Video)) {
            continue;
        }
        if !files.iter().any(|e| e.file.sha256 == f.sha256) {
            continue;
        }
        let path = input.files_dir.join(&f.stored_name);
        // Best effort per file: a decoder that fails, panics or hangs on this one costs its
        // thumbnail, never the bundle (a valid but unusual photo once stopped every export).
        if let Some(png) = input.thumbnail.png(f, &path) {
            out.insert(a.id.to_string(), png);
        }
    }
    out
}

/// Read the manifest of a bundle (the receiving end, the tests).
pub fn read_manifest<R: Read + std::io::Seek>(zip: R) -> Result<Manifest, String> {
    let mut archive = zip::ZipArchive::new(zip).map_err(|e| e.to_string())?;
    let mut entry = archive.by_name(MANIFEST).map_err(|e| e.to_string())?;
    let mut text = String::new();
    entry
        .by_ref()
        .take(64 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if manifest.schema != BUNDLE_SCHEMA {
        return Err(format!("unknown bundle schema {:?}", manifest.schema));
    }
    Ok(manifest)
}

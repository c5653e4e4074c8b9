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

mod manifest;
pub mod names;
mod plan;
pub mod summary;

pub use manifest::*;
pub use plan::plan;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::campaign::Campaign;
use super::draft::{Draft, FileKind};
use super::hashing::HashThread;
use super::media::thumbs::Thumbnailer;
use super::store::atomic::AtomicFile;
use super::validate::{FileProblem, validate};
use super::work::Work;
use chrono::{Datelike, Timelike};

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

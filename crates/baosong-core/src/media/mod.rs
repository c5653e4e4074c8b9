//! Media: what a clerk attaches, and how it is looked at. No egui here.
//!
//! - [`sniff`]: what a file is, from its bytes.
//! - [`import`]: copying a file into the draft and hashing it in one pass, GPS removed;
//!   [`batch`]: many at once, with one progress and the probe of each video.
//! - [`exif`]: orientation, capture time, GPS — read, and GPS removed in place.
//! - [`picture`]: photos decoded small and oriented; video frames to RGB. [`jpeg_dc`]: JPEGs at
//!   1/8 scale from their DC coefficients (thumbnails).
//! - [`isobmff`], [`video`]: MP4/MOV metadata and poster frames; WebM, AVI, WMV metadata.
//! - [`document`]: page counts. [`links`]: new-media links and their platforms.
//! - [`probe`]: the same inspection in a child process with a time and memory limit, so a
//!   malformed file can neither hang nor crash the window.
//! - [`thumbs`]: thumbnails, made once and cached by content hash.

pub mod batch;
pub mod document;
pub mod exif;
pub mod import;
pub mod isobmff;
pub mod jpeg_dc;
pub mod links;
pub mod picture;
pub mod probe;
pub mod sniff;
pub mod thumbs;
pub mod video;
pub mod video_location;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use image::RgbaImage;
use serde::{Deserialize, Serialize};

use crate::draft::{FileKind, MediaInfo};
use crate::units::human_bytes;
use sniff::{Format, Sniffed};

/// Why a file cannot be attached (or read). Each names the file; [`MediaError::user_message`]
/// says what to do.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{path} does not exist (moved or deleted)")]
    Vanished { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{name} is empty")]
    Empty { name: String },
    #[error("{name} changed while it was copied")]
    ChangedWhileCopying { name: String },
    #[error("{name} is not a regular file")]
    NotAFile { name: String },
    #[error("{name} is a program")]
    Program { name: String },
    #[error("{name} is audio")]
    Audio { name: String },
    #[error("{name} is an archive")]
    Archive { name: String },
    #[error("{name} is of an unknown type")]
    Unknown { name: String },
    #[error("{name} is {bytes} bytes, over the {limit} limit for {kind}")]
    TooBig {
        name: String,
        kind: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{name} is already attached ({place})")]
    Duplicate { name: String, place: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
}

impl MediaError {
    pub fn user_message(&self) -> String {
        use crate::error::io_reason;
        let file_name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        match self {
            Self::Vanished { path } => format!(
                "找不到文件“{}”（可能已被移动或删除），请重新选择。",
                file_name(path)
            ),
            Self::Unreadable { path, source } => format!(
                "无法读取文件“{}”：{}。如果文件正在其他程序中打开，请关闭后重试。",
                file_name(path),
                io_reason(source)
            ),
            Self::Empty { name } => format!("“{name}”是空文件（0 字节），不能添加。"),
            Self::ChangedWhileCopying { name } => format!(
                "“{name}”在复制时发生了变化（可能仍在下载、写入或被其他程序修改），没有添加。请等它完成后重新添加。"
            ),
            Self::NotAFile { name } => format!(
                "“{name}”不是普通文件（是文件夹、设备或管道），不能添加。请选择其中的图片、视频或文档。"
            ),
            Self::Program { name } => {
                format!("“{name}”实际上是一个程序文件，不是图片、视频或文档，不能添加。")
            }
            Self::Audio { name } => format!(
                "“{name}”是音频文件。本次报送收图片、视频、活动稿件和新媒体链接；录音请转成视频或文字稿后再添加。"
            ),
            Self::Archive { name } => format!(
                "“{name}”是压缩包。请解压后，把其中的图片、视频和文档逐个添加（可一次选择多个）。"
            ),
            Self::Unknown { name } => format!(
                "无法识别“{name}”的文件类型。只能添加图片（JPG、PNG、HEIC…）、视频（MP4、MOV…）和文档（Word、WPS、PDF…）。"
            ),
            Self::TooBig {
                name,
                kind,
                bytes,
                limit,
            } => format!(
                "“{name}”大小为{}，超过{kind}的上限{}。请压缩后再添加，或联系市妇联宣传部。",
                human_bytes(*bytes),
                human_bytes(*limit)
            ),
            Self::Duplicate { name, place } => {
                format!("“{name}”已经添加过了（在{place}），没有重复添加。")
            }
            Self::Write { path, source } => format!(
                "无法把文件保存到草稿文件夹（{}）：{}。草稿未丢失；请检查磁盘空间后重试。",
                path.display(),
                io_reason(source)
            ),
            Self::Cancelled => "已取消。".into(),
        }
    }
}

/// What `baosong inspect` prints: everything the app knows of a file, as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Inspection {
    pub kind: Option<FileKind>,
    pub format: String,
    /// `JPEG 图片`, `MP4 视频`, `Word 文档（DOCX）`
    pub label: String,
    pub bytes: u64,
    pub sha256: String,
    /// Sizes after orientation, duration, codec, rotation, pages, warning.
    #[serde(flatten)]
    pub info: MediaInfo,
    /// EXIF orientation 1–8 (photos).
    pub orientation: Option<u16>,
    /// GPS/location data present.
    pub has_gps: bool,
}

/// The name of a path's file, for messages.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn open(path: &Path) -> Result<File, MediaError> {
    // Only regular files: opening a named pipe would wait for ever for a writer, a device would
    // never end.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(MediaError::NotAFile {
                name: display_name(path),
            });
        }
        _ => {}
    }
    File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => MediaError::Vanished {
            path: path.to_path_buf(),
        },
        _ => MediaError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// What a file is, from its first bytes (and, for zips, its directory).
pub fn identify(path: &Path) -> Result<Format, MediaError> {
    let mut file = open(path)?;
    let name = display_name(path);
    let mut head = vec![0u8; sniff::HEAD_BYTES];
    let n = read_up_to(&mut file, &mut head).map_err(|source| MediaError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    head.truncate(n);
    let _ = file.seek(SeekFrom::Start(0));
    match sniff::sniff(&head, &name, Some(&mut file)) {
        Sniffed::Known(f) => Ok(f),
        Sniffed::Empty => Err(MediaError::Empty { name }),
        Sniffed::Program => Err(MediaError::Program { name }),
        Sniffed::Audio => Err(MediaError::Audio { name }),
        Sniffed::Archive => Err(MediaError::Archive { name }),
        Sniffed::Unknown => Err(MediaError::Unknown { name }),
    }
}

pub(crate) fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Everything about a file, in this process: kind, size, hash, metadata, and if `thumbnail`
/// is given, the oriented picture (photo) or poster frame (video) no larger than that.
/// `baosong inspect` runs this; the window runs it through [`probe`] in a child process.
pub fn inspect(
    path: &Path,
    thumbnail: Option<u32>,
) -> Result<(Inspection, Option<RgbaImage>), MediaError> {
    let format = identify(path)?;
    let unreadable = |source| MediaError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut file = open(path)?;
    let mut hasher = crate::hashing::Sha256Hex::new();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    // Photos are small enough to be read whole (and their metadata needs the bytes).
    let mut whole = (format.kind == FileKind::Photo).then(Vec::new);
    loop {
        let n = file.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
        if let Some(w) = &mut whole {
            w.extend_from_slice(&buf[..n]);
        }
    }
    let mut out = Inspection {
        kind: Some(format.kind),
        format: format.name.to_string(),
        label: format.label(),
        bytes,
        sha256: hasher.finish(),
        ..Inspection::default()
    };
    let mut picture = None;
    match format.kind {
        FileKind::Photo => {
            let whole = whole.unwrap_or_default();
            let exif = exif::read_photo(format.name, &whole);
            out.orientation = exif.orientation;
            out.info.taken_at = exif.taken_at;
            out.has_gps = exif.has_gps;
            if let Some((w, h)) = picture::dimensions(&whole, format.name) {
                out.info.width = Some(w);
                out.info.height = Some(h);
            }
            if let Some(size) = thumbnail {
                // A decoder's panic costs the picture, not the inspection.
                let decoded =
                    std::panic::catch_unwind(|| picture::decode_photo(&whole, format.name, size));
                match decoded {
                    Ok(Ok(p)) => picture = Some(p),
                    Ok(Err(e)) => out.info.warning = Some(e.user_message()),
                    Err(panic) => {
                        tracing::warn!(path = %path.display(), reason = %panic_text(&*panic), "photo decoder panicked");
                        out.info.warning = Some(NO_PREVIEW.into());
                    }
                }
            }
        }
        FileKind::Video => {
            let probe = video::probe(path, format.name, thumbnail.is_some()).map_err(unreadable)?;
            out.info = probe.info;
            if matches!(format.name, "mp4" | "mov" | "m4v" | "3gp") {
                let _ = file.seek(SeekFrom::Start(0));
                out.has_gps = match video_location::plan(&mut file) {
                    video_location::VideoLocation::Removable(_) => true,
                    video_location::VideoLocation::None => false,
                    // Unreadable is not "has a location"; a marker or a GPS track is.
                    video_location::VideoLocation::Unsure(why) => {
                        video_location::unsure_of_location(why)
                    }
                };
            }
            picture = probe
                .poster
                .map(|p| shrink_to(p, thumbnail.unwrap_or(u32::MAX)));
        }
        FileKind::Document => {
            let _ = file.seek(SeekFrom::Start(0));
            out.info.pages = document::page_count(format.name, &mut file);
        }
    }
    Ok((out, picture))
}

fn shrink_to(image: RgbaImage, max_side: u32) -> RgbaImage {
    let long = image.width().max(image.height());
    if long <= max_side {
        return image;
    }
    let w = (u64::from(image.width()) * u64::from(max_side) / u64::from(long)).max(1) as u32;
    let h = (u64::from(image.height()) * u64::from(max_side) / u64::from(long)).max(1) as u32;
    image::imageops::thumbnail(&image, w, h)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What stands in a file's place when it cannot be previewed — on a tile, in the viewer, on the
/// desk, in the bundle's summary, in `baosong inspect`: the file is still attached and sent.
pub const NO_PREVIEW: &str = "无法预览（不影响报送）";

/// A preview of one file, best effort and within `timeout`: made on a thread of its own, so a
/// decoder that panics costs this file's preview and one that never returns is left behind
/// (logged; it ends with the process) while the caller goes on. Used where a preview stands in
/// the way of something that matters — the bundle's summary on the way to 导出 and 一键报送.
pub fn best_effort_within<T: Send + 'static>(
    path: &Path,
    timeout: std::time::Duration,
    make: impl FnOnce() -> Option<T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("baosong-preview-once".into())
        .spawn(move || {
            let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(make));
            let _ = tx.send(made);
        });
    if let Err(e) = spawned {
        tracing::warn!(path = %path.display(), error = %e, "no thread for a preview; shown as 无法预览");
        return None;
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(made)) => made,
        Ok(Err(panic)) => {
            tracing::warn!(path = %path.display(), reason = %panic_text(&*panic), "preview failed; shown as 无法预览");
            None
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            tracing::warn!(path = %path.display(), ?timeout, "preview took too long, left behind; shown as 无法预览");
            None
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// A preview of one file, best effort: `make`'s panic (a decoder meeting bytes it did not expect)
/// is caught, logged with the file, and answered as no preview — the file costs its own preview,
/// never the job, the export or the send.
pub fn best_effort<T>(path: &Path, make: impl FnOnce() -> Option<T>) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(make)) {
        Ok(made) => made,
        Err(panic) => {
            let why = panic_text(&*panic);
            tracing::warn!(path = %path.display(), reason = %why, "preview failed; shown as 无法预览");
            None
        }
    }
}

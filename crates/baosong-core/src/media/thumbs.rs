//! Thumbnails, made once and kept by content hash in `<data>/cache/thumbs/` — outside the draft
//! folders, so reopening a draft is instant, copies of a draft share them, and the whole cache
//! can be deleted at any time (they are made again when next shown).
//!
//! Photos in the formats decoded in-process (JPEG, PNG, GIF, WebP) are made here; HEIC photos
//! and video poster frames through the time- and memory-limited [`Prober`].

use std::path::{Path, PathBuf};

use image::RgbaImage;

use super::picture::{self, png_bytes};
use super::probe::Prober;
use crate::draft::{FileKind, StoredFile};
use crate::store::atomic::{temp_name_beside, write_atomic};

/// The longer side of a thumbnail, in pixels.
pub const THUMB_SIZE: u32 = 256;
/// Bumped when thumbnails are made differently, so old ones are not used.
const CACHE_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct ThumbnailCache {
    dir: PathBuf,
}

/// Why a file has no thumbnail (the tile says so; the file is still sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoThumbnail {
    /// Documents and links have icons, not thumbnails.
    NotAPicture,
    /// The message for the tile.
    Failed(String),
}

impl ThumbnailCache {
    /// The cache under `<data>/cache`.
    pub fn new(cache_dir: &Path) -> Self {
        Self {
            dir: cache_dir.join("thumbs"),
        }
    }

    pub fn path(&self, sha256: &str) -> PathBuf {
        let shard = sha256.get(..2).unwrap_or("00");
        self.dir
            .join(shard)
            .join(format!("{sha256}-{THUMB_SIZE}-v{CACHE_VERSION}.png"))
    }

    /// A cached thumbnail, if there is one and it is readable.
    pub fn load(&self, sha256: &str) -> Option<RgbaImage> {
        let bytes = std::fs::read(self.path(sha256)).ok()?;
        image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            .ok()
            .map(|i| i.into_rgba8())
    }

    pub fn store(&self, sha256: &str, image: &RgbaImage) -> std::io::Result<()> {
        let path = self.path(sha256);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let png = png_bytes(image).map_err(std::io::Error::other)?;
        write_atomic(&path, &png)
    }

    /// The thumbnail of an attachment stored at `stored`: from the cache, or made and cached.
    pub fn thumbnail(
        &self,
        file: &StoredFile,
        stored: &Path,
        prober: Option<&Prober>,
    ) -> Result<RgbaImage, NoThumbnail> {
        if let Some(cached) = self.load(&file.sha256) {
            return Ok(cached);
        }
        let made = match (file.kind, file.format.as_str()) {
            (Some(FileKind::Photo), "jpeg" | "png" | "gif" | "webp") => {
                let bytes = std::fs::read(stored)
                    .map_err(|_| NoThumbnail::Failed("文件不见了，请删除后重新添加".into()))?;
                picture::decode_photo(&bytes, &file.format, THUMB_SIZE)
                    .map_err(|e| NoThumbnail::Failed(e.user_message()))?
            }
            (Some(FileKind::Photo | FileKind::Video), _) => {
                let prober =
                    prober.ok_or_else(|| NoThumbnail::Failed(crate::media::NO_PREVIEW.into()))?;
                self.through_probe(stored, prober, THUMB_SIZE)?
            }
            _ => return Err(NoThumbnail::NotAPicture),
        };
        if let Err(e) = self.store(&file.sha256, &made) {
            tracing::warn!(error = %e, "thumbnail not cached");
        }
        Ok(made)
    }

    /// A picture of `size` made by a child probe (HEIC, video posters), through a temporary
    /// file beside the cache.
    pub fn through_probe(
        &self,
        stored: &Path,
        prober: &Prober,
        size: u32,
    ) -> Result<RgbaImage, NoThumbnail> {
        std::fs::create_dir_all(&self.dir).map_err(|e| NoThumbnail::Failed(e.to_string()))?;
        // A unique temporary name, removed when dropped; not opened here (on Windows the
        // child could not write a file this process holds open).
        let holder = temp_name_beside(&self.dir.join("probe.png"))
            .map_err(|e| NoThumbnail::Failed(e.to_string()))?;
        let tmp = holder.path().to_path_buf();
        let result = prober.inspect(stored, Some((&tmp, size)));
        let picture = std::fs::read(&tmp)
            .ok()
            .and_then(|b| image::load_from_memory_with_format(&b, image::ImageFormat::Png).ok())
            .map(|i| i.into_rgba8());
        drop(holder);
        match (result, picture) {
            (_, Some(p)) => Ok(p),
            (Ok(inspection), None) => {
                Err(NoThumbnail::Failed(inspection.info.warning.unwrap_or_else(
                    || "无法预览，仍会随材料报送，可用系统程序打开".into(),
                )))
            }
            (Err(e), None) => Err(NoThumbnail::Failed(e.user_message())),
        }
    }
}

/// A PNG thumbnail of a photo or video (for the bundle's summary): from the cache, or made.
pub fn thumbnail_png(
    cache: &ThumbnailCache,
    file: &StoredFile,
    stored: &Path,
    prober: Option<&Prober>,
) -> Option<Vec<u8>> {
    if let Ok(bytes) = std::fs::read(cache.path(&file.sha256)) {
        return Some(bytes);
    }
    let image = cache.thumbnail(file, stored, prober).ok()?;
    png_bytes(&image).ok()
}

/// The bundle's summary thumbnails: a PNG per photo or video, each made best effort within
/// [`Thumbnailer::timeout`] (see [`super::best_effort_within`]): no file's preview can stop an
/// export or a send.
#[derive(Clone)]
pub struct Thumbnailer {
    make: std::sync::Arc<MakePng>,
    timeout: std::time::Duration,
}

type MakePng = dyn Fn(&StoredFile, &Path) -> Option<Vec<u8>> + Send + Sync;

/// How long one summary thumbnail may take (a 24-megapixel JPEG takes a few tens of ms, a video
/// poster through the probe at most its own 20 s limit).
pub const SUMMARY_THUMB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Thumbnailer {
    pub fn new(
        make: impl Fn(&StoredFile, &Path) -> Option<Vec<u8>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            make: std::sync::Arc::new(make),
            timeout: SUMMARY_THUMB_TIMEOUT,
        }
    }

    /// From the cache (made there when missing, photos in process, the rest by the probe).
    pub fn cached(cache: ThumbnailCache, prober: Option<Prober>) -> Self {
        Self::new(move |file, stored| thumbnail_png(&cache, file, stored, prober.as_ref()))
    }

    /// No thumbnails at all.
    pub fn none() -> Self {
        Self::new(|_, _| None)
    }

    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The PNG of `file` stored at `stored`, if one can be had in time.
    pub fn png(&self, file: &StoredFile, stored: &Path) -> Option<Vec<u8>> {
        let make = self.make.clone();
        let (file, path) = (file.clone(), stored.to_path_buf());
        super::best_effort_within(stored, self.timeout, move || make(&file, &path))
    }
}

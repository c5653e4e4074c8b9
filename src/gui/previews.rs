//! The pictures on screen: thumbnails and the viewer's large image, as GPU textures. The
//! window asks for what it draws; what is not ready yet is asked of the preview pool (worker
//! threads), and arrives a frame or so later. Textures are bounded — a least-recently-drawn
//! cache — so a draft with a thousand photos never holds a thousand images: scrolled-past
//! thumbnails are dropped and come back from the disk cache when scrolled to again.

use std::collections::HashMap;
use std::path::Path;

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::core::draft::{FileKind, StoredFile};
use crate::core::media::thumbs::{NoThumbnail, THUMB_SIZE};
use crate::jobs::thumbnails::{PreviewKey, PreviewRequest, ThumbnailPool};

/// At most this many thumbnail textures are kept (256 px: about 250 KB each).
pub const THUMB_TEXTURES: usize = 240;
/// At most this many viewer-sized textures.
pub const LARGE_TEXTURES: usize = 3;
/// The longer side of the viewer's picture.
pub const LARGE_SIZE: u32 = 2048;

/// What a tile or the viewer can show now.
#[derive(Clone)]
pub enum Preview {
    Ready(TextureHandle),
    Loading,
    /// No picture, with the reason (the file is still sent).
    Failed(String),
    /// A document: an icon, not a picture.
    NotAPicture,
}

struct Entry {
    texture: TextureHandle,
    last_drawn: u64,
}

pub struct Previews {
    pool: Option<ThumbnailPool>,
    textures: HashMap<PreviewKey, Entry>,
    waiting: HashMap<PreviewKey, u64>,
    failed: HashMap<PreviewKey, String>,
    frame: u64,
}

impl Previews {
    pub fn new(pool: Option<ThumbnailPool>) -> Self {
        Self {
            pool,
            textures: HashMap::new(),
            waiting: HashMap::new(),
            failed: HashMap::new(),
            frame: 0,
        }
    }

    /// A thumbnail of a stored file at `path`.
    pub fn thumbnail(&mut self, file: &StoredFile, path: &Path) -> Preview {
        if !matches!(file.kind, Some(FileKind::Photo | FileKind::Video)) {
            return Preview::NotAPicture;
        }
        self.get(file, path, THUMB_SIZE)
    }

    /// The viewer's picture.
    pub fn large(&mut self, file: &StoredFile, path: &Path) -> Preview {
        self.get(file, path, LARGE_SIZE)
    }

    fn get(&mut self, file: &StoredFile, path: &Path, size: u32) -> Preview {
        let key = PreviewKey {
            sha256: file.sha256.clone(),
            size,
        };
        if let Some(entry) = self.textures.get_mut(&key) {
            entry.last_drawn = self.frame;
            return Preview::Ready(entry.texture.clone());
        }
        if let Some(why) = self.failed.get(&key) {
            return Preview::Failed(why.clone());
        }
        if !self.waiting.contains_key(&key)
            && let Some(pool) = &self.pool
        {
            pool.request(PreviewRequest {
                file: file.clone(),
                path: path.to_path_buf(),
                size,
            });
            self.waiting.insert(key, self.frame);
        } else if self.pool.is_none() {
            return Preview::Failed(crate::core::media::NO_PREVIEW.into());
        }
        Preview::Loading
    }

    /// Take what the pool made: upload it as textures. Call once a frame, before drawing.
    pub fn receive(&mut self, ctx: &egui::Context) {
        self.frame += 1;
        let Some(pool) = &self.pool else {
            return;
        };
        for (key, result) in pool.poll() {
            self.waiting.remove(&key);
            match result {
                Ok(image) => {
                    let size = [image.width() as usize, image.height() as usize];
                    let colour = ColorImage::from_rgba_unmultiplied(size, image.as_raw());
                    let name = format!("preview-{}-{}", key.sha256, key.size);
                    let texture = ctx.load_texture(name, colour, TextureOptions::LINEAR);
                    self.textures.insert(
                        key,
                        Entry {
                            texture,
                            last_drawn: self.frame,
                        },
                    );
                }
                Err(NoThumbnail::Failed(why)) => {
                    self.failed.insert(key, why);
                }
                Err(NoThumbnail::NotAPicture) => {
                    self.failed.insert(key, String::new());
                }
            }
        }
        // A request the pool dropped (scrolled past) may be asked again.
        let now = self.frame;
        self.waiting
            .retain(|_, asked| now.saturating_sub(*asked) < 600);
        self.evict();
    }

    /// Keep at most the bounded numbers of textures, dropping those drawn longest ago.
    fn evict(&mut self) {
        for (large, cap) in [(false, THUMB_TEXTURES), (true, LARGE_TEXTURES)] {
            let mut of_kind: Vec<(u64, PreviewKey)> = self
                .textures
                .iter()
                .filter(|(k, _)| (k.size > THUMB_SIZE) == large)
                .map(|(k, e)| (e.last_drawn, k.clone()))
                .collect();
            let excess = of_kind.len().saturating_sub(cap);
            of_kind.sort();
            for (_, key) in of_kind.into_iter().take(excess) {
                self.textures.remove(&key);
            }
        }
    }

    /// How many textures are held now (tests, benchmarks).
    pub fn texture_count(&self) -> usize {
        self.textures.len()
    }

    /// Forget what was asked for (the draft was closed).
    pub fn clear_requests(&mut self) {
        if let Some(pool) = &self.pool {
            pool.clear();
        }
        self.waiting.clear();
    }

    /// Nothing asked and not yet come back (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.waiting.is_empty()
    }
}

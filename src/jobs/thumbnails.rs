//! Previews made off the UI thread, on one worker per core. The window asks for the pictures of
//! what is on screen; the newest request is served first (what the clerk scrolled to), a
//! request already queued is not queued twice, and old requests beyond a bound are dropped
//! (she scrolled past them). Results come back as small RGBA images the window turns into
//! textures.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use image::RgbaImage;

use super::Wake;
use crate::core::draft::StoredFile;
use crate::core::media::picture;
use crate::core::media::probe::Prober;
use crate::core::media::thumbs::{NoThumbnail, THUMB_SIZE, ThumbnailCache};

/// At most this many requests wait; older ones are dropped.
const MAX_QUEUED: usize = 400;

/// One picture wanted: a thumbnail (cached on disk) or a viewer-sized one (not cached).
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    pub file: StoredFile,
    pub path: PathBuf,
    /// The longer side wanted; [`THUMB_SIZE`] for a thumbnail.
    pub size: u32,
}

impl PreviewRequest {
    /// What the result is known by: the content and the size.
    pub fn key(&self) -> PreviewKey {
        PreviewKey {
            sha256: self.file.sha256.clone(),
            size: self.size,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PreviewKey {
    pub sha256: String,
    pub size: u32,
}

/// A picture, or the reason there is none.
pub type PreviewResult = Result<RgbaImage, NoThumbnail>;

struct Queue {
    waiting: Vec<PreviewRequest>,
    keys: HashSet<PreviewKey>,
    stop: bool,
}

pub struct ThumbnailPool {
    shared: Arc<(Mutex<Queue>, Condvar)>,
    results: Receiver<(PreviewKey, PreviewResult)>,
    workers: Vec<JoinHandle<()>>,
}

impl ThumbnailPool {
    /// Start `workers` threads (0: one per core).
    pub fn start(
        cache: ThumbnailCache,
        prober: Option<Prober>,
        workers: usize,
        wake: Wake,
    ) -> Self {
        let n = if workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            workers
        };
        let shared = Arc::new((
            Mutex::new(Queue {
                waiting: Vec::new(),
                keys: HashSet::new(),
                stop: false,
            }),
            Condvar::new(),
        ));
        let (tx, results) = mpsc::channel();
        let workers = (0..n)
            .filter_map(|i| {
                let shared = shared.clone();
                let tx: Sender<(PreviewKey, PreviewResult)> = tx.clone();
                let cache = cache.clone();
                let prober = prober.clone();
                let wake = wake.clone();
                std::thread::Builder::new()
                    .name(format!("baosong-preview-{i}"))
                    .spawn(move || worker(&shared, &tx, &cache, prober.as_ref(), &wake))
                    .map_err(|e| tracing::error!(error = %e, "cannot start a preview worker"))
                    .ok()
            })
            .collect();
        Self {
            shared,
            results,
            workers,
        }
    }

    /// Ask for a picture; nothing happens if the same one is already waiting.
    pub fn request(&self, request: PreviewRequest) {
        let (lock, ready) = &*self.shared;
        let Ok(mut q) = lock.lock() else {
            return;
        };
        let key = request.key();
        if !q.keys.insert(key) {
            return;
        }
        q.waiting.push(request);
        if q.waiting.len() > MAX_QUEUED {
            let old = q.waiting.remove(0);
            q.keys.remove(&old.key());
        }
        ready.notify_one();
    }

    /// Forget what was asked but not started (the draft was closed).
    pub fn clear(&self) {
        if let Ok(mut q) = self.shared.0.lock() {
            q.waiting.clear();
            q.keys.clear();
        }
    }

    /// Pictures that have come back, without waiting.
    pub fn poll(&self) -> Vec<(PreviewKey, PreviewResult)> {
        self.results.try_iter().collect()
    }
}

impl Drop for ThumbnailPool {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.0.lock() {
            q.stop = true;
            q.waiting.clear();
        }
        self.shared.1.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn worker(
    shared: &(Mutex<Queue>, Condvar),
    tx: &Sender<(PreviewKey, PreviewResult)>,
    cache: &ThumbnailCache,
    prober: Option<&Prober>,
    wake: &Wake,
) {
    let (lock, ready) = shared;
    loop {
        let request = {
            let Ok(mut q) = lock.lock() else {
                return;
            };
            loop {
                if q.stop {
                    return;
                }
                // Newest first: what is on screen now.
                if let Some(r) = q.waiting.pop() {
                    break r;
                }
                q = match ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        let key = request.key();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| make(&request, cache, prober)))
            .unwrap_or_else(|_| {
                tracing::error!(file = %request.path.display(), "preview panicked");
                Err(NoThumbnail::Failed(crate::core::media::NO_PREVIEW.into()))
            });
        if let Ok(mut q) = lock.lock() {
            q.keys.remove(&key);
        }
        if tx.send((key, result)).is_err() {
            return;
        }
        wake();
    }
}

fn make(
    request: &PreviewRequest,
    cache: &ThumbnailCache,
    prober: Option<&Prober>,
) -> PreviewResult {
    let no_prober = || NoThumbnail::Failed(crate::core::media::NO_PREVIEW.into());
    if request.size == THUMB_SIZE {
        return cache.thumbnail(&request.file, &request.path, prober);
    }
    // Viewer-sized: decoded afresh (photos in-process, the rest through the probe).
    match request.file.format.as_str() {
        "jpeg" | "png" | "gif" | "webp" => {
            let bytes = std::fs::read(&request.path)
                .map_err(|_| NoThumbnail::Failed("文件不见了，请删除后重新添加".into()))?;
            picture::decode_photo(&bytes, &request.file.format, request.size)
                .map_err(|e| NoThumbnail::Failed(e.user_message()))
        }
        _ => {
            let prober = prober.ok_or_else(no_prober)?;
            cache.through_probe(&request.path, prober, request.size)
        }
    }
}

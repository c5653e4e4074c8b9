//! What the benchmarks share.

#![allow(dead_code)] // each benchmark uses its part

use std::io::Write;
use std::path::{Path, PathBuf};

use baosong::gui::{FilePicker, Picked};

/// A file picker that answers every "save as" and "choose a folder" with one path.
pub struct SaveTo(pub PathBuf);

impl FilePicker for SaveTo {
    fn pick_template(&mut self) -> Picked<PathBuf> {
        Picked::Cancelled
    }
    fn save_diagnostics(&mut self, _: &str) -> Picked<PathBuf> {
        Picked::Cancelled
    }
    fn pick_attachments(
        &mut self,
        _: &baosong::core::campaign::AttachmentRules,
    ) -> Picked<Vec<PathBuf>> {
        Picked::Cancelled
    }
    fn save_bundle(&mut self, _: &str) -> Picked<PathBuf> {
        Picked::Chosen(self.0.clone())
    }
    fn pick_folder(&mut self) -> Picked<PathBuf> {
        Picked::Chosen(self.0.clone())
    }
    fn save_document(&mut self, _: &str, _: &str) -> Picked<PathBuf> {
        Picked::Chosen(self.0.clone())
    }
}

/// A 1 GiB "video": an MP4 file-type box, then incompressible bytes (the app takes it as a video
/// by its content; nothing can be saved by compressing it).
pub fn gigabyte_video(path: &Path) {
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1")
        .expect("write");
    let mut rng = fastrand::Rng::with_seed(7);
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        rng.fill(&mut chunk);
        f.write_all(&chunk).expect("write");
    }
}

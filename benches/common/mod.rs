//! What the benchmarks share.

use std::io::Write;
use std::path::Path;

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

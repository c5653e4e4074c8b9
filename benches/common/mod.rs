//! What the benchmarks share.

#![allow(dead_code)] // each benchmark uses its part

use std::io::Write;
use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

use baosong::gui::{App, FilePicker, Picked, fonts};
use egui_kittest::Harness;

/// Which parts of a benchmark to run: `cargo bench --bench bundle -- upload` runs the parts
/// whose names contain `upload`; no word, all of them.
pub fn wanted() -> impl Fn(&str) -> bool {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    move |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()))
}

/// The window headless, at the size the screenshots use.
pub fn headless(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size([1280.0, 1000.0])
        .with_max_steps(64)
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

/// Draw frames about 60 times a second (as a window would while something moves) until `done`
/// says so or 10 minutes passed: each frame's time, and how long it all took.
pub fn frames_until(
    h: &mut Harness<'_, App>,
    done: &mut dyn FnMut(&Harness<'_, App>) -> bool,
) -> (Vec<Duration>, Duration) {
    let mut times = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
        if done(h) {
            break;
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    (times, started.elapsed())
}

/// `N frames, median …, p99 …, max …`.
pub fn frame_stats(v: &[Duration]) -> String {
    let mut ms: Vec<f64> = v.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q) as usize];
    format!(
        "{} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        at(0.5),
        at(0.99),
        ms[ms.len() - 1]
    )
}

/// A file picker that answers every "save as" and "choose a folder" with one path.
pub struct SaveTo(pub PathBuf);

impl FilePicker for SaveTo {
    fn pick_units(&mut self) -> Picked<PathBuf> {
        Picked::Cancelled
    }
    fn pick_notice(&mut self) -> Picked<PathBuf> {
        Picked::Cancelled
    }
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

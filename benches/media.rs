//! Media benchmarks, each against a named peer in the same run (results in BENCHMARKS.md):
//!
//! 1. 256-px thumbnails of 100 × 24-megapixel JPEGs on all cores vs `vipsthumbnail` (libvips).
//! 2. Attaching a 1 GiB video (copy + sha256 in one pass) vs a plain copy of the same file.
//! 3. A 720p H.264 poster frame vs `ffmpeg -frames:v 1` on the same file.
//! 4. The attachments view: frame time with 1000 attachments vs 10, headless; and the process's
//!    peak memory after scrolling a 1000-photo grid end to end.
//!
//! `cargo bench --bench media` (all), or `cargo bench --bench media -- thumbnails` (one).
//! Needs Debian's libvips-tools and ffmpeg for the peers and the fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use baosong::core::campaign::Campaign;
use baosong::core::media::import::{ImportTarget, import_file};
use baosong::core::media::picture;
use baosong::core::work::Unwatched;

fn main() {
    let wanted = common::wanted();
    let dir = tempfile::tempdir().expect("temporary folder");
    if wanted("thumbnails") {
        thumbnails(dir.path());
    }
    if wanted("import") {
        import(dir.path());
    }
    if wanted("poster") {
        poster(dir.path());
    }
    if wanted("view") {
        view(dir.path());
    }
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A 6000×4000 photo-like JPEG (smooth gradients with noise, so it compresses like a photo).
fn big_jpeg(seed: u32) -> Vec<u8> {
    let (w, h) = (6000u16, 4000u16);
    let mut rng = fastrand::Rng::with_seed(u64::from(seed));
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..u32::from(h) {
        for x in 0..u32::from(w) {
            let n = rng.u8(..24);
            rgb.push(
                ((x * 255 / 6000) as u8)
                    .wrapping_add(n)
                    .wrapping_add(seed as u8),
            );
            rgb.push(((y * 255 / 4000) as u8).wrapping_add(n));
            rgb.push((((x + y) * 255 / 10000) as u8).wrapping_add(n / 2));
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 88)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("encode");
    out
}

fn thumbnails(dir: &Path) {
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).expect("folder");
    let distinct: Vec<Vec<u8>> = (0..4).map(big_jpeg).collect();
    let paths: Vec<PathBuf> = (0..100)
        .map(|i| {
            let p = photos.join(format!("photo{i:03}.jpg"));
            std::fs::write(&p, &distinct[i % distinct.len()]).expect("write");
            p
        })
        .collect();
    let mb = distinct[0].len() as f64 / 1e6;
    // Warm the page cache for both.
    for p in &paths {
        let _ = std::fs::read(p);
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let ours = {
        let started = Instant::now();
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..cores {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = paths.get(i) else { break };
                        let bytes = std::fs::read(p).expect("read");
                        let t = picture::decode_photo(&bytes, "jpeg", 256).expect("decode");
                        assert_eq!(t.width(), 256);
                    }
                });
            }
        });
        started.elapsed()
    };
    let out = dir.join("vips");
    std::fs::create_dir_all(&out).expect("folder");
    let vips = {
        let started = Instant::now();
        std::thread::scope(|s| {
            for chunk in paths.chunks(paths.len().div_ceil(cores)) {
                let out = out.clone();
                s.spawn(move || {
                    let status = Command::new("vipsthumbnail")
                        .args(chunk)
                        .arg("--size")
                        .arg("256")
                        .arg("-o")
                        .arg(format!("{}/%s.jpg", out.display()))
                        .status()
                        .expect("vipsthumbnail (apt-get install libvips-tools)");
                    assert!(status.success());
                });
            }
        });
        started.elapsed()
    };
    println!(
        "thumbnails: 100 × 24 MP JPEG ({mb:.1} MB each), {cores} cores: baosong {:.2} s ({:.0} ms/photo), vipsthumbnail {:.2} s ({:.0} ms/photo); ratio {:.2}× vipsthumbnail",
        seconds(ours),
        seconds(ours) * 1000.0 / 100.0 * cores as f64,
        seconds(vips),
        seconds(vips) * 1000.0 / 100.0 * cores as f64,
        seconds(ours) / seconds(vips)
    );
}

fn import(dir: &Path) {
    let source = dir.join("录像.mp4");
    common::gigabyte_video(&source);
    let rules = Campaign::builtin().expect("template").attachments;
    let mut copies = Vec::new();
    let mut ours = Vec::new();
    for round in 0..3 {
        let plain = dir.join(format!("plain{round}.mp4"));
        let started = Instant::now();
        std::fs::copy(&source, &plain).expect("copy");
        std::fs::File::open(&plain)
            .and_then(|f| f.sync_all())
            .expect("sync");
        copies.push(started.elapsed());
        let _ = std::fs::remove_file(&plain);

        let files = dir.join(format!("files{round}"));
        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let started = Instant::now();
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-08T10:00:00+08:00").expect("time");
        import_file(&source, "f1".into(), &target, &Unwatched, now).expect("import");
        ours.push(started.elapsed());
        let _ = std::fs::remove_dir_all(&files);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    println!(
        "import: 1 GiB video, best of 3: copy + sha256 in one pass (atomic, fsynced) {:.2} s, plain copy (fsynced) {:.2} s; ratio {:.2}× a plain copy",
        seconds(best(&ours)),
        seconds(best(&copies)),
        seconds(best(&ours)) / seconds(best(&copies))
    );
}

fn poster(dir: &Path) {
    let video = dir.join("720p.mp4");
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=1280x720:rate=30",
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
        ])
        .arg(&video)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        let probe = baosong::core::media::video::probe(&video, "mp4", true).expect("probe");
        assert!(probe.poster.is_some());
    }
    let ours = started.elapsed() / rounds;
    let out = dir.join("ffmpeg-poster.png");
    let started = Instant::now();
    for _ in 0..rounds {
        let status = Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
            .arg(&video)
            .args(["-frames:v", "1"])
            .arg(&out)
            .status()
            .expect("ffmpeg");
        assert!(status.success());
    }
    let ffmpeg = started.elapsed() / rounds;
    println!(
        "poster: 720p H.264, mean of {rounds}: baosong (read moov, decode the key frame, to RGBA) {:.1} ms in-process; `ffmpeg -frames:v 1` to PNG {:.1} ms as a process; ratio {:.2}×",
        seconds(ours) * 1000.0,
        seconds(ffmpeg) * 1000.0,
        seconds(ours) / seconds(ffmpeg)
    );
}

/// The attachments view, headless: a draft with `n` photos on one activity.
fn view(dir: &Path) {
    use baosong::core::draft::UnitProfile;
    use baosong::core::store::DataDir;
    use baosong::gui::{App, AppConfig};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use std::sync::Arc;

    let campaign = Campaign::builtin().expect("template");
    let clock =
        Arc::new(baosong::core::FixedClock::at("2024-03-01T10:00:00+08:00").expect("clock"));
    let photos = dir.join("many");
    std::fs::create_dir_all(&photos).expect("folder");
    let mut results = Vec::new();
    for n in [10usize, 1000] {
        let data = dir.join(format!("data{n}"));
        let store = DataDir::open(&data, clock.clone()).expect("data");
        let mut d = store
            .create(&campaign, UnitProfile::default())
            .expect("draft");
        let a = d.add_activity("p1-1");
        let files = store.draft_dir(&d.id).join("files");
        for i in 0..n {
            let p = photos.join(format!("p{n}-{i}.jpg"));
            // 1.2 MP each, distinct.
            let rgb: Vec<u8> = (0..1280u32 * 960)
                .flat_map(|k| [(k % 251) as u8, (i % 256) as u8, (k / 1280 % 256) as u8])
                .collect();
            let mut jpg = Vec::new();
            jpeg_encoder::Encoder::new(&mut jpg, 80)
                .encode(&rgb, 1280, 960, jpeg_encoder::ColorType::Rgb)
                .expect("encode");
            std::fs::write(&p, jpg).expect("write");
            let target = ImportTarget {
                files_dir: &files,
                rules: &campaign.attachments,
                already: &|_| None,
            };
            let id = d.reserve_attachment_id();
            let att = import_file(&p, id, &target, &Unwatched, store.now()).expect("import");
            if let Some(x) = d.activity_mut("p1-1", a.as_str()) {
                x.attachments.push(att);
            }
        }
        store.save(&d).expect("save");
        drop(store);
        let app = App::new(AppConfig {
            data_root: Some(data.clone()),
            template: None,
            clock: clock.clone(),
            ticker: Arc::new(baosong::core::clock::SystemTicker),
            picker: Box::new(baosong::gui::NativePicker),
            portable: None,
            probe_exe: None,
            preview_workers: 0,
            upload: Default::default(),
        });
        let mut h = common::headless(app);
        let settle = |h: &mut Harness<'_, App>| {
            for _ in 0..3000 {
                h.run_ok();
                if h.state().is_idle() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        };
        settle(&mut h);
        h.get_by_label("继续填写").click();
        settle(&mut h);
        h.get_by_label("填报任务").click();
        settle(&mut h);
        h.get_by_label(&format!("查看：p{n}-0.jpg")).scroll_to_me();
        settle(&mut h);
        // Frame time: the view standing still, all visible thumbnails loaded.
        let frames = 200;
        let started = Instant::now();
        for _ in 0..frames {
            h.step();
        }
        let frame = started.elapsed() / frames;
        // Scroll end to end, loading every row's thumbnails on the way.
        let grid = h.get_by_label(&format!("查看：p{n}-0.jpg")).rect().center();
        let mut max_textures = 0;
        for _ in 0..(n / 4 + 20) {
            if h.query_by_label(&format!("查看：p{n}-{}.jpg", n - 1))
                .is_some()
            {
                break;
            }
            h.hover_at(grid);
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -300.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            });
            settle(&mut h);
            max_textures = max_textures.max(h.state().texture_count());
        }
        results.push((n, frame, max_textures, peak_memory_mb()));
    }
    let (small, large) = (results[0], results[1]);
    println!(
        "view: frame time with {} attachments {:.2} ms, with {} attachments {:.2} ms; ratio {:.2}×",
        small.0,
        seconds(small.1) * 1000.0,
        large.0,
        seconds(large.1) * 1000.0,
        seconds(large.1) / seconds(small.1)
    );
    println!(
        "view: after scrolling the 1000-photo grid end to end: at most {} thumbnail textures held (bound {}), peak memory of the whole process {} MB",
        large.2,
        baosong::gui::previews::THUMB_TEXTURES,
        large.3.map_or("?".into(), |m| m.to_string())
    );
}

/// The process's peak resident memory (Linux `VmHWM`), in MB.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

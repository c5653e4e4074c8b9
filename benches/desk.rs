//! The receiving desk against named peers, in one run (`cargo bench --bench desk`):
//!
//! 1. the table: 100 bundles of 50 MB (generated: the template's units, five incompressible
//!    50/5 MB files each, stored) read by their manifests only — goal ≤ 1 s;
//! 2. the integrity check of all 5 GB (every file against its manifest's sha256, all cores) vs
//!    `sha256sum` and `openssl dgst -sha256` over the same bundles — goals ≤ 0.5× sha256sum and
//!    ≤ 1.2× openssl (which uses the CPU's SHA extensions);
//! 3. the window's frame times headless while 核对全部材料包 runs.
//!
//! The bundles are made once under `target/bench-desk/` and kept (delete the folder to remake
//! them). Each timing is the best of three, after a first pass that puts the files in the page
//! cache for every contender alike.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baosong::core::bundle::{AttachmentEntry, MANIFEST, Manifest};
use baosong::core::campaign::Campaign;
use baosong::core::desk::{Bundle, tally, verify};
use baosong::core::work::Unwatched;
use sha2::{Digest, Sha256};

const BUNDLES: usize = 100;
const FILES: usize = 5;
const FILE_BYTES: usize = 10 << 20;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-desk");
    let folder = root.join("收件");
    make(&folder);
    let campaign = Campaign::builtin().expect("template");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!(
        "desk: {BUNDLES} bundles × {} MB, {threads} cores",
        (FILES * FILE_BYTES) >> 20
    );

    // Warm the page cache for everyone.
    let _ = run("sha256sum", &folder);

    let best = |f: &mut dyn FnMut() -> Duration| (0..3).map(|_| f()).min().unwrap_or_default();
    let table = best(&mut || {
        let t = Instant::now();
        let found = tally::scan(&folder, &Unwatched).expect("scan");
        let t2 = tally::tally(&campaign, &found);
        assert_eq!(found.bundles.len(), BUNDLES);
        assert_eq!(t2.reported(), 41);
        t.elapsed()
    });
    println!(
        "desk: table of {BUNDLES} bundles (manifests only): {:.3} s (goal ≤ 1 s)",
        table.as_secs_f64()
    );

    let found = tally::scan(&folder, &Unwatched).expect("scan");
    let bundles: Vec<&Bundle> = found.bundles.iter().collect();
    let ours = best(&mut || {
        let t = Instant::now();
        let v = verify::verify_all(&bundles, threads, &Unwatched).expect("verify");
        assert!(v.iter().all(|v| v.intact()));
        t.elapsed()
    });
    let sha256sum = best(&mut || run("sha256sum", &folder));
    let openssl = best(&mut || run("openssl", &folder));
    let gib = (BUNDLES * FILES * FILE_BYTES) as f64 / (1u64 << 30) as f64;
    println!(
        "desk: integrity check of {gib:.2} GiB: ours {:.2} s, sha256sum {:.2} s, openssl dgst -sha256 {:.2} s",
        ours.as_secs_f64(),
        sha256sum.as_secs_f64(),
        openssl.as_secs_f64()
    );
    println!(
        "desk: ours / sha256sum = {:.2}× (goal ≤ 0.5×), ours / openssl = {:.2}× (goal ≤ 1.2×)",
        ours.as_secs_f64() / sha256sum.as_secs_f64(),
        ours.as_secs_f64() / openssl.as_secs_f64()
    );
    window(&root, &folder);
}

/// A peer hashing every bundle in the folder, one process, one core.
fn run(tool: &str, folder: &Path) -> Duration {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut cmd = match tool {
        "openssl" => {
            let mut c = Command::new("openssl");
            c.args(["dgst", "-sha256"]);
            c
        }
        other => Command::new(other),
    };
    cmd.args(&files).stdout(std::process::Stdio::null());
    let t = Instant::now();
    let status = cmd.status().expect(tool);
    assert!(status.success(), "{tool}");
    t.elapsed()
}

/// The bundles: a real manifest (the example's) per bundle, its 综合材料 replaced by five
/// incompressible documents, stored.
fn make(folder: &Path) {
    if folder.join(format!("{:03}.zip", BUNDLES - 1)).is_file() {
        return;
    }
    let _ = std::fs::remove_dir_all(folder);
    std::fs::create_dir_all(folder).expect("folder");
    let example: Manifest = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/example-bundle-manifest.json"),
        )
        .expect("example manifest"),
    )
    .expect("manifest");
    let units = Campaign::builtin().expect("template").units;
    let mut rng = fastrand::Rng::with_seed(3);
    let mut data = vec![0u8; FILE_BYTES];
    print!("desk: making {BUNDLES} bundles…");
    let _ = std::io::stdout().flush();
    for n in 0..BUNDLES {
        let mut m = example.clone();
        // Only the files below: no attachments in the pillars.
        for p in &mut m.pillars {
            for i in &mut p.items {
                for a in &mut i.activities {
                    a.attachments.retain(|x| x.kind == "link");
                }
            }
        }
        m.unit.name = units[n % units.len()].clone();
        let mut files = Vec::new();
        m.general = (0..FILES)
            .map(|f| {
                rng.fill(&mut data);
                let sha = Sha256::digest(&data);
                let path = format!("综合材料/资料{f}.pdf");
                files.push((path.clone(), data.clone()));
                AttachmentEntry {
                    id: format!("g{f}"),
                    kind: "document".into(),
                    path: Some(path),
                    format: Some("pdf".into()),
                    original_name: Some(format!("资料{f}.pdf")),
                    bytes: Some(FILE_BYTES as u64),
                    sha256: Some(sha.iter().map(|b| format!("{b:02x}")).collect()),
                    ..AttachmentEntry::default()
                }
            })
            .collect();
        m.totals.photos = 0;
        m.totals.videos = 0;
        m.totals.documents = FILES;
        m.totals.file_bytes = (FILES * FILE_BYTES) as u64;
        let file = std::fs::File::create(folder.join(format!("{n:03}.zip"))).expect("create");
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file(MANIFEST, zip::write::SimpleFileOptions::default())
            .expect("zip");
        zip.write_all(&serde_json::to_vec_pretty(&m).expect("json"))
            .expect("zip");
        for (path, bytes) in files {
            zip.start_file(path, stored).expect("zip");
            zip.write_all(&bytes).expect("zip");
        }
        zip.finish().expect("zip");
    }
    println!(" done");
}

/// Frame times of the desk headless while 核对全部材料包 checks everything.
fn window(root: &Path, folder: &Path) {
    use baosong::gui::{App, AppConfig};
    use common::frames_until;
    use egui_kittest::kittest::Queryable;

    let data = root.join("window-data");
    let _ = std::fs::remove_dir_all(&data);
    let app = App::new(AppConfig {
        data_root: Some(data),
        template: None,
        clock: Arc::new(baosong::core::clock::SystemClock),
        ticker: Arc::new(baosong::core::clock::SystemTicker),
        picker: Box::new(common::SaveTo(folder.to_path_buf())),
        portable: None,
        probe_exe: None,
        preview_workers: 0,
        upload: Default::default(),
    });
    let mut h = common::headless(app);
    let _ = frames_until(&mut h, &mut |h| h.query_by_label("设置与帮助").is_some());
    h.get_by_label("设置与帮助").click();
    let _ = frames_until(&mut h, &mut |h| h.query_by_label("收件台").is_some());
    h.get_by_label("收件台").click();
    let _ = frames_until(&mut h, &mut |h| h.query_by_label("选择文件夹…").is_some());
    h.get_by_label("选择文件夹…").click();
    let (_, read) = frames_until(&mut h, &mut |h| {
        h.query_by_label("核对全部材料包").is_some()
    });
    h.get_by_label("核对全部材料包").click();
    let (checking, took) = frames_until(&mut h, &mut |h| {
        h.query_all_by_label_contains("核对完毕").next().is_some()
    });
    println!(
        "desk: window: folder read in {:.2} s; during 核对全部材料包 ({:.1} s): {}",
        read.as_secs_f64(),
        took.as_secs_f64(),
        common::frame_stats(&checking)
    );
}

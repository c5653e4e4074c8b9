//! Bundle and upload benchmarks, each against named peers in the same run (results in
//! BENCHMARKS.md):
//!
//! 1. export: a complete draft with 1 GiB of video → its 材料包 (one streaming pass: zip entries,
//!    CRC-32, sha256 on a second thread, fsynced, renamed into place) vs a plain fsynced copy of
//!    the same bytes, and vs `zip -0` followed by `sha256sum`.
//! 2. upload: that bundle to the intake (`deploy/intake`: `@tus/server` + `@tus/file-store`) on loopback vs
//!    curl (one creation POST, one streaming PATCH) and tus-js-client (Node, same chunk size).
//! 3. the window during 导出材料包 and 一键报送, headless: frame times while the work runs vs
//!    the same page idle.
//!
//! `cargo bench --bench bundle` (all) or `cargo bench --bench bundle -- upload` (one);
//! `BENCH_CHUNK_MIB=64` sends in chunks of another size than the app's 16 MiB.
//! Needs node with `npm ci` done in deploy/intake and tests/peers, curl, zip and sha256sum.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baosong::core::bundle::{self, BuildInput};
use baosong::core::campaign::{Campaign, Intake};
use baosong::core::draft::{Draft, DraftId, UnitProfile};
use baosong::core::intake::tus::Metadata;
use baosong::core::intake::upload::{UploadOptions, UploadRequest, UploadState, upload};
use baosong::core::media::import::{ImportTarget, import_file};
use baosong::core::store::DataDir;
use baosong::core::work::Unwatched;

const GIB: u64 = 1 << 30;
const ROUNDS: usize = 3;

fn main() {
    let wanted = common::wanted();
    let dir = tempfile::tempdir().expect("temporary folder");
    let bench = Bench::new(dir.path());
    if wanted("export") {
        bench.export();
    }
    if wanted("upload") {
        bench.upload();
    }
    if wanted("window") {
        bench.window();
    }
}

fn best(v: &[Duration]) -> f64 {
    v.iter().min().copied().unwrap_or_default().as_secs_f64()
}

fn fsync(path: &Path) {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .expect("sync");
}

struct Bench {
    dir: PathBuf,
    data: PathBuf,
    id: DraftId,
    campaign: Campaign,
    clock: Arc<baosong::core::FixedClock>,
    /// The 1 GiB source video as the clerk had it.
    video: PathBuf,
}

impl Bench {
    /// A complete draft with a 1 GiB video attached (incompressible bytes).
    fn new(dir: &Path) -> Self {
        let campaign = Campaign::builtin().expect("template");
        let clock =
            Arc::new(baosong::core::FixedClock::at("2024-03-01T10:00:00+08:00").expect("clock"));
        let data = dir.join("data");
        let store = DataDir::open(&data, clock.clone()).expect("data folder");
        let video = dir.join("活动录像.mp4");
        common::gigabyte_video(&video);
        let mut d = store
            .create(
                &campaign,
                UnitProfile {
                    unit: "渝中区妇联".into(),
                    typed: false,
                    contact_person: "张丽".into(),
                    phone: "023-63751234".into(),
                },
            )
            .expect("draft");
        let mut first = None;
        for (_, item) in campaign.items() {
            let id = d.add_activity(item.id.as_str());
            let a = d
                .activity_mut(item.id.as_str(), id.as_str())
                .expect("activity");
            a.title = format!("{}主题活动", item.title);
            a.date = "2024-03-08".into();
            a.place = "解放碑街道社区活动中心".into();
            a.organiser = "渝中区妇联".into();
            a.participants = "约120人".into();
            a.summary = "组织巾帼宣讲队进社区宣讲。".into();
            first.get_or_insert((item.id.to_string(), id.to_string()));
        }
        let (item, activity) = first.expect("an item");
        let files = store.draft_dir(&d.id).join("files");
        let target = ImportTarget {
            files_dir: &files,
            rules: &campaign.attachments,
            already: &|_| None,
        };
        let id = d.reserve_attachment_id();
        let att = import_file(&video, id, &target, &Unwatched, store.now()).expect("import");
        d.activity_mut(&item, &activity)
            .expect("activity")
            .attachments
            .push(att);
        d.mark_ready(0, store.now()).expect("complete");
        store.save(&d).expect("save");
        Self {
            dir: dir.to_path_buf(),
            data,
            id: d.id,
            campaign,
            clock,
            video,
        }
    }

    fn draft(&self) -> Draft {
        DataDir::open(&self.data, self.clock.clone())
            .expect("data folder")
            .load(&self.id)
            .expect("draft")
    }

    fn build(&self, to: &Path) -> bundle::Built {
        let draft = self.draft();
        let files = self
            .data
            .join("drafts")
            .join(self.id.as_str())
            .join("files");
        let input = BuildInput {
            campaign: &self.campaign,
            draft: &draft,
            files_dir: &files,
            thumbnail: &baosong::core::media::thumbs::Thumbnailer::none(),
        };
        bundle::build(&input, to, &Unwatched).expect("bundle")
    }

    fn export(&self) {
        let (mut ours, mut copies, mut zips) = (Vec::new(), Vec::new(), Vec::new());
        let have_zip = Command::new("zip").arg("-v").output().is_ok();
        for round in 0..ROUNDS {
            let plain = self.dir.join(format!("plain{round}.mp4"));
            let started = Instant::now();
            std::fs::copy(&self.video, &plain).expect("copy");
            fsync(&plain);
            copies.push(started.elapsed());
            let _ = std::fs::remove_file(&plain);

            let to = self.dir.join(format!("材料包{round}.zip"));
            let started = Instant::now();
            let built = self.build(&to);
            ours.push(started.elapsed());
            assert!(built.bytes > GIB);
            let _ = std::fs::remove_file(&to);

            if have_zip {
                let z = self.dir.join(format!("zip{round}.zip"));
                let started = Instant::now();
                let ok = Command::new("zip")
                    .args(["-0", "-q", "-j"])
                    .arg(&z)
                    .arg(&self.video)
                    .status()
                    .is_ok_and(|s| s.success())
                    && Command::new("sha256sum")
                        .arg(&z)
                        .stdout(Stdio::null())
                        .status()
                        .is_ok_and(|s| s.success());
                fsync(&z);
                if ok {
                    zips.push(started.elapsed());
                }
                let _ = std::fs::remove_file(&z);
            }
        }
        println!(
            "export: 1 GiB draft, best of {ROUNDS}: 材料包 (zip + CRC + sha256, one pass, fsynced) {:.2} s; plain copy (fsynced) {:.2} s; ratio {:.2}× a plain copy",
            best(&ours),
            best(&copies),
            best(&ours) / best(&copies)
        );
        if !zips.is_empty() {
            println!(
                "export: `zip -0` then `sha256sum` {:.2} s; ours is {:.2}× faster",
                best(&zips),
                best(&zips) / best(&ours)
            );
        }
    }

    fn upload(&self) {
        let bundle = self.dir.join("upload.zip");
        let built = self.build(&bundle);
        // BENCH_CHUNK_MIB: another chunk size than the app's (to see what a chunk costs).
        let chunk = std::env::var("BENCH_CHUNK_MIB")
            .ok()
            .and_then(|m| m.parse::<u64>().ok())
            .map_or(UploadOptions::default().chunk, |m| m << 20);
        let (mut ours, mut curls, mut js) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            // A fresh server each time, so each client writes into an empty store.
            let server = TusServer::start(&self.dir.join("tus"));
            let intake = Intake::new(server.url(), None);
            let persist = |_: &UploadState| Ok(());
            let request = UploadRequest {
                intake: &intake,
                bundle: &bundle,
                file_name: "材料包.zip",
                meta: Metadata {
                    filename: "材料包.zip".into(),
                    unit: "渝中区妇联".into(),
                    campaign: self.campaign.id.clone(),
                    sha256: built.sha256.clone(),
                },
                bytes: built.bytes,
                persist: &persist,
                options: UploadOptions {
                    chunk,
                    ..UploadOptions::default()
                },
            };
            let mut state = UploadState {
                endpoint: intake.url.clone(),
                sha256: built.sha256.clone(),
                bytes: built.bytes,
                ..UploadState::default()
            };
            let started = Instant::now();
            upload(&request, &mut state, &Unwatched).expect("upload");
            ours.push(started.elapsed());
            server.clear();

            let started = Instant::now();
            if curl_upload(&server.url(), &bundle, built.bytes, &built.sha256) {
                curls.push(started.elapsed());
            }
            server.clear();

            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/tus-js-upload.mjs");
            let started = Instant::now();
            let out = Command::new("node")
                .arg(&script)
                .arg(server.url())
                .arg(&bundle)
                .arg(chunk.to_string())
                .arg(&built.sha256)
                .output();
            if out.as_ref().is_ok_and(|o| o.status.success()) {
                js.push(started.elapsed());
            } else {
                eprintln!("tus-js-client failed: {out:?}");
            }
        }
        let mb = built.bytes as f64 / 1e6;
        println!(
            "upload: {:.0} MB bundle to @tus/server on loopback, best of {ROUNDS}: ours ({} MiB chunks) {:.2} s ({:.0} MB/s)",
            mb,
            chunk >> 20,
            best(&ours),
            mb / best(&ours)
        );
        if !curls.is_empty() {
            println!(
                "upload: curl (POST + one streaming PATCH) {:.2} s; ours has {:.2}× curl's throughput",
                best(&curls),
                best(&curls) / best(&ours)
            );
        }
        if !js.is_empty() {
            println!(
                "upload: tus-js-client {} ({} MiB chunks) {:.2} s; ours has {:.2}× its throughput",
                js_version(),
                chunk >> 20,
                best(&js),
                best(&js) / best(&ours)
            );
        }
    }

    /// Frame times of the check page headless: idle, then while 导出材料包 runs, then while
    /// 一键报送 builds and sends the bundle to the tus server.
    fn window(&self) {
        use baosong::gui::{App, AppConfig};
        use common::{SaveTo, frames_until};
        use egui_kittest::kittest::Queryable;

        let server = TusServer::start(&self.dir.join("tus-window"));
        let app = App::new(AppConfig {
            data_root: Some(self.data.clone()),
            template: None,
            clock: self.clock.clone(),
            ticker: Arc::new(baosong::core::clock::SystemTicker),
            picker: Box::new(SaveTo(self.dir.join("exported.zip"))),
            portable: Some(baosong::core::portable::PortableConfig {
                template: None,
                intake: Some(Intake::new(server.url(), None)),
                ..Default::default()
            }),
            probe_exe: None,
            preview_workers: 0,
            upload: UploadOptions::default(),
        });
        let mut h = common::headless(app);
        let _ = frames_until(&mut h, &mut |h| h.query_by_label("继续填写").is_some());
        h.get_by_label("继续填写").click();
        let _ = frames_until(&mut h, &mut |h| h.query_by_label("检查并提交").is_some());
        h.get_by_label("检查并提交").click();
        let _ = frames_until(&mut h, &mut |h| h.query_by_label("一键报送").is_some());
        let mut n = 0;
        let (idle, _) = frames_until(&mut h, &mut |_| {
            n += 1;
            n >= 300
        });

        h.get_by_label("导出材料包…").click();
        let (exporting, export_took) = frames_until(&mut h, &mut |h| {
            h.query_all_by_label_contains("材料包已导出")
                .next()
                .is_some()
        });
        h.get_by_label("一键报送").click();
        let (sending, send_took) =
            frames_until(&mut h, &mut |h| h.query_by_label("报送成功").is_some());
        assert!(
            h.query_by_label("报送成功").is_some(),
            "the upload did not finish"
        );
        let stats = common::frame_stats;
        println!("window: check page idle: {}", stats(&idle));
        println!(
            "window: during 导出材料包 ({:.1} s): {}",
            export_took.as_secs_f64(),
            stats(&exporting)
        );
        println!(
            "window: during 一键报送, build + upload ({:.1} s): {}",
            send_took.as_secs_f64(),
            stats(&sending)
        );
    }
}

/// The intake as deployed (`node deploy/intake/server.mjs`) on a free port, storing into `dir`.
struct TusServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl TusServer {
    fn start(dir: &Path) -> Self {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).expect("folder");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/intake/server.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .arg("0")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node (and `npm ci` in deploy/intake)");
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let mut out = BufReader::new(out);
            let _ = out.read_line(&mut line);
            // Keep reading what it logs (one line per bundle received).
            std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        }
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("tus server said {line:?}"));
        Self {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/files/", self.port)
    }

    /// Remove what was uploaded (keeps the disk from filling between clients).
    fn clear(&self) {
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl Drop for TusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// curl as a tus client: a creation POST (with the metadata the intake requires), then the
/// whole file in one streaming PATCH.
fn curl_upload(endpoint: &str, file: &Path, bytes: u64, sha256: &str) -> bool {
    let meta = baosong::core::intake::tus::Metadata {
        filename: "bench.zip".into(),
        unit: "渝中区妇联".into(),
        campaign: "cq-sanba-2024".into(),
        sha256: sha256.into(),
    };
    let Ok(out) = Command::new("curl")
        .args(["-s", "-i", "-X", "POST"])
        .args(["-H", "Tus-Resumable: 1.0.0"])
        .args(["-H", &format!("Upload-Length: {bytes}")])
        .args(["-H", &format!("Upload-Metadata: {}", meta.header())])
        .arg(endpoint)
        .output()
    else {
        return false;
    };
    let head = String::from_utf8_lossy(&out.stdout);
    let Some(location) = head.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.trim().to_string())
    }) else {
        eprintln!("curl: no Location in {head}");
        return false;
    };
    // The intake answers with a relative address.
    let Some(location) = reqwest::Url::parse(endpoint)
        .and_then(|e| e.join(&location))
        .ok()
        .map(|u| u.to_string())
    else {
        return false;
    };
    Command::new("curl")
        .args(["-s", "-f", "-X", "PATCH", "-o", "/dev/null"])
        .args(["-H", "Tus-Resumable: 1.0.0"])
        .args(["-H", "Upload-Offset: 0"])
        .args(["-H", "Content-Type: application/offset+octet-stream"])
        .args(["-H", "Expect:"])
        .arg("-T")
        .arg(file)
        .arg(location)
        .status()
        .is_ok_and(|s| s.success())
}

fn js_version() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers/node_modules/tus-js-client/package.json");
    std::fs::read_to_string(p)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_default()
}

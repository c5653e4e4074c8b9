//! The receiving end: the intake as deployed (`deploy/intake`, @tus/server on loopback) taking
//! bundles from three units, then the desk (`baosong desk`) on its store folder — the tally, the
//! late one, the Excel table read back by openpyxl cell by cell, the integrity check finding one
//! changed byte, `baosong import` taking a bundle back as a draft — and the bundles a hostile
//! sender could make: `../../x`, absolute and drive-letter entries, a symlink, 10 MB expanding to
//! 10 GB, a truncated zip, a newer schema, a manifest listing a file the zip lacks. Each gets a
//! Chinese message; nothing is written outside the folder chosen; nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use baosong::core::bundle::{MANIFEST, Manifest, read_manifest};
use baosong::core::campaign::Campaign;
use baosong::core::desk::verify::{FileState, verify};
use baosong::core::desk::{Bundle, import, tally};
use baosong::core::draft::DraftId;
use baosong::core::store::DataDir;
use baosong::core::work::Unwatched;
use common::drafts::*;
use common::peers::*;
use common::*;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_baosong"))
}

fn cli(data: &Path, args: &[&str]) -> Output {
    Command::new(exe())
        .env("BAOSONG_DATA_DIR", data)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args(args)
        .output()
        .unwrap()
}

fn submit(data: &Path, draft: &DraftId, endpoint: &str, token: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "submit",
        draft.as_str(),
        "--endpoint",
        endpoint,
        "--token",
        token,
    ];
    args.extend_from_slice(extra);
    cli(data, &args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn at(rfc3339: &str) -> SystemTime {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .into()
}

/// Make a bundle look as if it arrived at `rfc3339`: its file's time and, in the intake's
/// store, the time its record says the intake verified it.
fn set_arrival(path: &Path, rfc3339: &str) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(at(rfc3339))
        .unwrap();
    let record = format!("{}.json", path.display());
    if let Ok(text) = std::fs::read(&record) {
        let mut v: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
        if v["baosong"]["received_at"].is_string() {
            v["baosong"]["received_at"] = rfc3339.into();
            std::fs::write(&record, serde_json::to_vec(&v).unwrap()).unwrap();
        }
    }
}

fn manifest_of(path: &Path) -> Manifest {
    read_manifest(std::fs::File::open(path).unwrap()).unwrap()
}

/// The sheet as rows of JSON values, read by Python's openpyxl.
fn openpyxl_rows(xlsx: &Path) -> (String, Vec<Vec<serde_json::Value>>) {
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
print(json.dumps({"sheet": ws.title, "rows": rows}, ensure_ascii=False, default=str))
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(xlsx)
        .output()
        .expect("python3 with openpyxl (scripts/test.sh installs it)");
    assert!(o.status.success(), "openpyxl: {}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().clone())
        .collect();
    (v["sheet"].as_str().unwrap().to_string(), rows)
}

#[test]
fn three_units_send_to_the_intake_and_the_desk_tallies_them_into_excel() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let units = [
        ("渝中区妇联", "yz-7d1f", "2024-03-10T09:05:00+08:00"),
        ("江北区妇联", "jb-52aa", "2024-03-11T18:30:00+08:00"),
        ("万州区妇联", "wz-0c3e", "2024-03-13T10:00:00+08:00"),
    ];
    let tokens: String = units
        .iter()
        .map(|(u, t, _)| format!("{t} {u}\n"))
        .chain(["# 市妇联宣传部自己的令牌\nsz-root *\n".to_string()])
        .collect();
    // A server set to another zone (TZ is ignored on Windows: the server's own zone is used).
    let intake = intake(Some(&tokens), &[("TZ", "America/Los_Angeles")]);
    let url = format!("http://127.0.0.1:{}/files/", intake.port);
    let mut ids = Vec::new();
    for (unit, token, _) in units {
        let id = ready(data.path(), pc.path(), unit, 1);
        let o = submit(data.path(), &id, &url, token, &[]);
        assert!(o.status.success(), "{unit}: {}", text(&o.stderr));
        ids.push(id);
    }
    // A token bound to one unit does not send for another.
    let other = ready(data.path(), pc.path(), "沙坪坝区妇联", 0);
    let o = submit(data.path(), &other, &url, "yz-7d1f", &[]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("访问令牌"), "{}", text(&o.stderr));

    let stored = intake.stored();
    assert_eq!(stored.len(), 3, "{stored:?}");
    for (unit, _, _) in units {
        let mine: Vec<_> = stored
            .iter()
            .filter(|p| p.file_name().unwrap().to_string_lossy().contains(unit))
            .collect();
        assert_eq!(mine.len(), 1, "named by unit: {stored:?}");
        let name = mine[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".zip"), "{name}");
        let stamp = &name[..15];
        assert!(
            stamp.chars().enumerate().all(|(i, c)| if i == 8 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }),
            "named by time: {name}"
        );
        // In China's time, whatever the server's zone (the desk reads it as such).
        let named = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").unwrap();
        let china_now = (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc();
        assert!(
            (china_now - named).num_minutes().abs() <= 10,
            "named in China's time: {name}, now {china_now}"
        );
        // They arrived over the campaign's days (the desk reads arrival from the file's time).
        let (_, _, when) = units.iter().find(|(u, _, _)| *u == unit).unwrap();
        set_arrival(mine[0], when);
    }

    // A revoked token is refused at once, without restarting the server.
    let tokens_file = intake.tokens.clone().unwrap();
    let kept: String = std::fs::read_to_string(&tokens_file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("yz-"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&tokens_file, kept).unwrap();
    let o = submit(data.path(), &ids[0], &url, "yz-7d1f", &["--again"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("访问令牌"), "{}", text(&o.stderr));
    assert_eq!(intake.stored().len(), 3);

    // The desk on the intake's store.
    let out = tempfile::tempdir().unwrap();
    let xlsx = out.path().join("报送情况汇总.xlsx");
    let o = cli(
        data.path(),
        &[
            "desk",
            intake.store.to_str().unwrap(),
            "--xlsx",
            xlsx.to_str().unwrap(),
            "--verify",
        ],
    );
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    assert!(
        stdout.contains("应报 41 个单位，已报 3，未报 38，逾期 1"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("✓ ").count(), 3, "{stdout}");
    let wz = stdout.lines().find(|l| l.contains("万州区妇联")).unwrap();
    assert!(
        wz.contains("逾期") && wz.contains("2024-03-13 10:00"),
        "{wz}"
    );
    let yz = stdout.lines().find(|l| l.contains("渝中区妇联")).unwrap();
    assert!(yz.contains("按时"), "{yz}");

    // The Excel table, cell by cell.
    let (sheet, rows) = openpyxl_rows(&xlsx);
    assert_eq!(sheet, "报送情况汇总");
    assert!(rows[0][0].as_str().unwrap().contains("报送情况汇总"));
    assert!(
        rows[1][0]
            .as_str()
            .unwrap()
            .starts_with("应报 41 个单位，已报 3，未报 38，逾期 1"),
        "{:?}",
        rows[1]
    );
    let header: Vec<&str> = rows[2].iter().map(|v| v.as_str().unwrap_or("")).collect();
    assert_eq!(
        header,
        [
            "序号",
            "单位",
            "报送情况",
            "收到时间",
            "是否按时",
            "板块一活动",
            "板块二活动",
            "板块三活动",
            "活动合计",
            "图片",
            "视频",
            "文件",
            "链接",
            "材料包大小",
            "联系人",
            "联系电话",
            "备注",
            "审核"
        ]
    );
    let body = &rows[3..3 + 41];
    let campaign = Campaign::builtin().unwrap();
    // Not reported first, in the template's order, then the three.
    let expected_missing: Vec<&String> = campaign
        .units
        .iter()
        .filter(|u| !units.iter().any(|(n, _, _)| n == u))
        .collect();
    for (n, row) in body.iter().take(38).enumerate() {
        assert_eq!(row[0].as_f64(), Some((n + 1) as f64), "序号 is a number");
        assert_eq!(row[1].as_str(), Some(expected_missing[n].as_str()));
        assert_eq!(row[2].as_str(), Some("未报送"));
    }
    for (unit, _, when) in units {
        let row = body
            .iter()
            .find(|r| r[1].as_str() == Some(unit))
            .unwrap_or_else(|| panic!("{unit} in the table"));
        let m = manifest_of(
            intake
                .stored()
                .iter()
                .find(|p| p.to_string_lossy().contains(unit))
                .unwrap(),
        );
        assert_eq!(row[2].as_str(), Some("已报送"));
        assert_eq!(row[3].as_str(), Some(&when[..16].replace('T', " ")[..]));
        let on_time = if unit == "万州区妇联" {
            "逾期"
        } else {
            "按时"
        };
        assert_eq!(row[4].as_str(), Some(on_time), "{unit}");
        for (p, pillar) in m.pillars.iter().enumerate() {
            let n: usize = pillar.items.iter().map(|i| i.activities.len()).sum();
            assert_eq!(row[5 + p].as_f64(), Some(n as f64), "{unit} 板块{p}");
        }
        assert_eq!(row[8].as_f64(), Some(m.totals.activities as f64));
        assert_eq!(row[9].as_f64(), Some(m.totals.photos as f64));
        assert_eq!(row[10].as_f64(), Some(m.totals.videos as f64));
        assert_eq!(row[11].as_f64(), Some(m.totals.documents as f64));
        assert_eq!(row[12].as_f64(), Some(m.totals.links as f64));
        assert!(row[13].as_str().unwrap().ends_with("MB"), "{:?}", row[13]);
        assert_eq!(row[14].as_str(), Some("张丽"));
        assert_eq!(row[15].as_str(), Some("023-63751234"));
    }
}

#[test]
fn a_bundle_damaged_on_the_way_is_refused_by_the_intake_and_the_clerk_told() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 1);
    let intake = intake(Some("t1 *\n"), &[]);
    // One byte of the body changed in transit (past the headers, inside the 1 MiB PDF).
    let line = flipper(intake.port, 600_000);
    let url = format!("http://127.0.0.1:{}/files/", line.port);
    let o = submit(data.path(), &id, &url, "t1", &["--wait", "0"]);
    assert!(!o.status.success(), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("与校验值不一致"),
        "{}",
        text(&o.stderr)
    );
    assert!(intake.stored().is_empty(), "never kept as received");
    // Sent again over a sound line, it arrives.
    let url = format!("http://127.0.0.1:{}/files/", intake.port);
    let o = submit(data.path(), &id, &url, "t1", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(intake.stored().len(), 1);
}

#[test]
fn the_intake_refuses_browsers_and_uploads_without_a_sha256_and_forgets_unfinished_ones() {
    // Expiry of 0.001 h (3.6 s), checked every 1.8 s.
    let intake = intake(None, &[("INTAKE_EXPIRY_HOURS", "0.001")]);
    let base = format!("http://127.0.0.1:{}/files", intake.port);
    let client = reqwest::blocking::Client::new();
    let r = client
        .request(reqwest::Method::OPTIONS, &base)
        .header("Origin", "https://example.com")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = client
        .post(&base)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", "unit 5rid5Lit5Yy65aaH6IGU")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "no sha256 in the metadata");
    let sha = "0".repeat(64);
    let meta = format!(
        "unit 5rid5Lit5Yy65aaH6IGU,sha256 {}",
        base64(sha.as_bytes())
    );
    let r = client
        .post(&base)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", meta)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let uploads = || {
        std::fs::read_dir(&intake.store)
            .unwrap()
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().ends_with(".jsonl"))
            .count()
    };
    assert_eq!(uploads(), 2);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while uploads() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the unfinished upload was not expired"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A finished bundle of a complete draft, exported into `dir`.
fn a_bundle(dir: &Path, unit: &str) -> PathBuf {
    let data = dir.join("data");
    let pc = dir.join("pc");
    std::fs::create_dir_all(&pc).unwrap();
    let id = ready(&data, &pc, unit, 0);
    let to = dir.join(format!("{unit}.zip"));
    let o = cli(&data, &["export", id.as_str(), "-o", to.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    to
}

#[test]
fn one_changed_byte_is_found_and_the_other_files_are_intact() {
    let dir = tempfile::tempdir().unwrap();
    let good = a_bundle(dir.path(), "渝中区妇联");
    let bundle = Bundle::open(&good).unwrap();
    let listed = bundle.listed();
    assert!(listed.len() >= 3, "{}", listed.len());
    let victim = listed[1].path.to_string();
    let entry = bundle.entries[&victim].clone();
    drop(listed);
    let folder = dir.path().join("收件");
    std::fs::create_dir(&folder).unwrap();
    let tampered = folder.join("改过的.zip");
    let mut bytes = std::fs::read(&good).unwrap();
    bytes[(entry.data_start + entry.size / 2) as usize] ^= 1;
    std::fs::write(&tampered, &bytes).unwrap();
    std::fs::copy(&good, folder.join("原样的.zip")).unwrap();

    let opened = Bundle::open(&tampered).unwrap();
    let v = verify(&opened, &Unwatched).unwrap();
    assert!(!v.intact());
    assert_eq!(v.damaged(), 1);
    assert_eq!(v.state_of(&victim), Some(&FileState::Changed));
    for f in v.files.iter().filter(|f| f.path != victim) {
        assert_eq!(f.state, FileState::Intact, "{}", f.path);
    }
    let o = cli(
        &dir.path().join("data"),
        &["desk", folder.to_str().unwrap(), "--verify"],
    );
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("✓ 原样的.zip"), "{stdout}");
    assert!(stdout.contains("× 改过的.zip：1 个文件有问题"), "{stdout}");
    assert!(
        stdout.contains(&victim) && stdout.contains("已被改动"),
        "{stdout}"
    );
    // A changed bundle is not imported.
    let data = DataDir::open(dir.path().join("desk-data"), clock()).unwrap();
    let e = import::import(&opened, &Campaign::builtin().unwrap(), &data, &Unwatched).unwrap_err();
    assert!(
        e.user_message().contains("校验值不符"),
        "{}",
        e.user_message()
    );
    assert!(data.list().drafts.is_empty(), "nothing imported halfway");
}

#[test]
fn a_bundle_imported_as_a_draft_has_every_answer_caption_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let zip = a_bundle(dir.path(), "江北区妇联");
    let bundle = Bundle::open(&zip).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let data = DataDir::open(dir.path().join("another-pc"), clock()).unwrap();
    let draft = import::import(&bundle, &campaign, &data, &Unwatched).unwrap();
    assert!(draft.is_editable());
    assert_eq!(draft.unit.unit, "江北区妇联");
    // What it holds is what was sent: exporting it again gives the same manifest, but for the
    // draft's own id and times.
    let again = dir.path().join("again.zip");
    let o = cli(
        data.root(),
        &["export", draft.id.as_str(), "-o", again.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (mut a, mut b) = (bundle.manifest.clone(), manifest_of(&again));
    for m in [&mut a, &mut b] {
        m.draft.id.clear();
        m.draft.created_at = chrono::DateTime::UNIX_EPOCH.fixed_offset();
        m.draft.updated_at = m.draft.created_at;
        for p in &mut m.pillars {
            for i in &mut p.items {
                for act in &mut i.activities {
                    act.id.clear();
                    for att in &mut act.attachments {
                        att.id.clear();
                    }
                }
            }
        }
        for att in &mut m.general {
            att.id.clear();
        }
    }
    assert_eq!(a, b, "the same answers, captions, links and files");
    // The CLI does the same.
    let o = cli(
        &dir.path().join("third-pc"),
        &["import", zip.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("已导入为草稿"),
        "{}",
        text(&o.stdout)
    );
}

/// Write a zip of these entries (name, bytes) with a manifest (deflated unless `stored`).
fn hostile(path: &Path, entries: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn good_manifest(dir: &Path) -> (Vec<u8>, Manifest) {
    let zip = a_bundle(dir, "南岸区妇联");
    let m = manifest_of(&zip);
    (serde_json::to_vec(&m).unwrap(), m)
}

/// Everything under `root` (to show nothing was written outside the folders the test chose).
fn tree(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn assert_chinese(message: &str) {
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{message}"
    );
}

#[test]
fn hostile_bundles_are_refused_with_a_message_and_nothing_is_written_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (manifest, m) = good_manifest(dir.path());
    let folder = dir.path().join("收件");
    std::fs::create_dir(&folder).unwrap();
    let json = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };

    hostile(
        &folder.join("上级目录.zip"),
        &[(MANIFEST, &manifest), ("../../x", b"escaped")],
    );
    hostile(
        &folder.join("绝对路径.zip"),
        &[(MANIFEST, &manifest), ("/tmp/baosong-escaped", b"escaped")],
    );
    hostile(
        &folder.join("盘符.zip"),
        &[(MANIFEST, &manifest), ("C:/Windows/escaped", b"escaped")],
    );
    {
        let file = std::fs::File::create(folder.join("链接.zip")).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let o = zip::write::SimpleFileOptions::default();
        zip.start_file(MANIFEST, o).unwrap();
        zip.write_all(&manifest).unwrap();
        zip.add_symlink("综合材料/link", "/etc/passwd", o).unwrap();
        zip.finish().unwrap();
    }
    let newer = json(&|v| v["schema"] = "baosong.bundle/2".into());
    hostile(&folder.join("新版本.zip"), &[(MANIFEST, &newer)]);
    let listed_escape = json(&|v| v["general"][0]["path"] = "../../etc/passwd".into());
    hostile(&folder.join("清单越界.zip"), &[(MANIFEST, &listed_escape)]);
    let good_zip = a_bundle(&dir.path().join("b"), "南岸区妇联");
    let whole = std::fs::read(&good_zip).unwrap();
    std::fs::write(folder.join("截断.zip"), &whole[..whole.len() / 2]).unwrap();

    let before = tree(dir.path());
    let found = tally::scan(&folder, &Unwatched).unwrap();
    assert!(found.bundles.is_empty(), "{:?}", found.bundles.len());
    let why = |name: &str| {
        found
            .unreadable
            .iter()
            .find(|(p, _)| p.file_name().unwrap().to_string_lossy() == name)
            .map(|(_, w)| w.clone())
            .unwrap_or_else(|| panic!("{name} not reported: {:?}", found.unreadable))
    };
    for name in [
        "上级目录.zip",
        "绝对路径.zip",
        "盘符.zip",
        "链接.zip",
        "清单越界.zip",
    ] {
        let w = why(name);
        assert!(w.contains("不安全的条目"), "{name}: {w}");
        assert_chinese(&w);
    }
    assert!(
        why("新版本.zip").contains("更新版本") && why("新版本.zip").contains("baosong.bundle/2")
    );
    assert!(
        why("截断.zip").contains("不是完整的材料包"),
        "{}",
        why("截断.zip")
    );
    // The same through the CLI: every one named, exit 0 for the table, 1 with --verify.
    let elsewhere = tempfile::tempdir().unwrap();
    let o = cli(
        elsewhere.path(),
        &["desk", folder.to_str().unwrap(), "--verify"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stdout).matches("无法读取：").count(),
        7,
        "{}",
        text(&o.stdout)
    );
    assert_eq!(tree(dir.path()), before, "nothing written anywhere");
    assert!(!Path::new("/tmp/baosong-escaped").exists());
    drop(m);
}

#[test]
fn a_manifest_listing_a_file_the_zip_lacks_marks_it_missing_and_is_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (manifest, m) = good_manifest(dir.path());
    let zip = dir.path().join("缺文件.zip");
    hostile(&zip, &[(MANIFEST, &manifest)]);
    let b = Bundle::open(&zip).unwrap();
    let v = verify(&b, &Unwatched).unwrap();
    assert_eq!(v.files.len(), b.listed().len());
    assert!(v.files.iter().all(|f| f.state == FileState::Missing));
    assert!(FileState::Missing.label().contains("缺失"));
    let data = DataDir::open(dir.path().join("data2"), clock()).unwrap();
    let e = import::import(&b, &Campaign::builtin().unwrap(), &data, &Unwatched).unwrap_err();
    assert!(e.user_message().contains("缺少"), "{}", e.user_message());
    assert!(data.list().drafts.is_empty());
    drop(m);
}

/// A zip written by hand, as a hostile sender would: `manifest.json` stored, then `name` as a
/// deflate stream of 10 GiB of zeros (about 10 MB: one fully-flushed block of 64 MiB repeated)
/// while the zip's directory claims it expands to `claimed` bytes.
fn bomb(path: &Path, manifest: &[u8], name: &str, claimed: u32) {
    let zeros = vec![0u8; 64 << 20];
    let mut block = Vec::with_capacity(1 << 20);
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    c.compress_vec(&zeros, &mut block, flate2::FlushCompress::Full)
        .unwrap();
    assert_eq!(c.total_in(), zeros.len() as u64, "one block");
    let mut data = Vec::with_capacity(block.len() * 160 + 2);
    for _ in 0..160 {
        data.extend_from_slice(&block);
    }
    data.extend_from_slice(&[0x03, 0x00]); // the final, empty block
    let mut zip = Vec::new();
    let mut central = Vec::new();
    let mut entry = |zip: &mut Vec<u8>, name: &str, method: u16, body: &[u8], size: u32| {
        let crc = crc32fast::hash(body);
        let offset = zip.len() as u32;
        let head = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0x58]); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(body.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        zip.extend(head(0x04034b50, false));
        zip.extend_from_slice(body);
        central.extend(head(0x02014b50, true));
    };
    entry(&mut zip, MANIFEST, 0, manifest, manifest.len() as u32);
    entry(&mut zip, name, 8, &data, claimed);
    let start = zip.len() as u32;
    zip.extend_from_slice(&central);
    zip.extend_from_slice(&0x06054b50u32.to_le_bytes());
    zip.extend_from_slice(&[0; 4]);
    zip.extend_from_slice(&2u16.to_le_bytes());
    zip.extend_from_slice(&2u16.to_le_bytes());
    zip.extend_from_slice(&(central.len() as u32).to_le_bytes());
    zip.extend_from_slice(&start.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, zip).unwrap();
}

#[test]
fn ten_megabytes_that_would_expand_to_ten_gigabytes_are_not_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let (manifest, m) = good_manifest(dir.path());
    let listed = &m.general[0];
    let victim = listed.path.clone().unwrap();
    let bytes = listed.bytes.unwrap();
    // The directory tells the truth about the size (as far as 32 bits go: 4 GiB - 1)…
    let honest = dir.path().join("炸弹.zip");
    bomb(&honest, &manifest, &victim, u32::MAX - 1);
    // …or lies, claiming the manifest's size; the stream still holds 10 GiB.
    let liar = dir.path().join("说谎的炸弹.zip");
    bomb(&liar, &manifest, &victim, bytes as u32);
    for path in [&honest, &liar] {
        let size = std::fs::metadata(path).unwrap().len();
        assert!(size < 15 << 20, "{size}");
        let b = Bundle::open(path).unwrap();
        let v = verify(&b, &Unwatched).unwrap();
        let state = v.state_of(&victim).unwrap();
        assert!(!state.is_intact(), "{state:?}");
        let read = b.read(&victim, bytes).unwrap_err();
        assert_chinese(&read.user_message());
        let data = DataDir::open(dir.path().join("data-bomb"), clock()).unwrap();
        let e = import::import(&b, &Campaign::builtin().unwrap(), &data, &Unwatched).unwrap_err();
        assert_chinese(&e.user_message());
        assert!(data.list().drafts.is_empty());
        let written: u64 = tree(data.root())
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        assert!(written < 1 << 20, "expanded onto the disk: {written} bytes");
    }
}

#[test]
fn the_intake_can_store_in_s3_compatible_object_storage() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let s3 = s3_server("baosong-intake");
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let env = [
        ("INTAKE_S3_BUCKET", "baosong-intake"),
        ("INTAKE_S3_ENDPOINT", endpoint.as_str()),
        ("INTAKE_S3_REGION", "us-east-1"),
        ("INTAKE_S3_PATH_STYLE", "1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let intake = intake(Some("t1 *\n"), &env);
    let id = ready(data.path(), pc.path(), "渝中区妇联", 12);
    // Through a line that damages one byte first: refused, nothing kept in the bucket.
    let line = flipper(intake.port, 3_000_000);
    let o = submit(
        data.path(),
        &id,
        &format!("http://127.0.0.1:{}/files/", line.port),
        "t1",
        &["--wait", "0"],
    );
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("与校验值不一致"),
        "{}",
        text(&o.stderr)
    );
    let list = |s3: &Peer| {
        reqwest::blocking::get(format!(
            "http://127.0.0.1:{}/baosong-intake?list-type=2",
            s3.port
        ))
        .unwrap()
        .text()
        .unwrap()
    };
    assert!(!list(&s3).contains(".zip</Key>"), "{}", list(&s3));
    // Then over a sound line (more than one 8 MiB part): stored, byte for byte.
    let url = format!("http://127.0.0.1:{}/files/", intake.port);
    let o = submit(data.path(), &id, &url, "t1", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let listing = list(&s3);
    let key = listing
        .split("<Key>")
        .filter_map(|k| k.split("</Key>").next())
        .find(|k| k.ends_with(".zip"))
        .unwrap_or_else(|| panic!("no bundle in the bucket: {listing}"))
        .to_string();
    assert!(key.contains("渝中区妇联"), "{key}");
    let bytes = reqwest::blocking::get(format!(
        "http://127.0.0.1:{}/baosong-intake/{}",
        s3.port,
        key.replace('%', "%25")
    ))
    .unwrap()
    .bytes()
    .unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let baosong::core::draft::Status::Submitted { receipt } =
        store.load(&id).unwrap().status().clone()
    else {
        panic!("not 已报送");
    };
    assert_eq!(bytes.len() as u64, receipt.bytes);
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha, receipt.bundle_sha256, "the bucket holds the bundle");
}

#[test]
fn re_sends_typed_names_other_campaigns_and_uploads_still_arriving_are_tallied_apart() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("收件");
    std::fs::create_dir(&folder).unwrap();
    // 渝中区妇联 sent twice: the later one counts.
    let first = a_bundle(&dir.path().join("a"), "渝中区妇联");
    std::fs::copy(&first, folder.join("第一次.zip")).unwrap();
    std::fs::copy(&first, folder.join("更正后.zip")).unwrap();
    set_arrival(&folder.join("第一次.zip"), "2024-03-09T10:00:00+08:00");
    set_arrival(&folder.join("更正后.zip"), "2024-03-11T16:20:00+08:00");
    // An agency's women's committee that typed its name.
    let data = dir.path().join("typed");
    let pc = dir.path().join("typed-pc");
    std::fs::create_dir_all(&pc).unwrap();
    let id = ready(&data, &pc, "市财政局机关妇委会", 0);
    let store = DataDir::open(&data, clock()).unwrap();
    let mut d = store.load(&id).unwrap();
    d.unit.typed = true;
    store.save(&d).unwrap();
    let typed = folder.join("机关.zip");
    let o = cli(
        &data,
        &["export", id.as_str(), "-o", typed.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Another year's bundle.
    let (manifest, _) = good_manifest(&dir.path().join("b"));
    let mut v: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    v["campaign"]["id"] = "cq-sanba-2023".into();
    v["campaign"]["title"] = "2023年“三八”活动情况报送".into();
    hostile(
        &folder.join("去年的.zip"),
        &[(MANIFEST, &serde_json::to_vec(&v).unwrap())],
    );
    // An upload the intake is still receiving: its tus record says more is to come.
    let partial = folder.join("20240312-230000-江北区妇联-a1b2c3.zip");
    std::fs::write(&partial, &std::fs::read(&first).unwrap()[..1000]).unwrap();
    std::fs::write(
        folder.join("20240312-230000-江北区妇联-a1b2c3.zip.json"),
        r#"{"id":"x","size":2000000,"offset":0,"metadata":{}}"#,
    )
    .unwrap();

    // The desk's own table saved among the bundles (a zip too) is not taken for one.
    let o = cli(
        &data,
        &[
            "desk",
            folder.to_str().unwrap(),
            "--xlsx",
            folder.join("汇总.xlsx").to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let found = tally::scan(&folder, &Unwatched).unwrap();
    let t = tally::tally(&Campaign::builtin().unwrap(), &found);
    assert_eq!(
        t.reported(),
        1,
        "{:?}",
        t.rows
            .iter()
            .filter(|r| r.latest.is_some())
            .collect::<Vec<_>>()
    );
    let yz = t.rows.iter().find(|r| r.unit == "渝中区妇联").unwrap();
    assert_eq!(yz.copies, 2);
    let latest = yz.latest.as_ref().unwrap();
    assert!(latest.path.ends_with("更正后.zip"), "{:?}", latest.path);
    assert!(!latest.late);
    assert_eq!(t.others.len(), 1);
    assert_eq!(t.others[0].unit, "市财政局机关妇委会");
    assert_eq!(t.foreign.len(), 1);
    assert!(
        t.foreign[0].1.contains("不是本次活动的材料包"),
        "{}",
        t.foreign[0].1
    );
    assert_eq!(t.in_progress, vec![partial]);
    assert!(t.unreadable.is_empty(), "{:?}", t.unreadable);
    let table = tally::text(&t);
    assert!(table.contains("共收到2份，按最后一份统计"), "{table}");
    assert!(table.contains("市财政局机关妇委会（自填）"), "{table}");
    assert!(table.contains("正在上传（未传完）"), "{table}");
    // The not-reported come first, the typed name last.
    let lines: Vec<&str> = table.lines().collect();
    let first_row = lines.iter().position(|l| l.starts_with("1 ")).unwrap();
    assert!(lines[first_row].contains("未报送"), "{}", lines[first_row]);
    let typed_row = lines.iter().position(|l| l.contains("（自填）")).unwrap();
    let yz_row = lines.iter().position(|l| l.contains("渝中区妇联")).unwrap();
    assert!(typed_row > yz_row);
}

#[test]
fn the_intake_keeps_receiving_when_its_log_can_no_longer_be_written() {
    use std::io::BufRead;
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let mut child = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/intake/server.mjs"))
        .env("INTAKE_PORT", "0")
        .env("INTAKE_DIR", store.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    {
        // Read that it listens, then close the log's pipe (a terminal gone, a crashed logger).
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
    }
    let port: u16 = line
        .trim()
        .strip_prefix("listening ")
        .unwrap()
        .parse()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/files/");
    for unit in ["渝中区妇联", "江北区妇联"] {
        let id = ready(data.path(), pc.path(), unit, 0);
        let o = cli(
            data.path(),
            &["submit", id.as_str(), "--endpoint", &url, "--wait", "0"],
        );
        assert!(o.status.success(), "{unit}: {}", text(&o.stderr));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `deploy/intake/nginx-baosong-intake.conf` as shipped, but for its TLS lines and ports, with
/// nginx running it in front of `intake_port`; returns nginx and its https-less port.
fn nginx_in_front(intake_port: u16, dir: &Path) -> (std::process::Child, u16) {
    let site = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/intake/nginx-baosong-intake.conf"),
    )
    .unwrap();
    let port = free_port();
    let other = free_port();
    let site: String = site
        .lines()
        .filter(|l| !l.trim_start().starts_with("ssl_"))
        .map(|l| {
            l.replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port};"))
                .replace("listen 80;", &format!("listen 127.0.0.1:{other};"))
                .replace("127.0.0.1:1080", &format!("127.0.0.1:{intake_port}"))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let d = dir.display();
    let user = if unsafe { libc::geteuid() } == 0 {
        "user root;"
    } else {
        ""
    };
    let conf = format!(
        "{user}\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{}}\nhttp {{\naccess_log off;\nclient_body_temp_path {d}/body;\n\
         proxy_temp_path {d}/proxy;\nfastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\n\
         scgi_temp_path {d}/scgi;\n{site}}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let mut child = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nginx (apt-get install nginx-light; scripts/test.sh does)");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, port);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "nginx did not start: {}",
        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
    );
}

#[test]
fn the_documented_nginx_site_passes_uploads_through_and_resume_works_behind_it() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 6);
    let intake = intake(Some("t1 渝中区妇联\n"), &[]);
    let nginx_dir = tempfile::tempdir().unwrap();
    let (mut nginx, port) = nginx_in_front(intake.port, nginx_dir.path());
    // Only /files/ is served.
    let r = reqwest::blocking::get(format!("http://127.0.0.1:{port}/")).unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // Through nginx, over a line cut about every 1.5 MB.
    let line = cutter(port, Some(1_500_000), None);
    let url = format!("http://127.0.0.1:{}/files/", line.port);
    let o = submit(
        data.path(),
        &id,
        &url,
        "t1",
        &["--chunk-kib", "1024", "--retry-ms", "50"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let cuts = line.cuts.load(std::sync::atomic::Ordering::SeqCst);
    assert!(cuts >= 3, "{cuts} cuts");
    let stored = intake.stored();
    assert_eq!(stored.len(), 1);
    let store = DataDir::open(data.path(), clock()).unwrap();
    let baosong::core::draft::Status::Submitted { receipt } =
        store.load(&id).unwrap().status().clone()
    else {
        panic!("not 已报送");
    };
    assert_eq!(
        baosong::core::store::sha256_of(&stored[0]).unwrap(),
        receipt.bundle_sha256
    );
    // Resumed, not started over: what crossed the line is not much more than the bundle.
    let sent = line.sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        sent < receipt.bytes + cuts as u64 * 1_100_000,
        "{sent} bytes sent for {} with {cuts} cuts",
        receipt.bytes
    );
    println!("{cuts} cuts, {sent} bytes sent for {}", receipt.bytes);
    // SIGTERM: nginx stops its worker too (a SIGKILL would leave it behind).
    unsafe { libc::kill(nginx.id() as i32, libc::SIGTERM) };
    let _ = nginx.wait();
}

#[test]
fn a_bundle_copied_out_of_the_intake_keeps_its_arrival_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = a_bundle(&dir.path().join("a"), "江北区妇联");
    let folder = dir.path().join("下载");
    std::fs::create_dir(&folder).unwrap();
    // Downloaded today from the store (the file's time is now), under the intake's name.
    let named = folder.join("20240311-183000-江北区妇联-3f9c1a.zip");
    std::fs::copy(&bundle, &named).unwrap();
    let b = Bundle::open(&named).unwrap();
    assert_eq!(
        b.received.unwrap().to_rfc3339(),
        "2024-03-11T18:30:00+08:00",
        "the time in the name, in the deadline's zone"
    );
    let t = tally::tally(
        &Campaign::builtin().unwrap(),
        &tally::scan(&folder, &Unwatched).unwrap(),
    );
    assert_eq!(t.late(), 0);
    // In the intake's store (its tus record beside it) the file's own time counts.
    std::fs::write(format!("{}.json", named.display()), "{}").unwrap();
    set_arrival(&named, "2024-03-13T08:00:00+08:00");
    assert_eq!(
        Bundle::open(&named).unwrap().received.unwrap().to_rfc3339(),
        "2024-03-13T08:00:00+08:00"
    );
}

#[test]
fn the_table_counts_what_the_manifest_lists_not_what_its_totals_claim() {
    let dir = tempfile::tempdir().unwrap();
    let (manifest, m) = good_manifest(dir.path());
    let mut v: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    v["totals"]["photos"] = 99.into();
    v["totals"]["activities"] = 99.into();
    let folder = dir.path().join("收件");
    std::fs::create_dir(&folder).unwrap();
    hostile(
        &folder.join("夸大的.zip"),
        &[(MANIFEST, &serde_json::to_vec(&v).unwrap())],
    );
    let t = tally::tally(
        &Campaign::builtin().unwrap(),
        &tally::scan(&folder, &Unwatched).unwrap(),
    );
    let r = t
        .rows
        .iter()
        .find_map(|r| r.latest.as_ref())
        .expect("one reported");
    assert_eq!(r.photos, m.totals.photos);
    assert_eq!(r.activities, m.totals.activities);
    assert_eq!(r.documents, m.totals.documents);
    assert_eq!(r.links, m.totals.links);
    assert_eq!(r.participants, m.totals.participants);
}

/// Stops the work at its first progress after `after` reports (an import cut off midway).
struct StopAfter(std::sync::atomic::AtomicUsize, usize);

impl baosong::core::work::Work for StopAfter {
    fn progress(&self, _: &str, _: u64, _: u64) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn should_stop(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed) > self.1
    }
}

#[test]
fn an_import_cut_off_midway_leaves_no_draft_and_no_half_made_folder() {
    let dir = tempfile::tempdir().unwrap();
    let zip = a_bundle(dir.path(), "江北区妇联");
    let bundle = Bundle::open(&zip).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let root = dir.path().join("another-pc");
    let data = DataDir::open(&root, clock()).unwrap();
    let stop = StopAfter(Default::default(), 1);
    assert!(import::import(&bundle, &campaign, &data, &stop).is_err());
    assert!(data.list().drafts.is_empty(), "no draft");
    let drafts = std::fs::read_dir(root.join("drafts"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(drafts, 0, "nothing in drafts/");
    let building = std::fs::read_dir(root.join("importing"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(building, 0, "the folder it was made in is gone");
    // A process killed midway leaves its folder in importing/, never a draft in the list.
    std::fs::create_dir_all(root.join("importing/.tmp-1-2-20240310-101500/files")).unwrap();
    std::fs::write(
        root.join("importing/.tmp-1-2-20240310-101500/files/f1.jpg"),
        b"half",
    )
    .unwrap();
    let data = DataDir::open(&root, clock()).unwrap();
    assert!(data.list().drafts.is_empty());
    // Then the import goes through whole — and while it copies, no draft is there to be seen
    // (it was: a kill at that moment left a half-made draft in the list).
    struct Watch(PathBuf, std::sync::Mutex<Vec<usize>>);
    impl baosong::core::work::Work for Watch {
        fn progress(&self, _: &str, _: u64, _: u64) {
            let n = std::fs::read_dir(&self.0).map(|d| d.count()).unwrap_or(0);
            self.1.lock().unwrap().push(n);
        }
        fn should_stop(&self) -> bool {
            false
        }
    }
    let watch = Watch(root.join("drafts"), Default::default());
    let draft = import::import(&bundle, &campaign, &data, &watch).unwrap();
    let seen = watch.1.lock().unwrap().clone();
    assert!(!seen.is_empty() && seen.iter().all(|n| *n == 0), "{seen:?}");
    assert_eq!(data.list().drafts.len(), 1);
    assert!(data.draft_dir(&draft.id).join("draft.json").is_file());
}

#[test]
fn reviews_and_reminders_pass_through_the_documented_nginx_site() {
    use baosong::core::campaign::signing::{DeskKey, PublicKey};
    use baosong::core::review::{Inbox, Message, Verdict, channel};
    let desk = tempfile::tempdir().unwrap();
    let (key, _) = DeskKey::load_or_create(&desk.path().join("desk")).unwrap();
    let hex = key.public().to_hex();
    let intake = intake(
        Some("d1 @desk\nt1 渝中区妇联\nt2 江北区妇联\n"),
        &[("INTAKE_CAMPAIGN_KEY", hex.as_str())],
    );
    let nginx_dir = tempfile::tempdir().unwrap();
    let (mut nginx, port) = nginx_in_front(intake.port, nginx_dir.path());
    let url = format!("http://127.0.0.1:{port}/files/");
    let endpoint = |t: &str| baosong::core::campaign::Intake::new(url.clone(), Some(t.into()));
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-09T10:00:00+08:00").unwrap();
    let review = Message::review(
        "渝中区妇联",
        "cq-sanba-2024",
        now,
        (&"cd".repeat(32), ""),
        Verdict::Returned,
        "缺少活动视频",
        vec![],
    );
    channel::publish(&endpoint("d1"), &desk.path().join("desk"), &review).unwrap();
    let remind = Message::reminder("江北区妇联", "cq-sanba-2024", now, "请尽快报送");
    channel::publish(&endpoint("d1"), &desk.path().join("desk"), &remind).unwrap();
    let pinned = PublicKey::from_hex(&hex).unwrap();
    let pc = tempfile::tempdir().unwrap();
    let inbox = Inbox::in_data_dir(pc.path());
    let looked = channel::look(&endpoint("t1"), &pinned, &inbox).unwrap();
    assert_eq!((looked.new, looked.refused), (1, 0));
    assert_eq!(
        inbox.messages(&pinned, &[])[0].verdict(),
        Some(Verdict::Returned)
    );
    // 江北 sees its reminder, and the desk (through nginx) sees that it was seen.
    let jb = tempfile::tempdir().unwrap();
    let jb_inbox = Inbox::in_data_dir(jb.path());
    channel::look(&endpoint("t2"), &pinned, &jb_inbox).unwrap();
    let shown = jb_inbox.unshown_reminders(&jb_inbox.messages(&pinned, &[]));
    assert_eq!(shown.len(), 1);
    jb_inbox.mark_shown(&shown[0].id).unwrap();
    channel::acknowledge(&endpoint("t2"), &jb_inbox);
    let all = channel::all(&endpoint("d1"), &pinned).unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .any(|(m, s)| m.unit == "江北区妇联" && s.seen_at.is_some())
    );
    unsafe { libc::kill(nginx.id() as i32, libc::SIGTERM) };
    let _ = nginx.wait();
}

/// The install steps in docs/intake-server.md copy every module server.mjs imports (stop 24's
/// campaigns.mjs was missing from them: an intake installed by the book would not start).
#[test]
fn the_documented_install_copies_every_module_the_intake_imports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/intake-server.md")).unwrap();
    let line = doc
        .lines()
        .find(|l| l.starts_with("sudo cp deploy/intake/") && l.contains("/opt/baosong-intake/"))
        .expect("the install line");
    let mut modules = vec!["server.mjs".to_string()];
    let mut i = 0;
    while i < modules.len() {
        let text = std::fs::read_to_string(root.join("deploy/intake").join(&modules[i])).unwrap();
        for l in text.lines().filter(|l| l.starts_with("import ")) {
            if let Some(m) = l.split("'./").nth(1).and_then(|r| r.split('\'').next())
                && !modules.iter().any(|x| x == m)
            {
                modules.push(m.to_string());
            }
        }
        i += 1;
    }
    assert!(modules.len() >= 4, "{modules:?}");
    for m in &modules {
        assert!(
            line.contains("*.mjs") || line.contains(m.as_str()),
            "{m} is not copied by: {line}"
        );
    }
}

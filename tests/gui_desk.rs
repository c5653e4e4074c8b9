//! 收件台 as the publicity department uses it, through kittest by the labels they read: from
//! 设置与帮助 to 收件台, a folder of three bundles (one late, one with a changed byte) read into
//! 报送情况汇总, 核对全部材料包, one bundle opened read-only with the changed file in red, the
//! viewer on a photo, 导出 Excel, 导出汇总文档, 导入为草稿. Screenshots `desk_table.png`,
//! `desk_bundle.png`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use baosong::core::desk::Bundle;
use baosong::core::store::DataDir;
use baosong::gui::App;
use baosong::gui::state::Screen;
use common::drafts::*;
use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

type H = Harness<'static, App>;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_baosong"))
}

/// A folder as the intake left it: three units' bundles, arrived on these days; 万州区妇联's
/// after the deadline and with one byte of a photo changed since.
struct Inbox {
    _dirs: Vec<tempfile::TempDir>,
    folder: PathBuf,
    tampered: String,
}

fn inbox() -> Inbox {
    let folder_dir = tempfile::tempdir().unwrap();
    inbox_at(folder_dir.path().join("收到的材料包"), folder_dir)
}

/// The same at a fixed path (the screenshot shows the folder's path).
fn inbox_for_screenshot(name: &str) -> Inbox {
    let root = std::env::temp_dir().join(format!("baosong-{name}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let keep = tempfile::tempdir().unwrap();
    inbox_at(root.join("收到的材料包"), keep)
}

fn inbox_at(folder: PathBuf, folder_dir: tempfile::TempDir) -> Inbox {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(&folder).unwrap();
    let mut tampered = String::new();
    for (unit, when) in [
        ("渝中区妇联", "2024-03-10T09:05:00+08:00"),
        ("江北区妇联", "2024-03-11T18:30:00+08:00"),
        ("万州区妇联", "2024-03-13T10:00:00+08:00"),
    ] {
        let data = work.path().join(unit);
        let pc = work.path().join(format!("{unit}-pc"));
        std::fs::create_dir_all(&pc).unwrap();
        let id = ready(&data, &pc, unit, 0);
        let to = folder.join(format!("材料包-{unit}.zip"));
        let o = Command::new(exe())
            .env("BAOSONG_DATA_DIR", &data)
            .args(["export", id.as_str(), "-o"])
            .arg(&to)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if unit == "万州区妇联" {
            let b = Bundle::open(&to).unwrap();
            let photo = b
                .listed()
                .iter()
                .find(|l| l.attachment.kind == "photo")
                .map(|l| {
                    (
                        l.path.to_string(),
                        l.attachment.original_name.clone().unwrap(),
                    )
                })
                .unwrap();
            let entry = b.entries[&photo.0].clone();
            let mut bytes = std::fs::read(&to).unwrap();
            bytes[(entry.data_start + entry.size - 10) as usize] ^= 0x20;
            std::fs::write(&to, bytes).unwrap();
            tampered = photo.1;
        }
        std::fs::File::options()
            .write(true)
            .open(&to)
            .unwrap()
            .set_modified(chrono::DateTime::parse_from_rfc3339(when).unwrap().into())
            .unwrap();
    }
    Inbox {
        _dirs: vec![work, folder_dir],
        folder,
        tampered,
    }
}

fn until(h: &mut H, what: &str, done: impl Fn(&H) -> bool) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        h.run_ok();
        if done(h) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what}: not within 30 s");
}

fn disabled(h: &H, label: &str) -> bool {
    h.query_by_label(label)
        .is_some_and(|b| b.accesskit_node().is_disabled())
}

/// 设置与帮助 → 收件台 → the folder typed → 读取.
fn desk_on(data: &Path, inbox: &Inbox, picker: TestPicker) -> H {
    let mut h = harness_with(app(data, picker));
    click(&mut h, "设置与帮助");
    click(&mut h, "收件台");
    assert_eq!(h.state().screen(), Screen::Desk);
    type_into(&mut h, "材料包所在文件夹", inbox.folder.to_str().unwrap());
    click(&mut h, "读取");
    settle(&mut h);
    h
}

#[test]
fn the_desk_tallies_checks_opens_exports_and_imports() {
    let inbox = inbox();
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let picker = TestPicker::default();
    let mut h = desk_on(data.path(), &inbox, picker.clone());
    for part in ["应报 41 个单位", "已报 3", "未报 38", "逾期 1"] {
        assert!(has_label(&h, part), "{part}");
    }
    assert_eq!(h.get_all_by_label("未报送").count(), 38);
    assert!(has_label(&h, "逾期"));
    assert_eq!(h.get_all_by_label("按时").count(), 2);

    // 核对全部材料包: two intact, one with a problem.
    click(&mut h, "核对全部材料包");
    settle(&mut h);
    assert_eq!(h.get_all_by_label("✓ 完好").count(), 2);
    assert!(has_label(&h, "× 1 个文件有问题"));
    assert!(has_text_containing(&h, "3 个材料包中有 1 个与清单不符"));

    // 显示: only those that reported, only those with a problem, then all again.
    click(&mut h, "已报送（3）");
    assert_eq!(h.query_all_by_label("未报送").count(), 0);
    let opens = |h: &H| {
        h.query_all_by_label_contains("的材料包")
            .filter(|n| {
                n.accesskit_node()
                    .label()
                    .is_some_and(|l| l.starts_with("打开"))
            })
            .count()
    };
    assert_eq!(opens(&h), 3);
    click(&mut h, "有问题（1）");
    assert!(has_label(&h, "打开万州区妇联的材料包"));
    assert_eq!(opens(&h), 1);
    click(&mut h, "全部（41）");
    assert_eq!(h.get_all_by_label("未报送").count(), 38);
    // The latest arrivals first: 万州区 (13 March) above 江北区 (11 March).
    click(&mut h, "最新收到的在前");
    let y = |h: &H, label: &str| h.get_by_label(label).rect().top();
    assert!(y(&h, "打开万州区妇联的材料包") < y(&h, "打开江北区妇联的材料包"));
    click(&mut h, "最新收到的在前");
    // A click on a heading sorts by it; again, the other way. The headings stay above the rows.
    click(&mut h, "按收到时间排序");
    assert!(y(&h, "打开渝中区妇联的材料包") < y(&h, "打开江北区妇联的材料包"));
    assert!(y(&h, "打开江北区妇联的材料包") < y(&h, "打开万州区妇联的材料包"));
    click(&mut h, "按收到时间排序");
    assert!(y(&h, "打开万州区妇联的材料包") < y(&h, "打开渝中区妇联的材料包"));
    assert!(y(&h, "按收到时间排序") < y(&h, "打开万州区妇联的材料包"));
    click(&mut h, "按序号排序");

    // 导出 Excel, where the department chooses.
    let xlsx = out.path().join("汇总.xlsx");
    picker.choose_one(&xlsx);
    click(&mut h, "导出 Excel…");
    settle(&mut h);
    assert!(has_text_containing(&h, "已导出 Excel"));
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    // No dialog possible: into the data folder, never among the bundles (the intake's store).
    let bundles_before = std::fs::read_dir(&inbox.folder).unwrap().count();
    picker.fail();
    click(&mut h, "导出 Excel…");
    settle(&mut h);
    let fallback = data.path().join("收件台导出").join("2024报送情况汇总.xlsx");
    assert!(has_text_containing(&h, "已导出 Excel"));
    assert_eq!(&std::fs::read(&fallback).unwrap()[..2], b"PK");
    assert_eq!(
        std::fs::read_dir(&inbox.folder).unwrap().count(),
        bundles_before,
        "nothing written among the bundles"
    );

    // The late, changed one, read-only, its photo in red.
    click(&mut h, "打开万州区妇联的材料包");
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::DeskBundle);
    assert!(has_label(&h, "万州区妇联 的材料包（只读）"));
    assert!(has_text_containing(&h, "核对发现 1 个文件与清单不符"));
    assert!(has_text_containing(&h, "（逾期）"));
    assert!(
        has_label(
            &h,
            &format!("{}：× 已被改动（与清单的校验值不符）", inbox.tampered)
        ),
        "the changed photo marked"
    );
    assert!(h.get_all_by_label_contains("：✓ 完好").count() >= 2);
    assert!(
        disabled(&h, "导入为草稿"),
        "a changed bundle is not imported"
    );
    // Nothing to type into: the bundle is read-only.
    assert!(
        h.query_all_by_role(egui::accesskit::Role::TextInput)
            .next()
            .is_none()
    );
    click(&mut h, "← 返回收件台");

    // An intact one: the viewer, the summary document, the import.
    click(&mut h, "打开渝中区妇联的材料包");
    settle(&mut h);
    assert!(has_text_containing(&h, "✓ 核对完毕"));
    let photo = h
        .query_all_by_label_contains("查看：")
        .next()
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .expect("a photo to view");
    click(&mut h, &photo);
    settle(&mut h);
    assert!(has_label(&h, "关闭"));
    click(&mut h, "关闭");
    let html = out.path().join("汇总.html");
    picker.choose_one(&html);
    click(&mut h, "导出汇总文档…");
    settle(&mut h);
    assert!(
        String::from_utf8_lossy(&std::fs::read(&html).unwrap()).contains("渝中区妇联"),
        "the bundle's own summary"
    );
    click(&mut h, "导入为草稿");
    settle(&mut h);
    assert!(has_text_containing(&h, "已导入为草稿"));
    let drafts = DataDir::open(data.path(), clock()).unwrap().list().drafts;
    assert_eq!(drafts.len(), 1);
    click(&mut h, "打开导入的草稿");
    settle(&mut h);
    assert!(h.state().screen() != Screen::DeskBundle);
}

#[test]
fn a_folder_that_does_not_exist_is_said_so() {
    let inbox = inbox();
    let data = tempfile::tempdir().unwrap();
    let mut h = harness_with(app(data.path(), TestPicker::default()));
    click(&mut h, "设置与帮助");
    click(&mut h, "收件台");
    type_into(
        &mut h,
        "材料包所在文件夹",
        &format!("{}/不存在", inbox.folder.display()),
    );
    // Enter reads, as the 读取 button does.
    h.key_press(egui::Key::Enter);
    h.run_ok();
    settle(&mut h);
    assert!(has_text_containing(&h, "无法读取"));
}

#[test]
fn screenshot_of_the_desk_table() {
    let inbox = inbox_for_screenshot("desk-table");
    let data = tempfile::tempdir().unwrap();
    let mut h = desk_on(data.path(), &inbox, TestPicker::default());
    click(&mut h, "核对全部材料包");
    settle(&mut h);
    // The three that reported are at the bottom, below the 38 to call.
    h.get_by_label("万州区妇联").scroll_to_me();
    h.run_ok();
    h.snapshot("desk_table");
}

#[test]
fn screenshot_of_a_bundle_opened_on_the_desk() {
    let inbox = inbox_for_screenshot("desk-bundle");
    let data = tempfile::tempdir().unwrap();
    let mut h = desk_on(data.path(), &inbox, TestPicker::default());
    click(&mut h, "打开万州区妇联的材料包");
    settle(&mut h);
    until(&mut h, "thumbnails", |h| h.state().is_idle());
    h.snapshot("desk_bundle");
}

/// A bundle whose video is cut short (its manifest rewritten to match, so it is "intact"): the
/// preview goes through the cut-off probe, fails, and the desk carries on.
#[test]
fn a_malformed_video_in_a_bundle_does_not_hang_the_desk() {
    use std::io::{Read, Write};
    let inbox = inbox();
    let good = inbox.folder.join("材料包-渝中区妇联.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
    let mut video_path = String::new();
    let mut video_name = String::new();
    for p in manifest["pillars"].as_array_mut().unwrap() {
        for i in p["items"].as_array_mut().unwrap() {
            for a in i["activities"].as_array_mut().unwrap() {
                for att in a["attachments"].as_array_mut().unwrap() {
                    if att["kind"] == "video" {
                        video_path = att["path"].as_str().unwrap().to_string();
                        video_name = att["original_name"].as_str().unwrap().to_string();
                    }
                }
            }
        }
    }
    let mut cut = Vec::new();
    zip.by_name(&video_path)
        .unwrap()
        .read_to_end(&mut cut)
        .unwrap();
    cut.truncate(cut.len() / 3);
    let sha = baosong::core::media::hex(&<sha2::Sha256 as sha2::Digest>::digest(&cut));
    for p in manifest["pillars"].as_array_mut().unwrap() {
        for i in p["items"].as_array_mut().unwrap() {
            for a in i["activities"].as_array_mut().unwrap() {
                for att in a["attachments"].as_array_mut().unwrap() {
                    if att["kind"] == "video" {
                        att["bytes"] = cut.len().into();
                        att["sha256"] = sha.clone().into();
                    }
                }
            }
        }
    }
    let bad = inbox.folder.join("材料包-渝中区妇联.zip.rewritten");
    {
        let mut out = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        for n in 0..zip.len() {
            let mut e = zip.by_index(n).unwrap();
            let name = e.name().unwrap().to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            out.start_file(name.as_str(), o).unwrap();
            if name == "manifest.json" {
                out.write_all(&serde_json::to_vec(&manifest).unwrap())
                    .unwrap();
            } else if name == video_path {
                out.write_all(&cut).unwrap();
            } else {
                out.write_all(&bytes).unwrap();
            }
        }
        out.finish().unwrap();
    }
    drop(zip);
    std::fs::rename(&bad, &good).unwrap();

    let data = tempfile::tempdir().unwrap();
    let mut h = desk_on(data.path(), &inbox, TestPicker::default());
    click(&mut h, "打开渝中区妇联的材料包");
    settle(&mut h);
    until(&mut h, "the previews to be made or given up", |h| {
        h.state().is_idle()
    });
    assert_eq!(h.state().screen(), Screen::DeskBundle);
    assert!(has_label(&h, &format!("{video_name}：✓ 完好")));
    // Still answering: back to the table.
    click(&mut h, "← 返回收件台");
    assert_eq!(h.state().screen(), Screen::Desk);
}

#[test]
fn the_intakes_audit_log_is_shown_beside_the_table() {
    let data = tempfile::tempdir().unwrap();
    let inbox = inbox();
    std::fs::write(
        inbox.folder.join("intake-audit.jsonl"),
        concat!(
            r#"{"time":"2024-03-11T02:15:00.000Z","event":"created","id":"a","unit":"渝中区妇联"}"#,
            "\n",
            r#"{"time":"2024-03-11T02:16:00.000Z","event":"refused","id":"a","unit":"渝中区妇联","reason":"sha256 mismatch"}"#,
            "\n",
            "not json\n",
            r#"{"time":"2024-03-11T02:20:00.000Z","event":"received","id":"b","unit":"渝中区妇联","sha256":"3f9c1a0b2c3d4e5f"}"#,
            "\n"
        ),
    )
    .unwrap();
    let mut h = desk_on(data.path(), &inbox, TestPicker::default());
    until(&mut h, "the table", |h| {
        has_text_containing(h, "应报 41 个单位")
    });
    click(&mut h, "接收记录（接收端日志）");
    assert!(has_text_containing(
        &h,
        "2024-03-11 10:16 拒收：传输中损坏（校验值不符），未保存"
    ));
    assert!(has_text_containing(
        &h,
        "2024-03-11 10:20 收到并核对无误（sha256 3f9c1a0b2c3d…）"
    ));
}

#[test]
fn the_desks_cache_of_opened_bundles_is_said_and_cleared_in_settings() {
    // Issue 18 item 8: opening bundles copied their videos into cache/desk without bound or word.
    let inbox = inbox();
    let data = tempfile::tempdir().unwrap();
    let mut h = desk_on(data.path(), &inbox, TestPicker::default());
    click(&mut h, "打开渝中区妇联的材料包");
    settle(&mut h);
    let cache = data.path().join("cache").join("desk");
    let held = baosong::core::desk::opened::cache_bytes(&cache);
    assert!(
        held > 0,
        "the photo and the video were taken out for viewing"
    );
    click(&mut h, "← 返回收件台");
    click(&mut h, "← 返回设置与帮助");
    settle(&mut h);
    assert!(has_text_containing(&h, "收件台缓存："));
    assert!(has_text_containing(&h, "最多保留 2 GB"));
    click(&mut h, "清空收件台缓存");
    settle(&mut h);
    assert!(has_text_containing(&h, "已清空收件台缓存"));
    assert_eq!(baosong::core::desk::opened::cache_bytes(&cache), 0);
    assert!(!has_label(&h, "清空收件台缓存"), "nothing left to clear");
}

/// Issue 18 item 11: the desk's viewer once showed a video's small thumbnail enlarged (blurry)
/// where the clerk's showed the poster at the viewer's size. The same 1280×720 video in both:
/// the pictures match pixel for pixel (but for a few at the edges).
#[test]
fn the_desks_viewer_shows_a_video_poster_as_sharp_as_the_clerks() {
    let work = tempfile::tempdir().unwrap();
    let data_u = work.path().join("u");
    let pc = work.path().join("pc");
    std::fs::create_dir_all(&pc).unwrap();
    let big = common::media::video(&pc, "大视频.mp4", "1280x720", "1", "libx264", &[]);
    let store = DataDir::open(&data_u, clock()).unwrap();
    let id = complete_draft(&store, "渝中区妇联", &pc, &[big.as_path()]);
    drop(store);
    let folder = work.path().join("inbox");
    std::fs::create_dir_all(&folder).unwrap();
    let o = Command::new(exe())
        .env("BAOSONG_DATA_DIR", &data_u)
        .args(["export", id.as_str(), "-o"])
        .arg(folder.join("a.zip"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let data = tempfile::tempdir().unwrap();
    let mut h = harness_with(app(data.path(), TestPicker::default()));
    click(&mut h, "设置与帮助");
    click(&mut h, "收件台");
    type_into(&mut h, "材料包所在文件夹", folder.to_str().unwrap());
    click(&mut h, "读取");
    settle(&mut h);
    click(&mut h, "打开渝中区妇联的材料包");
    settle(&mut h);
    let video = h
        .query_all_by_label_contains("查看：")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .find(|l| l.contains("大视频"))
        .expect("a video");
    click(&mut h, &video);
    settle(&mut h);
    until(&mut h, "the large poster", |h| h.state().is_idle());
    settle(&mut h);
    let desk = h.render().unwrap();
    // The clerk's own viewer on the same draft.
    let mut h = harness_with(app(&data_u, TestPicker::default()));
    click(&mut h, "继续填写");
    settle(&mut h);
    let video = h
        .query_all_by_label_contains("查看：")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .find(|l| l.contains("大视频"))
        .expect("a video");
    click(&mut h, &video);
    settle(&mut h);
    until(&mut h, "the large poster", |h| h.state().is_idle());
    settle(&mut h);
    let clerk = h.render().unwrap();
    // The picture's middle (the viewer is the same size in both windows).
    let (x0, y0, w, hgt) = (150, 250, 1000, 500);
    let mut differ = 0;
    for y in y0..y0 + hgt {
        for x in x0..x0 + w {
            let (a, b) = (desk.get_pixel(x, y), clerk.get_pixel(x, y));
            if a.0.iter().zip(b.0.iter()).any(|(p, q)| p.abs_diff(*q) > 16) {
                differ += 1;
            }
        }
    }
    assert!(
        differ < (w * hgt) / 100,
        "{differ} of {} pixels differ: the desk's poster is not the clerk's",
        w * hgt
    );
    // And sharp: across the colour bars a row has a few colours, not the ramps of a small
    // picture enlarged.
    let row = y0 + 100;
    let colours: std::collections::HashSet<[u8; 4]> =
        (x0..x0 + w).map(|x| desk.get_pixel(x, row).0).collect();
    assert!(
        colours.len() < 40,
        "{} colours in a row: blurred",
        colours.len()
    );
}

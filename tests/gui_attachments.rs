//! Attaching and looking at the materials as a clerk does, by the labels she reads: files by
//! the dialog and by dropping them on an activity (or anywhere, then saying where), the
//! thumbnail grid, the viewer with the keyboard, captions, 移除 and 撤销/恢复, the same file
//! twice, a program renamed as a photo, a big copy with 取消, links, and a copy that vanished
//! found by 检查并提交. Screenshots of the grid and the viewer are kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baosong::core::campaign::Campaign;
use baosong::core::draft::{DraftId, UnitProfile};
use baosong::core::store::DataDir;
use common::media::*;
use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

type H = Harness<'static, baosong::gui::App>;

/// A draft of 渝中区妇联 with one activity in 加强理论武装.
fn seed(data: &Path) -> DraftId {
    let store = DataDir::open(data, clock()).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let unit = UnitProfile {
        unit: "渝中区妇联".into(),
        typed: false,
        contact_person: "张丽".into(),
        phone: "023-63751234".into(),
    };
    let mut d = store.create(&campaign, unit).unwrap();
    let id = d.add_activity("p1-1");
    let a = d.activity_mut("p1-1", id.as_str()).unwrap();
    a.title = "学习贯彻“10·30”重要讲话精神专题会".into();
    a.date = "2024-03-05".into();
    a.place = "区妇联会议室".into();
    a.organiser = "渝中区妇联".into();
    a.summary = "集中学习。".into();
    store.save(&d).unwrap();
    d.id
}

/// Run frames until every job and preview is done.
fn settle_all(h: &mut H) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        h.run_ok();
        if h.state().is_idle() {
            h.run_ok();
            if h.state().is_idle() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the app did not settle within 30 s");
}

fn saved(data: &Path, id: &DraftId) -> baosong::core::draft::Draft {
    DataDir::open(data, clock()).unwrap().load(id).unwrap()
}

/// Files of the fixture kinds in a folder of the "clerk's PC".
fn clerk_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let photo = dir.join("走访合影.jpg");
    std::fs::write(&photo, jpeg(640, 480, 6, true)).unwrap();
    let video = video(dir, "快闪活动.mp4", "320x180", "1", "libx264", &[]);
    let doc = dir.join("活动总结.pdf");
    std::fs::write(&doc, b"%PDF-1.4\n<</Type /Page>>\n<</Type /Page>>\n%%EOF").unwrap();
    (photo, video, doc)
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drop files at a point of the window, as Explorer does.
fn drop_at(h: &mut H, at: egui::Pos2, files: &[&Path]) {
    h.hover_at(at);
    h.run_ok();
    h.input_mut().dropped_files = files
        .iter()
        .map(|p| Arc::new(Dropped(p.to_path_buf())) as egui::DroppedFileHandle)
        .collect();
    h.run_ok();
}

#[test]
fn attach_by_dialog_see_the_grid_open_the_viewer_and_caption() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let (photo, video, doc) = clerk_files(pc.path());
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    picker.choose(&[photo.clone(), video.clone(), doc.clone()]);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    assert!(has_label(&h, "已添加 3 个文件。"));
    assert!(has_label(&h, "图片、视频和材料（3）"));
    assert!(has_label(&h, "查看：走访合影.jpg"));
    assert!(has_label(&h, "查看：快闪活动.mp4"));
    assert!(has_label(&h, "打开：活动总结.pdf"));
    assert!(
        has_label(&h, "已移除位置信息"),
        "the photo's location was removed"
    );
    assert!(has_text_containing(&h, "PDF · 113 B · 2 页") || has_text_containing(&h, "2 页"));
    assert!(
        h.state().texture_count() >= 2,
        "thumbnails of the photo and the video"
    );
    h.get_by_label("查看：快闪活动.mp4").scroll_to_me();
    settle_all(&mut h);
    // Issue 18 item 15: 移除 once wrapped onto a line of its own on the video tile; on every
    // tile it sits beside 所在文件夹.
    let tops =
        |label: &str| -> Vec<f32> { h.get_all_by_label(label).map(|n| n.rect().top()).collect() };
    let (remove, folder) = (tops("移除"), tops("所在文件夹"));
    assert_eq!(remove.len(), 3, "three tiles");
    assert_eq!(
        remove, folder,
        "移除 on the same line as 所在文件夹 on every tile"
    );
    h.snapshot("materials_grid");

    // The original may go: everything is in the draft's own folder.
    std::fs::remove_file(&photo).unwrap();
    let d = saved(data.path(), &id);
    let list = &d.answer("p1-1").unwrap().activities[0].attachments;
    assert_eq!(list.len(), 3);
    let stored = list[0].file().unwrap();
    assert!(
        data.path()
            .join("drafts")
            .join(id.as_str())
            .join("files")
            .join(&stored.stored_name)
            .is_file()
    );

    // Caption: the field is the file's (labelled by its name).
    type_into(&mut h, "走访合影.jpg", "区妇联走访慰问困难妇女");
    settle_all(&mut h);
    let d = saved(data.path(), &id);
    assert_eq!(
        d.answer("p1-1").unwrap().activities[0].attachments[0].caption,
        "区妇联走访慰问困难妇女"
    );

    // The viewer, stepped through with the keyboard.
    click(&mut h, "查看：走访合影.jpg");
    settle_all(&mut h);
    assert!(has_label(&h, "大图：走访合影.jpg"));
    assert!(has_label(&h, "第 1 / 2 个"));
    assert!(has_text_containing(&h, "拍摄于 2024:03:08 10:15:00"));
    assert!(has_label(&h, "当前：适合窗口"));
    h.snapshot("viewer");
    click(&mut h, "放大");
    assert!(has_label(&h, "当前：适合窗口的 125%"));
    h.key_press(egui::Key::ArrowRight);
    h.run_ok();
    settle_all(&mut h);
    assert!(has_label(&h, "大图：快闪活动.mp4"));
    assert!(has_text_containing(&h, "编码 H.264"));
    assert!(has_label(&h, "用系统播放器播放"));
    h.key_press(egui::Key::Escape);
    h.run_ok();
    assert!(
        !has_label(&h, "大图：快闪活动.mp4"),
        "Esc closes the viewer"
    );
}

#[test]
fn drop_on_an_activity_or_anywhere_then_say_where() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let (photo, video, _) = clerk_files(pc.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    let section = h.get_by_label("添加图片/视频/文件…").rect().center() + egui::vec2(0.0, 30.0);
    drop_at(&mut h, section, &[&photo]);
    settle_all(&mut h);
    assert!(
        has_label(&h, "图片、视频和材料（1）"),
        "dropped on the activity"
    );

    // Dropped on the task list: the app asks where.
    let elsewhere = h.get_by_label("强化宣传宣讲").rect().center();
    drop_at(&mut h, elsewhere, &[&video]);
    assert!(has_label(&h, "把这 1 个文件添加到哪里？"));
    click(&mut h, "综合材料（不属于某一个活动）");
    settle_all(&mut h);
    let d = saved(data.path(), &id);
    assert_eq!(d.general.len(), 1);
    assert_eq!(d.general[0].display_name(), "快闪活动.mp4");
    click(&mut h, "综合材料（1）");
    assert!(has_label(&h, "查看：快闪活动.mp4"));
}

#[test]
fn remove_restore_duplicates_and_refusals_are_said() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let (photo, _, doc) = clerk_files(pc.path());
    let fake = pc.path().join("证件照.jpg");
    std::fs::copy(env!("CARGO_BIN_EXE_baosong"), &fake).unwrap();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    picker.choose(&[photo.clone(), doc.clone()]);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);

    // The same photo again, and a program renamed as a photo.
    picker.choose(&[photo.clone(), fake.clone()]);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    // One short message; each file's reason behind 详情.
    assert!(has_text_containing(
        &h,
        "1 个文件已在草稿中，未重复添加。1 个文件未能添加，原因见详情。"
    ));
    assert!(!has_text_containing(&h, "“走访合影.jpg”已经添加过了"));
    click(&mut h, "详情（2 项）");
    assert!(has_text_containing(&h, "“走访合影.jpg”已经添加过了"));
    assert!(has_text_containing(&h, "“证件照.jpg”实际上是一个程序文件"));
    assert!(has_label(&h, "图片、视频和材料（2）"));

    click_nth(&mut h, "移除", 0);
    settle_all(&mut h);
    assert!(has_label(&h, "图片、视频和材料（1）"));
    assert!(has_text_containing(&h, "已移除“走访合影.jpg”"));
    click(&mut h, "撤销");
    settle_all(&mut h);
    assert!(has_label(&h, "图片、视频和材料（2）"));

    click_nth(&mut h, "移除", 1);
    settle_all(&mut h);
    assert!(has_text_containing(&h, "已移除的材料（1）"));
    click(&mut h, "知道了");
    click(&mut h, "恢复");
    settle_all(&mut h);
    let d = saved(data.path(), &id);
    assert_eq!(d.answer("p1-1").unwrap().activities[0].attachments.len(), 2);
    assert!(d.removed.is_empty());
    // Reordered: 后移 on the first.
    click_nth(&mut h, "后移", 0);
    settle_all(&mut h);
    let d = saved(data.path(), &id);
    let names: Vec<&str> = d.answer("p1-1").unwrap().activities[0]
        .attachments
        .iter()
        .map(|a| a.display_name())
        .collect();
    assert_eq!(names, ["活动总结.pdf", "走访合影.jpg"]);
}

#[test]
fn many_duplicates_are_summed_up_and_the_banner_stays_in_the_window() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let photos: Vec<PathBuf> = (0..40u16)
        .map(|i| {
            let p = pc
                .path()
                .join(format!("社区妇女之家活动现场照片第{i:03}张（重复）.jpg"));
            std::fs::write(&p, jpeg(16 + i, 16, 1, false)).unwrap();
            p
        })
        .collect();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    picker.choose(&photos);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    assert!(has_text_containing(&h, "已添加 40 个文件。"));
    // All 40 again, and one more.
    let extra = pc.path().join("新的一张.jpg");
    std::fs::write(&extra, jpeg(99, 16, 1, false)).unwrap();
    let mut again = photos.clone();
    again.push(extra);
    picker.choose(&again);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    assert!(has_text_containing(
        &h,
        "已添加 1 个文件。40 个文件已在草稿中，未重复添加。"
    ));
    assert!(
        !has_text_containing(&h, "已经添加过了"),
        "each file's reason waits behind 详情"
    );
    // The message wraps: 知道了 stays inside the window, and so does 详情.
    let width = 1280.0;
    assert!(h.get_by_label("知道了").rect().right() <= width);
    click(&mut h, "详情（40 项）");
    assert!(has_text_containing(
        &h,
        "“社区妇女之家活动现场照片第000张（重复）.jpg”已经添加过了"
    ));
    assert!(h.get_by_label("知道了").rect().right() <= width);
    h.snapshot("import_banner_details");
    assert_eq!(
        saved(data.path(), &id).answer("p1-1").unwrap().activities[0]
            .attachments
            .len(),
        41
    );
}

#[test]
fn a_big_copy_shows_progress_and_can_be_cancelled() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    // A 3 GB "video" (sparse on the clerk's disk): long enough to be cancelled mid-way.
    let big = pc.path().join("整场活动录像.mp4");
    {
        let f = std::fs::File::create(&big).unwrap();
        use std::io::Write;
        (&f).write_all(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1")
            .unwrap();
        f.set_len(3 * 1024 * 1024 * 1024).unwrap();
    }
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    picker.choose(&[big]);
    click(&mut h, "添加图片/视频/文件…");
    let started = Instant::now();
    while !has_text_containing(&h, "正在复制“整场活动录像.mp4”") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no progress shown"
        );
        h.run_ok();
        std::thread::sleep(Duration::from_millis(5));
    }
    // The window keeps drawing and the draft can still be edited meanwhile.
    type_into(&mut h, "地点", "（南岸）");
    click(&mut h, "取消");
    settle_all(&mut h);
    assert!(has_label(&h, "已取消添加。"));
    let files = data.path().join("drafts").join(id.as_str()).join("files");
    assert_eq!(
        std::fs::read_dir(&files).unwrap().count(),
        0,
        "no half copy is left"
    );
    let d = saved(data.path(), &id);
    assert!(
        d.answer("p1-1").unwrap().activities[0]
            .attachments
            .is_empty()
    );
    assert_eq!(
        d.answer("p1-1").unwrap().activities[0].place,
        "区妇联会议室（南岸）"
    );
}

#[test]
fn links_get_their_platform_and_bad_ones_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "添加新媒体链接");
    type_into(&mut h, "链接地址", "巾帼大宣讲");
    click(&mut h, "添加链接");
    assert!(has_text_containing(&h, "没有找到链接地址"));
    replace_text(
        &mut h,
        "链接地址",
        "7.43 复制打开抖音，看看【渝中区妇联的作品】 https://v.douyin.com/iRNBho6/ 复制此链接",
    );
    type_into(&mut h, "标题（可不填）", "“全城致敬最美的她”快闪");
    click(&mut h, "添加链接");
    settle_all(&mut h);
    assert!(has_label(&h, "已添加抖音链接。"));
    let d = saved(data.path(), &id);
    let link = &d.answer("p1-1").unwrap().activities[0].attachments[0];
    assert_eq!(link.display_name(), "“全城致敬最美的她”快闪");
    match &link.material {
        baosong::core::draft::Material::Link(l) => {
            assert_eq!(l.platform, "抖音");
            assert_eq!(l.url, "https://v.douyin.com/iRNBho6/");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_check_page_finds_a_copy_that_vanished_and_reminds_of_photos() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let (photo, _, _) = clerk_files(pc.path());
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "检查并提交");
    assert!(has_text_containing(
        &h,
        "提醒：本活动还没有图片、视频或新媒体链接"
    ));
    click(&mut h, "填报任务");
    picker.choose(&[photo]);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    click(&mut h, "检查并提交");
    settle_all(&mut h);
    assert!(!has_text_containing(
        &h,
        "提醒：本活动还没有图片、视频或新媒体链接"
    ));

    // Someone deletes the copy in the draft's folder.
    let files = data.path().join("drafts").join(id.as_str()).join("files");
    for f in std::fs::read_dir(&files).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    click(&mut h, "填报任务");
    click(&mut h, "检查并提交");
    settle_all(&mut h);
    assert!(has_text_containing(
        &h,
        "“走访合影.jpg”在草稿文件夹中的副本不见了"
    ));
}

/// One turn of the mouse wheel down, with the pointer at `at`, and a frame.
fn wheel_down(h: &mut H, at: egui::Pos2) {
    h.hover_at(at);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -300.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_ok();
}

/// `n` small photos attached to the seeded activity, straight through the core.
fn with_photos(data: &Path, id: &DraftId, n: u16) {
    let store = DataDir::open(data, clock()).unwrap();
    let mut d = store.load(id).unwrap();
    let files = store.draft_dir(id).join("files");
    let rules = Campaign::builtin().unwrap().attachments;
    let pc = tempfile::tempdir().unwrap();
    for n in 0..n {
        let p = pc.path().join(format!("照片{n:03}.jpg"));
        std::fs::write(&p, jpeg(32 + n % 7, 24, 1, false)).unwrap();
        let target = baosong::core::media::import::ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let attachment = baosong::core::media::import::import_file(
            &p,
            d.reserve_attachment_id(),
            &target,
            &baosong::core::work::Unwatched,
            store.now(),
        )
        .unwrap();
        d.answer_mut("p1-1").activities[0]
            .attachments
            .push(attachment);
    }
    store.save(&d).unwrap();
}

#[test]
fn two_hundred_photos_on_an_office_monitor_scroll_with_the_page() {
    let data = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    with_photos(data.path(), &id, 200);
    let (w, hgt) = (1366.0, 768.0);
    // What the page shows lies above the status bar.
    let shown = hgt - 50.0;
    let mut h = Harness::builder()
        .with_size([w, hgt])
        .with_theme(egui::Theme::Light)
        .with_max_steps(64)
        .with_context_setup(baosong::gui::fonts::install)
        .build_ui_state(
            |ui, app: &mut baosong::gui::App| app.ui(ui),
            app(data.path(), TestPicker::default()),
        );
    settle_all(&mut h);
    click(&mut h, "继续填写");
    settle_all(&mut h);
    // Scrolled down the page with the wheel, as a clerk does, to the middle of the photos.
    for _ in 0..400 {
        if h.query_by_label("查看：照片100.jpg").is_some_and(|n| {
            let r = n.rect();
            r.top() >= 100.0 && r.bottom() <= shown
        }) {
            break;
        }
        wheel_down(&mut h, egui::pos2(w * 0.6, hgt * 0.6));
    }
    settle_all(&mut h);
    // Whole tiles — picture and caption — on the screen, not a 60 px slit of them.
    let tile = h.get_by_label("查看：照片100.jpg").rect();
    assert!(
        tile.top() >= 100.0 && tile.bottom() <= shown,
        "tile 100 wholly visible: {tile:?}"
    );
    let whole = h
        .query_all_by_label_contains("查看：照片")
        .filter(|n| {
            let r = n.rect();
            r.top() >= 100.0 && r.bottom() <= shown
        })
        .count();
    assert!(whole >= 5, "{whole} pictures wholly visible: a whole row");
    h.snapshot("materials_200_photos_1366x768");
}

#[test]
fn many_photos_keep_the_textures_bounded() {
    let data = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    with_photos(data.path(), &id, 300);
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle_all(&mut h);
    assert!(has_label(&h, "图片、视频和材料（300）"));
    // Scroll the grid from top to bottom with the mouse wheel, as a clerk looking through
    // them would.
    h.get_by_label("查看：照片000.jpg").scroll_to_me();
    h.run_ok();
    let grid = h.get_by_label("查看：照片000.jpg").rect().center();
    let mut max_textures = 0;
    for _ in 0..200 {
        if has_label(&h, "查看：照片299.jpg") {
            break;
        }
        wheel_down(&mut h, grid);
        settle_all(&mut h);
        max_textures = max_textures.max(h.state().texture_count());
    }
    let textures = max_textures;
    assert!(
        textures <= baosong::gui::previews::THUMB_TEXTURES,
        "{textures} textures held"
    );
    assert!(has_label(&h, "查看：照片299.jpg"), "scrolled to the end");
    assert!(
        !has_label(&h, "查看：照片000.jpg"),
        "the first rows are no longer laid out"
    );
}

#[test]
fn a_file_that_cannot_be_previewed_keeps_its_tile_and_stops_nothing() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    // A photo whose header says JPEG and whose data is nothing a decoder reads, and a video cut
    // off before its index (the recording was interrupted).
    let photo = pc.path().join("坏照片.jpg");
    let mut bytes =
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    bytes.extend((0..4000u32).map(|i| (i * 7 % 251) as u8));
    std::fs::write(&photo, bytes).unwrap();
    let whole = video(pc.path(), "整段.mp4", "320x180", "1", "libx264", &[]);
    let cut = pc.path().join("断掉的视频.mp4");
    let mut v = std::fs::read(&whole).unwrap();
    v.truncate(v.len() / 2);
    std::fs::write(&cut, v).unwrap();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    picker.choose(&[photo, cut]);
    click(&mut h, "添加图片/视频/文件…");
    settle_all(&mut h);
    assert!(has_label(&h, "已添加 2 个文件。"));
    // Each keeps its tile, with the placeholder, its kind and its size.
    assert!(has_label(&h, "查看：坏照片.jpg · 无法预览（不影响报送）"));
    assert!(has_label(
        &h,
        "查看：断掉的视频.mp4 · 无法预览（不影响报送）"
    ));
    let size = baosong::core::units::human_bytes(4020);
    assert!(has_text_containing(&h, &format!("图片 · {size}")));
    assert!(has_text_containing(&h, "视频 · "));
    assert_eq!(
        saved(data.path(), &id).answer("p1-1").unwrap().activities[0]
            .attachments
            .len(),
        2
    );
    // The check page has nothing to say about them.
    click(&mut h, "检查并提交");
    settle_all(&mut h);
    assert!(!has_text_containing(&h, "坏照片.jpg"));
    assert!(!has_text_containing(&h, "断掉的视频.mp4"));
}

#[test]
fn a_draft_copied_to_another_pc_is_hashed_on_the_first_check_only() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = seed(data.path());
    let store = DataDir::open(data.path(), clock()).unwrap();
    let mut d = store.load(&id).unwrap();
    let doc = pc.path().join("活动总结.pdf");
    std::fs::write(&doc, b"%PDF-1.4\n<</Type /Page>>\n%%EOF").unwrap();
    common::drafts::attach(&store, &mut d, None, &doc);
    store.save(&d).unwrap();
    drop(store);
    // New times on the copies, as a folder copied to another PC gets.
    let later = std::time::SystemTime::now() + Duration::from_secs(7200);
    let files = data.path().join("drafts").join(id.as_str()).join("files");
    for f in std::fs::read_dir(&files).unwrap() {
        let f = std::fs::File::options()
            .write(true)
            .open(f.unwrap().path())
            .unwrap();
        f.set_modified(later).unwrap();
    }
    let before = saved(data.path(), &id);
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "检查并提交");
    settle_all(&mut h);
    h.state_mut().shutdown();
    // The new time is recorded — not an edit — so the next visit hashes nothing.
    let after = saved(data.path(), &id);
    let time = |d: &baosong::core::draft::Draft| {
        d.all_attachments()
            .find_map(|(_, a)| a.file().map(|f| f.modified_ms))
            .unwrap()
    };
    assert_eq!(
        time(&after),
        baosong::core::store::modified_ms(later),
        "the refreshed time is saved"
    );
    assert_ne!(time(&before), time(&after));
    assert_eq!(after.status(), before.status());
    assert_eq!(after.updated_at, before.updated_at);
}

#[test]
fn a_message_appearing_or_going_moves_nothing_the_clerk_is_about_to_click() {
    // Issue 18 item 3: "已添加 1 个文件" once pushed the page 54 px down as the import ended.
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    seed(data.path());
    let (photo, _, _) = clerk_files(pc.path());
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "继续填写");
    settle(&mut h);
    let top = |h: &H, label: &str| h.get_by_label(label).rect().top();
    let before = (top(&h, "添加图片/视频/文件…"), top(&h, "地点"));
    picker.choose(&[photo]);
    h.get_by_label("添加图片/视频/文件…").click();
    settle_all(&mut h);
    assert!(has_text_containing(&h, "已添加 1 个文件"));
    assert_eq!(
        (top(&h, "添加图片/视频/文件…"), top(&h, "地点")),
        before,
        "the banner appeared and nothing above the materials moved"
    );
    click(&mut h, "知道了");
    settle(&mut h);
    assert!(!has_text_containing(&h, "已添加 1 个文件"));
    assert_eq!(
        (top(&h, "添加图片/视频/文件…"), top(&h, "地点")),
        before,
        "the banner went and nothing moved"
    );
}

//! The start screen and the check page as a clerk uses them: problems listed with a jump to the
//! field; duplicate, delete to the recycle area and restore; an unreadable draft reported while
//! the others still load; a template opened from a file, a bad one refused with its reason;
//! typing saved within a second without closing anything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use baosong::core::campaign::Campaign;
use baosong::core::draft::{ActivityField, DraftId, UnitProfile};
use baosong::core::store::DataDir;
use baosong::gui::state::Screen;
use common::*;
use egui_kittest::kittest::Queryable;

/// A draft with a complete profile and one activity (no title) in 加强理论武装.
fn seed_draft_with_problems(data: &std::path::Path) -> DraftId {
    let store = DataDir::open(data, clock()).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let unit = UnitProfile {
        unit: "万州区妇联".into(),
        typed: false,
        contact_person: "李娟".into(),
        phone: "13812345678".into(),
    };
    let mut d = store.create(&campaign, unit).unwrap();
    let aid = d.add_activity("p1-1");
    let a = d.activity_mut("p1-1", aid.as_str()).unwrap();
    a.date = "2024-01-05".into();
    a.place = "万州区妇女儿童活动中心".into();
    a.organiser = "万州区妇联".into();
    a.summary = "学习贯彻“10·30”重要讲话精神。".into();
    store.save(&d).unwrap();
    d.id
}

#[test]
fn check_page_lists_problems_and_jumps_to_the_field() {
    let data = tempfile::tempdir().unwrap();
    seed_draft_with_problems(data.path());
    let mut h = harness(data.path());
    assert!(has_label(&h, "万州区妇联"));
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "检查并提交");
    assert!(has_text_containing(&h, "还有 11 个问题需要修改"));
    assert!(has_label(&h, "请填写活动名称"));
    assert!(has_label(
        &h,
        "活动日期2024年1月5日不在本次活动期间（2024年2月20日至2024年3月12日），请核对"
    ));
    assert!(!has_label(&h, "材料齐全，可以报送。"));
    settle(&mut h);
    h.snapshot("check_answers_problems");

    // The first 去修改 is the missing title of 活动1 in 加强理论武装.
    click_nth(&mut h, "去修改", 0);
    h.run();
    assert_eq!(h.state().screen(), Screen::Tasks);
    assert_eq!(h.state().current_item(), "p1-1");
    assert!(
        h.get_by_label("活动名称").is_focused(),
        "the jump lands on the field"
    );
    h.get_by_label("活动名称")
        .type_text("学习贯彻“10·30”重要讲话精神专题会");
    h.run();

    // The date: jump, and the date field is focused.
    click(&mut h, "检查并提交");
    assert!(!has_label(&h, "请填写活动名称"));
    click_nth(&mut h, "去修改", 0);
    h.run();
    assert!(h.get_by_label("日期").is_focused());

    // An untouched item's jump lands on 本项未开展.
    click(&mut h, "检查并提交");
    click_nth(&mut h, "去修改", 1);
    h.run();
    assert_eq!(h.state().current_item(), "p1-2");
    assert!(h.get_by_label("本项未开展").is_focused());
    settle(&mut h);
}

#[test]
fn duplicate_delete_undo_and_restore() {
    let data = tempfile::tempdir().unwrap();
    seed_draft_with_problems(data.path());
    let mut h = harness(data.path());
    assert!(has_label(&h, "0/10 项"), "completeness is on the row");
    assert!(has_label(&h, "完成情况") && has_label(&h, "创建时间"));
    click(&mut h, "复制");
    settle(&mut h);
    assert!(has_label(&h, "万州区妇联"));
    assert!(
        has_label(&h, "万州区妇联（副本）"),
        "the copy is named as a copy, not a second identical row"
    );

    // The copy is the newest, so the first row.
    click_nth(&mut h, "删除", 0);
    assert!(has_label(&h, "确定删除？"), "deleting asks first");
    click(&mut h, "取消");
    assert!(has_label(&h, "万州区妇联（副本）"));

    click_nth(&mut h, "删除", 0);
    click(&mut h, "确定删除");
    settle(&mut h);
    assert!(!has_label(&h, "万州区妇联（副本）"));
    assert!(has_label(&h, "草稿已移到回收区。"));
    assert!(has_label(&h, "回收区（1）"));
    click(&mut h, "撤销");
    settle(&mut h);
    assert!(has_label(&h, "万州区妇联（副本）"), "撤销 brings it back");
    assert!(has_label(&h, "回收区（0）"));

    click_nth(&mut h, "删除", 0);
    click(&mut h, "确定删除");
    settle(&mut h);
    assert_eq!(
        std::fs::read_dir(data.path().join("recycle"))
            .unwrap()
            .count(),
        1
    );
    click(&mut h, "知道了");
    click(&mut h, "回收区（1）");
    assert!(
        has_label(&h, "万州区妇联（副本）"),
        "listed in the recycle area"
    );
    assert!(has_label(&h, "删除于 2024年3月1日 10:00"));
    click(&mut h, "恢复");
    settle(&mut h);
    assert!(has_label(&h, "回收区（0）"));
    assert_eq!(
        std::fs::read_dir(data.path().join("drafts"))
            .unwrap()
            .count(),
        2
    );
}

#[test]
fn unreadable_draft_is_reported_and_the_others_load() {
    let data = tempfile::tempdir().unwrap();
    seed_draft_with_problems(data.path());
    let broken = data.path().join("drafts").join("20240229-080000");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("draft.json"),
        r#"{"schema": 1, "id": "20240229-080000", "unit": {"unit": "江北"#,
    )
    .unwrap();
    let mut h = harness(data.path());
    assert!(has_label(&h, "万州区妇联"), "the good draft still loads");
    assert!(has_label(&h, "以下草稿无法读取，已移到隔离区："));
    assert!(has_text_containing(
        &h,
        "草稿“20240229-080000”无法读取：草稿文件不完整（被截断）"
    ));
    assert!(!broken.exists(), "moved aside");
    settle(&mut h);
}

#[test]
fn template_opened_from_a_file_and_a_bad_one_refused() {
    let data = tempfile::tempdir().unwrap();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));

    let bad = data.path().join("坏模板.json");
    std::fs::write(&bad, "{\"schema\": 1, \"id\": ").unwrap();
    picker.choose_one(&bad);
    click(&mut h, "打开活动模板…");
    settle(&mut h);
    assert!(has_text_containing(&h, "坏模板.json"));
    assert!(has_text_containing(&h, "文件不完整"));
    assert!(
        has_label(&h, "2024年“三八”国际妇女节纪念活动情况报送"),
        "the built-in template stays"
    );

    let mut next: serde_json::Value =
        serde_json::from_str(include_str!("../assets/campaigns/cq-sanba-2024.json")).unwrap();
    next["id"] = "cq-sanba-2025".into();
    next["title"] = "2025年“三八”国际妇女节纪念活动情况报送".into();
    next["deadline"] = "2025-03-12T23:59:59+08:00".into();
    let good = data.path().join("2025年模板.json");
    std::fs::write(&good, next.to_string()).unwrap();
    picker.choose_one(&good);
    click(&mut h, "知道了");
    click(&mut h, "打开活动模板…");
    settle(&mut h);
    assert!(has_label(&h, "2025年“三八”国际妇女节纪念活动情况报送"));
    assert!(has_text_containing(&h, "距报送截止还有 376 天"));
    drop(h);

    // Remembered: the next start opens the same template.
    let h = harness(data.path());
    assert!(has_label(&h, "2025年“三八”国际妇女节纪念活动情况报送"));
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(settings["template_path"], good.to_string_lossy().as_ref());
}

#[test]
fn typing_is_saved_within_a_second_without_closing() {
    let data = tempfile::tempdir().unwrap();
    let id = seed_draft_with_problems(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    type_into(&mut h, "活动名称", "巾帼宣讲进机关");
    // No flush, no close: the window keeps running, and the autosave writes the draft by itself.
    // (The timing itself is checked with a hand-moved clock in
    // `autosave_writes_after_a_pause_by_the_apps_own_clock`; here a generous wait keeps a
    // loaded CI machine from making the test flaky.)
    let store = DataDir::open(data.path(), clock()).unwrap();
    let saved = |store: &DataDir| {
        let d = store.load(&id).unwrap();
        ActivityField::Title.value(&d.answer("p1-1").unwrap().activities[0]) == "巾帼宣讲进机关"
    };
    let started = std::time::Instant::now();
    while !saved(&store) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "not saved by itself"
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Keep the harness alive until here: nothing was saved by closing it.
    drop(h);
}

/// The autosave driven by a clock the test moves on by hand: nothing is written while the
/// clerk keeps typing, and the draft is on disk once typing has paused for the app's interval
/// (or at most a little under a second after the first change).
#[test]
fn autosave_writes_after_a_pause_by_the_apps_own_clock() {
    use baosong::core::clock::ManualTicker;
    use std::sync::Arc;
    use std::time::Duration;
    let data = tempfile::tempdir().unwrap();
    let id = seed_draft_with_problems(data.path());
    let ticker = Arc::new(ManualTicker::default());
    let mut h = harness_with(app_with(
        data.path(),
        Setup {
            ticker: ticker.clone(),
            ..Setup::default()
        },
    ));
    click(&mut h, "继续填写");
    settle(&mut h);
    let on_disk = || {
        DataDir::open(data.path(), clock())
            .unwrap()
            .load(&id)
            .unwrap()
            .answer("p1-1")
            .unwrap()
            .activities[0]
            .title
            .clone()
    };
    type_into(&mut h, "活动名称", "巾帼");
    ticker.advance(Duration::from_millis(200));
    h.run_steps(5);
    std::thread::sleep(Duration::from_millis(100));
    h.run_steps(5);
    assert_eq!(on_disk(), "", "still typing: not saved yet");

    // Typing goes on, every 200 ms: saved anyway 0.8 s after the first change.
    for _ in 0..3 {
        type_into(&mut h, "活动名称", "宣讲");
        ticker.advance(Duration::from_millis(200));
        h.run_steps(2);
    }
    settle(&mut h);
    assert_eq!(on_disk(), "巾帼宣讲宣讲宣讲");

    // A pause of 0.3 s after the last key saves too.
    type_into(&mut h, "活动名称", "进机关");
    h.run_steps(3);
    ticker.advance(Duration::from_millis(300));
    settle(&mut h);
    assert_eq!(on_disk(), "巾帼宣讲宣讲宣讲进机关");
}

#[test]
fn an_unusable_data_folder_is_explained_in_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("不是文件夹");
    std::fs::write(&file, b"x").unwrap();
    let h = harness(&file.join("数据"));
    assert!(has_label(&h, "无法启动"));
    assert!(has_text_containing(&h, "无法使用数据文件夹"));
    assert!(has_text_containing(&h, "BAOSONG_DATA_DIR"));
}

#[test]
fn a_failed_save_keeps_the_draft_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let id = seed_draft_with_problems(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);

    // The draft's folder disappears (a USB stick pulled, a cleaner run) and a file takes its place.
    let dir = data.path().join("drafts").join(&id);
    let aside = data.path().join("aside");
    std::fs::rename(&dir, &aside).unwrap();
    std::fs::write(&dir, b"in the way").unwrap();
    type_into(&mut h, "活动名称", "巾帼普法乡村行");
    settle(&mut h);
    assert!(has_text_containing(&h, "保存失败"), "the clerk is told");
    assert_eq!(
        h.get_by_label("活动名称").value().as_deref(),
        Some("巾帼普法乡村行"),
        "nothing typed is lost"
    );

    // The folder comes back; the next change saves everything.
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&aside, &dir).unwrap();
    type_into(&mut h, "活动名称", "！");
    settle(&mut h);
    assert!(has_text_containing(&h, "已自动保存"));
    let d = DataDir::open(data.path(), clock())
        .unwrap()
        .load(&id)
        .unwrap();
    assert_eq!(
        d.answer("p1-1").unwrap().activities[0].title,
        "巾帼普法乡村行！"
    );
}

#[test]
fn activities_are_reordered_and_removed_after_asking() {
    let data = tempfile::tempdir().unwrap();
    let id = seed_draft_with_problems(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    type_into(&mut h, "活动名称", "第一场");
    click(&mut h, "添加活动");
    type_into(&mut h, "活动名称", "第二场");
    click(&mut h, "添加活动");
    type_into(&mut h, "活动名称", "第三场");
    let titles = |h: &egui_kittest::Harness<'_, baosong::gui::App>| -> Vec<String> {
        h.get_all_by_label("活动名称")
            .filter_map(|n| n.value())
            .collect()
    };
    assert_eq!(titles(&h), ["第一场", "第二场", "第三场"]);

    click_nth(&mut h, "下移", 0);
    assert_eq!(titles(&h), ["第二场", "第一场", "第三场"]);
    click_nth(&mut h, "上移", 1); // the third activity's 上移 (the first has none)
    assert_eq!(titles(&h), ["第二场", "第三场", "第一场"]);

    click_nth(&mut h, "删除活动", 1);
    assert!(has_label(&h, "删除这条活动？"), "removing asks first");
    click(&mut h, "取消");
    assert_eq!(titles(&h).len(), 3);
    click_nth(&mut h, "删除活动", 1);
    click(&mut h, "确定删除");
    assert_eq!(titles(&h), ["第二场", "第一场"]);
    settle(&mut h);

    let d = DataDir::open(data.path(), clock())
        .unwrap()
        .load(&id)
        .unwrap();
    let saved: Vec<&str> = d
        .answer("p1-1")
        .unwrap()
        .activities
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(saved, ["第二场", "第一场"]);
}

#[test]
fn a_second_window_on_the_same_data_folder_is_refused() {
    let data = tempfile::tempdir().unwrap();
    seed_draft_with_problems(data.path());
    let first = harness(data.path());
    let second = harness(data.path());
    assert!(has_label(&second, "无法启动"));
    assert!(has_text_containing(
        &second,
        "报送程序已经在另一个窗口中打开"
    ));
    assert!(
        has_label(&first, "万州区妇联"),
        "the first window is unaffected"
    );
    drop(second);
    drop(first);
    // Once the first window is closed, the folder opens again.
    let third = harness(data.path());
    assert!(has_label(&third, "万州区妇联"));
}

#[test]
fn two_drafts_of_one_unit_can_be_told_apart() {
    let data = tempfile::tempdir().unwrap();
    let campaign = Campaign::builtin().unwrap();
    let unit = |name: &str| UnitProfile {
        unit: name.into(),
        typed: false,
        contact_person: "张丽".into(),
        phone: "023-63751234".into(),
    };
    for (at, name) in [
        ("2024-03-01T10:00:00+08:00", "渝中区妇联"),
        ("2024-03-02T09:30:00+08:00", "渝中区妇联"),
        ("2024-03-02T11:00:00+08:00", "江北区妇联"),
    ] {
        let clock = std::sync::Arc::new(baosong::core::FixedClock::at(at).unwrap());
        let store = DataDir::open(data.path(), clock).unwrap();
        let mut d = store.create(&campaign, unit(name)).unwrap();
        // Not pristine: a new draft left untouched is thrown away.
        d.add_activity("p1-1");
        store.save(&d).unwrap();
    }
    let h = harness(data.path());
    assert!(has_label(&h, "渝中区妇联（2024年3月1日 10:00创建）"));
    assert!(has_label(&h, "渝中区妇联（2024年3月2日 09:30创建）"));
    assert!(
        has_label(&h, "江北区妇联"),
        "a name shown once stays as it is"
    );
}

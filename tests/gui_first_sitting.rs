//! What a first-time clerk tripped on, each as she met it, by the labels she reads: a ready
//! draft demoted in silence, the unit picker changed by the keyboard, dates and 参与人数 as
//! clerks write them, red errors on untouched forms, 本项未开展 shown as done, retyping the
//! organiser, no way back to the check page, a new draft opening where another was left, empty
//! new drafts kept, long item names against the panel edge.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use baosong::core::campaign::Campaign;
use baosong::core::draft::UnitProfile;
use baosong::core::store::DataDir;
use baosong::gui::state::Screen;
use common::*;
use egui_kittest::kittest::Queryable;

fn unit() -> UnitProfile {
    UnitProfile {
        unit: "渝中区妇联".into(),
        typed: false,
        contact_person: "张丽".into(),
        phone: "023-63751234".into(),
    }
}

/// A draft of 渝中区妇联 with every item answered (one activity each, 切实维护… not carried
/// out), ready to be marked 已完成.
fn seed_complete_draft(data: &std::path::Path) -> baosong::core::draft::DraftId {
    let store = DataDir::open(data, clock()).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let mut d = store.create(&campaign, unit()).unwrap();
    for (_, item) in campaign.items() {
        if item.id == "p3-3" {
            let a = d.answer_mut("p3-3");
            a.not_carried_out = true;
            a.reason = "本年度该项工作由区司法局牵头开展".into();
            continue;
        }
        let id = d.add_activity(item.id.as_str());
        let a = d.activity_mut(item.id.as_str(), id.as_str()).unwrap();
        a.title = format!("{}主题活动", item.title);
        a.date = "2024-03-08".into();
        a.place = "解放碑街道社区活动中心".into();
        a.organiser = "渝中区妇联".into();
        a.participants = "120".into();
        a.summary = "组织巾帼宣讲队进社区。".into();
    }
    store.save(&d).unwrap();
    d.id
}

#[test]
fn a_ready_draft_changed_says_it_must_be_checked_again() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "检查并提交");
    assert!(has_label(&h, "材料齐全，可以报送。"));
    assert!(
        has_text_containing(&h, "还没有添加任何图片、视频或活动稿件"),
        "不说“材料齐全” without saying the pictures and videos are still to come"
    );
    assert!(has_text_containing(
        &h,
        "提醒：本活动还没有图片、视频或新媒体链接"
    ));
    // The section with the reminder does not also say "no problem".
    assert!(
        h.query_all_by_label("√ 没有必须修改的问题（以上提醒不影响报送）")
            .count()
            >= 1
    );
    click(&mut h, "标记为已完成");
    settle(&mut h);
    assert!(has_label(&h, "已标记为“已完成待报送”。"));

    click(&mut h, "填报任务");
    type_into(&mut h, "参与人数", "0");
    settle(&mut h);
    assert!(
        !has_label(&h, "已标记为“已完成待报送”。"),
        "the banner that is no longer true is gone"
    );
    assert!(has_label(&h, "已修改，需重新检查后再报送。"));
    assert!(has_text_containing(&h, "渝中区妇联 · 草稿"));
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert!(!has_label(&h, "已标记为“已完成待报送”。"));
    assert!(has_label(&h, "草稿"), "the list says 草稿 too");
}

#[test]
fn the_unit_list_filters_by_typing_and_the_keyboard_moves_from_the_current_unit() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(data.path());
    click(&mut h, "新建草稿");
    settle(&mut h);
    click(&mut h, "报送单位");
    assert!(has_label(&h, "万州区妇联") && has_label(&h, "巫溪县妇联"));
    settle(&mut h);
    h.snapshot("unit_picker_open");
    type_into(&mut h, "输入单位名称中的字筛选：", "渝中");
    assert!(!has_label(&h, "万州区妇联"), "the list is filtered");
    assert!(has_label(&h, "渝中区妇联"));
    h.key_press(egui::Key::Enter);
    h.run_ok();
    settle(&mut h);
    assert_eq!(h.state().open_draft().unwrap().unit.unit, "渝中区妇联");

    // With 渝中区妇联 chosen, Down then Enter takes the next unit, not the first one.
    click(&mut h, "报送单位");
    h.key_press(egui::Key::ArrowDown);
    h.run_ok();
    assert_eq!(
        h.state().open_draft().unwrap().unit.unit,
        "渝中区妇联",
        "moving through the list changes nothing"
    );
    h.key_press(egui::Key::Enter);
    h.run_ok();
    settle(&mut h);
    assert_eq!(h.state().open_draft().unwrap().unit.unit, "大渡口区妇联");

    // Escape closes the list without a change; only a chosen unit is remembered.
    click(&mut h, "报送单位");
    h.key_press(egui::Key::ArrowDown);
    h.key_press(egui::Key::Escape);
    h.run_ok();
    settle(&mut h);
    assert_eq!(h.state().open_draft().unwrap().unit.unit, "大渡口区妇联");
    let settings = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(settings.contains("大渡口区妇联"), "{settings}");
}

#[test]
fn dates_and_participants_as_clerks_write_them() {
    let data = tempfile::tempdir().unwrap();
    let id = seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    replace_text(&mut h, "日期", "3.8");
    click(&mut h, "地点");
    assert_eq!(
        h.get_by_label("日期").value().as_deref(),
        Some("2024-03-08")
    );
    assert!(has_label(&h, "即2024年3月8日（星期五）"));
    replace_text(&mut h, "参与人数", "约120人");
    click(&mut h, "地点");
    assert!(!has_text_containing(&h, "参与人数请填写"));

    // A time of day after the date, and full-width digits from a Chinese input method.
    replace_text(&mut h, "日期", "３月６日上午");
    click(&mut h, "地点");
    assert_eq!(
        h.get_by_label("日期").value().as_deref(),
        Some("2024-03-06 上午")
    );
    assert!(!has_text_containing(&h, "看不懂"));
    assert!(has_label(&h, "即2024年3月6日（星期三）"));
    replace_text(&mut h, "参与人数", "１２０人");
    click(&mut h, "地点");
    assert!(!has_text_containing(&h, "参与人数请填写"));
    replace_text(&mut h, "参与人数", "约120人");

    // The calendar, with Chinese names: pick 3月5日.
    click(&mut h, "选择日期");
    assert!(has_label(&h, "2024年3月") && has_label(&h, "五"));
    click(&mut h, "2024年3月5日 星期二");
    settle(&mut h);
    // The day changes; the time of day written after it stays.
    assert_eq!(
        h.get_by_label("日期").value().as_deref(),
        Some("2024-03-05 上午")
    );
    let d = DataDir::open(data.path(), clock())
        .unwrap()
        .load(&id)
        .unwrap();
    let a = &d.answer("p1-1").unwrap().activities[0];
    assert_eq!(
        (a.date.as_str(), a.participants.as_str()),
        ("2024-03-05 上午", "约120人")
    );
    click(&mut h, "检查并提交");
    assert!(
        has_label(&h, "材料齐全，可以报送。"),
        "约120人 is a number of people"
    );
}

#[test]
fn no_red_before_the_clerk_has_typed_and_left_a_field() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "添加活动");
    settle(&mut h);
    assert!(
        !has_label(&h, "请填写活动名称"),
        "no error on an untouched form"
    );
    assert_eq!(
        h.query_all_by_label("有问题").count(),
        0,
        "an unfinished activity is in progress, not a problem"
    );
    assert_eq!(
        h.query_all_by_label("进行中").count(),
        2,
        "the item and its pillar"
    );

    // Leaving the field empty shows its problem.
    click_nth(&mut h, "活动名称", 1);
    click_nth(&mut h, "地点", 1);
    assert!(has_label(&h, "请填写活动名称"));

    // After a visit to 检查并提交, every problem shows.
    click(&mut h, "检查并提交");
    click(&mut h, "填报任务");
    assert!(has_label(&h, "请填写地点") || has_text_containing(&h, "请填写"));
    assert!(h.query_all_by_label("有问题").count() >= 1);
}

#[test]
fn not_carried_out_is_grey_and_wants_a_real_reason() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    assert_eq!(h.query_all_by_label("未开展").count(), 1);
    click(&mut h, "切实维护妇女儿童合法权益");
    replace_text(&mut h, "未开展原因", "无");
    assert!(
        !has_text_containing(&h, "请具体说明本项未开展的原因"),
        "not while typing"
    );
    h.key_press(egui::Key::Tab);
    h.run_ok();
    assert!(has_text_containing(&h, "请具体说明本项未开展的原因"));
    click(&mut h, "检查并提交");
    assert!(has_text_containing(&h, "请具体说明本项未开展的原因"));
}

#[test]
fn the_organiser_is_offered_and_the_summary_counts_its_characters() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "添加活动");
    settle(&mut h);
    click(&mut h, "填入：渝中区妇联");
    let organisers: Vec<String> = h
        .get_all_by_label("主办/承办")
        .filter_map(|n| n.value())
        .collect();
    assert_eq!(organisers, ["渝中区妇联", "渝中区妇联"]);
    type_into(&mut h, "简要情况", "巾帼宣讲");
    assert!(has_label(&h, "已输入 4 字（建议300字以内）"));
    type_into(&mut h, "简要情况", &"字".repeat(300));
    assert!(has_label(&h, "已输入 304 字，超过建议的300字，可适当精简"));
    settle(&mut h);
}

#[test]
fn a_summary_past_its_limit_is_said_at_once_in_one_message() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    assert_eq!(h.query_all_by_label("有问题").count(), 0);
    let before = h
        .get_by_label("简要情况")
        .value()
        .unwrap_or_default()
        .chars()
        .count();
    // Typed on and on, the field never left: said at once, in one message (the stronger), and
    // the item's status follows at once.
    type_into(&mut h, "简要情况", &"字".repeat(2001));
    h.run_ok();
    let n = before + 2001;
    assert!(has_text_containing(
        &h,
        &format!("简要情况不能超过2000字（现为{n}字），请精简")
    ));
    assert!(has_label(&h, &format!("已输入 {n} 字")));
    assert!(!has_text_containing(&h, "超过建议的300字"));
    assert!(h.query_all_by_label("有问题").count() >= 1);
    settle(&mut h);
}

#[test]
fn back_to_the_check_page_and_a_new_draft_opens_at_its_beginning() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "深化巾帼志愿活动");
    let far = h.state().current_item().clone();
    click(&mut h, "检查并提交");
    assert!(!has_label(&h, "← 返回检查"));
    click_nth(&mut h, "单位信息", 0);
    replace_text(&mut h, "联系电话", "12");
    click(&mut h, "检查并提交");
    click_nth(&mut h, "去修改", 0);
    assert_eq!(h.state().screen(), Screen::Profile);
    click(&mut h, "← 返回检查");
    assert_eq!(h.state().screen(), Screen::Check);
    replace_text_after_jump(&mut h);

    // A new draft opens at 单位信息, and its task list at the first item.
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert_ne!(far.as_str(), "p1-1");
    click(&mut h, "新建草稿");
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::Profile);
    assert_eq!(h.state().current_item().as_str(), "p1-1");
}

fn replace_text_after_jump(h: &mut egui_kittest::Harness<'_, baosong::gui::App>) {
    click_nth(h, "去修改", 0);
    replace_text(h, "联系电话", "023-63751234");
    click(h, "← 返回检查");
    assert!(has_label(h, "材料齐全，可以报送。"));
}

#[test]
fn a_new_draft_left_untouched_is_not_kept() {
    let data = tempfile::tempdir().unwrap();
    seed_complete_draft(data.path());
    let mut h = harness(data.path());
    click(&mut h, "新建草稿");
    settle(&mut h);
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert_eq!(
        std::fs::read_dir(data.path().join("drafts"))
            .unwrap()
            .count(),
        1,
        "the empty new draft is gone"
    );
    assert_eq!(h.query_all_by_label("继续填写").count(), 1);

    // One that was touched is kept.
    click(&mut h, "新建草稿");
    settle(&mut h);
    type_into(&mut h, "联系人", "李");
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert_eq!(h.query_all_by_label("继续填写").count(), 2);
}

#[test]
fn a_long_item_name_is_cut_short_inside_the_task_list() {
    let data = tempfile::tempdir().unwrap();
    let mut template: serde_json::Value =
        serde_json::from_str(include_str!("../assets/campaigns/cq-sanba-2024.json")).unwrap();
    let long = "开展“巾帼建功新时代”主题系列宣传宣讲活动并组织基层妇女骨干参加专题培训和交流研讨";
    template["pillars"][0]["items"][0]["title"] = long.into();
    let path = data.path().join("长标题模板.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    picker.choose_one(&path);
    click(&mut h, "打开活动模板…");
    settle(&mut h);
    click(&mut h, "知道了"); // the banner names a temporary folder: not in the screenshot
    click(&mut h, "新建草稿");
    settle(&mut h);
    click(&mut h, "填报任务");
    let badge = h.query_all_by_label("未开始").nth(1).unwrap().rect();
    let title = h.get_by_label(long).rect();
    assert!(
        title.right() <= badge.left() + 1.0,
        "the title stops before its status: {title:?} {badge:?}"
    );
    // The task list is 330 points wide by default: the status stays inside it.
    assert!(badge.right() <= 340.0, "{badge:?}");
    h.snapshot("task_list_long_item");
}

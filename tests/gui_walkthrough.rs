//! The clerk's way through the app, by the labels she reads: a new draft, the unit profile, an
//! activity in every item (one item marked 本项未开展), the check page saying it is ready; then
//! closing and reopening shows the same draft. Screenshots of the main screens are kept under
//! tests/snapshots/ (rendered with wgpu; on Linux CI with Mesa's lavapipe).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use baosong::core::campaign::Campaign;
use baosong::gui::state::Screen;
use common::*;
use egui_kittest::kittest::Queryable;

fn fill_activity(h: &mut egui_kittest::Harness<'_, baosong::gui::App>, title: &str) {
    click(h, "添加活动");
    settle(h);
    type_into(h, "活动名称", title);
    type_into(h, "日期", "3月8日");
    type_into(h, "地点", "解放碑街道社区活动中心");
    type_into(h, "主办/承办", "渝中区妇联主办，解放碑街道妇联承办");
    type_into(h, "参与人数", "120");
    type_into(
        h,
        "简要情况",
        "组织巾帼宣讲队进社区宣讲党的创新理论，讲述新时代重庆妇女故事。",
    );
}

#[test]
fn new_draft_to_ready_then_reopen() {
    let data = tempfile::tempdir().unwrap();
    let campaign = Campaign::builtin().unwrap();
    let mut h = harness(data.path());
    assert!(has_label(&h, "还没有草稿。点“新建草稿”开始填报。"));
    assert!(
        has_text_containing(&h, "距报送截止还有 11 天"),
        "countdown is shown"
    );

    click(&mut h, "新建草稿");
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::Profile);

    // Unit profile: pick the unit from the list, type contact and phone.
    click(&mut h, "报送单位");
    click(&mut h, "渝中区妇联");
    type_into(&mut h, "联系人", "张丽");
    type_into(&mut h, "联系电话", "023-6375");
    assert!(
        !has_text_containing(&h, "联系电话格式不正确"),
        "no error while the clerk is still typing"
    );
    click(&mut h, "联系人");
    assert!(
        has_text_containing(&h, "联系电话格式不正确"),
        "a bad phone is flagged once the field is left"
    );
    type_into(&mut h, "联系电话", "1234");
    assert!(!has_text_containing(&h, "联系电话格式不正确"));
    settle(&mut h);
    h.snapshot("unit_profile");
    click(&mut h, "下一步：填报任务 →");
    assert_eq!(h.state().screen(), Screen::Tasks);
    assert_eq!(
        h.query_all_by_label("未开始").count(),
        3 + 10,
        "three pillars and ten items not started"
    );
    settle(&mut h);
    h.snapshot("task_list");

    // One activity in every item, except the last one of pillar 三, marked 本项未开展.
    let items: Vec<(baosong::core::draft::ItemId, String)> = campaign
        .items()
        .map(|(_, it)| (it.id.clone(), it.title.clone()))
        .collect();
    for (id, title) in &items {
        click(&mut h, title);
        if id == "p3-3" {
            click(&mut h, "本项未开展");
            type_into(
                &mut h,
                "未开展原因",
                "本年度该项工作由区司法局牵头开展，妇联配合。",
            );
        } else {
            fill_activity(&mut h, &format!("{title}主题活动"));
        }
        if id == "p1-2" {
            fill_activity(&mut h, "“巾帼大宣讲”进乡村");
            settle(&mut h);
            h.snapshot("item_with_activities");
        }
    }
    settle(&mut h);
    assert_eq!(
        h.query_all_by_label("已完成").count(),
        3 + 9,
        "every pillar and item is done"
    );
    assert_eq!(
        h.query_all_by_label("未开展").count(),
        1,
        "the item not carried out says so (not 已完成)"
    );

    click(&mut h, "检查并提交");
    assert!(has_label(&h, "材料齐全，可以报送。"));
    settle(&mut h);
    h.snapshot("check_answers_ready");
    click(&mut h, "标记为已完成");
    settle(&mut h);
    assert!(has_text_containing(&h, "渝中区妇联 · 已完成待报送"));

    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert!(has_label(&h, "已完成待报送"));
    settle(&mut h);
    h.snapshot("start_screen");
    drop(h);

    // Reopen: a new harness on the same data folder shows the same draft.
    let mut h = harness(data.path());
    assert!(has_label(&h, "渝中区妇联"));
    assert!(has_label(&h, "已完成待报送"));
    assert!(has_label(&h, "10"), "ten activities");
    assert!(has_label(&h, "10/10 项"), "every item done");
    click(&mut h, "继续填写");
    settle(&mut h);
    click(&mut h, "单位信息");
    assert_eq!(h.get_by_label("联系人").value().as_deref(), Some("张丽"));
    assert_eq!(
        h.get_by_label("联系电话").value().as_deref(),
        Some("023-63751234")
    );
    click(&mut h, "填报任务");
    click(&mut h, "强化宣传宣讲");
    let titles: Vec<String> = h
        .get_all_by_label("活动名称")
        .filter_map(|n| n.value())
        .collect();
    assert_eq!(titles, ["强化宣传宣讲主题活动", "“巾帼大宣讲”进乡村"]);
    let dates: Vec<String> = h
        .get_all_by_label("日期")
        .filter_map(|n| n.value())
        .collect();
    assert_eq!(
        dates,
        ["2024-03-08", "2024-03-08"],
        "3月8日 is stored as 2024-03-08"
    );

    // The profile is remembered for the next draft.
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    click(&mut h, "新建草稿");
    settle(&mut h);
    assert_eq!(h.get_by_label("联系人").value().as_deref(), Some("张丽"));
}

//! Chinese input as an input method (IME) delivers it: a preedit (the pinyin being composed,
//! then the candidate) followed by a commit, including full-width punctuation (，。“”).
//! The committed text — and only it — lands in the activity fields and is saved.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use baosong::core::campaign::Campaign;
use baosong::core::draft::UnitProfile;
use baosong::core::store::DataDir;
use common::*;
use egui::{Event, ImeEvent};
use egui_kittest::kittest::Queryable;

fn compose(h: &mut egui_kittest::Harness<'_, baosong::gui::App>, pinyin: &str, result: &str) {
    for end in 1..=pinyin.len() {
        h.event(Event::Ime(ImeEvent::Preedit {
            text: pinyin[..end].to_string(),
            active_range_chars: None,
        }));
        h.run();
    }
    h.event(Event::Ime(ImeEvent::Preedit {
        text: result.to_string(),
        active_range_chars: None,
    }));
    h.run();
    h.event(Event::Ime(ImeEvent::Commit(result.to_string())));
    h.run();
}

#[test]
fn composed_chinese_and_full_width_punctuation_land_in_the_fields() {
    let data = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let mut d = store
        .create(&Campaign::builtin().unwrap(), UnitProfile::default())
        .unwrap();
    d.unit.unit = "梁平区妇联".into();
    d.add_activity("p1-1");
    store.save(&d).unwrap();

    let mut h = harness(data.path());
    click(&mut h, "继续填写");
    settle(&mut h);

    click(&mut h, "活动名称");
    compose(&mut h, "jinguo", "巾帼");
    compose(&mut h, "daxuanjiang", "大宣讲");
    assert_eq!(
        h.get_by_label("活动名称").value().as_deref(),
        Some("巾帼大宣讲")
    );

    click(&mut h, "简要情况");
    compose(&mut h, "xuanjiang", "宣讲");
    compose(&mut h, ",", "，");
    compose(&mut h, "dangde", "党的");
    compose(&mut h, "\"", "“");
    compose(&mut h, "chuangxinlilun", "创新理论");
    compose(&mut h, "\"", "”");
    compose(&mut h, ".", "。");
    assert_eq!(
        h.get_by_label("简要情况").value().as_deref(),
        Some("宣讲，党的“创新理论”。")
    );
    settle(&mut h);

    let saved = store.load(&d.id).unwrap();
    let a = &saved.answer("p1-1").unwrap().activities[0];
    assert_eq!(a.title, "巾帼大宣讲", "no pinyin left behind");
    assert_eq!(a.summary, "宣讲，党的“创新理论”。");
}

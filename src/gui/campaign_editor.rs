//! 活动编辑: the department's editor of a campaign template, reached from 收件台 → 新建活动. On
//! the left the structure as a tree (活动信息, each 板块 with its 事项, 报送单位): select, add,
//! remove, move up and down. On the right the selected part's fields: the campaign's names,
//! dates (with the Chinese calendar), receiver and contact; a pillar's title and intro; an item's
//! number, name, hint and the materials it expects; the unit list. Above them what the notice
//! reader could not read, and every problem that keeps the template from being published, each a
//! button to where it is mended. 预览 shows the template as the clerk will see it (the real task
//! list and item page, on an empty draft). The edits are the core's ([`crate::core::campaign::edit`]);
//! files and the network are the shell's jobs.

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike};
use egui::{RichText, TextEdit, Ui};

use super::state::{Action, OpenDraft, TaskPage};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::campaign::Expected;
use crate::core::campaign::edit::{EditPlace, EditProblem, problems};
use crate::core::campaign::notice::NoticeNote;
use crate::core::dates::{chinese_date, chinese_weekday, parse_date};

/// What the editor holds between frames.
pub struct EditorState {
    pub campaign: Campaign,
    /// What the notice reader said (cleared when a template is opened instead).
    pub notes: Vec<NoticeNote>,
    pub selected: EditPlace,
    /// Where it was opened from or last saved.
    pub path: Option<PathBuf>,
    /// Edited since it was opened or saved.
    pub dirty: bool,
    /// 预览: an empty draft on this template, shown as the clerk's task list.
    pub preview: Option<(OpenDraft, TaskPage)>,
    /// The deadline's day and time and the notice's day, as typed.
    pub deadline_day: String,
    pub deadline_time: String,
    pub notice_day: String,
    pub new_unit: String,
}

impl EditorState {
    pub fn new(campaign: Campaign, notes: Vec<NoticeNote>, path: Option<PathBuf>) -> Self {
        let at = campaign
            .deadline
            .with_timezone(&crate::core::dates::china());
        Self {
            deadline_day: crate::core::dates::iso(at.date_naive()),
            deadline_time: format!("{:02}:{:02}", at.hour(), at.minute()),
            notice_day: campaign
                .notice_date
                .map(crate::core::dates::iso)
                .unwrap_or_default(),
            campaign,
            notes,
            selected: EditPlace::Campaign,
            path,
            dirty: false,
            preview: None,
            new_unit: String::new(),
        }
    }

    /// What keeps the template from being published.
    pub fn problems(&self) -> Vec<EditProblem> {
        let mut out = problems(&self.campaign);
        if parse_date(&self.deadline_day, self.campaign.year).is_none() {
            out.push(EditProblem {
                at: EditPlace::Campaign,
                message: "截止日期看不懂，请写成 2025-06-06 或 6月6日".into(),
            });
        }
        if parse_time(&self.deadline_time).is_none() {
            out.push(EditProblem {
                at: EditPlace::Campaign,
                message: "截止时间请写成 17:00 这样的时和分".into(),
            });
        }
        out
    }

    /// The typed dates into the template: the deadline (China's time), the window from the
    /// notice's day to the deadline's.
    fn apply_dates(&mut self) {
        let c = &mut self.campaign;
        if let Some(day) = parse_date(&self.notice_day, c.year) {
            c.notice_date = Some(day);
        }
        if let (Some(day), Some(time)) = (
            parse_date(&self.deadline_day, c.year),
            parse_time(&self.deadline_time),
        ) && let Some(at) = crate::core::dates::china()
            .from_local_datetime(&day.and_time(time))
            .single()
        {
            c.deadline = at;
            c.window.end = day;
            c.window.start = c.notice_date.unwrap_or(day).min(day);
            c.year = day.year();
        }
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = crate::core::units::half_width(s.trim());
    let (h, m) = s.split_once(':')?;
    NaiveTime::from_hms_opt(h.trim().parse().ok()?, m.trim().parse().ok()?, 0)
}

/// What the editor asks of the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum EditorAction {
    /// 新建活动 on the desk: the editor, on what it held or on a new template.
    Open,
    /// 从通知生成…: a .txt or .docx read into the editor.
    FromNotice,
    /// 打开模板…
    OpenTemplate,
    Select(EditPlace),
    AddPillar,
    AddItem(usize),
    RemovePillar(usize),
    RemoveItem(usize, usize),
    MovePillar(usize, bool),
    MoveItem(usize, usize, bool),
    AddUnit,
    RemoveUnit(usize),
    /// 从 Excel 导入…: the list replaced by a file's first column.
    ImportUnits,
    DefaultUnits,
    /// 预览 on, or back to editing.
    Preview(bool),
    /// 保存模板…
    Save,
    /// 发布到报送服务器.
    Publish,
    /// ← 返回收件台.
    Close,
}

/// The whole editor; `busy`: what a job is doing (reading, saving, publishing), if anything.
pub fn ui(ui: &mut Ui, state: &mut EditorState, busy: Option<&str>, actions: &mut Vec<Action>) {
    let act = |a: EditorAction| Action::Editor(a);
    ui.horizontal_wrapped(|ui| {
        if ui.button("← 返回收件台").clicked() {
            actions.push(act(EditorAction::Close));
        }
        ui.separator();
        ui.heading("活动编辑");
        ui.separator();
        let idle = busy.is_none();
        if ui
            .add_enabled(idle, egui::Button::new("从通知生成…"))
            .clicked()
        {
            actions.push(act(EditorAction::FromNotice));
        }
        if ui
            .add_enabled(idle, egui::Button::new("打开模板…"))
            .clicked()
        {
            actions.push(act(EditorAction::OpenTemplate));
        }
        if ui
            .add_enabled(idle, egui::Button::new("保存模板…"))
            .clicked()
        {
            actions.push(act(EditorAction::Save));
        }
        let previewing = state.preview.is_some();
        let label = if previewing { "返回编辑" } else { "预览" };
        if ui.button(label).clicked() {
            actions.push(act(EditorAction::Preview(!previewing)));
        }
        let ready = state.problems().is_empty();
        if ui
            .add_enabled(
                idle && ready,
                egui::Button::new(RichText::new("发布到报送服务器").strong()),
            )
            .on_disabled_hover_text("先改完下面列出的问题")
            .clicked()
        {
            actions.push(act(EditorAction::Publish));
        }
        if let Some(doing) = busy {
            ui.spinner();
            ui.label(doing);
        }
    });
    let saved = match (&state.path, state.dirty) {
        (Some(p), false) => format!("已保存：{}", p.display()),
        (Some(p), true) => format!("有未保存的修改（上次保存：{}）", p.display()),
        (None, _) => "尚未保存".into(),
    };
    ui.label(RichText::new(saved).color(widgets::GREY).small());
    ui.separator();
    if state.preview.is_some() {
        return;
    }
    notes_and_problems(ui, state, actions);
    tree(ui, state, actions);
    egui::CentralPanel::no_frame().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| match state.selected {
                EditPlace::Campaign => campaign_form(ui, state),
                EditPlace::Units => units_form(ui, state, actions),
                EditPlace::Pillar(pi) => pillar_form(ui, state, pi, actions),
                EditPlace::Item(pi, j) => item_form(ui, state, pi, j, actions),
            });
    });
}

fn notes_and_problems(ui: &mut Ui, state: &EditorState, actions: &mut Vec<Action>) {
    let problems = state.problems();
    let reminders: Vec<&NoticeNote> = state.notes.iter().filter(|n| !n.blocking).collect();
    if problems.is_empty() {
        ui.label(RichText::new("√ 模板可以保存和发布").color(widgets::GREEN));
    } else {
        widgets::notice_box(ui, widgets::RED, |ui| {
            ui.label(
                RichText::new(format!("发布前还需修改（{}处）：", problems.len()))
                    .color(widgets::RED)
                    .strong(),
            );
            for p in &problems {
                ui.horizontal_wrapped(|ui| {
                    widgets::problem_line(ui, &p.message);
                    if ui.small_button("去修改").clicked() {
                        actions.push(Action::Editor(EditorAction::Select(p.at)));
                    }
                });
            }
        });
    }
    if !reminders.is_empty() {
        widgets::notice_box(ui, widgets::AMBER, |ui| {
            ui.label(RichText::new("从通知读出的内容，请核对：").color(widgets::AMBER));
            for n in reminders {
                ui.label(format!("· {}：{}", n.field, n.message));
            }
        });
    }
}

/// One selectable line of the tree, red with ！ when a problem is there; true when clicked.
fn entry(ui: &mut Ui, state: &EditorState, flagged: bool, at: EditPlace, text: String) -> bool {
    let text = if flagged {
        RichText::new(format!("{text} ！")).color(widgets::RED)
    } else {
        RichText::new(text)
    };
    ui.selectable_label(state.selected == at, text).clicked()
}

fn tree(ui: &mut Ui, state: &EditorState, actions: &mut Vec<Action>) {
    let c = &state.campaign;
    let problems = state.problems();
    let flagged = |at: EditPlace| problems.iter().any(|p| p.at == at);
    let mut asked: Vec<EditorAction> = Vec::new();
    egui::Panel::left("editor_tree")
        .resizable(true)
        .default_size(360.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| {
                    let at = EditPlace::Campaign;
                    if entry(ui, state, flagged(at), at, "活动信息".into()) {
                        asked.push(EditorAction::Select(at));
                    }
                    for (pi, p) in c.pillars.iter().enumerate() {
                        ui.add_space(6.0);
                        ui.horizontal(|ui| {
                            let at = EditPlace::Pillar(pi);
                            if entry(ui, state, flagged(at), at, p.heading()) {
                                asked.push(EditorAction::Select(at));
                            }
                            if let Some(up) = move_buttons(ui, &p.heading(), pi, c.pillars.len()) {
                                asked.push(EditorAction::MovePillar(pi, up));
                            }
                        });
                        for (j, it) in p.items.iter().enumerate() {
                            ui.horizontal(|ui| {
                                ui.add_space(18.0);
                                let at = EditPlace::Item(pi, j);
                                let name = format!("{}{}", it.number, it.title);
                                if entry(ui, state, flagged(at), at, name.clone()) {
                                    asked.push(EditorAction::Select(at));
                                }
                                if let Some(up) = move_buttons(ui, &name, j, p.items.len()) {
                                    asked.push(EditorAction::MoveItem(pi, j, up));
                                }
                            });
                        }
                        ui.horizontal(|ui| {
                            ui.add_space(18.0);
                            let add = ui.small_button("＋ 添加事项");
                            let named = format!("在“{}”中添加事项", p.heading());
                            add.widget_info(|| {
                                egui::WidgetInfo::labeled(egui::Role::Button, true, named.as_str())
                            });
                            if add.clicked() {
                                asked.push(EditorAction::AddItem(pi));
                            }
                        });
                    }
                    ui.add_space(6.0);
                    if ui.button("＋ 添加板块").clicked() {
                        asked.push(EditorAction::AddPillar);
                    }
                    ui.add_space(6.0);
                    let at = EditPlace::Units;
                    let units = format!("报送单位（{}）", c.units.len());
                    if entry(ui, state, flagged(at), at, units) {
                        asked.push(EditorAction::Select(at));
                    }
                });
        });
    actions.extend(asked.into_iter().map(Action::Editor));
}

/// ↑ and ↓, each named for screen readers by what it moves (上移“一是加强理论武装”);
/// `Some(up)` when one was clicked.
fn move_buttons(ui: &mut Ui, name: &str, at: usize, len: usize) -> Option<bool> {
    let up = ui.add_enabled(at > 0, egui::Button::new("↑").small());
    let up_name = format!("上移“{name}”");
    up.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, at > 0, up_name.as_str()));
    let down = ui.add_enabled(at + 1 < len, egui::Button::new("↓").small());
    let down_name = format!("下移“{name}”");
    down.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, at + 1 < len, down_name.as_str())
    });
    if up.clicked() {
        Some(true)
    } else if down.clicked() {
        Some(false)
    } else {
        None
    }
}

/// One labelled line of text; true when it changed.
fn line(ui: &mut Ui, label: &str, value: &mut String, hint: &str) -> bool {
    let l = widgets::label_row(ui, label, false);
    ui.add(
        TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
    .changed()
}

fn text(ui: &mut Ui, label: &str, value: &mut String, rows: usize) -> bool {
    let l = widgets::label_row(ui, label, false);
    ui.add(
        TextEdit::multiline(value)
            .desired_rows(rows)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
    .changed()
}

fn campaign_form(ui: &mut Ui, state: &mut EditorState) {
    ui.heading("活动信息");
    let mut changed = false;
    {
        let c = &mut state.campaign;
        changed |= line(
            ui,
            "活动名称",
            &mut c.title,
            "如：2025年“六一”国际儿童节主题宣传活动情况报送",
        );
        changed |= line(
            ui,
            "活动编号",
            &mut c.id,
            "如：cq-liuyi-2025（小写字母、数字、-）",
        );
        changed |= line(ui, "通知标题", &mut c.notice_title, "关于开展……的通知");
        changed |= line(ui, "文号", &mut c.document_number, "如：渝妇发〔2025〕21号");
        changed |= line(ui, "活动主题", &mut c.theme, "");
        changed |= line(ui, "发文单位", &mut c.issuer, "重庆市妇女联合会");
    }
    ui.add_space(6.0);
    changed |= day_field(ui, "发文日期", &mut state.notice_day, state.campaign.year);
    changed |= day_field(ui, "截止日期", &mut state.deadline_day, state.campaign.year);
    changed |= line(ui, "截止时间", &mut state.deadline_time, "如：23:59、17:00");
    {
        let c = &mut state.campaign;
        changed |= line(
            ui,
            "截止要求（通知原文）",
            &mut c.deadline_text,
            "请于3月12日前及时报送市妇联宣传部",
        );
        changed |= line(
            ui,
            "报送材料",
            &mut c.material_kinds_text,
            "图片、视频、活动稿件、新媒体产品等",
        );
        ui.add_space(6.0);
        let r = &mut c.receiver;
        changed |= line(ui, "接收部门", &mut r.name, "市妇联宣传部");
        changed |= line(ui, "联系人", &mut r.contact_person, "");
        changed |= line(ui, "联系电话", &mut r.phone, "");
        changed |= line(ui, "邮箱", &mut r.email, "");
    }
    if !state.campaign.unread.is_empty() {
        ui.add_space(8.0);
        widgets::notice_box(ui, widgets::AMBER, |ui| {
            ui.label("以下内容没有从通知中读出。填好后，逐项点“已核对”：");
            let mut confirmed = None;
            for (k, field) in state.campaign.unread.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(field).color(widgets::AMBER).strong());
                    if ui
                        .small_button("已核对")
                        .on_hover_text(format!("确认“{field}”已填写正确"))
                        .clicked()
                    {
                        confirmed = Some(k);
                    }
                });
            }
            if let Some(k) = confirmed {
                state.campaign.unread.remove(k);
                changed = true;
            }
        });
    }
    if changed {
        state.apply_dates();
        state.dirty = true;
    }
}

/// A day typed as clerks type it, or picked from the Chinese calendar.
fn day_field(ui: &mut Ui, label: &str, value: &mut String, year: i32) -> bool {
    let l = widgets::label_row(ui, label, false);
    let mut changed = false;
    ui.horizontal(|ui| {
        changed |= ui
            .add(TextEdit::singleline(value).desired_width(200.0))
            .labelled_by(l.id)
            .changed();
        let button = ui.button("选择日期");
        button.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("选择{label}"))
        });
        let shown = parse_date(value, year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 1, 1))
            .unwrap_or_default();
        let window = crate::core::campaign::Window {
            start: NaiveDate::MIN,
            end: NaiveDate::MAX,
        };
        egui::Popup::from_toggle_button_response(&button)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| {
                if let Some(day) = super::date_field::calendar(ui, l.id.with(label), shown, window)
                {
                    *value = crate::core::dates::iso(day);
                    changed = true;
                    ui.close();
                }
            });
        if let Some(day) = parse_date(value, year) {
            ui.label(
                RichText::new(format!(
                    "即{}（{}）",
                    chinese_date(day),
                    chinese_weekday(day)
                ))
                .color(widgets::GREY),
            );
        }
    });
    changed
}

fn pillar_form(ui: &mut Ui, state: &mut EditorState, pi: usize, actions: &mut Vec<Action>) {
    let Some(p) = state.campaign.pillars.get_mut(pi) else {
        return;
    };
    ui.heading(format!("板块 {}", p.heading()));
    let mut changed = line(
        ui,
        "板块标题",
        &mut p.title,
        "如：强化政治引领，筑牢思想根基",
    );
    changed |= text(ui, "板块说明（显示在事项列表上方）", &mut p.intro, 4);
    ui.add_space(8.0);
    let heading = p.heading();
    if ui
        .button("删除此板块")
        .on_hover_text(format!("删除“{heading}”及其中的事项"))
        .clicked()
    {
        actions.push(Action::Editor(EditorAction::RemovePillar(pi)));
    }
    if changed {
        state.dirty = true;
    }
}

fn item_form(ui: &mut Ui, state: &mut EditorState, pi: usize, j: usize, actions: &mut Vec<Action>) {
    let Some(p) = state.campaign.pillars.get_mut(pi) else {
        return;
    };
    let heading = p.heading();
    let Some(it) = p.items.get_mut(j) else {
        return;
    };
    ui.heading(format!("事项 {}{}", it.number, it.title));
    ui.label(RichText::new(format!("属于：{heading}")).color(widgets::GREY));
    let mut changed = line(ui, "序号", &mut it.number, "如：一是、（一）、1.");
    changed |= line(ui, "事项名称", &mut it.title, "如：加强理论武装");
    changed |= text(ui, "说明（文员填写时看到的提示）", &mut it.hint, 5);
    ui.add_space(6.0);
    ui.label(RichText::new("每个活动需要报送的材料（缺少时在检查页提醒，不阻止报送）").strong());
    ui.horizontal(|ui| {
        for e in Expected::ALL {
            let mut on = it.expects.contains(&e);
            if ui.checkbox(&mut on, e.label()).changed() {
                if on {
                    it.expects.push(e);
                    it.expects
                        .sort_by_key(|x| Expected::ALL.iter().position(|a| a == x));
                } else {
                    it.expects.retain(|x| *x != e);
                }
                changed = true;
            }
        }
    });
    ui.add_space(8.0);
    let name = format!("{}{}", it.number, it.title);
    if ui
        .button("删除此事项")
        .on_hover_text(format!("删除“{name}”"))
        .clicked()
    {
        actions.push(Action::Editor(EditorAction::RemoveItem(pi, j)));
    }
    if changed {
        state.dirty = true;
    }
}

fn units_form(ui: &mut Ui, state: &mut EditorState, actions: &mut Vec<Action>) {
    let act = |a: EditorAction| Action::Editor(a);
    ui.heading(format!(
        "报送单位名单（共{}个）",
        state.campaign.units.len()
    ));
    ui.horizontal(|ui| {
        let l = ui.label("添加单位");
        let r = ui
            .add(TextEdit::singleline(&mut state.new_unit).hint_text("单位全称，如 渝中区妇联"))
            .labelled_by(l.id);
        let entered = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("添加").clicked() || entered {
            actions.push(act(EditorAction::AddUnit));
        }
        if ui.button("恢复默认名单（41个区县妇联）").clicked() {
            actions.push(act(EditorAction::DefaultUnits));
        }
        if ui
            .button("从 Excel 导入…")
            .on_hover_text("用表格第一列的单位名称替换现有名单（也可以是每行一个名称的文本文件）")
            .clicked()
        {
            actions.push(act(EditorAction::ImportUnits));
        }
    });
    egui::Grid::new("editor_units")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for (k, unit) in state.campaign.units.iter().enumerate() {
                ui.label(format!("{}", k + 1));
                ui.label(unit);
                let r = ui.small_button("删除");
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("删除{unit}"))
                });
                if r.clicked() {
                    actions.push(act(EditorAction::RemoveUnit(k)));
                }
                ui.end_row();
            }
        });
}

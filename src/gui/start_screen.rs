//! 草稿列表: every draft with its unit, status and last change; new, continue, duplicate,
//! delete (to the recycle area) and restore; the campaign's notice and its receiver; drafts that
//! could not be read, with what happened.

use egui::{RichText, Ui};

use super::app::{Action, App};
use super::widgets;
use crate::core::dates::chinese_date_time;

/// What the start screen remembers between frames.
#[derive(Debug, Default)]
pub struct StartState {
    /// The draft whose deletion waits for confirmation.
    pub confirm_delete: Option<String>,
    pub show_recycle: bool,
}

pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    let campaign = app.campaign.clone();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            widgets::notice_box(ui, widgets::GREY, |ui| {
                ui.label(RichText::new(&campaign.notice_title).strong());
                if !campaign.theme.is_empty() {
                    ui.label(format!("活动主题：“{}”", campaign.theme));
                }
                ui.label(format!(
                    "报送内容：{}。{}。",
                    campaign.material_kinds_text, campaign.deadline_text
                ));
                ui.horizontal(|ui| {
                    let source = match &app.template_path {
                        Some(p) => format!("活动模板：{}", p.display()),
                        None => "活动模板：内置（2024年通知）".into(),
                    };
                    ui.label(RichText::new(source).color(widgets::GREY).small());
                    if ui.small_button("打开活动模板…").clicked() {
                        actions.push(Action::OpenTemplate);
                    }
                    if app.template_path.is_some() && ui.small_button("改用内置模板").clicked()
                    {
                        actions.push(Action::UseBuiltinTemplate);
                    }
                });
            });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.heading("草稿列表");
                if ui.button(RichText::new("新建草稿").strong()).clicked() {
                    actions.push(Action::NewDraft);
                }
                ui.add_space(24.0);
                if ui.button("设置与帮助").clicked() {
                    actions.push(Action::GoTo(super::app::Screen::Settings));
                }
            });
            ui.add_space(4.0);
            drafts_table(ui, app, actions);
            quarantined(ui, app);
            recycle_area(ui, app, actions);
        });
}

fn drafts_table(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    if app.listing.drafts.is_empty() {
        ui.label(RichText::new("还没有草稿。点“新建草稿”开始填报。").color(widgets::GREY));
        return;
    }
    egui::Grid::new("drafts")
        .striped(true)
        .num_columns(5)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            for heading in ["报送单位", "状态", "最后修改", "活动数", "操作"] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for d in &app.listing.drafts {
                let unit = if d.unit.is_empty() {
                    "（未填写单位）"
                } else {
                    d.unit.as_str()
                };
                ui.label(unit);
                ui.label(d.status.label());
                ui.label(chinese_date_time(d.updated_at));
                ui.label(d.activity_count.to_string());
                ui.horizontal(|ui| {
                    let other_campaign = d.campaign_id != app.campaign.id;
                    if ui
                        .add_enabled(!other_campaign, egui::Button::new("继续填写"))
                        .on_disabled_hover_text("此草稿属于另一活动模板，请先打开对应模板")
                        .clicked()
                    {
                        actions.push(Action::OpenDraft(d.id.clone()));
                    }
                    if ui.button("复制").clicked() {
                        actions.push(Action::Duplicate(d.id.clone()));
                    }
                    if app.start.confirm_delete.as_deref() == Some(d.id.as_str()) {
                        ui.label(RichText::new("确定删除？").color(widgets::RED));
                        if ui.button("确定删除").clicked() {
                            actions.push(Action::Delete(d.id.clone()));
                            app.start.confirm_delete = None;
                        }
                        if ui.button("取消").clicked() {
                            app.start.confirm_delete = None;
                        }
                    } else if ui.button("删除").clicked() {
                        app.start.confirm_delete = Some(d.id.clone());
                    }
                });
                ui.end_row();
            }
        });
}

fn quarantined(ui: &mut Ui, app: &App) {
    if app.listing.quarantined.is_empty() {
        return;
    }
    ui.add_space(8.0);
    widgets::notice_box(ui, widgets::AMBER, |ui| {
        ui.label(
            RichText::new("以下草稿无法读取，已移到隔离区：")
                .color(widgets::AMBER)
                .strong(),
        );
        for q in &app.listing.quarantined {
            ui.label(q.user_message());
        }
    });
}

fn recycle_area(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.add_space(12.0);
    let n = app.listing.recycled.len();
    let label = format!("回收区（{n}）");
    if ui.selectable_label(app.start.show_recycle, label).clicked() {
        app.start.show_recycle = !app.start.show_recycle;
    }
    if !app.start.show_recycle {
        return;
    }
    if n == 0 {
        ui.label(RichText::new("回收区是空的。").color(widgets::GREY));
        return;
    }
    egui::Grid::new("recycle")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for r in &app.listing.recycled {
                match &r.summary {
                    Some(s) => {
                        let unit = if s.unit.is_empty() {
                            "（未填写单位）"
                        } else {
                            s.unit.as_str()
                        };
                        ui.label(unit);
                        ui.label(chinese_date_time(s.updated_at));
                    }
                    None => {
                        ui.label(&r.name);
                        ui.label("（无法读取）");
                    }
                }
                if ui.button("恢复").clicked() {
                    actions.push(Action::Restore(r.name.clone()));
                }
                ui.end_row();
            }
        });
}

//! The activities of one item: 活动名称, 日期, 地点, 主办/承办, 参与人数, 简要情况 each, with
//! 上移 / 下移 / 删除活动 (asks first), and 添加活动.

use egui::{RichText, Ui};

use super::app::OpenDraft;
use super::widgets::{self, Field};
use crate::core::campaign::Campaign;
use crate::core::draft::ActivityField;
use crate::core::validate::Target;

/// The id under which a pending "删除活动" confirmation is kept in egui's memory.
fn confirm_id(item_id: &str) -> egui::Id {
    egui::Id::unique(("confirm-remove-activity", item_id))
}

enum Edit {
    Up(usize),
    Down(usize),
    Remove(usize),
}

/// Returns true when the draft was edited.
pub fn activities(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    item_id: &str,
    focus: &mut Option<Target>,
) -> bool {
    let mut edited = false;
    let mut edit = None;
    let confirming: Option<String> = ui.data(|d| d.get_temp(confirm_id(item_id)));
    let report = &open.report;
    let answer = open.draft.answer_mut(item_id);
    let count = answer.activities.len();
    for (n, activity) in answer.activities.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let name = if activity.title.trim().is_empty() {
                    "（未命名）"
                } else {
                    activity.title.as_str()
                };
                ui.label(RichText::new(format!("活动{}：{name}", n + 1)).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if confirming.as_deref() == Some(activity.id.as_str()) {
                        if ui.button("取消").clicked() {
                            ui.data_mut(|d| d.remove::<String>(confirm_id(item_id)));
                        }
                        if ui
                            .button(RichText::new("确定删除").color(widgets::RED))
                            .clicked()
                        {
                            edit = Some(Edit::Remove(n));
                        }
                        ui.label(RichText::new("删除这条活动？").color(widgets::RED));
                    } else {
                        if ui.button("删除活动").clicked() {
                            let id = activity.id.clone();
                            ui.data_mut(|d| d.insert_temp(confirm_id(item_id), id));
                        }
                        if n + 1 < count && ui.button("下移").clicked() {
                            edit = Some(Edit::Down(n));
                        }
                        if n > 0 && ui.button("上移").clicked() {
                            edit = Some(Edit::Up(n));
                        }
                    }
                });
            });
            for field in ActivityField::ALL {
                let spec = field.spec(campaign);
                let target = Target::ActivityField {
                    item_id: item_id.to_string(),
                    activity_id: activity.id.clone(),
                    field,
                };
                let problem = report.on(&target).map(|p| p.message.as_str());
                let r = Field {
                    label: &spec.label,
                    required: spec.required,
                    hint: &spec.hint,
                    multiline: field == ActivityField::Summary,
                    target,
                    problem,
                }
                .show(ui, field.value_mut(activity), focus);
                edited |= r.changed();
            }
        });
        ui.add_space(6.0);
    }
    match edit {
        Some(Edit::Up(n)) => answer.activities.swap(n, n - 1),
        Some(Edit::Down(n)) => answer.activities.swap(n, n + 1),
        Some(Edit::Remove(n)) => {
            answer.activities.remove(n);
            ui.data_mut(|d| d.remove::<String>(confirm_id(item_id)));
        }
        None => {}
    }
    edited |= edit.is_some();
    if ui.button(RichText::new("添加活动").strong()).clicked() {
        let id = open.draft.add_activity(item_id);
        *focus = Some(Target::ActivityField {
            item_id: item_id.to_string(),
            activity_id: id,
            field: ActivityField::Title,
        });
        edited = true;
    }
    edited
}

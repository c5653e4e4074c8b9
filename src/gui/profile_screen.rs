//! 单位信息: the reporting unit (picked from the campaign's list of district and county
//! federations, or typed for an agency women's committee), the contact person and phone.
//! Remembered as the default for the next draft.

use egui::{RichText, Ui};

use super::app::{Action, OpenDraft, Screen};
use super::widgets::{self, Field};
use crate::core::campaign::Campaign;
use crate::core::validate::Target;

/// The combo box entry that switches to typing the unit's name.
pub const TYPED_UNIT: &str = "其他单位（手动填写）";

/// Returns true when the draft was edited.
pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    focus: &mut Option<Target>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut edited = false;
    let editable = open.draft.is_editable();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("单位信息");
            ui.label(RichText::new("填写后会记住，下次新建草稿时自动带出。").color(widgets::GREY));
            ui.add_space(8.0);
            ui.add_enabled_ui(editable, |ui| {
                ui.set_max_width(560.0);
                let unit = &mut open.draft.unit;
                let label = ui
                    .horizontal(|ui| {
                        let label = ui.label(RichText::new("报送单位").strong());
                        ui.label(RichText::new("*").color(widgets::RED));
                        label
                    })
                    .inner;
                let selected = if unit.typed {
                    TYPED_UNIT.to_string()
                } else if unit.unit.is_empty() {
                    "请选择".to_string()
                } else {
                    unit.unit.clone()
                };
                let combo = egui::ComboBox::from_id_salt("unit")
                    .selected_text(selected)
                    .width(360.0)
                    .height(480.0)
                    .show_ui(ui, |ui| {
                        for name in &campaign.units {
                            let chosen = !unit.typed && &unit.unit == name;
                            if ui.selectable_label(chosen, name).clicked() && !chosen {
                                unit.unit = name.clone();
                                unit.typed = false;
                                edited = true;
                            }
                        }
                        ui.separator();
                        if ui.selectable_label(unit.typed, TYPED_UNIT).clicked() && !unit.typed {
                            unit.typed = true;
                            if campaign.units.contains(&unit.unit) {
                                unit.unit.clear();
                            }
                            edited = true;
                        }
                    });
                let combo = combo.response.labelled_by(label.id);
                if focus.as_ref() == Some(&Target::UnitName) && !unit.typed {
                    combo.request_focus();
                    *focus = None;
                }
                let problem = open
                    .report
                    .on(&Target::UnitName)
                    .map(|p| p.message.as_str());
                if unit.typed {
                    ui.add_space(4.0);
                    let r = Field {
                        label: "单位全称",
                        required: true,
                        hint: &campaign.typed_unit_hint,
                        multiline: false,
                        target: Target::UnitName,
                        problem,
                    }
                    .show(ui, &mut unit.unit, focus);
                    edited |= r.changed();
                } else if let Some(problem) = problem {
                    ui.label(RichText::new(problem).color(widgets::RED).small());
                }
                ui.add_space(8.0);
                let r = Field {
                    label: "联系人",
                    required: true,
                    hint: "姓名",
                    multiline: false,
                    target: Target::ContactPerson,
                    problem: open
                        .report
                        .on(&Target::ContactPerson)
                        .map(|p| p.message.as_str()),
                }
                .show(ui, &mut unit.contact_person, focus);
                edited |= r.changed();
                ui.add_space(8.0);
                let r = Field {
                    label: "联系电话",
                    required: true,
                    hint: "手机号，或固定电话（如 023-67125371）",
                    multiline: false,
                    target: Target::Phone,
                    problem: open.report.on(&Target::Phone).map(|p| p.message.as_str()),
                }
                .show(ui, &mut unit.phone, focus);
                edited |= r.changed();
            });
            ui.add_space(16.0);
            if ui
                .button(RichText::new("下一步：填报任务 →").strong())
                .clicked()
            {
                actions.push(Action::GoTo(Screen::Tasks));
            }
        });
    edited
}

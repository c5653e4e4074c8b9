//! 单位信息: the reporting unit (picked from the campaign's list of district and county
//! federations, or typed for an agency women's committee), the contact person and phone.
//! Remembered as the default for the next draft.

use egui::{RichText, Ui};

use super::state::{Action, FormState, OpenDraft, Screen};
use super::unit_picker::{UnitChoice, unit_picker_ui};
use super::widgets::{self, Field};
use crate::core::campaign::Campaign;
use crate::core::draft::UnitProfile;
use crate::core::validate::Target;

/// Returns true when the draft was edited.
pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    actions: &mut Vec<Action>,
) -> bool {
    let mut edited = false;
    let editable = open.draft.is_editable();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            back_to_check(ui, &open.form, actions);
            ui.heading("单位信息");
            ui.label(RichText::new("填写后会记住，下次新建草稿时自动带出。").color(widgets::GREY));
            ui.add_space(8.0);
            ui.add_enabled_ui(editable, |ui| {
                ui.set_max_width(560.0);
                let OpenDraft { draft, form, .. } = open;
                edited |= unit_section(ui, campaign, &mut draft.unit, form);
                edited |= contact_section(ui, &mut draft.unit, form);
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

/// 返回检查, after a 去修改 from the check page.
pub fn back_to_check(ui: &mut Ui, form: &FormState, actions: &mut Vec<Action>) {
    if form.came_from_check && ui.button("← 返回检查").clicked() {
        actions.push(Action::GoTo(Screen::Check));
    }
}

fn unit_section(
    ui: &mut Ui,
    campaign: &Campaign,
    unit: &mut UnitProfile,
    form: &mut FormState,
) -> bool {
    let mut edited = false;
    let label = widgets::label_row(ui, "报送单位", true);
    let (button, choice) = unit_picker_ui(ui, &label, &unit.unit, unit.typed, &campaign.units);
    match choice {
        Some(UnitChoice::Listed(name)) if unit.typed || unit.unit != name => {
            unit.unit = name;
            unit.typed = false;
            edited = true;
        }
        Some(UnitChoice::Typed) if !unit.typed => {
            unit.typed = true;
            if campaign.units.contains(&unit.unit) {
                unit.unit.clear();
            }
            edited = true;
        }
        _ => {}
    }
    if !unit.typed {
        form.take_focus(&Target::UnitName, &button);
        if let Some(problem) = form.shown_problem(&Target::UnitName) {
            widgets::problem_line(ui, problem);
        }
        return edited;
    }
    ui.add_space(4.0);
    let r = Field::new("单位全称", Target::UnitName)
        .required(true)
        .hint(&campaign.typed_unit_hint)
        .show(ui, &mut unit.unit, form);
    edited | r.changed()
}

fn contact_section(ui: &mut Ui, unit: &mut UnitProfile, form: &mut FormState) -> bool {
    ui.add_space(8.0);
    let person = Field::new("联系人", Target::ContactPerson)
        .required(true)
        .hint("姓名")
        .show(ui, &mut unit.contact_person, form);
    ui.add_space(8.0);
    let phone = Field::new("联系电话", Target::Phone)
        .required(true)
        .hint("手机号，或固定电话（如 023-67125371）")
        .show(ui, &mut unit.phone, form);
    person.changed() || phone.changed()
}

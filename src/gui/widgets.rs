//! Small widgets shared by the screens: a labelled text field tied to its label for screen
//! readers (and egui_kittest), a status badge, a warning box.

use egui::{Color32, Response, RichText, TextEdit, Ui};

use crate::core::validate::{Progress, Target};

pub const RED: Color32 = Color32::from_rgb(0xC0, 0x1C, 0x28);
pub const GREEN: Color32 = Color32::from_rgb(0x1A, 0x7F, 0x37);
pub const AMBER: Color32 = Color32::from_rgb(0xB2, 0x5F, 0x00);
pub const GREY: Color32 = Color32::from_rgb(0x6B, 0x6B, 0x6B);

/// The id of the text field a [`Target`] points at, so a jump can focus it.
pub fn field_id(target: &Target) -> egui::Id {
    egui::Id::unique(("baosong-field", target))
}

/// A text field with its label above it, its hint inside it and its problem (if any) below it.
/// Requests focus when `focus` names this field (a jump from the check page).
pub struct Field<'a> {
    pub label: &'a str,
    pub required: bool,
    pub hint: &'a str,
    pub multiline: bool,
    pub target: Target,
    pub problem: Option<&'a str>,
}

impl Field<'_> {
    pub fn show(self, ui: &mut Ui, value: &mut String, focus: &mut Option<Target>) -> Response {
        let label = ui
            .horizontal(|ui| {
                let label = ui.label(RichText::new(self.label).strong());
                if self.required {
                    ui.label(RichText::new("*").color(RED))
                        .on_hover_text("必填");
                }
                label
            })
            .inner;
        let id = field_id(&self.target);
        let edit = if self.multiline {
            TextEdit::multiline(value).desired_rows(4)
        } else {
            TextEdit::singleline(value)
        };
        let response = ui
            .add(
                edit.id(id)
                    .hint_text(self.hint)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if let Some(problem) = self.problem {
            ui.label(RichText::new(problem).color(RED).small());
        }
        if focus.as_ref() == Some(&self.target) {
            response.request_focus();
            response.scroll_to_me(Some(egui::Align::Center));
            *focus = None;
        }
        response
    }
}

/// 未开始 / 进行中 / 已完成 / 有问题, coloured.
pub fn progress_badge(ui: &mut Ui, progress: Progress) -> Response {
    let colour = match progress {
        Progress::NotStarted => GREY,
        Progress::InProgress => AMBER,
        Progress::Done => GREEN,
        Progress::HasProblems => RED,
    };
    ui.label(RichText::new(progress.label()).color(colour).small())
}

/// A framed box for a warning or an error message.
pub fn notice_box(ui: &mut Ui, colour: Color32, add: impl FnOnce(&mut Ui)) {
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, colour))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui);
        });
}

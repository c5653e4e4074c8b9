//! Small widgets shared by the screens: a labelled text field tied to its label for screen
//! readers (and egui_kittest), a status badge, a framed message box.

use egui::{Color32, Response, RichText, TextEdit, Ui};

use super::state::FormState;
use crate::core::validate::{Progress, Target};

pub const RED: Color32 = Color32::from_rgb(0xC0, 0x1C, 0x28);
pub const GREEN: Color32 = Color32::from_rgb(0x1A, 0x7F, 0x37);
pub const AMBER: Color32 = Color32::from_rgb(0xB2, 0x5F, 0x00);
pub const GREY: Color32 = Color32::from_rgb(0x6B, 0x6B, 0x6B);

/// The id of the text field a [`Target`] points at, so a jump can focus it.
pub fn field_id(target: &Target) -> egui::Id {
    egui::Id::unique(("baosong-field", target))
}

/// A field's label, with a red `*` when it is required; the label's response is what the field
/// is `labelled_by`.
pub fn label_row(ui: &mut Ui, label: &str, required: bool) -> Response {
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new(label).strong());
        if required {
            ui.label(RichText::new("*").color(RED))
                .on_hover_text("必填");
        }
        label
    })
    .inner
}

/// A problem under a field.
pub fn problem_line(ui: &mut Ui, problem: &str) {
    ui.label(RichText::new(problem).color(RED).small());
}

/// A text field with its label above it, its hint inside it and its problem below it — once
/// the clerk has left the field, or has visited 检查并提交. Takes the focus when a jump from
/// the check page asks for it.
pub struct Field<'a> {
    label: &'a str,
    target: Target,
    required: bool,
    hint: &'a str,
    multiline: bool,
    advised_chars: Option<usize>,
    max_chars: Option<usize>,
}

impl<'a> Field<'a> {
    pub fn new(label: &'a str, target: Target) -> Self {
        Self {
            label,
            target,
            required: false,
            hint: "",
            multiline: false,
            advised_chars: None,
            max_chars: None,
        }
    }

    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = hint;
        self
    }

    pub fn multiline(mut self, multiline: bool) -> Self {
        self.multiline = multiline;
        self
    }

    /// Show 已输入 N 字 as the clerk types, amber past the advised length; past `max_chars` the
    /// field's problem is shown at once (not only on leaving it), and alone: one message, the
    /// stronger.
    pub fn counter(mut self, advised_chars: Option<usize>, max_chars: Option<usize>) -> Self {
        self.advised_chars = advised_chars;
        self.max_chars = max_chars;
        self
    }

    pub fn show(self, ui: &mut Ui, value: &mut String, form: &mut FormState) -> Response {
        let label = label_row(ui, self.label, self.required);
        let edit = if self.multiline {
            TextEdit::multiline(value).desired_rows(4)
        } else {
            TextEdit::singleline(value)
        };
        let response = ui
            .add(
                edit.id(field_id(&self.target))
                    .hint_text(self.hint)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        let n = value.trim().chars().count();
        let too_long = self.max_chars.is_some_and(|max| n > max);
        if response.lost_focus() || too_long {
            form.left(&self.target);
        }
        if let Some(problem) = form.shown_problem(&self.target) {
            problem_line(ui, problem);
        }
        if too_long {
            // The problem line says the limit; the counter only counts.
            ui.label(RichText::new(format!("已输入 {n} 字")).color(GREY).small());
        } else if let Some(advised) = self.advised_chars {
            char_counter(ui, value, advised);
        }
        form.take_focus(&self.target, &response);
        response
    }
}

/// 已输入 N 字（建议 300 字以内）, amber once past the advice.
pub fn char_counter(ui: &mut Ui, value: &str, advised: usize) {
    let n = value.trim().chars().count();
    let colour = if n > advised { AMBER } else { GREY };
    let text = if n > advised {
        format!("已输入 {n} 字，超过建议的{advised}字，可适当精简")
    } else {
        format!("已输入 {n} 字（建议{advised}字以内）")
    };
    ui.label(RichText::new(text).color(colour).small());
}

/// 未开始 / 进行中 / 已完成 / 未开展 / 有问题, coloured.
pub fn progress_badge(ui: &mut Ui, progress: Progress) -> Response {
    let colour = match progress {
        Progress::NotStarted | Progress::NotCarriedOut => GREY,
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

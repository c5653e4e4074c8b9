//! 日期: typed as clerks type it (3月8日, 3.8, 2024/3/8 …) or picked from a calendar with Chinese
//! month and weekday names; stored as `2024-03-08` once the clerk leaves the field, and shown back
//! as `2024年3月8日 星期五`. (egui_extras' date picker has English names built in, hence this.)

use chrono::{Datelike, Months, NaiveDate};
use egui::{RichText, Ui};

use super::state::FormState;
use super::widgets::{self, field_id};
use crate::core::campaign::{FieldSpec, Window};
use crate::core::dates::{chinese_date, chinese_weekday, normalise, parse_date};
use crate::core::validate::Target;

/// Returns true when the value changed.
pub fn date_field(
    ui: &mut Ui,
    spec: &FieldSpec,
    target: Target,
    value: &mut String,
    form: &mut FormState,
    window: Window,
) -> bool {
    let year = window.start.year();
    let label = widgets::label_row(ui, &spec.label, spec.required);
    let mut changed = false;
    let response = ui
        .horizontal(|ui| {
            let r = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .id(field_id(&target))
                        .hint_text(spec.hint.as_str())
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            changed |= r.changed();
            let button = ui.button("选择日期");
            let shown = parse_date(value, year).unwrap_or(window.start);
            egui::Popup::from_toggle_button_response(&button)
                .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
                .show(|ui| {
                    if let Some(day) = calendar(ui, field_id(&target), shown, window) {
                        *value = crate::core::dates::with_date(value, day);
                        changed = true;
                        ui.close();
                    }
                });
            if let Some(date) = parse_date(value, year) {
                ui.label(
                    RichText::new(format!(
                        "即{}（{}）",
                        chinese_date(date),
                        chinese_weekday(date)
                    ))
                    .color(widgets::GREY),
                );
            }
            r
        })
        .inner;
    if response.lost_focus() {
        form.left(&target);
        if let Some(stored) = normalise(value, year)
            && stored != *value
        {
            *value = stored;
            changed = true;
        }
    }
    if let Some(problem) = form.shown_problem(&target) {
        widgets::problem_line(ui, problem);
    }
    form.take_focus(&target, &response);
    changed
}

/// A month of days; the month shown is kept per field. Returns the day clicked.
pub(crate) fn calendar(
    ui: &mut Ui,
    id: egui::Id,
    selected: NaiveDate,
    window: Window,
) -> Option<NaiveDate> {
    let month_id = id.with("calendar-month");
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut month: NaiveDate = ui
        .data(|d| d.get_temp(month_id))
        .unwrap_or_else(|| first_of(selected));
    let mut picked = None;
    ui.horizontal(|ui| {
        if ui.button("‹ 上月").clicked() {
            month = month.checked_sub_months(Months::new(1)).unwrap_or(month);
        }
        ui.label(RichText::new(format!("{}年{}月", month.year(), month.month())).strong());
        if ui.button("下月 ›").clicked() {
            month = month.checked_add_months(Months::new(1)).unwrap_or(month);
        }
    });
    egui::Grid::new(id.with("calendar-grid"))
        .spacing([4.0, 4.0])
        .show(ui, |ui| {
            for name in ["一", "二", "三", "四", "五", "六", "日"] {
                ui.label(RichText::new(name).small().color(widgets::GREY));
            }
            ui.end_row();
            let lead = month.weekday().num_days_from_monday();
            for _ in 0..lead {
                ui.label("");
            }
            let mut day = month;
            while day.month() == month.month() {
                let in_window = window.contains(day);
                let text = RichText::new(day.day().to_string());
                let text = if in_window {
                    text
                } else {
                    text.color(widgets::GREY)
                };
                let r = ui.add(
                    egui::Button::selectable(day == selected, text).min_size(egui::vec2(28.0, 0.0)),
                );
                // Screen readers (and tests) hear the whole date, not just “8”.
                let full = format!("{} {}", chinese_date(day), chinese_weekday(day));
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, full.as_str())
                });
                if r.clicked() {
                    picked = Some(day);
                }
                if day.weekday() == chrono::Weekday::Sun {
                    ui.end_row();
                }
                match day.succ_opt() {
                    Some(next) => day = next,
                    None => break,
                }
            }
        });
    ui.label(
        RichText::new(format!(
            "活动期间：{}至{}",
            chinese_date(window.start),
            chinese_date(window.end)
        ))
        .small()
        .color(widgets::GREY),
    );
    ui.data_mut(|d| d.insert_temp(month_id, month));
    picked
}

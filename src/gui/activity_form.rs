//! The activities of one item: 活动名称, 日期, 地点, 主办/承办, 参与人数, 简要情况 each, with
//! 上移 / 下移 / 删除活动 (asks first), and 添加活动.

use egui::{RichText, Ui};

use super::date_field::date_field;
use super::materials::{MaterialsCtx, materials_ui};
use super::state::{Action, FormState, OpenDraft};
use super::widgets::{self, Field};
use crate::core::campaign::Campaign;
use crate::core::draft::{Activity, ActivityField, ItemId, Place, RemovedAttachment};
use crate::core::validate::Target;

/// The id under which a pending "删除活动" confirmation is kept in egui's memory.
fn confirm_id(item_id: &ItemId) -> egui::Id {
    egui::Id::unique(("confirm-remove-activity", item_id))
}

enum Move {
    Up(usize),
    Down(usize),
}

/// What the form offers for 主办/承办: the unit's own name and what this draft already used.
struct Suggestions<'a> {
    organisers: &'a [String],
}

/// Returns true when the draft was edited.
pub fn activities(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    item_id: &ItemId,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut edited = false;
    let mut movement = None;
    let mut organisers = vec![open.draft.unit.unit.clone()];
    organisers.extend(open.draft.organisers_used());
    organisers.retain(|o| !o.trim().is_empty());
    organisers.dedup();
    let suggestions = Suggestions {
        organisers: &organisers,
    };
    let OpenDraft { draft, form, .. } = open;
    // Held aside while the activities are drawn (nothing changes it during a frame).
    let removed = std::mem::take(&mut draft.removed);
    let answer = draft.answer_mut(item_id.as_str());
    let count = answer.activities.len();
    for (n, activity) in answer.activities.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            movement = movement
                .take()
                .or(header(ui, item_id, n, count, activity, actions));
            edited |= fields(ui, campaign, item_id, activity, form, &suggestions);
            ui.add_space(4.0);
            let place = Place::Activity {
                item_id: item_id.clone(),
                activity_id: activity.id.clone(),
            };
            let here: Vec<&RemovedAttachment> =
                removed.iter().filter(|r| r.from == place).collect();
            edited |= materials_ui(
                ui,
                &place,
                &mut activity.attachments,
                &here,
                form,
                cx,
                actions,
            );
        });
        ui.add_space(6.0);
    }
    draft.removed = removed;
    let answer = draft.answer_mut(item_id.as_str());
    match movement {
        Some(Move::Up(n)) => answer.activities.swap(n, n - 1),
        Some(Move::Down(n)) => answer.activities.swap(n, n + 1),
        None => {}
    }
    edited |= movement.is_some();
    if ui.button(RichText::new("添加活动").strong()).clicked() {
        let id = draft.add_activity(item_id.as_str());
        form.focus = Some(Target::ActivityField {
            item_id: item_id.clone(),
            activity_id: id,
            field: ActivityField::Title,
        });
        edited = true;
    }
    edited
}

/// 活动N：名称, and 上移 / 下移 / 删除活动 (which asks first).
fn header(
    ui: &mut Ui,
    item_id: &ItemId,
    n: usize,
    count: usize,
    activity: &Activity,
    actions: &mut Vec<Action>,
) -> Option<Move> {
    let confirming: Option<String> = ui.data(|d| d.get_temp(confirm_id(item_id)));
    let mut movement = None;
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
                    ui.data_mut(|d| d.remove::<String>(confirm_id(item_id)));
                    actions.push(Action::RemoveActivity {
                        item_id: item_id.clone(),
                        activity_id: activity.id.clone(),
                    });
                }
                ui.label(RichText::new("删除这条活动？").color(widgets::RED));
            } else {
                if ui.button("删除活动").clicked() {
                    let id = activity.id.to_string();
                    ui.data_mut(|d| d.insert_temp(confirm_id(item_id), id));
                }
                if n + 1 < count && ui.button("下移").clicked() {
                    movement = Some(Move::Down(n));
                }
                if n > 0 && ui.button("上移").clicked() {
                    movement = Some(Move::Up(n));
                }
            }
        });
    });
    movement
}

/// The six fields of one activity.
fn fields(
    ui: &mut Ui,
    campaign: &Campaign,
    item_id: &ItemId,
    activity: &mut Activity,
    form: &mut FormState,
    suggestions: &Suggestions<'_>,
) -> bool {
    let mut edited = false;
    for field in ActivityField::ALL {
        let spec = field.spec(campaign);
        let target = Target::ActivityField {
            item_id: item_id.clone(),
            activity_id: activity.id.clone(),
            field,
        };
        let value = field.value_mut(activity);
        if field == ActivityField::Date {
            edited |= date_field(ui, spec, target, value, form, campaign.window);
            continue;
        }
        let r = Field::new(&spec.label, target)
            .required(spec.required)
            .hint(&spec.hint)
            .multiline(field == ActivityField::Summary)
            .counter(spec.advised_chars, spec.max_chars)
            .show(ui, value, form);
        edited |= r.changed();
        if field == ActivityField::Organiser {
            edited |= organiser_suggestions(ui, value, suggestions.organisers);
        }
    }
    edited
}

/// 填入：渝中区妇联 — one click instead of retyping the organiser for every activity.
fn organiser_suggestions(ui: &mut Ui, value: &mut String, organisers: &[String]) -> bool {
    let offered: Vec<&String> = organisers
        .iter()
        .filter(|o| o.trim() != value.trim())
        .take(3)
        .collect();
    if offered.is_empty() {
        return false;
    }
    let mut edited = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("可选：").small().color(widgets::GREY));
        for o in offered {
            if ui.small_button(format!("填入：{o}")).clicked() {
                *value = o.clone();
                edited = true;
            }
        }
    });
    edited
}

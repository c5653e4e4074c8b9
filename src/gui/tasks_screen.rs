//! 填报任务: the task list over the three pillars (each with 未开始 / 进行中 / 已完成 / 有问题),
//! in any order; on the right, one item of the notice at a time with its activities, or
//! 本项未开展 with a reason.

use egui::{RichText, Ui};

use super::activity_form;
use super::app::{Action, OpenDraft, Screen};
use super::widgets::{self, Field};
use crate::core::campaign::Campaign;
use crate::core::validate::{Target, item_progress, pillar_progress};

/// Returns true when the draft was edited.
pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    current_item: &str,
    focus: &mut Option<Target>,
    actions: &mut Vec<Action>,
) -> bool {
    task_list(ui, campaign, open, current_item, actions);
    let mut edited = false;
    egui::CentralPanel::no_frame().show(ui, |ui| {
        edited = item_page(ui, campaign, open, current_item, focus, actions);
    });
    edited
}

fn task_list(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &OpenDraft,
    current_item: &str,
    actions: &mut Vec<Action>,
) {
    egui::Panel::left("task_list")
        .resizable(true)
        .default_size(330.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| {
                    for (pi, pillar) in campaign.pillars.iter().enumerate() {
                        ui.add_space(6.0);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(pillar.heading()).strong());
                            widgets::progress_badge(
                                ui,
                                pillar_progress(campaign, &open.report, &open.draft, pi),
                            );
                        });
                        for item in &pillar.items {
                            ui.horizontal(|ui| {
                                ui.add_space(12.0);
                                let selected = item.id == current_item;
                                if ui.selectable_label(selected, &item.title).clicked() {
                                    actions.push(Action::SelectItem(item.id.clone()));
                                }
                                widgets::progress_badge(
                                    ui,
                                    item_progress(&open.report, &open.draft, &item.id),
                                );
                            });
                        }
                    }
                    ui.add_space(12.0);
                    if ui.button(RichText::new("检查并提交 →").strong()).clicked() {
                        actions.push(Action::GoTo(Screen::Check));
                    }
                });
        });
}

fn item_page(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    current_item: &str,
    focus: &mut Option<Target>,
    actions: &mut Vec<Action>,
) -> bool {
    let Some((pillar, item)) = campaign.item(current_item) else {
        ui.label("请在左侧选择一项。");
        return false;
    };
    let mut edited = false;
    let editable = open.draft.is_editable();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .id_salt(("item", current_item))
        .show(ui, |ui| {
            ui.add_space(8.0);
            ui.label(RichText::new(pillar.heading()).color(widgets::GREY));
            ui.heading(format!("{} {}", item.number, item.title).trim());
            if !item.hint.is_empty() {
                widgets::notice_box(ui, widgets::GREY, |ui| {
                    ui.label(RichText::new("通知要求").small().color(widgets::GREY));
                    ui.label(&item.hint);
                });
            }
            ui.add_space(6.0);
            ui.add_enabled_ui(editable, |ui| {
                let report = &open.report;
                let answer = open.draft.answer_mut(&item.id);
                let item_target = Target::Item {
                    item_id: item.id.clone(),
                };
                let check = ui.checkbox(&mut answer.not_carried_out, "本项未开展");
                edited |= check.changed();
                if focus.as_ref() == Some(&item_target) {
                    check.request_focus();
                    check.scroll_to_me(Some(egui::Align::Center));
                    *focus = None;
                }
                if let Some(p) = report.on(&item_target) {
                    // Not yet started is not an error yet: say what to do, quietly.
                    let colour = if answer.is_untouched() {
                        widgets::GREY
                    } else {
                        widgets::RED
                    };
                    ui.label(RichText::new(&p.message).color(colour));
                }
                if answer.not_carried_out {
                    let r = Field {
                        label: "未开展原因",
                        required: true,
                        hint: "简要说明本项未开展的原因",
                        multiline: true,
                        target: Target::ItemReason {
                            item_id: item.id.clone(),
                        },
                        problem: report
                            .on(&Target::ItemReason {
                                item_id: item.id.clone(),
                            })
                            .map(|p| p.message.as_str()),
                    }
                    .show(ui, &mut answer.reason, focus);
                    edited |= r.changed();
                }
            });
            ui.add_space(8.0);
            let show_activities = !open
                .draft
                .answer(&item.id)
                .is_some_and(|a| a.not_carried_out && a.activities.is_empty());
            if show_activities {
                ui.add_enabled_ui(editable, |ui| {
                    edited |= activity_form::activities(ui, campaign, open, &item.id, focus);
                });
            }
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                let all: Vec<&str> = campaign.items().map(|(_, it)| it.id.as_str()).collect();
                let here = all.iter().position(|id| *id == item.id).unwrap_or(0);
                if here > 0 && ui.button("← 上一项").clicked() {
                    actions.push(Action::SelectItem(all[here - 1].to_string()));
                }
                if let Some(next) = all.get(here + 1) {
                    if ui.button("下一项 →").clicked() {
                        actions.push(Action::SelectItem((*next).to_string()));
                    }
                } else if ui.button("检查并提交 →").clicked() {
                    actions.push(Action::GoTo(Screen::Check));
                }
            });
        });
    edited
}

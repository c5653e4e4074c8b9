//! 填报任务: the task list over the three pillars (each with 未开始 / 进行中 / 已完成 / 有问题),
//! in any order; on the right, one item of the notice at a time with its activities, or
//! 本项未开展 with a reason.

use egui::{RichText, Ui};

use super::activity_form;
use super::materials::{MaterialsCtx, materials_ui};
use super::profile_screen::back_to_check;
use super::state::{Action, FormState, MaterialAction, OpenDraft, Screen, TaskPage};
use super::widgets::{self, Field};
use crate::core::campaign::{Campaign, Item};
use crate::core::draft::{ItemAnswer, Place};
use crate::core::validate::{Target, item_progress, pillar_progress};

/// Returns true when the draft was edited.
pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    page: &TaskPage,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    task_list(ui, campaign, open, page, actions);
    let mut edited = false;
    egui::CentralPanel::no_frame().show(ui, |ui| {
        edited = match page {
            TaskPage::Item(item) => item_page(ui, campaign, open, item.as_str(), cx, actions),
            TaskPage::General => general_page(ui, open, cx, actions),
        };
    });
    edited
}

fn task_list(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &OpenDraft,
    page: &TaskPage,
    actions: &mut Vec<Action>,
) {
    let current_item = match page {
        TaskPage::Item(id) => id.as_str(),
        TaskPage::General => "",
    };
    let reveal = open.form.reveal();
    let report = &open.form.report;
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
                                pillar_progress(campaign, report, &reveal, &open.draft, pi),
                            );
                        });
                        for item in &pillar.items {
                            let progress =
                                item_progress(report, &reveal, &open.draft, item.id.as_str());
                            task_row(ui, item, item.id == current_item, progress, actions);
                        }
                    }
                    ui.add_space(8.0);
                    let general = format!("综合材料（{}）", open.draft.general.len());
                    if ui
                        .add(egui::Button::selectable(
                            *page == TaskPage::General,
                            general,
                        ))
                        .on_hover_text("与单个活动无关的材料，如本单位的工作总结、活动集锦视频")
                        .clicked()
                    {
                        actions.push(Action::Materials(MaterialAction::SelectGeneral));
                    }
                    ui.add_space(12.0);
                    if ui.button(RichText::new("检查并提交 →").strong()).clicked() {
                        actions.push(Action::GoTo(Screen::Check));
                    }
                });
        });
}

/// 综合材料: material that belongs to no single activity.
fn general_page(
    ui: &mut Ui,
    open: &mut OpenDraft,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut edited = false;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .id_salt("general")
        .show(ui, |ui| {
            ui.add_space(8.0);
            back_to_check(ui, &open.form, actions);
            ui.heading("综合材料");
            ui.label(
                RichText::new(
                    "与单个活动无关的材料放在这里：本单位的工作总结、活动集锦视频、宣传海报等。",
                )
                .color(widgets::GREY),
            );
            ui.add_space(6.0);
            let OpenDraft { draft, form, .. } = open;
            // Removed from here, or from an activity that is gone since: restorable here.
            let removed = std::mem::take(&mut draft.removed);
            let here: Vec<_> = removed
                .iter()
                .filter(|r| r.from == Place::General || draft.attachments(&r.from).is_none())
                .collect();
            edited |= materials_ui(
                ui,
                &Place::General,
                &mut draft.general,
                &here,
                form,
                cx,
                actions,
            );
            draft.removed = removed;
        });
    edited
}

/// One item in the task list: its title (cut short with … when the panel is narrow, the whole
/// title on hover) and its status at the right edge.
fn task_row(
    ui: &mut Ui,
    item: &Item,
    selected: bool,
    progress: crate::core::validate::Progress,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            widgets::progress_badge(ui, progress);
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                let title = egui::Button::selectable(selected, item.title.as_str()).truncate();
                if ui.add(title).on_hover_text(&item.title).clicked() {
                    actions.push(Action::SelectItem(item.id.clone()));
                }
            });
        });
    });
}

fn item_page(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &mut OpenDraft,
    current_item: &str,
    cx: &mut MaterialsCtx<'_>,
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
            back_to_check(ui, &open.form, actions);
            ui.label(RichText::new(pillar.heading()).color(widgets::GREY));
            ui.heading(format!("{} {}", item.number, item.title).trim());
            if !item.hint.is_empty() {
                widgets::notice_box(ui, widgets::GREY, |ui| {
                    ui.label(RichText::new("通知要求").small().color(widgets::GREY));
                    ui.label(&item.hint);
                });
            }
            correction_notes(ui, open, item.id.as_str(), actions);
            ui.add_space(6.0);
            ui.add_enabled_ui(editable, |ui| {
                let OpenDraft { draft, form, .. } = &mut *open;
                edited |= not_carried_out(ui, item, draft.answer_mut(item.id.as_str()), form);
            });
            ui.add_space(8.0);
            let show_activities = !open
                .draft
                .answer(item.id.as_str())
                .is_some_and(|a| a.not_carried_out && a.activities.is_empty());
            if show_activities {
                ui.add_enabled_ui(editable, |ui| {
                    edited |= activity_form::activities(ui, campaign, open, &item.id, cx, actions);
                });
            }
            ui.add_space(16.0);
            item_navigation(ui, campaign, item, actions);
        });
    edited
}

/// 本项未开展 and its reason; the item's own problem (not started, or a contradiction).
fn not_carried_out(
    ui: &mut Ui,
    item: &Item,
    answer: &mut ItemAnswer,
    form: &mut FormState,
) -> bool {
    let item_target = Target::Item {
        item_id: item.id.clone(),
    };
    let check = ui.checkbox(&mut answer.not_carried_out, "本项未开展");
    let mut edited = check.changed();
    form.take_focus(&item_target, &check);
    if let Some(p) = form.report.on(&item_target) {
        // Not yet started is not an error yet: say what to do, quietly.
        let colour = if answer.is_untouched() {
            widgets::GREY
        } else {
            widgets::RED
        };
        ui.label(RichText::new(&p.message).color(colour));
    }
    if answer.not_carried_out {
        let r = Field::new(
            "未开展原因",
            Target::ItemReason {
                item_id: item.id.clone(),
            },
        )
        .required(true)
        .hint("请具体说明本项未开展的原因，如“本年度该项工作由区司法局牵头开展”")
        .multiline(true)
        .show(ui, &mut answer.reason, form);
        edited |= r.changed();
    }
    edited
}

/// The department's 退回修改 notes on this item (and its activities), each with 已按意见修改.
fn correction_notes(ui: &mut Ui, open: &OpenDraft, item_id: &str, actions: &mut Vec<Action>) {
    let Some(c) = &open.draft.correction else {
        return;
    };
    let here: Vec<_> = c
        .open_notes()
        .filter(|(_, n)| n.note.item == item_id)
        .collect();
    if here.is_empty() {
        return;
    }
    widgets::notice_box(ui, widgets::RED, |ui| {
        ui.label(
            RichText::new("市妇联对本项的退回意见")
                .color(widgets::RED)
                .strong(),
        );
        for (index, n) in here {
            ui.horizontal_wrapped(|ui| {
                let place = if n.note.activity_label.is_empty() {
                    String::new()
                } else {
                    format!("{}：", n.note.activity_label)
                };
                ui.label(format!("{place}{}", n.note.text));
                if ui.small_button("已按意见修改").clicked() {
                    actions.push(Action::AddressNote(index));
                }
            });
        }
    });
}

fn item_navigation(ui: &mut Ui, campaign: &Campaign, item: &Item, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if let Some(previous) = campaign.neighbour(item.id.as_str(), -1)
            && ui.button("← 上一项").clicked()
        {
            actions.push(Action::SelectItem(previous.id.clone()));
        }
        if let Some(next) = campaign.neighbour(item.id.as_str(), 1) {
            if ui.button("下一项 →").clicked() {
                actions.push(Action::SelectItem(next.id.clone()));
            }
        } else if ui.button("检查并提交 →").clicked() {
            actions.push(Action::GoTo(Screen::Check));
        }
    });
}

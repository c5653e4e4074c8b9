//! 检查并提交: everything that is missing or wrong, per pillar, each with 去修改 that jumps to
//! the field; reminders (提醒) that do not block sending. A draft with nothing missing says so
//! and can be marked 已完成待报送.

use egui::{RichText, Ui};

use super::state::{Action, OpenDraft};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::draft::Status;
use crate::core::validate::{Problem, Reveal, Section, pillar_progress, sections};

pub fn ui(ui: &mut Ui, campaign: &Campaign, open: &OpenDraft, actions: &mut Vec<Action>) {
    let report = &open.form.report;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("检查并提交");
            ui.add_space(6.0);
            if report.is_ready() {
                ready_box(ui, open, actions);
            } else {
                ui.label(
                    RichText::new(format!("还有 {} 个问题需要修改：", report.problems.len()))
                        .color(widgets::RED)
                        .strong(),
                );
            }
            for (section, heading) in sections(campaign) {
                section_ui(ui, campaign, open, section, heading, actions);
            }
        });
}

fn ready_box(ui: &mut Ui, open: &OpenDraft, actions: &mut Vec<Action>) {
    let reminders = open.form.report.reminders.len();
    widgets::notice_box(ui, widgets::GREEN, |ui| {
        ui.label(
            RichText::new("材料齐全，可以报送。")
                .color(widgets::GREEN)
                .strong(),
        );
        if open.draft.all_attachments().next().is_none() {
            ui.label(
                RichText::new("还没有添加任何图片、视频或活动稿件。通知要求报送图片、视频、活动稿件和新媒体产品，请在各活动中添加。")
                    .color(widgets::AMBER),
            );
        } else if reminders > 0 {
            ui.label(
                RichText::new(format!("另有 {reminders} 条提醒（见下方），可先看一看。"))
                    .color(widgets::AMBER),
            );
        }
        match &open.draft.status {
            Status::Draft | Status::Failed { .. } => {
                ui.label("确认无误后，点“标记为已完成”，草稿状态变为“已完成待报送”。");
                if ui.button(RichText::new("标记为已完成").strong()).clicked() {
                    actions.push(Action::MarkReady);
                }
            }
            status => {
                ui.label(format!("当前状态：{}", status.label()));
            }
        }
    });
}

fn section_ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &OpenDraft,
    section: Section,
    heading: String,
    actions: &mut Vec<Action>,
) {
    let report = &open.form.report;
    let problems: Vec<&Problem> = report.in_section(section).collect();
    let reminders: Vec<&Problem> = report.reminders_in(section).collect();
    if section == Section::General && open.draft.general.is_empty() && problems.is_empty() {
        return;
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(heading).strong());
        if let Section::Pillar(i) = section {
            widgets::progress_badge(
                ui,
                pillar_progress(campaign, report, &Reveal::All, &open.draft, i),
            );
        }
    });
    for problem in &problems {
        problem_row(ui, problem, widgets::RED, "", actions);
    }
    for reminder in &reminders {
        problem_row(ui, reminder, widgets::AMBER, "提醒：", actions);
    }
    if problems.is_empty() {
        ui.horizontal(|ui| {
            ui.add_space(12.0);
            ui.label(RichText::new("√ 没有问题").color(widgets::GREEN));
        });
    }
}

fn problem_row(
    ui: &mut Ui,
    problem: &Problem,
    colour: egui::Color32,
    prefix: &str,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.add_space(12.0);
        ui.label(RichText::new(format!("{}：", problem.place)).color(widgets::GREY));
        ui.label(RichText::new(format!("{prefix}{}", problem.message)).color(colour));
        if ui.small_button("去修改").clicked() {
            actions.push(Action::Jump(problem.target.clone()));
        }
    });
}

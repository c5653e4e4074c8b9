//! 检查并提交: everything that is missing or wrong, per pillar, each with 去修改 that jumps to
//! the field; reminders (提醒) that do not block sending. A draft with nothing missing says so,
//! can be marked 已完成待报送, and is sent from here (一键报送, 导出材料包: [`super::submission`]).

use egui::{RichText, Ui};

use super::state::{Action, OpenDraft};
use super::submission::{SendView, send_panel};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::draft::Status;
use crate::core::validate::{Problem, Reveal, Section, pillar_progress, sections};

pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &OpenDraft,
    send: &SendView<'_>,
    actions: &mut Vec<Action>,
) {
    let report = &open.form.report;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("检查并提交");
            ui.add_space(6.0);
            let locked = !open.draft.is_editable();
            if report.is_ready() && !locked {
                ready_box(ui, open, actions);
            } else if !report.is_ready() {
                ui.label(
                    RichText::new(format!("还有 {} 个问题需要修改：", report.problems.len()))
                        .color(widgets::RED)
                        .strong(),
                );
            }
            ui.add_space(6.0);
            send_panel(ui, send, actions);
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
        if matches!(open.draft.status(), Status::Draft) {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    "暂不报送的，可以先点“标记为已完成”（状态变为“已完成待报送”），稍后再报送。",
                );
                if ui.button("标记为已完成").clicked() {
                    actions.push(Action::MarkReady);
                }
            });
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
        // After reminders, "no problem" would contradict them: say what they are.
        let text = if reminders.is_empty() {
            "√ 没有问题"
        } else {
            "√ 没有必须修改的问题（以上提醒不影响报送）"
        };
        ui.horizontal(|ui| {
            ui.add_space(12.0);
            ui.label(RichText::new(text).color(widgets::GREEN));
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

//! 检查并提交: everything that is missing or wrong, per pillar, each with 去修改 that jumps to
//! the field; reminders (提醒) that do not block sending. A draft with nothing missing says so,
//! can be marked 已完成待报送, and is sent from here (一键报送, 导出材料包: [`super::submission`]).

use egui::{RichText, Ui};

use super::state::{Action, OpenDraft};
use super::submission::{SendView, send_panel};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::dates::chinese_date_time;
use crate::core::draft::Status;
use crate::core::review::{Body, Message, Verdict};
use crate::core::validate::{Problem, Reveal, Section, Target, pillar_progress, sections};

/// What the department said of the open draft's last bundle (`None`: nothing yet), and whether
/// this PC hears from it at all (a pinned key).
pub struct ReviewView<'a> {
    pub listening: bool,
    pub review: Option<&'a Message>,
}

pub fn ui(
    ui: &mut Ui,
    campaign: &Campaign,
    open: &OpenDraft,
    send: &SendView<'_>,
    review: &ReviewView<'_>,
    actions: &mut Vec<Action>,
) {
    let report = &open.form.report;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("检查并提交");
            ui.add_space(6.0);
            review_box(ui, open, review, actions);
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
        if let Target::CorrectionNote { index, .. } = problem.target
            && ui.small_button("已按意见修改").clicked()
        {
            actions.push(Action::AddressNote(index));
        }
    });
}

/// 市妇联审核 of the sent bundle (已收到, 已通过, 已阅, 退回修改 with 修改后重新报送), or the
/// correction under way.
fn review_box(ui: &mut Ui, open: &OpenDraft, view: &ReviewView<'_>, actions: &mut Vec<Action>) {
    if let Some(c) = &open.draft.correction
        && open.draft.is_editable()
    {
        let left = c.open_notes().count();
        widgets::notice_box(ui, widgets::AMBER, |ui| {
            ui.label(
                RichText::new(format!(
                    "第{}版：按市妇联退回意见修改（{} 退回）",
                    open.draft.version(),
                    chinese_date_time(c.issued_at)
                ))
                .strong(),
            );
            if !c.reason.is_empty() {
                ui.label(format!("理由：{}", c.reason));
            }
            for n in &c.notes {
                let line = format!("· {}", n.note.line());
                if n.addressed {
                    ui.label(RichText::new(format!("{line}（已按意见修改）")).color(widgets::GREY));
                } else {
                    ui.label(line);
                }
            }
            ui.label(if left > 0 {
                format!("还有 {left} 条意见未处理（见下方各板块，改好后点“已按意见修改”）。")
            } else {
                "各条意见都已处理。检查无误后重新报送，新的材料包会注明它替换上一版。".to_string()
            });
        });
        ui.add_space(6.0);
        return;
    }
    if !view.listening || !matches!(open.draft.status(), Status::Submitted { .. }) {
        return;
    }
    let Some(m) = view.review else {
        ui.label(RichText::new("市妇联已收到，尚未审核。").color(widgets::GREY));
        ui.add_space(6.0);
        return;
    };
    let Body::Review {
        verdict,
        reason,
        notes,
        ..
    } = &m.body
    else {
        return;
    };
    let colour = match verdict {
        Verdict::Passed => widgets::GREEN,
        Verdict::Returned => widgets::RED,
        Verdict::Read => widgets::GREY,
    };
    widgets::notice_box(ui, colour, |ui| {
        ui.label(
            RichText::new(format!(
                "市妇联审核：{}（{}）",
                verdict.label(),
                chinese_date_time(m.issued_at)
            ))
            .color(colour)
            .strong(),
        );
        if !reason.is_empty() {
            ui.label(format!("理由：{reason}"));
        }
        for n in notes {
            ui.label(format!("· {}", n.line()));
        }
        if *verdict == Verdict::Returned {
            ui.horizontal_wrapped(|ui| {
                ui.label("按意见修改后再报送一次，新版本会替换这一版。");
                if ui
                    .button(RichText::new("修改后重新报送").strong())
                    .clicked()
                {
                    actions.push(Action::ReviseReturned);
                }
            });
        }
    });
    ui.add_space(6.0);
}

//! 检查并提交: everything that is missing or wrong, per pillar, each with 去修改 that jumps to
//! the field. A draft with nothing missing says so and can be marked 已完成待报送.

use egui::{RichText, Ui};

use super::app::{Action, OpenDraft};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::draft::Status;
use crate::core::validate::{Section, pillar_progress};

pub fn ui(ui: &mut Ui, campaign: &Campaign, open: &OpenDraft, actions: &mut Vec<Action>) {
    let report = &open.report;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("检查并提交");
            ui.add_space(6.0);
            if report.is_ready() {
                widgets::notice_box(ui, widgets::GREEN, |ui| {
                    ui.label(
                        RichText::new("材料齐全，可以报送。")
                            .color(widgets::GREEN)
                            .strong(),
                    );
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
            } else {
                ui.label(
                    RichText::new(format!("还有 {} 个问题需要修改：", report.problems.len()))
                        .color(widgets::RED)
                        .strong(),
                );
            }
            let sections = std::iter::once((Section::Profile, "单位信息".to_string(), None)).chain(
                campaign
                    .pillars
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (Section::Pillar(i), p.heading(), Some(i))),
            );
            for (section, heading, pillar) in sections {
                ui.add_space(10.0);
                ui.horizontal(|ui| {
                    ui.label(RichText::new(heading).strong());
                    if let Some(i) = pillar {
                        widgets::progress_badge(
                            ui,
                            pillar_progress(campaign, report, &open.draft, i),
                        );
                    }
                });
                let mut any = false;
                for problem in report.in_section(section) {
                    any = true;
                    ui.horizontal_wrapped(|ui| {
                        ui.add_space(12.0);
                        ui.label(
                            RichText::new(format!("{}：", problem.place)).color(widgets::GREY),
                        );
                        ui.label(RichText::new(&problem.message).color(widgets::RED));
                        if ui.small_button("去修改").clicked() {
                            actions.push(Action::Jump(problem.target.clone()));
                        }
                    });
                }
                if !any {
                    ui.horizontal(|ui| {
                        ui.add_space(12.0);
                        ui.label(RichText::new("√ 没有问题").color(widgets::GREEN));
                    });
                }
            }
        });
}

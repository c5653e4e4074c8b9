//! The panels around every screen: the top bar (title, deadline and countdown, the draft's
//! navigation), the bottom bar (save state, the receiver's contact) and the message banner.

use egui::{RichText, Ui};

use super::{Action, App, Screen};
use crate::core::campaign::Countdown;
use crate::core::dates::chinese_date_time;
use crate::gui::state::Tone;
use crate::gui::widgets;

impl App {
    pub(super) fn top_bar(&mut self, ui: &mut Ui) {
        egui::Panel::top("top").show(ui, |ui| {
            ui.add_space(4.0);
            // The editor's own campaign above it, not the one the clerk's side is on.
            let editing = self
                .editor
                .as_ref()
                .filter(|_| self.screen == Screen::CampaignEditor)
                .map(|e| &e.campaign);
            let (title, deadline) = match editing {
                Some(c) if c.title.trim().is_empty() => {
                    ("活动编辑：（未命名的活动）".to_string(), c.deadline)
                }
                Some(c) => (format!("活动编辑：{}", c.title), c.deadline),
                None => (self.campaign.title.clone(), self.campaign.deadline),
            };
            ui.horizontal(|ui| {
                ui.heading(RichText::new(title).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let countdown = Countdown::until(deadline, self.now());
                    let colour = if countdown.is_late() {
                        widgets::RED
                    } else {
                        widgets::GREEN
                    };
                    ui.label(RichText::new(countdown.label()).color(colour).strong());
                    ui.label(format!("截止：{}", chinese_date_time(deadline)));
                });
            });
            if let Some(open) = &self.open
                && self.screen != Screen::Start
            {
                ui.horizontal(|ui| {
                    if ui.button("← 草稿列表").clicked() {
                        self.actions.push(Action::CloseDraft);
                    }
                    ui.separator();
                    for (screen, label) in [
                        (Screen::Profile, "单位信息"),
                        (Screen::Tasks, "填报任务"),
                        (Screen::Check, "检查并提交"),
                    ] {
                        if ui.selectable_label(self.screen == screen, label).clicked() {
                            self.actions.push(Action::GoTo(screen));
                        }
                    }
                    ui.separator();
                    ui.label(format!(
                        "{} · {}",
                        open.draft.display_name(),
                        open.draft.status().label()
                    ));
                });
            }
            ui.add_space(2.0);
        });
    }

    pub(super) fn bottom_bar(&mut self, ui: &mut Ui) {
        egui::Panel::bottom("bottom").show(ui, |ui| {
            ui.horizontal(|ui| {
                match self.open.as_ref().map(|o| &o.autosave) {
                    Some(a) if a.save_error.is_some() => {
                        let m = a.save_error.as_deref().unwrap_or_default();
                        ui.label(RichText::new(format!("保存失败：{m}")).color(widgets::RED));
                    }
                    Some(a) if a.has_unsaved() || a.saving => {
                        ui.label(RichText::new("正在保存…").color(widgets::GREY));
                    }
                    Some(a) => {
                        let when = a.saved_at.map(chinese_date_time).unwrap_or_default();
                        ui.label(RichText::new(format!("已自动保存 {when}")).color(widgets::GREY));
                    }
                    None => {
                        ui.label(
                            RichText::new("草稿随时自动保存在本机，关闭程序或断电也不会丢失")
                                .color(widgets::GREY),
                        )
                        .on_hover_text(format!("数据文件夹：{}", self.data_root.display()));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let r = &self.campaign.receiver;
                    ui.label(
                        RichText::new(format!(
                            "{} 联系人：{} 电话：{} 邮箱：{}",
                            r.name, r.contact_person, r.phone, r.email
                        ))
                        .color(widgets::GREY)
                        .small(),
                    );
                });
            });
        });
    }

    pub(super) fn banner_ui(&mut self, ui: &mut Ui) {
        let Some(banner) = &self.banner else {
            return;
        };
        let colour = match banner.tone {
            Tone::Info => widgets::GREEN,
            Tone::Warning => widgets::AMBER,
            Tone::Error => widgets::RED,
        };
        let mut pushed = Vec::new();
        widgets::notice_box(ui, colour, |ui| {
            // The buttons first, from the right; the message wraps in what is left, so a long
            // one never pushes 知道了 off the window.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                if ui.button("知道了").clicked() {
                    pushed.push(Action::DismissBanner);
                }
                if let Some((label, action)) = &banner.button
                    && ui.button(label.as_str()).clicked()
                {
                    pushed.push(Action::DismissBanner);
                    pushed.push(action.clone());
                }
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    ui.add(egui::Label::new(RichText::new(&banner.text).color(colour)).wrap());
                    if !banner.details.is_empty() {
                        egui::CollapsingHeader::new(format!("详情（{} 项）", banner.details.len()))
                            .id_salt("banner-details")
                            .show(ui, |ui| {
                                egui::ScrollArea::vertical()
                                    .max_height(160.0)
                                    .show(ui, |ui| {
                                        for line in &banner.details {
                                            ui.add(egui::Label::new(line.as_str()).wrap());
                                        }
                                    });
                            });
                    }
                });
            });
        });
        self.actions.extend(pushed);
        ui.add_space(4.0);
    }
}

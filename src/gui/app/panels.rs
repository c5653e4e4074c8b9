//! The panels around every screen: the top bar (title, deadline and countdown, the draft's
//! navigation), the bottom bar (save state, the receiver's contact) and the message banner.

use egui::{RichText, Ui};

use super::{Action, App, Banner, Screen};
use crate::core::campaign::Countdown;
use crate::core::dates::{chinese_date, chinese_date_time};
use crate::gui::widgets;

impl App {
    pub(super) fn top_bar(&mut self, ui: &mut Ui) {
        egui::Panel::top("top").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.heading(RichText::new(&self.campaign.title).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let countdown = Countdown::until(self.campaign.deadline, self.now());
                    let colour = if countdown.is_late() {
                        widgets::RED
                    } else {
                        widgets::GREEN
                    };
                    ui.label(RichText::new(countdown.label()).color(colour).strong());
                    ui.label(format!(
                        "截止：{}",
                        chinese_date(self.campaign.deadline.date_naive())
                    ));
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
                    let unit = if open.draft.unit.unit.is_empty() {
                        "（未填写单位）"
                    } else {
                        &open.draft.unit.unit
                    };
                    ui.label(format!("{unit} · {}", open.draft.status.label()));
                });
            }
            ui.add_space(2.0);
        });
    }

    pub(super) fn bottom_bar(&mut self, ui: &mut Ui) {
        egui::Panel::bottom("bottom").show(ui, |ui| {
            ui.horizontal(|ui| {
                match &self.open {
                    Some(o) if o.save_error.is_some() => {
                        let m = o.save_error.as_deref().unwrap_or_default();
                        ui.label(RichText::new(format!("保存失败：{m}")).color(widgets::RED));
                    }
                    Some(o) if o.first_unsaved.is_some() || o.saving => {
                        ui.label(RichText::new("正在保存…").color(widgets::GREY));
                    }
                    Some(o) => {
                        let when = o.saved_at.map(chinese_date_time).unwrap_or_default();
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
        let (colour, text) = match banner {
            Banner::Info(t) => (widgets::GREEN, t.clone()),
            Banner::Error(t) => (widgets::RED, t.clone()),
        };
        let mut close = false;
        widgets::notice_box(ui, colour, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(text).color(colour));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    close = ui.button("知道了").clicked();
                });
            });
        });
        if close {
            self.banner = None;
        }
        ui.add_space(4.0);
    }
}

//! One bundle opened at the desk, read-only: its facts, its verdict (every file ✓ or × against
//! the manifest), 导出汇总文档 and 导入为草稿, and its contents as the clerk filled them, with
//! the thumbnails and the viewer.

use egui::{Color32, RichText, Ui};

use crate::core::bundle::AttachmentEntry;
use crate::core::desk::opened::Opened;
use crate::core::desk::verify::FileState;
use crate::core::media::display_name;
use crate::core::units::human_bytes;
use crate::gui::materials::{describe, paint_preview};
use crate::gui::previews::Previews;
use crate::gui::state::{Action, DeskAction};
use crate::gui::widgets;

use super::{Busy, busy_line};

/// What the opened bundle's screen shows.
pub struct BundleView<'a> {
    pub opened: &'a Opened,
    /// The draft the last 导入为草稿 made, offered to open.
    pub imported: Option<&'a crate::core::draft::DraftId>,
    pub busy: Option<Busy>,
}

fn state_colour(state: &FileState) -> Color32 {
    if state.is_intact() {
        widgets::GREEN
    } else {
        widgets::RED
    }
}

pub fn bundle_ui(
    ui: &mut Ui,
    view: &BundleView<'_>,
    previews: &mut Previews,
    actions: &mut Vec<Action>,
) {
    let o = view.opened;
    let m = &o.bundle.manifest;
    ui.horizontal(|ui| {
        if ui.button("← 返回收件台").clicked() {
            actions.push(Action::Desk(DeskAction::Back));
        }
    });
    ui.heading(format!("{} 的材料包（只读）", m.unit.name));
    ui.label(RichText::new(&m.campaign.title).color(widgets::GREY));
    facts(ui, o);
    verdict_and_actions(ui, view, actions);
    ui.separator();
    contents(ui, o, previews, actions);
}

/// Who sent it, when, how big, how much.
fn facts(ui: &mut Ui, o: &Opened) {
    let m = &o.bundle.manifest;
    egui::Grid::new("bundle-facts")
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let received = o
                .bundle
                .received
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "时间不明".into());
            let late = o.bundle.received.is_some_and(|t| t > m.campaign.deadline);
            for (k, v) in [
                ("联系人", m.unit.contact_person.clone()),
                ("联系电话", m.unit.phone.clone()),
                (
                    "材料包",
                    format!(
                        "{}（{}）",
                        display_name(&o.bundle.path),
                        human_bytes(o.bundle.bytes)
                    ),
                ),
                (
                    "收到时间",
                    format!("{received}{}", if late { "（逾期）" } else { "" }),
                ),
                (
                    "材料日期",
                    m.draft.updated_at.format("%Y-%m-%d %H:%M").to_string(),
                ),
                (
                    "数量",
                    format!(
                        "活动 {} 项，图片 {}，视频 {}，文件 {}，链接 {}",
                        m.totals.activities,
                        m.totals.photos,
                        m.totals.videos,
                        m.totals.documents,
                        m.totals.links
                    ),
                ),
            ] {
                ui.label(RichText::new(k).color(widgets::GREY));
                ui.label(v);
                ui.end_row();
            }
        });
}

/// The integrity check's verdict, 导出汇总文档, 导入为草稿 and what came of them.
fn verdict_and_actions(ui: &mut Ui, view: &BundleView<'_>, actions: &mut Vec<Action>) {
    let o = view.opened;
    let damaged = o.verdict.damaged();
    if damaged == 0 {
        widgets::notice_box(ui, widgets::GREEN, |ui| {
            ui.label(format!(
                "✓ 核对完毕：全部 {} 个文件与清单的校验值一致。",
                o.verdict.files.len()
            ));
        });
    } else {
        widgets::notice_box(ui, widgets::RED, |ui| {
            ui.label(
                RichText::new(format!(
                    "× 核对发现 {damaged} 个文件与清单不符（已标红）。这个材料包不完整或被改动过，请让报送单位重新报送。"
                ))
                .strong(),
            );
        });
    }
    ui.horizontal(|ui| {
        let busy = view.busy.is_some();
        if ui
            .add_enabled(!busy, egui::Button::new("导出汇总文档…"))
            .on_hover_text("材料包中的汇总.html，可用浏览器打开并打印")
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::ExportSummary));
        }
        if ui
            .add_enabled(!busy && damaged == 0, egui::Button::new("导入为草稿"))
            .on_hover_text("作为一份新草稿导入本机，可修改后重新报送")
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::Import));
        }
    });
    if let Some(b) = &view.busy {
        busy_line(ui, b, actions);
    }
    if let Some(id) = view.imported
        && ui.button("打开导入的草稿").clicked()
    {
        actions.push(Action::Desk(DeskAction::OpenImported(id.clone())));
    }
}

/// The pillars, items and activities as the clerk filled them, with their materials.
fn contents(ui: &mut Ui, o: &Opened, previews: &mut Previews, actions: &mut Vec<Action>) {
    let m = &o.bundle.manifest;
    egui::ScrollArea::vertical()
        .id_salt(("desk-bundle", &o.bundle.path))
        .auto_shrink(false)
        .show(ui, |ui| {
            for pillar in &m.pillars {
                ui.add_space(6.0);
                ui.label(RichText::new(&pillar.heading).heading());
                for item in &pillar.items {
                    ui.add_space(4.0);
                    ui.label(RichText::new(format!("{} {}", item.number, item.title)).strong());
                    if item.not_carried_out {
                        ui.colored_label(widgets::AMBER, format!("未开展：{}", item.reason));
                        continue;
                    }
                    for activity in &item.activities {
                        egui::Frame::group(ui.style()).show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.label(RichText::new(&activity.title).strong());
                            egui::Grid::new(("activity", &activity.id, &item.id))
                                .spacing([12.0, 2.0])
                                .show(ui, |ui| {
                                    for (k, v) in [
                                        ("日期", &activity.date),
                                        ("地点", &activity.place),
                                        ("主办单位", &activity.organiser),
                                        ("参与人数", &activity.participants),
                                    ] {
                                        ui.label(RichText::new(k).color(widgets::GREY));
                                        ui.label(v.as_str());
                                        ui.end_row();
                                    }
                                });
                            ui.label(&activity.summary);
                            attachments(ui, o, &activity.attachments, previews, actions);
                        });
                    }
                }
            }
            if !m.general.is_empty() {
                ui.add_space(6.0);
                ui.label(RichText::new("综合材料").heading());
                attachments(ui, o, &m.general, previews, actions);
            }
        });
}

const PICTURE: egui::Vec2 = egui::vec2(120.0, 90.0);

fn attachments(
    ui: &mut Ui,
    o: &Opened,
    list: &[AttachmentEntry],
    previews: &mut Previews,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        for a in list {
            ui.allocate_ui_with_layout(
                egui::vec2(180.0, 170.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(168.0);
                        attachment(ui, o, a, previews, actions);
                    });
                },
            );
        }
    });
}

fn attachment(
    ui: &mut Ui,
    o: &Opened,
    a: &AttachmentEntry,
    previews: &mut Previews,
    actions: &mut Vec<Action>,
) {
    let Some(path) = &a.path else {
        // A link.
        ui.label(RichText::new(a.platform.as_deref().unwrap_or("链接")).strong());
        let title = a.title.clone().unwrap_or_default();
        ui.add(
            egui::Label::new(if title.is_empty() {
                a.url.clone().unwrap_or_default()
            } else {
                title
            })
            .wrap(),
        );
        ui.add(
            egui::Label::new(
                RichText::new(a.url.as_deref().unwrap_or_default())
                    .small()
                    .color(widgets::GREY),
            )
            .truncate(),
        );
        if !a.caption.is_empty() {
            ui.label(RichText::new(&a.caption).italics());
        }
        return;
    };
    let name = a.original_name.clone().unwrap_or_else(|| path.clone());
    match o.visual.get(path).and_then(|v| v.file().map(|f| (v, f))) {
        Some((_, file)) => {
            let preview = previews.thumbnail(file, &o.files_dir.join(&file.stored_name));
            let (rect, response) = ui.allocate_exact_size(PICTURE, egui::Sense::click());
            paint_preview(&ui.painter_at(rect), rect, &preview, file);
            let label = crate::gui::materials::tile_label("查看", &name, &preview);
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, label.as_str())
            });
            if response.clicked() {
                actions.push(Action::Desk(DeskAction::View(path.clone())));
            }
        }
        None => {
            let (rect, _) = ui.allocate_exact_size(PICTURE, egui::Sense::hover());
            let painter = ui.painter_at(rect);
            painter.rect_filled(rect, 4.0, Color32::from_gray(235));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                a.format.as_deref().unwrap_or("文件").to_ascii_uppercase(),
                egui::FontId::proportional(22.0),
                widgets::GREY,
            );
        }
    }
    ui.add(egui::Label::new(name.as_str()).truncate());
    if !a.caption.is_empty() {
        ui.add(egui::Label::new(RichText::new(&a.caption).italics()).truncate());
    }
    if let Some(v) = o.visual.get(path).and_then(|v| v.file()) {
        ui.label(RichText::new(describe(v)).small().color(widgets::GREY));
    } else if let Some(bytes) = a.bytes {
        ui.label(
            RichText::new(human_bytes(bytes))
                .small()
                .color(widgets::GREY),
        );
    }
    let state = o
        .verdict
        .state_of(path)
        .cloned()
        .unwrap_or(FileState::Unreadable("未核对".into()));
    let label = state.label();
    let shown = ui.add(
        egui::Label::new(
            RichText::new(label.as_str())
                .small()
                .color(state_colour(&state)),
        )
        .wrap(),
    );
    let full = format!("{name}：{label}");
    shown.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, full.as_str()));
}

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

use super::{Busy, DeskForm, ReturnForm, busy_line};
use crate::core::desk::tally::{Received, Row, review_for};
use crate::core::review::{Body, Message, Note, Verdict};

/// What the opened bundle's screen shows.
pub struct BundleView<'a> {
    pub opened: &'a Opened,
    /// The draft the last 导入为草稿 made, offered to open.
    pub imported: Option<&'a crate::core::draft::DraftId>,
    pub busy: Option<Busy>,
    pub campaign: &'a crate::core::campaign::Campaign,
    /// What the desk has published, with when each was seen (the latest review of this bundle
    /// is shown).
    pub reviews: &'a [(Message, Option<String>)],
    /// The unit's line in the table: its other versions.
    pub row: Option<&'a Row>,
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
    form: &mut DeskForm,
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
    review_panel(ui, view, form, actions);
    versions(ui, view, actions);
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

/// 审核: the department's latest word on this bundle, and 通过 / 退回修改… / 已阅.
fn review_panel(
    ui: &mut Ui,
    view: &BundleView<'_>,
    form: &mut DeskForm,
    actions: &mut Vec<Action>,
) {
    let o = view.opened;
    let busy = view.busy.is_some();
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("审核").strong());
        let mine = view.row.and_then(|r| {
            std::iter::once(r.latest.as_ref())
                .flatten()
                .chain(r.earlier.iter())
                .find(|e| e.path == o.bundle.path)
        });
        match mine.and_then(|r| {
            review_for(
                r,
                &view.row.map(|r| r.unit.clone()).unwrap_or_default(),
                view.reviews.iter().map(|(m, _)| m),
            )
        }) {
            Some(m) => {
                ui.label(
                    RichText::new(format!(
                        "{}（{}）",
                        m.headline(),
                        crate::core::dates::chinese_date_time(m.issued_at)
                    ))
                    .color(match m.verdict() {
                        Some(Verdict::Passed) => widgets::GREEN,
                        Some(Verdict::Returned) => widgets::RED,
                        _ => widgets::GREY,
                    }),
                );
            }
            None => {
                ui.label(RichText::new("待审核").color(widgets::GREY));
            }
        }
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(!busy, egui::Button::new("通过")).clicked() {
            actions.push(Action::Desk(DeskAction::ReviewOpened(Verdict::Passed)));
        }
        if ui
            .add_enabled(
                !busy && form.returning.is_none(),
                egui::Button::new("退回修改…"),
            )
            .clicked()
        {
            form.returning = Some(ReturnForm::default());
        }
        if ui.add_enabled(!busy, egui::Button::new("已阅")).clicked() {
            actions.push(Action::Desk(DeskAction::ReviewOpened(Verdict::Read)));
        }
        ui.label(
            RichText::new("审核结果签名后经报送服务器只发给该单位，对方程序中可见。")
                .small()
                .color(widgets::GREY),
        );
    });
    return_form(ui, view, form, busy, actions);
}

/// 退回修改: the reason, notes on items or activities, 发送退回意见.
fn return_form(
    ui: &mut Ui,
    view: &BundleView<'_>,
    form: &mut DeskForm,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    let Some(r) = &mut form.returning else {
        return;
    };
    let m = &view.opened.bundle.manifest;
    let mut close = false;
    widgets::notice_box(ui, widgets::RED, |ui| {
        ui.label(RichText::new("退回修改").strong().color(widgets::RED));
        let label = ui.label("退回理由");
        ui.add(
            egui::TextEdit::multiline(&mut r.reason)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("如：缺少活动视频，参与人数与报道不符"),
        )
        .labelled_by(label.id);
        // The notes so far.
        let mut remove = None;
        for (i, n) in r.notes.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("· {}", n.line()));
                if ui.small_button("删除").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            r.notes.remove(i);
        }
        // One more: which item (and activity), what.
        let items: Vec<(String, String, Vec<String>)> = view
            .campaign
            .pillars
            .iter()
            .flat_map(|p| {
                p.items.iter().map(move |it| {
                    let sent: Vec<String> = m
                        .pillars
                        .iter()
                        .flat_map(|e| &e.items)
                        .find(|e| e.id == it.id.as_str())
                        .map(|e| e.activities.iter().map(|a| a.id.clone()).collect())
                        .unwrap_or_default();
                    (
                        it.id.to_string(),
                        format!("{}、{} {}", p.number, it.number, it.title),
                        sent,
                    )
                })
            })
            .collect();
        if r.item.is_empty()
            && let Some((id, _, _)) = items.first()
        {
            r.item.clone_from(id);
        }
        let current = items.iter().find(|(id, _, _)| *id == r.item);
        ui.horizontal_wrapped(|ui| {
            let item_label = ui.label("意见所在事项");
            let picked_item = egui::ComboBox::from_id_salt("return-note-item")
                .selected_text(current.map(|(_, l, _)| l.as_str()).unwrap_or(""))
                .width(320.0)
                .show_ui(ui, |ui| {
                    for (id, label, _) in &items {
                        if ui.selectable_label(r.item == *id, label).clicked() {
                            r.item.clone_from(id);
                            r.activity = 0;
                        }
                    }
                });
            picked_item.response.labelled_by(item_label.id);
            let sent = current.map_or(0, |(_, _, a)| a.len());
            let picked_activity = egui::ComboBox::from_id_salt("return-note-activity")
                .selected_text(if r.activity == 0 {
                    "整个事项".to_string()
                } else {
                    format!("活动{}", r.activity)
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut r.activity, 0, "整个事项");
                    for k in 1..=sent {
                        ui.selectable_value(&mut r.activity, k, format!("活动{k}"));
                    }
                });
            picked_activity.response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "意见所在活动")
            });
        });
        ui.horizontal(|ui| {
            let label = ui.label("意见");
            ui.add(
                egui::TextEdit::singleline(&mut r.text)
                    .desired_width(420.0)
                    .hint_text("如：请补充活动视频"),
            )
            .labelled_by(label.id);
            if ui
                .add_enabled(!r.text.trim().is_empty(), egui::Button::new("添加意见"))
                .clicked()
                && let Some((id, label, sent)) = current
            {
                let place = label.split(' ').next().unwrap_or_default().to_string();
                r.notes.push(Note {
                    item: id.clone(),
                    item_label: place,
                    activity: r.activity.checked_sub(1).and_then(|k| sent.get(k)).cloned(),
                    activity_label: if r.activity == 0 {
                        String::new()
                    } else {
                        format!("活动{}", r.activity)
                    },
                    text: r.text.trim().to_string(),
                });
                r.text.clear();
            }
        });
        ui.horizontal(|ui| {
            let ready = !r.reason.trim().is_empty() || !r.notes.is_empty();
            if ui
                .add_enabled(!busy && ready, egui::Button::new("发送退回意见"))
                .on_disabled_hover_text("写明退回理由，或至少添加一条意见")
                .clicked()
            {
                actions.push(Action::Desk(DeskAction::ReviewOpened(Verdict::Returned)));
            }
            if ui.button("取消").clicked() {
                close = true;
            }
        });
    });
    if close {
        form.returning = None;
    }
}

/// 本单位的各版本: every bundle of the unit, oldest first, the latest counted, each openable
/// with the department's word on it.
fn versions(ui: &mut Ui, view: &BundleView<'_>, actions: &mut Vec<Action>) {
    let Some(row) = view.row.filter(|r| r.copies > 1) else {
        return;
    };
    ui.add_space(6.0);
    ui.label(RichText::new(format!("{}的各版本（按最后一份统计）", row.unit)).strong());
    let all: Vec<(&Received, bool)> = row
        .earlier
        .iter()
        .map(|e| (e, false))
        .chain(row.latest.iter().map(|l| (l, true)))
        .collect();
    for (n, (r, counted)) in all.into_iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let said = review_for(r, &row.unit, view.reviews.iter().map(|(m, _)| m))
                .map(|m| match &m.body {
                    Body::Review { notes, .. } if !notes.is_empty() => {
                        format!("{}；{} 条意见", m.headline(), notes.len())
                    }
                    _ => m.headline(),
                })
                .unwrap_or_else(|| "待审核".into());
            ui.label(format!(
                "第{}份　收到 {}　{}　{}{}",
                n + 1,
                crate::core::desk::tally::when(&r.received),
                human_bytes(r.bytes),
                said,
                if counted { "　（计入）" } else { "" }
            ));
            if r.path != view.opened.bundle.path {
                let open = ui.small_button("打开");
                let name = format!("打开第{}份", n + 1);
                open.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str())
                });
                if open.clicked() {
                    actions.push(Action::Desk(DeskAction::Open(r.path.clone())));
                }
            }
        });
    }
}

//! 收件台, the receiving desk of the city federation's publicity department: a folder of
//! bundles (the intake's store, a download folder, a USB stick) tallied against the campaign's
//! units — 报送情况汇总, units that have not reported first, 导出 Excel, 核对全部材料包 — and one
//! bundle opened read-only: its pillars, items and activities as the clerk filled them, the
//! thumbnails and the viewer, every file marked ✓ or × against the manifest, 导出汇总文档 and
//! 导入为草稿. Nothing here edits a bundle.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egui::{Color32, RichText, TextEdit, Ui};

use super::materials::{describe, paint_preview};
use super::previews::Previews;
use super::state::{Action, DeskAction, Screen};
use super::widgets;
use crate::core::bundle::AttachmentEntry;
use crate::core::desk::opened::Opened;
use crate::core::desk::tally::Tally;
use crate::core::desk::verify::{FileState, Verdict};
use crate::core::media::display_name;
use crate::core::units::human_bytes;
use crate::jobs::JobProgress;

/// The folder field.
#[derive(Debug, Default)]
pub struct DeskForm {
    pub folder: String,
}

/// Work under way, as the screen shows it.
pub struct Busy {
    pub label: String,
    pub progress: JobProgress,
    pub cancellable: bool,
}

pub struct DeskView<'a> {
    pub tally: Option<&'a Tally>,
    /// The folder the table is of.
    pub read_from: Option<&'a Path>,
    pub verdicts: &'a HashMap<PathBuf, Verdict>,
    pub busy: Option<Busy>,
}

fn busy_line(ui: &mut Ui, busy: &Busy, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.spinner();
        let p = &busy.progress;
        let stage = if p.stage.is_empty() {
            busy.label.as_str()
        } else {
            p.stage.as_str()
        };
        if p.total > 0 {
            let fraction = p.done as f32 / p.total as f32;
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(240.0)
                    .text(format!("{stage} {:.0}%", fraction * 100.0)),
            );
        } else {
            ui.label(stage);
        }
        if busy.cancellable && ui.button("取消").clicked() {
            actions.push(Action::Desk(DeskAction::Cancel));
        }
    });
}

pub fn desk_ui(ui: &mut Ui, view: &DeskView<'_>, form: &mut DeskForm, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if ui.button("← 返回设置与帮助").clicked() {
            actions.push(Action::GoTo(Screen::Settings));
        }
    });
    ui.heading("收件台");
    ui.label(
        RichText::new(
            "市妇联宣传部使用：汇总各单位报送的材料包，查看、核对、导出 Excel。材料包只读打开，不会被修改。",
        )
        .color(widgets::GREY),
    );
    ui.add_space(6.0);
    let busy = view.busy.is_some();
    folder_row(ui, form, busy, actions);
    if let Some(b) = &view.busy {
        busy_line(ui, b, actions);
    }
    let Some(t) = view.tally else {
        return;
    };
    ui.add_space(8.0);
    ui.heading("报送情况汇总");
    if let Some(folder) = view.read_from {
        ui.label(RichText::new(format!("文件夹：{}", folder.display())).color(widgets::GREY));
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("应报 {} 个单位", t.rows.len())).strong());
        ui.label(RichText::new(format!("已报 {}", t.reported())).color(widgets::GREEN));
        ui.label(RichText::new(format!("未报 {}", t.missing())).color(widgets::RED));
        ui.label(RichText::new(format!("逾期 {}", t.late())).color(widgets::AMBER));
        if let Some(d) = t.deadline {
            ui.label(
                RichText::new(format!("截止 {}", d.format("%Y-%m-%d %H:%M"))).color(widgets::GREY),
            );
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new("导出 Excel…"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::ExportXlsx));
        }
        let any = t.lines().any(|(r, _)| r.latest.is_some());
        if ui
            .add_enabled(!busy && any, egui::Button::new("核对全部材料包"))
            .on_hover_text("按清单的校验值逐个文件核对，检查材料包是否完整、是否被改动")
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::VerifyAll));
        }
    });
    ui.add_space(4.0);
    table(ui, t, view.verdicts, actions);
    for (path, why) in &t.unreadable {
        ui.colored_label(
            widgets::RED,
            format!("无法读取 {}：{why}", display_name(path)),
        );
    }
    for (path, why) in &t.doubtful {
        ui.colored_label(
            widgets::RED,
            format!("未计入 {}：{why}", display_name(path)),
        );
    }
    for (path, why) in &t.foreign {
        ui.colored_label(
            widgets::GREY,
            format!("已略过 {}：{why}", display_name(path)),
        );
    }
    for path in &t.in_progress {
        ui.colored_label(
            widgets::AMBER,
            format!("正在上传（未传完）：{}", display_name(path)),
        );
    }
    if !t.audit.is_empty() {
        egui::CollapsingHeader::new("接收记录（接收端日志）")
            .id_salt("desk-audit")
            .show(ui, |ui| {
                for (unit, lines) in &t.audit {
                    ui.label(egui::RichText::new(unit).strong());
                    for line in lines {
                        ui.label(format!("    {line}"));
                    }
                }
            });
    }
}

/// 材料包所在文件夹 [folder] 选择文件夹… 读取
fn folder_row(ui: &mut Ui, form: &mut DeskForm, busy: bool, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let label = ui.label("材料包所在文件夹");
        let field = ui
            .add(
                TextEdit::singleline(&mut form.folder)
                    .hint_text("接收服务器的存储文件夹、下载文件夹或 U 盘")
                    .desired_width(420.0),
            )
            .labelled_by(label.id);
        // Enter in the field reads the folder, as a person expects.
        if field.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && !busy
            && !form.folder.trim().is_empty()
        {
            actions.push(Action::Desk(DeskAction::Read));
        }
        if ui
            .add_enabled(!busy, egui::Button::new("选择文件夹…"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::PickFolder));
        }
        if ui
            .add_enabled(
                !busy && !form.folder.trim().is_empty(),
                egui::Button::new("读取"),
            )
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::Read));
        }
    });
}

/// The window's table: the Excel file's columns, the four kinds of material in one and the
/// pillars' activities in another (so it fits a laptop's screen), and 核对 and 打开.
fn table(ui: &mut Ui, t: &Tally, verdicts: &HashMap<PathBuf, Verdict>, actions: &mut Vec<Action>) {
    let numbers = t.pillar_numbers.join("/");
    let headers = [
        "序号".to_string(),
        "单位".into(),
        "报送情况".into(),
        "收到时间".into(),
        "是否按时".into(),
        format!("活动（板块{numbers}）"),
        "材料".into(),
        "材料包大小".into(),
        "联系人".into(),
        "联系电话".into(),
        "核对".into(),
        String::new(),
    ];
    egui::ScrollArea::both()
        .id_salt("desk-table")
        .auto_shrink([false, true])
        .max_height(ui.available_height() - 40.0)
        .show(ui, |ui| {
            egui::Grid::new("desk-table")
                .striped(true)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    for h in &headers {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (n, (row, typed)) in t.lines().enumerate() {
                        table_row(ui, n, row, typed, verdicts, actions);
                        ui.end_row();
                    }
                });
        });
}

/// One unit's line: who, whether and when, how much, the check, 打开.
fn table_row(
    ui: &mut Ui,
    n: usize,
    row: &crate::core::desk::tally::Row,
    typed: bool,
    verdicts: &HashMap<PathBuf, Verdict>,
    actions: &mut Vec<Action>,
) {
    ui.label((n + 1).to_string());
    ui.label(crate::core::desk::tally::unit_label(row, typed));
    let Some(r) = &row.latest else {
        ui.colored_label(widgets::RED, "未报送");
        for _ in 0..9 {
            ui.label("");
        }
        return;
    };
    ui.colored_label(widgets::GREEN, "已报送");
    ui.label(crate::core::desk::tally::when(&r.received));
    match crate::core::desk::tally::timeliness(row) {
        "逾期" => ui.colored_label(widgets::RED, "逾期"),
        "按时" => ui.colored_label(widgets::GREEN, "按时"),
        other => ui.label(other),
    };
    let per: Vec<String> = r.per_pillar.iter().map(|p| p.to_string()).collect();
    ui.label(format!("{}（{}）", r.activities, per.join("/")));
    ui.label(format!(
        "图{} 视{} 文{} 链{}",
        r.photos, r.videos, r.documents, r.links
    ))
    .on_hover_text(format!(
        "图片 {}，视频 {}，文件 {}，链接 {}",
        r.photos, r.videos, r.documents, r.links
    ));
    ui.label(human_bytes(r.bytes));
    ui.label(r.contact_person.as_str());
    ui.label(r.phone.as_str());
    match verdicts.get(&r.path) {
        Some(v) if v.intact() => ui.colored_label(widgets::GREEN, "✓ 完好"),
        Some(v) => ui.colored_label(widgets::RED, format!("× {} 个文件有问题", v.damaged())),
        None => ui.colored_label(widgets::GREY, "未核对"),
    };
    let open = ui.button("打开");
    let name = format!("打开{}的材料包", row.unit);
    open.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str()));
    if open.clicked() {
        actions.push(Action::Desk(DeskAction::Open(r.path.clone())));
    }
    if row.copies > 1 {
        ui.label(
            RichText::new(format!("共收到{}份，按最后一份", row.copies))
                .small()
                .color(widgets::GREY),
        );
    }
}

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
            let label = super::materials::tile_label("查看", &name, &preview);
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

//! 图片、视频和材料: the materials of one activity (or of 综合材料) — added by the file dialog or
//! by dropping files on the section, copied in on a job with a progress bar and 取消 — as a grid
//! of tiles: thumbnail or icon, name, what it is, 已移除位置信息, a caption, 前移 / 后移, 打开,
//! 所在文件夹, 移除 (restorable below). Links to new-media posts are added with their platform
//! recognised. With many materials only the rows on screen are laid out.

use std::path::Path;

use egui::{RichText, Ui, Vec2};

use super::previews::{Preview, Previews};
use super::state::{Action, FormState, MaterialAction};
use super::widgets;
use crate::core::draft::{Attachment, FileKind, Material, Place, RemovedAttachment, StoredFile};
use crate::core::media::links::parse_link;
use crate::core::media::video::duration_label;
use crate::core::units::human_bytes;
use crate::core::validate::Target;
use crate::jobs::JobProgress;

const TILE: Vec2 = Vec2::new(176.0, 292.0);
const PICTURE: Vec2 = Vec2::new(164.0, 123.0);
/// With more materials than this, the grid scrolls on its own and lays out only what shows.
const MANY: usize = 12;

/// An import running on a place.
#[derive(Debug, Clone)]
pub struct ImportStatus {
    pub job: u64,
    pub place: Place,
    pub progress: JobProgress,
}

/// What the materials sections need besides the draft.
pub struct MaterialsCtx<'a> {
    /// The draft's `files/`.
    pub files_dir: &'a Path,
    pub imports: &'a [ImportStatus],
    pub previews: &'a mut Previews,
    /// Where files dropped on the window go: each section's rectangle.
    pub zones: &'a mut Vec<(egui::Rect, Place)>,
    pub editable: bool,
}

/// The form for 添加新媒体链接, kept per section in egui's memory.
#[derive(Debug, Clone, Default)]
struct LinkForm {
    open: bool,
    url: String,
    title: String,
    error: Option<String>,
}

/// One section. Returns true when the draft was edited (a caption, an order).
#[allow(clippy::too_many_arguments)]
pub fn materials_ui(
    ui: &mut Ui,
    place: &Place,
    list: &mut [Attachment],
    removed: &[&RemovedAttachment],
    form: &mut FormState,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut edited = false;
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    let frame = egui::Frame::group(ui.style()).stroke(if hovering {
        egui::Stroke::new(2.0, widgets::GREEN)
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    });
    let response = frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        header(ui, place, list.len(), form, cx, actions);
        link_form(ui, place, actions);
        for import in cx.imports.iter().filter(|i| &i.place == place) {
            import_progress(ui, import, actions);
        }
        if list.is_empty() {
            ui.label(
                RichText::new("还没有材料。可点上面的按钮添加，或把文件从文件夹拖到这里。")
                    .color(widgets::GREY)
                    .small(),
            );
        } else {
            edited |= grid(ui, place, list, form, cx, actions);
        }
        removed_list(ui, removed, actions);
    });
    cx.zones.push((response.response.rect, place.clone()));
    edited
}

fn header(
    ui: &mut Ui,
    place: &Place,
    count: usize,
    form: &mut FormState,
    cx: &MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("图片、视频和材料（{count}）")).strong());
        ui.add_enabled_ui(cx.editable, |ui| {
            let add = ui.button("添加图片/视频/文件…");
            if add.clicked() {
                actions.push(Action::Materials(MaterialAction::PickFiles(place.clone())));
            }
            if let Place::Activity {
                item_id,
                activity_id,
            } = place
            {
                form.take_focus(
                    &Target::ActivityMaterials {
                        item_id: item_id.clone(),
                        activity_id: activity_id.clone(),
                    },
                    &add,
                );
            }
            if ui.button("添加新媒体链接").clicked() {
                let id = link_form_id(place);
                ui.data_mut(|d| {
                    let f: &mut LinkForm = d.get_temp_mut_or_default(id);
                    f.open = !f.open;
                });
            }
        });
        ui.label(
            RichText::new("也可以把文件拖到这里")
                .small()
                .color(widgets::GREY),
        );
    });
}

fn link_form_id(place: &Place) -> egui::Id {
    egui::Id::unique(("link-form", place))
}

fn link_form(ui: &mut Ui, place: &Place, actions: &mut Vec<Action>) {
    let id = link_form_id(place);
    let mut f: LinkForm = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    if !f.open {
        return;
    }
    egui::Frame::group(ui.style()).show(ui, |ui| {
        let label = ui.label("链接地址");
        ui.add(
            egui::TextEdit::singleline(&mut f.url)
                .hint_text("粘贴微信公众号、视频号、抖音、微博等“分享”复制的链接")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        let label = ui.label("标题（可不填）");
        ui.add(egui::TextEdit::singleline(&mut f.title).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if let Some(e) = &f.error {
            widgets::problem_line(ui, e);
        }
        ui.horizontal(|ui| {
            if ui.button("添加链接").clicked() {
                match parse_link(&f.url, &f.title) {
                    Ok(link) => {
                        actions.push(Action::Materials(MaterialAction::AddLink {
                            place: place.clone(),
                            link,
                        }));
                        f = LinkForm::default();
                    }
                    Err(e) => f.error = Some(e.user_message()),
                }
            }
            if ui.button("取消").clicked() {
                f = LinkForm::default();
            }
        });
    });
    ui.data_mut(|d| d.insert_temp(id, f));
}

fn import_progress(ui: &mut Ui, import: &ImportStatus, actions: &mut Vec<Action>) {
    let p = &import.progress;
    ui.horizontal(|ui| {
        let fraction = if p.total > 0 {
            p.done as f32 / p.total as f32
        } else {
            0.0
        };
        let text = if p.total > 0 {
            format!(
                "{}　{}%（{} / {}）",
                p.stage,
                (fraction * 100.0).round(),
                human_bytes(p.done),
                human_bytes(p.total)
            )
        } else {
            format!(
                "{}…",
                if p.stage.is_empty() {
                    "正在准备"
                } else {
                    &p.stage
                }
            )
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(ui.available_width() - 80.0)
                .text(text),
        );
        if ui.button("取消").clicked() {
            actions.push(Action::Materials(MaterialAction::CancelImport(import.job)));
        }
    });
}

fn grid(
    ui: &mut Ui,
    place: &Place,
    list: &mut [Attachment],
    form: &mut FormState,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> bool {
    let per_row = ((ui.available_width() / (TILE.x + 8.0)).floor() as usize).max(1);
    let count = list.len();
    let rows = count.div_ceil(per_row);
    let many = count > MANY;
    let mut edited = false;
    let mut movement: Option<(usize, usize)> = None;
    let mut draw_rows = |ui: &mut Ui, range: std::ops::Range<usize>| {
        for row in range {
            ui.horizontal_top(|ui| {
                let first = row * per_row;
                let in_row = list.iter_mut().enumerate().skip(first).take(per_row);
                for (i, attachment) in in_row {
                    let (changed, moved) = tile(ui, place, i, count, attachment, form, cx, actions);
                    edited |= changed;
                    movement = movement.or(moved);
                }
            });
        }
    };
    if many {
        // The page scrolls as one (a scroll box of its own showed ~60 px of tiles at 768 px and
        // took hundreds of wheel clicks); rows off the screen keep their place but are not drawn
        // (their previews are not asked for: the textures stay bounded).
        let row_height = TILE.y + 6.0;
        let width = ui.available_width();
        for row in 0..rows {
            let (rect, _) =
                ui.allocate_exact_size(egui::vec2(width, row_height), egui::Sense::hover());
            if ui.is_rect_visible(rect) {
                ui.scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
                    draw_rows(ui, row..row + 1);
                });
            }
        }
    } else {
        draw_rows(ui, 0..rows);
    }
    if let Some((a, b)) = movement {
        list.swap(a, b);
        edited = true;
    }
    edited
}

/// One tile; returns (caption edited, a swap asked for).
#[allow(clippy::too_many_arguments)]
fn tile(
    ui: &mut Ui,
    place: &Place,
    index: usize,
    count: usize,
    attachment: &mut Attachment,
    form: &mut FormState,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> (bool, Option<(usize, usize)>) {
    let mut edited = false;
    let mut moved = None;
    let target = Target::Attachment {
        place: place.clone(),
        attachment_id: attachment.id.clone(),
    };
    ui.allocate_ui_with_layout(TILE, egui::Layout::top_down(egui::Align::Min), |ui| {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(TILE.x - 12.0);
            ui.set_min_height(TILE.y - 12.0);
            let name = match &attachment.material {
                Material::File(file) => file_face(ui, place, attachment, file, cx, actions),
                Material::Link(link) => {
                    let (w, h) = (PICTURE.x, PICTURE.y);
                    let (rect, _) = ui.allocate_exact_size(egui::vec2(w, h), egui::Sense::hover());
                    ui.painter()
                        .rect_filled(rect, 6.0, egui::Color32::from_rgb(0xE8, 0xF0, 0xFA));
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        &link.platform,
                        egui::FontId::proportional(20.0),
                        widgets::GREY,
                    );
                    let name = ui
                        .add(egui::Label::new(attachment.display_name()).truncate())
                        .on_hover_text(&link.url);
                    ui.add(
                        egui::Label::new(RichText::new(&link.url).small().color(widgets::GREY))
                            .truncate(),
                    );
                    name
                }
            };
            if let Some(p) = form.shown_problem(&target) {
                widgets::problem_line(ui, p);
            }
            let label_text = if attachment.kind() == Some(FileKind::Photo) {
                "图片说明"
            } else {
                "说明"
            };
            // Screen readers (and tests) hear the caption as the file's: it is labelled by the
            // file's name above it.
            let caption = ui
                .add_enabled(
                    cx.editable,
                    egui::TextEdit::singleline(&mut attachment.caption)
                        .hint_text(label_text)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(name.id)
                .on_hover_text(label_text);
            form.take_focus(&target, &caption);
            edited |= caption.changed();
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = 4.0;
                ui.add_enabled_ui(cx.editable, |ui| {
                    if index > 0 && ui.small_button("前移").clicked() {
                        moved = Some((index, index - 1));
                    }
                    if index + 1 < count && ui.small_button("后移").clicked() {
                        moved = Some((index, index + 1));
                    }
                });
                match &attachment.material {
                    Material::File(f) => {
                        let path = cx.files_dir.join(&f.stored_name);
                        if ui.small_button("打开").clicked() {
                            actions.push(Action::Materials(MaterialAction::OpenFile(path.clone())));
                        }
                        if ui.small_button("所在文件夹").clicked() {
                            actions.push(Action::Materials(MaterialAction::ShowInFolder(path)));
                        }
                    }
                    Material::Link(l) => {
                        if ui.small_button("打开链接").clicked() {
                            actions
                                .push(Action::Materials(MaterialAction::OpenLink(l.url.clone())));
                        }
                    }
                }
                ui.add_enabled_ui(cx.editable, |ui| {
                    if ui.small_button("移除").clicked() {
                        actions.push(Action::Materials(MaterialAction::RemoveAttachment {
                            place: place.clone(),
                            id: attachment.id.clone(),
                        }));
                    }
                });
            });
        });
    });
    (edited, moved)
}

/// A tile's accessible label: `查看：合影.jpg`; a file without a preview says so to a screen
/// reader (and to the tests) too: `查看：合影.jpg · 无法预览（不影响报送）`.
pub fn tile_label(what: &str, name: &str, preview: &Preview) -> String {
    match preview {
        Preview::Failed(why) if !why.is_empty() => {
            format!("{what}：{name} · {}", crate::core::media::NO_PREVIEW)
        }
        _ => format!("{what}：{name}"),
    }
}

/// The picture (or icon) of a file, its name and what it is; returns the name's label.
fn file_face(
    ui: &mut Ui,
    place: &Place,
    attachment: &Attachment,
    file: &StoredFile,
    cx: &mut MaterialsCtx<'_>,
    actions: &mut Vec<Action>,
) -> egui::Response {
    let path = cx.files_dir.join(&file.stored_name);
    let preview = cx.previews.thumbnail(file, &path);
    let (rect, response) = ui.allocate_exact_size(PICTURE, egui::Sense::click());
    paint_preview(&ui.painter_at(rect), rect, &preview, file);
    // The picture is a button: a photo or video opens in the viewer, a document with the system.
    let what = match file.kind {
        Some(FileKind::Photo | FileKind::Video) => "查看",
        _ => "打开",
    };
    let name = tile_label(what, &file.original_name, &preview);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str()));
    if response.clicked() {
        actions.push(match file.kind {
            Some(FileKind::Photo | FileKind::Video) => Action::Materials(MaterialAction::View {
                place: place.clone(),
                id: attachment.id.clone(),
            }),
            _ => Action::Materials(MaterialAction::OpenFile(path)),
        });
    }
    let response = response.on_hover_text(&file.original_name);
    if let Preview::Failed(why) = &preview
        && !why.is_empty()
    {
        response.on_hover_text(why.as_str());
    }
    let name = ui
        .add(egui::Label::new(&file.original_name).truncate())
        .on_hover_text(&file.original_name);
    ui.label(RichText::new(describe(file)).small().color(widgets::GREY));
    if file.location_removed {
        ui.label(
            RichText::new("已移除位置信息")
                .small()
                .color(widgets::GREEN),
        );
    }
    if file.location_kept {
        ui.label(
            RichText::new("未能移除位置信息")
                .small()
                .color(widgets::AMBER),
        )
        .on_hover_text(crate::core::draft::LOCATION_KEPT);
    }
    if let Some(w) = &file.info.warning {
        ui.add(egui::Label::new(RichText::new(w).small().color(widgets::AMBER)).truncate())
            .on_hover_text(w);
    }
    name
}

/// `JPEG 图片 · 4.2 MB · 4000×3000`, `视频 · 1分05秒 · 1920×1080`, `PDF · 3 页`.
/// A thumbnail (or what stands for it) painted into `rect`: the picture fitted, a ▶ on a video,
/// 正在生成预览…, 无法预览, or a document's format.
pub fn paint_preview(
    painter: &egui::Painter,
    rect: egui::Rect,
    preview: &Preview,
    file: &StoredFile,
) {
    painter.rect_filled(rect, 4.0, egui::Color32::from_gray(235));
    match preview {
        Preview::Ready(texture) => {
            let size = texture.size_vec2();
            let scale = (rect.width() / size.x).min(rect.height() / size.y);
            let shown = egui::Rect::from_center_size(rect.center(), size * scale);
            painter.image(
                texture.id(),
                shown,
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                egui::Color32::WHITE,
            );
            if file.kind == Some(FileKind::Video) {
                painter.circle_filled(rect.center(), 18.0, egui::Color32::from_black_alpha(140));
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "▶",
                    egui::FontId::proportional(18.0),
                    egui::Color32::WHITE,
                );
            }
        }
        Preview::Loading => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "正在生成预览…",
                egui::FontId::proportional(12.0),
                widgets::GREY,
            );
        }
        Preview::Failed(why) => {
            let text = if why.is_empty() {
                "无法预览"
            } else {
                crate::core::media::NO_PREVIEW
            };
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                text,
                egui::FontId::proportional(12.0),
                widgets::AMBER,
            );
        }
        Preview::NotAPicture => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                file.format.to_ascii_uppercase(),
                egui::FontId::proportional(26.0),
                widgets::GREY,
            );
        }
    }
}

pub fn describe(file: &StoredFile) -> String {
    let mut parts = vec![
        match file.kind {
            Some(FileKind::Photo) => "图片".to_string(),
            Some(FileKind::Video) => "视频".to_string(),
            _ => file.format.to_ascii_uppercase(),
        },
        human_bytes(file.bytes),
    ];
    if let Some(ms) = file.info.duration_ms {
        parts.push(duration_label(ms));
    }
    if let (Some(w), Some(h)) = (file.info.width, file.info.height) {
        parts.push(format!("{w}×{h}"));
    }
    if let Some(pages) = file.info.pages {
        parts.push(format!("{pages} 页"));
    }
    parts.join(" · ")
}

fn removed_list(ui: &mut Ui, removed: &[&RemovedAttachment], actions: &mut Vec<Action>) {
    if removed.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "已移除的材料（{}），删除草稿前都可恢复：",
            removed.len()
        ))
        .small()
        .color(widgets::GREY),
    );
    for r in removed {
        ui.horizontal(|ui| {
            ui.label(RichText::new(r.attachment.display_name()).small());
            if ui.small_button("恢复").clicked() {
                actions.push(Action::Materials(MaterialAction::RestoreAttachment(
                    r.attachment.id.clone(),
                )));
            }
        });
    }
}

//! The large viewer: one photo (or a video's poster frame) at a time over the window — zoom
//! (buttons, the mouse wheel, a double click), pan (drag), previous and next (buttons, the arrow
//! keys), 关闭 (or Esc) — with what the file is: its size, when it was taken, 已移除位置信息, a
//! video's duration, resolution, frame rate and codec, and 用系统播放器播放.

use std::path::Path;

use egui::{Key, RichText, Ui, Vec2};

use super::materials::describe;
use super::previews::{Preview, Previews};
use super::state::{Action, MaterialAction};
use super::widgets;
use crate::core::draft::{Attachment, AttachmentId, FileKind, Place, StoredFile};

const MAX_ZOOM: f32 = 8.0;

#[derive(Debug, Clone, PartialEq)]
pub struct ViewerState {
    pub place: Place,
    pub id: AttachmentId,
    /// 1 = the whole picture fits.
    pub zoom: f32,
    pub pan: Vec2,
}

impl ViewerState {
    pub fn new(place: Place, id: AttachmentId) -> Self {
        Self {
            place,
            id,
            zoom: 1.0,
            pan: Vec2::ZERO,
        }
    }

    fn show(&mut self, id: AttachmentId) {
        self.id = id;
        self.zoom = 1.0;
        self.pan = Vec2::ZERO;
    }
}

/// The photos and videos among `list`, which the viewer steps through.
fn visual(list: &[Attachment]) -> Vec<(&Attachment, &StoredFile)> {
    list.iter()
        .filter(|a| a.is_photo_or_video())
        .filter_map(|a| a.file().map(|f| (a, f)))
        .collect()
}

pub fn viewer_ui(
    ctx: &egui::Context,
    state: &mut ViewerState,
    list: &[Attachment],
    files_dir: &Path,
    previews: &mut Previews,
    actions: &mut Vec<Action>,
) {
    let items = visual(list);
    let Some(index) = items.iter().position(|(a, _)| a.id == state.id) else {
        actions.push(Action::Materials(MaterialAction::CloseViewer));
        return;
    };
    let (attachment, file) = items[index];
    let screen = ctx.content_rect();
    let size = screen.size() - egui::vec2(80.0, 80.0);
    let modal = egui::Modal::new(egui::Id::unique("viewer")).show(ctx, |ui| {
        ui.set_width(size.x);
        ui.set_height(size.y);
        let step = controls(ui, state, index, items.len(), attachment, actions);
        let path = files_dir.join(&file.stored_name);
        picture(ui, state, file, &path, previews);
        details(ui, attachment, file, &path, actions);
        step
    });
    let keys = ctx.input(|i| {
        (
            i.key_pressed(Key::ArrowLeft),
            i.key_pressed(Key::ArrowRight),
            i.key_pressed(Key::Escape),
        )
    });
    let step = modal.inner.or(match keys {
        (true, _, _) => Some(-1),
        (_, true, _) => Some(1),
        _ => None,
    });
    if let Some(step) = step
        && let Some(next) = index.checked_add_signed(step).and_then(|i| items.get(i))
    {
        state.show(next.0.id.clone());
    }
    if keys.2 || modal.should_close() {
        actions.push(Action::Materials(MaterialAction::CloseViewer));
    }
}

/// The buttons across the top; returns a step (-1, +1) when one was asked for.
fn controls(
    ui: &mut Ui,
    state: &mut ViewerState,
    index: usize,
    count: usize,
    attachment: &Attachment,
    actions: &mut Vec<Action>,
) -> Option<isize> {
    let mut step = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new(attachment.display_name()).strong());
        ui.label(RichText::new(format!("第 {} / {} 个", index + 1, count)).color(widgets::GREY));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("关闭").clicked() {
                actions.push(Action::Materials(MaterialAction::CloseViewer));
            }
            if ui
                .add_enabled(index + 1 < count, egui::Button::new("下一张 →"))
                .clicked()
            {
                step = Some(1);
            }
            if ui
                .add_enabled(index > 0, egui::Button::new("← 上一张"))
                .clicked()
            {
                step = Some(-1);
            }
            if ui.button("适合窗口").clicked() {
                state.zoom = 1.0;
                state.pan = Vec2::ZERO;
            }
            if ui.button("缩小").clicked() {
                state.zoom = (state.zoom / 1.25).max(1.0);
            }
            if ui.button("放大").clicked() {
                state.zoom = (state.zoom * 1.25).min(MAX_ZOOM);
            }
            // Relative to the fitted picture: "100%" while fitted read as the photo's real size.
            let zoom = if state.zoom <= 1.0 {
                "当前：适合窗口".to_string()
            } else {
                format!("当前：适合窗口的 {:.0}%", state.zoom * 100.0)
            };
            ui.label(RichText::new(zoom).color(widgets::GREY));
        });
    });
    step
}

fn picture(
    ui: &mut Ui,
    state: &mut ViewerState,
    file: &StoredFile,
    path: &Path,
    previews: &mut Previews,
) {
    let area = egui::vec2(
        ui.available_width(),
        (ui.available_height() - 70.0).max(100.0),
    );
    let (rect, response) = ui.allocate_exact_size(area, egui::Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, egui::Color32::from_gray(30));
    // The large picture when it is ready; meanwhile the thumbnail, if there is one.
    let preview = match previews.large(file, path) {
        Preview::Ready(t) => Preview::Ready(t),
        other => match previews.thumbnail(file, path) {
            Preview::Ready(t) => Preview::Ready(t),
            _ => other,
        },
    };
    match preview {
        Preview::Ready(texture) => {
            if response.dragged() {
                state.pan += response.drag_delta();
            }
            if response.double_clicked() {
                state.zoom = if state.zoom > 1.0 { 1.0 } else { 2.0 };
                state.pan = Vec2::ZERO;
            }
            if response.hovered() {
                let scroll = ui.input(|i| i.smooth_scroll_delta.y);
                if scroll != 0.0 {
                    state.zoom = (state.zoom * (scroll * 0.002).exp()).clamp(1.0, MAX_ZOOM);
                }
            }
            let size = texture.size_vec2();
            let fit = (rect.width() / size.x).min(rect.height() / size.y);
            let shown = size * fit * state.zoom;
            let center = rect.center() + state.pan;
            painter.image(
                texture.id(),
                egui::Rect::from_center_size(center, shown),
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                egui::Color32::WHITE,
            );
        }
        Preview::Loading => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "正在打开…",
                egui::FontId::proportional(18.0),
                egui::Color32::LIGHT_GRAY,
            );
        }
        Preview::Failed(why) => {
            let why = if why.is_empty() {
                crate::core::media::NO_PREVIEW.to_string()
            } else {
                why
            };
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                why,
                egui::FontId::proportional(16.0),
                egui::Color32::LIGHT_GRAY,
            );
        }
        Preview::NotAPicture => {}
    }
    let name = format!("大图：{}", file.original_name);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, name.as_str()));
}

fn details(
    ui: &mut Ui,
    attachment: &Attachment,
    file: &StoredFile,
    path: &Path,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(describe(file));
        if let Some(fps) = file.info.frame_rate {
            ui.label(format!("{fps} 帧/秒"));
        }
        if let Some(codec) = &file.info.codec {
            ui.label(format!("编码 {codec}"));
        }
        if let Some(taken) = &file.info.taken_at {
            ui.label(format!("拍摄于 {taken}"));
        }
        if file.location_removed {
            ui.label(RichText::new("已移除位置信息").color(widgets::GREEN))
                .on_hover_text("拍摄位置已在复制时去除，原文件未改动");
        }
        if file.location_kept {
            ui.label(RichText::new(crate::core::draft::LOCATION_KEPT).color(widgets::AMBER));
        }
        if !attachment.caption.is_empty() {
            ui.label(format!("说明：{}", attachment.caption));
        }
    });
    if let Some(w) = &file.info.warning {
        ui.label(RichText::new(w).color(widgets::AMBER));
    }
    ui.horizontal(|ui| {
        if file.kind == Some(FileKind::Video) && ui.button("用系统播放器播放").clicked() {
            actions.push(Action::Materials(MaterialAction::OpenFile(
                path.to_path_buf(),
            )));
        }
        if file.kind == Some(FileKind::Photo) && ui.button("用系统程序打开").clicked() {
            actions.push(Action::Materials(MaterialAction::OpenFile(
                path.to_path_buf(),
            )));
        }
    });
}

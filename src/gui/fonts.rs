//! The bundled CJK font. egui's own fonts cover Latin only; without this every Chinese character
//! would be a box. `assets/fonts/NotoSansSC-baosong.otf` is a subset of Noto Sans CJK SC (SIL OFL,
//! licence beside it) covering all of GB2312 and every character of the bundled template and the
//! interface (`scripts/subset-font.py` makes it). Rarer characters — in people's names, say —
//! fall back to the system's fonts through eframe's system font provider.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

pub const CJK_FONT_NAME: &str = "NotoSansSC-baosong";
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-baosong.otf");

/// Install the CJK font first in both families, egui's defaults after it, a readable size, and
/// the light theme an office PC's other programs use.
pub fn install(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(FontData::from_static(CJK_FONT)),
    );
    if let Some(list) = fonts.families.get_mut(&FontFamily::Proportional) {
        list.insert(0, CJK_FONT_NAME.to_owned());
    }
    if let Some(list) = fonts.families.get_mut(&FontFamily::Monospace) {
        list.push(CJK_FONT_NAME.to_owned());
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        use egui::{FontId, TextStyle};
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(22.0)),
            (TextStyle::Body, FontId::proportional(15.0)),
            (TextStyle::Button, FontId::proportional(15.0)),
            (TextStyle::Small, FontId::proportional(12.0)),
            (TextStyle::Monospace, FontId::monospace(14.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}

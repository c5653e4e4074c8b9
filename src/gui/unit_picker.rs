//! 报送单位: a list of the campaign's 41 units that the clerk filters by typing (渝中 → 渝中区妇联)
//! and walks with the arrow keys from the unit already chosen; Enter or a click chooses. Moving
//! through the list never changes the unit — only choosing does.

use egui::{Key, Modifiers, RichText, Ui};

/// The entry that switches to typing the unit's name.
pub const TYPED_UNIT: &str = "其他单位（手动填写）";

/// What the clerk chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitChoice {
    Listed(String),
    Typed,
}

#[derive(Debug, Clone, Default)]
struct PickerState {
    open: bool,
    filter: String,
    /// Index into the filtered entries (the units, then 其他单位).
    highlight: Option<usize>,
    /// The filter field should take the focus (just opened).
    focus_filter: bool,
}

/// The picker: a button showing the current unit (labelled by `label`), and when open, a filter
/// field and the matching units. Returns the button's response (to focus on a jump) and the
/// clerk's choice, if one was made this frame.
pub fn unit_picker_ui(
    ui: &mut Ui,
    label: &egui::Response,
    current: &str,
    typed: bool,
    units: &[String],
) -> (egui::Response, Option<UnitChoice>) {
    let id = ui.make_persistent_id("unit-picker");
    let mut state: PickerState = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let shown = if typed {
        TYPED_UNIT
    } else if current.is_empty() {
        "请选择"
    } else {
        current
    };
    let button = ui
        .add(egui::Button::new(format!("{shown}  ▼")).min_size(egui::vec2(360.0, 0.0)))
        .labelled_by(label.id);
    if button.clicked() {
        state.open = !state.open;
        state.filter.clear();
        state.highlight = None;
        state.focus_filter = state.open;
    }
    let mut choice = None;
    if state.open {
        choice = list_ui(ui, &mut state, current, typed, units);
        if choice.is_some() {
            state.open = false;
        }
    }
    ui.data_mut(|d| d.insert_temp(id, state));
    (button, choice)
}

fn list_ui(
    ui: &mut Ui,
    state: &mut PickerState,
    current: &str,
    typed: bool,
    units: &[String],
) -> Option<UnitChoice> {
    let filter = state.filter.trim().to_string();
    let mut entries: Vec<(&str, UnitChoice)> = units
        .iter()
        .filter(|u| filter.is_empty() || u.contains(filter.as_str()))
        .map(|u| (u.as_str(), UnitChoice::Listed(u.clone())))
        .collect();
    entries.push((TYPED_UNIT, UnitChoice::Typed));
    let current_index = entries.iter().position(|(_, c)| match c {
        UnitChoice::Listed(u) => !typed && u == current,
        UnitChoice::Typed => typed,
    });
    let mut choice = None;
    let mut moved = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(360.0);
        let filter_id = ui.make_persistent_id("unit-filter");
        // The keys that move the list are taken before the field sees them.
        if ui.memory(|m| m.has_focus(filter_id)) {
            let (down, up, enter, escape) = ui.input_mut(|i| {
                (
                    i.consume_key(Modifiers::NONE, Key::ArrowDown),
                    i.consume_key(Modifiers::NONE, Key::ArrowUp),
                    i.consume_key(Modifiers::NONE, Key::Enter),
                    i.consume_key(Modifiers::NONE, Key::Escape),
                )
            });
            let last = entries.len().saturating_sub(1);
            let from = state.highlight.or(current_index);
            if down {
                state.highlight = Some(from.map_or(0, |i| (i + 1).min(last)));
            }
            if up {
                state.highlight = Some(from.map_or(0, |i| i.saturating_sub(1)));
            }
            moved = down || up;
            if enter {
                // With one match (typing 渝中 leaves 渝中区妇联 and 其他单位), Enter takes it.
                let pick = state.highlight.or((entries.len() == 2).then_some(0));
                choice = pick.and_then(|i| entries.get(i)).map(|(_, c)| c.clone());
            }
            if escape {
                state.open = false;
            }
        }
        let label = ui.label(RichText::new("输入单位名称中的字筛选：").small());
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut state.filter)
                    .id(filter_id)
                    .hint_text("如：渝中")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if edit.changed() {
            state.highlight = None;
        }
        if std::mem::take(&mut state.focus_filter) {
            edit.request_focus();
        }
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for (i, (name, c)) in entries.iter().enumerate() {
                    let marked = state.highlight.map_or(Some(i) == current_index, |h| h == i);
                    let text = if Some(i) == current_index {
                        RichText::new(*name).strong()
                    } else {
                        RichText::new(*name)
                    };
                    let r = ui.add(
                        egui::Button::selectable(marked, text)
                            .min_size(egui::vec2(ui.available_width(), 0.0)),
                    );
                    if marked && moved {
                        r.scroll_to_me(None);
                    }
                    if r.clicked() {
                        choice = Some(c.clone());
                    }
                }
                if entries.len() == 1 {
                    ui.label(RichText::new("没有名称中含此字的单位。").small());
                }
            });
    });
    choice
}

//! Shared set-up for the GUI tests: a harness on a data folder of the test's own, with the
//! bundled font, a fixed clock (so screenshots do not change with the day) and a file picker
//! the test controls.
#![allow(dead_code)]

pub mod drafts;
pub mod media;
pub mod peers;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use baosong::core::FixedClock;
use baosong::core::campaign::AttachmentRules;
use baosong::core::clock::{SystemTicker, Ticker};
use baosong::core::portable::PortableConfig;
use baosong::gui::{App, AppConfig, FilePicker, Picked, fonts};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

pub const NOW: &str = "2024-03-01T10:00:00+08:00";

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(NOW).expect("valid time"))
}

/// A file picker that answers what the test puts in it (and 取消 when nothing was put).
#[derive(Clone, Default)]
pub struct TestPicker(pub Rc<RefCell<Option<Picked<Vec<PathBuf>>>>>);

impl TestPicker {
    /// The next dialog chooses these files.
    pub fn choose(&self, paths: &[PathBuf]) {
        *self.0.borrow_mut() = Some(Picked::Chosen(paths.to_vec()));
    }

    /// The next dialog chooses this one file.
    pub fn choose_one(&self, path: &Path) {
        self.choose(&[path.to_path_buf()]);
    }

    /// The next dialog cannot be shown at all.
    pub fn fail(&self) {
        *self.0.borrow_mut() = Some(Picked::Unavailable("test: no dialog".into()));
    }

    fn next(&self) -> Picked<Vec<PathBuf>> {
        self.0.borrow_mut().take().unwrap_or(Picked::Cancelled)
    }

    fn next_one(&self) -> Picked<PathBuf> {
        match self.next() {
            Picked::Chosen(mut paths) if !paths.is_empty() => Picked::Chosen(paths.remove(0)),
            Picked::Chosen(_) | Picked::Cancelled => Picked::Cancelled,
            Picked::Unavailable(why) => Picked::Unavailable(why),
        }
    }
}

impl FilePicker for TestPicker {
    fn pick_units(&mut self) -> Picked<PathBuf> {
        self.next_one()
    }

    fn pick_notice(&mut self) -> Picked<PathBuf> {
        self.next_one()
    }

    fn pick_template(&mut self) -> Picked<PathBuf> {
        self.next_one()
    }

    fn save_diagnostics(&mut self, _default_name: &str) -> Picked<PathBuf> {
        self.next_one()
    }

    fn pick_attachments(&mut self, _rules: &AttachmentRules) -> Picked<Vec<PathBuf>> {
        self.next()
    }

    fn save_bundle(&mut self, _default_name: &str) -> Picked<PathBuf> {
        self.next_one()
    }

    fn pick_folder(&mut self) -> Picked<PathBuf> {
        self.next_one()
    }

    fn save_document(&mut self, _default_name: &str, _extension: &str) -> Picked<PathBuf> {
        self.next_one()
    }
}

/// The app's start-up, as the tests vary it.
pub struct Setup {
    pub picker: TestPicker,
    pub portable: Option<PortableConfig>,
    pub ticker: Arc<dyn Ticker>,
    pub upload: baosong::core::intake::upload::UploadOptions,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            picker: TestPicker::default(),
            portable: None,
            ticker: Arc::new(SystemTicker),
            upload: Default::default(),
        }
    }
}

pub fn app_with(data: &Path, setup: Setup) -> App {
    App::new(AppConfig {
        data_root: Some(data.to_path_buf()),
        template: None,
        clock: clock(),
        ticker: setup.ticker,
        picker: Box::new(setup.picker),
        portable: setup.portable,
        probe_exe: Some(PathBuf::from(env!("CARGO_BIN_EXE_baosong"))),
        preview_workers: 2,
        upload: setup.upload,
    })
}

pub fn app(data: &Path, picker: TestPicker) -> App {
    app_with(
        data,
        Setup {
            picker,
            ..Setup::default()
        },
    )
}

pub fn harness_with(app: App) -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size([1280.0, 1000.0])
        .with_theme(egui::Theme::Light)
        .with_max_steps(64)
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    settle(&mut h);
    h
}

pub fn harness(data: &Path) -> Harness<'static, App> {
    harness_with(app(data, TestPicker::default()))
}

/// Run frames until the app has nothing queued and nothing unsaved (the worker and the
/// autosave are real threads and real timers).
pub fn settle(h: &mut Harness<'_, App>) {
    for _ in 0..1000 {
        h.run_ok();
        if h.state().is_idle() {
            h.run_ok();
            if h.state().is_idle() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the app did not settle within 5 s");
}

/// Scroll the widget labelled `label` into view and click it, as a person would.
pub fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_ok();
    h.get_by_label(label).click();
    h.run_ok();
}

/// Click the `n`th widget labelled `label` (0-based), e.g. one of several 去修改.
pub fn click_nth(h: &mut Harness<'_, App>, label: &str, n: usize) {
    let nth = |h: &Harness<'_, App>| {
        h.get_all_by_label(label)
            .nth(n)
            .unwrap_or_else(|| panic!("no {n}th {label}"))
            .scroll_to_me()
    };
    nth(h);
    h.run_ok();
    h.get_all_by_label(label)
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th {label}"))
        .click();
    h.run_ok();
}

/// The last widget labelled `label` (a new activity's fields come last).
fn last<'h>(h: &'h Harness<'_, App>, label: &'h str) -> egui_kittest::Node<'h> {
    h.get_all_by_label(label)
        .last()
        .unwrap_or_else(|| panic!("no field {label}"))
}

/// Click into the (last) text field labelled `label` and type `text`, as a person would.
pub fn type_into(h: &mut Harness<'_, App>, label: &str, text: &str) {
    last(h, label).scroll_to_me();
    h.run_ok();
    last(h, label).click();
    h.run_ok();
    last(h, label).type_text(text);
    h.run_ok();
}

pub fn has_label(h: &Harness<'_, App>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

pub fn has_text_containing(h: &Harness<'_, App>, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

/// Click into the text field labelled `label`, select all (Ctrl+A) and type over it.
pub fn replace_text(h: &mut Harness<'_, App>, label: &str, text: &str) {
    click(h, label);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_ok();
    h.get_by_label(label).type_text(text);
    h.run_ok();
}

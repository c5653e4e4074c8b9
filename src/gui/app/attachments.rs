//! The shell's side of attachments: files dropped on the window (on a materials section, or
//! anywhere — then the clerk is asked where), imports started and their results put into the
//! draft, the check of the draft's files, files handed to the system, the viewer and the
//! "where do these go?" dialog drawn over the window.

use std::path::PathBuf;

use egui::RichText;

use super::{App, Banner};
use crate::core::draft::{Attachment, Material, Place};
use crate::gui::picker::Picked;
use crate::gui::state::{Action, MaterialAction, Screen};
use crate::gui::viewer::{ViewerState, viewer_ui};
use crate::gui::widgets;
use crate::jobs::files::{SystemOpen, check_files, open_with_system};
use crate::jobs::import::{ImportOutcome, ImportRequest, start_import};

impl App {
    /// Files dropped this frame: onto a materials section, they go there; elsewhere with a
    /// draft open, the clerk is asked where; with none, she is told to open one.
    pub(super) fn dropped_files(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if dropped.is_empty() {
            return;
        }
        let Some(open) = &self.open else {
            self.banner = Some(Banner::info(
                "请先在草稿列表中打开（或新建）一份草稿，再把文件拖到其中的活动上。",
            ));
            return;
        };
        if !open.draft.is_editable() {
            self.banner = Some(Banner::error(
                "此草稿已报送或正在报送，不能再添加材料；如需补充，请复制为新草稿。",
            ));
            return;
        }
        let at = ctx.input(|i| i.pointer.latest_pos());
        let zone = at.and_then(|p| {
            self.drop_zones
                .iter()
                .find(|(rect, _)| rect.contains(p))
                .map(|(_, place)| place.clone())
        });
        actions.push(match zone {
            Some(place) => Action::Materials(MaterialAction::Import {
                place,
                paths: dropped,
            }),
            None => Action::Materials(MaterialAction::AskWhereDropped(dropped)),
        });
    }

    /// What is drawn over the window: the viewer, the "where do these go?" dialog.
    pub(super) fn overlays(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let files_dir = self.open.as_ref().map(|o| self.files_dir(&o.draft.id));
        if let (Some(viewer), Some(open), Some(files_dir)) =
            (&mut self.viewer, &self.open, files_dir)
            && let Some(list) = open.draft.attachments(&viewer.place)
        {
            viewer_ui(ctx, viewer, list, &files_dir, &mut self.previews, actions);
        }
        if let Some(paths) = &self.pending_drop {
            let mut choice: Option<Option<Place>> = None;
            let places = self.places();
            egui::Modal::new(egui::Id::unique("where-dropped")).show(ctx, |ui| {
                ui.set_max_width(560.0);
                ui.heading(format!("把这 {} 个文件添加到哪里？", paths.len()));
                ui.label(
                    RichText::new("也可以直接把文件拖到某个活动的材料区。").color(widgets::GREY),
                );
                egui::ScrollArea::vertical()
                    .max_height(360.0)
                    .show(ui, |ui| {
                        for (label, place) in &places {
                            if ui.button(label).clicked() {
                                choice = Some(Some(place.clone()));
                            }
                        }
                    });
                if ui.button("取消").clicked() {
                    choice = Some(None);
                }
            });
            match choice {
                Some(Some(place)) => {
                    let paths = self.pending_drop.take().unwrap_or_default();
                    actions.push(Action::Materials(MaterialAction::Import { place, paths }));
                }
                Some(None) => self.pending_drop = None,
                None => {}
            }
        }
    }

    /// Every place materials can go, as the clerk reads them: each activity, then 综合材料.
    fn places(&self) -> Vec<(String, Place)> {
        let Some(open) = &self.open else {
            return Vec::new();
        };
        crate::core::draft::places(&self.campaign, &open.draft)
            .into_iter()
            .map(|c| (c.label, c.place))
            .collect()
    }

    pub(super) fn start_import(&mut self, place: Place, paths: Vec<PathBuf>) {
        let Some(open) = &self.open else {
            return;
        };
        if !open.draft.is_editable() {
            return;
        }
        // What is in the draft already, and where: an identical file is not added twice.
        let known = crate::core::draft::known_files(&self.campaign, &open.draft);
        let files_dir = self.files_dir(&open.draft.id);
        let now = self.now();
        let Some(open) = &mut self.open else {
            return;
        };
        let sources: Vec<(PathBuf, _)> = paths
            .into_iter()
            .map(|p| (p, open.draft.reserve_attachment_id()))
            .collect();
        let request = ImportRequest {
            draft: open.draft.id.clone(),
            place: place.clone(),
            files_dir,
            sources,
            rules: self.campaign.attachments.clone(),
            known,
            prober: self.prober.clone(),
            cache: self.cache.clone(),
            now,
        };
        let job = start_import(request, super::repaint_waker(&self.context));
        self.jobs.imports.push((place, job));
        // The ids reserved are a change to the draft.
        self.draft_changed();
    }

    /// An import ended: its files go into the draft (or, if it was closed, into the saved one).
    pub(super) fn imported(&mut self, outcome: ImportOutcome) {
        let ImportOutcome {
            draft,
            place,
            added,
            refused,
            duplicates,
            cancelled,
        } = outcome;
        let count = added.len();
        let open_here = self.open.as_ref().is_some_and(|o| o.draft.id == draft);
        if open_here && let Some(open) = &mut self.open {
            let place = if open.draft.attachments(&place).is_some() {
                place
            } else {
                Place::General
            };
            if let Some(list) = open.draft.attachments_mut(&place) {
                list.extend(added);
            }
            self.draft_changed();
        } else if !added.is_empty() {
            self.send(crate::jobs::store::StoreCommand::Attach {
                id: draft,
                place,
                attachments: added,
            });
        }
        if let Some(banner) = import_banner(count, cancelled, &refused, duplicates) {
            self.banner = Some(banner);
        }
    }

    /// The check of a draft's files ended: its problems into the check page; copies found the
    /// same under new times recorded. A lost check is cleared (the window would think itself
    /// busy for ever) and said once.
    pub(super) fn files_checked(
        &mut self,
        result: super::jobs::Outcome<(
            crate::core::draft::DraftId,
            crate::core::store::FilesChecked,
        )>,
    ) {
        match result {
            Ok((id, checked)) => {
                let tick = self.ticker.now();
                if let Some(open) = self.open.as_mut().filter(|o| o.draft.id == id)
                    && !checked.cancelled
                {
                    open.form.files = checked.problems;
                    open.form.report = crate::core::validate::validate_with_files(
                        &self.campaign,
                        &open.draft,
                        &open.form.files,
                    );
                    // Copies found the same under new times: recorded (not an edit), so the
                    // next visit does not hash them again.
                    if open.draft.refresh_file_times(&checked.refreshed) {
                        open.autosave.changed(tick);
                    }
                }
            }
            Err(lost) => {
                self.banner = Some(Banner::error(lost.user_message("检查材料文件")));
            }
        }
    }

    /// What the clerk does with the materials (and the viewers: closing one closes the desk's too).
    pub(super) fn apply_material(&mut self, action: MaterialAction) {
        match action {
            MaterialAction::SelectGeneral => {
                self.page = crate::gui::state::TaskPage::General;
                self.screen = Screen::Tasks;
            }
            MaterialAction::PickFiles(place) => {
                match self.picker.pick_attachments(&self.campaign.attachments) {
                    Picked::Chosen(paths) if !paths.is_empty() => self.start_import(place, paths),
                    Picked::Chosen(_) | Picked::Cancelled => {}
                    Picked::Unavailable(why) => {
                        tracing::warn!(why, "no file dialog");
                        self.banner = Some(Banner::error(
                            "无法显示选择文件的窗口。请打开文件所在的文件夹，把文件直接拖到这个活动的材料区。",
                        ));
                    }
                }
            }
            MaterialAction::Import { place, paths } => self.start_import(place, paths),
            MaterialAction::AskWhereDropped(paths) => self.pending_drop = Some(paths),
            MaterialAction::CancelImport(id) => {
                for (_, job) in &self.jobs.imports {
                    if job.id() == id {
                        job.cancel();
                    }
                }
            }
            MaterialAction::AddLink { place, link } => {
                let now = self.now();
                if let Some(open) = &mut self.open {
                    let id = open.draft.reserve_attachment_id();
                    let platform = link.platform.clone();
                    if let Some(list) = open.draft.attachments_mut(&place) {
                        list.push(Attachment {
                            id,
                            caption: String::new(),
                            added_at: now,
                            material: Material::Link(link),
                        });
                    }
                    self.banner = Some(Banner::info(format!("已添加{platform}链接。")));
                    self.draft_changed();
                }
            }
            MaterialAction::RemoveAttachment { place, id } => {
                let now = self.now();
                if let Some(open) = &mut self.open {
                    let name = open
                        .draft
                        .attachments(&place)
                        .and_then(|l| l.iter().find(|a| a.id == id))
                        .map(|a| a.display_name().to_string())
                        .unwrap_or_default();
                    if open.draft.remove_attachment(&place, &id, now) {
                        self.banner = Some(
                            Banner::info(format!("已移除“{name}”。删除草稿之前都可以恢复。"))
                                .with_button(
                                    "撤销",
                                    Action::Materials(MaterialAction::RestoreAttachment(
                                        id.clone(),
                                    )),
                                ),
                        );
                        self.draft_changed();
                    }
                }
            }
            MaterialAction::RestoreAttachment(id) => {
                if let Some(open) = &mut self.open
                    && open.draft.restore_attachment(&id).is_some()
                {
                    self.banner = Some(Banner::info("已恢复。"));
                    self.draft_changed();
                }
            }
            MaterialAction::View { place, id } => {
                self.viewer = Some(ViewerState::new(place.clone(), id.clone()))
            }
            MaterialAction::CloseViewer => {
                self.viewer = None;
                self.desk_close_viewer();
            }
            MaterialAction::OpenFile(path) => {
                self.open_with_system(SystemOpen::Open(path.display().to_string()))
            }
            MaterialAction::ShowInFolder(path) => {
                self.open_with_system(SystemOpen::Reveal(path.clone()))
            }
            MaterialAction::OpenLink(url) => self.open_with_system(SystemOpen::Open(url.clone())),
        }
    }

    fn open_with_system(&mut self, what: SystemOpen) {
        self.jobs
            .system
            .push(open_with_system(what, super::repaint_waker(&self.context)));
    }

    /// Look at the open draft's files on disk (gone? changed?), off the UI thread.
    pub(super) fn check_files(&mut self) {
        if let Some(open) = &self.open {
            let folder = self.draft_dir(&open.draft.id);
            self.jobs.file_check = Some(check_files(
                open.draft.clone(),
                folder,
                super::repaint_waker(&self.context),
            ));
        }
    }
}

/// What the clerk reads when an import ends: one short message — how many were added, how many
/// were already there, how many could not be added — and every refused file's reason behind
/// 详情 (200 dropped photos once listed every duplicate on one line wider than the window).
fn import_banner(
    added: usize,
    cancelled: bool,
    refused: &[String],
    duplicates: usize,
) -> Option<Banner> {
    let mut text = match (added, cancelled) {
        (0, true) => "已取消添加。".to_string(),
        (n, true) => format!("已取消；取消前已添加的 {n} 个文件保留在草稿中。"),
        (0, false) => String::new(),
        (n, false) => format!("已添加 {n} 个文件。"),
    };
    let others = refused.len().saturating_sub(duplicates);
    if duplicates > 0 {
        text.push_str(&format!("{duplicates} 个文件已在草稿中，未重复添加。"));
    }
    // One file refused for another reason: its reason is the message; else 详情 has them all.
    let alone = match refused {
        [only] if others == 1 => Some(only),
        _ => None,
    };
    match alone {
        Some(only) => text.push_str(only),
        None if others > 0 => text.push_str(&format!("{others} 个文件未能添加，原因见详情。")),
        None => {}
    }
    if text.is_empty() {
        return None;
    }
    let banner = if refused.is_empty() {
        Banner::info(text)
    } else {
        Banner::warning(text)
    };
    Some(match alone {
        Some(_) => banner,
        None => banner.with_details(refused.to_vec()),
    })
}

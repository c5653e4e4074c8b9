//! The shell's side of 活动编辑: the editor's actions applied (the edits through the core's
//! [`crate::core::campaign::edit`]), its files and its publishing on jobs, the preview drawn with
//! the clerk's own task list.

use super::jobs::Outcome;
use super::{App, Banner, repaint_waker};
use crate::core::campaign::Campaign;
use crate::core::campaign::edit;
use crate::core::draft::{Draft, DraftId, UnitProfile};
use crate::core::validate::validate;
use crate::gui::campaign_editor::{self, EditorAction, EditorState};
use crate::gui::materials::MaterialsCtx;
use crate::gui::picker::Picked;
use crate::gui::state::{Action, OpenDraft, Screen, TaskPage};
use crate::gui::tasks_screen;
use crate::jobs::campaign_edit::{self, EditorDone};

/// A new template: the built-in one's units, fields and limits, one empty pillar, the deadline a
/// month away (nothing of 2024's notice carried over by mistake).
fn blank(now: chrono::DateTime<chrono::FixedOffset>, base: Option<&Campaign>) -> Option<Campaign> {
    let mut c = base.cloned().or_else(|| Campaign::builtin().ok())?;
    c.id = String::new();
    c.version = 0;
    c.title = String::new();
    c.theme = String::new();
    c.document_number = String::new();
    c.notice_title = String::new();
    c.notice_date = Some(now.date_naive());
    c.deadline_text = String::new();
    c.deadline = now + chrono::Duration::days(30);
    c.window.start = now.date_naive();
    c.window.end = c.deadline.date_naive();
    c.intake = None;
    c.pillars.clear();
    c.unread.clear();
    edit::add_pillar(&mut c);
    Some(c)
}

impl App {
    /// Closing the window: an editor with unsaved work keeps it for the next start.
    pub(super) fn editor_shutdown(&mut self) {
        if let Some(state) = &self.editor
            && state.dirty
        {
            match campaign_edit::keep_unsaved(&self.data_root.join("desk"), &state.campaign) {
                Ok(()) => tracing::info!("unsaved campaign editing kept for the next start"),
                Err(e) => tracing::error!(error = %e, "cannot keep the unsaved campaign editing"),
            }
        }
    }

    pub(super) fn editor_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let busy = self.jobs.editor.as_ref().map(|j| j.label().to_string());
        let Some(state) = &mut self.editor else {
            return;
        };
        campaign_editor::ui(ui, state, busy.as_deref(), actions);
        if let Some((open, page)) = &mut state.preview {
            // The clerk's own task list and item page, on an empty draft: nothing is saved.
            ui.label(
                egui::RichText::new("预览：文员看到的填报任务（不会保存任何内容）")
                    .color(crate::gui::widgets::GREY),
            );
            let files_dir = self.data_root.join("cache").join("preview");
            let mut zones = Vec::new();
            let mut cx = MaterialsCtx {
                files_dir: &files_dir,
                imports: &[],
                previews: &mut self.previews,
                zones: &mut zones,
                editable: false,
            };
            let mut asked = Vec::new();
            let campaign = state.campaign.clone();
            if tasks_screen::ui(ui, &campaign, open, page, &mut cx, &mut asked) {
                open.form.report = validate(&campaign, &open.draft);
            }
            for a in asked {
                match a {
                    Action::SelectItem(id) => *page = TaskPage::Item(id),
                    Action::Materials(crate::gui::state::MaterialAction::SelectGeneral) => {
                        *page = TaskPage::General;
                    }
                    _ => {}
                }
            }
        }
    }

    pub(super) fn apply_editor(&mut self, action: EditorAction) {
        let now = self.now();
        if let EditorAction::Open = action {
            if self.editor.is_none() {
                match blank(now, self.builtin.as_deref()) {
                    Some(c) => self.editor = Some(EditorState::new(c, Vec::new(), None)),
                    None => {
                        self.banner = Some(Banner::error("内置模板无法读取，不能新建活动。"));
                        return;
                    }
                }
                // What was left unsaved when the window last closed comes back.
                if self.jobs.editor.is_none() {
                    self.jobs.editor = Some(campaign_edit::restore(
                        self.data_root.join("desk"),
                        repaint_waker(&self.context),
                    ));
                }
            }
            self.screen = Screen::CampaignEditor;
            return;
        }
        let wake = repaint_waker(&self.context);
        match action {
            EditorAction::Open => {}
            EditorAction::FromNotice => match self.picker.pick_notice() {
                Picked::Chosen(path) => {
                    self.jobs.editor = Some(campaign_edit::read(path, wake));
                }
                Picked::Cancelled => {}
                Picked::Unavailable(why) => {
                    tracing::warn!(why, "no file dialog");
                    self.banner = Some(Banner::error(
                        "无法显示选择文件的窗口。可以用命令 baosong campaign parse 通知.docx -o 模板.json 生成模板，再点“打开模板…”。",
                    ));
                }
            },
            EditorAction::OpenTemplate => match self.picker.pick_template() {
                Picked::Chosen(path) => self.jobs.editor = Some(campaign_edit::open(path, wake)),
                Picked::Cancelled => {}
                Picked::Unavailable(_) => {
                    self.banner = Some(Banner::error("无法显示选择文件的窗口。"));
                }
            },
            EditorAction::ImportUnits => match self.picker.pick_units() {
                Picked::Chosen(path) => self.jobs.editor = Some(campaign_edit::units(path, wake)),
                Picked::Cancelled => {}
                Picked::Unavailable(_) => {
                    self.banner = Some(Banner::error("无法显示选择文件的窗口。"));
                }
            },
            EditorAction::Save => {
                let Some(state) = &self.editor else { return };
                let name = match state.campaign.id.as_str() {
                    "" => "活动模板.json".to_string(),
                    id => format!("{id}.json"),
                };
                match self.picker.save_document(&name, "json") {
                    Picked::Chosen(to) => {
                        let campaign = state.campaign.clone();
                        self.jobs.editor = Some(campaign_edit::save(campaign, to, wake));
                    }
                    Picked::Cancelled => {}
                    Picked::Unavailable(_) => {
                        self.banner = Some(Banner::error("无法显示保存文件的窗口。"));
                    }
                }
            }
            EditorAction::Publish => {
                let Some(state) = &self.editor else { return };
                if !state.problems().is_empty() {
                    self.banner = Some(Banner::error("模板还有问题，改完后才能发布。"));
                    return;
                }
                let Some((intake, _)) = self.intake() else {
                    self.banner = Some(Banner::error(
                        "尚未设置报送地址：请在“设置与帮助”中填写报送地址和收件台令牌。",
                    ));
                    return;
                };
                let key_dir = self.data_root.join("desk");
                self.jobs.editor = Some(campaign_edit::publish_it(
                    state.campaign.clone(),
                    intake,
                    key_dir,
                    wake,
                ));
            }
            EditorAction::Close => {
                if let Some(state) = &mut self.editor {
                    state.preview = None;
                }
                self.screen = Screen::Desk;
            }
            other => self.edit(other),
        }
    }

    /// The edits that touch only the template in the editor.
    fn edit(&mut self, action: EditorAction) {
        let now = self.now();
        let builtin_units = self.builtin.as_ref().map(|b| b.units.clone());
        let Some(state) = &mut self.editor else {
            return;
        };
        let c = &mut state.campaign;
        let mut changed = true;
        match action {
            EditorAction::Select(at) => {
                state.selected = at;
                changed = false;
            }
            EditorAction::AddPillar => {
                let pi = edit::add_pillar(c);
                state.selected = edit::EditPlace::Pillar(pi);
            }
            EditorAction::AddItem(pi) => {
                if let Some(j) = edit::add_item(c, pi) {
                    state.selected = edit::EditPlace::Item(pi, j);
                }
            }
            EditorAction::RemovePillar(pi) => {
                edit::remove_pillar(c, pi);
                state.selected = edit::EditPlace::Campaign;
            }
            EditorAction::RemoveItem(pi, j) => {
                edit::remove_item(c, pi, j);
                state.selected = edit::EditPlace::Pillar(pi);
            }
            EditorAction::MovePillar(pi, up) => {
                state.selected = edit::EditPlace::Pillar(edit::move_pillar(c, pi, up));
            }
            EditorAction::MoveItem(pi, j, up) => {
                state.selected = edit::EditPlace::Item(pi, edit::move_item(c, pi, j, up));
            }
            EditorAction::AddUnit => {
                let unit = state.new_unit.trim().to_string();
                if unit.is_empty() || c.units.contains(&unit) {
                    changed = false;
                } else {
                    c.units.push(unit);
                    state.new_unit.clear();
                }
            }
            EditorAction::RemoveUnit(k) => {
                if k < c.units.len() {
                    c.units.remove(k);
                }
            }
            EditorAction::DefaultUnits => match builtin_units {
                Some(units) => c.units = units,
                None => changed = false,
            },
            EditorAction::Preview(on) => {
                changed = false;
                state.preview = on.then(|| {
                    let draft = Draft::new(
                        DraftId::from("preview"),
                        &state.campaign,
                        UnitProfile::default(),
                        now,
                    );
                    let report = validate(&state.campaign, &draft);
                    let first = state.campaign.first_item_id();
                    (OpenDraft::new(draft, report), TaskPage::Item(first))
                });
            }
            EditorAction::Open
            | EditorAction::FromNotice
            | EditorAction::OpenTemplate
            | EditorAction::ImportUnits
            | EditorAction::Save
            | EditorAction::Publish
            | EditorAction::Close => changed = false,
        }
        if changed {
            state.dirty = true;
        }
    }

    pub(super) fn editor_done(&mut self, done: Outcome<Box<EditorDone>>) {
        let done = match done {
            Ok(d) => *d,
            Err(lost) => {
                self.banner = Some(Banner::error(lost.user_message("活动编辑")));
                return;
            }
        };
        match done {
            EditorDone::Read(Ok(reading)) => {
                let unread = reading.campaign.unread.len();
                self.editor = Some(EditorState::new(reading.campaign, reading.notes, None));
                self.banner = Some(if unread == 0 {
                    Banner::info("已从通知生成活动模板，请核对各项内容。")
                } else {
                    Banner::warning(format!(
                        "已从通知生成活动模板，有{unread}项没有读出，已在上方标出，请补全。"
                    ))
                });
            }
            EditorDone::Read(Err(m)) => self.banner = Some(Banner::error(m)),
            EditorDone::Opened(path, Ok(c)) => {
                self.editor = Some(EditorState::new(c, Vec::new(), Some(path)));
                self.banner = Some(Banner::info("已打开模板。"));
            }
            EditorDone::Opened(_, Err(m)) => self.banner = Some(Banner::error(m)),
            EditorDone::Saved(Ok(path)) => {
                if let Some(state) = &mut self.editor {
                    state.path = Some(path.clone());
                    state.dirty = false;
                }
                self.banner = Some(Banner::info(format!("模板已保存：{}", path.display())));
            }
            EditorDone::Saved(Err(m)) => self.banner = Some(Banner::error(m)),
            EditorDone::Units(Ok(units)) => {
                if let Some(state) = &mut self.editor {
                    let n = units.len();
                    state.campaign.units = units;
                    state.dirty = true;
                    self.banner = Some(Banner::info(format!(
                        "已导入{n}个单位，替换了原名单（可点“恢复默认名单”还原）。"
                    )));
                }
            }
            EditorDone::Units(Err(m)) => self.banner = Some(Banner::error(m)),
            EditorDone::Restored(None) => {}
            EditorDone::Restored(Some(c)) => {
                let mut state = EditorState::new(c, Vec::new(), None);
                state.dirty = true;
                self.editor = Some(state);
                self.banner = Some(Banner::info(
                    "已恢复上次关闭程序时没有保存的活动编辑内容，请及时点“保存模板…”。",
                ));
            }
            EditorDone::Published(Ok((published, made, public))) => {
                let e = &published.entry;
                let mut said = if published.unchanged {
                    format!("与已发布的第{}版相同，未重新发布。", e.version)
                } else {
                    format!(
                        "已发布：{}（第{}版），各单位的程序联网后会看到。",
                        e.id, e.version
                    )
                };
                if made {
                    said.push_str(&format!(
                        " 已在本机生成签名私钥（数据文件夹 desk\\campaign-signing-key，请立即备份）；公钥：{public}，请交给信息技术人员配置。"
                    ));
                }
                if let Some(state) = &mut self.editor {
                    state.campaign.version = e.version;
                }
                self.banner = Some(Banner::info(said));
            }
            EditorDone::Published(Err(m)) => self.banner = Some(Banner::error(m)),
        }
    }
}

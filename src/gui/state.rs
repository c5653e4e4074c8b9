//! The GUI's nouns, shared by the shell and the screens: which [`Screen`] is up, the [`Action`]s
//! a screen asks for (applied by the shell after the frame — screens never change the app
//! themselves), the message [`Banner`], and the [`OpenDraft`] being edited with its form state.
//!
//! A screen gets what it shows, `&mut` what it edits, and a push-only list of actions; it never
//! sees the whole `App`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::core::campaign::Intake;
use crate::core::draft::{ActivityId, AttachmentId, Draft, DraftId, ItemId, Link, Place};
use crate::core::ids::RecycledName;
use crate::core::validate::{FileProblems, Report, Reveal, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Profile,
    Tasks,
    Check,
    Settings,
    Help,
    /// 报送回执: what the server confirmed.
    Receipt,
    /// 收件台: the bundles in a folder, tallied against the campaign's units.
    Desk,
    /// One bundle opened read-only from the desk.
    DeskBundle,
    /// 活动编辑: the department's campaign editor (from the desk).
    CampaignEditor,
}

/// What a screen asks for; applied after the frame is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    NewDraft,
    OpenDraft(DraftId),
    /// 继续报送 on the draft list: open the draft and resume its upload, in one click.
    ResumeSending(DraftId),
    Duplicate(DraftId),
    Delete(DraftId),
    Restore(RecycledName),
    OpenTemplate,
    UseBuiltinTemplate,
    /// 开始填报 (`start`) or 改用新版 on a campaign the department published.
    UseOffered {
        id: String,
        start: bool,
    },
    GoTo(Screen),
    SelectItem(ItemId),
    /// 去修改 on the check page: to the field, remembering to offer 返回检查.
    Jump(Target),
    RemoveActivity {
        item_id: ItemId,
        activity_id: ActivityId,
    },
    MarkReady,
    /// 修改后重新报送: the returned draft opens as a new version with the department's notes.
    ReviseReturned,
    /// 已按意见修改 on one of the department's notes (by its place in the draft's correction).
    AddressNote(usize),
    CloseDraft,
    SaveIntake(Option<Intake>),
    ProbeIntake(Intake),
    ExportDiagnostics,
    /// 清空收件台缓存 (设置与帮助).
    ClearDeskCache,
    /// Save the diagnostics zip in the data folder (no dialog needed).
    ExportDiagnosticsToDataFolder,
    DismissBanner,
    /// The materials of a draft: attaching, looking, opening.
    Materials(MaterialAction),
    /// Something on the receiving desk.
    Desk(DeskAction),
    /// 一键报送 and 导出材料包.
    Send(SendAction),
    /// The department's campaign editor.
    Editor(crate::gui::campaign_editor::EditorAction),
}

/// What the clerk does with the materials of the open draft (and the viewer, also the desk's).
#[derive(Debug, Clone, PartialEq)]
pub enum MaterialAction {
    /// 综合材料: the materials of the draft as a whole.
    SelectGeneral,
    /// 添加图片/视频/文件…: the file dialog, then the import.
    PickFiles(Place),
    /// Files chosen or dropped, to copy into the draft at `place`.
    Import {
        place: Place,
        paths: Vec<PathBuf>,
    },
    /// Files dropped where no materials section was: ask where they go.
    AskWhereDropped(Vec<PathBuf>),
    /// 取消 on an import.
    CancelImport(u64),
    AddLink {
        place: Place,
        link: Link,
    },
    RemoveAttachment {
        place: Place,
        id: AttachmentId,
    },
    RestoreAttachment(AttachmentId),
    /// The large viewer on a photo or video.
    View {
        place: Place,
        id: AttachmentId,
    },
    CloseViewer,
    /// With the system's default program.
    OpenFile(PathBuf),
    ShowInFolder(PathBuf),
    OpenLink(String),
}

/// Sending the open draft, and its bundle.
#[derive(Debug, Clone, PartialEq)]
pub enum SendAction {
    /// 立即重试: stop waiting for the network.
    RetryNow,
    /// 一键报送 (or 继续报送 / 重新报送); `again`: 仍要重新报送 a confirmed draft.
    Submit {
        again: bool,
    },
    /// 暂停: stop sending, keep what the server has; 继续报送 resumes.
    Pause,
    /// 取消报送: stop, end the upload on the server, back to 已完成待报送.
    Cancel,
    /// 导出材料包…: ask where, then build the bundle there.
    ExportBundle,
    CancelExport,
    /// To the clipboard (复制回执).
    CopyText(String),
}

/// What the task list's right side shows: one item of the notice, or 综合材料.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskPage {
    Item(ItemId),
    General,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

/// The message across the top of the screen. It says one thing that is true now; whatever
/// makes it untrue replaces or removes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub tone: Tone,
    pub text: String,
    /// A button beside the message (撤销, 保存到数据文件夹), and what it does.
    pub button: Option<(String, Action)>,
    /// The draft the message is about: closing that draft removes it.
    pub about: Option<DraftId>,
    /// Lines behind 详情 (one per file when a batch refused many): the banner itself stays one
    /// short message.
    pub details: Vec<String>,
}

impl Banner {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Info,
            text: text.into(),
            button: None,
            about: None,
            details: Vec::new(),
        }
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Warning,
            ..Self::info(text)
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            tone: Tone::Error,
            ..Self::info(text)
        }
    }

    pub fn about(mut self, draft: &DraftId) -> Self {
        self.about = Some(draft.clone());
        self
    }

    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    pub fn with_button(mut self, label: &str, action: Action) -> Self {
        self.button = Some((label.to_string(), action));
        self
    }
}

/// What the forms of the open draft know beyond the draft itself: the check's report, which
/// fields the clerk has left (their problems are shown), where a jump should land.
#[derive(Debug, Default)]
pub struct FormState {
    pub report: Report,
    /// What the last check of the draft's files found (missing or changed copies).
    pub files: FileProblems,
    pub touched: HashSet<Target>,
    /// Fields left this frame. Their problems show once the pointer is released, so a message
    /// appearing under a field never moves a button from under a click in progress.
    pub leaving: HashSet<Target>,
    /// 检查并提交 was visited: every problem is shown from now on.
    pub revealed: bool,
    /// The field a jump (去修改) asks to focus, once it is drawn.
    pub focus: Option<Target>,
    /// The last jump came from the check page: offer 返回检查.
    pub came_from_check: bool,
}

impl FormState {
    pub fn reveal(&self) -> Reveal<'_> {
        if self.revealed {
            Reveal::All
        } else {
            Reveal::Touched(&self.touched)
        }
    }

    /// The problem to show under this field now, if any.
    pub fn shown_problem(&self, target: &Target) -> Option<&str> {
        self.report
            .on(target)
            .filter(|_| self.reveal().shows(target))
            .map(|p| p.message.as_str())
    }

    /// A field was left: show its problem soon (see [`FormState::leaving`]).
    pub fn left(&mut self, target: &Target) {
        self.leaving.insert(target.clone());
    }

    /// Called after the frame: the fields left are shown as touched once no button is held.
    /// True when that changed what the form shows (draw it again).
    pub fn settle_touched(&mut self, pointer_down: bool) -> bool {
        if pointer_down || self.leaving.is_empty() {
            return false;
        }
        self.touched.extend(self.leaving.drain());
        true
    }

    /// Focus the widget of `target` if a jump asked for it (once).
    pub fn take_focus(&mut self, target: &Target, response: &egui::Response) {
        if self.focus.as_ref() == Some(target) {
            response.request_focus();
            response.scroll_to_me(Some(egui::Align::Center));
            self.focus = None;
        }
    }
}

/// When the open draft is due to be saved: within [`Autosave::AT_MOST_AFTER`] of the first
/// unsaved change, or once typing has paused for [`Autosave::AFTER_PAUSE`]. Times are passed in,
/// so tests drive it with a clock of their own.
#[derive(Debug, Default)]
pub struct Autosave {
    first_unsaved: Option<Instant>,
    last_change: Option<Instant>,
    /// A save was sent to the worker and has not come back yet.
    pub saving: bool,
    /// After a failed save: when to try again (sooner if the clerk changes something).
    retry_at: Option<Instant>,
    pub saved_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub save_error: Option<String>,
}

impl Autosave {
    /// Save at most this long after the first unsaved change…
    pub const AT_MOST_AFTER: Duration = Duration::from_millis(800);
    /// …or once typing has paused this long.
    pub const AFTER_PAUSE: Duration = Duration::from_millis(300);
    /// After a failed save, try again this often until it works.
    pub const RETRY: Duration = Duration::from_secs(5);

    pub fn changed(&mut self, now: Instant) {
        self.first_unsaved.get_or_insert(now);
        self.last_change = Some(now);
    }

    pub fn has_unsaved(&self) -> bool {
        self.first_unsaved.is_some()
    }

    /// When a save is due: `None` when there is nothing to save, `Some(ZERO)` now, or in how
    /// long.
    pub fn due(&mut self, now: Instant) -> Option<Duration> {
        if let Some(at) = self.retry_at {
            if now >= at {
                self.retry_at = None;
                self.first_unsaved.get_or_insert(now);
                return Some(Duration::ZERO);
            }
            if self.first_unsaved.is_none() {
                return Some(at - now);
            }
        }
        let first = self.first_unsaved?;
        let last = self.last_change.unwrap_or(first);
        let by_first = (first + Self::AT_MOST_AFTER).saturating_duration_since(now);
        let by_pause = (last + Self::AFTER_PAUSE).saturating_duration_since(now);
        Some(by_first.min(by_pause))
    }

    /// The save was handed to the worker.
    pub fn sent(&mut self) {
        self.first_unsaved = None;
        self.saving = true;
    }

    pub fn succeeded(&mut self, at: chrono::DateTime<chrono::FixedOffset>) {
        self.saving = false;
        self.saved_at = Some(at);
        self.save_error = None;
        self.retry_at = None;
    }

    /// The draft stays in memory and is saved again on the next change, or after a while.
    pub fn failed(&mut self, message: String, now: Instant) {
        self.saving = false;
        self.save_error = Some(message);
        self.retry_at = Some(now + Self::RETRY);
    }
}

/// The draft being edited.
#[derive(Debug)]
pub struct OpenDraft {
    pub draft: Draft,
    pub form: FormState,
    pub autosave: Autosave,
    /// Made by 新建草稿 in this sitting and not changed since: leaving it throws it away.
    pub fresh: bool,
}

impl OpenDraft {
    pub fn new(draft: Draft, report: Report) -> Self {
        let autosave = Autosave {
            saved_at: Some(draft.updated_at),
            ..Autosave::default()
        };
        Self {
            draft,
            form: FormState {
                report,
                ..FormState::default()
            },
            autosave,
            fresh: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autosave_is_due_after_a_pause_or_at_most_a_bit_after_the_first_change() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut a = Autosave::default();
        let now = Some(Duration::ZERO);
        assert_eq!(a.due(t0), None, "nothing to save");
        a.changed(t0);
        assert_eq!(a.due(ms(100)), Some(Duration::from_millis(200)));
        assert_eq!(a.due(ms(300)), now, "typing paused");

        // Typing on and on: saved at most 0.8 s after the first change anyway.
        let mut a = Autosave::default();
        for n in (0..=700).step_by(100) {
            a.changed(ms(n));
            assert_ne!(a.due(ms(n)), now);
        }
        assert_eq!(a.due(ms(800)), now);
        a.sent();
        assert_eq!(a.due(ms(900)), None);

        // A failed save is tried again after a while, or at the next change.
        a.failed("磁盘已满".into(), ms(1000));
        assert_eq!(a.due(ms(2000)), Some(Duration::from_secs(4)));
        assert_eq!(a.due(ms(6000)), now);
    }
}

/// What the receiving desk (收件台) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskAction {
    /// 选择文件夹…
    PickFolder,
    /// 读取: the folder typed or chosen.
    Read,
    /// 核对全部材料包.
    VerifyAll,
    /// 导出 Excel…
    ExportXlsx,
    /// 取消 of whatever the desk is doing.
    Cancel,
    /// 打开 one bundle.
    Open(PathBuf),
    /// ← 返回收件台.
    Back,
    /// 导出汇总文档…
    ExportSummary,
    /// 导入为草稿.
    Import,
    /// The viewer on one of the opened bundle's photos or videos (by its path in the zip).
    View(String),
    /// Open a draft just imported.
    OpenImported(DraftId),
    /// 通过 / 退回修改 (with the form's reason and notes) / 已阅 of the opened bundle.
    ReviewOpened(crate::core::review::Verdict),
    /// 批量通过: the bundles ticked in the table.
    PassSelected,
    /// 催报: a reminder to these units.
    Remind { units: Vec<String>, text: String },
    /// 查看提醒情况: who has seen the reminders (from the intake).
    RefreshReminders,
}

//! The ordered lane for the data folder's small file operations. The UI sends [`StoreCommand`]s
//! and reads [`StoreEvent`]s after each frame; it never waits on the disk. Commands run in the
//! order sent, so a save always lands before a duplicate or a delete that follows it. Long work
//! (copying attachments, bundles) is never sent here: it has its own [`super::Job`], so a 2 GB
//! copy cannot hold up an autosave.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use super::Wake;
use crate::core::campaign::Campaign;
use crate::core::campaign::channel::{Shelf, verify_file};
use crate::core::campaign::signing::PublicKey;
use crate::core::draft::{Attachment, Draft, DraftId, Place, UnitProfile};
use crate::core::error::CoreError;
use crate::core::ids::RecycledName;
use crate::core::store::{DataDir, Listing, Settings};

#[derive(Debug)]
pub enum StoreCommand {
    /// A bug in a store operation, injected (the tests of the guard below).
    #[cfg(test)]
    PanicForTest,
    /// The worker's thread ends, as if it had died (the tests of [`StoreWorker::alive`]).
    #[cfg(test)]
    EndForTest,
    /// The start screen's list; drafts of `campaign` say how many items are done.
    List {
        campaign: Arc<Campaign>,
    },
    Create {
        campaign: Arc<Campaign>,
        unit: UnitProfile,
    },
    Open {
        id: DraftId,
    },
    Save {
        draft: Box<Draft>,
    },
    /// A draft left without a single change: thrown away, not kept as an empty row.
    DiscardIfPristine {
        id: DraftId,
    },
    Duplicate {
        id: DraftId,
    },
    Delete {
        id: DraftId,
    },
    Restore {
        name: RecycledName,
    },
    /// Attachments whose import ended after their draft was closed: added to the saved draft.
    Attach {
        id: DraftId,
        place: Place,
        attachments: Vec<Attachment>,
    },
    SaveSettings(Settings),
    LoadTemplate {
        path: PathBuf,
        /// The department's key IT pinned: a `.sig` beside the file is checked against it.
        key: Option<PublicKey>,
    },
    /// The clerk has seen this version of a published campaign (no longer 新).
    MarkCampaignShown {
        id: String,
        version: u32,
    },
    /// How much the desk's cache of opened bundles' photos and videos holds (设置与帮助)…
    MeasureDeskCache,
    /// …and 清空收件台缓存.
    ClearDeskCache,
    /// A reminder (催报) was shown to the clerk: not again, and the intake told next look.
    MarkReminderShown {
        id: String,
    },
    ExportDiagnostics {
        to: PathBuf,
        about: String,
    },
}

#[derive(Debug)]
pub enum StoreEvent {
    Listed(Listing),
    Opened(Box<Draft>),
    Saved {
        id: DraftId,
    },
    SaveFailed {
        id: DraftId,
        message: String,
    },
    /// 删除 done: where the draft went, for 撤销.
    Deleted {
        name: RecycledName,
    },
    /// Finished; with a message for the clerk, or quietly.
    Done {
        message: Option<String>,
    },
    TemplateLoaded {
        path: PathBuf,
        campaign: Box<Campaign>,
        signed: Signed,
    },
    Failed {
        message: String,
    },
    /// The bytes in the desk's cache.
    DeskCache(u64),
}

/// What is known of a template file's signature when it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// Its `.sig` verifies against the department's key.
    Verified,
    /// No `.sig` beside it: opened, with a warning; the clerk decides.
    Unsigned,
    /// No key pinned on this PC: nothing to check against.
    NoKey,
}

/// The GUI's handle on the worker. Dropping it finishes every queued command first.
pub struct StoreWorker {
    tx: Option<Sender<StoreCommand>>,
    rx: Receiver<StoreEvent>,
    thread: Option<JoinHandle<()>>,
    pending: usize,
    /// A command could not be handed over: the thread is gone.
    lost: bool,
}

/// What the clerk reads once the store's thread is gone: nothing more can be saved.
pub const STORE_STOPPED: &str = "保存已停止：程序内部出错，此后的修改不会再保存。请把正在填写的内容复制到别处，关闭程序后重新打开（已保存的草稿不会丢失）；如再出现，请导出诊断信息交给信息技术人员。";

impl StoreWorker {
    /// Start the worker on `data`; `wake` is called after every event (the GUI's repaint).
    pub fn start(data: DataDir, wake: Wake) -> Self {
        let (tx, commands) = mpsc::channel::<StoreCommand>();
        let (events, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baosong-store".into())
            .spawn(move || {
                for command in commands {
                    #[cfg(test)]
                    if matches!(command, StoreCommand::EndForTest) {
                        return;
                    }
                    // A bug in one operation costs that operation, said, not the thread: every
                    // save after it would be lost without a word.
                    let save_of = match &command {
                        StoreCommand::Save { draft } => Some(draft.id.clone()),
                        _ => None,
                    };
                    let answered =
                        std::panic::catch_unwind(AssertUnwindSafe(|| run(&data, command)))
                            .unwrap_or_else(|_| {
                                tracing::error!("a store operation panicked");
                                let message = "保存或读取草稿时程序出错，这次操作没有完成。请重试；如再出现，请导出诊断信息交给信息技术人员。".to_string();
                                vec![match save_of {
                                    Some(id) => StoreEvent::SaveFailed { id, message },
                                    None => StoreEvent::Failed { message },
                                }]
                            });
                    for event in answered {
                        if events.send(event).is_err() {
                            return;
                        }
                    }
                    wake();
                }
            })
            .map_err(|e| tracing::error!(error = %e, "cannot start the store worker"))
            .ok();
        Self {
            lost: thread.is_none(),
            tx: Some(tx),
            rx,
            thread,
            pending: 0,
        }
    }

    pub fn send(&mut self, command: StoreCommand) {
        if let Some(tx) = &self.tx {
            if tx.send(command).is_ok() {
                self.pending += 1;
            } else if !self.lost {
                self.lost = true;
                tracing::error!("the store worker is gone: saving has stopped");
            }
        }
    }

    /// Is the thread still there to take commands? (Once it is not, the window says
    /// [`STORE_STOPPED`] and keeps saying it.)
    pub fn alive(&self) -> bool {
        !self.lost && self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Events that have arrived, without waiting.
    pub fn poll(&mut self) -> Vec<StoreEvent> {
        let events: Vec<StoreEvent> = self.rx.try_iter().collect();
        let answered = events.iter().filter(|e| e.ends_a_command()).count();
        self.pending = self.pending.saturating_sub(answered);
        events
    }

    /// Commands sent whose answer has not been polled yet.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Finish every queued command and stop the thread (on exit).
    pub fn finish(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for StoreWorker {
    fn drop(&mut self) {
        self.finish();
    }
}

impl StoreEvent {
    /// Each command ends with exactly one such event (a `Deleted` comes before its `Listed`).
    fn ends_a_command(&self) -> bool {
        !matches!(self, Self::Deleted { .. })
    }
}

fn run(data: &DataDir, command: StoreCommand) -> Vec<StoreEvent> {
    let fail = |e: CoreError| {
        tracing::error!(error = %e, "store command failed");
        StoreEvent::Failed {
            message: e.user_message(),
        }
    };
    let listed = || StoreEvent::Listed(data.list());
    let one = match command {
        #[cfg(test)]
        #[allow(clippy::panic)]
        StoreCommand::PanicForTest => panic!("injected store bug"),
        #[cfg(test)]
        StoreCommand::EndForTest => return Vec::new(),
        StoreCommand::List { campaign } => StoreEvent::Listed(data.list_for(Some(&campaign))),
        StoreCommand::Create { campaign, unit } => match data.create(&campaign, unit) {
            Ok(d) => StoreEvent::Opened(Box::new(d)),
            Err(e) => fail(e),
        },
        StoreCommand::Open { id } => match data.load(&id) {
            Ok(d) => StoreEvent::Opened(Box::new(d)),
            Err(e) => fail(e),
        },
        StoreCommand::Save { draft } => match data.save(&draft) {
            Ok(()) => StoreEvent::Saved { id: draft.id },
            Err(e) => {
                tracing::error!(error = %e, "save failed");
                StoreEvent::SaveFailed {
                    id: draft.id,
                    message: e.user_message(),
                }
            }
        },
        StoreCommand::DiscardIfPristine { id } => match data.discard_if_pristine(&id) {
            Ok(_) => StoreEvent::Done { message: None },
            Err(e) => fail(e),
        },
        StoreCommand::Duplicate { id } => match data.duplicate(&id) {
            Ok(_) => listed(),
            Err(e) => fail(e),
        },
        StoreCommand::Delete { id } => match data.delete(&id) {
            Ok(recycled) => {
                return vec![
                    StoreEvent::Deleted {
                        name: recycled.name,
                    },
                    listed(),
                ];
            }
            Err(e) => fail(e),
        },
        StoreCommand::Restore { name } => match data.restore(&name) {
            Ok(_) => listed(),
            Err(e) => fail(e),
        },
        StoreCommand::Attach {
            id,
            place,
            attachments,
        } => match data.attach(&id, &place, attachments) {
            Ok(()) => StoreEvent::Done { message: None },
            Err(e) => fail(e),
        },
        StoreCommand::SaveSettings(settings) => match data.save_settings(&settings) {
            // A token that could not go into the credential store: said, never written in clear.
            Ok(()) => StoreEvent::Done {
                message: settings
                    .intake
                    .as_ref()
                    .and_then(|i| i.token.as_ref())
                    .and_then(|_| data.token_keeping().user_message()),
            },
            Err(e) => fail(e),
        },
        StoreCommand::ExportDiagnostics { to, about } => {
            match crate::core::diagnostics::export(data, &about, &to) {
                Ok(_) => StoreEvent::Done {
                    message: Some(format!(
                        "诊断信息已导出到“{}”，请把这个文件交给信息技术人员。",
                        to.display()
                    )),
                },
                Err(e) => fail(e),
            }
        }
        StoreCommand::LoadTemplate { path, key } => {
            let sig = PathBuf::from(format!("{}.sig", path.display()));
            match (key, sig.exists()) {
                (Some(key), true) => match verify_file(&path, &key) {
                    Ok(c) => StoreEvent::TemplateLoaded {
                        path,
                        campaign: Box::new(c),
                        signed: Signed::Verified,
                    },
                    Err(problem) => {
                        tracing::warn!(path = %path.display(), %problem, "template signature refused");
                        StoreEvent::Failed {
                            message: format!(
                                "活动模板“{}”没有采用：{problem}。请向市妇联宣传部索取正确的模板文件。",
                                path.display()
                            ),
                        }
                    }
                },
                (key, _) => match Campaign::load(&path) {
                    Ok(c) => StoreEvent::TemplateLoaded {
                        path,
                        campaign: Box::new(c),
                        signed: if key.is_some() {
                            Signed::Unsigned
                        } else {
                            Signed::NoKey
                        },
                    },
                    Err(e) => fail(e),
                },
            }
        }
        StoreCommand::MeasureDeskCache => StoreEvent::DeskCache(
            crate::core::desk::opened::cache_bytes(&data.root().join("cache").join("desk")),
        ),
        StoreCommand::ClearDeskCache => {
            let dir = data.root().join("cache").join("desk");
            let left = crate::core::desk::opened::trim_cache(&dir, &Default::default(), 0);
            return vec![
                StoreEvent::DeskCache(left),
                StoreEvent::Done {
                    message: Some(if left == 0 {
                        "已清空收件台缓存（再打开材料包时会重新取出照片和视频）。".into()
                    } else {
                        format!(
                            "收件台缓存中还有 {} 没能删除（可能正被其他程序打开），可稍后再试。",
                            crate::core::units::human_bytes(left)
                        )
                    }),
                },
            ];
        }
        StoreCommand::MarkReminderShown { id } => {
            if let Err(e) = crate::core::review::Inbox::in_data_dir(data.root()).mark_shown(&id) {
                tracing::warn!(error = %e, "cannot note a reminder as shown");
            }
            StoreEvent::Done { message: None }
        }
        StoreCommand::MarkCampaignShown { id, version } => {
            match Shelf::in_data_dir(data.root()).mark_shown(&id, version) {
                Ok(()) => StoreEvent::Done { message: None },
                Err(e) => {
                    tracing::warn!(error = %e, "cannot note a campaign as shown");
                    StoreEvent::Done { message: None }
                }
            }
        }
    };
    vec![one]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::FixedClock;
    use std::time::{Duration, Instant};

    fn worker(dir: &std::path::Path) -> StoreWorker {
        let clock = Arc::new(FixedClock::at("2024-03-08T10:00:00+08:00").unwrap());
        let data = DataDir::open(dir, clock).unwrap();
        StoreWorker::start(data, super::super::no_wake())
    }

    fn next(w: &mut StoreWorker) -> StoreEvent {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(e) = w.poll().pop() {
                return e;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no answer from the store worker");
    }

    #[test]
    fn a_store_operation_that_panics_is_said_and_the_worker_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = worker(dir.path());
        w.send(StoreCommand::PanicForTest);
        assert!(
            matches!(next(&mut w), StoreEvent::Failed { message } if message.contains("程序出错"))
        );
        assert!(w.alive());
        let campaign = Arc::new(Campaign::builtin().unwrap());
        w.send(StoreCommand::List { campaign });
        assert!(
            matches!(next(&mut w), StoreEvent::Listed(_)),
            "still working"
        );
    }

    #[test]
    fn a_worker_whose_thread_is_gone_is_known_to_be() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = worker(dir.path());
        assert!(w.alive());
        w.send(StoreCommand::EndForTest);
        let started = Instant::now();
        while w.alive() && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!w.alive(), "the window can tell saving has stopped");
        let campaign = Arc::new(Campaign::builtin().unwrap());
        w.send(StoreCommand::List { campaign });
        assert!(!w.alive());
    }
}

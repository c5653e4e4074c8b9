//! The ordered lane for the data folder's small file operations. The UI sends [`StoreCommand`]s
//! and reads [`StoreEvent`]s after each frame; it never waits on the disk. Commands run in the
//! order sent, so a save always lands before a duplicate or a delete that follows it. Long work
//! (copying attachments, bundles) is never sent here: it has its own [`super::Job`], so a 2 GB
//! copy cannot hold up an autosave.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use super::Wake;
use crate::core::campaign::Campaign;
use crate::core::draft::{Attachment, Draft, DraftId, Place, UnitProfile};
use crate::core::error::CoreError;
use crate::core::ids::RecycledName;
use crate::core::store::{DataDir, Listing, Settings};

#[derive(Debug)]
pub enum StoreCommand {
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
    },
    Failed {
        message: String,
    },
}

/// The GUI's handle on the worker. Dropping it finishes every queued command first.
pub struct StoreWorker {
    tx: Option<Sender<StoreCommand>>,
    rx: Receiver<StoreEvent>,
    thread: Option<JoinHandle<()>>,
    pending: usize,
}

impl StoreWorker {
    /// Start the worker on `data`; `wake` is called after every event (the GUI's repaint).
    pub fn start(data: DataDir, wake: Wake) -> Self {
        let (tx, commands) = mpsc::channel::<StoreCommand>();
        let (events, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baosong-store".into())
            .spawn(move || {
                for command in commands {
                    for event in run(&data, command) {
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
            tx: Some(tx),
            rx,
            thread,
            pending: 0,
        }
    }

    pub fn send(&mut self, command: StoreCommand) {
        if let Some(tx) = &self.tx
            && tx.send(command).is_ok()
        {
            self.pending += 1;
        }
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
        StoreCommand::LoadTemplate { path } => match Campaign::load(&path) {
            Ok(c) => StoreEvent::TemplateLoaded {
                path,
                campaign: Box::new(c),
            },
            Err(e) => fail(e),
        },
    };
    vec![one]
}

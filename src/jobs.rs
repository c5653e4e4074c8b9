//! The worker thread that does every file operation for the GUI. The UI sends [`StoreCommand`]s
//! and reads [`StoreEvent`]s after each frame; it never waits on the disk. Commands run in the
//! order sent, so a save always lands before a duplicate or a delete that follows it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use crate::core::campaign::Campaign;
use crate::core::draft::{Draft, UnitProfile};
use crate::core::error::CoreError;
use crate::core::store::{DataDir, Listing, Settings};

#[derive(Debug)]
pub enum StoreCommand {
    List,
    Create {
        campaign: Arc<Campaign>,
        unit: UnitProfile,
    },
    Open {
        id: String,
    },
    Save {
        draft: Box<Draft>,
    },
    Duplicate {
        id: String,
    },
    Delete {
        id: String,
    },
    Restore {
        name: String,
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
        id: String,
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
    pub fn start(data: DataDir, wake: impl Fn() + Send + 'static) -> Self {
        let (tx, commands) = mpsc::channel::<StoreCommand>();
        let (events, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baosong-store".into())
            .spawn(move || {
                for command in commands {
                    let event = run(&data, command);
                    if events.send(event).is_err() {
                        break;
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
        self.pending = self.pending.saturating_sub(events.len());
        events
    }

    /// Commands sent whose event has not been polled yet.
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

fn run(data: &DataDir, command: StoreCommand) -> StoreEvent {
    let fail = |e: CoreError| {
        tracing::error!(error = %e, "store command failed");
        StoreEvent::Failed {
            message: e.user_message(),
        }
    };
    match command {
        StoreCommand::List => StoreEvent::Listed(data.list()),
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
            Err(e) => fail(e),
        },
        StoreCommand::Duplicate { id } => match data.duplicate(&id) {
            Ok(_) => StoreEvent::Listed(data.list()),
            Err(e) => fail(e),
        },
        StoreCommand::Delete { id } => match data.delete(&id) {
            Ok(_) => StoreEvent::Listed(data.list()),
            Err(e) => fail(e),
        },
        StoreCommand::Restore { name } => match data.restore(&name) {
            Ok(_) => StoreEvent::Listed(data.list()),
            Err(e) => fail(e),
        },
        StoreCommand::SaveSettings(settings) => match data.save_settings(&settings) {
            Ok(()) => StoreEvent::Done { message: None },
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
    }
}

/// 测试连接, on a thread of its own: a slow network must never hold up the saves queued on the
/// store worker.
pub struct ProbeJob {
    rx: Receiver<Result<crate::core::intake::Probe, String>>,
}

impl ProbeJob {
    pub fn start(intake: crate::core::campaign::Intake, wake: impl Fn() + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("baosong-probe".into())
            .spawn(move || {
                let result =
                    crate::core::intake::IntakeClient::new().and_then(|c| c.probe(&intake));
                match &result {
                    Ok(p) => tracing::info!(url = %intake.url, probe = ?p, "intake probe"),
                    Err(e) => tracing::warn!(url = %intake.url, error = %e, "intake probe failed"),
                }
                let _ = tx.send(result.map_err(|e| e.user_message()));
                wake();
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the probe thread");
        }
        Self { rx }
    }

    /// The result, once it has come; `Some(Err)` also when the thread died.
    pub fn poll(&self) -> Option<Result<crate::core::intake::Probe, String>> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err("连接测试意外中止，请重试。".into())),
        }
    }
}

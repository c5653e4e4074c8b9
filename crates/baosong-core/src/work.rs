//! Long work in the core (copying a 2 GB video, hashing, bundling, uploading) reports its
//! progress and stops when asked, through [`Work`]. The core knows nothing of threads or egui:
//! `jobs` runs the work on a worker thread and hands in a `Work` that records progress for the
//! window and carries its 取消 button; the CLI and the tests hand in [`Unwatched`].

/// What long work reports to, and asks whether to go on.
pub trait Work: Sync {
    /// `done` of `total` (bytes, files…) of the named stage.
    fn progress(&self, stage: &str, done: u64, total: u64);
    /// The clerk pressed 取消 (or the window is closing): stop at the next good place.
    fn should_stop(&self) -> bool;
    /// The clerk pressed 立即重试 while the work waits for the network: stop waiting, once
    /// (reading it clears it).
    fn take_retry_now(&self) -> bool {
        false
    }
}

/// Work nobody watches and nobody cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unwatched;

impl Work for Unwatched {
    fn progress(&self, _stage: &str, _done: u64, _total: u64) {}

    fn should_stop(&self) -> bool {
        false
    }
}

/// Work that was stopped on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl dyn Work + '_ {
    /// `Err(Cancelled)` once a stop was asked for.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.should_stop() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

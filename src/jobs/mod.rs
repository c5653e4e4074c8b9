//! Work off the UI thread. The window never waits on the disk or the network: it sends work
//! here and reads what came back after each frame.
//!
//! Two shapes:
//! - [`store::StoreWorker`]: one ordered lane for the small file operations of the data folder
//!   (save a draft, list, duplicate, delete, settings), so a save always lands before the
//!   duplicate or delete that follows it.
//! - [`Job`]: long work (copying and hashing attachments, probing media, bundling, uploading) on
//!   a thread of its own, with an id, a 取消 flag, progress the window reads (stage, done, total;
//!   the window woken at most ~10 times a second), and a typed result. The work itself is a
//!   core function taking a [`Work`], so it is tested headless.
//!
//! [`thumbnails::ThumbnailPool`] is a small pool of such workers for previews, one per core;
//! [`import`] copies attachments; [`files`] checks them and opens them with the system;
//! [`submission`] builds bundles and sends them; [`campaigns`] looks at the campaigns the
//! department published; [`desk`] reads, checks and imports the bundles
//! that arrived (the receiving desk).
//!

pub mod campaign_edit;
pub mod campaigns;
pub mod connection;
pub mod desk;
pub mod files;
pub mod import;
pub mod store;
pub mod submission;
pub mod thumbnails;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::core::draft::DraftId;
use crate::core::work::Work;

/// How often at most a job wakes the window to show its progress: twice a second is smooth
/// enough for a progress bar and its figures, and on a software renderer (Remote Desktop, an old
/// office PC's OpenGL) every frame costs (issue 18 item 7: benches/send-cpu.sh).
pub const WAKE_EVERY: Duration = Duration::from_millis(500);

/// Called by a worker thread when the window should look again (the GUI's repaint).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Where a job is, as the window shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobProgress {
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

/// A job that ended without a result: its thread panicked (a bug, logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLost;

impl JobLost {
    /// The one wording of a lost job, for whatever it was doing (`添加文件`, `报送`…).
    pub fn user_message(self, doing: &str) -> String {
        format!("{doing}时程序出错，没有完成。请重试；如再出现，请导出诊断信息交给信息技术人员。")
    }
}

struct Shared {
    progress: Mutex<JobProgress>,
    cancel: AtomicBool,
    retry_now: AtomicBool,
    last_wake: Mutex<Option<Instant>>,
    wake: Wake,
}

impl Work for Shared {
    fn progress(&self, stage: &str, done: u64, total: u64) {
        if let Ok(mut p) = self.progress.lock() {
            if p.stage != stage {
                p.stage = stage.to_string();
            }
            p.done = done;
            p.total = total;
        }
        // Throttle the wake: a copy reports every chunk, the window needs ~10 frames a second.
        let due = match self.last_wake.lock() {
            Ok(mut last) => {
                let now = Instant::now();
                let due = last.is_none_or(|l| now.duration_since(l) >= WAKE_EVERY);
                if due {
                    *last = Some(now);
                }
                due
            }
            Err(_) => true,
        };
        if due {
            (self.wake)();
        }
    }

    fn should_stop(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn take_retry_now(&self) -> bool {
        self.retry_now.swap(false, Ordering::Relaxed)
    }
}

static NEXT_JOB: AtomicU64 = AtomicU64::new(1);

/// Long work on a thread of its own, ending in a result of type `R`.
pub struct Job<R> {
    id: u64,
    label: String,
    draft: Option<DraftId>,
    shared: Arc<Shared>,
    rx: Receiver<R>,
    thread: Option<JoinHandle<()>>,
}

impl<R: Send + 'static> Job<R> {
    /// Start `work` on a new thread. `label` is what the window says it is doing
    /// (正在复制文件…); `draft` the draft it works on, which cannot be deleted meanwhile.
    pub fn spawn(
        label: impl Into<String>,
        draft: Option<DraftId>,
        wake: Wake,
        work: impl FnOnce(&dyn Work) -> R + Send + 'static,
    ) -> Self {
        let id = NEXT_JOB.fetch_add(1, Ordering::Relaxed);
        let label = label.into();
        let shared = Arc::new(Shared {
            progress: Mutex::new(JobProgress::default()),
            cancel: AtomicBool::new(false),
            retry_now: AtomicBool::new(false),
            last_wake: Mutex::new(None),
            wake,
        });
        let (tx, rx) = mpsc::channel();
        let in_thread = shared.clone();
        let name = format!("baosong-job-{id}");
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(&*in_thread)));
                match result {
                    Ok(r) => {
                        let _ = tx.send(r);
                    }
                    Err(_) => tracing::error!(job = id, "job panicked"),
                }
                (in_thread.wake)();
            })
            .map_err(|e| tracing::error!(error = %e, "cannot start a job thread"))
            .ok();
        Self {
            id,
            label,
            draft,
            shared,
            rx,
            thread,
        }
    }
}

impl<R> Job<R> {
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn draft(&self) -> Option<&DraftId> {
        self.draft.as_ref()
    }

    pub fn progress(&self) -> JobProgress {
        self.shared
            .progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// Ask the work to stop; it ends soon after with whatever result it gives when cancelled.
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    /// Stop waiting for the network and try now (立即重试).
    pub fn retry_now(&self) {
        self.shared.retry_now.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }

    /// The result once the work has ended: `Some(Ok)`, or `Some(Err(JobLost))` if it died.
    pub fn poll(&mut self) -> Option<Result<R, JobLost>> {
        match self.rx.try_recv() {
            Ok(r) => {
                self.join();
                Some(Ok(r))
            }
            Err(TryRecvError::Empty) if self.thread.is_some() => None,
            Err(_) => {
                self.join();
                Some(Err(JobLost))
            }
        }
    }

    /// Stop the work and wait for its result at most `limit` (closing the window); `None` if it
    /// had not ended by then (it is left to end on its own, logged).
    pub fn finish_within(mut self, limit: Duration) -> Option<Result<R, JobLost>> {
        self.cancel();
        match self.rx.recv_timeout(limit) {
            Ok(r) => {
                self.join();
                Some(Ok(r))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                self.join();
                Some(Err(JobLost))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                tracing::warn!(job = self.id, label = %self.label, ?limit, "job still running at shutdown; left behind");
                None
            }
        }
    }

    fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl<R> Drop for Job<R> {
    /// A job let go of — replaced by a newer one, its screen left — is told to stop and left to
    /// end on its own thread: the window never waits for it (it once froze until a replaced
    /// file check had hashed every file). Closing the window waits, within a limit, for the
    /// jobs that write: [`Job::finish_within`].
    fn drop(&mut self) {
        self.cancel();
        // The thread is detached: its handle dropped, not joined.
        self.thread = None;
    }
}

/// A wake that does nothing (the CLI, tests without a window).
pub fn no_wake() -> Wake {
    Arc::new(|| {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn letting_go_of_a_running_job_stops_it_without_waiting_for_it() {
        // The work blocks until the test releases it, as a file check hashing a big file does.
        let (release, released) = mpsc::channel::<()>();
        let (ended_tx, ended) = mpsc::channel::<bool>();
        let job = Job::spawn("正在检查文件…", None, no_wake(), move |work| {
            let _ = released.recv();
            let _ = ended_tx.send(work.should_stop());
        });
        let (dropped_tx, dropped) = mpsc::channel();
        std::thread::spawn(move || {
            drop(job);
            let _ = dropped_tx.send(());
        });
        // Dropping returns while the work is still blocked (the old Drop joined: it never did).
        assert!(
            dropped.recv_timeout(Duration::from_secs(30)).is_ok(),
            "dropping the job waited for its work"
        );
        release.send(()).unwrap();
        assert_eq!(
            ended.recv_timeout(Duration::from_secs(30)),
            Ok(true),
            "the work was told to stop"
        );
    }

    #[test]
    fn closing_waits_for_a_job_within_a_limit() {
        let (release, released) = mpsc::channel::<()>();
        let job = Job::spawn("正在导入", None, no_wake(), move |_| {
            let _ = released.recv();
            7
        });
        let finished = Job::spawn("正在导入", None, no_wake(), |_| 8);
        assert_eq!(finished.finish_within(Duration::from_secs(30)), Some(Ok(8)));
        assert_eq!(
            job.finish_within(Duration::from_millis(50)),
            None,
            "left behind"
        );
        let _ = release.send(());
    }

    fn wait<R>(job: &mut Job<R>) -> Result<R, JobLost> {
        for _ in 0..2000 {
            if let Some(r) = job.poll() {
                return r;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("job did not end");
    }

    #[test]
    fn a_job_reports_progress_and_its_result() {
        let mut job = Job::spawn("测试", None, no_wake(), |work| {
            for i in 0..=10 {
                work.progress("复制", i, 10);
            }
            42
        });
        assert_eq!(wait(&mut job), Ok(42));
        assert_eq!(
            job.progress(),
            JobProgress {
                stage: "复制".into(),
                done: 10,
                total: 10
            }
        );
    }

    #[test]
    fn cancel_stops_the_work_and_a_panic_is_a_lost_job() {
        let mut job = Job::spawn("测试", None, no_wake(), |work| {
            let mut rounds = 0u64;
            while work.check().is_ok() {
                rounds += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            rounds
        });
        job.cancel();
        assert!(wait(&mut job).is_ok());

        let mut job: Job<()> = Job::spawn("测试", None, no_wake(), |_| panic!("a bug"));
        assert_eq!(wait(&mut job), Err(JobLost));
    }

    #[test]
    fn the_window_is_woken_at_most_twice_a_second() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let wake: Wake = Arc::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let mut job = Job::spawn("测试", None, wake, |work| {
            for i in 0..100_000 {
                work.progress("哈希", i, 100_000);
            }
        });
        let started = Instant::now();
        assert!(wait(&mut job).is_ok());
        let elapsed = started.elapsed().as_secs_f64();
        let n = wakes.load(Ordering::Relaxed) as f64;
        // One wake per WAKE_EVERY at most, plus the first and the final one.
        assert!(
            n <= elapsed / WAKE_EVERY.as_secs_f64() + 2.0,
            "{n} wakes in {elapsed} s"
        );
    }
}

//! Inspecting a file where a malformed one cannot hurt: in a child process — this same program,
//! run as `baosong inspect FILE --limited` — that may use at most [`PROBE_MEMORY`] and is
//! killed after [`PROBE_TIMEOUT`]. Demuxers and decoders have been seen looping forever on
//! mutated MP4 boxes; here such a file costs a few seconds and a "无法预览" tile, never a frozen
//! or crashed window.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Inspection;

/// A probe taking longer than this is killed.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// The most memory a probe may use.
pub const PROBE_MEMORY: u64 = 2 * 1024 * 1024 * 1024;
/// How often the parent looks whether the child has finished.
const POLL: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot start the probe {exe}: {detail}")]
    Spawn { exe: PathBuf, detail: String },
    #[error("probe timed out after {0:?}")]
    TimedOut(Duration),
    #[error("probe ended abnormally: {0}")]
    Crashed(String),
    /// The file was refused or unreadable: the child's own Chinese message.
    #[error("refused: {0}")]
    Refused(String),
    #[error("probe printed something unexpected: {0}")]
    BadOutput(String),
}

impl ProbeError {
    /// Why there is no preview; the file itself is still attached and sent.
    pub fn user_message(&self) -> String {
        match self {
            Self::Refused(m) => m.clone(),
            Self::TimedOut(_) => {
                "读取文件信息超时（文件可能已损坏），无法预览；仍会随材料报送，可用系统程序打开检查"
                    .into()
            }
            Self::Crashed(_) | Self::BadOutput(_) => {
                "文件内容有误，无法预览；仍会随材料报送，可用系统程序打开检查".into()
            }
            Self::Spawn { .. } => "无法启动预览程序，暂不能预览；文件仍会随材料报送".into(),
        }
    }
}

/// Runs probes in child processes of `exe` (this program).
#[derive(Debug, Clone)]
pub struct Prober {
    exe: PathBuf,
    timeout: Duration,
}

impl Prober {
    pub fn new(exe: PathBuf) -> Self {
        Self {
            exe,
            timeout: PROBE_TIMEOUT,
        }
    }

    /// This program itself (the window's case).
    pub fn this_program() -> Option<Self> {
        std::env::current_exe().ok().map(Self::new)
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Inspect `path`; with `thumbnail`, the child also writes the picture (oriented photo or
    /// poster frame) no larger than the given size as a PNG at the given path.
    pub fn inspect(
        &self,
        path: &Path,
        thumbnail: Option<(&Path, u32)>,
    ) -> Result<Inspection, ProbeError> {
        let mut command = Command::new(&self.exe);
        command.arg("inspect").arg(path).arg("--limited");
        if let Some((out, size)) = thumbnail {
            command
                .arg("--thumbnail")
                .arg(out)
                .arg("--size")
                .arg(size.to_string());
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // The child's log lines would only be noise on the parent's console.
            .env("BAOSONG_LOG", "off");
        crate::platform::no_console_window(&mut command);
        let mut child = command.spawn().map_err(|e| ProbeError::Spawn {
            exe: self.exe.clone(),
            detail: e.to_string(),
        })?;
        // Read the pipes on threads, so a chatty child never blocks on a full pipe.
        let stdout = child.stdout.take().map(reader);
        let stderr = child.stderr.take().map(reader);
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    tracing::warn!(path = %path.display(), "probe timed out, killed");
                    return Err(ProbeError::TimedOut(self.timeout));
                }
                Ok(None) => std::thread::sleep(POLL),
                Err(e) => return Err(ProbeError::Crashed(e.to_string())),
            }
        };
        let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        match status.code() {
            Some(0) => serde_json::from_slice(&out).map_err(|e| {
                ProbeError::BadOutput(format!("{e}: {}", String::from_utf8_lossy(&out)))
            }),
            Some(1) => Err(ProbeError::Refused(
                String::from_utf8_lossy(&err)
                    .trim()
                    .trim_start_matches("错误：")
                    .to_string(),
            )),
            _ => {
                tracing::warn!(path = %path.display(), %status, stderr = %String::from_utf8_lossy(&err), "probe crashed");
                Err(ProbeError::Crashed(status.to_string()))
            }
        }
    }
}

fn reader<R: Read + Send + 'static>(mut pipe: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

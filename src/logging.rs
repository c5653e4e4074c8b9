//! Logs: to stderr, and — for the window — to a daily-rotated file in the data folder
//! (`<data>/logs/baosong.log.YYYY-MM-DD`, the last 7 kept), which 设置 → 导出诊断信息 packs
//! up for IT support. `BAOSONG_LOG` sets the level (`info` by default in the file).

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

pub use crate::core::store::LOG_DIR;
pub const LOG_PREFIX: &str = "baosong.log";

/// Keeps the file writer flushing; drop it last (at exit).
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("BAOSONG_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// Log to stderr only (the command-line subcommands).
pub fn init_stderr() -> LogGuard {
    use std::io::IsTerminal;
    // Colour codes only where a terminal shows them (not in a file, a pipe, IT's script).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter("warn"))
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
    LogGuard(None)
}

/// Log to stderr and to the rotating file under `data_root/logs` (the window). If the folder
/// cannot be used, stderr only: logging never stops the app.
pub fn init_with_file(data_root: Option<&Path>) -> LogGuard {
    let appender = data_root.map(log_dir).and_then(|dir| {
        std::fs::create_dir_all(&dir).ok()?;
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(LOG_PREFIX)
            .max_log_files(7)
            .build(&dir)
            .ok()
    });
    let Some(appender) = appender else {
        return init_stderr();
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(filter("info"));
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter("warn"));
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    LogGuard(Some(guard))
}

pub fn log_dir(data_root: &Path) -> PathBuf {
    crate::core::store::log_dir(data_root)
}

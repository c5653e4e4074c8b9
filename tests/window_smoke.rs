#![cfg(target_os = "linux")]
//! The real window, under Xvfb: it opens, draws, logs which renderer it used to the rotating log
//! file in the data folder, and closes cleanly. When the preferred renderer (wgpu) cannot start —
//! forced here with `WGPU_BACKEND=dx12`, a backend Linux does not have, as an old driver or a
//! Remote Desktop session would — the app falls back to OpenGL (glow) instead of exiting.
//!
//! Needs `Xvfb` (Debian's xvfb; `scripts/test.sh` installs it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[allow(clippy::zombie_processes)] // waited for in Drop
fn xvfb() -> Xvfb {
    for _ in 0..20 {
        let n = fastrand::u32(200..60000);
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x860x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is needed for this test: apt-get install xvfb (scripts/test.sh does)");
        // Ready when its socket accepts a connection (the file can appear a moment earlier).
        for _ in 0..200 {
            if std::os::unix::net::UnixStream::connect(format!("/tmp/.X11-unix/X{n}")).is_ok() {
                return Xvfb { child, display };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("Xvfb did not start");
}

/// Run the window for a moment; returns the exit status and the log file's text.
fn run_window(
    display: &str,
    data: &Path,
    env: &[(&str, &str)],
) -> (std::process::ExitStatus, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baosong"));
    cmd.env("DISPLAY", display)
        .env("BAOSONG_DATA_DIR", data)
        .env("BAOSONG_SMOKE_EXIT_AFTER_MS", "1500")
        .env("BAOSONG_LOG", "info")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WGPU_BACKEND")
        .env_remove("BAOSONG_RENDERER")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data.join("stderr.txt")).expect("stderr file"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start baosong");
    let mut status = None;
    for _ in 0..600 {
        if let Some(s) = child.try_wait().expect("wait") {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("the window did not close by itself within 60 s");
    });
    let stderr = std::fs::read_to_string(data.join("stderr.txt")).unwrap_or_default();
    let mut log = format!("stderr:\n{stderr}\nlog:\n");
    let logs = std::fs::read_dir(data.join("logs"));
    let logs =
        logs.unwrap_or_else(|e| panic!("no logs folder ({e}); exit {status:?}; stderr:\n{stderr}"));
    for entry in logs {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    (status, log)
}

#[test]
fn the_window_opens_logs_its_renderer_and_falls_back_to_opengl() {
    let x = xvfb();

    let data = tempfile::tempdir().unwrap();
    let (status, log) = run_window(&x.display, data.path(), &[]);
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("renderer in use: wgpu"), "{log}");
    assert!(log.contains("window closed, drafts saved"), "{log}");
    assert!(!log.contains("trying the next one"), "{log}");

    let data = tempfile::tempdir().unwrap();
    let (status, log) = run_window(&x.display, data.path(), &[("WGPU_BACKEND", "dx12")]);
    assert!(status.success(), "{status:?}\n{log}");
    assert!(
        log.contains("renderer could not start, trying the next one renderer=\"wgpu\""),
        "{log}"
    );
    assert!(log.contains("renderer in use: glow"), "{log}");

    let data = tempfile::tempdir().unwrap();
    let (status, log) = run_window(&x.display, data.path(), &[("BAOSONG_RENDERER", "glow")]);
    assert!(status.success(), "{status:?}\n{log}");
    assert!(
        log.contains("starting the window renderer=\"glow\""),
        "{log}"
    );
    assert!(log.contains("renderer in use: glow"), "{log}");
}

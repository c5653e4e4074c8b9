//! The real upload peers the network tests start on loopback: a tus 1.0 server (@tus/server +
//! @tus/file-store, Node, `tests/peers`) and a plain upload server (`uploadserver`, Python).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Peer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn tus_server(token: Option<&str>) -> Peer {
    tus_server_with(token, &[])
}

/// A tus server with more of its environment set (`TUS_MAX_SIZE`).
pub fn tus_server_with(token: Option<&str>, env: &[(&str, &str)]) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/tus-server.mjs");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/peers/node_modules/@tus/server")
            .is_dir(),
        "run `npm ci` in tests/peers first (scripts/test.sh does)"
    );
    let mut cmd = Command::new("node");
    cmd.arg(&script)
        .arg("0")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(t) = token {
        cmd.env("TUS_TOKEN", t);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("node is needed for the tus server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("tus server said {line:?}"));
    Peer { child, port, dir }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[allow(clippy::zombie_processes)] // waited for in Drop
pub fn upload_server() -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "uploadserver",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
            "--directory",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with uploadserver (pip install uploadserver)");
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Peer { child, port, dir };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("uploadserver did not start");
}

impl Peer {
    /// The files the server stored (its folder, without tus's `.json` info files).
    pub fn stored(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        out.retain(|p| p.is_file() && p.extension().is_none_or(|e| e != "json"));
        out.sort();
        out
    }
}

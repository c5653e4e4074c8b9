//! The real upload peers the network tests start on loopback: a tus 1.0 server (@tus/server +
//! @tus/file-store, Node, `tests/peers`) and a plain upload server (`uploadserver`, Python).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

/// A TCP proxy in front of a server, counting what the client sends, and cutting connections
/// where the test says.
pub struct Cutter {
    pub port: u16,
    /// Bytes the client sent through it.
    pub sent: Arc<AtomicU64>,
    pub cuts: Arc<AtomicUsize>,
}

/// `cut_every`: cut about that often (bytes); `throttle`: bytes a second the client may send.
pub fn cutter(upstream: u16, cut_every: Option<u64>, throttle: Option<u64>) -> Cutter {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let cuts = Arc::new(AtomicUsize::new(0));
    let next_cut = Arc::new(Mutex::new(cut_every.unwrap_or(u64::MAX)));
    let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(12)));
    let (s, c) = (sent.clone(), cuts.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (sent, cuts, next_cut, rng) = (s.clone(), c.clone(), next_cut.clone(), rng.clone());
            let (mut from_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(Shutdown::Both);
            });
            std::thread::spawn(move || {
                let (mut client, mut server) = (client, server);
                let mut buf = [0u8; 16 * 1024];
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    let total = sent.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
                    if let Some(rate) = throttle {
                        std::thread::sleep(Duration::from_secs_f64(n as f64 / rate as f64));
                    }
                    let mut at = next_cut.lock().unwrap();
                    if total >= *at {
                        // Cut both ways, at a random point of the next stretch.
                        let every = cut_every.unwrap_or(u64::MAX);
                        *at = total + every / 2 + rng.lock().unwrap().u64(..every.max(1));
                        cuts.fetch_add(1, Ordering::SeqCst);
                        let _ = client.shutdown(Shutdown::Both);
                        let _ = server.shutdown(Shutdown::Both);
                        break;
                    }
                }
                let _ = server.shutdown(Shutdown::Write);
            });
        }
    });
    Cutter { port, sent, cuts }
}

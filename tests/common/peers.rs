//! The real upload peers the network tests start on loopback: the intake endpoint as deployed
//! (`deploy/intake`: @tus/server + @tus/file-store, Node) and a plain upload server
//! (`uploadserver`, Python).
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
    /// Where the server stores what it receives.
    pub store: PathBuf,
    /// The intake's tokens file, when it asks for tokens.
    pub tokens: Option<PathBuf>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The city federation's intake endpoint as deployed (`deploy/intake/server.mjs`: @tus/server +
/// @tus/file-store), storing into a temporary folder; with `token`, that one token (for any unit)
/// in its tokens file.
pub fn tus_server(token: Option<&str>) -> Peer {
    tus_server_with(token, &[])
}

/// The intake with more of its settings (`INTAKE_MAX_SIZE`, `INTAKE_S3_BUCKET`…).
pub fn tus_server_with(token: Option<&str>, env: &[(&str, &str)]) -> Peer {
    let tokens = token.map(|t| format!("{t} *\n"));
    intake(tokens.as_deref(), env)
}

/// The intake with a tokens file of these lines (`<token> <unit or *>`).
pub fn intake(tokens: Option<&str>, env: &[(&str, &str)]) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/intake");
    assert!(
        root.join("node_modules/@tus/server").is_dir(),
        "run `npm ci` in deploy/intake first (scripts/test.sh does)"
    );
    let store = dir.path().join("uploads");
    let mut cmd = Command::new("node");
    cmd.arg(root.join("server.mjs"))
        .env("INTAKE_PORT", "0")
        .env("INTAKE_DIR", &store)
        .env("TZ", "Asia/Shanghai")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let tokens = tokens.map(|lines| {
        let path = dir.path().join("tokens.txt");
        std::fs::write(&path, lines).unwrap();
        cmd.env("INTAKE_TOKENS", &path);
        path
    });
    if env.iter().any(|(k, _)| *k == "INTAKE_S3_BUCKET") {
        // With object storage the audit log is a local file: the test's folder, not the repo.
        cmd.env("INTAKE_AUDIT", dir.path().join("intake-audit.jsonl"));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("node is needed for the intake server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    // What it checked at start-up comes first; then "listening PORT".
    let mut line = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 && !line.starts_with("listening ") {
        line.clear();
    }
    let port = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("intake server said {line:?}"));
    // Keep draining what it logs, so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Peer {
        child,
        port,
        dir,
        store,
        tokens,
    }
}

/// An S3-compatible object store on loopback (moto's standalone server, `pip install
/// moto[server]`), with the bucket `bucket` made.
pub fn s3_server(bucket: &str) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (pip install 'moto[server]'; scripts/test.sh does)");
    let mut peer = Peer {
        child,
        port,
        store: dir.path().to_path_buf(),
        dir,
        tokens: None,
    };
    let url = format!("http://127.0.0.1:{port}/{bucket}");
    for _ in 0..200 {
        if let Ok(r) = reqwest::blocking::Client::new().put(&url).send()
            && r.status().is_success()
        {
            return peer;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = peer.child.kill();
    panic!("moto_server did not start");
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
            return Peer {
                child,
                port,
                store: dir.path().to_path_buf(),
                dir,
                tokens: None,
            };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("uploadserver did not start");
}

impl Peer {
    /// The files the server stored (its folder, without tus's `.json` info files and the
    /// intake's audit log).
    pub fn stored(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(&self.store)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        out.retain(|p| p.is_file() && p.extension().is_none_or(|e| e != "json" && e != "jsonl"));
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
    proxy(upstream, cut_every, throttle, None)
}

/// A proxy that changes one byte the client sends: the `at`-th of everything it passes on (a
/// line that damages data in transit, which TLS would catch and a test must make).
pub fn flipper(upstream: u16, at: u64) -> Cutter {
    proxy(upstream, None, None, Some(at))
}

/// What the server says goes back to the client as it comes (a proxy's way back), on a thread.
pub fn answers_back(server: &TcpStream, client: &TcpStream) {
    let (mut from_server, mut to_client) =
        (server.try_clone().unwrap(), client.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
}

fn proxy(
    upstream: u16,
    cut_every: Option<u64>,
    throttle: Option<u64>,
    flip_at: Option<u64>,
) -> Cutter {
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
            answers_back(&server, &client);
            std::thread::spawn(move || {
                let (mut client, mut server) = (client, server);
                let mut buf = [0u8; 16 * 1024];
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let before = sent.load(Ordering::SeqCst);
                    if let Some(at) = flip_at
                        && (before..before + n as u64).contains(&at)
                    {
                        buf[(at - before) as usize] ^= 0x55;
                    }
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

/// A front door that answers the first `busy_for` connections itself with `503 Service
/// Unavailable` (Retry-After: 1) — an nginx `limit_conn`, a restarting backend — and passes
/// every later one through to the server. Counts the connections it turned away.
pub fn busy_front(upstream: u16, busy_for: usize) -> Cutter {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let turned_away = Arc::new(AtomicUsize::new(0));
    let t = turned_away.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            if t.load(Ordering::SeqCst) < busy_for {
                t.fetch_add(1, Ordering::SeqCst);
                // Read the request's head, then say busy and close.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let _ = client.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                let _ = client.shutdown(Shutdown::Both);
                continue;
            }
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            answers_back(&server, &client);
            std::thread::spawn(move || {
                let (mut client, mut server) = (client, server);
                let _ = std::io::copy(&mut client, &mut server);
                let _ = server.shutdown(Shutdown::Write);
            });
        }
    });
    Cutter {
        port,
        sent,
        cuts: turned_away,
    }
}

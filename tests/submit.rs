//! 一键报送 from the command line against real peers on loopback — the tus server in
//! `tests/peers` and uploadserver — and through the faults an office network makes: a proxy that
//! cuts the connection at random points (at least 20 cuts in one upload), the program killed
//! mid-upload and started again, the server's upload vanished, and a small server of the test's
//! own for the answers a real one will not give on demand (401, 403, 404, 409, 412, 413, 460,
//! 500, 503 with Retry-After, a 200 web page, a redirect, silence). Nothing is ever marked 已报送
//! without the server's word.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baosong::core::draft::{DraftId, Status};
use baosong::core::store::DataDir;
use common::drafts::*;
use common::peers::*;
use common::*;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_baosong"))
}

fn submit(data: &Path, draft: &DraftId, endpoint: &str, extra: &[&str]) -> Output {
    Command::new(exe())
        .env("BAOSONG_DATA_DIR", data)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args(["submit", draft.as_str(), "--endpoint", endpoint])
        .args(extra)
        .output()
        .unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sha256(path: &Path) -> String {
    baosong::core::store::sha256_of(path).unwrap()
}

fn status(data: &Path, id: &DraftId) -> Status {
    DataDir::open(data, clock())
        .unwrap()
        .load(id)
        .unwrap()
        .status()
        .clone()
}

fn exported_sha(data: &Path, id: &DraftId) -> String {
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("x.zip");
    let o = Command::new(exe())
        .env("BAOSONG_DATA_DIR", data)
        .args(["export", id.as_str(), "-o"])
        .arg(&to)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    sha256(&to)
}

/// A draft ready to send, with `mib` MiB of extra material.

#[test]
fn sent_to_a_real_tus_server_byte_for_byte_with_a_receipt() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 3);
    let tus = tus_server(Some("unit-01-secret"));
    let url = format!("http://127.0.0.1:{}/files/", tus.port);
    let o = submit(data.path(), &id, &url, &["--token", "unit-01-secret"]);
    assert!(o.status.success(), "{}", err(&o));
    let receipt = String::from_utf8_lossy(&o.stdout);
    assert!(
        receipt.contains("报送回执") && receipt.contains("渝中区妇联"),
        "{receipt}"
    );
    let Status::Submitted { receipt: r } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    assert_eq!(r.protocol, "tus");
    assert!(r.reference.starts_with(&url), "{}", r.reference);
    let stored = tus.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        sha256(&stored[0]),
        r.bundle_sha256,
        "the server has the bundle byte for byte"
    );
    assert_eq!(
        exported_sha(data.path(), &id),
        r.bundle_sha256,
        "and it is what export gives"
    );
    let dir = DataDir::open(data.path(), clock())
        .unwrap()
        .draft_dir(&id)
        .join("submission");
    // The receipt names the program that got the confirmation: version and commit, as
    // `baosong --version` says them (docs/release.md).
    let receipt = std::fs::read_to_string(dir.join("receipt.txt")).unwrap();
    assert!(
        receipt.contains(&format!(
            "此回执由报送程序 baosong {} 在服务器确认",
            baosong::core::build_info::VERSION_AND_COMMIT
        )),
        "{receipt}"
    );
    assert_eq!(r.app, baosong::core::build_info::VERSION_AND_COMMIT);
    assert!(!dir.join("upload.json").exists(), "nothing left to resume");
    // The server has it: the bundle does not stay a third copy on the clerk's disk (the export
    // above rebuilt it byte for byte).
    let zips: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "zip"))
        .collect();
    assert!(zips.is_empty(), "{zips:?}");
    let info = std::fs::read_to_string(format!("{}.json", stored[0].display())).unwrap();
    assert!(
        info.contains(&r.bundle_sha256),
        "the bundle's sha256 in Upload-Metadata: {info}"
    );

    // Sent again: no duplicate.
    let o = submit(data.path(), &id, &url, &["--token", "unit-01-secret"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("没有重复报送"));
    assert_eq!(tus.stored().len(), 1);
}

#[test]
fn sent_to_a_plain_upload_server_as_multipart() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "江北区妇联", 1);
    let server = upload_server();
    let url = format!("http://127.0.0.1:{}/upload", server.port);
    let o = submit(data.path(), &id, &url, &[]);
    assert!(o.status.success(), "{}", err(&o));
    let Status::Submitted { receipt } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    assert_eq!(receipt.protocol, "multipart");
    let stored = server.stored();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        stored[0].file_name().unwrap().to_string_lossy(),
        receipt.bundle_name,
        "kept under its readable name"
    );
    assert_eq!(sha256(&stored[0]), receipt.bundle_sha256);
}

#[test]
fn twenty_cuts_in_one_upload_and_it_still_arrives_byte_identical() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "沙坪坝区妇联", 12);
    let tus = tus_server(None);
    let chunk_kib = 512u64;
    let bundle_bytes = 12 * 1024 * 1024 + 200_000;
    let proxy = cutter(tus.port, Some(bundle_bytes / 30), None);
    let url = format!("http://127.0.0.1:{}/files/", proxy.port);
    let chunk = chunk_kib.to_string();
    let o = submit(
        data.path(),
        &id,
        &url,
        &["--chunk-kib", &chunk, "--retry-ms", "50"],
    );
    assert!(o.status.success(), "{}", err(&o));
    let Status::Submitted { receipt } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    let cuts = proxy.cuts.load(Ordering::SeqCst);
    let sent = proxy.sent.load(Ordering::SeqCst);
    assert!(cuts >= 20, "only {cuts} cuts");
    assert_eq!(
        sha256(&tus.stored()[0]),
        receipt.bundle_sha256,
        "byte-identical"
    );
    let resent = sent.saturating_sub(receipt.bytes);
    let per_cut = resent / cuts as u64;
    eprintln!(
        "{cuts} cuts; {} bytes sent for a {} byte bundle: {per_cut} re-sent per cut",
        sent, receipt.bytes
    );
    assert!(
        per_cut <= chunk_kib * 1024,
        "re-sent per cut {per_cut} > one chunk"
    );
}

#[test]
fn a_busy_front_door_is_waited_for_not_taken_as_a_failure() {
    // The first two connections — the probe's OPTIONS among them — get 503 from the front (an
    // nginx limit_conn): the sending waits and tries again, and the bundle arrives.
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "大渡口区妇联", 1);
    let tus = tus_server(None);
    let front = busy_front(tus.port, 2);
    let url = format!("http://127.0.0.1:{}/files/", front.port);
    let o = submit(data.path(), &id, &url, &["--retry-ms", "50"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(front.cuts.load(Ordering::SeqCst), 2, "two turned away");
    let Status::Submitted { receipt } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    assert_eq!(sha256(&tus.stored()[0]), receipt.bundle_sha256);
}

#[test]
fn killed_mid_upload_it_resumes_from_the_servers_offset() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "九龙坡区妇联", 8);
    let tus = tus_server(None);
    // Slow: 2 MB/s, so the program is still sending when it is killed.
    let slow = cutter(tus.port, None, Some(2_000_000));
    let url = format!("http://127.0.0.1:{}/files/", slow.port);
    let mut child = Command::new(exe())
        .env("BAOSONG_DATA_DIR", data.path())
        .args([
            "submit",
            id.as_str(),
            "--endpoint",
            &url,
            "--chunk-kib",
            "1024",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while slow.sent.load(Ordering::SeqCst) < 3_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the upload never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no goodbye
    let _ = child.wait();
    let first = slow.sent.load(Ordering::SeqCst);
    assert_eq!(
        status(data.path(), &id),
        Status::Submitting,
        "left 报送中, resumable"
    );
    let o = Command::new(exe())
        .env("BAOSONG_DATA_DIR", data.path())
        .args(["status", id.as_str()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("服务器已开始接收"));

    let o = submit(data.path(), &id, &url, &["--chunk-kib", "1024"]);
    assert!(o.status.success(), "{}", err(&o));
    let Status::Submitted { receipt } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    let second = slow.sent.load(Ordering::SeqCst) - first;
    eprintln!(
        "killed after {first} bytes; the second run sent {second} of {}",
        receipt.bytes
    );
    assert!(
        second + 2_000_000 < receipt.bytes,
        "resumed, not restarted: {second} bytes sent after the restart for {}",
        receipt.bytes
    );
    assert_eq!(tus.stored().len(), 1, "one upload on the server, not two");
    assert_eq!(sha256(&tus.stored()[0]), receipt.bundle_sha256);
}

#[test]
fn an_upload_the_server_forgot_starts_afresh() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "南岸区妇联", 4);
    let tus = tus_server(None);
    let slow = cutter(tus.port, None, Some(2_000_000));
    let url = format!("http://127.0.0.1:{}/files/", slow.port);
    let mut child = Command::new(exe())
        .env("BAOSONG_DATA_DIR", data.path())
        .args([
            "submit",
            id.as_str(),
            "--endpoint",
            &url,
            "--chunk-kib",
            "512",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while slow.sent.load(Ordering::SeqCst) < 1_000_000 {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    // The server's administrator cleans up unfinished uploads.
    for f in std::fs::read_dir(&tus.store).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let o = submit(data.path(), &id, &url, &[]);
    assert!(o.status.success(), "{}", err(&o));
    let Status::Submitted { receipt } = status(data.path(), &id) else {
        panic!("not 已报送");
    };
    assert_eq!(sha256(&tus.stored()[0]), receipt.bundle_sha256);
}

#[test]
fn a_bundle_over_the_servers_limit_is_refused_before_sending() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "北碚区妇联", 2);
    let tus = tus_server_with(None, &[("INTAKE_MAX_SIZE", "1000000")]);
    let proxy = cutter(tus.port, None, None);
    let url = format!("http://127.0.0.1:{}/files/", proxy.port);
    let o = submit(data.path(), &id, &url, &["--wait", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("超过了服务器允许的"), "{}", err(&o));
    assert!(
        proxy.sent.load(Ordering::SeqCst) < 10_000,
        "no bundle bytes were sent"
    );
    assert!(matches!(status(data.path(), &id), Status::Failed { .. }));
}

/// A server of the test's own: each request answered by `answer(method)`.
fn tiny_server(
    answer: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(stream) = conn else { continue };
            let (seen, answer) = (seen2.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let method = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    seen.lock().unwrap().push(line.trim().to_string());
                    let mut length = 0usize;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        let lower = h.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; length];
                    let _ = reader.read_exact(&mut body);
                    match answer(&method) {
                        Some(response) => {
                            let _ = (&stream).write_all(response.as_bytes());
                        }
                        None => std::thread::sleep(Duration::from_secs(3600)),
                    }
                }
            });
        }
    });
    (port, seen)
}

fn plain(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

const NOT_TUS: &str = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

#[test]
fn every_refusal_ends_in_the_right_message_and_never_in_sent() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝北区妇联", 0);
    let cases: Vec<(&str, String, &str)> = vec![
        ("401", plain("401 Unauthorized", "", "no"), "拒绝了访问令牌"),
        ("403", plain("403 Forbidden", "", "no"), "拒绝了访问令牌"),
        ("404", plain("404 Not Found", "", ""), "不存在（HTTP 404）"),
        (
            "413",
            plain("413 Payload Too Large", "", ""),
            "超过了服务器允许的大小",
        ),
        (
            "500",
            plain("500 Internal Server Error", "", ""),
            "暂时无法接收（HTTP 500）",
        ),
        (
            "503",
            plain("503 Service Unavailable", "Retry-After: 1\r\n", ""),
            "暂时无法接收（HTTP 503）",
        ),
        (
            "200 HTML",
            plain(
                "200 OK",
                "Content-Type: text/html\r\n",
                "<html><body>请先登录</body></html>",
            ),
            "返回了一个网页",
        ),
        (
            "redirect",
            plain(
                "307 Temporary Redirect",
                "Location: http://203.0.113.9/steal\r\n",
                "",
            ),
            "被转到了另一个地址",
        ),
    ];
    for (name, post_answer, says) in cases {
        let (port, seen) = tiny_server(move |method| {
            Some(if method == "OPTIONS" {
                NOT_TUS.to_string()
            } else {
                post_answer.clone()
            })
        });
        let url = format!("http://127.0.0.1:{port}/upload");
        let o = submit(
            data.path(),
            &id,
            &url,
            &["--wait", "0", "--token", "秘密令牌"],
        );
        assert_eq!(o.status.code(), Some(1), "{name}: {}", err(&o));
        assert!(err(&o).contains(says), "{name}: {}", err(&o));
        assert!(
            matches!(status(data.path(), &id), Status::Failed { .. }),
            "{name}: never 已报送 without the server's word"
        );
        assert!(
            seen.lock().unwrap().iter().any(|l| l.starts_with("POST")),
            "{name}"
        );
    }
}

#[test]
fn tus_refusals_mid_upload_are_explained() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "綦江区妇联", 0);
    for (code, says) in [
        ("409 Conflict", "暂时无法接收（HTTP 409）"),
        ("412 Precondition Failed", "拒绝了这次报送（HTTP 412）"),
        ("460 Checksum Mismatch", "暂时无法接收（HTTP 460）"),
    ] {
        let (port, _) = tiny_server(move |method| {
            Some(match method {
                "OPTIONS" => "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\nTus-Extension: creation,termination\r\n\r\n".to_string(),
                "POST" => "HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\nLocation: /files/abc\r\nContent-Length: 0\r\n\r\n".to_string(),
                "HEAD" => "HTTP/1.1 200 OK\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Length: 0\r\n\r\n".to_string(),
                _ => plain(code, "Tus-Resumable: 1.0.0\r\n", ""),
            })
        });
        let url = format!("http://127.0.0.1:{port}/files/");
        let o = submit(data.path(), &id, &url, &["--wait", "0"]);
        assert_eq!(o.status.code(), Some(1), "{code}: {}", err(&o));
        assert!(err(&o).contains(says), "{code}: {}", err(&o));
        assert!(matches!(status(data.path(), &id), Status::Failed { .. }));
    }
}

#[test]
fn a_server_that_never_answers_times_out_with_a_message() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "长寿区妇联", 0);
    let (port, _) = tiny_server(|_| None);
    let o = submit(
        data.path(),
        &id,
        &format!("http://127.0.0.1:{port}/upload"),
        &["--wait", "0"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("超时"), "{}", err(&o));
    assert!(matches!(status(data.path(), &id), Status::Failed { .. }));
}

#[test]
fn plain_http_to_another_host_is_refused_and_the_token_stays_home() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "江津区妇联", 0);
    let o = submit(
        data.path(),
        &id,
        "http://intake.example.cn/files/",
        &["--wait", "0", "--token", "秘密令牌"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("没有加密（http://）"), "{}", err(&o));
    // The token is not in the bundle.
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("b.zip");
    assert!(
        Command::new(exe())
            .env("BAOSONG_DATA_DIR", data.path())
            .args(["export", id.as_str(), "-o"])
            .arg(&to)
            .status()
            .unwrap()
            .success()
    );
    let bytes = std::fs::read(&to).unwrap();
    assert!(
        !bytes
            .windows("秘密令牌".len())
            .any(|w| w == "秘密令牌".as_bytes())
    );
}

#[test]
fn the_cli_never_writes_beside_the_window_and_keeps_the_stores_backups() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let before = status(data.path(), &id);
    let intake = common::peers::intake(None, &[]);
    let endpoint = format!("http://127.0.0.1:{}/files/", intake.port);
    // The window holds the data folder: the CLI says so and touches nothing.
    let store = DataDir::open(data.path(), clock()).unwrap();
    let lock = store.lock_for_window().unwrap();
    let draft_json = data
        .path()
        .join("drafts")
        .join(id.as_str())
        .join("draft.json");
    let on_disk = std::fs::read(&draft_json).unwrap();
    let o = submit(data.path(), &id, &endpoint, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("请先关闭窗口"), "{}", err(&o));
    assert_eq!(
        std::fs::read(&draft_json).unwrap(),
        on_disk,
        "draft.json untouched"
    );
    assert_eq!(status(data.path(), &id), before);
    let received = std::fs::read_dir(&intake.store)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".zip"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(received, 0, "nothing sent");
    // Once the window is closed: sent, saved through the store (its backups kept).
    drop(lock);
    let o = submit(data.path(), &id, &endpoint, &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(matches!(status(data.path(), &id), Status::Submitted { .. }));
    let backups = data.path().join("drafts").join(id.as_str()).join("backups");
    assert!(
        std::fs::read_dir(&backups).is_ok_and(|mut d| d.next().is_some()),
        "a backup of draft.json was kept"
    );
}

//! The intake endpoint over the network, against real peers on loopback: a tus 1.0 server
//! (@tus/server + @tus/file-store, Node) and a plain upload server (`uploadserver`, Python),
//! started by this test itself; and an HTTP proxy on loopback between the app and the server,
//! reached the way a locked-down office PC reaches it — through the system proxy settings
//! (`HTTP_PROXY` here; the Internet Options proxy on Windows). Run through the real binary:
//! `baosong probe`.
//!
//! Needs Node ≥ 20.19 with `npm ci` done in tests/peers, and `pip install uploadserver`
//! (`scripts/test.sh` does both).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::peers::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A forwarding HTTP proxy on loopback that records the request lines it forwards.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn proxy() -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (seen2, stop2) = (seen.clone(), stop.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming().take(100) {
            if stop2.load(Ordering::SeqCst) {
                break;
            }
            let Ok(client) = conn else { continue };
            let seen = seen2.clone();
            std::thread::spawn(move || forward(client, &seen));
        }
    });
    Proxy { port, seen, stop }
}

fn forward(client: TcpStream, seen: &Mutex<Vec<String>>) {
    client.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    seen.lock().unwrap().push(request_line.trim().to_string());
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let Some(rest) = target.strip_prefix("http://") else {
        let _ = (&client).write_all(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let Ok(mut upstream) = TcpStream::connect(host) else {
        let _ = (&client).write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let mut head = format!("{method} {path} {version}\r\n");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name != "proxy-connection" && name != "connection" {
            head.push_str(&line);
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    upstream.write_all(head.as_bytes()).unwrap();
    let mut up_read = upstream.try_clone().unwrap();
    let mut client_write = client.try_clone().unwrap();
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if upstream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = back.join();
}

fn probe(args: &[&str], env: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baosong"));
    cmd.arg("probe")
        .args(args)
        .env("BAOSONG_DATA_DIR", data.path());
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_tus_server_is_recognised_directly_and_through_a_proxy() {
    let tus = tus_server(None);
    let url = format!("http://127.0.0.1:{}/files/", tus.port);

    let o = probe(&[&url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("服务器支持断点续传（tus 1.0.0）"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("creation"),
        "the creation extension is listed: {}",
        text(&o)
    );
    assert!(text(&o).contains("termination"), "{}", text(&o));

    let proxy = proxy();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let o = probe(
        &[&url],
        &[("HTTP_PROXY", &proxy_url), ("http_proxy", &proxy_url)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("服务器支持断点续传"), "{}", text(&o));
    let seen = proxy.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [format!("OPTIONS {url} HTTP/1.1")],
        "the request went through the proxy"
    );

    // NO_PROXY is honoured.
    let o = probe(
        &[&url],
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        proxy.seen.lock().unwrap().len(),
        1,
        "no second request through the proxy"
    );
}

#[test]
fn a_plain_upload_server_is_recognised() {
    let plain = upload_server();
    let o = probe(&[&format!("http://127.0.0.1:{}/upload", plain.port)], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("不支持断点续传，将用普通方式上传"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_token_is_sent_and_a_wrong_one_is_explained() {
    let tus = tus_server(Some("ok-2024"));
    let url = format!("http://127.0.0.1:{}/files/", tus.port);
    let o = probe(&[&url, "--token", "ok-2024"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = probe(&[&url, "--token", "wrong"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("服务器拒绝了访问令牌（HTTP 401）"),
        "{}",
        text(&o)
    );
}

#[test]
fn network_failures_get_chinese_messages() {
    let closed = free_port();
    let o = probe(&[&format!("http://127.0.0.1:{closed}/files/")], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("连接不上") && text(&o).contains("代理设置"),
        "{}",
        text(&o)
    );

    let o = probe(&["ftp://127.0.0.1/files/"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("格式不正确"), "{}", text(&o));

    // A proxy that cannot reach the server answers 502 itself.
    let proxy = proxy();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let o = probe(
        &[&format!("http://127.0.0.1:{closed}/files/")],
        &[("HTTP_PROXY", &proxy_url)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("HTTP 502"), "{}", text(&o));

    // No endpoint anywhere.
    let o = probe(&[], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("尚未设置报送地址"), "{}", text(&o));
}

/// IT's folder: a copy of the program and its baosong.toml, under a path with Chinese characters.
fn exe_beside(toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let app_dir = folder.path().join("报送 程序");
    std::fs::create_dir_all(&app_dir).unwrap();
    let exe = app_dir.join("baosong");
    std::fs::copy(env!("CARGO_BIN_EXE_baosong"), &exe).unwrap();
    std::fs::write(app_dir.join("baosong.toml"), toml).unwrap();
    (folder, exe)
}

/// A baosong.toml with a typo under [intake] (the token's name): said once, in Chinese, at its
/// line, before what the command then says — not silently dropped (the token then missing, the
/// intake's 401 blamed the token) and not as an English log line.
#[test]
fn a_mistake_in_baosong_toml_beside_the_exe_is_said_in_chinese_at_its_line() {
    let (_folder, exe) =
        exe_beside("[intake]\nurl = \"https://intake.example.cn/files/\"\ntokne = \"unit-01\"\n");
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(&exe)
        .arg("drafts")
        .env("BAOSONG_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("注意：程序旁的配置文件格式不正确").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("第 3 行：[intake] 下没有“tokne”这一项"),
        "{err}"
    );
    assert!(!err.contains("ERROR") && !err.contains("WARN"), "{err}");
}

#[test]
fn the_endpoint_handed_out_in_baosong_toml_beside_the_exe_is_used() {
    let tus = tus_server(None);
    let (_folder, exe) = exe_beside(&format!(
        "[intake]\nurl = \"http://127.0.0.1:{}/files/\"\n",
        tus.port
    ));
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(&exe)
        .arg("probe")
        .env("BAOSONG_DATA_DIR", data.path())
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("报送地址（来自程序旁的 baosong.toml）"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("服务器支持断点续传"), "{}", text(&o));
}

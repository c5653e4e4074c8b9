//! The unit's access token never travels or rests in clear: it goes only where sending may go
//! (https, this PC, or IT's `allow_http`), is kept in the system's credential store (keyutils
//! here, Windows Credential Manager on the office PC), is moved out of an old settings.json, and
//! appears in no log, message, receipt, bundle or diagnostics file — tried through every failure
//! the tests can produce against the real intake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use baosong::core::campaign::Intake;
use baosong::core::secrets::{BrokenVault, Keeping, SystemVault, Vault};
use baosong::core::store::{DataDir, Settings};
use common::clock;
use common::drafts::*;
use common::peers::*;

const KNOWN: &str = "tok-5f3a9c1e7b2d4086";

fn baosong(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", data)
        .env("BAOSONG_LOG", "trace")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args(args)
        .output()
        .unwrap()
}

/// Every file under `root` that holds `needle`.
fn holding(root: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(p.display().to_string());
                }
                // Zips (bundles, diagnostics) are stored or deflated: look inside too.
                if let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
                    for i in 0..zip.len() {
                        let mut inner = Vec::new();
                        if let Ok(mut f) = zip.by_index(i) {
                            let _ = f.read_to_end(&mut inner);
                        }
                        if inner.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                            found.push(format!("{} (in the zip)", p.display()));
                        }
                    }
                }
            }
        }
    }
    found
}

/// A server that answers every request with 500.
fn failing_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().take(50).flatten() {
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!",
            );
        }
    });
    port
}

#[test]
fn the_token_appears_nowhere_through_every_failure_and_a_success() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let mut output = String::new();
    let mut record = |o: &Output| {
        output.push_str(&String::from_utf8_lossy(&o.stdout));
        output.push_str(&String::from_utf8_lossy(&o.stderr));
    };
    let submit = |id: &str, url: &str| {
        baosong(
            data.path(),
            &[
                "submit",
                id,
                "--endpoint",
                url,
                "--token",
                KNOWN,
                "--wait",
                "0",
                "--again",
            ],
        )
    };
    let files = |port: u16| format!("http://127.0.0.1:{port}/files/");

    // 401: a token the intake does not know.
    let a = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let other = intake(Some("someone-else 渝中区妇联\n"), &[]);
    let o = submit(a.as_str(), &files(other.port));
    assert!(!o.status.success());
    record(&o);
    // 403: a token of another unit.
    let jb = intake(Some(&format!("{KNOWN} 江北区妇联\n")), &[]);
    let o = submit(a.as_str(), &files(jb.port));
    assert!(!o.status.success());
    record(&o);
    // 413: over the intake's size.
    let small = intake(
        Some(&format!("{KNOWN} *\n")),
        &[("INTAKE_MAX_SIZE", "1000")],
    );
    let o = submit(a.as_str(), &files(small.port));
    assert!(!o.status.success());
    record(&o);
    // 500 from a broken server.
    let o = submit(a.as_str(), &files(failing_server()));
    assert!(!o.status.success());
    record(&o);
    // A line cut again and again.
    let good = intake(Some(&format!("{KNOWN} *\n")), &[]);
    let b = ready(data.path(), pc.path(), "江北区妇联", 3);
    let cut = cutter(good.port, Some(400_000), None);
    let o = submit(b.as_str(), &files(cut.port));
    record(&o);
    // Plain http to another host: refused before connecting.
    let o = baosong(
        data.path(),
        &["probe", "http://intake.invalid/files/", "--token", KNOWN],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("没有加密"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    record(&o);
    // And a success, with its receipt, bundle and status.
    let o = submit(a.as_str(), &files(good.port));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    record(&o);
    let o = baosong(data.path(), &["status", a.as_str()]);
    record(&o);
    // The diagnostics zip too.
    let store = DataDir::open(data.path(), clock()).unwrap();
    let zip = data.path().join("诊断.zip");
    baosong::core::diagnostics::export(&store, "about", &zip).unwrap();

    assert!(
        !output.contains(KNOWN),
        "the token in the output:\n{output}"
    );
    let found = holding(data.path(), KNOWN);
    assert!(found.is_empty(), "the token rests in clear in {found:?}");
    assert!(
        output.contains("DEBUG"),
        "the CLI's log (stderr, at trace level) was captured and searched"
    );
}

#[test]
fn a_token_in_an_old_settings_file_is_moved_to_the_credential_store() {
    let data = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let old = format!(
        r#"{{"schema":1,"intake":{{"url":"https://intake.example.cn/files/","token":"{KNOWN}"}}}}"#
    );
    std::fs::write(data.path().join("settings.json"), old).unwrap();
    let settings = store.load_settings();
    assert_eq!(
        settings.intake.as_ref().and_then(|i| i.token.as_deref()),
        Some(KNOWN)
    );
    assert_eq!(store.token_keeping(), Keeping::System);
    let file = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(file.contains("https://intake.example.cn/files/"), "{file}");
    assert!(
        holding(data.path(), KNOWN).is_empty(),
        "{:?}",
        holding(data.path(), KNOWN)
    );
    let vault = SystemVault::for_data_dir(data.path());
    assert_eq!(vault.get().unwrap().as_deref(), Some(KNOWN));
    // The next start reads it from the store.
    let again = DataDir::open(data.path(), clock()).unwrap().load_settings();
    assert_eq!(again.intake.and_then(|i| i.token).as_deref(), Some(KNOWN));
    // Cleared in 设置: gone from the store too.
    let mut cleared = settings.clone();
    cleared.intake = Some(Intake::new("https://intake.example.cn/files/", None));
    store.save_settings(&cleared).unwrap();
    assert_eq!(vault.get().unwrap(), None);
}

#[test]
fn without_a_credential_store_the_token_lives_for_the_run_only_and_never_in_a_file() {
    let data = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock())
        .unwrap()
        .with_vault(Arc::new(BrokenVault));
    let settings = Settings {
        intake: Some(Intake::new(
            "https://intake.example.cn/files/",
            Some(KNOWN.to_string()),
        )),
        ..Settings::default()
    };
    store.save_settings(&settings).unwrap();
    assert!(matches!(store.token_keeping(), Keeping::Memory(_)));
    assert!(
        store
            .token_keeping()
            .user_message()
            .unwrap()
            .contains("下次打开程序时需要重新填写")
    );
    assert!(holding(data.path(), KNOWN).is_empty());
    // This run still sends with it…
    let now = store.load_settings();
    assert_eq!(now.intake.and_then(|i| i.token).as_deref(), Some(KNOWN));
    // …the next one asks again.
    let next = DataDir::open(data.path(), clock())
        .unwrap()
        .with_vault(Arc::new(BrokenVault))
        .load_settings();
    assert_eq!(
        next.intake.as_ref().map(|i| i.url.as_str()),
        Some("https://intake.example.cn/files/")
    );
    assert_eq!(next.intake.and_then(|i| i.token), None);
}

#[test]
fn the_cli_sends_with_the_token_kept_in_the_credential_store() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let good = intake(Some(&format!("{KNOWN} 渝中区妇联\n")), &[]);
    let url = format!("http://127.0.0.1:{}/files/", good.port);
    let store = DataDir::open(data.path(), clock()).unwrap();
    store
        .save_settings(&Settings {
            intake: Some(Intake::new(url, Some(KNOWN.to_string()))),
            ..Settings::default()
        })
        .unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let o = baosong(data.path(), &["probe"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = baosong(data.path(), &["submit", id.as_str(), "--wait", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(holding(data.path(), KNOWN).is_empty());
}

/// A listener that counts the connections it gets and keeps what they sent first.
fn recorder() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().take(20).flatten() {
            conn.set_read_timeout(Some(std::time::Duration::from_secs(2)))
                .ok();
            let mut buf = [0u8; 4096];
            let n = conn.read(&mut buf).unwrap_or(0);
            s.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        }
    });
    (port, seen)
}

/// A tus server that hands out upload addresses on another origin.
fn misdirecting_server(location: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().take(20).flatten() {
            let mut buf = [0u8; 8192];
            let n = conn.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let answer = if head.starts_with("OPTIONS") {
                "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\n\
                 Tus-Extension: creation,termination\r\nConnection: close\r\n\r\n"
                    .to_string()
            } else {
                format!(
                    "HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\nLocation: {location}\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
            };
            let _ = conn.write_all(answer.as_bytes());
        }
    });
    port
}

#[test]
fn the_token_never_follows_an_upload_address_to_another_origin() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let (elsewhere, seen) = recorder();
    for location in [
        format!("http://[::ffff:127.0.0.1]:{elsewhere}/up/1"),
        format!("http://localhost:{elsewhere}/up/1"),
        "http://intake.invalid/up/1".to_string(),
    ] {
        let port = misdirecting_server(location.clone());
        let o = baosong(
            data.path(),
            &[
                "submit",
                id.as_str(),
                "--endpoint",
                &format!("http://127.0.0.1:{port}/files/"),
                "--token",
                KNOWN,
                "--wait",
                "0",
                "--again",
            ],
        );
        assert!(!o.status.success(), "{location}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("没有跟随"), "{location}: {err}");
        assert!(
            !err.contains("dns error"),
            "{location}: a lookup was tried: {err}"
        );
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn a_kept_upload_address_on_another_origin_is_not_contacted() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 3);
    let good = intake(Some(&format!("{KNOWN} *\n")), &[]);
    // A first attempt cut early: its state (with the upload's address) is kept.
    let cut = cutter(good.port, Some(300_000), None);
    let url = format!("http://127.0.0.1:{}/files/", cut.port);
    let o = baosong(
        data.path(),
        &[
            "submit",
            id.as_str(),
            "--endpoint",
            &url,
            "--token",
            KNOWN,
            "--wait",
            "0",
        ],
    );
    assert!(!o.status.success());
    let state_file = baosong::core::store::draft_dir_in(data.path(), &id)
        .join("submission")
        .join("upload.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    assert!(state["upload_url"].is_string(), "{state}");
    // The draft folder edited (or copied from a hostile PC): the address points elsewhere.
    let (elsewhere, seen) = recorder();
    state["upload_url"] = format!("http://[::ffff:127.0.0.1]:{elsewhere}/stolen").into();
    std::fs::write(&state_file, serde_json::to_vec(&state).unwrap()).unwrap();
    let o = baosong(
        data.path(),
        &[
            "submit",
            id.as_str(),
            "--endpoint",
            &url,
            "--token",
            KNOWN,
            "--wait",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn a_token_over_plain_http_never_goes_through_a_proxy() {
    let data = tempfile::tempdir().unwrap();
    let good = intake(Some(&format!("{KNOWN} *\n")), &[]);
    let (proxy, seen) = recorder();
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let o = Command::new(env!("CARGO_BIN_EXE_baosong"))
            .env("BAOSONG_DATA_DIR", data.path())
            .env(var, format!("http://127.0.0.1:{proxy}"))
            .args([
                "probe",
                &format!("http://localhost:{}/files/", good.port),
                "--token",
                KNOWN,
            ])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{var}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn a_token_the_store_cannot_take_stays_where_it_was_and_is_said() {
    let data = tempfile::tempdir().unwrap();
    // Notepad's byte-order mark in front, and no address: still read.
    let old = format!("\u{feff}{{\"schema\":1,\"intake\":{{\"token\":\"{KNOWN}\"}}}}");
    std::fs::write(data.path().join("settings.json"), &old).unwrap();
    let store = DataDir::open(data.path(), clock())
        .unwrap()
        .with_vault(Arc::new(BrokenVault));
    let settings = store.load_settings();
    assert_eq!(
        settings.intake.and_then(|i| i.token).as_deref(),
        Some(KNOWN)
    );
    assert!(matches!(store.token_keeping(), Keeping::InFile(_)));
    assert_eq!(
        std::fs::read_to_string(data.path().join("settings.json")).unwrap(),
        old,
        "not lost by a move the store could not take"
    );
    // With a store that works, the same file is moved out of clear text.
    let store = DataDir::open(data.path(), clock()).unwrap();
    let settings = store.load_settings();
    assert_eq!(
        settings.intake.and_then(|i| i.token).as_deref(),
        Some(KNOWN)
    );
    assert!(holding(data.path(), KNOWN).is_empty());
    let _ = SystemVault::for_data_dir(data.path()).delete();
}

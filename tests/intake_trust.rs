//! The intake as an attacker meets it (`deploy/intake/server.mjs`, the real @tus/server on
//! loopback, one token per unit): the promise is that a bundle it confirmed is kept, intact,
//! until a person removes it, and that no unit can touch another's. Each test is one class of
//! attack — another unit's token, an outsider without one, a careless or hostile client, a crash
//! at the wrong moment, the clock running past the expiry — and would fail on the intake as it
//! was before (docs/intake-server.md names them beside each promise).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use baosong::core::campaign::Campaign;
use baosong::core::desk::tally;
use baosong::core::intake::tus::Metadata;
use baosong::core::work::Unwatched;
use common::drafts::*;
use common::peers::*;

const TOKENS: &str = "yz-token 渝中区妇联\njb-token 江北区妇联\nno-unit-token\n";

/// One HTTP exchange over its own connection, byte for byte as written (no client in between
/// to tidy up what an attacker would send).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn exchange(port: u16, head: &str, body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before taking the body: that is fine.
    let _ = s.write_all(body);
    read_answer(&mut s)
}

fn read_answer(s: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut buf).unwrap_or(0);
        assert!(n > 0, "connection closed before an answer: {raw:?}");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[end + 4..].to_vec();
    while body.len() < length {
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn auth(token: Option<&str>) -> String {
    token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn metadata(unit: &str, sha: &str) -> String {
    Metadata {
        filename: "材料包.zip".into(),
        unit: unit.into(),
        campaign: "cq-sanba-2024".into(),
        sha256: sha.into(),
    }
    .header()
}

/// Create an upload as the program does; the answer, with its address in `Location`.
fn create(port: u16, token: Option<&str>, unit: &str, bytes: &[u8]) -> Answer {
    create_raw(
        port,
        token,
        &metadata(unit, &sha256(bytes)),
        bytes.len(),
        "",
    )
}

fn create_raw(port: u16, token: Option<&str>, meta: &str, len: usize, extra: &str) -> Answer {
    exchange(
        port,
        &format!(
            "POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n{}Upload-Length: {len}\r\n\
             Upload-Metadata: {meta}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n",
            auth(token)
        ),
        b"",
    )
}

fn created(port: u16, token: Option<&str>, unit: &str, bytes: &[u8]) -> String {
    let a = create(port, token, unit, bytes);
    assert_eq!(a.status, 201, "{}", a.body);
    a.header("Location").unwrap().to_string()
}

fn patch(port: u16, token: Option<&str>, at: &str, offset: usize, body: &[u8]) -> Answer {
    exchange(
        port,
        &format!(
            "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n{}Upload-Offset: {offset}\r\n\
             Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            auth(token),
            body.len()
        ),
        body,
    )
}

fn simple(port: u16, method: &str, token: Option<&str>, at: &str) -> Answer {
    exchange(
        port,
        &format!(
            "{method} {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n{}Connection: close\r\n\r\n",
            auth(token)
        ),
        b"",
    )
}

fn head(port: u16, token: Option<&str>, at: &str) -> Answer {
    simple(port, "HEAD", token, at)
}

/// A finished upload: its address.
fn send_whole(port: u16, token: Option<&str>, unit: &str, bytes: &[u8]) -> String {
    let at = created(port, token, unit, bytes);
    let a = patch(port, token, &at, 0, bytes);
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(a.header("Baosong-Sha256"), Some(sha256(bytes).as_str()));
    at
}

fn payload(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

/// The store's files by name (records and the audit log too).
fn names(store: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(store)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn audit(store: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(store.join("intake-audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn events(store: &Path, event: &str) -> usize {
    audit(store).iter().filter(|e| e["event"] == event).count()
}

fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "waited {secs} s for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn path_of(store: &Path, at: &str) -> PathBuf {
    let name = at.rsplit('/').next().unwrap();
    let decoded = percent_decode(name);
    store.join(decoded)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn finished_bundles_survive_many_sweeps_and_a_restart_and_unfinished_ones_go() {
    // Expiry 0.0005 h (1.8 s), swept every 0.9 s.
    let root = tempfile::tempdir().unwrap();
    let store = root.path().join("uploads");
    let store_s = store.to_str().unwrap().to_string();
    let env = [
        ("INTAKE_EXPIRY_HOURS", "0.0005"),
        ("INTAKE_DIR", store_s.as_str()),
    ];
    let finished_bytes = payload(300_000, 1);
    let (finished, unfinished) = {
        let intake = intake(Some(TOKENS), &env);
        let finished = send_whole(intake.port, Some("yz-token"), "渝中区妇联", &finished_bytes);
        let half = payload(200_000, 2);
        let unfinished = created(intake.port, Some("jb-token"), "江北区妇联", &half);
        assert_eq!(
            patch(
                intake.port,
                Some("jb-token"),
                &unfinished,
                0,
                &half[..100_000]
            )
            .status,
            204
        );
        // Many sweeps (the old sweep deleted the finished one within the first).
        wait_until("the unfinished upload expires", 20, || {
            !path_of(&store, &unfinished).exists()
        });
        std::thread::sleep(Duration::from_secs(4));
        assert!(path_of(&store, &finished).exists(), "{:?}", names(&store));
        (finished, unfinished)
    };
    // A restart of the intake on the same store: still there, still answered as received.
    let intake = intake(Some(TOKENS), &env);
    std::thread::sleep(Duration::from_secs(4));
    let file = path_of(&store, &finished);
    assert_eq!(std::fs::read(&file).unwrap(), finished_bytes, "kept intact");
    let h = head(intake.port, Some("yz-token"), &finished);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Upload-Offset"), Some("300000"));
    assert_eq!(
        h.header("Baosong-Sha256"),
        Some(sha256(&finished_bytes).as_str())
    );
    assert_eq!(head(intake.port, Some("jb-token"), &unfinished).status, 404);
    // The record says verified, by whom and when; the audit log says what happened.
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{}.json", file.display())).unwrap())
            .unwrap();
    assert_eq!(record["baosong"]["sha256"], sha256(&finished_bytes));
    assert_eq!(record["baosong"]["unit"], "渝中区妇联");
    assert!(record["baosong"]["received_at"].is_string());
    assert_eq!(events(&store, "received"), 1);
    assert_eq!(events(&store, "expired"), 1);
    assert_eq!(events(&store, "created"), 2);
}

#[test]
fn finished_bundles_in_object_storage_survive_the_sweep_and_unfinished_ones_go() {
    let s3 = s3_server("trust");
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let audit_file = s3.dir.path().join("audit.jsonl");
    let env = [
        ("INTAKE_S3_BUCKET", "trust"),
        ("INTAKE_S3_ENDPOINT", endpoint.as_str()),
        ("INTAKE_S3_REGION", "us-east-1"),
        ("INTAKE_S3_PATH_STYLE", "1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("INTAKE_EXPIRY_HOURS", "0.0005"),
        ("INTAKE_AUDIT", audit_file.to_str().unwrap()),
    ];
    let list = || {
        reqwest::blocking::get(format!("{endpoint}/trust?list-type=2"))
            .unwrap()
            .text()
            .unwrap()
    };
    let keys = || -> Vec<String> {
        list()
            .split("<Key>")
            .skip(1)
            .filter_map(|k| k.split("</Key>").next())
            .map(str::to_string)
            .collect()
    };
    let bytes = payload(9 * 1024 * 1024 + 17, 3); // more than one 8 MiB part
    let finished;
    {
        let intake = intake(Some(TOKENS), &env);
        finished = send_whole(intake.port, Some("yz-token"), "渝中区妇联", &bytes);
        let half = payload(100_000, 4);
        let unfinished = created(intake.port, Some("jb-token"), "江北区妇联", &half);
        assert_eq!(
            patch(
                intake.port,
                Some("jb-token"),
                &unfinished,
                0,
                &half[..50_000]
            )
            .status,
            204
        );
        wait_until("the unfinished upload expires", 30, || {
            !keys().iter().any(|k| k.contains("江北区"))
        });
        std::thread::sleep(Duration::from_secs(4));
    }
    let intake = intake(Some(TOKENS), &env);
    std::thread::sleep(Duration::from_secs(4));
    let zip = keys()
        .into_iter()
        .find(|k| k.ends_with(".zip"))
        .unwrap_or_else(|| panic!("the finished bundle is gone: {}", list()));
    let got = reqwest::blocking::get(format!("{endpoint}/trust/{}", zip.replace('%', "%25")))
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(sha256(&got), sha256(&bytes), "kept intact");
    let h = head(intake.port, Some("yz-token"), &finished);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Baosong-Sha256"), Some(sha256(&bytes).as_str()));
    let log = std::fs::read_to_string(&audit_file).unwrap();
    assert!(log.contains("\"event\":\"expired\""), "{log}");
    assert!(log.contains("\"event\":\"received\""), "{log}");
}

#[test]
fn a_get_is_refused_and_the_intake_keeps_serving_every_unit() {
    let intake = intake(Some(TOKENS), &[]);
    let bytes = payload(50_000, 5);
    let at = send_whole(intake.port, Some("yz-token"), "渝中区妇联", &bytes);
    for _ in 0..3 {
        let g = simple(intake.port, "GET", Some("yz-token"), &at);
        assert_eq!(g.status, 405, "the intake does not hand bundles out");
        assert!(!g.body.as_bytes().windows(4).any(|w| w == b"PK\x03\x04"));
    }
    // Still there for everyone (the old intake exited on the next request).
    assert_eq!(head(intake.port, Some("yz-token"), &at).status, 200);
    send_whole(
        intake.port,
        Some("jb-token"),
        "江北区妇联",
        &payload(10_000, 6),
    );
}

#[test]
fn another_units_token_can_neither_see_nor_write_nor_delete_an_upload() {
    let intake = intake(Some(TOKENS), &[]);
    let port = intake.port;
    let done = payload(60_000, 7);
    let finished = send_whole(port, Some("jb-token"), "江北区妇联", &done);
    let half = payload(80_000, 8);
    let unfinished = created(port, Some("jb-token"), "江北区妇联", &half);
    assert_eq!(
        patch(port, Some("jb-token"), &unfinished, 0, &half[..40_000]).status,
        204
    );

    for at in [&finished, &unfinished] {
        let h = head(port, Some("yz-token"), at);
        assert_eq!(h.status, 404, "渝中区 sees nothing of 江北区's upload");
        assert!(h.header("Upload-Metadata").is_none());
        assert!(h.header("Upload-Offset").is_none());
        assert_eq!(
            patch(port, Some("yz-token"), at, 40_000, &half[40_000..]).status,
            404
        );
        assert_eq!(simple(port, "DELETE", Some("yz-token"), at).status, 404);
        // An outsider is refused before anything is looked up.
        assert_eq!(head(port, Some("guess"), at).status, 401);
        assert_eq!(simple(port, "DELETE", None, at).status, 401);
    }
    assert_eq!(
        std::fs::read(path_of(&intake.store, &finished)).unwrap(),
        done
    );
    assert_eq!(
        std::fs::read(path_of(&intake.store, &unfinished)).unwrap(),
        &half[..40_000]
    );
    // The owner itself cannot withdraw or rewrite what was received…
    let d = simple(port, "DELETE", Some("jb-token"), &finished);
    assert_eq!(d.status, 403, "{}", d.body);
    assert_eq!(
        patch(port, Some("jb-token"), &finished, 60_000, b"").status,
        403
    );
    assert_eq!(
        patch(port, Some("jb-token"), &finished, 0, &done).status,
        403
    );
    assert_eq!(
        std::fs::read(path_of(&intake.store, &finished)).unwrap(),
        done
    );
    // …but can cancel its own unfinished upload (取消报送).
    assert_eq!(
        simple(port, "DELETE", Some("jb-token"), &unfinished).status,
        204
    );
    assert!(!path_of(&intake.store, &unfinished).exists());
    // A re-finish is not a second arrival: hashed and logged once.
    assert_eq!(events(&intake.store, "received"), 1);
    assert_eq!(events(&intake.store, "terminated"), 1);
}

#[test]
fn addresses_carry_128_random_bits_and_never_meet() {
    let intake = intake(Some(TOKENS), &[("INTAKE_MAX_UNFINISHED", "100000")]);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..300 {
        let at = created(intake.port, Some("yz-token"), "渝中区妇联", b"0123456789");
        let random = at
            .trim_end_matches(".zip")
            .rsplit('-')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(random.len(), 32, "{at}");
        assert!(random.bytes().all(|b| b.is_ascii_hexdigit()), "{at}");
        assert!(seen.insert(random), "an address came twice: {at}");
    }
}

#[test]
fn the_sha256_check_cannot_be_skipped() {
    let intake = intake(Some(TOKENS), &[]);
    let port = intake.port;
    let token = Some("yz-token");
    let bytes = payload(100_000, 9);
    let at = created(port, token, "渝中区妇联", &bytes);
    assert_eq!(patch(port, token, &at, 0, &bytes[..60_000]).status, 204);

    // The rest and one byte more, chunked (no Content-Length): refused before a byte is written.
    let mut body = Vec::new();
    let rest = [&bytes[60_000..], b"X"].concat();
    body.extend_from_slice(format!("{:x}\r\n", rest.len()).as_bytes());
    body.extend_from_slice(&rest);
    body.extend_from_slice(b"\r\n0\r\n\r\n");
    let a = exchange(
        port,
        &format!(
            "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Offset: 60000\r\nContent-Type: application/offset+octet-stream\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ),
        &body,
    );
    assert_eq!(a.status, 411);
    // A Content-Length past the length: refused before a byte is written.
    assert_eq!(patch(port, token, &at, 60_000, &rest).status, 413);
    // A Content-Length that fits, with one byte more behind it: that byte is never the upload's.
    let a = exchange(
        port,
        &format!(
            "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Offset: 60000\r\nContent-Type: application/offset+octet-stream\r\n\
             Content-Length: 20000\r\n\r\n"
        ),
        &[&bytes[60_000..80_000], b"X"].concat(),
    );
    // Node may take the stray byte for a broken next request and answer that (400) first;
    // either way what the upload holds is exactly a prefix of the bundle, never the stray byte.
    assert!(matches!(a.status, 204 | 400), "{}", a.status);
    let held: usize = head(port, token, &at)
        .header("Upload-Offset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(held == 60_000 || held == 80_000, "{held}");
    assert_eq!(
        std::fs::read(path_of(&intake.store, &at)).unwrap(),
        &bytes[..held]
    );
    if held < 80_000 {
        assert_eq!(
            patch(port, token, &at, held, &bytes[held..80_000]).status,
            204
        );
    }
    // No length announced later, none deferred.
    let a = exchange(
        port,
        &format!(
            "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Offset: 80000\r\nUpload-Length: 80000\r\nContent-Type: application/offset+octet-stream\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert_eq!(a.status, 400);
    let meta = metadata("渝中区妇联", &sha256(&bytes));
    let deferred = exchange(
        port,
        &format!(
            "POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Defer-Length: 1\r\nUpload-Metadata: {meta}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert_eq!(deferred.status, 400);
    // No body with the creation (creation-with-upload), no empty upload.
    let with_body = exchange(
        port,
        &format!(
            "POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Length: 100000\r\nUpload-Metadata: {meta}\r\n\
             Content-Type: application/offset+octet-stream\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n"
        ),
        &bytes,
    );
    assert_eq!(with_body.status, 400);
    assert_eq!(create_raw(port, token, &meta, 0, "").status, 400);

    // The last bytes, damaged: refused, deleted, logged — never complete and unchecked.
    let mut bad = bytes[80_000..].to_vec();
    bad[7] ^= 1;
    let a = patch(port, token, &at, 80_000, &bad);
    assert_eq!(a.status, 422);
    assert_eq!(head(port, token, &at).status, 404);
    assert!(!path_of(&intake.store, &at).exists());
    let refused = audit(&intake.store);
    let refused: Vec<_> = refused.iter().filter(|e| e["event"] == "refused").collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["reason"], "sha256 mismatch");
    assert_eq!(events(&intake.store, "received"), 0);
}

#[test]
fn an_upload_complete_but_unchecked_at_a_crash_is_checked_at_start() {
    let root = tempfile::tempdir().unwrap();
    let store = root.path().join("uploads");
    let env = [("INTAKE_DIR", store.to_str().unwrap())];
    let good = payload(70_000, 10);
    let bad = payload(70_000, 11);
    let (good_at, bad_at) = {
        let intake = intake(Some(TOKENS), &env);
        let g = created(intake.port, Some("yz-token"), "渝中区妇联", &good);
        let b = created(intake.port, Some("jb-token"), "江北区妇联", &good);
        (g, b)
    };
    // The intake died after the last bytes were written and before it checked them.
    std::fs::write(path_of(&store, &good_at), &good).unwrap();
    std::fs::write(path_of(&store, &bad_at), &bad).unwrap();
    let intake = intake(Some(TOKENS), &env);
    let h = head(intake.port, Some("yz-token"), &good_at);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Baosong-Sha256"), Some(sha256(&good).as_str()));
    assert_eq!(head(intake.port, Some("jb-token"), &bad_at).status, 404);
    assert!(!path_of(&store, &bad_at).exists(), "{:?}", names(&store));
    assert_eq!(events(&store, "received"), 1);
    assert_eq!(events(&store, "refused"), 1);
}

#[test]
fn a_unit_cannot_pile_up_uploads_and_a_full_disk_is_said_before_a_byte() {
    let piled = intake(Some(TOKENS), &[("INTAKE_MAX_UNFINISHED", "3")]);
    let jb = send_whole(
        piled.port,
        Some("jb-token"),
        "江北区妇联",
        &payload(1000, 12),
    );
    let jb_open = created(
        piled.port,
        Some("jb-token"),
        "江北区妇联",
        &payload(1000, 13),
    );
    for _ in 0..30 {
        created(
            piled.port,
            Some("yz-token"),
            "渝中区妇联",
            &payload(1000, 14),
        );
    }
    let zips = names(&piled.store)
        .into_iter()
        .filter(|n| n.ends_with(".zip") && n.contains("渝中区"))
        .count();
    assert_eq!(zips, 3, "{:?}", names(&piled.store));
    assert_eq!(events(&piled.store, "evicted"), 27);
    // Another unit's uploads, finished or not, are not touched.
    assert_eq!(head(piled.port, Some("jb-token"), &jb).status, 200);
    assert_eq!(head(piled.port, Some("jb-token"), &jb_open).status, 200);
    drop(piled);

    // Free space: the creation is refused with 507, and the program says so in Chinese.
    let full = intake(
        Some(TOKENS),
        &[("INTAKE_MIN_FREE_BYTES", "1000000000000000000")],
    );
    let a = create(full.port, Some("yz-token"), "渝中区妇联", b"abc");
    assert_eq!(a.status, 507);
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let o = cli_submit(
        data.path(),
        id.as_str(),
        &format!("http://127.0.0.1:{}/files/", full.port),
        "yz-token",
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("存储空间不足"), "{err}");
    assert!(
        names(&full.store).iter().all(|n| !n.ends_with(".zip")),
        "{:?}",
        names(&full.store)
    );
}

fn cli_submit(data: &Path, draft: &str, endpoint: &str, token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", data)
        .args([
            "submit",
            draft,
            "--endpoint",
            endpoint,
            "--token",
            token,
            "--wait",
            "0",
        ])
        .output()
        .unwrap()
}

/// How long until the server closes a connection that sent `head` and then `drip` (bytes, every
/// `every`); `None` if it stayed open for `limit`.
fn closed_after(
    port: u16,
    head: &str,
    drip: &[u8],
    every: Duration,
    limit: Duration,
) -> Option<Duration> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let start = Instant::now();
    let mut next = start;
    let mut buf = [0u8; 1024];
    while start.elapsed() < limit {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return Some(start.elapsed()),
        }
        if !drip.is_empty() && Instant::now() >= next {
            if s.write_all(drip).is_err() {
                return Some(start.elapsed());
            }
            next += every;
        }
    }
    None
}

#[test]
fn stalled_and_trickling_connections_and_outsiders_are_cut_off() {
    let intake = intake(
        Some(TOKENS),
        &[
            ("INTAKE_IDLE_SECONDS", "2"),
            ("INTAKE_RATE_WINDOW_SECONDS", "1"),
            ("INTAKE_MIN_BYTES_PER_WINDOW", "1000"),
        ],
    );
    let bytes = payload(100_000, 15);
    let at = created(intake.port, Some("yz-token"), "渝中区妇联", &bytes);
    let patch_head = format!(
        "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
         Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 100000\r\n\r\n"
    );
    let limit = Duration::from_secs(20);
    // Headers, then nothing.
    let stalled = closed_after(intake.port, &patch_head, b"", Duration::ZERO, limit);
    assert!(stalled.is_some(), "a stalled PATCH was held for {limit:?}");
    // Ten bytes every 200 ms: 50 bytes a second, under the 1000 a window asked.
    let trickle = closed_after(
        intake.port,
        &patch_head,
        &[7u8; 10],
        Duration::from_millis(200),
        limit,
    );
    assert!(
        trickle.is_some(),
        "a trickling PATCH was held for {limit:?}"
    );
    // Half a request's headers, then nothing.
    let half = closed_after(
        intake.port,
        "HEAD /files/ HTTP/1.1\r\nHost:",
        b"",
        Duration::ZERO,
        Duration::from_secs(40),
    );
    assert!(half.is_some(), "a half-sent request was held");
    // An outsider's refusal closes the connection.
    let refused = closed_after(
        intake.port,
        "HEAD /files/x HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer nobody\r\n\r\n",
        b"",
        Duration::ZERO,
        Duration::from_secs(1),
    );
    assert!(refused.is_some(), "a 401 kept its connection open");
    assert!(events(&intake.store, "token refused") >= 1);
    // A real upload at a sound pace still goes through.
    send_whole(intake.port, Some("yz-token"), "渝中区妇联", &bytes);
}

#[test]
fn names_lose_invisible_characters_and_a_token_without_a_unit_opens_nothing() {
    let intake = intake(Some(&format!("{TOKENS}any-token *\n")), &[]);
    let sly = "渝中区妇联\u{202E}piz.exe\u{200B}\u{7}";
    send_whole(intake.port, Some("any-token"), sly, &payload(1000, 16));
    let zips: Vec<String> = names(&intake.store)
        .into_iter()
        .filter(|n| n.ends_with(".zip"))
        .collect();
    assert_eq!(zips.len(), 1);
    assert!(
        !zips[0]
            .chars()
            .any(|c| matches!(c, '\u{202E}' | '\u{200B}' | '\u{7}')),
        "{:?}",
        zips[0]
    );
    assert!(zips[0].contains("渝中区妇联_piz.exe"), "{:?}", zips[0]);
    // `no-unit-token` has no unit on its line: refused at load, not a key to every unit.
    assert_eq!(
        create(intake.port, Some("no-unit-token"), "渝中区妇联", b"x").status,
        401
    );
}

#[test]
fn an_unexpected_server_error_does_not_echo_its_internals() {
    let s3 = s3_server("gone");
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let audit_file = s3.dir.path().join("audit.jsonl");
    let intake = intake(
        Some(TOKENS),
        &[
            ("INTAKE_S3_BUCKET", "gone"),
            ("INTAKE_S3_ENDPOINT", endpoint.as_str()),
            ("INTAKE_S3_REGION", "us-east-1"),
            ("INTAKE_S3_PATH_STYLE", "1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("INTAKE_AUDIT", audit_file.to_str().unwrap()),
        ],
    );
    drop(s3); // the object storage goes away under the intake
    let a = create(intake.port, Some("yz-token"), "渝中区妇联", b"abc");
    assert_eq!(a.status, 500);
    assert_eq!(a.body.trim(), "internal error");
    // And it still answers.
    assert_eq!(
        simple(intake.port, "OPTIONS", Some("yz-token"), "/files/").status,
        204
    );
}

#[test]
fn the_desk_credits_the_unit_whose_token_sent_not_the_manifests_word() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pc = dir.path().join("pc");
    std::fs::create_dir_all(&pc).unwrap();
    let intake = intake(Some(TOKENS), &[]);
    // A bundle that says 江北区妇联, sent with 渝中区妇联's token (metadata and token agree).
    let jb = ready(&data, &pc, "江北区妇联", 0);
    let forged = dir.path().join("江北.zip");
    let o = Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", &data)
        .args(["export", jb.as_str(), "-o", forged.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    send_whole(
        intake.port,
        Some("yz-token"),
        "渝中区妇联",
        &std::fs::read(&forged).unwrap(),
    );
    // 渝中区妇联 really reporting, through the program.
    let yz = ready(&data, &pc, "渝中区妇联", 0);
    let o = cli_submit(
        &data,
        yz.as_str(),
        &format!("http://127.0.0.1:{}/files/", intake.port),
        "yz-token",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // And an upload complete on disk whose record was never verified (an older intake, a hand copy).
    let copy = intake
        .store
        .join("20240311-090000-南岸区妇联-0123456789abcdef0123456789abcdef.zip");
    let na = ready(&data, &pc, "南岸区妇联", 0);
    let o = Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", &data)
        .args(["export", na.as_str(), "-o", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    std::fs::write(
        format!("{}.json", copy.display()),
        format!(
            r#"{{"id":"x","size":{},"offset":0,"metadata":{{"unit":"南岸区妇联"}}}}"#,
            std::fs::metadata(&copy).unwrap().len()
        ),
    )
    .unwrap();

    let found = tally::scan(&intake.store, &Unwatched).unwrap();
    let t = tally::tally(&Campaign::builtin().unwrap(), &found);
    let reported: Vec<&str> = t
        .rows
        .iter()
        .filter(|r| r.latest.is_some())
        .map(|r| r.unit.as_str())
        .collect();
    assert_eq!(reported, ["渝中区妇联"], "only the unit that really sent");
    assert_eq!(t.doubtful.len(), 2, "{:?}", t.doubtful);
    let all: String = t.doubtful.iter().map(|(_, why)| why.as_str()).collect();
    assert!(
        all.contains("单位不符") && all.contains("江北区妇联") && all.contains("渝中区妇联"),
        "{all}"
    );
    assert!(all.contains("未核验"), "{all}");
    let text = tally::text(&t);
    assert!(text.contains("未计入"), "{text}");
    // Beside the table, what the intake's audit log says of each unit, in China time.
    let log = text
        .split("接收记录（接收端日志 intake-audit.jsonl）：")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(log.starts_with("\n渝中区妇联：\n"), "{log}");
    assert_eq!(log.matches("收到并核对无误（sha256 ").count(), 2, "{log}");
    assert_eq!(t.audit.len(), 1, "only 渝中区妇联 sent: {:?}", t.audit);
    // The audit log answers "did 渝中区 really send?": two arrivals with 渝中区妇联's token.
    let received: Vec<_> = audit(&intake.store)
        .into_iter()
        .filter(|e| e["event"] == "received")
        .collect();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|e| e["unit"] == "渝中区妇联"));
}

#[test]
fn an_upload_belongs_to_the_unit_so_a_rotated_token_resumes_it() {
    let intake = intake(Some("old-yz 渝中区妇联\n"), &[]);
    let bytes = payload(90_000, 17);
    let at = created(intake.port, Some("old-yz"), "渝中区妇联", &bytes);
    assert_eq!(
        patch(intake.port, Some("old-yz"), &at, 0, &bytes[..30_000]).status,
        204
    );
    // IT rotates: the new line in, the old one out.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(intake.tokens.as_ref().unwrap(), "new-yz 渝中区妇联\n").unwrap();
    assert_eq!(head(intake.port, Some("old-yz"), &at).status, 401);
    let h = head(intake.port, Some("new-yz"), &at);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Upload-Offset"), Some("30000"));
    assert_eq!(
        patch(intake.port, Some("new-yz"), &at, 30_000, &bytes[30_000..]).status,
        204
    );
}

#[test]
fn a_token_sent_twice_or_read_differently_is_refused_not_taken_for_none() {
    let intake = intake(Some(TOKENS), &[]);
    let meta = metadata("江北区妇联", &sha256(b"FORGED"));
    let twice = "Authorization: Bearer yz-token\r\nAuthorization: Bearer yz-token\r\n";
    let a = exchange(
        intake.port,
        &format!(
            "POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n{twice}Upload-Length: 6\r\n\
             Upload-Metadata: {meta}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert_eq!(a.status, 401, "{}", a.body);
    assert!(names(&intake.store).iter().all(|n| !n.ends_with(".zip")));
    // The tokens file rewritten in place while 渝中区 keeps declaring 江北区: never an upload
    // recorded as nobody's.
    let tokens = intake.tokens.clone().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let editor = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let mut f = std::fs::File::create(&tokens).unwrap();
                for line in TOKENS.lines() {
                    f.write_all(format!("{line}\n").as_bytes()).unwrap();
                    f.flush().unwrap();
                }
            }
        })
    };
    for _ in 0..600 {
        let a = create(intake.port, Some("yz-token"), "江北区妇联", b"FORGED");
        assert!(matches!(a.status, 401 | 403), "{} {}", a.status, a.body);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    editor.join().unwrap();
    assert!(names(&intake.store).iter().all(|n| !n.ends_with(".zip")));
}

#[test]
fn a_burst_of_creations_cannot_pass_the_limits_together() {
    let intake = intake(Some(TOKENS), &[("INTAKE_MAX_UNFINISHED", "3")]);
    let port = intake.port;
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..15 {
                    let _ = create(port, Some("yz-token"), "渝中区妇联", b"0123456789");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let zips = names(&intake.store)
        .into_iter()
        .filter(|n| n.ends_with(".zip"))
        .count();
    assert!(zips <= 3, "{zips} unfinished uploads of one unit, limit 3");
    // Each eviction logged once.
    let evicted: Vec<String> = audit(&intake.store)
        .iter()
        .filter(|e| e["event"] == "evicted")
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let distinct: std::collections::HashSet<&String> = evicted.iter().collect();
    assert_eq!(distinct.len(), evicted.len());
}

#[test]
fn free_space_counts_what_unfinished_uploads_were_promised() {
    let probe = tempfile::tempdir().unwrap();
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(probe.path())
        .output()
        .unwrap();
    let avail: u64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap();
    const GB: u64 = 1 << 30;
    if avail < 20 * GB {
        println!("skipped: {avail} bytes free, the test needs 20 GB of headroom to be steady");
        return;
    }
    // Keep all but 15 GB free: one 10 GB upload fits, a second (with the first's promise) not.
    let min_free = (avail - 15 * GB).to_string();
    let max = (20 * GB).to_string();
    let intake = intake(
        Some(TOKENS),
        &[
            ("INTAKE_MIN_FREE_BYTES", &min_free),
            ("INTAKE_MAX_SIZE", &max),
        ],
    );
    let meta = metadata("渝中区妇联", &"0".repeat(64));
    let ten = (10 * GB) as usize;
    assert_eq!(
        create_raw(intake.port, Some("yz-token"), &meta, ten, "").status,
        201
    );
    let meta = metadata("江北区妇联", &"0".repeat(64));
    assert_eq!(
        create_raw(intake.port, Some("jb-token"), &meta, ten, "").status,
        507
    );
}

#[test]
fn slow_bodies_odd_addresses_and_many_connections_of_one_unit_are_refused() {
    let intake = intake(Some(TOKENS), &[("INTAKE_MAX_REQUESTS_PER_UNIT", "4")]);
    let port = intake.port;
    // A body announced on a request that takes none: refused and closed at once.
    let closed = closed_after(
        port,
        "HEAD /files/x HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
         Content-Length: 100000000\r\n\r\n",
        b"x",
        Duration::from_millis(500),
        Duration::from_secs(5),
    );
    assert!(closed.is_some(), "a HEAD with a trickling body was held");
    // A query or an encoded slash: the front and tus could see different ids.
    let bytes = payload(1000, 18);
    let at = created(port, Some("yz-token"), "渝中区妇联", &bytes);
    assert_eq!(
        head(port, Some("yz-token"), &format!("{at}?/x")).status,
        404
    );
    assert_eq!(
        head(port, Some("yz-token"), &format!("{at}%2Fx")).status,
        404
    );
    // A 403 (another unit's name) closes the connection.
    let meta = metadata("江北区妇联", &sha256(b"x"));
    let closed = closed_after(
        port,
        &format!(
            "POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
             Upload-Length: 1\r\nUpload-Metadata: {meta}\r\nContent-Length: 0\r\n\r\n"
        ),
        b"",
        Duration::ZERO,
        Duration::from_secs(3),
    );
    assert!(closed.is_some(), "a 403 kept its connection open");
    // Four PATCHes of 渝中区 standing open: a fifth request of 渝中区 waits its turn (429),
    // 江北区 is served.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(
            format!(
                "PATCH {at} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nAuthorization: Bearer yz-token\r\n\
                 Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: 1000\r\n\r\nab"
            )
            .as_bytes(),
        )
        .unwrap();
        held.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(head(port, Some("yz-token"), &at).status, 429);
    send_whole(port, Some("jb-token"), "江北区妇联", &payload(500, 19));
    drop(held);
}

//! Campaigns published by the department through the real intake (`deploy/intake/server.mjs` +
//! `campaigns.mjs` on loopback) and taken by a clerk's app in another data folder: the notice
//! read, signed, published with the desk token, fetched, verified against the pinned key and
//! kept — and everything that must be refused, refused: a unit token publishing, a stranger's
//! key, a template changed on the server or on the PC, a replayed older version, 10 MB of items,
//! a newer schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use baosong::core::campaign::Campaign;
use baosong::core::campaign::Intake;
use baosong::core::campaign::channel::{ChannelError, Shelf, fetch, publish, publish_from};
use baosong::core::campaign::notice::read_notice;
use baosong::core::campaign::signing::{DeskKey, PublicKey};
use common::peers::*;

const TOKENS: &str = "desk-token @desk\nyz-token 渝中区妇联\n";

fn notice(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/notices")
            .join(name),
    )
    .unwrap()
}

fn liuyi() -> Campaign {
    read_notice(&notice("2025-六一.txt")).unwrap().campaign
}

struct World {
    peer: Peer,
    key: DeskKey,
    desk_dir: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        Self::with_key_in(tempfile::tempdir().unwrap(), "")
    }

    /// The department's key kept in `desk/<sub>` (a data folder's `desk`), the intake given its
    /// public half.
    fn with_key_in(desk: tempfile::TempDir, sub: &str) -> Self {
        let (key, _) = DeskKey::load_or_create(&desk.path().join(sub)).unwrap();
        let hex = key.public().to_hex();
        let peer = intake(Some(TOKENS), &[("INTAKE_CAMPAIGN_KEY", hex.as_str())]);
        Self {
            peer,
            key,
            desk_dir: desk,
        }
    }

    fn endpoint(&self, token: Option<&str>) -> Intake {
        Intake::new(
            format!("http://127.0.0.1:{}/files/", self.peer.port),
            token.map(str::to_string),
        )
    }

    /// Where the intake keeps what was published: beside its bundles, not among them.
    fn shelf_dir(&self) -> std::path::PathBuf {
        self.peer.store.parent().unwrap().join("campaigns")
    }
}

#[test]
fn a_published_campaign_reaches_a_clerks_pc_verified_and_a_correction_replaces_it() {
    let w = World::new();
    let desk = w.endpoint(Some("desk-token"));
    let campaign = liuyi();
    let published = publish(&desk, &w.key, &campaign).unwrap();
    assert!(!published.unchanged);
    assert_eq!(published.entry.id, "cq-liuyi-2025");
    assert_eq!(published.entry.version, 1);
    // The same template again: nothing new.
    let again = publish(&desk, &w.key, &campaign).unwrap();
    assert!(again.unchanged);
    assert_eq!(again.entry.version, 1);

    // A clerk's PC: another data folder, the unit's token, the key IT pinned.
    let pc = tempfile::tempdir().unwrap();
    let shelf = Shelf::in_data_dir(pc.path());
    let unit = w.endpoint(Some("yz-token"));
    let pinned = PublicKey::from_hex(&w.key.public().to_hex()).unwrap();
    let got = fetch(&unit, &pinned, &shelf).unwrap();
    assert_eq!(got.taken.len(), 1, "{got:?}");
    assert!(got.refused.is_empty(), "{got:?}");
    let (offered, broken) = shelf.offered(&pinned);
    assert!(broken.is_empty());
    assert_eq!(offered.len(), 1);
    assert!(offered[0].new);
    let mut expected = campaign.clone();
    expected.version = 1;
    assert_eq!(offered[0].campaign, expected);
    // Looked at again: the index has not changed (304), nothing taken twice.
    let got = fetch(&unit, &pinned, &shelf).unwrap();
    assert!(got.unchanged && got.taken.is_empty());
    shelf.mark_shown(&offered[0].campaign.id, 1).unwrap();
    assert!(!shelf.offered(&pinned).0[0].new);

    // The department corrects an item's name: version 2, taken, offered as new, replacing 1.
    let mut corrected = campaign.clone();
    corrected.pillars[0].items[0].title = "举办“红领巾心向党”主题故事会".into();
    let published = publish(&desk, &w.key, &corrected).unwrap();
    assert_eq!(published.entry.version, 2);
    assert_eq!(
        published.changes,
        ["事项“举办“红领巾心向党”故事会”改为“举办“红领巾心向党”主题故事会”"]
    );
    let got = fetch(&unit, &pinned, &shelf).unwrap();
    assert_eq!(got.taken.len(), 1);
    let (offered, _) = shelf.offered(&pinned);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].campaign.version, 2);
    assert!(offered[0].new);
    assert_eq!(
        offered[0].campaign.pillars[0].items[0].title,
        "举办“红领巾心向党”主题故事会"
    );
}

#[test]
fn a_notice_read_again_after_a_correction_keeps_the_ids_clerks_wrote_under() {
    let w = World::new();
    let desk = w.endpoint(Some("desk-token"));
    publish(&desk, &w.key, &liuyi()).unwrap();
    // The department inserts an item before （二） in pillar 二 and reads the notice again: the
    // reader numbers them afresh (p2-2 is now the new one).
    let revised = notice("2025-六一.txt").replace(
        "（二）深化“爱心妈妈”结对关爱",
        "（二）开展“儿童友好”社区共建\n推动社区完善儿童活动空间。\n\n（三）深化“爱心妈妈”结对关爱",
    ).replace("（三）开展儿童安全教育", "（四）开展儿童安全教育");
    let again = read_notice(&revised).unwrap().campaign;
    assert_eq!(again.pillars[1].items[1].id, "p2-2");
    let published = publish(&desk, &w.key, &again).unwrap();
    assert_eq!(published.entry.version, 2);
    assert_eq!(published.changes, ["新增事项“开展“儿童友好”社区共建”"]);
    let pc = tempfile::tempdir().unwrap();
    let shelf = Shelf::in_data_dir(pc.path());
    fetch(&w.endpoint(Some("yz-token")), &w.key.public(), &shelf).unwrap();
    let (offered, _) = shelf.offered(&w.key.public());
    let ids: Vec<String> = offered[0].campaign.pillars[1]
        .items
        .iter()
        .map(|it| format!("{}={}", it.id, it.title))
        .collect();
    assert_eq!(
        ids,
        [
            "p2-1=走访慰问留守儿童",
            "p2-n1=开展“儿童友好”社区共建",
            "p2-2=深化“爱心妈妈”结对关爱",
            "p2-3=开展儿童安全教育",
        ]
    );
}

#[test]
fn only_the_desk_token_with_the_departments_key_publishes() {
    let w = World::new();
    let campaign = liuyi();
    // A unit's token: 403, and the intake holds nothing.
    let e = publish(&w.endpoint(Some("yz-token")), &w.key, &campaign).unwrap_err();
    assert!(
        matches!(e, ChannelError::Refused { status: 403, .. }),
        "{e:?}"
    );
    assert!(e.user_message().contains("不是市妇联宣传部的收件台令牌"));
    // No token, a wrong one: 401.
    for token in [None, Some("guess")] {
        let e = publish(&w.endpoint(token), &w.key, &campaign).unwrap_err();
        assert!(e.user_message().contains("令牌"), "{e:?}");
    }
    // The desk token with a key that is not the department's: the intake checks the signature.
    let stranger_dir = tempfile::tempdir().unwrap();
    let (stranger, _) = DeskKey::load_or_create(stranger_dir.path()).unwrap();
    let e = publish(&w.endpoint(Some("desk-token")), &stranger, &campaign).unwrap_err();
    assert!(
        !w.peer.store.join("campaigns").exists(),
        "not among the bundles"
    );
    assert!(
        matches!(e, ChannelError::Refused { status: 422, .. }),
        "{e:?}"
    );
    assert!(!w.shelf_dir().join("index.json").exists());
    // A template with something unread is not published at all.
    let unread = read_notice(&notice("缺截止时间.txt")).unwrap().campaign;
    let e = publish(&w.endpoint(Some("desk-token")), &w.key, &unread).unwrap_err();
    assert!(
        e.user_message().contains("截止时间"),
        "{}",
        e.user_message()
    );
    // The desk token sends no bundles.
    let r = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}/files/", w.peer.port))
        .bearer_auth("desk-token")
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Published by the desk: 201; an older version put back directly: 409.
    publish(&w.endpoint(Some("desk-token")), &w.key, &campaign).unwrap();
    let mut v1 = campaign.clone();
    v1.version = 1;
    v1.title.push('！');
    let bytes = serde_json::to_string_pretty(&v1).unwrap();
    let r = reqwest::blocking::Client::new()
        .put(format!(
            "http://127.0.0.1:{}/files/campaigns/cq-liuyi-2025",
            w.peer.port
        ))
        .bearer_auth("desk-token")
        .body(
            serde_json::json!({"template": bytes, "signature": w.key.sign(bytes.as_bytes())})
                .to_string(),
        )
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
}

/// Put a template straight into the intake's folder and index, as a broken or hostile server
/// would serve it.
fn serve(w: &World, id: &str, version: u32, bytes: &[u8], signature: &str) {
    let dir = w.shelf_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let file = format!("{id}-v{version}.json");
    std::fs::write(dir.join(&file), bytes).unwrap();
    std::fs::write(dir.join(format!("{file}.sig")), signature).unwrap();
    let index_path = dir.join("index.json");
    let mut index: serde_json::Value = std::fs::read(&index_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(serde_json::json!({"campaigns": []}));
    let list = index["campaigns"].as_array_mut().unwrap();
    list.retain(|c| c["id"] != id);
    list.push(serde_json::json!({
        "id": id, "version": version, "file": file, "signature": format!("{file}.sig"),
    }));
    std::fs::write(&index_path, index.to_string()).unwrap();
}

#[test]
fn tampered_stranger_replayed_huge_and_newer_templates_are_refused_whole() {
    let w = World::new();
    let pinned = w.key.public();
    let unit = w.endpoint(Some("yz-token"));
    let pc = tempfile::tempdir().unwrap();
    let shelf = Shelf::in_data_dir(pc.path());
    let refused_for = |shelf: &Shelf, key: &PublicKey| -> Vec<String> {
        let got = fetch(&unit, key, shelf).unwrap();
        eprintln!("{got:?}");
        got.refused.into_iter().map(|r| r.message).collect()
    };

    // Changed on the server after signing: one character of an item's name.
    let mut c = liuyi();
    c.version = 1;
    let bytes = format!("{}\n", serde_json::to_string_pretty(&c).unwrap()).into_bytes();
    let sig = w.key.sign(&bytes);
    let tampered = String::from_utf8(bytes.clone())
        .unwrap()
        .replace("走访慰问留守儿童", "走访慰问留守儿量");
    serve(&w, "cq-liuyi-2025", 1, tampered.as_bytes(), &sig);
    let m = refused_for(&shelf, &pinned);
    assert!(m.iter().any(|m| m.contains("签名与模板内容")), "{m:?}");
    assert!(shelf.offered(&pinned).0.is_empty());

    // Signed, but the PC pins another key.
    serve(&w, "cq-liuyi-2025", 1, &bytes, &sig);
    let other_dir = tempfile::tempdir().unwrap();
    let (other, _) = DeskKey::load_or_create(other_dir.path()).unwrap();
    let other_pc = tempfile::tempdir().unwrap();
    let m = refused_for(&Shelf::in_data_dir(other_pc.path()), &other.public());
    assert!(m.iter().any(|m| m.contains("签名与模板内容")), "{m:?}");

    // No signature at all.
    serve(&w, "cq-liuyi-2025", 1, &bytes, "");
    let m = refused_for(&shelf, &pinned);
    assert!(m.iter().any(|m| m.contains("没有市妇联的签名")), "{m:?}");

    // The genuine one is taken.
    serve(&w, "cq-liuyi-2025", 1, &bytes, &sig);
    let got = fetch(&unit, &pinned, &shelf).unwrap();
    assert_eq!(got.taken.len(), 1, "{got:?}");

    // Version 2 is taken; then the server offers version 1 again (validly signed): refused, and
    // the PC keeps version 2.
    let mut c2 = c.clone();
    c2.version = 2;
    c2.title = "更正后的活动".into();
    let bytes2 = format!("{}\n", serde_json::to_string_pretty(&c2).unwrap()).into_bytes();
    serve(&w, "cq-liuyi-2025", 2, &bytes2, &w.key.sign(&bytes2));
    assert_eq!(fetch(&unit, &pinned, &shelf).unwrap().taken.len(), 1);
    serve(&w, "cq-liuyi-2025", 1, &bytes, &sig);
    let m = refused_for(&shelf, &pinned);
    assert!(
        m.iter().any(|m| m.contains("旧版本不会替换新版本")),
        "{m:?}"
    );
    assert_eq!(shelf.offered(&pinned).0[0].campaign.version, 2);

    // 10 MB of items, signed: refused for its size, never read whole.
    let mut big = c.clone();
    big.id = "cq-big-2025".into();
    let item = big.pillars[0].items[0].clone();
    for i in 0..60_000 {
        let mut it = item.clone();
        it.id = format!("x{i}").as_str().into();
        big.pillars[0].items.push(it);
    }
    let big_bytes = serde_json::to_vec(&big).unwrap();
    assert!(big_bytes.len() > 10_000_000, "{}", big_bytes.len());
    serve(&w, "cq-big-2025", 1, &big_bytes, &w.key.sign(&big_bytes));
    let m = refused_for(&shelf, &pinned);
    assert!(m.iter().any(|m| m.contains("超过 2 MB")), "{m:?}");

    // A newer schema, signed by the department: refused with the reason, not half-loaded.
    let mut newer: serde_json::Value = serde_json::to_value(&c).unwrap();
    newer["id"] = "cq-newer-2025".into();
    newer["schema"] = 9.into();
    let newer_bytes = newer.to_string().into_bytes();
    serve(
        &w,
        "cq-newer-2025",
        1,
        &newer_bytes,
        &w.key.sign(&newer_bytes),
    );
    let m = refused_for(&shelf, &pinned);
    assert!(m.iter().any(|m| m.contains("请升级报送程序")), "{m:?}");

    // The index says another id than the file: refused.
    let mut liar = c.clone();
    liar.id = "cq-other-2025".into();
    let liar_bytes = serde_json::to_vec(&liar).unwrap();
    serve(&w, "cq-liar-2025", 1, &liar_bytes, &w.key.sign(&liar_bytes));
    let m = refused_for(&shelf, &pinned);
    assert!(m.iter().any(|m| m.contains("与活动清单不符")), "{m:?}");

    // Only version 2 of 六一 is on the shelf; changed on the PC's disk, it is refused there too.
    let (offered, _) = shelf.offered(&pinned);
    assert_eq!(offered.len(), 1);
    let on_disk = std::fs::read_to_string(&offered[0].path).unwrap();
    std::fs::write(
        &offered[0].path,
        on_disk.replace("更正后的活动", "改过的活动"),
    )
    .unwrap();
    let (offered, broken) = shelf.offered(&pinned);
    assert!(offered.is_empty());
    assert!(broken[0].message.contains("签名与模板内容"), "{broken:?}");
}

#[test]
fn the_desk_publishes_only_with_the_key_the_intake_checks_with() {
    let w = World::new();
    let desk = w.endpoint(Some("desk-token"));
    // A second PC of the department without the key: refused before anything is sent, and no
    // new key is made (one would sign what no unit accepts).
    let other_pc = tempfile::tempdir().unwrap();
    let e = publish_from(&desk, other_pc.path(), &liuyi()).unwrap_err();
    assert!(matches!(e, ChannelError::NoLocalKey { .. }), "{e:?}");
    assert!(e.user_message().contains(&w.key.public().fingerprint()));
    assert!(e.user_message().contains("不要重新生成"));
    assert!(!other_pc.path().join("campaign-signing-key").exists());
    // A PC with another key: stopped before sending, both fingerprints named.
    let (stranger, _) = DeskKey::load_or_create(other_pc.path()).unwrap();
    let e = publish_from(&desk, other_pc.path(), &liuyi()).unwrap_err();
    assert!(matches!(e, ChannelError::KeyMismatch { .. }), "{e:?}");
    assert!(e.user_message().contains(&stranger.public().fingerprint()));
    assert!(!w.shelf_dir().join("index.json").exists());
    // The PC with the key publishes.
    let (published, made) = publish_from(&desk, w.desk_dir.path(), &liuyi()).unwrap();
    assert!(!made);
    assert_eq!(published.entry.version, 1);

    // An intake not yet given a key: the first publication makes the key, and the intake says
    // it cannot check it yet (503) — IT configures both sides with the key printed.
    let fresh = intake(Some(TOKENS), &[]);
    let first_pc = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/files/", fresh.port);
    let e = publish_from(
        &Intake::new(url, Some("desk-token".into())),
        first_pc.path(),
        &liuyi(),
    )
    .unwrap_err();
    assert!(
        matches!(e, ChannelError::Refused { status: 503, .. }),
        "{e:?}"
    );
    assert!(first_pc.path().join("campaign-signing-key").exists());
}

#[test]
fn a_publication_killed_before_its_index_was_written_does_not_block_the_next() {
    let w = World::new();
    let desk = w.endpoint(Some("desk-token"));
    publish(&desk, &w.key, &liuyi()).unwrap();
    // The intake was killed after writing version 2's file and before its index: a half file.
    std::fs::write(w.shelf_dir().join("cq-liuyi-2025-v2.json"), b"{\"id\":").unwrap();
    let mut corrected = liuyi();
    corrected.title.push_str("（更正）");
    let published = publish(&desk, &w.key, &corrected).unwrap();
    assert_eq!(published.entry.version, 2);
    let pc = tempfile::tempdir().unwrap();
    let shelf = Shelf::in_data_dir(pc.path());
    let got = fetch(&w.endpoint(Some("yz-token")), &w.key.public(), &shelf).unwrap();
    assert_eq!(got.taken.len(), 1, "{got:?}");
    assert!(
        shelf.offered(&w.key.public()).0[0]
            .campaign
            .title
            .ends_with("（更正）")
    );
}

#[test]
fn a_unit_cannot_hold_the_intake_or_fill_its_log_through_the_campaign_routes() {
    use std::io::{Read, Write};
    let w = World::new();
    // A read that announces a body (to trickle it and hold the connection): refused, closed.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", w.peer.port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    s.write_all(
        b"GET /files/campaigns/index.json HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer yz-token\r\nContent-Length: 100000000\r\n\r\nx",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // 200 publications tried with a unit's token: refused, and logged once, not 200 times.
    let client = reqwest::blocking::Client::new();
    for _ in 0..200 {
        let r = client
            .put(format!(
                "http://127.0.0.1:{}/files/campaigns/cq-x-2025",
                w.peer.port
            ))
            .bearer_auth("yz-token")
            .body("{}")
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
    }
    let log = std::fs::read_to_string(w.peer.store.join("intake-audit.jsonl")).unwrap();
    let refused = log
        .lines()
        .filter(|l| l.contains("campaign refused"))
        .count();
    assert_eq!(refused, 1, "{log}");
}

#[test]
fn a_unit_without_its_token_or_at_a_wrong_address_is_told_so() {
    let w = World::new();
    let pc = tempfile::tempdir().unwrap();
    let shelf = Shelf::in_data_dir(pc.path());
    let key = w.key.public();
    // Nothing published yet: an empty list, not an error.
    let got = fetch(&w.endpoint(Some("yz-token")), &key, &shelf).unwrap();
    assert!(got.taken.is_empty() && got.refused.is_empty());
    // No token: the unit's own token is asked for (not the desk's).
    let e = fetch(&w.endpoint(None), &key, &shelf).unwrap_err();
    assert!(matches!(e, ChannelError::ReadRefused { .. }), "{e:?}");
    assert!(
        e.user_message().contains("本单位的访问令牌"),
        "{}",
        e.user_message()
    );
    // A wrong path: said, not taken as "nothing published".
    let wrong = Intake::new(
        format!("http://127.0.0.1:{}/fils/", w.peer.port),
        Some("yz-token".into()),
    );
    let e = fetch(&wrong, &key, &shelf).unwrap_err();
    assert!(matches!(e, ChannelError::NoCampaignsHere { .. }), "{e:?}");
    assert!(e.user_message().contains("报送地址可能不对"));
}

#[test]
fn offline_is_an_answer_not_a_hang() {
    let pc = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = DeskKey::load_or_create(dir.path()).unwrap();
    let port = free_port();
    let e = fetch(
        &Intake::new(format!("http://127.0.0.1:{port}/files/"), None),
        &key.public(),
        &Shelf::in_data_dir(pc.path()),
    )
    .unwrap_err();
    assert!(
        matches!(e, ChannelError::Intake(ref i) if i.is_transient()),
        "{e:?}"
    );
}

fn baosong(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baosong"))
        .args(args)
        .env("BAOSONG_DATA_DIR", data)
        .env_remove("BAOSONG_LOG")
        .output()
        .unwrap()
}

#[test]
fn the_cli_parses_publishes_and_lists() {
    let desk = tempfile::tempdir().unwrap();
    let o = baosong(desk.path(), &["campaign", "key"]);
    assert_eq!(o.status.code(), Some(0));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("已在本机生成市妇联的签名私钥"), "{said}");
    let hex = said
        .lines()
        .find_map(|l| l.strip_prefix("签名公钥"))
        .and_then(|l| l.rsplit('：').next())
        .unwrap()
        .to_string();
    assert_eq!(hex.len(), 64);
    let peer = intake(Some(TOKENS), &[("INTAKE_CAMPAIGN_KEY", hex.as_str())]);
    let url = format!("http://127.0.0.1:{}/files/", peer.port);
    let template = desk.path().join("六一 模板.json");
    let notice = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notices/2025-六一.txt");
    let o = baosong(
        desk.path(),
        &[
            "campaign",
            "parse",
            notice.to_str().unwrap(),
            "-o",
            template.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = baosong(
        desk.path(),
        &[
            "campaign",
            "publish",
            template.to_str().unwrap(),
            "--endpoint",
            &url,
            "--token",
            "desk-token",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("已发布：2025年“六一”国际儿童节主题宣传活动情况报送（cq-liuyi-2025 第1版）")
    );
    // A unit's token: exit 1 and the reason.
    let o = baosong(
        desk.path(),
        &[
            "campaign",
            "publish",
            template.to_str().unwrap(),
            "--endpoint",
            &url,
            "--token",
            "yz-token",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    // The clerk's PC lists it, verified.
    let pc = tempfile::tempdir().unwrap();
    let o = baosong(
        pc.path(),
        &[
            "campaigns",
            "--key",
            &hex,
            "--endpoint",
            &url,
            "--token",
            "yz-token",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        said.contains("2025年“六一”国际儿童节主题宣传活动情况报送  第1版  截止 2025年6月6日 17:00"),
        "{said}"
    );
    // No key pinned: nothing taken, and said why.
    let o = baosong(
        pc.path(),
        &["campaigns", "--endpoint", &url, "--token", "yz-token"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("campaign_key"));
}

mod window {
    use super::*;
    use std::sync::Arc;

    use baosong::core::clock::{FixedClock, SystemTicker};
    use baosong::core::draft::UnitProfile;
    use baosong::core::portable::PortableConfig;
    use baosong::core::store::DataDir;
    use baosong::gui::{App, AppConfig};
    use common::*;
    use egui_kittest::kittest::{NodeT, Queryable};

    /// A clerk's window on 20 May 2025, with IT's baosong.toml: the intake, the unit's token and
    /// the department's key.
    fn window(data: &Path, w: &World, now: &str) -> egui_kittest::Harness<'static, App> {
        let portable = PortableConfig {
            intake: Some(w.endpoint(Some("yz-token"))),
            campaign_key: Some(w.key.public().to_hex()),
            ..PortableConfig::default()
        };
        harness_with(App::new(AppConfig {
            data_root: Some(data.to_path_buf()),
            template: None,
            clock: Arc::new(FixedClock::at(now).unwrap()),
            ticker: Arc::new(SystemTicker),
            picker: Box::new(TestPicker::default()),
            portable: Some(portable),
            probe_exe: Some(std::path::PathBuf::from(env!("CARGO_BIN_EXE_baosong"))),
            preview_workers: 1,
            upload: Default::default(),
        }))
    }

    #[test]
    fn the_start_screen_offers_it_and_keeps_last_years_drafts_apart() {
        let w = World::new();
        publish(&w.endpoint(Some("desk-token")), &w.key, &liuyi()).unwrap();
        // Last year's report, on the built-in campaign.
        let pc = tempfile::tempdir().unwrap();
        {
            let data = DataDir::open(pc.path(), common::clock()).unwrap();
            let mut d = data
                .create(&Campaign::builtin().unwrap(), UnitProfile::default())
                .unwrap();
            d.unit.unit = "渝中区妇联".into();
            data.save(&d).unwrap();
        }
        let mut h = window(pc.path(), &w, "2025-05-20T10:00:00+08:00");
        let offer = "市妇联发布了新的活动：2025年“六一”国际儿童节主题宣传活动情况报送（截止2025年6月6日 17:00）";
        assert!(has_label(&h, offer), "the offer is shown");
        assert!(has_label(&h, "新"));
        h.snapshot("start_screen_campaign_offered");

        click(&mut h, "开始填报");
        settle(&mut h);
        assert_eq!(h.state().campaign().id, "cq-liuyi-2025");
        assert_eq!(h.state().campaign().version, 1);
        let draft = h.state().open_draft().expect("a new draft is open");
        assert_eq!(draft.campaign_id, "cq-liuyi-2025");
        assert!(has_text_containing(&h, "已改用市妇联发布的活动"));
        click(&mut h, "报送单位");
        click(&mut h, "渝中区妇联");
        type_into(&mut h, "联系人", "张丽");
        settle(&mut h);
        click(&mut h, "← 草稿列表");
        settle(&mut h);

        // Two campaigns side by side: this year's with its countdown, last year's under 往年活动.
        assert!(
            !has_label(&h, offer),
            "no longer offered: it is the one in use"
        );
        assert!(has_text_containing(
            &h,
            "2025年“六一”国际儿童节主题宣传活动情况报送（截止2025年6月6日 17:00，距报送截止还有 17 天"
        ));
        assert!(has_label(&h, "往年活动（1 份草稿）"));
        click(&mut h, "往年活动（1 份草稿）");
        h.run_ok();
        assert!(has_text_containing(
            &h,
            "2024年“三八”国际妇女节纪念活动情况报送（截止2024年3月12日 23:59，已超过报送截止时间"
        ));
        h.snapshot("start_screen_two_campaigns");
        // Last year's draft opens with last year's template.
        let buttons = h.query_all_by_label("继续填写").count();
        assert_eq!(buttons, 2);
        click_nth(&mut h, "继续填写", 1);
        settle(&mut h);
        assert_eq!(h.state().campaign().id, "cq-sanba-2024");
        assert_eq!(h.state().open_draft().unwrap().campaign_id, "cq-sanba-2024");
    }

    #[test]
    fn a_correction_is_offered_with_what_changed_and_a_bad_signature_is_not() {
        let w = World::new();
        let campaign = liuyi();
        publish(&w.endpoint(Some("desk-token")), &w.key, &campaign).unwrap();
        let pc = tempfile::tempdir().unwrap();
        let mut h = window(pc.path(), &w, "2025-05-20T10:00:00+08:00");
        click(&mut h, "开始填报");
        settle(&mut h);
        drop(h);

        let mut corrected = campaign.clone();
        corrected.version = 1;
        corrected.pillars[1].items[0].title = "走访慰问留守儿童和困境儿童".into();
        publish(&w.endpoint(Some("desk-token")), &w.key, &corrected).unwrap();
        // And a template changed on the server after signing, under another id.
        let mut other = campaign.clone();
        other.id = "cq-tampered-2025".into();
        other.version = 1;
        let bytes = serde_json::to_vec_pretty(&other).unwrap();
        let sig = w.key.sign(&bytes);
        let bad = String::from_utf8(bytes).unwrap().replace("六一", "六二");
        serve(&w, "cq-tampered-2025", 1, bad.as_bytes(), &sig);

        let mut h = window(pc.path(), &w, "2025-05-21T10:00:00+08:00");
        assert_eq!(
            h.state().campaign().version,
            1,
            "the window opens on what it had"
        );
        assert!(has_label(&h, "市妇联更新了本活动的模板（第2版）"));
        assert!(has_label(
            &h,
            "· 事项“走访慰问留守儿童”改为“走访慰问留守儿童和困境儿童”"
        ));
        assert!(has_text_containing(
            &h,
            "另有 1 个网上发布的活动模板没有通过市妇联签名核对"
        ));
        assert!(!has_text_containing(&h, "六二"));
        click(&mut h, "改用新版");
        settle(&mut h);
        assert_eq!(h.state().campaign().version, 2);
        assert!(!has_label(&h, "市妇联更新了本活动的模板（第2版）"));
    }

    /// The department's PC: the intake with the desk token in IT's baosong.toml.
    fn desk_window(
        data: &Path,
        w: &World,
        picker: TestPicker,
    ) -> egui_kittest::Harness<'static, App> {
        harness_with(app_with(
            data,
            Setup {
                picker,
                portable: Some(PortableConfig {
                    intake: Some(w.endpoint(Some("desk-token"))),
                    ..PortableConfig::default()
                }),
                ..Setup::default()
            },
        ))
    }

    #[test]
    fn the_department_makes_a_campaign_from_the_notice_edits_previews_saves_and_publishes() {
        // The desk PC's data folder holds the department's key; the intake knows its public half.
        let w = World::with_key_in(tempfile::tempdir().unwrap(), "desk");
        let data = w.desk_dir.path().to_path_buf();
        let picker = TestPicker::default();
        let mut h = desk_window(&data, &w, picker.clone());
        click(&mut h, "设置与帮助");
        click(&mut h, "收件台");
        click(&mut h, "新建活动");
        assert_eq!(
            h.state().screen(),
            baosong::gui::state::Screen::CampaignEditor
        );
        // A new template is not publishable as it stands: it says what is missing.
        assert!(has_text_containing(&h, "发布前还需修改"));
        assert!(has_label(&h, "请填写活动名称"));

        // 从通知生成…: the 六一 notice.
        let notice =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notices/2025-六一.txt");
        picker.choose_one(&notice);
        click(&mut h, "从通知生成…");
        settle(&mut h);
        assert!(has_text_containing(&h, "已从通知生成活动模板"));
        assert!(has_label(&h, "一、开展主题教育活动"));
        assert!(has_label(&h, "四、推进家庭教育指导"));
        assert!(has_text_containing(&h, "“五、工作要求”是工作要求"));
        assert!(has_label(&h, "√ 模板可以保存和发布"));

        // Rename an item.
        click(&mut h, "（一）举办“红领巾心向党”故事会");
        replace_text(&mut h, "事项名称", "举办主题故事会");
        h.run_ok();
        assert!(has_label(&h, "（一）举办主题故事会"));
        // Move it down: it becomes （二）, the other （一）.
        click(&mut h, "下移“（一）举办主题故事会”");
        h.run_ok();
        assert!(has_label(&h, "（二）举办主题故事会"));
        assert!(has_label(&h, "（一）开展家庭亲子阅读活动"));
        // Add an item to the fourth pillar, name it, ask for a video.
        click(&mut h, "在“四、推进家庭教育指导”中添加事项");
        h.run_ok();
        replace_text(&mut h, "事项名称", "开展家风故事短视频征集");
        click(&mut h, "视频");
        h.run_ok();
        assert!(has_label(&h, "（三）开展家风故事短视频征集"));
        // Empty a name: flagged, publishing refused until it is mended.
        replace_text(&mut h, "事项名称", "x");
        h.key_press(egui::Key::Backspace);
        h.run_ok();
        assert!(has_text_containing(&h, "的第3个事项没有名称"));
        assert!(
            h.get_by_label("发布到报送服务器")
                .accesskit_node()
                .is_disabled()
        );
        replace_text(&mut h, "事项名称", "开展家风故事短视频征集");
        h.run_ok();
        h.snapshot("campaign_editor");

        // 预览: the clerk's task list on this template.
        click(&mut h, "预览");
        h.run_ok();
        assert!(has_text_containing(&h, "预览：文员看到的填报任务"));
        // The clerk's task list: the item where it was put, its page opened by a click.
        assert!(has_label(&h, "四、推进家庭教育指导"));
        click(&mut h, "开展家风故事短视频征集");
        h.run_ok();
        assert!(has_text_containing(&h, "开展家风故事短视频征集"));
        h.snapshot("campaign_editor_preview");
        click(&mut h, "返回编辑");
        h.run_ok();

        // The unit list from an Excel column.
        let list = data.join("单位名单.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, name) in ["单位名称", "渝中区妇联", "江北区妇联", "市妇联机关"]
            .iter()
            .enumerate()
        {
            sheet.write_string(r as u32, 0, *name).unwrap();
        }
        book.save(&list).unwrap();
        click(&mut h, "报送单位（41）");
        picker.choose_one(&list);
        click(&mut h, "从 Excel 导入…");
        settle(&mut h);
        assert!(has_text_containing(&h, "已导入3个单位"));
        assert!(has_label(&h, "报送单位（3）"));
        click(&mut h, "删除市妇联机关");
        h.run_ok();
        assert!(has_label(&h, "报送单位（2）"));

        // 保存模板…: the file loads as a template, with the edits.
        let saved = data.join("六一 模板.json");
        picker.choose_one(&saved);
        click(&mut h, "保存模板…");
        settle(&mut h);
        assert!(has_text_containing(&h, "模板已保存"));
        let c = Campaign::load(&saved).unwrap();
        let titles: Vec<String> = c.pillars[0]
            .items
            .iter()
            .map(|it| format!("{}{}", it.number, it.title))
            .collect();
        assert_eq!(
            titles,
            ["（一）开展家庭亲子阅读活动", "（二）举办主题故事会"]
        );
        // The moved item kept its id (a draft keeps what was written under it).
        assert_eq!(c.pillars[0].items[1].id, "p1-1");
        assert_eq!(c.units, ["渝中区妇联", "江北区妇联"]);
        let added = c.pillars[3].items.last().unwrap();
        assert_eq!(added.title, "开展家风故事短视频征集");
        assert_eq!(added.expects, [baosong::core::campaign::Expected::Video]);

        // 发布到报送服务器: signed with the desk's key, on the real intake.
        click(&mut h, "发布到报送服务器");
        settle(&mut h);
        assert!(
            has_text_containing(&h, "已发布：cq-liuyi-2025（第1版）"),
            "the banner says it was published"
        );
        // A clerk's PC takes it, with the edits.
        let pc = tempfile::tempdir().unwrap();
        let shelf = Shelf::in_data_dir(pc.path());
        let got = fetch(&w.endpoint(Some("yz-token")), &w.key.public(), &shelf).unwrap();
        assert_eq!(got.taken.len(), 1, "{got:?}");
        let (offered, _) = shelf.offered(&w.key.public());
        let mut published = offered[0].campaign.clone();
        published.version = 0;
        assert_eq!(published, c);
        // Published again unchanged: nothing new.
        click(&mut h, "发布到报送服务器");
        settle(&mut h);
        assert!(has_text_containing(&h, "与已发布的第1版相同，未重新发布"));
    }

    #[test]
    fn unsaved_editing_survives_closing_the_window() {
        let w = World::new();
        let data = tempfile::tempdir().unwrap();
        let picker = TestPicker::default();
        let mut h = desk_window(data.path(), &w, picker.clone());
        click(&mut h, "设置与帮助");
        click(&mut h, "收件台");
        click(&mut h, "新建活动");
        settle(&mut h);
        picker.choose_one(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notices/2025-六一.txt"),
        );
        click(&mut h, "从通知生成…");
        settle(&mut h);
        click(&mut h, "（二）开展家庭亲子阅读活动");
        replace_text(&mut h, "事项名称", "开展亲子共读活动");
        h.run_ok();
        h.state_mut().shutdown();
        drop(h);

        let mut h = desk_window(data.path(), &w, picker);
        click(&mut h, "设置与帮助");
        click(&mut h, "收件台");
        click(&mut h, "新建活动");
        settle(&mut h);
        assert!(has_text_containing(
            &h,
            "已恢复上次关闭程序时没有保存的活动编辑内容"
        ));
        assert!(has_label(&h, "（二）开展亲子共读活动"));
        // Taken back: not restored a second time.
        assert!(
            !data
                .path()
                .join("desk")
                .join("活动编辑-未保存.json")
                .exists()
        );
    }

    #[test]
    fn a_template_from_a_usb_stick_is_checked_when_signed_and_warned_about_when_not() {
        let w = World::new();
        let stick = tempfile::tempdir().unwrap();
        let mut c = liuyi();
        c.version = 1;
        let bytes = format!("{}\n", serde_json::to_string_pretty(&c).unwrap()).into_bytes();
        let signed = stick.path().join("六一 模板.json");
        std::fs::write(&signed, &bytes).unwrap();
        std::fs::write(stick.path().join("六一 模板.json.sig"), w.key.sign(&bytes)).unwrap();
        let unsigned = stick.path().join("无签名.json");
        std::fs::write(&unsigned, &bytes).unwrap();
        let tampered = stick.path().join("改过.json");
        let changed = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("六一", "六二");
        std::fs::write(&tampered, &changed).unwrap();
        std::fs::write(stick.path().join("改过.json.sig"), w.key.sign(&bytes)).unwrap();

        let pc = tempfile::tempdir().unwrap();
        let picker = TestPicker::default();
        let portable = PortableConfig {
            campaign_key: Some(w.key.public().to_hex()),
            ..PortableConfig::default()
        };
        let mut h = harness_with(app_with(
            pc.path(),
            Setup {
                picker: picker.clone(),
                portable: Some(portable),
                ..Setup::default()
            },
        ));
        // Changed after signing: refused, the window stays on what it had.
        picker.choose_one(&tampered);
        click(&mut h, "打开活动模板…");
        settle(&mut h);
        assert!(has_text_containing(&h, "没有采用"), "refused");
        assert_eq!(h.state().campaign().id, "cq-sanba-2024");
        // Unsigned: opened, with a warning; the clerk decides.
        picker.choose_one(&unsigned);
        click(&mut h, "打开活动模板…");
        settle(&mut h);
        assert!(has_text_containing(&h, "此模板没有市妇联的签名"));
        assert_eq!(h.state().campaign().id, "cq-liuyi-2025");
        // Signed by the department: opened, and said so.
        picker.choose_one(&signed);
        click(&mut h, "打开活动模板…");
        settle(&mut h);
        assert!(has_text_containing(&h, "市妇联签名核对无误"));
    }

    #[test]
    fn an_open_window_looks_again_after_four_hours_not_before() {
        use baosong::core::clock::ManualTicker;
        let w = World::new();
        let ticker = Arc::new(ManualTicker::default());
        let pc = tempfile::tempdir().unwrap();
        let mut h = harness_with(App::new(AppConfig {
            data_root: Some(pc.path().to_path_buf()),
            template: None,
            clock: Arc::new(FixedClock::at("2025-05-20T10:00:00+08:00").unwrap()),
            ticker: ticker.clone(),
            picker: Box::new(TestPicker::default()),
            portable: Some(PortableConfig {
                intake: Some(w.endpoint(Some("yz-token"))),
                campaign_key: Some(w.key.public().to_hex()),
                ..PortableConfig::default()
            }),
            probe_exe: None,
            preview_workers: 1,
            upload: Default::default(),
        }));
        let offer = "市妇联发布了新的活动：2025年“六一”国际儿童节主题宣传活动情况报送（截止2025年6月6日 17:00）";
        assert!(!has_label(&h, offer), "nothing published at the first look");
        publish(&w.endpoint(Some("desk-token")), &w.key, &liuyi()).unwrap();
        ticker.advance(std::time::Duration::from_secs(4 * 3600 - 60));
        settle(&mut h);
        assert!(
            !has_label(&h, offer),
            "not looked at again before four hours"
        );
        ticker.advance(std::time::Duration::from_secs(61));
        settle(&mut h);
        assert!(has_label(&h, offer), "looked at again after four hours");
    }
}

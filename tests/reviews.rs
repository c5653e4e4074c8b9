//! The department's answer back to the clerk through the real intake (`deploy/intake/server.mjs`
//! with `reviews.mjs`, on loopback), with two units' data folders and the desk's: a bundle sent,
//! 退回修改 with two notes (`baosong review`), the unit's `baosong status` showing them, the
//! draft opened as version 2, the notes ticked off, sent again naming the bundle it replaces,
//! the desk counting version 2, 通过, 已通过 at the unit; 催报 to one unit, seen, the desk told.
//! And what must be refused: another unit reading, writing or marking a review, a review signed
//! by a stranger, one changed on the intake's disk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use baosong::core::campaign::signing::{DeskKey, PublicKey};
use baosong::core::campaign::{Campaign, Intake};
use baosong::core::desk::{Bundle, tally};
use baosong::core::draft::Status;
use baosong::core::review::{Body, Inbox, Ledger, Message, Signed, Verdict, channel, review_of};
use baosong::core::store::DataDir;
use baosong::core::validate::{Target, validate};
use baosong::core::work::Unwatched;
use common::drafts::*;
use common::peers::*;

const TOKENS: &str =
    "desk-token @desk\nyz-token 渝中区妇联\njb-token 江北区妇联\nwz-token 万州区妇联\n";

fn cli(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baosong"))
        .env("BAOSONG_DATA_DIR", data)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("BAOSONG_LOG")
        .args(args)
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct World {
    peer: Peer,
    desk: tempfile::TempDir,
    key: DeskKey,
    url: String,
}

impl World {
    fn new() -> Self {
        let desk = tempfile::tempdir().unwrap();
        let (key, _) = DeskKey::load_or_create(&desk.path().join("desk")).unwrap();
        let hex = key.public().to_hex();
        let peer = intake(Some(TOKENS), &[("INTAKE_CAMPAIGN_KEY", hex.as_str())]);
        let url = format!("http://127.0.0.1:{}/files/", peer.port);
        Self {
            peer,
            desk,
            key,
            url,
        }
    }

    fn endpoint(&self, token: &str) -> Intake {
        Intake::new(self.url.clone(), Some(token.to_string()))
    }

    fn pinned(&self) -> PublicKey {
        PublicKey::from_hex(&self.key.public().to_hex()).unwrap()
    }

    fn hex(&self) -> String {
        self.key.public().to_hex()
    }

    /// The bundles the intake holds, oldest first.
    fn bundles(&self) -> Vec<Bundle> {
        let mut b = tally::scan(&self.peer.store, &Unwatched).unwrap().bundles;
        b.sort_by_key(|b| b.received);
        b
    }

    fn http(&self) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
    }
}

/// Make the intake's record say it verified this bundle at `rfc3339`.
fn set_received(path: &Path, rfc3339: &str) {
    let record = format!("{}.json", path.display());
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    v["baosong"]["received_at"] = rfc3339.into();
    std::fs::write(&record, serde_json::to_vec(&v).unwrap()).unwrap();
}

fn send(w: &World, data: &Path, id: &str, token: &str) {
    let o = cli(
        data,
        &["submit", id, "--endpoint", &w.url, "--token", token],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
}

#[test]
fn a_returned_report_is_corrected_sent_again_and_passed() {
    let w = World::new();
    let pc = tempfile::tempdir().unwrap();
    let yz = tempfile::tempdir().unwrap();
    let id = ready(yz.path(), pc.path(), "渝中区妇联", 0);
    send(&w, yz.path(), id.as_str(), "yz-token");
    let first = w.bundles().pop().unwrap();
    let first_path = first.path.display().to_string();

    // Not yet reviewed: the unit reads 市妇联已收到.
    let status = |data: &Path| {
        let o = cli(
            data,
            &[
                "status",
                id.as_str(),
                "--key",
                &w.hex(),
                "--endpoint",
                &w.url,
                "--token",
                "yz-token",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", said(&o));
        said(&o)
    };
    assert!(status(yz.path()).contains("市妇联审核：市妇联已收到，尚未审核"));

    // 退回修改 with two notes: one on an activity, one on an item.
    let o = cli(
        w.desk.path(),
        &[
            "review",
            &first_path,
            "--return",
            "请按意见补充后重新报送",
            "--note",
            "一、一是 活动1=请补充活动视频的字幕",
            "--note",
            "二、一是=参与人数请核实",
            "--endpoint",
            &w.url,
            "--token",
            "desk-token",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(said(&o).contains("已发送给渝中区妇联：退回修改：请按意见补充后重新报送"));
    // A note on something the bundle does not have is refused before anything is sent.
    let o = cli(
        w.desk.path(),
        &[
            "review",
            &first_path,
            "--return",
            "x",
            "--note",
            "一、一是 活动9=?",
            "--endpoint",
            &w.url,
            "--token",
            "desk-token",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", said(&o));
    assert!(said(&o).contains("没有活动9"), "{}", said(&o));

    let text = status(yz.path());
    assert!(text.contains("退回修改：请按意见补充后重新报送"), "{text}");
    assert!(
        text.contains("一、一是 · 活动1：请补充活动视频的字幕"),
        "{text}"
    );
    assert!(text.contains("二、一是：参与人数请核实"), "{text}");
    assert!(text.contains("修改后重新报送"), "{text}");

    // The clerk opens the sent draft as version 2.
    let store = DataDir::open(yz.path(), common::clock()).unwrap();
    let campaign = Campaign::builtin().unwrap();
    let inbox = Inbox::in_data_dir(yz.path());
    let messages = inbox.messages(&w.pinned(), &["渝中区妇联".to_string()]);
    let mut draft = store.load(&id).unwrap();
    let Status::Submitted { receipt } = draft.status().clone() else {
        panic!("not sent");
    };
    let review = review_of(&messages, &receipt.bundle_sha256).unwrap();
    assert_eq!(review.verdict(), Some(Verdict::Returned));
    draft.reopen_for_correction(review, store.now()).unwrap();
    assert_eq!(draft.version(), 2);
    assert_eq!(draft.history, vec![receipt.clone()]);
    // The notes are problems at their items until ticked off.
    let report = validate(&campaign, &draft);
    let notes: Vec<_> = report
        .problems
        .iter()
        .filter(|p| matches!(p.target, Target::CorrectionNote { .. }))
        .collect();
    assert_eq!(notes.len(), 2, "{:?}", report.problems);
    assert!(notes[0].message.contains("请补充活动视频的字幕"));
    assert!(matches!(
        &notes[0].target,
        Target::CorrectionNote { item_id, activity_id: Some(_), .. } if item_id == "p1-1"
    ));
    assert!(
        draft
            .mark_ready(report.problems.len(), store.now())
            .is_err()
    );
    let text = status(yz.path());
    assert!(text.contains("还有 2 条意见未处理") || !text.is_empty());
    for n in &mut draft.correction.as_mut().unwrap().notes {
        n.addressed = true;
    }
    let report = validate(&campaign, &draft);
    assert!(report.is_ready(), "{:?}", report.problems);
    draft.mark_ready(0, store.now()).unwrap();
    store.save(&draft).unwrap();
    drop(store);
    let o = cli(yz.path(), &["drafts"]);
    assert!(said(&o).contains("已完成待报送（第2版）"), "{}", said(&o));
    send(&w, yz.path(), id.as_str(), "yz-token");

    // The intake holds both; the new one names the one it replaces; the desk counts version 2.
    let bundles = w.bundles();
    assert_eq!(bundles.len(), 2);
    let second = &bundles[1];
    assert_eq!(
        second.manifest.draft.replaces.as_deref(),
        Some(receipt.bundle_sha256.as_str())
    );
    assert_eq!(second.manifest.draft.version, Some(2));
    let found = tally::scan(&w.peer.store, &Unwatched).unwrap();
    let t = tally::tally(&campaign, &found);
    let row = t.rows.iter().find(|r| r.unit == "渝中区妇联").unwrap();
    assert_eq!(row.copies, 2);
    assert_eq!(row.latest.as_ref().unwrap().path, second.path);

    // 逾期 of a correction the department asked for is judged on the first version: version 1
    // on time, version 2 (naming the one it replaces) after the deadline — on time.
    set_received(&bundles[0].path, "2024-03-11T10:00:00+08:00");
    set_received(&second.path, "2024-03-14T10:00:00+08:00");
    let found = tally::scan(&w.peer.store, &Unwatched).unwrap();
    let ledger: Vec<Message> = Ledger::in_data_dir(w.desk.path())
        .messages(&w.pinned())
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let mut t = tally::tally(&campaign, &found);
    t.apply_reviews(&ledger);
    let row = t.rows.iter().find(|r| r.unit == "渝中区妇联").unwrap();
    assert!(!row.latest.as_ref().unwrap().late, "judged on version 1");
    assert_eq!(t.late(), 0);
    // The manifest's word alone is not enough: without the department's return on record (a
    // unit naming any bundle it "replaces"), version 2 is judged by its own time.
    let mut t = tally::tally(&campaign, &found);
    t.apply_reviews(&[]);
    assert_eq!(t.late(), 1);

    // 通过 on version 2: the unit reads 已通过, and its history keeps version 1's review.
    let o = cli(
        w.desk.path(),
        &[
            "review",
            &second.path.display().to_string(),
            "--pass",
            "--endpoint",
            &w.url,
            "--token",
            "desk-token",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    let text = status(yz.path());
    assert!(text.contains("市妇联审核：已通过"), "{text}");
    assert!(text.contains("第1版："), "{text}");
    assert!(
        text.contains(&format!(
            "版本：第2版（按市妇联退回意见修改，替换 SHA-256 为 {}",
            receipt.bundle_sha256
        )),
        "the receipt says which version and what it replaces: {text}"
    );
    assert!(text.contains("退回修改：请按意见补充后重新报送"), "{text}");
    // `baosong drafts` beside a baosong.toml with the key says it too (from what status got).
    let exe_dir = tempfile::tempdir().unwrap();
    let exe = exe_dir.path().join("baosong");
    std::fs::copy(env!("CARGO_BIN_EXE_baosong"), &exe).unwrap();
    std::fs::write(
        exe_dir.path().join("baosong.toml"),
        format!("campaign_key = \"{}\"\n", w.hex()),
    )
    .unwrap();
    let o = Command::new(&exe)
        .env("BAOSONG_DATA_DIR", yz.path())
        .arg("drafts")
        .output()
        .unwrap();
    assert!(said(&o).contains("已报送 · 已通过"), "{}", said(&o));
    // The desk's table (and its Excel) says 已通过 for the counted version.
    let o = cli(
        w.desk.path(),
        &["desk", &w.peer.store.display().to_string()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .find(|l| l.contains("渝中区妇联"))
        .unwrap()
        .to_string();
    assert!(line.contains("已通过") && line.contains("按时"), "{line}");
    // The desk's own record of what it sent.
    let ledger = Ledger::in_data_dir(w.desk.path()).messages(&w.pinned());
    let verdicts: Vec<_> = ledger.iter().filter_map(|(m, _)| m.verdict()).collect();
    assert_eq!(verdicts, [Verdict::Returned, Verdict::Passed]);
}

#[test]
fn a_unit_reads_only_its_own_reviews_and_writes_none() {
    let w = World::new();
    let sha = "ab".repeat(32);
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-09T10:00:00+08:00").unwrap();
    let review = Message::review(
        "渝中区妇联",
        "cq-sanba-2024",
        now,
        (&sha, ""),
        Verdict::Returned,
        "缺视频",
        vec![],
    );
    channel::publish(
        &w.endpoint("desk-token"),
        &w.desk.path().join("desk"),
        &review,
    )
    .unwrap();

    // 江北区妇联's token: nothing of 渝中's.
    let jb = tempfile::tempdir().unwrap();
    let inbox = Inbox::in_data_dir(jb.path());
    let looked = channel::look(&w.endpoint("jb-token"), &w.pinned(), &inbox).unwrap();
    assert_eq!(looked.new, 0);
    assert!(
        inbox
            .messages(&w.pinned(), &["渝中区妇联".into()])
            .is_empty()
    );
    // 渝中's own token: its review.
    let yz = tempfile::tempdir().unwrap();
    let yz_inbox = Inbox::in_data_dir(yz.path());
    let looked = channel::look(&w.endpoint("yz-token"), &w.pinned(), &yz_inbox).unwrap();
    assert_eq!(looked.new, 1);

    let http = w.http();
    // A unit's token cannot write a review, not even one validly signed by the department…
    let signed = review.sign(&w.key).unwrap();
    let body = serde_json::json!({"message": signed.message, "signature": signed.signature});
    let other = Message::reminder("渝中区妇联", "c", now, "x");
    let r = http
        .put(format!("{}reviews/{}", w.url, other.id))
        .bearer_auth("jb-token")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // …nor read every unit's, nor mark another unit's as seen.
    let r = http
        .get(format!("{}reviews/all", w.url))
        .bearer_auth("jb-token")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = http
        .put(format!("{}reviews/seen/{}", w.url, review.id))
        .bearer_auth("jb-token")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // No token, a wrong one: refused.
    let r = http.get(format!("{}reviews/mine", w.url)).send().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Signed by a stranger: the intake refuses it (422).
    let stranger_dir = tempfile::tempdir().unwrap();
    let (stranger, _) = DeskKey::load_or_create(stranger_dir.path()).unwrap();
    let forged = Message::review(
        "渝中区妇联",
        "cq-sanba-2024",
        now,
        (&sha, ""),
        Verdict::Passed,
        "",
        vec![],
    );
    let s = forged.sign(&stranger).unwrap();
    let r = http
        .put(format!("{}reviews/{}", w.url, forged.id))
        .bearer_auth("desk-token")
        .body(serde_json::json!({"message": s.message, "signature": s.signature}).to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    // Each publication and each refusal is in the intake's audit log.
    let audit = std::fs::read_to_string(w.peer.store.join("intake-audit.jsonl")).unwrap();
    assert!(audit.contains("\"review published\""), "{audit}");
    assert!(audit.contains("\"bad signature\""), "{audit}");
    assert!(audit.contains("\"not the desk token\""), "{audit}");
    // The same id twice: kept once.
    let r = http
        .put(format!("{}reviews/{}", w.url, review.id))
        .bearer_auth("desk-token")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);

    // A review changed on the intake's disk (通过 for 退回): the unit's app ignores it. (The
    // intake keeps a unit's list in memory until that unit's folder is written: a reminder
    // published now makes it read the changed file.)
    let later = Message::reminder("渝中区妇联", "cq-sanba-2024", now, "请核对");
    let reviews_dir = w.peer.store.parent().unwrap().join("reviews");
    let file = walk(&reviews_dir)
        .into_iter()
        .find(|p| {
            p.to_string_lossy()
                .ends_with(&format!("{}.json", review.id))
        })
        .unwrap();
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let changed = Signed {
        message: kept["message"]
            .as_str()
            .unwrap()
            .replace("returned", "passed"),
        signature: kept["signature"].as_str().unwrap().to_string(),
        published_at: None,
        seen_at: None,
    };
    std::fs::write(
        &file,
        serde_json::json!({"message": changed.message, "signature": changed.signature, "published_at": "2024-03-09T02:00:00Z"}).to_string(),
    )
    .unwrap();
    channel::publish(
        &w.endpoint("desk-token"),
        &w.desk.path().join("desk"),
        &later,
    )
    .unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let inbox = Inbox::in_data_dir(fresh.path());
    let looked = channel::look(&w.endpoint("yz-token"), &w.pinned(), &inbox).unwrap();
    assert_eq!((looked.new, looked.refused), (1, 1));
    let kept = inbox.messages(&w.pinned(), &[]);
    assert_eq!(kept.len(), 1);
    assert!(kept[0].verdict().is_none(), "only the reminder");
}

#[test]
fn the_intake_survives_an_oversize_body_and_refuses_what_the_apps_would() {
    let w = World::new();
    // A client of its own for each request: the intake closes a connection after a refusal.
    let http = || {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-09T10:00:00+08:00").unwrap();
    // 300 KB to a review, 4.3 MB to a campaign: 413, and the intake still answers (a refused
    // body once took the whole intake down: the socket was ended after it was destroyed).
    for (path, size) in [
        (format!("reviews/{}", "c".repeat(32)), 300_000),
        ("campaigns/x-2024".to_string(), 4_300_000),
    ] {
        let r = http()
            .put(format!("{}{path}", w.url))
            .bearer_auth("desk-token")
            .body(vec![b'x'; size])
            .send();
        if let Ok(r) = r {
            assert_eq!(r.status().as_u16(), 413, "{path}");
        }
        let alive = http()
            .get(format!("{}reviews/all", w.url))
            .bearer_auth("desk-token")
            .send()
            .unwrap();
        assert_eq!(
            alive.status().as_u16(),
            200,
            "the intake is still up after {path}"
        );
    }
    // What the apps would refuse is not kept (validly signed all the same): a unit with a space
    // around it, a reminder over 2000 characters.
    let put = |m: &Message| {
        let mut signed = m.clone();
        let text = serde_json::to_string_pretty(&signed).unwrap();
        signed.id = m.id.clone();
        let signature = w
            .key
            .sign_as(baosong::core::review::CONTEXT, text.as_bytes());
        http()
            .put(format!("{}reviews/{}", w.url, m.id))
            .bearer_auth("desk-token")
            .body(serde_json::json!({"message": text, "signature": signature}).to_string())
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let mut spaced = Message::reminder("渝中区妇联", "c", now, "请报送");
    spaced.unit = "\u{feff}渝中区妇联".into();
    assert_eq!(put(&spaced), 400);
    let mut long = Message::reminder("渝中区妇联", "c", now, "请报送");
    long.body = Body::Reminder {
        text: "催".repeat(2001),
    };
    assert_eq!(put(&long), 400);
    assert_eq!(
        put(&Message::reminder("渝中区妇联", "c", now, "请报送")),
        201
    );
    // Only under the endpoint's path: /filesreviews is not /files/reviews.
    let r = http()
        .get(format!(
            "http://127.0.0.1:{}/filesreviews/mine",
            w.peer.port
        ))
        .bearer_auth("yz-token")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn the_cli_refuses_what_the_desk_would_regret() {
    let w = World::new();
    let pc = tempfile::tempdir().unwrap();
    let yz = tempfile::tempdir().unwrap();
    let id = ready(yz.path(), pc.path(), "渝中区妇联", 0);
    send(&w, yz.path(), id.as_str(), "yz-token");
    let desk = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--endpoint", &w.url, "--token", "desk-token"]);
        let o = cli(w.desk.path(), &all);
        (o.status.code(), said(&o))
    };
    // 催报 to a unit nobody is (a typo), to nobody chosen, with nothing to say.
    let (code, text) = desk(&["remind", "请报送", "--units", "江北区妇连"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("单位名单中没有“江北区妇连”"), "{text}");
    let (code, text) = desk(&["remind", "请报送"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--all"), "{text}");
    let (code, _) = desk(&["remind", "  ", "--all"]);
    assert_eq!(code, Some(2));
    // A folder is not a bundle.
    let store = w.peer.store.display().to_string();
    let (code, text) = desk(&["review", &store, "--pass"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("不是一个文件"), "{text}");
    // 一是 alone names an item in every pillar; ＝ as a Chinese input method types it is fine.
    let first = w.bundles().pop().unwrap().path.display().to_string();
    let (code, text) = desk(&["review", &first, "--return", "x", "--note", "一是=请补充"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("对应不止一个事项（一、一是"), "{text}");
    let (code, text) = desk(&[
        "review",
        &first,
        "--return",
        "补充视频",
        "--note",
        "一、一是＝请补充视频",
    ]);
    assert_eq!(code, Some(0), "{text}");
    // The same 通过 twice: said, not sent again.
    let (code, text) = desk(&["review", &first, "--pass"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = desk(&["review", &first, "--pass"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("已是“已通过”，没有重复发送"), "{text}");
    // Once a later bundle of the unit is in the folder, the earlier one is not reviewed.
    let o = cli(
        yz.path(),
        &[
            "submit",
            id.as_str(),
            "--endpoint",
            &w.url,
            "--token",
            "yz-token",
            "--again",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert_eq!(w.bundles().len(), 2);
    let (code, text) = desk(&["review", &first, "--read"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("这不是渝中区妇联最新的一份材料包"), "{text}");
    let ledger = Ledger::in_data_dir(w.desk.path()).messages(&w.pinned());
    assert_eq!(ledger.len(), 2, "one 退回修改, one 通过");
}

#[test]
fn a_unit_holds_at_most_so_many_messages_and_a_changed_id_is_refused() {
    let desk = tempfile::tempdir().unwrap();
    let (key, _) = DeskKey::load_or_create(&desk.path().join("desk")).unwrap();
    let hex = key.public().to_hex();
    let peer = intake(
        Some(TOKENS),
        &[
            ("INTAKE_CAMPAIGN_KEY", hex.as_str()),
            ("INTAKE_MAX_REVIEWS_PER_UNIT", "3"),
        ],
    );
    let endpoint = Intake::new(
        format!("http://127.0.0.1:{}/files/", peer.port),
        Some("desk-token".into()),
    );
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-09T10:00:00+08:00").unwrap();
    let key_dir = desk.path().join("desk");
    for n in 0..3 {
        let m = Message::reminder("万州区妇联", "c", now, &format!("第{n}次提醒"));
        channel::publish(&endpoint, &key_dir, &m).unwrap();
    }
    let fourth = Message::reminder("万州区妇联", "c", now, "第四次");
    let e = channel::publish(&endpoint, &key_dir, &fourth).unwrap_err();
    assert!(
        matches!(
            e,
            baosong::core::campaign::channel::ChannelError::Refused { status: 507, .. }
        ),
        "{e:?}"
    );
    // Another unit is not affected.
    channel::publish(
        &endpoint,
        &key_dir,
        &Message::reminder("江北区妇联", "c", now, "请报送"),
    )
    .unwrap();
    // A message whose id is not the one in the address: 400.
    let m = Message::reminder("江北区妇联", "c", now, "x");
    let signed = m.sign(&key).unwrap();
    let r = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!(
            "http://127.0.0.1:{}/files/reviews/{}",
            peer.port,
            "e".repeat(32)
        ))
        .bearer_auth("desk-token")
        .body(
            serde_json::json!({"message": signed.message, "signature": signed.signature})
                .to_string(),
        )
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn a_reminder_reaches_the_units_not_reported_and_the_desk_sees_who_has_seen_it() {
    let w = World::new();
    // Only 渝中 has reported: the reminder goes to every other unit, 江北 among them.
    let pc = tempfile::tempdir().unwrap();
    let yz = tempfile::tempdir().unwrap();
    let id = ready(yz.path(), pc.path(), "渝中区妇联", 0);
    send(&w, yz.path(), id.as_str(), "yz-token");
    let o = cli(
        w.desk.path(),
        &[
            "remind",
            "请于3月12日17:30前报送",
            "--folder",
            &w.peer.store.display().to_string(),
            "--endpoint",
            &w.url,
            "--token",
            "desk-token",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    let text = said(&o);
    assert!(
        text.contains("已发送给江北区妇联：市妇联提醒：请于3月12日17:30前报送"),
        "{text}"
    );
    assert!(!text.contains("已发送给渝中区妇联"), "{text}");

    let jb = tempfile::tempdir().unwrap();
    let inbox = Inbox::in_data_dir(jb.path());
    channel::look(&w.endpoint("jb-token"), &w.pinned(), &inbox).unwrap();
    // 江北 has no draft yet: the token's unit is enough to be shown it.
    let unshown = inbox.unshown_reminders(&inbox.messages(&w.pinned(), &[]));
    assert_eq!(unshown.len(), 1);
    assert!(matches!(&unshown[0].body, Body::Reminder { text } if text.contains("17:30")));
    let seen = |w: &World| {
        channel::all(&w.endpoint("desk-token"), &w.pinned())
            .unwrap()
            .into_iter()
            .find(|(m, _)| m.unit == "江北区妇联")
            .unwrap()
            .1
            .seen_at
    };
    assert_eq!(seen(&w), None);
    inbox.mark_shown(&unshown[0].id).unwrap();
    assert!(
        inbox
            .unshown_reminders(&inbox.messages(&w.pinned(), &[]))
            .is_empty()
    );
    channel::look(&w.endpoint("jb-token"), &w.pinned(), &inbox).unwrap();
    assert!(seen(&w).is_some());
    assert!(inbox.unacknowledged().is_empty());
}

mod window {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use baosong::core::clock::{FixedClock, ManualTicker};
    use baosong::core::portable::PortableConfig;
    use baosong::gui::{App, AppConfig};
    use common::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    type H = Harness<'static, App>;

    fn until(h: &mut H, what: &str, secs: u64, done: impl Fn(&H) -> bool) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(secs) {
            h.run_ok();
            if done(h) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{what}: not within {secs} s");
    }

    /// Settled, the autosave's pause passed on the window's clock (a manual one here).
    fn saved(h: &mut H, ticker: &ManualTicker) {
        h.run_ok();
        ticker.advance(Duration::from_secs(3));
        settle(h);
    }

    /// The clerk's window on `data`, with the unit's token and the key IT pinned.
    fn window(w: &World, data: &Path, token: &str, ticker: Arc<ManualTicker>) -> H {
        harness_with(App::new(AppConfig {
            data_root: Some(data.to_path_buf()),
            template: None,
            clock: Arc::new(FixedClock::at("2024-03-09T10:00:00+08:00").unwrap()),
            ticker,
            picker: Box::new(TestPicker::default()),
            portable: Some(PortableConfig {
                intake: Some(w.endpoint(token)),
                campaign_key: Some(w.hex()),
                ..PortableConfig::default()
            }),
            probe_exe: None,
            preview_workers: 1,
            upload: Default::default(),
        }))
    }

    #[test]
    fn the_clerk_sees_the_return_corrects_sends_version_2_and_sees_it_passed() {
        let w = World::new();
        let pc = tempfile::tempdir().unwrap();
        let yz = tempfile::tempdir().unwrap();
        ready(yz.path(), pc.path(), "渝中区妇联", 0);
        let ticker = Arc::new(ManualTicker::default());
        let mut h = window(&w, yz.path(), "yz-token", ticker.clone());
        // Sent from the window (its clock: the times on the screens stay the same every run).
        click(&mut h, "继续填写");
        saved(&mut h, &ticker);
        click(&mut h, "检查并提交");
        saved(&mut h, &ticker);
        click(&mut h, "一键报送");
        until(&mut h, "version 1 confirmed", 60, |h| {
            has_label(h, "报送成功")
        });
        saved(&mut h, &ticker);
        click(&mut h, "← 返回草稿列表");
        saved(&mut h, &ticker);
        assert!(has_label(&h, "已报送 · 市妇联已收到"));
        // The desk returns it with two notes (its own clock fixed too).
        let first = w.bundles().pop().unwrap();
        let campaign = Campaign::builtin().unwrap();
        let notes = vec![
            baosong::core::review::locate(
                &campaign,
                &first.manifest,
                "一、一是 活动1",
                "请补充活动视频的字幕",
            )
            .unwrap(),
            baosong::core::review::locate(&campaign, &first.manifest, "二、一是", "参与人数请核实")
                .unwrap(),
        ];
        let (unit, sha) = baosong::core::review::identify(&first, &Unwatched)
            .unwrap()
            .unwrap();
        let returned = Message::review(
            &unit,
            &campaign.id,
            chrono::DateTime::parse_from_rfc3339("2024-03-09T11:30:00+08:00").unwrap(),
            (&sha, ""),
            Verdict::Returned,
            "请按意见补充后重新报送",
            notes,
        );
        channel::publish(
            &w.endpoint("desk-token"),
            &w.desk.path().join("desk"),
            &returned,
        )
        .unwrap();
        // The window's next look (every 30 minutes) brings it.
        ticker.advance(Duration::from_secs(31 * 60));
        until(&mut h, "the return is shown", 30, |h| {
            has_text_containing(h, "市妇联退回了“渝中区妇联”的报送")
        });
        assert!(has_label(&h, "已报送 · 退回修改"));
        assert!(has_text_containing(&h, "退回修改：请按意见补充后重新报送"));
        h.set_size(egui::vec2(1280.0, 800.0));
        h.run_ok();
        h.snapshot("start_screen_returned");

        click_nth(&mut h, "查看退回意见", 0);
        saved(&mut h, &ticker);
        assert!(has_text_containing(&h, "市妇联审核：退回修改"));
        assert!(has_text_containing(
            &h,
            "一、一是 · 活动1：请补充活动视频的字幕"
        ));
        assert!(has_text_containing(&h, "二、一是：参与人数请核实"));
        h.snapshot("check_returned");
        click(&mut h, "修改后重新报送");
        saved(&mut h, &ticker);
        assert!(has_text_containing(&h, "第2版：按市妇联退回意见修改"));
        assert!(has_text_containing(&h, "还有 2 条意见未处理"));
        // The notes are at their items, and on the check page until ticked off.
        assert_eq!(h.get_all_by_label("已按意见修改").count(), 2);
        assert!(!has_label(&h, "一键报送") || has_text_containing(&h, "还有 2 个问题"));
        h.snapshot("check_correcting");
        click_nth(&mut h, "已按意见修改", 0);
        saved(&mut h, &ticker);
        assert!(has_text_containing(&h, "还有 1 条意见未处理"));
        click_nth(&mut h, "已按意见修改", 0);
        saved(&mut h, &ticker);
        assert!(has_text_containing(&h, "各条意见都已处理"));
        click(&mut h, "一键报送");
        until(&mut h, "version 2 confirmed", 60, |h| {
            has_label(h, "报送成功")
        });
        saved(&mut h, &ticker);
        let bundles = w.bundles();
        assert_eq!(bundles.len(), 2, "version 2 beside version 1");
        let second = &bundles[1];
        assert_eq!(second.manifest.draft.version, Some(2));

        // 通过 at the desk; the window hears of it at its next look (30 minutes).
        let o = cli(
            w.desk.path(),
            &[
                "review",
                &second.path.display().to_string(),
                "--pass",
                "--endpoint",
                &w.url,
                "--token",
                "desk-token",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", said(&o));
        click(&mut h, "← 返回草稿列表");
        saved(&mut h, &ticker);
        assert!(has_label(&h, "已报送 · 市妇联已收到"), "not looked at yet");
        ticker.advance(Duration::from_secs(31 * 60));
        until(&mut h, "已通过 shown", 30, |h| {
            has_label(h, "已报送 · 已通过")
        });
        assert!(!has_text_containing(&h, "市妇联退回了"));
    }

    #[test]
    fn a_reminder_is_shown_once_and_the_desk_sees_it_was_seen() {
        let w = World::new();
        let o = cli(
            w.desk.path(),
            &[
                "remind",
                "请于3月12日17:30前报送",
                "--units",
                "江北区妇联",
                "--endpoint",
                &w.url,
                "--token",
                "desk-token",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", said(&o));
        let jb = tempfile::tempdir().unwrap();
        let ticker = Arc::new(ManualTicker::default());
        let mut h = window(&w, jb.path(), "jb-token", ticker.clone());
        until(&mut h, "the reminder banner", 30, |h| {
            has_text_containing(h, "市妇联提醒：请于3月12日17:30前报送")
        });
        settle(&mut h);
        click(&mut h, "知道了");
        settle(&mut h);
        // The next look tells the intake it was seen, and does not show it again.
        ticker.advance(Duration::from_secs(31 * 60));
        let seen = |w: &World| {
            channel::all(&w.endpoint("desk-token"), &w.pinned())
                .unwrap()
                .into_iter()
                .any(|(m, s)| m.unit == "江北区妇联" && s.seen_at.is_some())
        };
        until(&mut h, "the desk told", 30, |_| seen(&w));
        settle(&mut h);
        assert!(!has_text_containing(&h, "市妇联提醒"));
        // A window opened again later does not show it again either.
        drop(h);
        let mut h = window(&w, jb.path(), "jb-token", Arc::new(ManualTicker::default()));
        for _ in 0..20 {
            h.run_ok();
            std::thread::sleep(Duration::from_millis(20));
        }
        settle(&mut h);
        assert!(!has_text_containing(&h, "市妇联提醒"));
    }

    #[test]
    fn the_desk_returns_one_passes_another_in_a_batch_and_reminds_the_rest() {
        let w = World::new();
        let pc = tempfile::tempdir().unwrap();
        let yz = tempfile::tempdir().unwrap();
        let jb = tempfile::tempdir().unwrap();
        let yz_id = ready(yz.path(), pc.path(), "渝中区妇联", 0);
        send(&w, yz.path(), yz_id.as_str(), "yz-token");
        let jb_id = ready(jb.path(), pc.path(), "江北区妇联", 0);
        send(&w, jb.path(), jb_id.as_str(), "jb-token");

        // The department's desk: its data folder holds the key, 设置 the desk token.
        let mut h = harness_with(app_with(
            w.desk.path(),
            Setup {
                portable: Some(PortableConfig {
                    intake: Some(w.endpoint("desk-token")),
                    ..PortableConfig::default()
                }),
                ..Setup::default()
            },
        ));
        h.set_size(egui::vec2(1366.0, 768.0));
        click(&mut h, "设置与帮助");
        click(&mut h, "收件台");
        // The intake's store copied under fixed names and times (the screenshots stay the same
        // from run to run); each bundle keeps its record, with the sha256 the intake verified.
        let folder = std::env::temp_dir()
            .join("baosong-desk-reviews")
            .join("收到的材料包");
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        for (b, when) in w
            .bundles()
            .iter()
            .zip(["2024-03-10T09:05:00+08:00", "2024-03-11T18:30:00+08:00"])
        {
            let to = folder.join(format!("材料包-{}.zip", b.manifest.unit.name));
            std::fs::copy(&b.path, &to).unwrap();
            std::fs::copy(
                format!("{}.json", b.path.display()),
                format!("{}.json", to.display()),
            )
            .unwrap();
            set_received(&to, when);
        }
        type_into(&mut h, "材料包所在文件夹", folder.to_str().unwrap());
        click(&mut h, "读取");
        settle(&mut h);
        assert_eq!(h.get_all_by_label("待审核").count(), 2);

        // 渝中: opened, 退回修改 with a reason and a note on an item.
        click(&mut h, "打开渝中区妇联的材料包");
        settle(&mut h);
        click(&mut h, "退回修改…");
        type_into(&mut h, "退回理由", "缺少活动视频");
        type_into(&mut h, "意见", "请补充活动视频");
        click(&mut h, "添加意见");
        assert!(has_text_containing(&h, "一、一是：请补充活动视频"));
        h.snapshot("desk_return");
        click(&mut h, "发送退回意见");
        until(&mut h, "sent", 30, |h| {
            has_text_containing(h, "已发送 1 条")
        });
        settle(&mut h);
        assert!(has_text_containing(&h, "退回修改：缺少活动视频"));
        // Only 渝中's token reads it.
        let inbox = Inbox::in_data_dir(yz.path());
        channel::look(&w.endpoint("yz-token"), &w.pinned(), &inbox).unwrap();
        let got = inbox.messages(&w.pinned(), &[]);
        assert_eq!(got.len(), 1);
        assert!(
            matches!(&got[0].body, Body::Review { notes, .. } if notes[0].line() == "一、一是：请补充活动视频")
        );
        let jb_inbox = Inbox::in_data_dir(jb.path());
        channel::look(&w.endpoint("jb-token"), &w.pinned(), &jb_inbox).unwrap();
        assert!(jb_inbox.messages(&w.pinned(), &[]).is_empty());

        // Back at the table: 渝中 退回修改; 江北 ticked and passed in a batch.
        click(&mut h, "← 返回收件台");
        settle(&mut h);
        assert!(has_label(&h, "退回修改"));
        click(&mut h, "选择江北区妇联的材料包");
        click(&mut h, "批量通过（1）");
        until(&mut h, "passed", 30, |h| {
            has_text_containing(h, "已发送 1 条")
        });
        settle(&mut h);
        assert!(has_label(&h, "已通过"));
        assert_eq!(h.query_all_by_label("待审核").count(), 0);
        channel::look(&w.endpoint("jb-token"), &w.pinned(), &jb_inbox).unwrap();
        assert_eq!(
            jb_inbox.messages(&w.pinned(), &[])[0].verdict(),
            Some(Verdict::Passed)
        );

        // 催报 to the 39 units that have not reported.
        click(&mut h, "催报…");
        assert!(has_label(&h, "未报送的单位（39）"));
        click(&mut h, "发送提醒");
        until(&mut h, "reminded", 60, |h| {
            has_text_containing(h, "已发送 39 条")
        });
        settle(&mut h);
        assert!(has_text_containing(
            &h,
            "提醒情况（已发 39 条，对方已看到 0 条）"
        ));
        click(&mut h, "已报送（2）");
        click(&mut h, "知道了");
        settle(&mut h);
        h.snapshot("desk_reviews");
        // 万州 sees it; the desk, reading its folder again, asks who has seen the reminders.
        let wz = tempfile::tempdir().unwrap();
        let wz_inbox = Inbox::in_data_dir(wz.path());
        channel::look(&w.endpoint("wz-token"), &w.pinned(), &wz_inbox).unwrap();
        let shown = wz_inbox.unshown_reminders(&wz_inbox.messages(&w.pinned(), &[]));
        assert_eq!(shown.len(), 1);
        wz_inbox.mark_shown(&shown[0].id).unwrap();
        channel::acknowledge(&w.endpoint("wz-token"), &wz_inbox);
        click(&mut h, "读取");
        until(&mut h, "seen", 30, |h| {
            has_text_containing(h, "提醒情况（已发 39 条，对方已看到 1 条）")
        });
        // The Excel has the 审核 column.
        let t = {
            let found = tally::scan(&folder, &Unwatched).unwrap();
            let mut t = tally::tally(&Campaign::builtin().unwrap(), &found);
            let messages: Vec<Message> = Ledger::in_data_dir(w.desk.path())
                .messages(&w.pinned())
                .into_iter()
                .map(|(m, _)| m)
                .collect();
            t.apply_reviews(&messages);
            t
        };
        let headers = tally::headers(&t);
        assert_eq!(headers.last().map(String::as_str), Some("审核"));
        let reviewed: Vec<_> = t.lines().filter_map(|(r, _)| r.review.clone()).collect();
        assert_eq!(reviewed.len(), 2);
        assert!(
            reviewed.contains(&"退回修改".to_string()) && reviewed.contains(&"已通过".to_string())
        );
    }

    #[test]
    fn offline_the_window_shows_what_it_last_received_and_says_nothing_of_the_line() {
        let w = World::new();
        let pc = tempfile::tempdir().unwrap();
        let yz = tempfile::tempdir().unwrap();
        let id = ready(yz.path(), pc.path(), "渝中区妇联", 0);
        send(&w, yz.path(), id.as_str(), "yz-token");
        let first = w.bundles().pop().unwrap();
        let (unit, sha) = baosong::core::review::identify(&first, &Unwatched)
            .unwrap()
            .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-09T11:30:00+08:00").unwrap();
        let m = Message::review(
            &unit,
            "cq-sanba-2024",
            now,
            (&sha, ""),
            Verdict::Returned,
            "缺少活动视频",
            vec![],
        );
        channel::publish(&w.endpoint("desk-token"), &w.desk.path().join("desk"), &m).unwrap();
        // Received once, online…
        channel::look(
            &w.endpoint("yz-token"),
            &w.pinned(),
            &Inbox::in_data_dir(yz.path()),
        )
        .unwrap();
        // …then the line is down: the window's looks fail on their thread, nothing is said of
        // it, and what was received is shown.
        let dead = Intake::new(
            format!("http://127.0.0.1:{}/files/", free_port()),
            Some("yz-token".into()),
        );
        let mut h = harness_with(App::new(AppConfig {
            data_root: Some(yz.path().to_path_buf()),
            template: None,
            clock: Arc::new(FixedClock::at("2024-03-09T12:00:00+08:00").unwrap()),
            ticker: Arc::new(ManualTicker::default()),
            picker: Box::new(TestPicker::default()),
            portable: Some(PortableConfig {
                intake: Some(dead),
                campaign_key: Some(w.hex()),
                ..PortableConfig::default()
            }),
            probe_exe: None,
            preview_workers: 1,
            upload: Default::default(),
        }));
        until(&mut h, "the return shown offline", 30, |h| {
            has_text_containing(h, "市妇联退回了“渝中区妇联”的报送")
        });
        settle(&mut h);
        assert!(has_text_containing(&h, "退回修改：缺少活动视频"));
        assert!(!has_label(&h, "知道了"), "no banner about the line");
    }
}

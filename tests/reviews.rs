//! The department's answer back to the clerk through the real intake (`deploy/intake/server.mjs`
//! + `reviews.mjs` on loopback), with two units' data folders and the desk's: a bundle sent,
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

const TOKENS: &str = "desk-token @desk\nyz-token 渝中区妇联\njb-token 江北区妇联\n";

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
    assert!(text.contains("退回修改：请按意见补充后重新报送"), "{text}");
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
        &sha,
        "",
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
        &sha,
        "",
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
    // The same id twice: kept once.
    let r = http
        .put(format!("{}reviews/{}", w.url, review.id))
        .bearer_auth("desk-token")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);

    // A review changed on the intake's disk (通过 for 退回): the unit's app ignores it.
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
    let fresh = tempfile::tempdir().unwrap();
    let inbox = Inbox::in_data_dir(fresh.path());
    let looked = channel::look(&w.endpoint("yz-token"), &w.pinned(), &inbox).unwrap();
    assert_eq!((looked.new, looked.refused), (0, 1));
    assert!(inbox.messages(&w.pinned(), &[]).is_empty());
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
    let unshown = inbox.unshown_reminders(&w.pinned(), &[]);
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
    assert!(inbox.unshown_reminders(&w.pinned(), &[]).is_empty());
    channel::look(&w.endpoint("jb-token"), &w.pinned(), &inbox).unwrap();
    assert!(seen(&w).is_some());
    assert!(inbox.unacknowledged().is_empty());
}

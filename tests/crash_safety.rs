//! Crash safety: a child process saves three drafts in a loop while the parent kills it
//! (SIGKILL on Linux, TerminateProcess on Windows) at random moments of its save loop, 200 times. After every
//! kill each draft must load, and be either the last version the child reported saved or the
//! one it was writing — never a mix, never empty, never lost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use baosong::core::campaign::Campaign;
use baosong::core::draft::{Draft, UnitProfile};
use baosong::core::store::{self, DataDir};
use baosong::core::{Clock, SystemClock};

const DRAFTS: usize = 3;
const KILLS: usize = 200;
const CHILD_ENV: &str = "BAOSONG_CRASH_CHILD_DIR";

fn version_of(d: &Draft) -> u64 {
    let summary = &d.answer("p1-1").expect("answer").activities[0].summary;
    summary
        .split_once('|')
        .and_then(|(v, _)| v.strip_prefix('v'))
        .and_then(|v| v.parse().ok())
        .expect("a version stamp")
}

fn stamp(d: &mut Draft, version: u64) {
    // ~40 KB, so that a write takes long enough for kills to land in the middle of one.
    let padding = "巾帼志愿关爱行".repeat(2000 + (version % 7) as usize * 100);
    d.answer_mut("p1-1").activities[0].summary = format!("v{version}|{padding}");
}

fn store(dir: &Path) -> DataDir {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    DataDir::open(dir, clock)
        .expect("data dir")
        .with_backup_interval(Duration::ZERO)
}

/// The child: save the drafts round-robin, forever, reporting each completed save.
#[test]
#[ignore = "helper: started by kill_during_save_200_times in a child process"]
fn crash_child_saver() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let data = store(Path::new(&dir));
    let mut ids: Vec<baosong::core::draft::DraftId> =
        data.list().drafts.into_iter().map(|d| d.id).collect();
    ids.sort();
    let mut drafts: Vec<Draft> = ids.iter().map(|id| data.load(id).expect("load")).collect();
    let stdout = std::io::stdout();
    loop {
        for (k, d) in drafts.iter_mut().enumerate() {
            let next = version_of(d) + 1;
            stamp(d, next);
            data.save(d).expect("save");
            let mut out = stdout.lock();
            // libtest may print "test crash_child_saver ... " on the same line: mark ours.
            writeln!(out, "saved {k} {next}").expect("report");
            out.flush().expect("flush");
        }
    }
}

#[test]
fn kill_during_save_200_times() {
    let tmp = tempfile::tempdir().unwrap();
    let data = store(tmp.path());
    let campaign = Campaign::builtin().unwrap();
    let mut ids = Vec::new();
    for k in 0..DRAFTS {
        let mut d = data.create(&campaign, UnitProfile::default()).unwrap();
        d.add_activity("p1-1");
        stamp(&mut d, 0);
        d.unit.contact_person = format!("联系人{k}");
        data.save(&d).unwrap();
        ids.push(d.id);
    }
    ids.sort(); // the child numbers them in this order too
    // The lowest version each draft may have on disk now.
    let mut floor = [0u64; DRAFTS];
    let (mut saves_seen, mut in_flight_seen) = (0u64, 0u64);
    let exe = std::env::current_exe().unwrap();
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child_saver",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child is saving (its start-up time varies with the machine's load),
        // then kill it at a random moment of its save loop.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                panic!("round {round}: the child exited before saving: {lines:?}");
            }
            let saving = line.contains("saved ");
            lines.push(line);
            if saving {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(fastrand::u64(0..40)));
        child.kill().unwrap();
        child.wait().unwrap();
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        lines.extend(rest.lines().map(str::to_string));
        for line in lines.iter().filter_map(|l| l.split("saved ").nth(1)) {
            let mut parts = line.trim().split(' ');
            if let (Some(k), Some(v), None) = (parts.next(), parts.next(), parts.next())
                && let (Ok(k), Ok(v)) = (k.parse::<usize>(), v.parse::<u64>())
            {
                floor[k] = floor[k].max(v);
                saves_seen += 1;
            }
        }
        for (k, id) in ids.iter().enumerate() {
            let path = tmp.path().join("drafts").join(id).join(store::DRAFT_FILE);
            let d = store::read_draft_file(&path)
                .unwrap_or_else(|e| panic!("round {round}: draft {k} unreadable after kill: {e}"));
            let v = version_of(&d);
            assert!(
                v == floor[k] || v == floor[k] + 1,
                "round {round}: draft {k} has version {v}, expected {} or {}",
                floor[k],
                floor[k] + 1
            );
            if v == floor[k] + 1 {
                in_flight_seen += 1;
            }
            assert_eq!(d.unit.contact_person, format!("联系人{k}"));
            floor[k] = v;
        }
    }
    let listing = data.list();
    assert_eq!(listing.drafts.len(), DRAFTS);
    assert!(listing.quarantined.is_empty(), "{:?}", listing.quarantined);
    for id in &ids {
        assert!(data.backups(id).len() <= store::BACKUPS_KEPT);
        let leftovers = std::fs::read_dir(tmp.path().join("drafts").join(id))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".tmp-")
            })
            .count();
        assert_eq!(
            leftovers, 0,
            "list() removes temp files a killed process left"
        );
    }
    println!(
        "{KILLS} kills, {saves_seen} saves reported, {in_flight_seen} drafts found at the version being written when killed"
    );
    assert!(
        saves_seen > KILLS as u64,
        "the child must actually be saving when killed"
    );
}

//! 一键报送 and 导出材料包 in the window, as a clerk does them, against the real tus server of
//! `tests/peers` on loopback (through a slow proxy where she must have time to press a button):
//! the progress, the confirmation page with its receipt, 暂停 and 继续报送, 取消报送 (the upload
//! ended on the server), the window closed mid-upload and opened again, a refusal (wrong token)
//! kept as 报送失败, no endpoint set, and the bundle exported where she chose. Screenshots of the
//! send panel and of the receipt page are kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use baosong::core::campaign::Intake;
use baosong::core::draft::{DraftId, Receipt, Status};
use baosong::core::intake::upload::UploadOptions;
use baosong::core::portable::PortableConfig;
use baosong::core::store::DataDir;
use baosong::gui::state::Screen;
use common::drafts::*;
use common::peers::*;
use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

type H = Harness<'static, baosong::gui::App>;

fn portable(url: &str, token: Option<&str>) -> Option<PortableConfig> {
    Some(PortableConfig {
        template: None,
        intake: Some(Intake::new(url.to_string(), token.map(str::to_string))),
        ..PortableConfig::default()
    })
}

/// Small chunks, quick retries: the progress moves in steps a test can see.
fn small_chunks() -> UploadOptions {
    UploadOptions {
        chunk: 256 * 1024,
        first_wait: Duration::from_millis(200),
        give_up_after: Some(Duration::from_secs(20)),
        ..UploadOptions::default()
    }
}

fn window(data: &Path, portable: Option<PortableConfig>, picker: TestPicker) -> H {
    harness_with(app_with(
        data,
        Setup {
            picker,
            portable,
            upload: small_chunks(),
            ..Setup::default()
        },
    ))
}

fn status(data: &Path, id: &DraftId) -> Status {
    DataDir::open(data, clock())
        .unwrap()
        .load(id)
        .unwrap()
        .status()
        .clone()
}

fn draft_dir(data: &Path, id: &DraftId) -> PathBuf {
    data.join("drafts").join(id.as_str())
}

/// Run frames until `done` says so (the upload is a real thread on a real network).
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

/// Open the draft from the start screen (its button says what it offers) and go to the check.
fn to_check(h: &mut H, open_with: &str) {
    click(h, open_with);
    settle(h);
    if h.state().screen() != Screen::Check {
        click(h, "检查并提交");
        settle(h);
    }
}

fn sha256(path: &Path) -> String {
    baosong::core::store::sha256_of(path).unwrap()
}

/// A complete draft of `unit` with `mib` MiB more, the real tus server, and a proxy before it
/// passing `rate` bytes a second: a slow office uplink.
struct Slow {
    data: tempfile::TempDir,
    _pc: tempfile::TempDir,
    id: DraftId,
    tus: Peer,
    proxy: Cutter,
    url: String,
}

fn slow_line(unit: &str, mib: usize, rate: u64) -> Slow {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), unit, mib);
    let tus = tus_server(None);
    let proxy = cutter(tus.port, None, Some(rate));
    let url = format!("http://127.0.0.1:{}/files/", proxy.port);
    Slow {
        data,
        _pc: pc,
        id,
        tus,
        proxy,
        url,
    }
}

impl Slow {
    fn window(&self) -> H {
        window(
            self.data.path(),
            portable(&self.url, None),
            TestPicker::default(),
        )
    }

    fn sent(&self) -> u64 {
        self.proxy.sent.load(Ordering::SeqCst)
    }

    fn status(&self) -> Status {
        status(self.data.path(), &self.id)
    }

    /// 已报送, one upload on the server holding the bundle byte for byte, and after `before`
    /// bytes had gone through the proxy, much less than the whole bundle sent again.
    fn assert_resumed(&self, before: u64) -> Receipt {
        let Status::Submitted { receipt } = self.status() else {
            panic!("not 已报送");
        };
        let again = self.sent() - before;
        eprintln!(
            "stopped after {before} bytes, then sent {again} of {}",
            receipt.bytes
        );
        assert!(
            again + 1_500_000 < receipt.bytes,
            "resumed from the server's offset, not from zero: {again} of {}",
            receipt.bytes
        );
        assert_eq!(
            self.tus.stored().len(),
            1,
            "one upload on the server, not two"
        );
        assert_eq!(sha256(&self.tus.stored()[0]), receipt.bundle_sha256);
        receipt
    }
}

#[test]
fn one_click_sends_to_the_tus_server_and_shows_the_receipt() {
    // 3 MB at 3 MB/s: a second of progress to look at.
    let line = slow_line("渝中区妇联", 3, 3_000_000);
    let (data, id, tus) = (&line.data, &line.id, &line.tus);
    let mut h = line.window();
    to_check(&mut h, "继续填写");
    assert!(has_text_containing(&h, "报送到：http://127.0.0.1"));
    click(&mut h, "一键报送");
    until(&mut h, "the upload shows its progress", 30, |h| {
        has_text_containing(h, "正在上传") && has_label(h, "暂停")
    });
    assert!(has_label(&h, "取消报送"));
    assert_eq!(
        status(data.path(), id),
        Status::Submitting,
        "报送中 on disk first"
    );
    // 报送中: the forms cannot be changed meanwhile.
    assert!(has_text_containing(&h, "报送中"));
    until(&mut h, "the speed and time left are said", 30, |h| {
        has_text_containing(h, "/秒") && has_text_containing(h, "还需约")
            || has_label(h, "报送成功")
    });
    until(&mut h, "the confirmation page", 60, |h| {
        has_label(h, "报送成功")
    });
    settle(&mut h);
    let Status::Submitted { receipt } = status(data.path(), id) else {
        panic!("not 已报送 on disk");
    };
    assert_eq!(receipt.protocol, "tus");
    let stored = tus.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(sha256(&stored[0]), receipt.bundle_sha256, "byte for byte");
    let receipt_file = draft_dir(data.path(), id).join("submission/receipt.txt");
    let text = std::fs::read_to_string(&receipt_file).unwrap();
    assert!(text.contains(&receipt.bundle_sha256) && text.contains("渝中区妇联"));
    assert!(
        has_text_containing(&h, &receipt.bundle_sha256),
        "the page shows the receipt"
    );
    click(&mut h, "复制回执");
    assert!(has_text_containing(&h, "回执已复制"));

    // Back on the check page: 已报送, and 一键报送 does not send it twice.
    click(&mut h, "检查并提交");
    assert!(has_text_containing(&h, "已报送：服务器于"));
    assert!(!has_label(&h, "一键报送"));
    click(&mut h, "← 草稿列表");
    settle(&mut h);
    assert!(
        has_label(&h, "查看回执"),
        "the start screen offers the receipt"
    );
}

#[test]
fn pause_then_continue_resumes_where_it_stopped() {
    let line = slow_line("江北区妇联", 4, 2_000_000);
    let mut h = line.window();
    to_check(&mut h, "继续填写");
    click(&mut h, "一键报送");
    until(&mut h, "half of it sent", 60, |_| line.sent() > 2_000_000);
    click(&mut h, "暂停");
    until(&mut h, "paused", 30, |h| {
        has_text_containing(h, "已暂停报送")
    });
    settle(&mut h);
    let before = line.sent();
    assert_eq!(line.status(), Status::Submitting, "still 报送中, resumable");
    let state = draft_dir(line.data.path(), &line.id).join("submission/upload.json");
    assert!(state.is_file());
    assert!(has_label(&h, "继续报送"));

    // A double click on 继续报送 must not land on its opposite: 暂停 is elsewhere.
    let resume_at = h.get_by_label("继续报送").rect().center();
    click(&mut h, "继续报送");
    until(&mut h, "sending again", 30, |h| has_label(h, "暂停"));
    assert!(
        !h.get_by_label("暂停")
            .rect()
            .expand(4.0)
            .contains(resume_at),
        "暂停 appeared under the pointer that pressed 继续报送"
    );
    assert!(
        !h.get_by_label("取消报送")
            .rect()
            .expand(4.0)
            .contains(resume_at)
    );
    until(&mut h, "the confirmation page", 60, |h| {
        has_label(h, "报送成功")
    });
    settle(&mut h);
    line.assert_resumed(before);
}

#[test]
fn cancel_ends_the_upload_on_the_server_and_the_draft_can_be_changed_again() {
    let line = slow_line("沙坪坝区妇联", 4, 2_000_000);
    let mut h = line.window();
    to_check(&mut h, "继续填写");
    click(&mut h, "一键报送");
    until(&mut h, "some of it sent", 60, |_| line.sent() > 1_000_000);
    assert_eq!(
        line.tus.stored().len(),
        1,
        "the server has the partial upload"
    );
    // Asked again before the server's part is deleted; 不取消 leaves it sending.
    click(&mut h, "取消报送");
    assert!(has_text_containing(
        &h,
        "确定取消？服务器上已收到的部分会被删除"
    ));
    click(&mut h, "不取消");
    assert!(!has_text_containing(&h, "确定取消？"));
    assert_eq!(line.status(), Status::Submitting);
    click(&mut h, "取消报送");
    click(&mut h, "确定取消报送");
    until(&mut h, "cancelled", 30, |h| {
        has_text_containing(h, "已取消报送")
    });
    settle(&mut h);
    assert_eq!(line.status(), Status::Ready, "back to 已完成待报送");
    let state = draft_dir(line.data.path(), &line.id).join("submission/upload.json");
    assert!(!state.exists());
    let left = line.tus.stored();
    assert!(left.is_empty(), "terminated on the server: {left:?}");
    assert!(has_label(&h, "一键报送"), "can be sent again");
    // Editable again.
    click_nth(&mut h, "单位信息", 0);
    replace_text(&mut h, "联系人", "王芳");
    settle(&mut h);
    let saved = DataDir::open(line.data.path(), clock())
        .unwrap()
        .load(&line.id)
        .unwrap();
    assert_eq!(saved.unit.contact_person, "王芳");
}

#[test]
fn a_window_closed_right_after_cancel_keeps_it_cancelled() {
    let line = slow_line("南岸区妇联", 4, 2_000_000);
    {
        let mut h = line.window();
        to_check(&mut h, "继续填写");
        click(&mut h, "一键报送");
        until(&mut h, "some of it sent", 60, |_| line.sent() > 1_000_000);
        click(&mut h, "取消报送");
        click(&mut h, "确定取消报送");
        // Closed at once, before the upload has wound down: 取消 must not become 暂停.
    }
    assert_eq!(line.status(), Status::Ready, "cancelled, not left 报送中");
    let left = line.tus.stored();
    assert!(left.is_empty(), "ended on the server too: {left:?}");
}

#[test]
fn a_window_closed_mid_upload_offers_continue_and_resumes() {
    let line = slow_line("九龙坡区妇联", 4, 2_000_000);
    {
        let mut h = line.window();
        to_check(&mut h, "继续填写");
        click(&mut h, "一键报送");
        until(&mut h, "half of it sent", 60, |_| line.sent() > 2_000_000);
        // The window closes (the harness dropped: the app shuts down).
    }
    let before = line.sent();
    assert_eq!(line.status(), Status::Submitting);

    let mut h = line.window();
    assert!(has_text_containing(&h, "报送中"));
    // One click on the draft list resumes (it once only opened the page).
    click(&mut h, "继续报送");
    until(&mut h, "sending again", 30, |h| {
        h.state().screen() == Screen::Check && has_label(h, "暂停")
    });
    until(&mut h, "the confirmation page", 60, |h| {
        has_label(h, "报送成功")
    });
    settle(&mut h);
    line.assert_resumed(before);
}

#[test]
fn a_wrong_token_is_kept_as_failed_with_what_to_do() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "南岸区妇联", 0);
    let tus = tus_server(Some("right-token"));
    let url = format!("http://127.0.0.1:{}/files/", tus.port);
    let mut h = window(
        data.path(),
        portable(&url, Some("wrong-token")),
        TestPicker::default(),
    );
    to_check(&mut h, "继续填写");
    click(&mut h, "一键报送");
    until(&mut h, "the refusal", 30, |h| {
        has_text_containing(h, "报送失败")
    });
    settle(&mut h);
    let Status::Failed { reason } = status(data.path(), &id) else {
        panic!("not 报送失败");
    };
    assert!(
        reason.contains("口令") || reason.contains("令牌"),
        "{reason}"
    );
    assert!(has_text_containing(&h, "上次报送失败"));
    assert!(has_label(&h, "重新报送"));
    assert!(tus.stored().is_empty());
}

#[test]
fn without_an_endpoint_it_says_where_to_set_one_and_export_still_works() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝北区妇联", 0);
    let picker = TestPicker::default();
    let mut h = window(data.path(), None, picker.clone());
    to_check(&mut h, "继续填写");
    assert!(has_text_containing(&h, "尚未设置报送地址"));
    assert!(has_label(&h, "设置报送地址"));
    // 一键报送 is there but cannot be pressed.
    assert!(
        h.query_by_label("一键报送")
            .is_some_and(|b| b.accesskit_node().is_disabled())
    );

    // 导出材料包… to where the clerk chose (no extension typed: .zip added).
    let to = out.path().join("渝北区妇联材料包");
    picker.choose_one(&to);
    click(&mut h, "导出材料包…");
    until(&mut h, "exported", 60, |h| {
        has_text_containing(h, "材料包已导出")
    });
    settle(&mut h);
    let zip = to.with_extension("zip");
    let file = std::fs::File::open(&zip).unwrap();
    let manifest = baosong::core::bundle::read_manifest(file).unwrap();
    assert_eq!(manifest.unit.name, "渝北区妇联");
    assert!(has_label(&h, "打开所在文件夹"));
    // The dialog closed without a choice: nothing happens, nothing is said.
    click(&mut h, "知道了");
    click(&mut h, "导出材料包…");
    settle(&mut h);
    assert!(!has_text_containing(&h, "材料包已导出"));
    // No dialog at all: into the data folder, and said where.
    picker.fail();
    click(&mut h, "导出材料包…");
    until(&mut h, "exported to the data folder", 60, |h| {
        has_text_containing(h, "材料包已导出")
    });
    assert!(data.path().join("导出的材料包").read_dir().unwrap().count() == 1);
    assert_eq!(
        status(data.path(), &id),
        Status::Ready,
        "exporting changes nothing"
    );
}

const SCREENSHOT_URL: &str = "https://intake.cqwomen.example/files/";

#[test]
fn screenshot_of_the_send_panel() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    ready(data.path(), pc.path(), "渝中区妇联", 0);
    let mut h = window(
        data.path(),
        portable(SCREENSHOT_URL, None),
        TestPicker::default(),
    );
    to_check(&mut h, "继续填写");
    h.snapshot("send_panel");
}

#[test]
fn screenshot_of_the_receipt() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let id = ready(data.path(), pc.path(), "渝中区妇联", 0);
    let url = SCREENSHOT_URL;
    // A confirmed draft, as the server's answer left it.
    let store = DataDir::open(data.path(), clock()).unwrap();
    let mut d = store.load(&id).unwrap();
    d.start_submitting(0, false).unwrap();
    d.submitted(Receipt {
        endpoint: url.into(),
        reference: "https://intake.cqwomen.example/files/3f9a2c1e7b".into(),
        confirmed_at: chrono::DateTime::parse_from_rfc3339("2024-03-10T16:42:00+08:00").unwrap(),
        bundle_sha256: "9c1b5e0d4f6a8b2c3d7e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c".into(),
        bytes: 1_234_567,
        protocol: "tus".into(),
        bundle_name: "材料包-渝中区妇联-20240301.zip".into(),
        app: "0.1.0 (3f9a2c1e7b00)".into(),
    })
    .unwrap();
    store.save(&d).unwrap();
    let mut h = window(data.path(), portable(url, None), TestPicker::default());
    to_check(&mut h, "查看回执");
    click(&mut h, "查看报送回执");
    assert!(has_label(&h, "报送成功"));
    h.snapshot("receipt");
}

/// A line the test takes down — nothing answers at its port, as when the county's line is cut —
/// and brings back, in front of a real server.
struct Switchable {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn switchable(upstream: u16, rate: u64) -> Switchable {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    let port = free_port();
    let up = Arc::new(AtomicBool::new(true));
    let flag = up.clone();
    std::thread::spawn(move || {
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        loop {
            if !flag.load(Ordering::SeqCst) {
                // Down: every connection cut, the port closed (connections refused).
                for c in open.lock().unwrap().drain(..) {
                    let _ = c.shutdown(Shutdown::Both);
                }
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            listener.set_nonblocking(true).unwrap();
            while flag.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                open.lock().unwrap().push(client.try_clone().unwrap());
                open.lock().unwrap().push(server.try_clone().unwrap());
                answers_back(&server, &client);
                std::thread::spawn(move || {
                    let (mut client, mut server) = (client, server);
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n) = client.read(&mut buf) {
                        if n == 0 || server.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        std::thread::sleep(Duration::from_secs_f64(n as f64 / rate as f64));
                    }
                    let _ = server.shutdown(Shutdown::Write);
                });
            }
        }
    });
    Switchable { port, up }
}

impl Switchable {
    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
    }
    fn back(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A window on a 4 MiB draft sending through `line` with a back-off of two minutes: only the
/// line's return noticed (or 立即重试) ends a wait within a test's patience.
fn cut_line_window(unit: &str) -> (H, Switchable, Peer, tempfile::TempDir, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    ready(data.path(), pc.path(), unit, 4);
    let tus = tus_server(None);
    let line = switchable(tus.port, 1_500_000);
    let url = format!("http://127.0.0.1:{}/files/", line.port);
    let h = harness_with(app_with(
        data.path(),
        Setup {
            portable: portable(&url, None),
            upload: UploadOptions {
                chunk: 256 * 1024,
                first_wait: Duration::from_secs(120),
                max_wait: Duration::from_secs(120),
                give_up_after: None,
                ..UploadOptions::default()
            },
            ..Setup::default()
        },
    ));
    (h, line, tus, data, pc)
}

/// The percentage in a progress text (`…　37%　…`).
fn percent(text: &str) -> Option<u32> {
    let at = text.find('%')?;
    let digits: String = text[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// The progress bar's text.
fn progress_text(h: &H) -> String {
    h.query_all_by_role(egui::accesskit::Role::ProgressIndicator)
        .filter_map(|n| n.accesskit_node().value().or(n.accesskit_node().label()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn while_waiting_for_the_line_it_shows_what_the_server_holds_and_notices_its_return() {
    let (mut h, line, tus, _data, _pc) = cut_line_window("大渡口区妇联");
    to_check(&mut h, "继续填写");
    click(&mut h, "一键报送");
    until(&mut h, "a good part sent", 60, |h| {
        let t = progress_text(h);
        t.contains("正在上传") && percent(&t).is_some_and(|p| p >= 30)
    });
    line.down();
    until(&mut h, "waiting for the network", 60, |h| {
        progress_text(h).contains("等待网络")
    });
    // Not 0%: what the server holds.
    let waiting = progress_text(&h);
    assert!(percent(&waiting).is_some_and(|p| p >= 20), "{waiting}");
    assert!(has_label(&h, "立即重试"));
    // Down for longer than a look (every 3 s), then back: noticed within seconds, not after
    // two minutes.
    std::thread::sleep(Duration::from_secs(6));
    h.run_ok();
    line.back();
    until(&mut h, "the confirmation page", 60, |h| {
        has_label(h, "报送成功")
    });
    settle(&mut h);
    assert_eq!(tus.stored().len(), 1);
}

#[test]
fn retry_now_stops_waiting() {
    let (mut h, line, tus, _data, _pc) = cut_line_window("北碚区妇联");
    to_check(&mut h, "继续填写");
    click(&mut h, "一键报送");
    until(&mut h, "some sent", 60, |h| {
        progress_text(h).contains("正在上传")
    });
    line.down();
    until(&mut h, "waiting for the network", 60, |h| {
        progress_text(h).contains("等待网络")
    });
    // Back before any look could see it down: only 立即重试 ends the two-minute wait.
    line.back();
    click(&mut h, "立即重试");
    until(&mut h, "the confirmation page", 60, |h| {
        has_label(h, "报送成功")
    });
    settle(&mut h);
    assert_eq!(tus.stored().len(), 1);
}

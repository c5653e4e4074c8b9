//! The headless CLI, run as the real binary: `--help`, `--version`, `drafts`, `validate` with its
//! exit codes (0 ready, 1 problems, 2 error) on the documented example draft, on drafts in a data
//! folder (including one under a path with Chinese characters) and on bad inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use baosong::core::campaign::Campaign;
use baosong::core::draft::UnitProfile;
use baosong::core::store::DataDir;
use baosong::core::{Clock, SystemClock};

fn baosong(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baosong"))
        .args(args)
        .env("BAOSONG_DATA_DIR", data)
        .env_remove("BAOSONG_LOG")
        .output()
        .expect("run baosong")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn example() -> String {
    format!("{}/docs/example-draft", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn help_and_version_are_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let o = baosong(tmp.path(), &["--help"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("用法：") && out.contains("drafts") && out.contains("validate"),
        "{out}"
    );
    assert!(out.contains("不带参数运行时打开图形界面"));
    let o = baosong(tmp.path(), &["--version"]);
    assert!(stdout(&o).contains(env!("CARGO_PKG_VERSION")));
    let o = baosong(tmp.path(), &["bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("命令行参数有误"));
}

#[test]
fn the_example_draft_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let o = baosong(tmp.path(), &["validate", &example()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("材料齐全，可以报送。"));
    // Also by the path of its draft.json.
    let o = baosong(
        tmp.path(),
        &["validate", &format!("{}/draft.json", example())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn drafts_lists_and_validate_finds_by_id_with_problems_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let data_root = tmp.path().join("渝中区 妇联数据");
    let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(SystemClock);
    let data = DataDir::open(&data_root, clock).unwrap();
    let unit = UnitProfile {
        unit: "两江新区妇联".into(),
        typed: false,
        contact_person: "陈静".into(),
        phone: "12345".into(),
    };
    let d = data.create(&Campaign::builtin().unwrap(), unit).unwrap();

    let o = baosong(&data_root, &["drafts"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains(d.id.as_str()) && out.contains("两江新区妇联") && out.contains("草稿"),
        "{out}"
    );

    let o = baosong(&data_root, &["validate", d.id.as_str()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("还有 11 个问题需要修改"), "{out}");
    assert!(out.contains("单位信息\n  - 单位信息：联系电话格式不正确"));
    assert!(out.contains("一、强化政治引领，筑牢思想根基\n  - 一是 加强理论武装：本项尚未填写"));
}

#[test]
fn errors_exit_2_with_a_chinese_message() {
    let tmp = tempfile::tempdir().unwrap();
    let o = baosong(tmp.path(), &["validate", "no-such-draft"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("找不到草稿“no-such-draft”"));

    // A corrupt draft folder given by path.
    let broken = tmp.path().join("损坏的草稿");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("draft.json"), b"{\"schema\": 1, \"answers\": {").unwrap();
    let o = baosong(tmp.path(), &["validate", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("草稿文件不完整"), "{}", stderr(&o));
    assert!(
        broken.join("draft.json").is_file(),
        "a folder outside the data folder is never moved"
    );

    // A malformed template.
    let bad = tmp.path().join("模板.json");
    std::fs::write(&bad, b"{\"schema\": 1}").unwrap();
    let o = baosong(
        tmp.path(),
        &["validate", &example(), "--template", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("模板.json") && stderr(&o).contains("活动模板"),
        "{}",
        stderr(&o)
    );

    // A template of another year.
    let mut next: serde_json::Value =
        serde_json::from_str(include_str!("../assets/campaigns/cq-sanba-2024.json")).unwrap();
    next["id"] = "cq-sanba-2025".into();
    let other = tmp.path().join("2025.json");
    std::fs::write(&other, next.to_string()).unwrap();
    let o = baosong(
        tmp.path(),
        &[
            "validate",
            &example(),
            "--template",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("请先打开对应的活动模板"));

    // An unusable data folder.
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let o = baosong(&file.join("sub"), &["drafts"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("无法使用数据文件夹"));
}

#[test]
fn campaign_parse_writes_the_template_and_says_what_it_could_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let notices = format!("{}/tests/fixtures/notices", env!("CARGO_MANIFEST_DIR"));
    // The 2024 notice: complete, exit 0, the file loads as a template equal in structure to the
    // built-in one.
    let out = tmp.path().join("模板 2024.json");
    let o = baosong(
        tmp.path(),
        &[
            "campaign",
            "parse",
            &format!("{notices}/2024-三八.txt"),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let said = stdout(&o);
    for line in [
        "一、强化政治引领，筑牢思想根基",
        "  三要切实维护妇女儿童合法权益",
        "截止：2024年3月12日 23:59",
        "接收：市妇联宣传部  联系人：莫海舟  电话：67125371  邮箱：cqflxcb@163.com",
    ] {
        assert!(said.lines().any(|l| l == line), "{line} in\n{said}");
    }
    let parsed = Campaign::load(&out).unwrap();
    let builtin = Campaign::builtin().unwrap();
    assert_eq!(parsed.pillars.len(), builtin.pillars.len());
    assert_eq!(parsed.deadline, builtin.deadline);
    assert_eq!(parsed.id, builtin.id);

    // A notice without a deadline or pillars: exit 1, the file written for the editor, refused
    // as a template until then.
    let out = tmp.path().join("春季.json");
    let o = baosong(
        tmp.path(),
        &[
            "campaign",
            "parse",
            &format!("{notices}/缺截止时间.txt"),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("未识别（截止时间）"), "{}", stdout(&o));
    assert!(stdout(&o).contains("模板还不能使用"));
    let m = Campaign::load(&out).unwrap_err().user_message();
    assert!(m.contains("截止时间"), "{m}");

    // Not a notice: exit 2 with the reason; nothing written.
    let pdf = tmp.path().join("扫描件.pdf");
    std::fs::write(&pdf, b"%PDF-1.4").unwrap();
    let out = tmp.path().join("不该有.json");
    let o = baosong(
        tmp.path(),
        &[
            "campaign",
            "parse",
            pdf.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不能直接读取 PDF"), "{}", stderr(&o));
    assert!(!out.exists());
}

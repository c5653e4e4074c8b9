//! 设置与帮助 as IT staff and clerks use it: the intake endpoint from baosong.toml shown with its
//! source, a bad address refused, a good one saved; 导出诊断信息 writes a zip with the logs and the
//! settings, and without the access token or any draft's content.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Read;

use baosong::core::campaign::{Campaign, Intake};
use baosong::core::draft::UnitProfile;
use baosong::core::portable::PortableConfig;
use baosong::core::secrets::{SystemVault, Vault};
use baosong::core::store::DataDir;
use common::*;

#[test]
fn intake_endpoint_and_diagnostics_export() {
    let data = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let mut d = store
        .create(&Campaign::builtin().unwrap(), UnitProfile::default())
        .unwrap();
    d.unit.contact_person = "机密姓名".into();
    store.save(&d).unwrap();
    std::fs::create_dir_all(data.path().join("logs")).unwrap();
    std::fs::write(
        data.path().join("logs").join("baosong.log.2024-03-01"),
        "INFO started\n",
    )
    .unwrap();

    let picker = TestPicker::default();
    let app = app_with(
        data.path(),
        Setup {
            picker: picker.clone(),
            portable: Some(PortableConfig {
                template: None,
                intake: Some(Intake::new(
                    "https://intake.example.cn/files/",
                    Some("from-it".into()),
                )),
                ..PortableConfig::default()
            }),
            ..Setup::default()
        },
    );
    let mut h = harness_with(app);
    click(&mut h, "设置与帮助");
    assert!(has_label(
        &h,
        "当前使用的报送地址来自：程序旁的 baosong.toml"
    ));
    assert!(
        has_text_containing(&h, "莫海舟"),
        "the notice's contact person is in the help"
    );
    assert!(has_text_containing(&h, "cqflxcb@163.com"));

    // A bad address is refused, a good one saved (with its token) to settings.json.
    replace_text(&mut h, "报送地址（网址）", "intake.example.cn");
    click(&mut h, "保存报送地址");
    assert!(has_text_containing(
        &h,
        "报送地址应以 https:// 或 http:// 开头"
    ));
    replace_text(
        &mut h,
        "报送地址（网址）",
        "https://intake2.example.cn/tus/",
    );
    click(&mut h, "保存报送地址");
    settle(&mut h);
    assert!(has_label(&h, "当前使用的报送地址来自：设置"));
    let settings = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(
        settings.contains("https://intake2.example.cn/tus/"),
        "{settings}"
    );
    // IT's token (baosong.toml) was neither shown nor copied into the clerk's settings.
    assert!(!settings.contains("from-it"), "{settings}");
    assert_eq!(SystemVault::for_data_dir(data.path()).get().unwrap(), None);

    // 导出诊断信息
    let zip_path = data.path().join("诊断信息.zip");
    picker.choose_one(&zip_path);
    click(&mut h, "导出诊断信息…");
    settle(&mut h);
    assert!(has_text_containing(&h, "诊断信息已导出到"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "about.txt",
            "drafts.txt",
            "logs/baosong.log.2024-03-01",
            "settings.json"
        ]
    );
    // about.txt names the version and the commit, as `baosong --version`, the receipt and the
    // exe's version resource do (docs/release.md).
    let mut about = String::new();
    zip.by_name("about.txt")
        .unwrap()
        .read_to_string(&mut about)
        .unwrap();
    let first = about.lines().next().unwrap();
    assert_eq!(
        first,
        format!("baosong {}", baosong::core::build_info::VERSION_AND_COMMIT)
    );
    assert!(first.len() == "baosong 0.1.0 (".len() + 12 + 1, "{first}");
    let mut all = String::new();
    for i in 0..zip.len() {
        zip.by_index(i).unwrap().read_to_string(&mut all).unwrap();
    }
    assert!(all.contains("https://intake2.example.cn/tus/"));
    assert!(!all.contains("from-it"), "no token leaves the PC");
    assert!(!all.contains("机密姓名"), "no draft content leaves the PC");
    assert!(all.contains(d.id.as_str()), "the draft list is there");
    assert!(all.contains("INFO started"));
}

#[test]
fn test_connection_reports_in_chinese_without_freezing_the_window() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(data.path());
    click(&mut h, "设置与帮助");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    type_into(
        &mut h,
        "报送地址（网址）",
        &format!("http://127.0.0.1:{closed}/files/"),
    );
    click(&mut h, "测试连接");
    // The probe runs on its own thread; the window keeps drawing meanwhile.
    settle(&mut h);
    assert!(
        has_text_containing(&h, "连接不上"),
        "the failure is explained"
    );
    assert!(has_text_containing(&h, "代理设置"));
}

/// 导出诊断信息 always ends in something the clerk sees: cancelled, it says so and offers the
/// data folder; with no dialog at all (a Linux desktop without a portal), it saves there and
/// says where.
#[test]
fn diagnostics_export_without_a_dialog_still_ends_in_a_file_and_a_message() {
    let data = tempfile::tempdir().unwrap();
    let picker = TestPicker::default();
    let mut h = harness_with(app(data.path(), picker.clone()));
    click(&mut h, "设置与帮助");

    click(&mut h, "导出诊断信息…"); // the clerk closes the dialog
    settle(&mut h);
    assert!(has_text_containing(&h, "未导出诊断信息：没有选择保存位置"));
    click(&mut h, "保存到数据文件夹");
    settle(&mut h);
    assert!(has_text_containing(&h, "诊断信息已导出到"));
    let folder = data.path().join("诊断信息");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);

    picker.fail();
    click(&mut h, "导出诊断信息…");
    settle(&mut h);
    assert!(has_text_containing(&h, "诊断信息已导出到"));
    assert!(has_text_containing(&h, &folder.display().to_string()));
}

#[test]
fn help_page_says_how_to_fill_send_and_whom_to_call() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(data.path());
    click(&mut h, "使用说明");
    for part in [
        "一、怎么填",
        "二、材料放在哪里",
        "三、怎么报送",
        "四、报送不成功怎么办",
        "五、联系谁",
    ] {
        assert!(has_label(&h, part), "{part}");
    }
    assert!(has_text_containing(
        &h,
        "联系人：莫海舟　联系电话：67125371"
    ));
    assert!(has_text_containing(&h, "cqflxcb@163.com"));
    h.snapshot("help_page");
    click(&mut h, "← 返回草稿列表");
    assert!(has_label(&h, "草稿列表"));
}

#[test]
fn a_token_typed_in_settings_goes_to_the_credential_store_not_a_file() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(data.path());
    click(&mut h, "设置与帮助");
    replace_text(
        &mut h,
        "报送地址（网址）",
        "https://intake.example.cn/files/",
    );
    replace_text(
        &mut h,
        "访问令牌（没有可不填；保存在系统凭据库中）",
        "clerk-typed-7c41",
    );
    click(&mut h, "保存报送地址");
    settle(&mut h);
    assert!(has_label(&h, "当前使用的报送地址来自：设置"));
    let settings = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(
        settings.contains("https://intake.example.cn/files/"),
        "{settings}"
    );
    assert!(!settings.contains("clerk-typed-7c41"), "{settings}");
    assert_eq!(
        SystemVault::for_data_dir(data.path())
            .get()
            .unwrap()
            .as_deref(),
        Some("clerk-typed-7c41")
    );
    // The next start finds it there.
    drop(h);
    let again = DataDir::open(data.path(), clock()).unwrap().load_settings();
    assert_eq!(
        again.intake.and_then(|i| i.token).as_deref(),
        Some("clerk-typed-7c41")
    );
}

/// IT's baosong.toml with a mistake (a typo under [intake]): the window says so in red above the
/// draft list, in Chinese, with the line — the window starts as without the file (drafts open).
#[test]
fn a_mistake_in_baosong_toml_is_said_in_red_on_the_start_screen() {
    let data = tempfile::tempdir().unwrap();
    let it = tempfile::tempdir().unwrap();
    std::fs::write(
        it.path().join("baosong.toml"),
        "[intake]\nurl = \"https://intake.example.cn/files/\"\ntokne = \"unit-01\"\n",
    )
    .unwrap();
    let problem = PortableConfig::load_from(it.path())
        .unwrap_err()
        .user_message();
    let mut app = app(data.path(), TestPicker::default());
    app.set_portable_problem(problem);
    let mut h = harness_with(app);
    assert!(has_label(
        &h,
        "程序旁的 baosong.toml 有误，其中的设置都没有采用"
    ));
    assert!(has_text_containing(
        &h,
        "第 3 行：[intake] 下没有“tokne”这一项"
    ));
    assert!(has_text_containing(&h, "请信息技术人员改正或删除该文件"));
    click(&mut h, "新建草稿");
    settle(&mut h);
    assert_eq!(
        h.state().screen(),
        baosong::gui::state::Screen::Profile,
        "the clerk can still work"
    );
}

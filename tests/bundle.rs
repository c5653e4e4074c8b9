//! The bundle (材料包) as the publicity department gets it: readable by Python's zipfile, by
//! unzip and by 7-Zip with the Chinese names intact; every manifest sha256 matching its file;
//! the same bytes from the same draft; zip64 above 4 GB; the summary page; a file that changed or
//! vanished since it was attached stops the build, naming it. Through `baosong export`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use baosong::core::bundle::{self, Manifest};
use baosong::core::store::DataDir;
use common::drafts::*;
use common::*;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_baosong"))
}

fn export(data: &Path, draft: &str, to: &Path) -> std::process::Output {
    Command::new(exe())
        .env("BAOSONG_DATA_DIR", data)
        .args(["export", draft, "-o"])
        .arg(to)
        .output()
        .unwrap()
}

fn manifest_of(zip: &Path) -> Manifest {
    bundle::read_manifest(std::fs::File::open(zip).unwrap()).unwrap()
}

/// Python's zipfile: the names, and for every manifest file its sha256 recomputed.
const PY_CHECK: &str = r#"
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
m = json.loads(z.read("manifest.json"))
def files(m):
    for p in m["pillars"]:
        for it in p["items"]:
            for a in it["activities"]:
                for att in a["attachments"]:
                    yield att
    for att in m["general"]:
        yield att
bad = []
for att in files(m):
    if att["kind"] == "link":
        continue
    if hashlib.sha256(z.read(att["path"])).hexdigest() != att["sha256"]:
        bad.append(att["path"])
utf8 = all(i.flag_bits & 0x800 for i in z.infolist() if not i.filename.isascii())
stored = all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist() if i.filename.endswith((".jpg", ".mp4", ".pdf")))
print(json.dumps({"names": names, "bad": bad, "utf8": utf8, "stored": stored, "test": z.testzip()}, ensure_ascii=False))
"#;

#[test]
fn the_bundle_is_readable_everywhere_and_the_same_every_time() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let id = complete_draft(&store, "渝中区妇联", pc.path(), &[]);
    let out = tempfile::tempdir().unwrap();
    let a = out.path().join("材料包.zip");
    let o = export(data.path(), id.as_str(), &a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("材料包已导出"), "{stdout}");

    let py = Command::new("python3")
        .arg("-c")
        .arg(PY_CHECK)
        .arg(&a)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
    let names: Vec<&str> = report["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(names[0], "manifest.json");
    assert_eq!(names[1], "汇总.html");
    assert!(
        names.contains(&"一、强化政治引领，筑牢思想根基/加强理论武装/01 加强理论武装主题活动/渝中区妇联合影.jpg"),
        "{names:?}"
    );
    assert!(
        names.contains(&"综合材料/渝中区妇联工作总结.pdf"),
        "{names:?}"
    );
    assert_eq!(report["bad"], serde_json::json!([]), "every sha256 matches");
    assert_eq!(
        report["utf8"], true,
        "the language-encoding flag on Chinese names"
    );
    assert_eq!(report["stored"], true, "media stored, not re-compressed");
    assert!(report["test"].is_null(), "zipfile's CRC check passes");

    let unzip = Command::new("unzip").arg("-l").arg(&a).output().unwrap();
    assert!(unzip.status.success());
    assert!(String::from_utf8_lossy(&unzip.stdout).contains("综合材料/渝中区妇联工作总结.pdf"));
    let seven = Command::new("7z")
        .arg("l")
        .arg(&a)
        .output()
        .expect("7z (p7zip-full)");
    assert!(seven.status.success());
    assert!(String::from_utf8_lossy(&seven.stdout).contains("渝中区妇联合影.jpg"));

    // The same draft gives the same bytes.
    let b = out.path().join("again.zip");
    assert!(export(data.path(), id.as_str(), &b).status.success());
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    let m = manifest_of(&a);
    assert_eq!(m.schema, "baosong.bundle/1");
    assert_eq!(m.unit.name, "渝中区妇联");
    assert_eq!(m.totals.photos, 1);
    assert_eq!(m.totals.videos, 1);
    assert_eq!(m.totals.documents, 1);
    assert_eq!(m.totals.links, 1);
    assert_eq!(m.totals.activities, 9);
    assert_eq!(m.totals.participants, 9 * 120);
    assert!(m.pillars[2].items[2].not_carried_out);
    assert_eq!(m.draft.updated_at, store.load(&id).unwrap().updated_at);

    // The summary: readable without the app, thumbnails inside.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&a).unwrap()).unwrap();
    let mut html = String::new();
    use std::io::Read;
    z.by_name("汇总.html")
        .unwrap()
        .read_to_string(&mut html)
        .unwrap();
    assert!(html.contains("<h2>一、强化政治引领，筑牢思想根基</h2>"));
    assert!(html.contains("渝中区妇联合影.jpg"));
    assert!(
        html.contains("data:image/png;base64,"),
        "thumbnails embedded"
    );
    assert!(html.contains("本项未开展。原因：本年度该项工作由区司法局牵头开展"));
    assert!(html.contains("href=\"https://mp.weixin.qq.com/s/example\""));
    assert!(html.contains("2024年3月8日"));
}

#[test]
fn a_changed_or_vanished_file_stops_the_build_naming_it() {
    let data = tempfile::tempdir().unwrap();
    let pc = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let id = complete_draft(&store, "江北区妇联", pc.path(), &[]);
    let files = store.draft_dir(&id).join("files");
    let draft = store.load(&id).unwrap();
    let photo = draft
        .all_attachments()
        .find(|(_, a)| a.display_name().ends_with(".jpg"))
        .unwrap()
        .1
        .clone();
    let stored = files.join(&photo.file().unwrap().stored_name);
    let mut bytes = std::fs::read(&stored).unwrap();
    let n = bytes.len() - 10;
    bytes[n] ^= 0x55;
    std::fs::write(&stored, &bytes).unwrap();
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("x.zip");
    let o = export(data.path(), id.as_str(), &to);
    assert_eq!(o.status.code(), Some(2));
    let m = String::from_utf8_lossy(&o.stderr);
    assert!(m.contains("“江北区妇联合影.jpg”在添加后被改动过"), "{m}");
    assert!(!to.exists(), "no half bundle is left");

    std::fs::remove_file(&stored).unwrap();
    let o = export(data.path(), id.as_str(), &to);
    let m = String::from_utf8_lossy(&o.stderr);
    assert!(
        m.contains("“江北区妇联合影.jpg”在草稿文件夹中的副本不见了"),
        "{m}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no temporary file either"
    );
}

#[test]
fn a_draft_with_problems_is_not_bundled() {
    let data = tempfile::tempdir().unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let d = store
        .create(
            &baosong::core::campaign::Campaign::builtin().unwrap(),
            unit("巫溪县妇联"),
        )
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = export(data.path(), d.id.as_str(), &out.path().join("x.zip"));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("个问题需要修改"));
}

/// Above 4 GB the zip is zip64: a 4.2 GB (sparse) file attached, exported, read back.
#[test]
fn zip64_above_four_gigabytes() {
    let data = tempfile::tempdir().unwrap();
    // The template's 50 MB limit for documents would refuse it: a template allowing 8 GB.
    let mut template: serde_json::Value =
        serde_json::from_str(include_str!("../assets/campaigns/cq-sanba-2024.json")).unwrap();
    template["attachments"]["document"]["max_bytes"] = 8_000_000_000u64.into();
    let template_path = data.path().join("大文件模板.json");
    std::fs::write(&template_path, template.to_string()).unwrap();
    let campaign = baosong::core::campaign::Campaign::load(&template_path).unwrap();
    let store = DataDir::open(data.path(), clock()).unwrap();
    let mut d = store.create(&campaign, unit("渝北区妇联")).unwrap();
    // The copy in files/ made directly (sparse), as an import would have recorded it: importing
    // would only copy 4 GB more.
    let stored = store.draft_dir(&d.id).join("files").join("f1.pdf");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&stored).unwrap();
        f.write_all(b"%PDF-1.4\n").unwrap();
        f.set_len(4_300_000_000).unwrap();
    }
    let meta = std::fs::metadata(&stored).unwrap();
    let id = d.reserve_attachment_id();
    d.general.push(baosong::core::draft::Attachment {
        id,
        caption: String::new(),
        added_at: store.now(),
        material: baosong::core::draft::Material::File(baosong::core::draft::StoredFile {
            kind: Some(baosong::core::draft::FileKind::Document),
            format: "pdf".into(),
            original_name: "整场录像.pdf".into(),
            stored_name: "f1.pdf".into(),
            bytes: meta.len(),
            sha256: baosong::core::store::sha256_of(&stored).unwrap(),
            modified_ms: baosong::core::store::modified_ms(meta.modified().unwrap()),
            ..Default::default()
        }),
    });
    for (_, item) in campaign.items() {
        let ans = d.answer_mut(item.id.as_str());
        ans.not_carried_out = true;
        ans.reason = "本单位本年度未开展此项工作".into();
    }
    store.save(&d).unwrap();
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("大.zip");
    let o = Command::new(exe())
        .env("BAOSONG_DATA_DIR", data.path())
        .arg("--template")
        .arg(&template_path)
        .args(["export", d.id.as_str(), "-o"])
        .arg(&to)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::metadata(&to).unwrap().len() > 4_300_000_000);
    let py = Command::new("python3")
        .arg("-c")
        .arg("import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); i = z.getinfo('综合材料/整场录像.pdf'); print(i.file_size, z.read('manifest.json')[:1].decode())")
        .arg(&to)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&py.stdout).trim(), "4300000000 {");
    let unzip = Command::new("unzip").arg("-l").arg(&to).output().unwrap();
    assert!(
        unzip.status.success(),
        "{}",
        String::from_utf8_lossy(&unzip.stderr)
    );
}

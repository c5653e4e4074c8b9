//! What goes into the release zip besides the exe (scripts/release.sh, docs/release.md): the
//! licences file made from this very Cargo.lock, naming every crate in it and the bundled font's
//! OFL; the user guide's screenshots. The zip itself — its members, the PE, SHA256SUMS, the same
//! bytes twice — is checked by scripts/check-release.sh in CI, after scripts/release.sh built it.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(name, version)` of every package in Cargo.lock that comes from a registry (not ours).
fn locked_crates(lock: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|r| r.trim().strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_string())
            })
        };
        if let (Some(name), Some(version), Some(_)) =
            (field("name "), field("version "), field("source "))
        {
            out.push((name, version));
        }
    }
    out
}

#[test]
fn the_licences_file_is_made_from_this_lockfile_and_names_the_font_and_every_crate() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let licences = std::fs::read_to_string(root().join("release/第三方许可.txt")).unwrap();
    let sha = baosong::core::hashing::sha256_hex(lock.as_bytes());
    assert!(
        licences.contains(&format!("Cargo.lock SHA-256：{sha}")),
        "release/第三方许可.txt was made from another Cargo.lock: run scripts/licences.sh"
    );
    // The font's licence, whole.
    let ofl = std::fs::read_to_string(root().join("assets/fonts/OFL.txt")).unwrap();
    assert!(licences.contains("NotoSansSC-baosong.otf"));
    assert!(licences.contains(ofl.trim()), "the font's OFL text");
    assert!(licences.contains("SIL OPEN FONT LICENSE Version 1.1"));
    // Every crate of the lockfile under some licence's "used by".
    let crates = locked_crates(&lock);
    assert!(
        crates.len() > 300,
        "{} crates read from Cargo.lock",
        crates.len()
    );
    let missing: Vec<String> = crates
        .iter()
        .filter(|(n, v)| !licences.contains(&format!("\n    {n} {v}\n")))
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    assert!(missing.is_empty(), "not in 第三方许可.txt: {missing:?}");
    // The licences the MIT and Apache crates name travel with their text.
    for text in [
        "Permission is hereby granted, free of charge",
        "Apache License",
    ] {
        assert!(licences.contains(text), "{text}");
    }
}

#[test]
fn the_user_guide_shows_screens_that_exist_and_says_what_the_issue_asks() {
    let html = std::fs::read_to_string(root().join("release/使用说明.html")).unwrap();
    let shots: Vec<&str> = html
        .split("{{shot:")
        .skip(1)
        .map(|s| &s[..s.find("}}").unwrap()])
        .collect();
    assert!(shots.len() >= 6, "{shots:?}");
    for shot in &shots {
        assert!(
            root().join("tests/snapshots").join(shot).is_file(),
            "{shot} is not a screenshot in tests/snapshots"
        );
    }
    // For clerks: start, fill, attach, check, 一键报送, 报送失败, whom to call; for IT: where
    // data lives, logs, diagnostics, proxy and certificates, Windows 10 or later.
    for part in [
        "打开程序",
        "填写",
        "添加照片",
        "检查并提交",
        "一键报送",
        "“报送失败”是什么意思",
        "联系谁",
        "%LOCALAPPDATA%\\cqwomen\\baosong\\data",
        "logs\\",
        "导出诊断信息",
        "代理",
        "证书",
        "Windows 10 或更高版本",
        "SHA256SUMS",
        "{{version}}",
        "{{commit}}",
    ] {
        assert!(html.contains(part), "使用说明.html lacks {part}");
    }
}

// Shared by the core's and the app's build scripts (`include!`): the commit the program is built
// from, so that `baosong --version`, the receipt, the diagnostics and the exe's version resource
// name the same one. `BAOSONG_COMMIT` in the environment wins (a build from a source archive
// without .git); otherwise `git rev-parse`; neither gives "unknown".

/// The commit (12 hex digits) and the files whose change means another commit.
fn build_commit(dir: &std::path::Path) -> (String, Vec<std::path::PathBuf>) {
    if let Ok(c) = std::env::var("BAOSONG_COMMIT")
        && !c.trim().is_empty()
    {
        return (c.trim().to_string(), Vec::new());
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return ("unknown".into(), Vec::new());
    };
    // HEAD, the branch it names (or packed-refs, where a branch's ref may live).
    let mut watch = Vec::new();
    let mut paths = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    for p in paths {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &p]) {
            watch.push(std::path::PathBuf::from(path));
        }
    }
    (commit, watch)
}

/// Tell cargo the commit (`BAOSONG_COMMIT` for `env!`) and when to look again; returns it.
fn emit_build_commit() -> String {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let (commit, watch) = build_commit(&dir);
    println!("cargo:rerun-if-env-changed=BAOSONG_COMMIT");
    for path in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rustc-env=BAOSONG_COMMIT={commit}");
    commit
}

//! `baosong desk FOLDER [--xlsx FILE] [--verify]`: the receiving desk headless — the table of who
//! reported (as text on stdout, and as Excel with `--xlsx`), and with `--verify` every file of
//! every bundle checked against its manifest. Exit 0; 1 when a bundle is damaged or unreadable
//! (with `--verify`); 2 on an error (the folder, the template, the Excel file).
//! `baosong import BUNDLE`: a bundle taken in as a new draft; prints its id.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::core::clock::Clock;
use crate::core::desk::{Bundle, import, tally, verify, xlsx};
use crate::core::portable::PortableConfig;
use crate::core::work::Unwatched;

pub(super) fn desk(
    folder: &Path,
    xlsx_out: Option<&Path>,
    check: bool,
    template: Option<std::path::PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let data = super::open_data_dir(clock).ok();
    let campaign = match super::resolve_template(
        template,
        data.as_ref(),
        PortableConfig::found_beside_exe().as_ref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let found = match tally::scan(folder, &Unwatched) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let mut t = tally::tally(&campaign, &found);
    // 审核: what this PC's desk has published (verified against its own key).
    if let Some(data) = &data
        && let Ok(Some(key)) =
            crate::core::campaign::signing::DeskKey::load(&data.root().join("desk"))
    {
        let messages: Vec<_> = crate::core::review::Ledger::in_data_dir(data.root())
            .messages(&key.public())
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        t.apply_reviews(&messages);
    }
    let _ = write!(out, "{}", tally::text(&t));
    let mut code = 0;
    if check {
        let bundles: Vec<&Bundle> = found.bundles.iter().collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let Ok(verdicts) = verify::verify_all(&bundles, threads, &Unwatched) else {
            return 2;
        };
        let _ = writeln!(out, "\n核对材料包（按清单的 sha256 逐个文件核对）：");
        for (b, v) in bundles.iter().zip(&verdicts) {
            let name = b
                .path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if v.intact() {
                let _ = writeln!(out, "✓ {name}：{} 个文件完好", v.files.len());
            } else {
                code = 1;
                let _ = writeln!(out, "× {name}：{} 个文件有问题", v.damaged());
                for f in v.files.iter().filter(|f| !f.state.is_intact()) {
                    let _ = writeln!(out, "    {}：{}", f.path, f.state.label());
                }
            }
        }
        if !found.unreadable.is_empty() {
            code = 1;
        }
    }
    if let Some(path) = xlsx_out {
        if let Err(e) = xlsx::write(&t, path) {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
        let _ = writeln!(out, "\n已导出 Excel：{}", path.display());
    }
    code
}

pub(super) fn import_bundle(
    file: &Path,
    template: Option<std::path::PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let data = match super::open_data_dir(clock) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let campaign = match super::resolve_template(
        template,
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let bundle = match Bundle::open(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 1;
        }
    };
    match import::import(&bundle, &campaign, &data, &Unwatched) {
        Ok(draft) => {
            let _ = writeln!(
                out,
                "已导入为草稿 {}：{}（{} 项活动）",
                draft.id,
                draft.display_name(),
                draft.activity_count()
            );
            0
        }
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            1
        }
    }
}

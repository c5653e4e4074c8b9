//! `baosong drafts` and `baosong validate DRAFT`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Found, campaign_for, find, open_data_dir, resolve_template};
use crate::core::clock::Clock;
use crate::core::dates::chinese_date_time;
use crate::core::error::CoreError;
use crate::core::portable::PortableConfig;
use crate::core::store;
use crate::core::validate::{sections, validate_with_files};

pub(super) fn drafts(
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<(), CoreError> {
    let data = open_data_dir(clock)?;
    let campaign = resolve_template(
        template,
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    )
    .ok();
    let listing = data.list_for(campaign.as_ref());
    let w = |out: &mut dyn Write, line: String| {
        let _ = writeln!(out, "{line}");
    };
    if listing.drafts.is_empty() {
        w(
            out,
            format!("没有草稿（数据文件夹：{}）", data.root().display()),
        );
    } else {
        w(out, "编号\t名称\t状态\t完成情况\t最后修改".into());
        // What the department said, as this PC last received it (where IT pinned its key).
        let reviews = PortableConfig::found_beside_exe()
            .and_then(|p| p.campaign_key)
            .and_then(|k| crate::core::campaign::signing::PublicKey::from_hex(&k).ok())
            .map(|key| {
                let units: Vec<String> = listing.drafts.iter().map(|d| d.unit.clone()).collect();
                crate::core::review::Inbox::in_data_dir(data.root()).messages(&key, &units)
            });
        for d in &listing.drafts {
            let status = match (&d.status, &reviews) {
                (crate::core::draft::Status::Submitted { receipt }, Some(messages)) => {
                    match crate::core::review::review_of(messages, &receipt.bundle_sha256) {
                        Some(m) => format!(
                            "已报送 · {}",
                            m.verdict().map_or("", crate::core::review::Verdict::label)
                        ),
                        None => "已报送 · 市妇联已收到".into(),
                    }
                }
                (s, _) if d.version > 1 => format!("{}（第{}版）", s.label(), d.version),
                (s, _) => s.label().to_string(),
            };
            let done = d
                .items_done
                .map(|(done, total)| format!("{done}/{total} 项"))
                .unwrap_or_else(|| "（另一活动模板）".into());
            w(
                out,
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.name,
                    status,
                    done,
                    chinese_date_time(d.updated_at)
                ),
            );
        }
    }
    for q in &listing.quarantined {
        w(out, format!("无法读取：{}", q.user_message()));
    }
    if !listing.recycled.is_empty() {
        w(
            out,
            format!("回收区中另有 {} 份已删除的草稿", listing.recycled.len()),
        );
    }
    Ok(())
}

pub(super) fn validate(
    query: &str,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let found = find(query, clock)?;
    let campaign = campaign_for(&found, template)?;
    let Found { folder, draft, .. } = found;
    let files = store::check_files(&folder, &draft);
    let report = validate_with_files(&campaign, &draft, &files);
    let _ = writeln!(
        out,
        "草稿 {}（{}）：{}",
        draft.id,
        draft.display_name(),
        campaign.title
    );
    if report.is_ready() {
        let _ = writeln!(out, "材料齐全，可以报送。");
    } else {
        let _ = writeln!(out, "还有 {} 个问题需要修改：", report.problems.len());
    }
    for (section, heading) in sections(&campaign) {
        let problems: Vec<_> = report.in_section(section).collect();
        let reminders: Vec<_> = report.reminders_in(section).collect();
        if problems.is_empty() && reminders.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for p in problems {
            let _ = writeln!(out, "  - {}：{}", p.place, p.message);
        }
        for p in reminders {
            let _ = writeln!(out, "  - {}：提醒：{}", p.place, p.message);
        }
    }
    Ok(if report.is_ready() { 0 } else { 1 })
}

//! `baosong attach DRAFT FILE… [--to ACTIVITY]`: the window's 添加图片/视频/文件 from the command
//! line, on the same core ([`import_batch`]): each file copied into the draft and hashed, its kind
//! told by its content, a photo's or video's location removed from the copy, a video probed in
//! the limited child process. Prints what was attached and what was refused, and why.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::submission::Printed;
use super::{Held, campaign_for, find};
use crate::core::clock::Clock;
use crate::core::draft::{
    Edited, LOCATION_KEPT, Material, Place, PlaceChoice, Status, known_files, places,
};
use crate::core::error::CoreError;
use crate::core::media::batch::{ImportRequest, import_batch};
use crate::core::media::probe::Prober;
use crate::core::media::thumbs::ThumbnailCache;
use crate::core::units::human_bytes;

/// Exit codes: 0 every file attached, 1 some refused, 2 nothing could be done.
pub(super) fn attach(
    query: &str,
    files: &[PathBuf],
    to: Option<&str>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let found = find(query, clock.clone())?;
    let campaign = campaign_for(&found, template)?;
    let Some(held) = Held::take(&found)? else {
        return Ok(2);
    };
    let mut draft = held.draft().clone();
    match draft.status() {
        Status::Submitted { .. } => {
            eprintln!(
                "错误：草稿 {} 已报送，不能再添加材料。如需补充，请在窗口中把它复制为新草稿后添加。",
                draft.id
            );
            return Ok(2);
        }
        Status::Submitting => {
            eprintln!(
                "错误：草稿 {} 正在报送，暂不能添加材料。请等报送结束（或运行 baosong status 查看）。",
                draft.id
            );
            return Ok(2);
        }
        _ => {}
    }
    let choices = places(&campaign, &draft);
    let Some(choice) = choose(&choices, to) else {
        let asked = to.unwrap_or_default().trim();
        let several =
            !asked.is_empty() && choices.iter().filter(|c| c.label.contains(asked)).count() > 1;
        if several {
            eprintln!("错误：“{asked}”与草稿中的多个活动相符，请用下列编号之一：");
        } else {
            eprintln!("错误：草稿中没有活动“{asked}”。可以用活动标题或下列编号：");
        }
        for c in &choices {
            eprintln!("  {}\t{}", c.code, c.label);
        }
        return Ok(2);
    };
    let (place, label) = (choice.place.clone(), choice.label.clone());
    let cache_dir = match &found.data {
        Some(d) => d.cache_dir(),
        None => std::env::temp_dir().join("baosong-cache"),
    };
    let known = known_files(&campaign, &draft);
    let sources: Vec<_> = files
        .iter()
        .map(|f| (f.clone(), draft.reserve_attachment_id()))
        .collect();
    let request = ImportRequest {
        draft: draft.id.clone(),
        place: place.clone(),
        files_dir: found.folder.join("files"),
        sources,
        rules: campaign.attachments.clone(),
        known,
        prober: Prober::this_program(),
        cache: ThumbnailCache::new(&cache_dir),
        now: clock.now(),
    };
    let outcome = import_batch(request, &Printed::new());
    let added = outcome.added.len();
    if added > 0 {
        let lines: Vec<String> = outcome.added.iter().map(describe).collect();
        let target = if draft.attachments(&place).is_some() {
            place
        } else {
            Place::General
        };
        if let Some(list) = draft.attachments_mut(&target) {
            list.extend(outcome.added);
        }
        let back = matches!(draft.mark_edited(clock.now()), Ok(Edited::BackToDraft));
        held.save(&draft)?;
        let _ = writeln!(out, "已添加 {added} 个文件到“{label}”：");
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
        if back {
            let _ = writeln!(
                out,
                "草稿已改回“草稿”状态：报送前请重新检查（baosong validate {}）。",
                draft.id
            );
        }
    }
    for refused in &outcome.refused {
        let _ = writeln!(out, "未添加：{refused}");
    }
    Ok(if outcome.refused.is_empty() { 0 } else { 1 })
}

/// The place `to` names: a code (`1-2`, `综合`), an activity's exact title, or a unique part of
/// a label; none given: 综合材料.
fn choose<'a>(choices: &'a [PlaceChoice], to: Option<&str>) -> Option<&'a PlaceChoice> {
    let Some(to) = to.map(str::trim) else {
        return choices.iter().find(|c| c.place == Place::General);
    };
    if to.is_empty() {
        return None;
    }
    if let Some(c) = choices
        .iter()
        .find(|c| c.code == to || (!c.title.is_empty() && c.title == to))
    {
        return Some(c);
    }
    let mut containing = choices.iter().filter(|c| c.label.contains(to));
    match (containing.next(), containing.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// `照片.jpg（JPEG 图片，2.1 MB，已移除位置信息）`
fn describe(a: &crate::core::draft::Attachment) -> String {
    let Material::File(f) = &a.material else {
        return a.display_name().to_string();
    };
    let mut notes = vec![
        f.kind.map_or("文件", |k| k.label()).to_string(),
        human_bytes(f.bytes),
    ];
    if f.location_removed {
        notes.push("已移除位置信息".into());
    }
    let mut line = format!("{}（{}）", f.original_name, notes.join("，"));
    if f.location_kept {
        line.push_str(&format!("\n    注意：{LOCATION_KEPT}"));
    }
    if let Some(w) = &f.info.warning {
        line.push_str(&format!("\n    {w}"));
    }
    line
}

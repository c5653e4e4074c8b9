//! The department's answer back, headless:
//!
//! - `baosong review <材料包> --pass | --return "理由" | --read [--note 事项=说明]…`: a review of
//!   one received bundle, signed and published through the intake to its unit. 0 published,
//!   1 refused (the bundle, a note, the server), 2 error.
//! - `baosong remind "内容" [--units 甲,乙 | --folder 收件文件夹]`: a reminder to the named units,
//!   to those the folder shows as not reported, or to every unit of the campaign.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{open_data_dir, resolve_template};
use crate::core::campaign::Intake;
use crate::core::campaign::channel::ChannelError;
use crate::core::campaign::signing::DeskKey;
use crate::core::clock::Clock;
use crate::core::desk::{Bundle, tally};
use crate::core::error::CoreError;
use crate::core::portable::PortableConfig;
use crate::core::review::{Ledger, Message, Note, Verdict, channel, identify, locate, review_of};
use crate::core::store::DataDir;
use crate::core::work::Unwatched;

/// What `baosong review` was asked.
pub(super) struct ReviewArgs {
    pub bundle: PathBuf,
    pub pass: bool,
    pub read: bool,
    pub returned: Option<String>,
    pub notes: Vec<String>,
    pub endpoint: Option<String>,
    pub token: Option<String>,
}

fn published(
    intake: &Intake,
    data: &DataDir,
    message: &Message,
    out: &mut dyn Write,
) -> Result<(), u8> {
    match channel::publish(intake, &data.root().join("desk"), message) {
        Ok(signed) => {
            if let Err(e) = Ledger::in_data_dir(data.root()).record(&signed) {
                tracing::warn!(error = %e, "the desk's review ledger was not written");
            }
            let _ = writeln!(out, "已发送给{}：{}", message.unit, message.headline());
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "review not published");
            eprintln!("错误：{}", e.review_message());
            Err(match e {
                ChannelError::Intake(_)
                | ChannelError::BadAnswer { .. }
                | ChannelError::NoLocalKey { .. }
                | ChannelError::NoSigningKey
                | ChannelError::NoCampaignsHere { .. } => 2,
                _ => 1,
            })
        }
    }
}

/// The desk's data folder and the campaign in force (as the window would choose it).
fn desk_and_campaign(
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
) -> Result<(DataDir, crate::core::campaign::Campaign), CoreError> {
    let data = open_data_dir(clock)?;
    let campaign = resolve_template(
        template,
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    )?;
    Ok((data, campaign))
}

/// `baosong review`.
pub(super) fn review(
    args: ReviewArgs,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let chosen = [args.pass, args.read, args.returned.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if chosen != 1 {
        eprintln!(
            "错误：请在 --pass（通过）、--return \"理由\"（退回修改）和 --read（已阅）中选一个。"
        );
        return Ok(2);
    }
    if !args.notes.is_empty() && args.returned.is_none() {
        eprintln!("错误：--note 只用于退回修改（--return）。");
        return Ok(2);
    }
    let (data, campaign) = desk_and_campaign(template.clone(), clock.clone())?;
    if !args.bundle.is_file() {
        eprintln!(
            "错误：“{}”不是一个文件。请给出收到的材料包（.zip）文件，如收件文件夹中的某一个。",
            args.bundle.display()
        );
        return Ok(2);
    }
    let bundle = match Bundle::open(&args.bundle) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return Ok(1);
        }
    };
    let mut notes: Vec<Note> = Vec::new();
    for spec in &args.notes {
        // A Chinese input method types ＝.
        let Some((place, text)) = spec.split_once(['=', '＝']) else {
            eprintln!("错误：“{spec}”应写成 事项=说明，例如 \"二、一是 活动2=请补充活动视频\"。");
            return Ok(2);
        };
        match locate(&campaign, &bundle.manifest, place, text) {
            Ok(n) => notes.push(n),
            Err(m) => {
                eprintln!("错误：{m}");
                return Ok(1);
            }
        }
    }
    let Ok(Some((unit, sha256))) = identify(&bundle, &Unwatched) else {
        eprintln!("错误：无法读取材料包“{}”。", args.bundle.display());
        return Ok(2);
    };
    let verdict = if args.pass {
        Verdict::Passed
    } else if args.read {
        Verdict::Read
    } else {
        Verdict::Returned
    };
    // Only the unit's latest bundle counts: one that a later bundle of the same unit replaced
    // in the same folder is not reviewed (its review would read as the answer to the new one).
    if let Some(later) = later_of(&bundle, &unit) {
        eprintln!(
            "错误：这不是{unit}最新的一份材料包：同一文件夹中还有更晚收到的“{later}”，按最后一份统计。请审核最新的一份。"
        );
        return Ok(1);
    }
    // The same verdict twice (no reason, no notes): said, not sent again.
    let ledger = Ledger::in_data_dir(data.root());
    if let Ok(Some(key)) = DeskKey::load(&data.root().join("desk")) {
        let sent: Vec<Message> = ledger
            .messages(&key.public())
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        if verdict != Verdict::Returned
            && review_of(&sent, &sha256)
                .is_some_and(|m| m.verdict() == Some(verdict) && m.unit == unit)
        {
            let _ = writeln!(
                out,
                "{unit}的这份材料包已是“{}”，没有重复发送。",
                verdict.label()
            );
            return Ok(0);
        }
    }
    let name = args
        .bundle
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let message = Message::review(
        &unit,
        &bundle.manifest.campaign.id,
        clock.now(),
        (&sha256, &name),
        verdict,
        args.returned.as_deref().unwrap_or_default(),
        notes,
    );
    if let Err(m) = message.check() {
        eprintln!("错误：{m}");
        return Ok(1);
    }
    let Some(intake) = super::campaign::endpoint(args.endpoint, args.token, template, clock, out)
    else {
        eprintln!("错误：{}", super::campaign::NO_ENDPOINT);
        return Ok(2);
    };
    Ok(match published(&intake, &data, &message, out) {
        Ok(()) => 0,
        Err(code) => code,
    })
}

/// A bundle of `unit` in the same folder that arrived after `bundle` (its file name), if any.
fn later_of(bundle: &Bundle, unit: &str) -> Option<String> {
    let folder = bundle.path.parent()?;
    let found = tally::scan(folder, &Unwatched).ok()?;
    found
        .bundles
        .iter()
        .filter(|b| b.path != bundle.path)
        .filter(|b| {
            b.manifest.campaign.id == bundle.manifest.campaign.id
                && b.intake
                    .as_ref()
                    .and_then(|r| r.unit.clone())
                    .unwrap_or_else(|| b.manifest.unit.name.trim().to_string())
                    == unit
        })
        .filter(|b| match (b.received, bundle.received) {
            (Some(theirs), Some(mine)) => theirs > mine,
            _ => b.manifest.draft.updated_at > bundle.manifest.draft.updated_at,
        })
        .max_by_key(|b| b.received)
        .and_then(|b| b.path.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// To whom `baosong remind` sends: named units, or those a folder shows as not reported.
pub(super) struct RemindTo<'a> {
    pub units: Option<String>,
    pub folder: Option<&'a Path>,
    /// Every unit of the campaign, reported or not.
    pub all: bool,
}

pub(super) fn remind(
    text: &str,
    RemindTo { units, folder, all }: RemindTo<'_>,
    endpoint: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let (data, campaign) = desk_and_campaign(template.clone(), clock.clone())?;
    if usize::from(units.is_some()) + usize::from(folder.is_some()) + usize::from(all) != 1 {
        eprintln!(
            "错误：请选一种：--folder 收件文件夹（提醒其中还没有材料包的单位）、--units 单位,单位（提醒这些单位）或 --all（提醒全部 {} 个单位，包括已报送的）。",
            campaign.units.len()
        );
        return Ok(2);
    }
    if text.trim().is_empty() {
        eprintln!("错误：提醒内容不能为空。");
        return Ok(2);
    }
    let to: Vec<String> = match (units, folder) {
        (Some(list), _) => {
            let named: Vec<String> = list
                .split([',', '，', '、'])
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect();
            // A typo would make a unit nobody is: only the campaign's units.
            let unknown: Vec<&String> = named
                .iter()
                .filter(|u| !campaign.units.contains(u))
                .collect();
            if !unknown.is_empty() {
                eprintln!(
                    "错误：活动的单位名单中没有“{}”，没有发送。请照单位名单写全称，如“{}”。",
                    unknown
                        .iter()
                        .map(|u| u.as_str())
                        .collect::<Vec<_>>()
                        .join("”“"),
                    campaign.units.first().map_or("渝中区妇联", String::as_str)
                );
                return Ok(1);
            }
            named
        }
        (None, Some(folder)) => {
            let found = match tally::scan(folder, &Unwatched) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("错误：{}", e.user_message());
                    return Ok(2);
                }
            };
            tally::tally(&campaign, &found)
                .rows
                .into_iter()
                .filter(|r| r.latest.is_none())
                .map(|r| r.unit)
                .collect()
        }
        (None, None) => campaign.units.clone(),
    };
    if to.is_empty() {
        let _ = writeln!(out, "没有需要提醒的单位。");
        return Ok(0);
    }
    let Some(intake) = super::campaign::endpoint(endpoint, token, template, clock.clone(), out)
    else {
        eprintln!("错误：{}", super::campaign::NO_ENDPOINT);
        return Ok(2);
    };
    let mut code = 0;
    for unit in &to {
        let message = Message::reminder(unit, &campaign.id, clock.now(), text);
        if let Err(m) = message.check() {
            eprintln!("错误：{m}");
            return Ok(1);
        }
        if let Err(c) = published(&intake, &data, &message, out) {
            code = code.max(c);
            if c == 2 {
                break;
            }
        }
    }
    Ok(code)
}

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
use crate::core::clock::Clock;
use crate::core::desk::{Bundle, tally};
use crate::core::error::CoreError;
use crate::core::portable::PortableConfig;
use crate::core::review::{Ledger, Message, Note, Verdict, channel, identify, locate};
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

fn intake_for(
    url: Option<String>,
    token: Option<String>,
    data: &DataDir,
    template: Option<PathBuf>,
) -> Option<Intake> {
    let portable = PortableConfig::found_beside_exe();
    if let Some(url) = url {
        return Some(Intake {
            allow_http: portable
                .and_then(|p| p.intake)
                .is_some_and(|i| i.allow_http),
            ..Intake::new(url, token)
        });
    }
    let settings = data.load_settings();
    let campaign = resolve_template(template, Some(data), portable.as_ref()).ok();
    crate::core::intake::effective(
        settings.intake.as_ref(),
        portable.as_ref().and_then(|p| p.intake.as_ref()),
        campaign.as_ref().and_then(|c| c.intake.as_ref()),
    )
    .map(|(i, _)| i)
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
                ChannelError::Intake(_) | ChannelError::BadAnswer { .. } => 2,
                _ => 1,
            })
        }
    }
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
    let data = open_data_dir(clock.clone())?;
    let campaign = resolve_template(
        template.clone(),
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    )?;
    let bundle = match Bundle::open(&args.bundle) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return Ok(1);
        }
    };
    let mut notes: Vec<Note> = Vec::new();
    for spec in &args.notes {
        let Some((place, text)) = spec.split_once('=') else {
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
    let Some(intake) = intake_for(args.endpoint, args.token, &data, template) else {
        eprintln!("错误：尚未设置报送地址。请用 --endpoint 写上地址，或在“设置与帮助”中填写。");
        return Ok(2);
    };
    Ok(match published(&intake, &data, &message, out) {
        Ok(()) => 0,
        Err(code) => code,
    })
}

/// `baosong remind`.
/// To whom `baosong remind` sends: named units, or those a folder shows as not reported.
pub(super) struct RemindTo<'a> {
    pub units: Option<String>,
    pub folder: Option<&'a Path>,
}

pub(super) fn remind(
    text: &str,
    RemindTo { units, folder }: RemindTo<'_>,
    endpoint: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let data = open_data_dir(clock.clone())?;
    let campaign = resolve_template(
        template.clone(),
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    )?;
    let to: Vec<String> = match (units, folder) {
        (Some(list), _) => list
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect(),
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
    let Some(intake) = intake_for(endpoint, token, &data, template) else {
        eprintln!("错误：尚未设置报送地址。请用 --endpoint 写上地址，或在“设置与帮助”中填写。");
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

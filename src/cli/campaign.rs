//! The department's campaigns from the command line:
//!
//! - `baosong campaign parse <通知.docx|txt> -o <模板.json>`: the notice read into a template
//!   ([`crate::core::campaign::notice`]);
//! - `baosong campaign publish <模板>`: signed and published through the intake;
//! - `baosong campaigns`: what the intake offers, verified against the pinned key.
//!
//! `parse`: It prints what it read — pillars and
//! items, the deadline, the receiver and contact — and what it could not. Exit 0 when the
//! template is complete; 1 when something must still be filled in (the file is written all the
//! same, marked `unread`, for the editor); 2 when the notice cannot be read or the file written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{open_data_dir, resolve_template};
use crate::core::campaign::channel::{ChannelError, Shelf, fetch, publish_from};
use crate::core::campaign::notice::read_notice_file;
use crate::core::campaign::signing::{DeskKey, PublicKey};
use crate::core::campaign::{Campaign, Intake};
use crate::core::clock::Clock;
use crate::core::dates::chinese_date_time;
use crate::core::error::CoreError;
use crate::core::intake::effective;
use crate::core::portable::PortableConfig;
use crate::core::store::DataDir;
use crate::core::store::atomic::write_atomic;

pub(super) fn parse(notice: &Path, output: &Path, out: &mut dyn Write) -> Result<u8, CoreError> {
    let reading = read_notice_file(notice)?;
    let c = &reading.campaign;
    let json = serde_json::to_string_pretty(c).map_err(|e| CoreError::Encode {
        path: output.to_path_buf(),
        detail: e.to_string(),
    })?;
    write_atomic(output, format!("{json}\n").as_bytes())
        .map_err(|e| CoreError::io("cannot write", output, e))?;

    let _ = writeln!(out, "活动：{}", c.title);
    if !c.document_number.is_empty() {
        let _ = writeln!(out, "文号：{}", c.document_number);
    }
    if !c.theme.is_empty() {
        let _ = writeln!(out, "主题：{}", c.theme);
    }
    for pillar in &c.pillars {
        let _ = writeln!(out, "{}", pillar.heading());
        for item in &pillar.items {
            let _ = writeln!(out, "  {}{}", item.number, item.title);
        }
    }
    if !c.unread.iter().any(|u| u == "截止时间") {
        let _ = writeln!(out, "截止：{}", chinese_date_time(c.deadline));
    }
    let r = &c.receiver;
    let _ = writeln!(
        out,
        "接收：{}  联系人：{}  电话：{}  邮箱：{}",
        r.name, r.contact_person, r.phone, r.email
    );
    for note in &reading.notes {
        let mark = if note.blocking {
            "未识别"
        } else {
            "请确认"
        };
        let _ = writeln!(out, "{mark}（{}）：{}", note.field, note.message);
    }
    let _ = writeln!(out, "已保存：{}", output.display());
    if c.unread.is_empty() {
        Ok(0)
    } else {
        let _ = writeln!(
            out,
            "模板还不能使用：请在收件台的活动编辑器中补全{}",
            c.unread.join("、")
        );
        Ok(1)
    }
}

/// The endpoint for publishing or looking: given on the command line, else as `probe` finds it.
/// Said when no address is given or set.
pub(super) const NO_ENDPOINT: &str =
    "尚未设置报送地址。请用 --endpoint 写上地址，或在“设置与帮助”中填写。";

/// The address to talk to: `--endpoint` (with `--token`), else the one in force (settings,
/// baosong.toml, the template), said on `out`, with `--token` used on it when given.
pub(super) fn endpoint(
    url: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
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
    let data = open_data_dir(clock).ok();
    let settings = data.as_ref().map(DataDir::load_settings);
    let campaign = resolve_template(template, data.as_ref(), portable.as_ref()).ok();
    let (intake, source) = effective(
        settings.as_ref().and_then(|s| s.intake.as_ref()),
        portable.as_ref().and_then(|p| p.intake.as_ref()),
        campaign.as_ref().and_then(|c| c.intake.as_ref()),
    )?;
    let _ = writeln!(out, "报送地址（来自{}）：{}", source.label(), intake.url);
    Some(Intake {
        token: token.or(intake.token.clone()),
        ..intake
    })
}

/// The department's key, made on first use and said so; its public half printed.
fn desk_key(data: &DataDir, out: &mut dyn Write) -> Result<DeskKey, CoreError> {
    let (key, made) = DeskKey::load_or_create(&data.root().join("desk"))?;
    tell_key(&key, made, out);
    Ok(key)
}

/// The key's public half for IT, and when it was made now, where the private one is.
fn tell_key(key: &DeskKey, made: bool, out: &mut dyn Write) {
    let public = key.public();
    if made {
        let _ = writeln!(
            out,
            "已在本机生成市妇联的签名私钥：{}\n请立即把它备份到安全的地方（如加密 U 盘，放保险柜）：丢失后要给报送服务器和每台电脑换公钥。",
            key.path().display()
        );
    }
    let _ = writeln!(
        out,
        "签名公钥（报送服务器的 INTAKE_CAMPAIGN_KEY 和每台电脑 baosong.toml 的 campaign_key）：{}\n公钥指纹：{}",
        public.to_hex(),
        public.fingerprint()
    );
}

/// `baosong campaign key`: the public key, for IT (the key made if there is none yet).
pub(super) fn key(clock: Arc<dyn Clock>, out: &mut dyn Write) -> Result<u8, CoreError> {
    let data = open_data_dir(clock)?;
    desk_key(&data, out)?;
    Ok(0)
}

/// `baosong campaign publish <模板> [--endpoint URL --token T]`: 0 published, 1 refused (the
/// template or the server said no), 2 error.
pub(super) fn publish(
    file: &Path,
    url: Option<String>,
    token: Option<String>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    // A template the reader left unfinished: said to the department, who finishes it.
    if let Ok(text) = std::fs::read_to_string(file)
        && let Ok(draft) = serde_json::from_str::<Campaign>(text.trim_start_matches('\u{feff}'))
        && !draft.unread.is_empty()
    {
        eprintln!(
            "错误：模板中还有没从通知读出的内容（{}），不能发布。请在收件台“新建活动”中点“打开模板…”补全，或直接编辑模板文件：填好后删去 \"unread\" 一项。",
            draft.unread.join("、")
        );
        return Ok(1);
    }
    let campaign = Campaign::load(file)?;
    let data = open_data_dir(clock.clone())?;
    let Some(intake) = endpoint(url, token, None, clock, out) else {
        eprintln!("错误：{NO_ENDPOINT}");
        return Ok(2);
    };
    match publish_from(&intake, &data.root().join("desk"), &campaign) {
        Ok((published, made)) => {
            if made && let Ok(Some(key)) = DeskKey::load(&data.root().join("desk")) {
                // The first publication: the key was made now, for IT to configure.
                tell_key(&key, true, out);
            }
            let entry = &published.entry;
            let said = if published.unchanged {
                "与已发布的版本相同，未重新发布"
            } else {
                "已发布"
            };
            let _ = writeln!(
                out,
                "{said}：{}（{} 第{}版），截止 {}",
                campaign.title,
                entry.id,
                entry.version,
                chinese_date_time(campaign.deadline)
            );
            if !published.unchanged && !published.changes.is_empty() {
                let _ = writeln!(out, "与上一版相比：");
                for change in &published.changes {
                    let _ = writeln!(out, "  {change}");
                }
            }
            Ok(0)
        }
        Err(e) => {
            tracing::error!(error = %e, "publish failed");
            eprintln!("错误：{}", e.user_message());
            // The intake has no key yet: the one just made (or kept) is what IT configures.
            if let ChannelError::Refused { status: 503, .. } = e
                && let Ok(Some(key)) = DeskKey::load(&data.root().join("desk"))
            {
                tell_key(&key, false, out);
            }
            Ok(match e {
                ChannelError::Intake(_)
                | ChannelError::BadAnswer { .. }
                | ChannelError::NoCampaignsHere { .. } => 2,
                _ => 1,
            })
        }
    }
}

/// `baosong campaigns [--key HEX] [--endpoint URL --token T]`: what the intake offers, each
/// template's signature checked against the department's key; what verifies is kept in the data
/// folder as the window keeps it. 0 when all verified, 1 when something was refused, 2 when the
/// intake could not be asked or no key is pinned.
pub(super) fn list(
    key: Option<String>,
    url: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    let data = open_data_dir(clock.clone())?;
    let pinned = key.or_else(|| PortableConfig::found_beside_exe().and_then(|p| p.campaign_key));
    let Some(pinned) = pinned else {
        eprintln!("错误：{}", ChannelError::NoKey.user_message());
        return Ok(2);
    };
    let key = match PublicKey::from_hex(&pinned) {
        Ok(k) => k,
        Err(problem) => {
            eprintln!("错误：{problem}");
            return Ok(2);
        }
    };
    let Some(intake) = endpoint(url, token, template, clock, out) else {
        eprintln!("错误：{NO_ENDPOINT}");
        return Ok(2);
    };
    let shelf = Shelf::in_data_dir(data.root());
    let fetched = match fetch(&intake, &key, &shelf) {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "campaigns fetch failed");
            eprintln!("错误：{}", e.user_message());
            return Ok(2);
        }
    };
    let (offered, broken) = shelf.offered(&key);
    let _ = writeln!(
        out,
        "市妇联发布的活动（已核对签名，公钥指纹 {}）：",
        key.fingerprint()
    );
    if offered.is_empty() {
        let _ = writeln!(out, "  （暂无）");
    }
    for o in &offered {
        let c = &o.campaign;
        let _ = writeln!(
            out,
            "  {}  第{}版  截止 {}  [{}]",
            c.title,
            c.version,
            chinese_date_time(c.deadline),
            c.id
        );
    }
    let refused: Vec<_> = fetched.refused.iter().chain(broken.iter()).collect();
    for r in &refused {
        let _ = writeln!(out, "未接收（{}）：{}", r.id, r.message);
    }
    Ok(if refused.is_empty() { 0 } else { 1 })
}

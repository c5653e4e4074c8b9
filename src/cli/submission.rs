//! `baosong export DRAFT -o FILE.zip`, `baosong submit DRAFT [--endpoint URL] [--token T]` and
//! `baosong status DRAFT`: the bundle and the upload from the command line, on the same core as
//! the window's 导出材料包 and 一键报送. `submit` exits 0 only when the server confirmed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Held, campaign_for, find};
use crate::core::bundle::{self, BuildInput};
use crate::core::campaign::{Campaign, Intake};
use crate::core::clock::Clock;
use crate::core::dates::chinese_date_time;
use crate::core::draft::{Draft, Status};
use crate::core::intake::effective;
use crate::core::intake::upload::UploadOptions;
use crate::core::media::probe::Prober;
use crate::core::media::thumbs::{ThumbnailCache, Thumbnailer};
use crate::core::portable::PortableConfig;
use crate::core::store::{self, DataDir};
use crate::core::submit::{self, Ending, Submission, SubmitError, SubmitInput};
use crate::core::units::human_bytes;
use crate::core::validate::validate;
use crate::core::work::Work;

/// Progress on stderr, at most once a second: `正在上传 35%（120 MB / 340 MB）`.
pub(super) struct Printed {
    last: Mutex<Option<(Instant, String)>>,
}

impl Printed {
    pub(super) fn new() -> Self {
        Self {
            last: Mutex::new(None),
        }
    }
}

impl Work for Printed {
    fn progress(&self, stage: &str, done: u64, total: u64) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let line = if total > 0 {
            format!(
                "{stage} {}%（{} / {}）",
                done * 100 / total.max(1),
                human_bytes(done),
                human_bytes(total)
            )
        } else {
            stage.to_string()
        };
        let due = last.as_ref().is_none_or(|(at, text)| {
            at.elapsed() >= Duration::from_secs(1) || !text.starts_with(stage)
        });
        if due {
            eprintln!("{line}");
            *last = Some((Instant::now(), line));
        }
    }

    fn should_stop(&self) -> bool {
        false
    }
}

/// Thumbnails for the summary, from the data folder's cache (made there if missing).
fn thumbnails(data: Option<&DataDir>) -> Thumbnailer {
    match data {
        Some(d) => Thumbnailer::cached(ThumbnailCache::new(&d.cache_dir()), Prober::this_program()),
        None => Thumbnailer::none(),
    }
}

fn problems_out(campaign: &Campaign, draft: &Draft) -> Option<usize> {
    let report = validate(campaign, draft);
    (!report.is_ready()).then(|| {
        eprintln!(
            "错误：还有 {} 个问题需要修改，暂不能打包或报送。请运行 baosong validate 查看。",
            report.problems.len()
        );
        report.problems.len()
    })
}

pub(super) fn export(
    query: &str,
    to: &Path,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let found = match find(query, clock).and_then(|f| campaign_for(&f, template).map(|c| (f, c))) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let (found, campaign) = found;
    if problems_out(&campaign, &found.draft).is_some() {
        return 1;
    }
    let thumbnail = thumbnails(found.data.as_ref());
    let input = BuildInput {
        campaign: &campaign,
        draft: &found.draft,
        files_dir: &found.folder.join(store::FILES_DIR),
        thumbnail: &thumbnail,
    };
    let work = Printed {
        last: Mutex::new(None),
    };
    match bundle::build(&input, to, &work) {
        Ok(built) => {
            let _ = writeln!(out, "材料包已导出：{}", built.path.display());
            let _ = writeln!(
                out,
                "大小：{}（{} 字节）",
                human_bytes(built.bytes),
                built.bytes
            );
            let _ = writeln!(out, "SHA-256：{}", built.sha256);
            0
        }
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            eprintln!("错误：{}", e.user_message());
            2
        }
    }
}

pub(super) struct SubmitArgs {
    pub endpoint: Option<String>,
    pub token: Option<String>,
    pub again: bool,
    /// Give up after this many minutes without the network (0: try once).
    pub wait_minutes: u64,
    pub chunk_kib: Option<u64>,
    pub retry_ms: Option<u64>,
}

pub(super) fn submit_cmd(
    query: &str,
    args: SubmitArgs,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let found =
        match find(query, clock.clone()).and_then(|f| campaign_for(&f, template).map(|c| (f, c))) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("错误：{}", e.user_message());
                return 2;
            }
        };
    let (found, campaign) = found;
    if let Status::Submitted { receipt } = found.draft.status()
        && !args.again
    {
        let _ = writeln!(
            out,
            "此草稿已报送，没有重复报送（如确需再次报送，请加 --again）。\n"
        );
        let _ = write!(
            out,
            "{}",
            submit::receipt_text(&campaign, &found.draft, receipt)
        );
        return 0;
    }
    if problems_out(&campaign, &found.draft).is_some() {
        return 1;
    }
    let intake = match &args.endpoint {
        Some(url) => Some(Intake::new(url.clone(), args.token.clone())),
        None => {
            let settings = found.data.as_ref().map(DataDir::load_settings);
            if let Some(note) = found
                .data
                .as_ref()
                .and_then(|d| d.token_keeping().user_message())
            {
                eprintln!("注意：{note}");
            }
            let portable = PortableConfig::found_beside_exe();
            effective(
                settings.as_ref().and_then(|s| s.intake.as_ref()),
                portable.as_ref().and_then(|p| p.intake.as_ref()),
                campaign.intake.as_ref(),
            )
            .map(|(i, _)| i)
        }
    };
    // The window's lock and the store's backups, as the window saves (never beside it).
    let held = match Held::take(&found) {
        Ok(Some(held)) => held,
        Ok(None) => return 2,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let save = |draft: &Draft| {
        if let Err(e) = held.save(draft) {
            eprintln!("错误：{}", e.user_message());
        }
    };
    // What the core compares (a confirmed bundle is not sent twice unless --again); as it is on
    // disk under the lock.
    let as_it_was = held.draft().clone();
    let mut draft = held.draft().clone();
    // 报送中 on disk before the first byte (a draft left 报送中 by a kill resumes as it is).
    let submission = match Submission::start(&mut draft, 0, args.again) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 1;
        }
    };
    save(&draft);
    let thumbnail = thumbnails(found.data.as_ref());
    let now = || clock.now();
    let input = SubmitInput {
        campaign: &campaign,
        draft: &as_it_was,
        draft_dir: &found.folder,
        intake: intake.as_ref(),
        thumbnail: &thumbnail,
        options: {
            let defaults = UploadOptions::default();
            UploadOptions {
                give_up_after: Some(Duration::from_secs(args.wait_minutes * 60)),
                chunk: args.chunk_kib.map_or(defaults.chunk, |k| k.max(1) * 1024),
                first_wait: args
                    .retry_ms
                    .map_or(defaults.first_wait, Duration::from_millis),
                ..defaults
            }
        },
        again: args.again,
        now: &now,
    };
    let work = Printed {
        last: Mutex::new(None),
    };
    let result = submit::submit(&input, &work);
    if let Err(e) = &result {
        tracing::error!(error = %e, "submit failed");
    }
    let message = result.as_ref().err().map(SubmitError::user_message);
    // The same ending as the window's (core::submit::Submission).
    let ending = Submission::ending(result, None);
    let receipt = match &ending {
        Ending::Confirmed(receipt) => Some(submit::receipt_text(&campaign, &draft, receipt)),
        _ => None,
    };
    if let Err(e) = submission.end(&mut draft, ending) {
        eprintln!("错误：{}", e.user_message());
        return 2;
    }
    save(&draft);
    match (receipt, message) {
        (Some(text), _) => {
            let _ = write!(out, "{text}");
            0
        }
        (None, message) => {
            eprintln!("错误：{}", message.unwrap_or_default());
            1
        }
    }
}

/// Where `baosong status` looks for the department's review: the pinned key, the intake.
pub(super) struct ReviewLook {
    pub key: Option<String>,
    pub endpoint: Option<String>,
    pub token: Option<String>,
}

pub(super) fn status(
    query: &str,
    look: ReviewLook,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let found = match find(query, clock) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{}", e.user_message());
            return 2;
        }
    };
    let campaign = campaign_for(&found, template).ok();
    let d = &found.draft;
    let _ = writeln!(
        out,
        "草稿 {}（{}）：{}",
        d.id,
        d.display_name(),
        d.status().label()
    );
    match d.status() {
        Status::Submitted { receipt } => {
            if let Some(c) = &campaign {
                let _ = write!(out, "\n{}", submit::receipt_text(c, d, receipt));
            } else {
                let _ = writeln!(
                    out,
                    "确认时间：{}　回执：{}",
                    chinese_date_time(receipt.confirmed_at),
                    receipt.reference
                );
            }
        }
        Status::Failed { reason } => {
            let _ = writeln!(
                out,
                "原因：{reason}\n可运行 baosong submit {} 重新报送（会从中断处继续）。",
                d.id
            );
        }
        Status::Submitting => {
            let state = submit::load_state(&found.folder);
            let _ = writeln!(
                out,
                "上次报送没有完成{}。可运行 baosong submit {} 继续。",
                state
                    .map(|s| format!(
                        "（材料包 {}，{}）",
                        human_bytes(s.bytes),
                        if s.upload_url.is_some() {
                            "服务器已开始接收"
                        } else {
                            "尚未开始上传"
                        }
                    ))
                    .unwrap_or_default(),
                d.id
            );
        }
        _ => {}
    }
    review_lines(d, found.data.as_ref(), look, out);
    0
}

/// What the department said of this draft's sent bundles (looked at the intake first when the
/// key is pinned and there is an address; offline, what this PC last received), its earlier
/// versions, and what is still to do for a 退回修改 being corrected.
fn review_lines(d: &Draft, data: Option<&DataDir>, look: ReviewLook, out: &mut dyn Write) {
    use crate::core::campaign::signing::PublicKey;
    use crate::core::review::{Inbox, channel, review_of};
    let Some(data) = data else {
        return;
    };
    let portable = PortableConfig::found_beside_exe();
    let Some(key) = look
        .key
        .or_else(|| portable.as_ref().and_then(|p| p.campaign_key.clone()))
        .and_then(|k| PublicKey::from_hex(&k).ok())
    else {
        if matches!(d.status(), Status::Submitted { .. }) {
            let _ = writeln!(
                out,
                "（没有市妇联公钥：程序旁 baosong.toml 中没有 campaign_key，也没有用 --key 给出，看不到市妇联的审核结果）"
            );
        }
        return;
    };
    let inbox = Inbox::in_data_dir(data.root());
    let intake = match look.endpoint {
        Some(url) => Some(Intake {
            allow_http: portable
                .as_ref()
                .and_then(|p| p.intake.as_ref())
                .is_some_and(|i| i.allow_http),
            ..Intake::new(url, look.token)
        }),
        // The address from the settings or baosong.toml; a --token given is used with it.
        None => effective(
            data.load_settings().intake.as_ref(),
            portable.as_ref().and_then(|p| p.intake.as_ref()),
            None,
        )
        .map(|(i, _)| match look.token {
            Some(t) => Intake {
                token: Some(t),
                ..i
            },
            None => i,
        }),
    };
    if let Some(intake) = intake
        && let Err(e) = channel::look(&intake, &key, &inbox)
    {
        tracing::info!(error = %e, "reviews not looked at");
        let _ = writeln!(
            out,
            "{}",
            match e {
                crate::core::campaign::channel::ChannelError::ReadRefused { .. } => {
                    "（报送服务器不接受这个访问令牌，看不到新的审核结果：请用 --token 给出本单位的令牌，或在“设置与帮助”中填写。以下是本机上次收到的审核结果）"
                }
                _ => "（未能联系报送服务器，以下是本机上次收到的审核结果）",
            }
        );
    }
    let messages = inbox.messages(&key, std::slice::from_ref(&d.unit.unit));
    let said = |receipt: &crate::core::draft::Receipt| {
        review_of(&messages, &receipt.bundle_sha256).map_or_else(
            || "市妇联已收到，尚未审核".to_string(),
            |m| format!("{}（{}）", m.headline(), chinese_date_time(m.issued_at)),
        )
    };
    for (n, receipt) in d.history.iter().enumerate() {
        let _ = writeln!(
            out,
            "第{}版：{} 报送，回执 {}；市妇联审核：{}",
            n + 1,
            chinese_date_time(receipt.confirmed_at),
            submit::readable_address(&receipt.reference),
            said(receipt)
        );
    }
    if let Status::Submitted { receipt } = d.status() {
        let _ = writeln!(out, "市妇联审核：{}", said(receipt));
        if let Some(m) = review_of(&messages, &receipt.bundle_sha256)
            && let crate::core::review::Body::Review { notes, verdict, .. } = &m.body
        {
            for n in notes {
                let _ = writeln!(out, "  {}", n.line());
            }
            if *verdict == crate::core::review::Verdict::Returned {
                let _ = writeln!(
                    out,
                    "请在窗口中打开这份草稿，点“修改后重新报送”，按意见修改后再报送。"
                );
            }
        }
    } else if let Some(c) = &d.correction {
        let open: Vec<_> = c.open_notes().collect();
        let _ = writeln!(
            out,
            "正在按市妇联的退回意见修改（第{}版）：{}；还有 {} 条意见未处理",
            d.version(),
            if c.reason.is_empty() {
                "见各条意见"
            } else {
                &c.reason
            },
            open.len()
        );
        for (_, n) in open {
            let _ = writeln!(out, "  {}", n.note.line());
        }
    }
}

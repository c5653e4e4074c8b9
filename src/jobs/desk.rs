//! The receiving desk's long work as [`Job`]s — reading a folder of bundles (manifests only),
//! checking them all, opening one, the Excel table, the summary document, the import as a
//! draft. The work itself is core's ([`crate::core::desk`]); these only schedule it. Errors come
//! back typed; the window logs their cause and says their `user_message`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::{Job, Wake};
use crate::core::campaign::signing::DeskKey;
use crate::core::campaign::{Campaign, Intake};
use crate::core::desk::import::{self, ImportError};
use crate::core::desk::opened::{self, Opened};
use crate::core::desk::tally::{self, Found, Tally};
use crate::core::desk::verify::{self, Verdict};
use crate::core::desk::{Bundle, DeskError, xlsx};
use crate::core::draft::Draft;
use crate::core::review::{self, Ledger, Message, Note, channel as reviews, identify};
use crate::core::store::DataDir;
use crate::core::work::Cancelled;

/// A folder read.
pub struct Scanned {
    pub folder: PathBuf,
    pub found: Found,
    pub tally: Tally,
    /// What the desk has published from this PC (reviews, reminders), with when each was seen.
    pub reviews: Vec<(Message, Option<String>)>,
}

pub type ScanJob = Job<Result<Scanned, DeskError>>;

pub fn start_scan(
    folder: PathBuf,
    campaign: Arc<Campaign>,
    data_root: PathBuf,
    wake: Wake,
) -> ScanJob {
    Job::spawn("正在读取材料包", None, wake, move |work| {
        let found = tally::scan(&folder, work)?;
        let mut tally = tally::tally(&campaign, &found);
        let reviews = published(&data_root);
        let messages: Vec<Message> = reviews.iter().map(|(m, _)| m.clone()).collect();
        tally.apply_reviews(&messages);
        Ok(Scanned {
            folder,
            found,
            tally,
            reviews,
        })
    })
}

/// What the desk has published from this PC, verified against its own key.
fn published(data_root: &Path) -> Vec<(Message, Option<String>)> {
    match DeskKey::load(&data_root.join("desk")) {
        Ok(Some(key)) => Ledger::in_data_dir(data_root).messages(&key.public()),
        _ => Vec::new(),
    }
}

/// What the desk sends the units through the intake.
#[derive(Debug, Clone)]
pub enum ReviewRequest {
    /// 通过 / 退回修改 / 已阅 of these bundles (批量通过: several at once).
    Review {
        bundles: Vec<Bundle>,
        verdict: review::Verdict,
        reason: String,
        notes: Vec<Note>,
    },
    /// 催报 to these units.
    Remind { units: Vec<String>, text: String },
    /// 查看提醒情况: what the intake holds, with who has seen what.
    Refresh,
}

/// What a [`ReviewRequest`] did.
#[derive(Debug)]
pub struct Reviewed {
    /// Messages published now.
    pub sent: usize,
    /// Everything the desk has published, with when seen, after it.
    pub messages: Vec<(Message, Option<String>)>,
    /// Why it stopped, in Chinese.
    pub error: Option<String>,
    /// The table given, its 审核 column (and 逾期) from what has been published now — worked
    /// out here, not on the window's thread (it may read a bundle's sha256).
    pub tally: Option<Tally>,
}

pub type ReviewJob = Job<Reviewed>;

/// Publish reviews or reminders (signed with the department's key in `<data>/desk`), or read
/// back who has seen them.
pub fn start_review(
    request: ReviewRequest,
    intake: Option<Intake>,
    data_root: PathBuf,
    campaign_id: String,
    now: DateTime<FixedOffset>,
    tally: Option<Tally>,
    wake: Wake,
) -> ReviewJob {
    let label = match &request {
        ReviewRequest::Review { .. } => "正在发送审核意见",
        ReviewRequest::Remind { .. } => "正在发送提醒",
        ReviewRequest::Refresh => "正在查看提醒情况",
    };
    Job::spawn(label, None, wake, move |work| {
        let mut out = Reviewed {
            sent: 0,
            messages: Vec::new(),
            error: None,
            tally: None,
        };
        let ledger = Ledger::in_data_dir(&data_root);
        let key_dir = data_root.join("desk");
        let result = (|| -> Result<(), String> {
            let intake = intake.ok_or(
                "尚未设置报送地址和收件台令牌：请在“设置与帮助”中填写报送地址和市妇联宣传部的收件台令牌。",
            )?;
            let mut messages = Vec::new();
            match request {
                ReviewRequest::Review {
                    bundles,
                    verdict,
                    reason,
                    notes,
                } => {
                    for b in &bundles {
                        let (unit, sha) = identify(b, work)
                            .map_err(|_| "已取消。".to_string())?
                            .ok_or_else(|| format!("无法读取材料包“{}”。", b.path.display()))?;
                        let name = b
                            .path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let m = Message::review(
                            &unit,
                            &b.manifest.campaign.id,
                            now,
                            (&sha, &name),
                            verdict,
                            &reason,
                            notes.clone(),
                        );
                        m.check()?;
                        messages.push(m);
                    }
                }
                ReviewRequest::Remind { units, text } => {
                    for unit in &units {
                        let m = Message::reminder(unit, &campaign_id, now, &text);
                        m.check()?;
                        messages.push(m);
                    }
                }
                ReviewRequest::Refresh => {
                    let key = DeskKey::load(&key_dir)
                        .ok()
                        .flatten()
                        .ok_or("本机没有市妇联的签名私钥，还没有发送过审核意见或提醒。")?;
                    let all =
                        reviews::all(&intake, &key.public()).map_err(|e| e.review_message())?;
                    let signed: Vec<_> = all.into_iter().map(|(_, s)| s).collect();
                    ledger
                        .merge(&signed)
                        .map_err(|e| format!("无法保存提醒情况：{e}"))?;
                    return Ok(());
                }
            }
            let total = messages.len() as u64;
            for (n, m) in messages.iter().enumerate() {
                if work.should_stop() {
                    return Err(format!("已取消，已发送 {} 条。", out.sent));
                }
                work.progress(label, n as u64, total);
                let signed = reviews::publish(&intake, &key_dir, m).map_err(|e| {
                    tracing::error!(error = %e, "review not published");
                    e.review_message()
                })?;
                if let Err(e) = ledger.record(&signed) {
                    tracing::warn!(error = %e, "the desk's review ledger was not written");
                }
                out.sent += 1;
            }
            Ok(())
        })();
        out.error = result.err();
        out.messages = published(&data_root);
        out.tally = tally.map(|mut t| {
            let messages: Vec<Message> = out.messages.iter().map(|(m, _)| m.clone()).collect();
            t.apply_reviews(&messages);
            t
        });
        out
    })
}

pub type VerifyJob = Job<Result<Vec<(PathBuf, Verdict)>, Cancelled>>;

/// 核对全部材料包.
pub fn start_verify_all(bundles: Vec<Bundle>, wake: Wake) -> VerifyJob {
    Job::spawn("正在核对材料包", None, wake, move |work| {
        let refs: Vec<&Bundle> = bundles.iter().collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let verdicts = verify::verify_all(&refs, threads, work)?;
        Ok(bundles
            .iter()
            .map(|b| b.path.clone())
            .zip(verdicts)
            .collect())
    })
}

pub type OpenJob = Job<Result<Opened, DeskError>>;

/// Open, check and extract the previewable files of the bundle at `path` into `files_dir`.
pub fn start_open(path: PathBuf, files_dir: PathBuf, wake: Wake) -> OpenJob {
    Job::spawn("正在打开材料包", None, wake, move |work| {
        opened::open_for_viewing(&path, &files_dir, work)
    })
}

pub type SaveJob = Job<Result<PathBuf, DeskError>>;

/// 导出 Excel.
pub fn start_xlsx(tally: Tally, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出 Excel", None, wake, move |_| {
        make_parent(&to)?;
        xlsx::write(&tally, &to)?;
        Ok(to)
    })
}

/// 导出汇总文档: the bundle's own summary (汇总.html), for printing.
pub fn start_summary(bundle: Bundle, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出汇总文档", None, wake, move |_| {
        make_parent(&to)?;
        opened::export_summary(&bundle, &to)?;
        Ok(to)
    })
}

pub type ImportJob = Job<Result<Draft, ImportError>>;

/// 导入为草稿, into the window's own data folder (built in a folder of its own, then renamed
/// into the drafts: a crash midway leaves no half-made draft).
pub fn start_import(
    bundle: Bundle,
    campaign: Arc<Campaign>,
    data: DataDir,
    wake: Wake,
) -> ImportJob {
    Job::spawn("正在导入为草稿", None, wake, move |work| {
        import::import(&bundle, &campaign, &data, work)
    })
}

/// The folder a desk export goes into, made if it is not there (the data folder's 收件台导出).
fn make_parent(to: &std::path::Path) -> Result<(), DeskError> {
    match to.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| DeskError::Write {
                path: dir.to_path_buf(),
                source,
            })
        }
        _ => Ok(()),
    }
}

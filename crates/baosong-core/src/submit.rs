//! 一键报送, as one core function: build the bundle (or reuse the one already being sent), send
//! it until the server confirms, and write the receipt. The window and `baosong submit` both run
//! this; they set the draft's status around it (报送中 before, 已报送 / 报送失败 / back to
//! 已完成待报送 after).
//!
//! ```text
//! drafts/<id>/submission/材料包-渝中区妇联-20240310.zip   the bundle being (or last) sent
//! drafts/<id>/submission/upload.json                     where its upload stands (resumable)
//! drafts/<id>/submission/receipt.txt                     the server's confirmation, readable
//! ```

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::bundle::{self, BuildInput, Built, BundleError};
use super::campaign::{Campaign, Intake};
use super::draft::{Draft, Receipt, Status, TransitionError};
use super::intake::IntakeError;
use super::intake::tus::Metadata;
use super::intake::upload::{self, UploadOptions, UploadRequest, UploadState};
use super::store::atomic::write_atomic;
use super::work::Work;

pub const SUBMISSION_DIR: &str = "submission";
pub const UPLOAD_STATE: &str = "upload.json";
pub const RECEIPT_FILE: &str = "receipt.txt";
pub const STAGE_BUILD: &str = "正在打包";

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Upload(#[from] IntakeError),
    #[error("this bundle was confirmed already")]
    AlreadySent(Box<Receipt>),
    #[error("no intake endpoint is set")]
    NoEndpoint,
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SubmitError {
    pub fn user_message(&self) -> String {
        match self {
            Self::Bundle(e) => e.user_message(),
            Self::Upload(e) => e.user_message(),
            Self::AlreadySent(r) => format!(
                "这份材料已经报送过了（{} 确认，回执编号 {}），没有重复报送。如确需再次报送，请选择“仍要重新报送”。",
                crate::dates::chinese_date_time(r.confirmed_at),
                r.reference
            ),
            Self::NoEndpoint => "尚未设置报送地址。请在“设置与帮助”中填写市妇联提供的报送地址，或请信息技术人员在程序旁放置 baosong.toml；网络不通时也可“导出材料包”用 U 盘或邮件报送。".into(),
            Self::Write { path, source } => format!(
                "无法写入“{}”：{}。请检查磁盘空间后重试。",
                path.display(),
                crate::error::io_reason(source)
            ),
        }
    }

    /// 取消 or 暂停 by the clerk.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self,
            Self::Bundle(BundleError::Cancelled) | Self::Upload(IntakeError::Cancelled)
        )
    }
}

/// One 一键报送 in a draft's status, from 报送中 to its end. The window and `baosong submit` both
/// go through it: they start, refuse and record the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// What the draft goes back to if nothing is sent (取消, or this bundle was confirmed before).
    before: Status,
}

/// What the clerk asked for while it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// 暂停: 报送中 stays; 继续报送 resumes from the server's offset.
    Pause,
    /// 取消报送: back to 已完成待报送 (or 已报送, for a re-send).
    Cancel,
}

/// How a sending ended, as the draft records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// The server confirmed: 已报送.
    Confirmed(Box<Receipt>),
    /// Nothing sent: this very bundle was confirmed before. Back to what it was.
    AlreadySent,
    /// 取消报送 took effect.
    Cancelled,
    /// 暂停 (or the window closed): still 报送中.
    Paused,
    /// 报送失败, with the reason the clerk reads.
    Failed(String),
}

impl Submission {
    /// 一键报送 (or 继续报送): the draft becomes 报送中 — or stays so, resuming one left 报送中 by a
    /// closed window, a crash or 暂停. Refused with a problem left, or for a 已报送 draft unless
    /// `again`.
    pub fn start(draft: &mut Draft, problems: usize, again: bool) -> Result<Self, TransitionError> {
        let before = draft.status().clone();
        if before != Status::Submitting {
            draft.start_submitting(problems, again)?;
        }
        Ok(Self {
            before: match before {
                Status::Submitting | Status::Failed { .. } => Status::Ready,
                other => other,
            },
        })
    }

    /// A draft already 报送中 with nothing running (paused, or left by a closed window), for
    /// 取消报送.
    pub fn resumed() -> Self {
        Self {
            before: Status::Ready,
        }
    }

    /// How a run of [`submit`] ended — the same words for the window and the CLI. `stop` is what
    /// the clerk pressed, when a cancelled run ended.
    pub fn ending(result: Result<Receipt, SubmitError>, stop: Option<Stop>) -> Ending {
        match result {
            Ok(receipt) => Ending::Confirmed(Box::new(receipt)),
            Err(SubmitError::AlreadySent(_)) => Ending::AlreadySent,
            Err(e) if e.is_cancelled() => match stop {
                Some(Stop::Cancel) => Ending::Cancelled,
                _ => Ending::Paused,
            },
            Err(e) => Ending::Failed(e.user_message()),
        }
    }

    /// Record the ending in the draft (refused unless it is 报送中).
    pub fn end(&self, draft: &mut Draft, ending: Ending) -> Result<(), TransitionError> {
        match ending {
            Ending::Confirmed(receipt) => draft.submitted(*receipt),
            Ending::AlreadySent | Ending::Cancelled => {
                draft.submission_ended_unsent(self.before.clone())
            }
            Ending::Paused => match draft.status() {
                Status::Submitting => Ok(()),
                _ => Err(TransitionError::NotSubmitting),
            },
            Ending::Failed(reason) => draft.submission_failed(reason),
        }
    }
}

/// What a submission needs.
pub struct SubmitInput<'a> {
    pub campaign: &'a Campaign,
    pub draft: &'a Draft,
    /// `drafts/<id>/`.
    pub draft_dir: &'a Path,
    pub intake: Option<&'a Intake>,
    pub thumbnail: &'a crate::media::thumbs::Thumbnailer,
    pub options: UploadOptions,
    /// Send even if this very bundle was confirmed before (the clerk insists).
    pub again: bool,
    pub now: &'a dyn Fn() -> DateTime<FixedOffset>,
}

pub fn submission_dir(draft_dir: &Path) -> PathBuf {
    draft_dir.join(SUBMISSION_DIR)
}

/// The resume state of a draft's upload, if one was started.
pub fn load_state(draft_dir: &Path) -> Option<UploadState> {
    let bytes = std::fs::read(submission_dir(draft_dir).join(UPLOAD_STATE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn save_state(dir: &Path, state: &UploadState) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    write_atomic(&dir.join(UPLOAD_STATE), &json)
}

/// Check, build, send, confirm: the receipt, or why not.
pub fn submit(input: &SubmitInput<'_>, work: &dyn Work) -> Result<Receipt, SubmitError> {
    let intake = input.intake.ok_or(SubmitError::NoEndpoint)?;
    let dir = submission_dir(input.draft_dir);
    std::fs::create_dir_all(&dir).map_err(|source| SubmitError::Write {
        path: dir.clone(),
        source,
    })?;
    let name = bundle::file_name(input.draft);
    let path = dir.join(&name);
    let built = prepare(input, &path, &dir, work)?;
    if let Status::Submitted { receipt } = input.draft.status()
        && receipt.bundle_sha256 == built.sha256
        && !input.again
    {
        return Err(SubmitError::AlreadySent(Box::new(receipt.clone())));
    }
    // A state of another bundle (the draft changed since) is not resumed.
    let mut state = load_state(input.draft_dir)
        .filter(|s| s.sha256 == built.sha256 && s.endpoint == intake.url)
        .unwrap_or_else(|| UploadState {
            endpoint: intake.url.clone(),
            sha256: built.sha256.clone(),
            bytes: built.bytes,
            built_from: input.draft.updated_at.to_rfc3339(),
            ..UploadState::default()
        });
    let persist = |s: &UploadState| save_state(&dir, s);
    persist(&state).map_err(|source| SubmitError::Write {
        path: dir.join(UPLOAD_STATE),
        source,
    })?;
    let request = UploadRequest {
        intake,
        bundle: &path,
        file_name: &name,
        meta: Metadata {
            filename: name.clone(),
            unit: input.draft.unit.unit.clone(),
            campaign: input.campaign.id.clone(),
            sha256: built.sha256.clone(),
        },
        bytes: built.bytes,
        persist: &persist,
        options: input.options.clone(),
    };
    let confirmed = upload::upload(&request, &mut state, work)?;
    let receipt = Receipt {
        endpoint: intake.url.clone(),
        reference: confirmed.reference,
        confirmed_at: (input.now)(),
        bundle_sha256: built.sha256.clone(),
        bytes: built.bytes,
        protocol: confirmed.protocol.to_string(),
        bundle_name: name,
        app: crate::build_info::VERSION_AND_COMMIT.into(),
    };
    let text = receipt_text(input.campaign, input.draft, &receipt);
    write_atomic(&dir.join(RECEIPT_FILE), text.as_bytes()).map_err(|source| {
        SubmitError::Write {
            path: dir.join(RECEIPT_FILE),
            source,
        }
    })?;
    let _ = std::fs::remove_file(dir.join(UPLOAD_STATE));
    // The server has it: the bundle need not take its size a third time on the clerk's disk
    // (the originals, the draft's copies). The same draft rebuilds it byte for byte (导出材料包),
    // and the receipt keeps its sha256.
    if let Err(e) = std::fs::remove_file(&path) {
        tracing::warn!(path = %path.display(), error = %e, "sent bundle not removed");
    }
    Ok(receipt)
}

/// The bundle to send: the one an interrupted upload was sending, if it is still whole and of
/// this draft as it is; otherwise built afresh (same draft → same bytes).
fn prepare(
    input: &SubmitInput<'_>,
    path: &Path,
    dir: &Path,
    work: &dyn Work,
) -> Result<Built, SubmitError> {
    let version = input.draft.updated_at.to_rfc3339();
    if let Some(state) = load_state(input.draft_dir)
        && state.built_from == version
        && std::fs::metadata(path).is_ok_and(|m| m.len() == state.bytes)
        // The bundle may be mid-upload: it is checked, never rewritten.
        && crate::store::sha256_of(path).as_deref() == Some(state.sha256.as_str())
    {
        return Ok(Built {
            path: path.to_path_buf(),
            sha256: state.sha256,
            bytes: state.bytes,
        });
    }
    // A bundle of an earlier version of the draft is not sent.
    let _ = std::fs::remove_file(dir.join(UPLOAD_STATE));
    work.progress(STAGE_BUILD, 0, 0);
    let build = BuildInput {
        campaign: input.campaign,
        draft: input.draft,
        files_dir: &input.draft_dir.join(crate::store::FILES_DIR),
        thumbnail: input.thumbnail,
    };
    Ok(bundle::build(&build, path, work)?)
}

/// 取消 of a submission: the upload ended on the server (tus), its state forgotten.
pub fn cancel(draft_dir: &Path, intake: Option<&Intake>) -> Result<(), IntakeError> {
    if let (Some(state), Some(intake)) = (load_state(draft_dir), intake) {
        upload::terminate(intake, &state)?;
    }
    let _ = std::fs::remove_file(submission_dir(draft_dir).join(UPLOAD_STATE));
    Ok(())
}

/// `receipt.txt`: what the clerk can copy, print or forward.
pub fn receipt_text(campaign: &Campaign, draft: &Draft, r: &Receipt) -> String {
    // A version sent after 退回修改 says so, and which bundle it replaces.
    let version = match &draft.correction {
        Some(c) if !draft.history.is_empty() => format!(
            "版本：第{}版（按市妇联退回意见修改，替换 SHA-256 为 {} 的材料包）\n",
            draft.version(),
            c.replaces
        ),
        _ => String::new(),
    };
    format!(
        "报送回执\n\n活动：{}\n报送单位：{}\n{version}联系人：{}　电话：{}\n材料包：{}（{}）\n材料：{}\n材料包 SHA-256：{}\n报送地址：{}\n服务器确认：{}\n确认时间：{}（{}）\n\n此回执由报送程序 baosong{} 在服务器确认收到全部材料后生成。\n",
        campaign.title,
        draft.unit.display_name(),
        draft.unit.contact_person,
        draft.unit.phone,
        r.bundle_name,
        crate::units::human_bytes(r.bytes),
        sent_materials(draft),
        r.bundle_sha256,
        readable_address(&r.endpoint),
        readable_address(&r.reference),
        crate::dates::chinese_date_time(r.confirmed_at),
        crate::dates::ZONE_NAME,
        if r.app.is_empty() {
            String::new()
        } else {
            format!(" {}", r.app)
        },
    )
}

/// What went in the bundle, as the clerk counts it: `12 项活动，图片 30 张、视频 2 个、文件 3 个、
/// 链接 1 个`.
fn sent_materials(draft: &Draft) -> String {
    let (mut photos, mut videos, mut documents, mut links) = (0, 0, 0, 0);
    for (_, a) in draft.all_attachments() {
        match (a.file(), a.kind()) {
            (None, _) => links += 1,
            (Some(_), Some(crate::draft::FileKind::Photo)) => photos += 1,
            (Some(_), Some(crate::draft::FileKind::Video)) => videos += 1,
            (Some(_), _) => documents += 1,
        }
    }
    format!(
        "{} 项活动，图片 {photos} 张、视频 {videos} 个、文件 {documents} 个、链接 {links} 个",
        draft.activity_count()
    )
}

/// An address as a person reads it: its percent-encoded parts (`%E6%B8%9D…`) decoded where they
/// are UTF-8, as typed otherwise.
pub fn readable_address(address: &str) -> String {
    percent_encoding::percent_decode_str(address)
        .decode_utf8()
        .map_or_else(|_| address.to_string(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::Campaign;
    use crate::draft::{DraftId, UnitProfile};

    fn draft() -> Draft {
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-08T10:00:00+08:00").unwrap();
        Draft::new(
            DraftId::from("20240308-100000"),
            &Campaign::builtin().unwrap(),
            UnitProfile::default(),
            now,
        )
    }

    fn receipt() -> Receipt {
        Receipt {
            endpoint: "https://example.invalid/files/".into(),
            reference: "r".into(),
            confirmed_at: chrono::DateTime::parse_from_rfc3339("2024-03-08T10:00:00+08:00")
                .unwrap(),
            bundle_sha256: "abc".into(),
            bytes: 1,
            protocol: "tus".into(),
            bundle_name: "材料包.zip".into(),
            app: "0.1.0 (3f9a2c1e7b00)".into(),
        }
    }

    #[test]
    fn the_receipt_reads_as_a_person_reads_it() {
        let campaign = Campaign::builtin().unwrap();
        let mut d = draft();
        let id = d.add_activity("p1-1");
        let _ = id;
        d.general.push(crate::draft::Attachment {
            id: "f1".into(),
            caption: String::new(),
            added_at: d.updated_at,
            material: crate::draft::Material::Link(crate::draft::Link {
                url: "https://mp.weixin.qq.com/s/x".into(),
                platform: "微信公众号".into(),
                title: String::new(),
            }),
        });
        let mut r = receipt();
        r.reference =
            "https://intake.example/files/20240310-101502-%E6%B8%9D%E4%B8%AD%E5%8C%BA%E5%A6%87%E8%81%94-3f9c1a"
                .into();
        // Confirmed at 02:00 UTC: 10:00 in China.
        r.confirmed_at = chrono::DateTime::parse_from_rfc3339("2024-03-10T02:00:00+00:00").unwrap();
        let text = receipt_text(&campaign, &d, &r);
        assert!(
            text.contains(
                "服务器确认：https://intake.example/files/20240310-101502-渝中区妇联-3f9c1a"
            ),
            "{text}"
        );
        assert!(
            text.contains("确认时间：2024年3月10日 10:00（北京时间）"),
            "{text}"
        );
        assert!(
            text.contains("材料：1 项活动，图片 0 张、视频 0 个、文件 0 个、链接 1 个"),
            "{text}"
        );
        // Not UTF-8 once decoded: shown as it came.
        assert_eq!(readable_address("https://x/%FF%FE"), "https://x/%FF%FE");
        // The program that got the confirmation, kept with the receipt; none for a receipt from
        // before it was kept (not the version that shows it now).
        assert!(
            text.ends_with(
                "此回执由报送程序 baosong 0.1.0 (3f9a2c1e7b00) 在服务器确认收到全部材料后生成。\n"
            ),
            "{text}"
        );
        r.app.clear();
        assert!(
            receipt_text(&campaign, &d, &r)
                .ends_with("此回执由报送程序 baosong 在服务器确认收到全部材料后生成。\n")
        );
    }

    fn at(status: &str) -> Draft {
        let mut d = draft();
        let now = d.updated_at;
        match status {
            "草稿" => {}
            "已完成待报送" => d.mark_ready(0, now).unwrap(),
            "报送中" => d.start_submitting(0, false).unwrap(),
            "已报送" => {
                d.start_submitting(0, false).unwrap();
                d.submitted(receipt()).unwrap();
            }
            "报送失败" => {
                d.start_submitting(0, false).unwrap();
                d.submission_failed("断网".into()).unwrap();
            }
            _ => unreachable!(),
        }
        assert_eq!(d.status().label(), status);
        d
    }

    const NOT_SENDING: [&str; 4] = ["草稿", "已完成待报送", "已报送", "报送失败"];

    #[test]
    fn an_ending_is_refused_unless_the_draft_is_being_sent() {
        for from in NOT_SENDING {
            let s = Submission::resumed();
            for ending in [
                Ending::Confirmed(Box::new(receipt())),
                Ending::AlreadySent,
                Ending::Cancelled,
                Ending::Paused,
                Ending::Failed("断网".into()),
            ] {
                let mut d = at(from);
                let before = d.clone();
                assert_eq!(
                    s.end(&mut d, ending.clone()),
                    Err(TransitionError::NotSubmitting),
                    "{ending:?} from {from}"
                );
                assert_eq!(d, before, "nothing changed");
            }
            let mut d = at(from);
            assert_eq!(d.submitted(receipt()), Err(TransitionError::NotSubmitting));
            assert_eq!(
                d.submission_failed("x".into()),
                Err(TransitionError::NotSubmitting)
            );
            assert_eq!(
                d.submission_ended_unsent(Status::Ready),
                Err(TransitionError::NotSubmitting)
            );
        }
    }

    #[test]
    fn a_start_is_refused_when_it_cannot_be_sent() {
        // With a problem left; a 已报送 draft without 仍要重新报送.
        let mut d = at("已完成待报送");
        assert_eq!(
            Submission::start(&mut d, 2, false),
            Err(TransitionError::HasProblems(2))
        );
        let mut d = at("已报送");
        assert_eq!(
            Submission::start(&mut d, 0, false),
            Err(TransitionError::AlreadySubmitted)
        );
        assert!(Submission::start(&mut d, 0, true).is_ok(), "仍要重新报送");
        // 报送中 left by a closed window resumes as it is.
        let mut d = at("报送中");
        assert!(Submission::start(&mut d, 0, false).is_ok());
        assert_eq!(*d.status(), Status::Submitting);
        // Nothing can be edited or marked ready meanwhile, nor once sent.
        for from in ["报送中", "已报送"] {
            let mut d = at(from);
            let now = d.updated_at;
            assert!(d.mark_edited(now).is_err(), "edit {from}");
            assert!(d.mark_ready(0, now).is_err(), "ready {from}");
        }
    }

    #[test]
    fn endings_go_where_the_window_and_the_cli_both_expect() {
        let mut d = at("已完成待报送");
        let s = Submission::start(&mut d, 0, false).unwrap();
        s.end(&mut d, Ending::Paused).unwrap();
        assert_eq!(*d.status(), Status::Submitting, "暂停 stays 报送中");
        s.end(&mut d, Ending::Cancelled).unwrap();
        assert_eq!(*d.status(), Status::Ready);

        // A re-send cancelled goes back to 已报送, with its receipt.
        let mut d = at("已报送");
        let s = Submission::start(&mut d, 0, true).unwrap();
        s.end(&mut d, Ending::AlreadySent).unwrap();
        assert!(matches!(d.status(), Status::Submitted { .. }));

        // 报送失败 then 重新报送 then 取消: 已完成待报送.
        let mut d = at("报送失败");
        let s = Submission::start(&mut d, 0, false).unwrap();
        s.end(&mut d, Ending::Cancelled).unwrap();
        assert_eq!(*d.status(), Status::Ready);

        // The mapping of a run's result.
        assert_eq!(
            Submission::ending(Err(SubmitError::NoEndpoint), None),
            Ending::Failed(SubmitError::NoEndpoint.user_message())
        );
        let cancelled = || Err(SubmitError::Upload(IntakeError::Cancelled));
        assert_eq!(Submission::ending(cancelled(), None), Ending::Paused);
        assert_eq!(
            Submission::ending(cancelled(), Some(Stop::Cancel)),
            Ending::Cancelled
        );
        assert_eq!(
            Submission::ending(Ok(receipt()), None),
            Ending::Confirmed(Box::new(receipt()))
        );
    }
}

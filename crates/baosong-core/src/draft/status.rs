//! Where a draft is in its life — 草稿, 已完成待报送, 报送中, 已报送, 报送失败 — and the named
//! transitions that alone change it (the field is private to the draft): each refuses a step
//! that cannot happen, with a [`TransitionError`].

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Draft;

/// Where a draft is in its life. Changed only through the named transitions on [`Draft`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// 草稿: being filled in.
    #[default]
    Draft,
    /// 已完成待报送: checked, nothing missing, waiting to be sent.
    Ready,
    /// 报送中: an upload has started.
    Submitting,
    /// 已报送: the server confirmed it.
    Submitted { receipt: Receipt },
    /// 报送失败: the last upload failed, with the reason.
    Failed { reason: String },
}

/// The server's confirmation of a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub endpoint: String,
    /// The tus upload's address, or what the plain server called it.
    pub reference: String,
    pub confirmed_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub bundle_sha256: String,
    #[serde(default)]
    pub bytes: u64,
    /// `tus` or `multipart`.
    #[serde(default)]
    pub protocol: String,
    #[serde(default)]
    pub bundle_name: String,
    /// The program that got the confirmation: `0.1.0 (1a2b3c4d5e6f)` ([`crate::build_info`]);
    /// empty in receipts from before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app: String,
}

impl Status {
    /// The word the clerk reads.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Ready => "已完成待报送",
            Self::Submitting => "报送中",
            Self::Submitted { .. } => "已报送",
            Self::Failed { .. } => "报送失败",
        }
    }
}

/// Why a transition was refused. `Display` is for the log; [`TransitionError::user_message`]
/// is what the clerk reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{0} problems left, cannot mark as ready")]
    HasProblems(usize),
    #[error("the draft was submitted and cannot change")]
    AlreadySubmitted,
    #[error("the draft is being submitted")]
    Submitting,
    #[error("the draft is not being submitted")]
    NotSubmitting,
    #[error("the review is not a 退回修改 of this draft's last bundle")]
    NotReturned,
}

impl TransitionError {
    pub fn user_message(&self) -> String {
        match self {
            Self::HasProblems(n) => format!("还有 {n} 个问题需要修改，暂不能标记为已完成。"),
            Self::AlreadySubmitted => "此草稿已报送，不能再修改；如需补充，请复制为新草稿。".into(),
            Self::Submitting => "此草稿正在报送，请等待报送结束。".into(),
            Self::NotSubmitting => {
                "此草稿不在报送中，报送结果没有记录。请查看草稿的状态后重试。".into()
            }
            Self::NotReturned => {
                "市妇联没有退回这份草稿最后报送的材料包，不能按退回意见修改。".into()
            }
        }
    }
}

/// What an edit did to the draft's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// Nothing changed in its status.
    Quietly,
    /// It was 已完成待报送 (or 报送失败) and is a 草稿 again: it must be checked again.
    BackToDraft,
}

impl Draft {
    /// Can the clerk change it? Not while sending, not once sent.
    pub fn is_editable(&self) -> bool {
        !matches!(self.status, Status::Submitting | Status::Submitted { .. })
    }

    /// Something was changed: a checked draft must be checked again.
    pub fn mark_edited(&mut self, now: DateTime<FixedOffset>) -> Result<Edited, TransitionError> {
        let edited = match self.status {
            Status::Submitted { .. } => return Err(TransitionError::AlreadySubmitted),
            Status::Submitting => return Err(TransitionError::Submitting),
            Status::Ready | Status::Failed { .. } => {
                self.status = Status::Draft;
                Edited::BackToDraft
            }
            Status::Draft => Edited::Quietly,
        };
        self.updated_at = now;
        Ok(edited)
    }

    /// 草稿 → 已完成待报送, only when the check found nothing.
    pub fn mark_ready(
        &mut self,
        problem_count: usize,
        now: DateTime<FixedOffset>,
    ) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitted { .. } => Err(TransitionError::AlreadySubmitted),
            Status::Submitting => Err(TransitionError::Submitting),
            _ if problem_count > 0 => Err(TransitionError::HasProblems(problem_count)),
            _ => {
                self.status = Status::Ready;
                self.updated_at = now;
                Ok(())
            }
        }
    }

    /// 一键报送 starts: 已完成待报送 (or 报送失败, or a checked 草稿) → 报送中. A 已报送 draft is sent
    /// again only when `again` (the clerk insists). Nothing can be edited meanwhile.
    pub fn start_submitting(
        &mut self,
        problem_count: usize,
        again: bool,
    ) -> Result<(), TransitionError> {
        match &self.status {
            Status::Submitting => Err(TransitionError::Submitting),
            Status::Submitted { .. } if !again => Err(TransitionError::AlreadySubmitted),
            _ if problem_count > 0 => Err(TransitionError::HasProblems(problem_count)),
            Status::Submitted { receipt } => {
                // 仍要重新报送: the confirmed send is kept in the history first, so a re-send
                // that ends unsent after a restart (its `before` forgotten) loses no receipt.
                self.history.push(receipt.clone());
                self.status = Status::Submitting;
                Ok(())
            }
            _ => {
                self.status = Status::Submitting;
                Ok(())
            }
        }
    }

    /// Where the draft stands: 草稿, 已完成待报送, 报送中, 已报送, 报送失败.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The server confirmed: 报送中 → 已报送, with its receipt.
    pub fn submitted(&mut self, receipt: Receipt) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = Status::Submitted { receipt };
        Ok(())
    }

    /// The upload failed for good: 报送中 → 报送失败, with the reason (重新报送 resumes).
    pub fn submission_failed(&mut self, reason: String) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = Status::Failed { reason };
        Ok(())
    }

    /// 取消, or nothing to send (this very bundle was confirmed before): 报送中 → 已完成待报送,
    /// or back to 已报送 when it was a re-send.
    pub fn submission_ended_unsent(&mut self, before: Status) -> Result<(), TransitionError> {
        self.while_submitting()?;
        self.status = match before {
            Status::Submitted { ref receipt } => {
                // Back to the confirmed send: no longer an earlier version of itself.
                if self.history.last() == Some(receipt) {
                    self.history.pop();
                }
                before
            }
            _ => Status::Ready,
        };
        Ok(())
    }

    /// 退回修改 → 修改后重新报送: the sent draft opens as a new version (草稿), its receipt kept in
    /// the history, the department's reason and notes kept with it until it is sent again.
    /// Only a 退回修改 of the very bundle this draft last sent.
    pub fn reopen_for_correction(
        &mut self,
        review: &crate::review::Message,
        now: DateTime<FixedOffset>,
    ) -> Result<(), TransitionError> {
        let Status::Submitted { receipt } = &self.status else {
            return Err(match self.status {
                Status::Submitting => TransitionError::Submitting,
                _ => TransitionError::NotReturned,
            });
        };
        let crate::review::Body::Review {
            bundle_sha256,
            verdict: crate::review::Verdict::Returned,
            reason,
            notes,
            ..
        } = &review.body
        else {
            return Err(TransitionError::NotReturned);
        };
        if !receipt.bundle_sha256.eq_ignore_ascii_case(bundle_sha256) {
            return Err(TransitionError::NotReturned);
        }
        self.history.push(receipt.clone());
        self.correction = Some(super::Correction {
            replaces: bundle_sha256.clone(),
            review: review.id.clone(),
            issued_at: review.issued_at,
            reason: reason.clone(),
            notes: notes
                .iter()
                .map(|n| super::CorrectionNote {
                    note: n.clone(),
                    addressed: false,
                })
                .collect(),
        });
        self.status = Status::Draft;
        self.updated_at = now;
        Ok(())
    }

    /// The version this draft is at: 1, then one more for each version sent before.
    pub fn version(&self) -> usize {
        self.history.len() + 1
    }

    fn while_submitting(&self) -> Result<(), TransitionError> {
        match self.status {
            Status::Submitting => Ok(()),
            _ => Err(TransitionError::NotSubmitting),
        }
    }
}

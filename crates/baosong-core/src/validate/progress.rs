//! Each pillar's and item's progress as the task list shows it: 未开始 / 进行中 / 已完成 /
//! 未开展 / 有问题, as far as [`Reveal`] lets the clerk see its problems.

use super::{Report, Reveal};
use crate::campaign::Campaign;
use crate::draft::{Draft, ItemAnswer};

/// The progress of a pillar or an item, as the task list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotStarted,
    InProgress,
    Done,
    /// 本项未开展, with an acceptable reason.
    NotCarriedOut,
    HasProblems,
}

impl Progress {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开始",
            Self::InProgress => "进行中",
            Self::Done => "已完成",
            Self::NotCarriedOut => "未开展",
            Self::HasProblems => "有问题",
        }
    }
}

/// The progress of one item, as far as `reveal` lets the clerk see its problems.
pub fn item_progress(
    report: &Report,
    reveal: &Reveal<'_>,
    draft: &Draft,
    item_id: &str,
) -> Progress {
    let answer = draft.answer(item_id);
    if answer.is_none_or(ItemAnswer::is_untouched) {
        return Progress::NotStarted;
    }
    let mut problems = report.in_item(item_id).peekable();
    if problems.peek().is_none() {
        return if answer.is_some_and(|a| a.not_carried_out) {
            Progress::NotCarriedOut
        } else {
            Progress::Done
        };
    }
    if problems.any(|p| reveal.shows(&p.target)) {
        Progress::HasProblems
    } else {
        Progress::InProgress
    }
}

/// The progress of a pillar: 未开始 when no item was touched, 已完成 when every item is done
/// (or not carried out), 有问题 when an item shows a problem, 进行中 otherwise.
pub fn pillar_progress(
    campaign: &Campaign,
    report: &Report,
    reveal: &Reveal<'_>,
    draft: &Draft,
    pillar: usize,
) -> Progress {
    let Some(p) = campaign.pillars.get(pillar) else {
        return Progress::NotStarted;
    };
    let states: Vec<Progress> = p
        .items
        .iter()
        .map(|it| item_progress(report, reveal, draft, it.id.as_str()))
        .collect();
    if states.iter().all(|s| *s == Progress::NotStarted) {
        Progress::NotStarted
    } else if states
        .iter()
        .all(|s| matches!(s, Progress::Done | Progress::NotCarriedOut))
    {
        Progress::Done
    } else if states.contains(&Progress::HasProblems) {
        Progress::HasProblems
    } else {
        Progress::InProgress
    }
}

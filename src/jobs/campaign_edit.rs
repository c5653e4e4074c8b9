//! The campaign editor's file and network work, as [`Job`]s: a notice read, a template opened,
//! saved (atomically), or signed and published through the intake.

use std::path::PathBuf;

use super::{Job, Wake};
use crate::core::campaign::channel::{Published, publish_from};
use crate::core::campaign::notice::{NoticeReading, read_notice_file};
use crate::core::campaign::signing::DeskKey;
use crate::core::campaign::{Campaign, Intake};
use crate::core::store::atomic::write_atomic;

/// What one of the editor's jobs came to; the error is the Chinese sentence to show.
#[derive(Debug)]
pub enum EditorDone {
    Read(Result<NoticeReading, String>),
    Opened(PathBuf, Result<Campaign, String>),
    Saved(Result<PathBuf, String>),
    Units(Result<Vec<String>, String>),
    /// What the editor held when the window last closed unsaved, if anything.
    Restored(Option<Campaign>),
    /// Published: what the intake holds now, and whether the key was made for it.
    Published(Result<(Published, bool, String), String>),
}

pub type EditorJob = Job<EditorDone>;

pub fn read(path: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn("正在读取通知…", None, wake, move |_| {
        EditorDone::Read(read_notice_file(&path).map_err(|e| e.user_message()))
    })
}

/// Where the editor's unsaved template is kept when the window closes.
pub const UNSAVED: &str = "活动编辑-未保存.json";

/// The template left unsaved when the window last closed (then removed: the editor holds it).
pub fn restore(desk_dir: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn(
        "正在恢复未保存的活动编辑…",
        None,
        wake,
        move |_| {
            let path = desk_dir.join(UNSAVED);
            let found = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<Campaign>(&text).ok());
            if found.is_some()
                && let Err(e) = std::fs::remove_file(&path)
            {
                tracing::warn!(error = %e, "cannot remove the restored editor file");
            }
            EditorDone::Restored(found)
        },
    )
}

/// Keep the editor's unsaved template for the next start (closing the window: waited for).
pub fn keep_unsaved(desk_dir: &std::path::Path, campaign: &Campaign) -> std::io::Result<()> {
    std::fs::create_dir_all(desk_dir)?;
    let json = serde_json::to_vec_pretty(campaign).map_err(std::io::Error::other)?;
    write_atomic(&desk_dir.join(UNSAVED), &json)
}

pub fn units(path: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn("正在读取单位名单…", None, wake, move |_| {
        EditorDone::Units(crate::core::campaign::units_file::read_units(&path))
    })
}

pub fn open(path: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn("正在打开模板…", None, wake, move |_| {
        // A template with unread fields is a draft of the editor's own: opened as it is.
        let campaign = std::fs::read_to_string(&path)
            .map_err(|e| format!("无法读取“{}”：{e}", path.display()))
            .and_then(|text| {
                Campaign::from_json_str(
                    text.trim_start_matches('\u{feff}'),
                    &path.display().to_string(),
                )
                .or_else(|e| {
                    serde_json::from_str::<Campaign>(text.trim_start_matches('\u{feff}'))
                        .ok()
                        .filter(|c| !c.unread.is_empty())
                        .ok_or_else(|| e.user_message())
                })
            });
        EditorDone::Opened(path, campaign)
    })
}

pub fn save(campaign: Campaign, to: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn("正在保存模板…", None, wake, move |_| {
        let result = serde_json::to_string_pretty(&campaign)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                write_atomic(&to, format!("{json}\n").as_bytes())
                    .map_err(|e| format!("无法保存到“{}”：{e}", to.display()))
            })
            .map(|()| to);
        EditorDone::Saved(result)
    })
}

pub fn publish_it(campaign: Campaign, intake: Intake, key_dir: PathBuf, wake: Wake) -> EditorJob {
    Job::spawn("正在签名并发布…", None, wake, move |_| {
        let result = publish_from(&intake, &key_dir, &campaign)
            .map_err(|e| {
                tracing::warn!(error = %e, "publish from the editor failed");
                e.user_message()
            })
            .map(|(p, made)| {
                let public = DeskKey::load(&key_dir)
                    .ok()
                    .flatten()
                    .map(|k| k.public().to_hex())
                    .unwrap_or_default();
                (p, made, public)
            });
        EditorDone::Published(result)
    })
}

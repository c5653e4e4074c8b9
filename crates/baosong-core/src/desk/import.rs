//! 导入为草稿: a bundle taken back in as a new, editable draft — a clerk moving to another PC,
//! or the department correcting and re-sending on a unit's behalf. Answers, activities,
//! captions, links and files come back; each file is copied out of the zip under a name of our
//! own (never the entry's), checked against the manifest's sha256 on the way, and its kind
//! decided again by its content. Anything wrong and the half-made draft is removed: nothing is
//! imported halfway.

use std::sync::atomic::AtomicU64;

use super::verify::{FileState, check_copying};
use super::{Bundle, DeskError, Listed};
use crate::bundle::{AttachmentEntry, Manifest};
use crate::campaign::Campaign;
use crate::draft::{Attachment, Draft, Link, Material, StoredFile, UnitProfile};
use crate::error::CoreError;
use crate::ids::ItemId;
use crate::media::{MediaError, identify, import::stored_name};
use crate::store::atomic::AtomicFile;
use crate::store::{DataDir, FILES_DIR, modified_ms};
use crate::work::Work;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("bundle of campaign {bundle}, template is {template}")]
    Foreign { bundle: String, template: String },
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("{name} does not match the manifest's sha256")]
    Damaged { name: String },
    /// A file that could not be read out of the zip, with the reason (in Chinese).
    #[error("unreadable: {0}")]
    Unreadable(String),
    #[error("{name}: {source}")]
    NotMedia { name: String, source: MediaError },
    #[error("cannot write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl ImportError {
    pub fn user_message(&self) -> String {
        match self {
            Self::Foreign { bundle, template } => format!(
                "这个材料包属于“{bundle}”，与本程序正在使用的活动模板“{template}”不同，不能导入为草稿。"
            ),
            Self::Desk(e) => e.user_message(),
            Self::Core(e) => e.user_message(),
            Self::Damaged { name } => format!(
                "材料包中的“{name}”与清单的校验值不符（已被改动或损坏），没有导入。请让报送单位重新报送。"
            ),
            Self::Unreadable(why) => why.clone(),
            Self::NotMedia { name, source } => {
                format!("材料包中的“{name}”无法导入：{}", source.user_message())
            }
            Self::Write { path, source } => format!(
                "无法写入“{}”：{}。请检查磁盘空间后重试。",
                path.display(),
                crate::error::io_reason(source)
            ),
        }
    }
}

/// Import `bundle` as a new draft in `data`. On any error nothing is left behind.
pub fn import(
    bundle: &Bundle,
    campaign: &Campaign,
    data: &DataDir,
    work: &dyn Work,
) -> Result<Draft, ImportError> {
    let m = &bundle.manifest;
    if m.campaign.id != campaign.id {
        return Err(ImportError::Foreign {
            bundle: m.campaign.title.clone(),
            template: campaign.title.clone(),
        });
    }
    let unit = UnitProfile {
        unit: m.unit.name.clone(),
        typed: m.unit.typed,
        contact_person: m.unit.contact_person.clone(),
        phone: m.unit.phone.clone(),
    };
    // Made whole in a folder of its own, then renamed into the drafts: a crash or an error
    // midway leaves no half-made draft.
    data.create_whole(campaign, unit, |draft, building| {
        fill(
            bundle,
            campaign,
            data,
            draft,
            &building.join(FILES_DIR),
            work,
        )
    })
}

fn fill(
    bundle: &Bundle,
    campaign: &Campaign,
    data: &DataDir,
    draft: &mut Draft,
    files_dir: &std::path::Path,
    work: &dyn Work,
) -> Result<(), ImportError> {
    let m: &Manifest = &bundle.manifest;
    let now = data.now();
    let total: u64 = bundle.listed().iter().map(|l| l.bytes).sum();
    let done = AtomicU64::new(0);
    let copy = |draft: &mut Draft, a: &AttachmentEntry| -> Result<Attachment, ImportError> {
        let id = draft.reserve_attachment_id();
        let material = match (&a.path, &a.url) {
            (Some(_), _) => {
                Material::File(extract(bundle, a, &id, files_dir, (&done, total), work)?)
            }
            (None, Some(url)) => Material::Link(Link {
                url: url.clone(),
                platform: a.platform.clone().unwrap_or_default(),
                title: a.title.clone().unwrap_or_default(),
            }),
            (None, None) => {
                return Err(ImportError::Desk(DeskError::BadManifest {
                    path: bundle.path.clone(),
                    detail: format!("attachment {} has neither path nor url", a.id),
                }));
            }
        };
        Ok(Attachment {
            id,
            caption: a.caption.clone(),
            added_at: now,
            material,
        })
    };
    for pillar in &m.pillars {
        for item in &pillar.items {
            // Only the template's items: a bundle cannot add items of its own.
            if !campaign
                .pillars
                .iter()
                .any(|p| p.items.iter().any(|i| i.id.as_str() == item.id))
            {
                continue;
            }
            let item_id = ItemId::from(item.id.as_str());
            {
                let answer = draft.answer_mut(item_id.as_str());
                answer.not_carried_out = item.not_carried_out;
                answer.reason = item.reason.clone();
            }
            for activity in &item.activities {
                let mut attachments = Vec::new();
                for a in &activity.attachments {
                    attachments.push(copy(draft, a)?);
                }
                let id = draft.add_activity(item_id.as_str());
                if let Some(new) = draft.activity_mut(item_id.as_str(), id.as_str()) {
                    new.title = activity.title.clone();
                    new.date = activity.date.clone();
                    new.place = activity.place.clone();
                    new.organiser = activity.organiser.clone();
                    new.participants = activity.participants.clone();
                    new.summary = activity.summary.clone();
                    new.attachments = attachments;
                }
            }
        }
    }
    for a in &m.general {
        let attachment = copy(draft, a)?;
        draft.general.push(attachment);
    }
    draft.name = format!("{}（从材料包导入）", m.unit.name);
    draft.updated_at = now;
    Ok(())
}

/// Copy one file of the bundle into `files_dir` under a name of our own, checked against the
/// manifest's sha256 on the way (the copy appears only when intact), its kind decided again by
/// its content.
fn extract(
    bundle: &Bundle,
    a: &AttachmentEntry,
    id: &crate::draft::AttachmentId,
    files_dir: &std::path::Path,
    progress: (&AtomicU64, u64),
    work: &dyn Work,
) -> Result<StoredFile, ImportError> {
    let path = a.path.as_deref().unwrap_or_default();
    let name = a.original_name.clone().unwrap_or_else(|| path.to_string());
    let bytes = a.bytes.unwrap_or(0);
    let Some(sha256) = a.sha256.as_deref() else {
        return Err(ImportError::Damaged { name });
    };
    let listed = Listed {
        place: String::new(),
        attachment: a,
        path,
        bytes,
        sha256,
    };
    // Named by us; the extension is set from the content below.
    let first = files_dir.join(stored_name(id, "bin"));
    let write_err = |source| ImportError::Write {
        path: first.clone(),
        source,
    };
    let mut file = AtomicFile::create(&first).map_err(write_err)?;
    let stage = format!("正在导入“{name}”");
    let (done, total) = progress;
    match check_copying(bundle, &listed, &mut file, &stage, done, total, work) {
        None => return Err(DeskError::Cancelled.into()),
        Some(FileState::Intact) => {}
        Some(FileState::Missing) => {
            return Err(DeskError::Absent {
                path: bundle.path.clone(),
                entry: path.to_string(),
            }
            .into());
        }
        Some(FileState::Changed) => return Err(ImportError::Damaged { name }),
        Some(FileState::Unreadable(why)) => return Err(ImportError::Unreadable(why)),
    }
    file.commit().map_err(write_err)?;
    let format = identify(&first).map_err(|source| {
        let _ = std::fs::remove_file(&first);
        ImportError::NotMedia {
            name: name.clone(),
            source,
        }
    })?;
    let stored = stored_name(id, format.name);
    let last = files_dir.join(&stored);
    std::fs::rename(&first, &last).map_err(|source| ImportError::Write {
        path: last.clone(),
        source,
    })?;
    let modified = std::fs::metadata(&last)
        .and_then(|m| m.modified())
        .map(modified_ms)
        .unwrap_or_default();
    Ok(StoredFile {
        kind: Some(format.kind),
        format: format.name.to_string(),
        original_name: name,
        stored_name: stored,
        bytes,
        sha256: sha256.to_string(),
        modified_ms: modified,
        location_removed: a.location_removed,
        location_kept: false,
        info: a.info.clone().unwrap_or_default(),
    })
}

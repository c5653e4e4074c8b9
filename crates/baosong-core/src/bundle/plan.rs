//! The plan of a bundle: from a draft and its campaign, the manifest and the files in the order
//! they go into the zip, each under its place's folder.

use std::collections::HashMap;

use super::manifest::*;
use super::names::{self, Folder};
use super::{BUNDLE_SCHEMA, GENERAL_FOLDER};
use crate::campaign::Campaign;
use crate::draft::{Attachment, Draft, FileKind, Material};
use crate::validate::participant_count;

/// The manifest and the files of a draft, in the order they go into the zip.
pub fn plan(campaign: &Campaign, draft: &Draft) -> (Manifest, Vec<FileEntry>) {
    let mut files = Vec::new();
    let mut totals = Totals::default();
    let mut folders: HashMap<String, Folder> = HashMap::new();
    let mut entry =
        |folder: &str, a: &Attachment, totals: &mut Totals, files: &mut Vec<FileEntry>| {
            attachment_entry(
                folder,
                a,
                totals,
                files,
                folders.entry(folder.to_string()).or_default(),
            )
        };
    let mut pillars = Vec::new();
    for pillar in &campaign.pillars {
        let pillar_folder = names::component(&pillar.heading());
        let mut items = Vec::new();
        for item in &pillar.items {
            let answer = draft.answer(item.id.as_str()).cloned().unwrap_or_default();
            let item_folder = format!("{pillar_folder}/{}", names::component(&item.title));
            let activities = if answer.not_carried_out {
                Vec::new()
            } else {
                answer
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(n, a)| {
                        totals.activities += 1;
                        let count = participant_count(&a.participants);
                        totals.participants += count.unwrap_or(0);
                        let title = if a.title.trim().is_empty() {
                            "未命名"
                        } else {
                            a.title.trim()
                        };
                        let folder =
                            format!("{item_folder}/{:02} {}", n + 1, names::component(title));
                        ActivityEntry {
                            id: a.id.to_string(),
                            title: a.title.clone(),
                            date: a.date.clone(),
                            place: a.place.clone(),
                            organiser: a.organiser.clone(),
                            participants: a.participants.clone(),
                            participant_count: count,
                            summary: a.summary.clone(),
                            attachments: a
                                .attachments
                                .iter()
                                .map(|att| entry(&folder, att, &mut totals, &mut files))
                                .collect(),
                        }
                    })
                    .collect()
            };
            items.push(ItemEntry {
                id: item.id.to_string(),
                number: item.number.clone(),
                title: item.title.clone(),
                not_carried_out: answer.not_carried_out,
                reason: if answer.not_carried_out {
                    answer.reason.clone()
                } else {
                    String::new()
                },
                activities,
            });
        }
        pillars.push(PillarEntry {
            id: pillar.id.clone(),
            heading: pillar.heading(),
            items,
        });
    }
    let general = draft
        .general
        .iter()
        .map(|a| entry(GENERAL_FOLDER, a, &mut totals, &mut files))
        .collect();
    let manifest = Manifest {
        schema: BUNDLE_SCHEMA.into(),
        app: AppInfo {
            name: "baosong".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        campaign: CampaignInfo {
            id: campaign.id.clone(),
            title: campaign.title.clone(),
            year: campaign.year,
            deadline: campaign.deadline,
        },
        draft: DraftInfo {
            id: draft.id.to_string(),
            created_at: draft.created_at,
            updated_at: draft.updated_at,
            replaces: draft.correction.as_ref().map(|c| c.replaces.clone()),
            version: draft
                .correction
                .as_ref()
                .map(|_| u32::try_from(draft.version()).unwrap_or(u32::MAX)),
        },
        unit: UnitInfo {
            name: draft.unit.unit.clone(),
            typed: draft.unit.typed,
            contact_person: draft.unit.contact_person.clone(),
            phone: draft.unit.phone.clone(),
        },
        pillars,
        general,
        totals,
    };
    (manifest, files)
}

fn attachment_entry(
    folder: &str,
    a: &Attachment,
    totals: &mut Totals,
    files: &mut Vec<FileEntry>,
    names: &mut Folder,
) -> AttachmentEntry {
    match &a.material {
        Material::File(f) => {
            let zip_path = format!("{folder}/{}", names.unique(&f.original_name));
            match f.kind {
                Some(FileKind::Photo) => totals.photos += 1,
                Some(FileKind::Video) => totals.videos += 1,
                _ => totals.documents += 1,
            }
            totals.file_bytes += f.bytes;
            files.push(FileEntry {
                zip_path: zip_path.clone(),
                file: f.clone(),
            });
            AttachmentEntry {
                id: a.id.to_string(),
                kind: match f.kind {
                    Some(FileKind::Photo) => "photo",
                    Some(FileKind::Video) => "video",
                    _ => "document",
                }
                .into(),
                caption: a.caption.clone(),
                path: Some(zip_path),
                format: Some(f.format.clone()),
                original_name: Some(f.original_name.clone()),
                bytes: Some(f.bytes),
                sha256: Some(f.sha256.clone()),
                location_removed: f.location_removed,
                info: Some(f.info.clone()),
                ..AttachmentEntry::default()
            }
        }
        Material::Link(l) => {
            totals.links += 1;
            AttachmentEntry {
                id: a.id.to_string(),
                kind: "link".into(),
                caption: a.caption.clone(),
                url: Some(l.url.clone()),
                platform: Some(l.platform.clone()),
                title: Some(l.title.clone()),
                ..AttachmentEntry::default()
            }
        }
    }
}

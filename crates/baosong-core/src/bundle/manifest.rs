//! `manifest.json`: what a bundle holds and says — campaign, unit, contact, every answer, every
//! attachment with its path in the zip, kind, bytes and sha256 — and its reading at the
//! receiving end.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::{BUNDLE_SCHEMA, MANIFEST};
use crate::draft::{MediaInfo, StoredFile};

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub app: AppInfo,
    pub campaign: CampaignInfo,
    pub draft: DraftInfo,
    pub unit: UnitInfo,
    pub pillars: Vec<PillarEntry>,
    /// 综合材料.
    pub general: Vec<AttachmentEntry>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    pub id: String,
    pub title: String,
    pub year: i32,
    pub deadline: chrono::DateTime<chrono::FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftInfo {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
    /// The bundle's time: every entry's modification time is this.
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
    /// 修改后重新报送: the sha256 of the bundle this one replaces (the one the department
    /// returned), and this version's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub name: String,
    /// Typed rather than picked from the template's list (an agency women's committee).
    pub typed: bool,
    pub contact_person: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarEntry {
    pub id: String,
    pub heading: String,
    pub items: Vec<ItemEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemEntry {
    pub id: String,
    pub number: String,
    pub title: String,
    pub not_carried_out: bool,
    pub reason: String,
    pub activities: Vec<ActivityEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: String,
    pub title: String,
    /// `2024-03-08`.
    pub date: String,
    pub place: String,
    pub organiser: String,
    /// As the clerk wrote it (`约120人`)…
    pub participants: String,
    /// …and the number in it, for totals.
    pub participant_count: Option<u64>,
    pub summary: String,
    pub attachments: Vec<AttachmentEntry>,
}

/// One attachment: a file in the zip, or a link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentEntry {
    pub id: String,
    /// `photo`, `video`, `document` or `link`.
    pub kind: String,
    pub caption: String,
    /// Files: the path inside the zip, the format, the name on the clerk's PC, size, hash.
    pub path: Option<String>,
    pub format: Option<String>,
    pub original_name: Option<String>,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    pub location_removed: bool,
    pub info: Option<MediaInfo>,
    /// Links: the address, the platform, the title.
    pub url: Option<String>,
    pub platform: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub activities: usize,
    pub photos: usize,
    pub videos: usize,
    pub documents: usize,
    pub links: usize,
    /// The attachments' bytes.
    pub file_bytes: u64,
    /// The participants' numbers added up.
    pub participants: u64,
}

/// A file to copy into the zip.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub zip_path: String,
    pub file: StoredFile,
}

/// Read the manifest of a bundle (the receiving end, the tests).
pub fn read_manifest<R: Read + std::io::Seek>(zip: R) -> Result<Manifest, String> {
    let mut archive = zip::ZipArchive::new(zip).map_err(|e| e.to_string())?;
    let mut entry = archive.by_name(MANIFEST).map_err(|e| e.to_string())?;
    let mut text = String::new();
    entry
        .by_ref()
        .take(64 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if manifest.schema != BUNDLE_SCHEMA {
        return Err(format!("unknown bundle schema {:?}", manifest.schema));
    }
    Ok(manifest)
}

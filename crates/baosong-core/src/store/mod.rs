//! The data folder and everything kept in it.
//!
//! ```text
//! <data dir>/                  BAOSONG_DATA_DIR, or %LOCALAPPDATA%\cqwomen\baosong\data
//!   settings.json              remembered unit profile, template path
//!   drafts/<id>/draft.json     one folder per draft (format: docs/draft-folder.md)
//!   drafts/<id>/files/         its attachments
//!   drafts/<id>/backups/       the last few versions of draft.json
//!   recycle/<id>~<time>/       deleted drafts, restorable
//!   quarantine/<id>~<time>/    drafts that could not be read, with quarantine.json saying why
//! ```
//!
//! Every write is atomic ([`atomic::write_atomic`]). A draft that cannot be read is moved to
//! `quarantine/` and reported; the other drafts still load.

pub mod atomic;
pub mod migrate;
pub mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::campaign::Campaign;
use super::clock::Clock;
use super::draft::{
    Attachment, AttachmentId, Draft, DraftId, Place, Status, StoredFile, UnitProfile,
};
use super::error::{CoreError, DraftDefect};
use super::ids::RecycledName;
use super::secrets::{Keeping, SystemVault, TokenKeeper, Vault};
use super::validate::{self, FileProblem, FileProblems, Progress, Reveal};
use super::work::{Cancelled, Work};
use atomic::{remove_stale_temps, temp_dir_beside, write_atomic};
pub use settings::Settings;

pub const DRAFT_FILE: &str = "draft.json";
/// The log files' folder in the data folder (written by the program's logging, read into the
/// diagnostics zip).
pub const LOG_DIR: &str = "logs";

pub fn log_dir(data_root: &Path) -> PathBuf {
    data_root.join(LOG_DIR)
}
/// Where imported drafts are made whole before they appear in `drafts/` (see
/// [`DataDir::create_whole`]).
pub const IMPORTING_DIR: &str = "importing";
pub const FILES_DIR: &str = "files";
/// The folder of the drafts in the data folder.
pub const DRAFTS_DIR: &str = "drafts";

/// `drafts/<id>/` in the data folder at `root`: for those that know the folder but do not hold
/// the [`DataDir`] (the window's jobs; the store worker owns it).
pub fn draft_dir_in(root: &Path, id: &DraftId) -> PathBuf {
    root.join(DRAFTS_DIR).join(id.as_str())
}
pub const BACKUPS_DIR: &str = "backups";
const QUARANTINE_NOTE: &str = "quarantine.json";
const SETTINGS_FILE: &str = "settings.json";
/// How many old versions of draft.json are kept.
pub const BACKUPS_KEPT: usize = 5;
/// A backup of draft.json is kept at most this often.
pub const BACKUP_INTERVAL: Duration = Duration::from_secs(60);
/// The time stamp in the names of recycled and quarantined folders (`<id>~20240301-100000`).
const FOLDER_STAMP: &str = "%Y%m%d-%H%M%S";

/// One line of the start screen's list.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSummary {
    pub id: DraftId,
    /// What the list calls it: the clerk's name for it, or the unit ([`Draft::display_name`]).
    pub name: String,
    pub unit: String,
    pub campaign_id: String,
    pub status: Status,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub activity_count: usize,
    /// Items done (or marked 本项未开展 with a reason) out of all items, when the draft is of
    /// the campaign the list was made for.
    pub items_done: Option<(usize, usize)>,
}

impl DraftSummary {
    fn of(d: &Draft, campaign: Option<&Campaign>) -> Self {
        let items_done = campaign.filter(|c| c.id == d.campaign_id).map(|c| {
            let report = validate::validate(c, d);
            let done = c
                .items()
                .filter(|(_, it)| {
                    matches!(
                        validate::item_progress(&report, &Reveal::All, d, it.id.as_str()),
                        Progress::Done | Progress::NotCarriedOut
                    )
                })
                .count();
            (done, c.items().count())
        });
        Self {
            id: d.id.clone(),
            name: d.display_name().to_string(),
            unit: d.unit.unit.clone(),
            campaign_id: d.campaign_id.clone(),
            status: d.status().clone(),
            created_at: d.created_at,
            updated_at: d.updated_at,
            activity_count: d.activity_count(),
            items_done,
        }
    }
}

/// A draft in the recycle area.
#[derive(Debug, Clone, PartialEq)]
pub struct RecycledDraft {
    /// The folder name under `recycle/`; what [`DataDir::restore`] takes.
    pub name: RecycledName,
    /// When it was deleted (from the folder's name).
    pub deleted_at: Option<DateTime<FixedOffset>>,
    pub summary: Option<DraftSummary>,
}

/// A draft moved aside because it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineNote {
    pub id: String,
    /// Chinese: what happened.
    pub reason: String,
    /// Technical detail, for IT staff.
    pub detail: String,
    pub at: DateTime<FixedOffset>,
    /// Where the files are now.
    #[serde(default)]
    pub folder: PathBuf,
}

impl QuarantineNote {
    pub fn user_message(&self) -> String {
        format!(
            "草稿“{}”无法读取：{}。原文件已移至“{}”，其他草稿不受影响；如需找回，请把该文件夹交给信息技术人员。",
            self.id,
            self.reason,
            self.folder.display()
        )
    }
}

/// What the start screen shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub drafts: Vec<DraftSummary>,
    pub recycled: Vec<RecycledDraft>,
    pub quarantined: Vec<QuarantineNote>,
}

/// The data folder taken by one window; dropping it lets another window open the folder.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
}

/// The data folder.
#[derive(Clone)]
pub struct DataDir {
    root: PathBuf,
    clock: Arc<dyn Clock>,
    backup_interval: Duration,
    /// The access token typed in 设置: in the system's credential store, not settings.json.
    token: TokenKeeper,
}

impl std::fmt::Debug for DataDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataDir").field("root", &self.root).finish()
    }
}

impl DataDir {
    /// The folder named by `BAOSONG_DATA_DIR`, or the system's local app-data folder.
    pub fn locate() -> Result<PathBuf, CoreError> {
        match std::env::var_os("BAOSONG_DATA_DIR") {
            Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
            _ => crate::platform::default_data_dir().ok_or(CoreError::NoDataDir),
        }
    }

    /// Open (and create) the data folder at `root`, checking that it can be written.
    pub fn open(root: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        let root = root.into();
        let unusable = |source| CoreError::DataDirUnusable {
            path: root.clone(),
            source,
        };
        for sub in ["drafts", "recycle", "quarantine"] {
            std::fs::create_dir_all(root.join(sub)).map_err(unusable)?;
        }
        let probe = root.join(".write-probe");
        write_atomic(&probe, b"ok").map_err(unusable)?;
        let _ = std::fs::remove_file(&probe);
        remove_stale_temps(&root);
        remove_old_builds(&root.join(IMPORTING_DIR));
        let token = TokenKeeper::new(Arc::new(SystemVault::for_data_dir(&root)));
        Ok(Self {
            root,
            clock,
            backup_interval: BACKUP_INTERVAL,
            token,
        })
    }

    /// Keep the access token in `vault` instead of the system's credential store (tests).
    pub fn with_vault(mut self, vault: Arc<dyn Vault>) -> Self {
        self.token = TokenKeeper::new(vault);
        self
    }

    /// Where the access token typed in 设置 is kept.
    pub fn token_keeping(&self) -> Keeping {
        self.token.keeping()
    }

    /// Take the data folder for this window: a second window on the same folder would overwrite
    /// the first one's drafts, so it is refused. The lock is the OS's (released if the process
    /// dies) on `<data>/.lock`, held until the returned guard is dropped.
    pub fn lock_for_window(&self) -> Result<DataDirLock, CoreError> {
        lock_folder(&self.root)
    }

    /// Keep a backup at most this often (the default is a minute; tests use zero).
    pub fn with_backup_interval(mut self, every: Duration) -> Self {
        self.backup_interval = every;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    pub fn draft_dir(&self, id: &DraftId) -> PathBuf {
        self.dir_of(id.as_str())
    }

    fn dir_of(&self, id: &str) -> PathBuf {
        self.root.join(DRAFTS_DIR).join(id)
    }

    /// Where thumbnails and poster frames are kept, by content hash; deletable at any time.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// A folder name for something set aside now: `<id>~<YYYYMMDD-HHMMSS>`.
    fn stamped(&self, id: &str) -> String {
        format!("{id}~{}", self.now().format(FOLDER_STAMP))
    }

    /// Every draft, newest change first; unreadable ones are moved to quarantine and listed.
    pub fn list(&self) -> Listing {
        self.list_for(None)
    }

    /// The same, with each draft of `campaign` saying how many of its items are done.
    pub fn list_for(&self, campaign: Option<&Campaign>) -> Listing {
        let mut listing = Listing::default();
        remove_stale_temps(&self.root.join(DRAFTS_DIR));
        for (id, dir) in subfolders(&self.root.join(DRAFTS_DIR)) {
            remove_stale_temps(&dir);
            match read_draft_file(&dir.join(DRAFT_FILE)) {
                Ok(d) => listing.drafts.push(DraftSummary::of(&d, campaign)),
                Err(defect) => {
                    let note = self.quarantine(&id, &dir, &defect);
                    tracing::warn!(id, %defect, "draft quarantined");
                    listing.quarantined.push(note);
                }
            }
        }
        listing
            .drafts
            .sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        for (name, dir) in subfolders(&self.root.join("quarantine")) {
            if listing.quarantined.iter().any(|q| q.folder == dir) {
                continue;
            }
            let note = std::fs::read(dir.join(QUARANTINE_NOTE))
                .ok()
                .and_then(|b| serde_json::from_slice::<QuarantineNote>(&b).ok());
            listing.quarantined.push(QuarantineNote {
                folder: dir.clone(),
                ..note.unwrap_or(QuarantineNote {
                    id: name,
                    reason: "草稿文件无法读取".into(),
                    detail: String::new(),
                    at: self.now(),
                    folder: dir,
                })
            });
        }
        listing.quarantined.sort_by_key(|q| std::cmp::Reverse(q.at));
        listing.recycled = self.recycled(campaign);
        listing
    }

    /// Move an unreadable draft's folder aside, with a note saying why.
    fn quarantine(&self, id: &str, dir: &Path, defect: &DraftDefect) -> QuarantineNote {
        let now = self.now();
        let target = unique_path(&self.root.join("quarantine"), &self.stamped(id));
        let folder = match std::fs::rename(dir, &target) {
            Ok(()) => target,
            Err(e) => {
                tracing::error!(id, error = %e, "could not move the unreadable draft aside");
                dir.to_path_buf()
            }
        };
        let note = QuarantineNote {
            id: id.to_string(),
            reason: defect.user_message(),
            detail: defect.to_string(),
            at: now,
            folder: folder.clone(),
        };
        if let Ok(json) = serde_json::to_vec_pretty(&note) {
            let _ = write_atomic(&folder.join(QUARANTINE_NOTE), &json);
        }
        note
    }

    /// Load one draft by id; an unreadable one is moved to quarantine.
    pub fn load(&self, id: &DraftId) -> Result<Draft, CoreError> {
        let dir = self.draft_dir(id);
        let path = dir.join(DRAFT_FILE);
        match read_draft_file(&path) {
            Ok(d) => Ok(d),
            Err(DraftDefect::Missing) if !dir.exists() => Err(CoreError::DraftNotFound {
                query: id.to_string(),
                data_dir: self.root.clone(),
            }),
            Err(defect) => {
                self.quarantine(id.as_str(), &dir, &defect);
                Err(CoreError::DraftUnreadable { path, defect })
            }
        }
    }

    /// A new draft for `campaign`, saved at once.
    pub fn create(&self, campaign: &Campaign, unit: UnitProfile) -> Result<Draft, CoreError> {
        let now = self.now();
        let id = self.new_id(now);
        let draft = Draft::new(id, campaign, unit, now);
        let dir = self.draft_dir(&draft.id);
        std::fs::create_dir_all(dir.join(FILES_DIR))
            .map_err(|e| CoreError::io("create", &dir, e))?;
        self.save(&draft)?;
        Ok(draft)
    }

    /// A new draft made whole before it exists: `fill` writes its files into a folder of its
    /// own under `<data>/importing/` and completes the draft, which is then saved there and
    /// renamed into `drafts/` in one step. An error (or 取消) removes the folder; a killed
    /// process leaves it in `importing/`, never a half-made draft in the list (it is removed at
    /// a later start once a day old).
    pub fn create_whole<E: From<CoreError>>(
        &self,
        campaign: &Campaign,
        unit: UnitProfile,
        fill: impl FnOnce(&mut Draft, &Path) -> Result<(), E>,
    ) -> Result<Draft, E> {
        let now = self.now();
        let mut draft = Draft::new(self.new_id(now), campaign, unit, now);
        let target = self.draft_dir(&draft.id);
        let importing = self.root.join(IMPORTING_DIR);
        let building = temp_dir_beside(&importing.join(draft.id.as_str()))
            .map_err(|e| CoreError::io("create", &importing, e))?;
        let result = (|| {
            std::fs::create_dir_all(building.join(FILES_DIR))
                .map_err(|e| CoreError::io("create", &building, e))?;
            fill(&mut draft, &building)?;
            self.save_in(&building, &draft)?;
            if let Some(drafts) = target.parent() {
                std::fs::create_dir_all(drafts).map_err(|e| CoreError::io("create", drafts, e))?;
            }
            std::fs::rename(&building, &target)
                .map_err(|e| E::from(CoreError::io("move", &building, e)))
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&building);
        }
        result?;
        let _ = crate::platform::sync_dir(&self.root.join(DRAFTS_DIR));
        Ok(draft)
    }

    /// Throw away a draft that was never changed (a 新建草稿 left at once): removed for good,
    /// not to the recycle area. Refused (`Ok(false)`) once it holds anything.
    pub fn discard_if_pristine(&self, id: &DraftId) -> Result<bool, CoreError> {
        let draft = self.load(id)?;
        let dir = self.draft_dir(id);
        let has_files = std::fs::read_dir(dir.join(FILES_DIR))
            .map(|mut e| e.next().is_some())
            .unwrap_or(false);
        if !draft.is_pristine() || has_files {
            return Ok(false);
        }
        std::fs::remove_dir_all(&dir).map_err(|e| CoreError::io("remove", &dir, e))?;
        Ok(true)
    }

    /// A fresh id: the creation time, with a suffix if that is taken.
    fn new_id(&self, now: DateTime<FixedOffset>) -> DraftId {
        let base = now.format(FOLDER_STAMP).to_string();
        let taken = |id: &str| {
            self.dir_of(id).exists()
                || subfolders(&self.root.join("recycle"))
                    .iter()
                    .any(|(n, _)| n.split('~').next() == Some(id))
        };
        if !taken(&base) {
            return DraftId::new(base);
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|id| !taken(id))
            .map_or(DraftId::new(base), DraftId::new)
    }

    /// Write a draft atomically, keeping a backup of the previous version now and then.
    pub fn save(&self, draft: &Draft) -> Result<(), CoreError> {
        self.save_in(&self.draft_dir(&draft.id), draft)
    }

    fn save_in(&self, dir: &Path, draft: &Draft) -> Result<(), CoreError> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io("create", dir, e))?;
        let path = dir.join(DRAFT_FILE);
        if path.exists() {
            self.keep_backup(dir, &path);
        }
        let json = serde_json::to_vec_pretty(draft).map_err(|e| CoreError::Encode {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        write_atomic(&path, &json).map_err(|e| CoreError::io("write", &path, e))
    }

    /// Copy the current draft.json into backups/ when the newest backup is older than the
    /// interval; keep the last [`BACKUPS_KEPT`]. A failed backup never stops the save.
    ///
    /// The oldest are removed *before* a new one is written, so a process killed at any moment
    /// leaves at most [`BACKUPS_KEPT`]; and a folder left with more (by an older version) is
    /// mended on the next save even when no new backup is due.
    fn keep_backup(&self, dir: &Path, current: &Path) {
        let backups = dir.join(BACKUPS_DIR);
        let mut existing = numbered_backups(&backups);
        let prune = |existing: &mut Vec<(u64, PathBuf)>, keep: usize| {
            while existing.len() > keep {
                let (_, old) = existing.remove(0);
                let _ = std::fs::remove_file(old);
            }
        };
        let newest_age = existing
            .last()
            .and_then(|(_, p)| p.metadata().ok()?.modified().ok())
            .and_then(|m| SystemTime::now().duration_since(m).ok());
        if newest_age.is_some_and(|age| age < self.backup_interval) {
            prune(&mut existing, BACKUPS_KEPT);
            return;
        }
        let next = existing.last().map_or(1, |(n, _)| n + 1);
        let result = std::fs::create_dir_all(&backups)
            .and_then(|()| std::fs::read(current))
            .and_then(|bytes| {
                // Only a readable version is worth keeping.
                if migrate::draft_from_bytes(&bytes).is_err() {
                    return Ok(());
                }
                prune(&mut existing, BACKUPS_KEPT - 1);
                write_atomic(&backups.join(format!("draft.{next}.json")), &bytes)
            });
        if let Err(e) = result {
            tracing::warn!(dir = %dir.display(), error = %e, "backup failed");
        }
    }

    /// The backups of a draft, oldest first.
    pub fn backups(&self, id: &DraftId) -> Vec<PathBuf> {
        numbered_backups(&self.draft_dir(id).join(BACKUPS_DIR))
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// 复制: a new draft with the same answers and attachments, named “…（副本）”. It is built
    /// in a hidden folder and renamed into place, so a crash mid-copy leaves no half-draft.
    pub fn duplicate(&self, id: &DraftId) -> Result<Draft, CoreError> {
        let original = self.load(id)?;
        let now = self.now();
        let names: Vec<String> = self.list().drafts.into_iter().map(|d| d.name).collect();
        let name = copy_name(original.display_name(), &names);
        let copy = original.duplicate(self.new_id(now), name, now);
        let target = self.draft_dir(&copy.id);
        let building = temp_dir_beside(&target).map_err(|e| CoreError::io("copy", &target, e))?;
        let result = (|| {
            let from = self.draft_dir(id).join(FILES_DIR);
            copy_tree(&from, &building.join(FILES_DIR))
                .map_err(|e| CoreError::io("copy", &from, e))?;
            self.save_in(&building, &copy)?;
            std::fs::rename(&building, &target).map_err(|e| CoreError::io("move", &building, e))
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&building);
        }
        result?;
        let _ = crate::platform::sync_dir(&self.root.join(DRAFTS_DIR));
        Ok(copy)
    }

    /// 删除: move the draft's folder to the recycle area.
    pub fn delete(&self, id: &DraftId) -> Result<RecycledDraft, CoreError> {
        let dir = self.draft_dir(id);
        if !dir.is_dir() {
            return Err(CoreError::DraftNotFound {
                query: id.to_string(),
                data_dir: self.root.clone(),
            });
        }
        let target = unique_path(&self.root.join("recycle"), &self.stamped(id.as_str()));
        std::fs::rename(&dir, &target).map_err(|e| CoreError::io("move", &dir, e))?;
        let _ = crate::platform::sync_dir(&self.root.join(DRAFTS_DIR));
        Ok(recycled_at(&target, None, self.now().offset()))
    }

    /// The recycle area, most recently deleted first.
    pub fn recycled(&self, campaign: Option<&Campaign>) -> Vec<RecycledDraft> {
        let offset = *self.now().offset();
        let mut all: Vec<RecycledDraft> = subfolders(&self.root.join("recycle"))
            .into_iter()
            .map(|(_, dir)| recycled_at(&dir, campaign, &offset))
            .collect();
        all.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at).then(b.name.cmp(&a.name)));
        all
    }

    /// 恢复: move a recycled draft back (under a new id if its old one was taken meanwhile).
    pub fn restore(&self, name: &RecycledName) -> Result<Draft, CoreError> {
        let from = self.root.join("recycle").join(name.as_str());
        let mut draft = read_draft_file(&from.join(DRAFT_FILE)).map_err(|defect| {
            CoreError::DraftUnreadable {
                path: from.join(DRAFT_FILE),
                defect,
            }
        })?;
        if self.draft_dir(&draft.id).exists() {
            draft.id = self.new_id(self.now());
        }
        let to = self.draft_dir(&draft.id);
        std::fs::rename(&from, &to).map_err(|e| CoreError::io("move", &from, e))?;
        self.save(&draft)?;
        Ok(draft)
    }

    /// Add attachments to a saved draft (an import that ended after its draft was closed); at
    /// `place`, or in 综合材料 if that activity is gone.
    pub fn attach(
        &self,
        id: &DraftId,
        place: &Place,
        attachments: Vec<Attachment>,
    ) -> Result<(), CoreError> {
        let mut draft = self.load(id)?;
        let place = if draft.attachments(place).is_some() {
            place.clone()
        } else {
            Place::General
        };
        if let Some(list) = draft.attachments_mut(&place) {
            list.extend(attachments);
        }
        let _ = draft.mark_edited(self.now());
        self.save(&draft)
    }

    /// Find a draft by id or by folder path (the CLI's argument).
    pub fn find(&self, query: &str) -> Result<PathBuf, CoreError> {
        let as_path = PathBuf::from(query);
        if as_path.join(DRAFT_FILE).is_file() {
            return Ok(as_path);
        }
        if as_path.is_file() && as_path.file_name().is_some_and(|n| n == DRAFT_FILE) {
            return Ok(as_path.parent().map(Path::to_path_buf).unwrap_or_default());
        }
        let dir = self.dir_of(query);
        if !query.contains(['/', '\\']) && dir.join(DRAFT_FILE).is_file() {
            return Ok(dir);
        }
        Err(CoreError::DraftNotFound {
            query: query.to_string(),
            data_dir: self.root.clone(),
        })
    }

    /// The remembered settings; a missing or unreadable file gives the defaults. The intake's
    /// token comes from the credential store; one still in the file in clear (written by an
    /// older version) is moved there and removed from the file, atomically.
    pub fn load_settings(&self) -> Settings {
        let path = self.root.join(SETTINGS_FILE);
        let mut settings: Settings = match std::fs::read(&path) {
            // Notepad's byte-order mark is not an error.
            Ok(bytes) => serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "settings unreadable, using defaults");
                Settings::default()
            }),
            Err(_) => Settings::default(),
        };
        let in_clear = settings
            .intake
            .as_mut()
            .and_then(|i| i.token.take())
            .filter(|t| !t.trim().is_empty());
        if let Some(token) = in_clear {
            self.token.set(Some(&token));
            if self.token.keeping() == Keeping::System {
                match self.write_settings_file(&settings) {
                    Ok(()) => tracing::info!("the access token was moved out of settings.json"),
                    Err(e) => tracing::error!(error = %e, "settings.json still holds the token"),
                }
            } else {
                // Moving it out would lose it (IT may have put it there): it stays, and is said.
                self.token.left_in_file();
                tracing::error!("credential store unusable: the token stays in settings.json");
            }
        }
        if let Some(intake) = settings.intake.as_mut() {
            intake.token = self.token.get();
        }
        settings
    }

    /// Remember `settings`: the token into the credential store (or memory, see
    /// [`DataDir::token_keeping`]), the rest into settings.json.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), CoreError> {
        let token = settings
            .intake
            .as_ref()
            .and_then(|i| i.token.as_deref())
            .filter(|t| !t.trim().is_empty());
        self.token.set(token);
        self.write_settings_file(settings)
    }

    /// settings.json, never with a token in it.
    fn write_settings_file(&self, settings: &Settings) -> Result<(), CoreError> {
        let path = self.root.join(SETTINGS_FILE);
        let mut stored = settings.clone();
        if let Some(intake) = stored.intake.as_mut() {
            intake.token = None;
        }
        let json = serde_json::to_vec_pretty(&stored).map_err(|e| CoreError::Encode {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        write_atomic(&path, &json).map_err(|e| CoreError::io("write", &path, e))
    }
}

/// Write a draft.json into a draft folder anywhere (the CLI's `submit` of a folder given by path).
pub fn write_draft_file(folder: &Path, draft: &Draft) -> Result<(), CoreError> {
    let path = folder.join(DRAFT_FILE);
    let json = serde_json::to_vec_pretty(draft).map_err(|e| CoreError::Encode {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    write_atomic(&path, &json).map_err(|e| CoreError::io("write", &path, e))
}

/// Is an attachment's copy still what was attached?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyState {
    /// Its size and time as recorded.
    Same,
    /// Only its time changed (a draft folder copied to another PC gets new times) and its
    /// content is the same (hashed): the time to record instead, so it is not hashed again.
    SameContent { modified_ms: i64 },
    /// Gone, or another file.
    Problem(FileProblem),
}

/// The one check of a copy against its record (检查并提交, the bundle, the CLI): gone, or of
/// another size, or — when the modification time differs — of another content (then, and only
/// then, the file is hashed, stopping when `work` asks).
pub fn copy_state(path: &Path, file: &StoredFile, work: &dyn Work) -> Result<CopyState, Cancelled> {
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        _ => return Ok(CopyState::Problem(FileProblem::Missing)),
    };
    if meta.len() != file.bytes {
        return Ok(CopyState::Problem(FileProblem::Changed));
    }
    let time = meta.modified().ok().map(modified_ms);
    if time == Some(file.modified_ms) {
        return Ok(CopyState::Same);
    }
    work.progress(&format!("正在核对“{}”", file.original_name), 0, file.bytes);
    Ok(match crate::hashing::sha256_file(path, work)? {
        Some(hash) if hash == file.sha256 => match time {
            Some(modified_ms) => CopyState::SameContent { modified_ms },
            None => CopyState::Same,
        },
        _ => CopyState::Problem(FileProblem::Changed),
    })
}

/// What a check of a draft's copies found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesChecked {
    pub problems: FileProblems,
    /// Copies whose time changed but content did not: the times to record (see
    /// [`Draft::refresh_file_times`]).
    pub refreshed: Vec<(AttachmentId, i64)>,
    /// Stopped on request before every copy was looked at.
    pub cancelled: bool,
}

/// Which attachments' copies in `<folder>/files/` are not as recorded ([`copy_state`] of each).
pub fn check_files_with(folder: &Path, draft: &Draft, work: &dyn Work) -> FilesChecked {
    let files = folder.join(FILES_DIR);
    let mut out = FilesChecked::default();
    for (_, attachment) in draft.all_attachments() {
        let Some(file) = attachment.file() else {
            continue;
        };
        match copy_state(&files.join(&file.stored_name), file, work) {
            Ok(CopyState::Same) => {}
            Ok(CopyState::SameContent { modified_ms }) => {
                out.refreshed.push((attachment.id.clone(), modified_ms));
            }
            Ok(CopyState::Problem(p)) => {
                out.problems.insert(attachment.id.clone(), p);
            }
            Err(Cancelled) => {
                out.cancelled = true;
                break;
            }
        }
    }
    out
}

/// [`check_files_with`], unwatched: the problems only.
pub fn check_files(folder: &Path, draft: &Draft) -> FileProblems {
    check_files_with(folder, draft, &crate::work::Unwatched).problems
}

/// The sha256 of a file, lowercase hex; `None` if it cannot be read.
pub fn sha256_of(path: &Path) -> Option<String> {
    crate::hashing::sha256_file(path, &crate::work::Unwatched)
        .ok()
        .flatten()
}

/// A file time as recorded in a draft: milliseconds since 1970.
pub fn modified_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Folders a killed import left in `importing/`, once a day old (a running import's is younger;
/// another process may be importing right now).
fn remove_old_builds(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Hold `folder` (its `.lock` file, locked by the OS, released if the process dies): the data
/// folder for the window, a draft folder given by path for a CLI command that writes it.
pub fn lock_folder(folder: &Path) -> Result<DataDirLock, CoreError> {
    let path = folder.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| CoreError::io("open", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(CoreError::AlreadyOpen {
            path: folder.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(CoreError::io("lock", &path, e)),
    }
}

/// Read a draft.json without touching anything else (the CLI's `validate FOLDER` uses it).
pub fn read_draft_file(path: &Path) -> Result<Draft, DraftDefect> {
    match std::fs::read(path) {
        Ok(bytes) => migrate::draft_from_bytes(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DraftDefect::Missing),
        Err(e) => Err(DraftDefect::Invalid(e.to_string())),
    }
}

fn recycled_at(dir: &Path, campaign: Option<&Campaign>, offset: &FixedOffset) -> RecycledDraft {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `<id>~20240301-100000`, perhaps with `-2` after it when two were deleted in one second.
    let deleted_at = name.rsplit_once('~').and_then(|(_, stamp)| {
        let stamp = stamp.get(..15)?;
        let naive = chrono::NaiveDateTime::parse_from_str(stamp, FOLDER_STAMP).ok()?;
        naive.and_local_timezone(*offset).single()
    });
    RecycledDraft {
        name: RecycledName::new(name),
        deleted_at,
        summary: read_draft_file(&dir.join(DRAFT_FILE))
            .ok()
            .map(|d| DraftSummary::of(&d, campaign)),
    }
}

/// The name of a copy: “渝中区妇联（副本）”, or “（副本2）” … when that is taken.
fn copy_name(original: &str, taken: &[String]) -> String {
    let base = match original.find("（副本") {
        Some(i) if original.ends_with('）') => &original[..i],
        _ => original,
    };
    std::iter::once(format!("{base}（副本）"))
        .chain((2..).map(|n| format!("{base}（副本{n}）")))
        .find(|name| !taken.iter().any(|t| t == name))
        .unwrap_or_else(|| format!("{base}（副本）"))
}

/// Sub-folders of `dir` as (name, path), sorted by name; none if it cannot be read.
fn subfolders(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    out.sort();
    out
}

fn numbered_backups(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .strip_prefix("draft.")?
                .strip_suffix(".json")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    out.sort();
    out
}

fn unique_path(parent: &Path, name: &str) -> PathBuf {
    let first = parent.join(name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| parent.join(format!("{name}-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            // Keep the modification time: an attachment is checked against the one recorded.
            if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                std::fs::File::options()
                    .write(true)
                    .open(&target)
                    .and_then(|f| f.set_modified(modified))?;
            }
        }
    }
    Ok(())
}

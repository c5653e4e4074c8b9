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
mod backups;
mod integrity;
mod listing;
pub mod migrate;
mod quarantine;
mod recycle;
pub mod settings;

pub use integrity::{
    CopyState, FilesChecked, ORPHAN_AGE, check_files, check_files_with, copy_state, modified_ms,
    remove_orphans, sha256_of,
};
pub use listing::{DraftSummary, Listing};
pub use quarantine::QuarantineNote;
pub use recycle::RecycledDraft;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset};

use super::campaign::Campaign;
use super::clock::Clock;
use super::draft::{Attachment, Draft, DraftId, Place, UnitProfile};
use super::error::{CoreError, DraftDefect};
use super::secrets::{Keeping, SystemVault, TokenKeeper, Vault};
use atomic::{remove_stale_temps, temp_dir_beside, write_atomic};
use listing::subfolders;
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

//! Where the unit's access token rests: the operating system's credential store — Windows
//! Credential Manager on the office PC, the kernel's key store (keyutils) on Linux — never
//! `settings.json`. One entry per data folder (two folders on one PC, or
//! the tests' folders, do not share a token).
//!
//! When no credential store can be used (a locked-down profile, a Linux without keyutils) the
//! token is kept in memory for this run only and the clerk is told so once ([`Keeping::Memory`]);
//! it is never written in clear instead.

use std::path::Path;
use std::sync::{Arc, Mutex};

/// Where a token typed in 设置与帮助 is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keeping {
    /// In the operating system's credential store.
    System,
    /// In memory for this run only: the store could not be used (the reason, for the log).
    Memory(String),
    /// Left where an older version put it, in settings.json, because the store could not take
    /// it: moving it would have lost it.
    InFile(String),
}

impl Keeping {
    /// What the clerk is told once when the token cannot be kept.
    pub fn user_message(&self) -> Option<String> {
        match self {
            Self::System => None,
            Self::Memory(_) => Some(
                "这台电脑的系统凭据库无法使用，访问令牌只在本次运行中有效，不会保存到文件里；下次打开程序时需要重新填写。".into(),
            ),
            Self::InFile(_) => Some(
                "这台电脑的系统凭据库无法使用，访问令牌暂时仍保存在设置文件中（旧版本的保存方式，不够安全）。请联系信息技术人员检查 Windows 凭据管理器。".into(),
            ),
        }
    }
}

/// The place a token rests: the system's credential store, or (tests, or no store) elsewhere.
pub trait Vault: Send + Sync {
    fn get(&self) -> Result<Option<String>, String>;
    fn set(&self, token: &str) -> Result<(), String>;
    fn delete(&self) -> Result<(), String>;
}

/// The operating system's credential store ([`crate::platform::credentials`]), one entry per
/// data folder.
pub struct SystemVault {
    name: String,
}

/// The data folder's own name for its credential, kept in the folder (`credential-id`, not a
/// secret): made once at random, so a folder deleted and made anew at the same path does not
/// inherit the old one's token, two spellings of one path (a symlink, a trailing slash, a
/// mapped drive) find the same token, and two folders never share one.
const CREDENTIAL_ID: &str = "credential-id";

impl SystemVault {
    pub fn for_data_dir(root: &Path) -> Self {
        Self {
            name: format!("intake-token-{}", credential_id(root)),
        }
    }
}

fn credential_id(root: &Path) -> String {
    let file = root.join(CREDENTIAL_ID);
    if let Ok(text) = std::fs::read_to_string(&file) {
        let id = text.trim();
        if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return id.to_string();
        }
    }
    // Unique, not secret: where and when it was made, and by which process.
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut seed = canonical.as_os_str().as_encoded_bytes().to_vec();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    seed.extend_from_slice(&now.to_le_bytes());
    seed.extend_from_slice(&std::process::id().to_le_bytes());
    let id = super::hashing::sha256_hex(&seed)[..32].to_string();
    if let Err(e) = super::store::atomic::write_atomic(&file, id.as_bytes()) {
        // Not kept: the folder's path names it instead (stable while the folder stays put).
        tracing::warn!(error = %e, "credential-id not written; using the folder's path");
        return super::hashing::sha256_hex(canonical.as_os_str().as_encoded_bytes())[..32]
            .to_string();
    }
    id
}

impl Vault for SystemVault {
    fn get(&self) -> Result<Option<String>, String> {
        crate::platform::credentials::get(&self.name)
    }

    fn set(&self, token: &str) -> Result<(), String> {
        crate::platform::credentials::set(&self.name, token)
    }

    fn delete(&self) -> Result<(), String> {
        crate::platform::credentials::delete(&self.name)
    }
}

/// A store that cannot be used (tests of what the clerk sees without one).
pub struct BrokenVault;

impl Vault for BrokenVault {
    fn get(&self) -> Result<Option<String>, String> {
        Err("no credential store".into())
    }
    fn set(&self, _: &str) -> Result<(), String> {
        Err("no credential store".into())
    }
    fn delete(&self) -> Result<(), String> {
        Err("no credential store".into())
    }
}

/// The token of a data folder: read from the vault once, kept in memory, written through.
#[derive(Clone)]
pub struct TokenKeeper {
    vault: Arc<dyn Vault>,
    /// `None`: not read yet; `Some(None)`: there is none.
    cached: Arc<Mutex<Option<Option<String>>>>,
    keeping: Arc<Mutex<Keeping>>,
}

impl std::fmt::Debug for TokenKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself.
        f.debug_struct("TokenKeeper")
            .field("keeping", &self.keeping())
            .finish()
    }
}

impl TokenKeeper {
    pub fn new(vault: Arc<dyn Vault>) -> Self {
        Self {
            vault,
            cached: Arc::new(Mutex::new(None)),
            keeping: Arc::new(Mutex::new(Keeping::System)),
        }
    }

    pub fn keeping(&self) -> Keeping {
        self.keeping
            .lock()
            .map(|k| k.clone())
            .unwrap_or(Keeping::System)
    }

    /// The store could not take a token found in clear in settings.json: it stays there.
    pub fn left_in_file(&self) {
        if let Ok(mut k) = self.keeping.lock()
            && let Keeping::Memory(why) = k.clone()
        {
            *k = Keeping::InFile(why);
        }
    }

    fn unusable(&self, why: String) {
        tracing::warn!(reason = %why, "credential store unusable; the token is kept in memory only");
        if let Ok(mut k) = self.keeping.lock() {
            *k = Keeping::Memory(why);
        }
    }

    /// The token, if one was kept.
    pub fn get(&self) -> Option<String> {
        let Ok(mut cached) = self.cached.lock() else {
            return None;
        };
        if let Some(known) = cached.as_ref() {
            return known.clone();
        }
        let read = match self.vault.get() {
            Ok(token) => token,
            Err(why) => {
                self.unusable(why);
                None
            }
        };
        *cached = Some(read.clone());
        read
    }

    /// Keep `token` (`None`: forget it). Never fails: when the store cannot take it, it is kept
    /// in memory for this run and [`TokenKeeper::keeping`] says so.
    pub fn set(&self, token: Option<&str>) {
        let result = match token {
            Some(t) => self.vault.set(t),
            None => self.vault.delete(),
        };
        if let Err(why) = result {
            self.unusable(why);
        } else if let Ok(mut k) = self.keeping.lock() {
            *k = Keeping::System;
        }
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some(token.map(str::to_string));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_store_the_token_lives_in_memory_and_says_so() {
        let keeper = TokenKeeper::new(Arc::new(BrokenVault));
        assert_eq!(keeper.get(), None);
        keeper.set(Some("t-123"));
        assert_eq!(keeper.get().as_deref(), Some("t-123"));
        assert!(matches!(keeper.keeping(), Keeping::Memory(_)));
        assert!(keeper.keeping().user_message().is_some());
        assert!(!format!("{keeper:?}").contains("t-123"));
    }

    #[test]
    fn the_system_store_keeps_a_token_per_data_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in ["a", "b"] {
            std::fs::create_dir(dir.path().join(f)).expect("folder");
        }
        let a = SystemVault::for_data_dir(&dir.path().join("a"));
        let b = SystemVault::for_data_dir(&dir.path().join("b"));
        // Another spelling of the same folder finds the same entry.
        let a_again = SystemVault::for_data_dir(&dir.path().join("b").join("..").join("a"));
        assert_eq!(a.name, a_again.name);
        a.set("token-a").expect("keyutils works headless");
        assert_eq!(a.get().expect("read").as_deref(), Some("token-a"));
        assert_eq!(b.get().expect("read"), None);
        a.delete().expect("delete");
        assert_eq!(a.get().expect("read"), None);
        // The folder deleted and made anew: the old token is not inherited.
        a.set("token-a").expect("set");
        std::fs::remove_dir_all(dir.path().join("a")).expect("rm");
        std::fs::create_dir(dir.path().join("a")).expect("mkdir");
        let anew = SystemVault::for_data_dir(&dir.path().join("a"));
        assert_eq!(anew.get().expect("read"), None);
        a.delete().expect("delete");
    }
}

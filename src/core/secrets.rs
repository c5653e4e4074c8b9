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
}

impl Keeping {
    /// What the clerk is told once when the token cannot be kept.
    pub fn user_message(&self) -> Option<String> {
        match self {
            Self::System => None,
            Self::Memory(_) => Some(
                "这台电脑的系统凭据库无法使用，访问令牌只在本次运行中有效，不会保存到文件里；下次打开程序时需要重新填写。".into(),
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

impl SystemVault {
    pub fn for_data_dir(root: &Path) -> Self {
        // The folder's path names the entry: short, stable, and no path characters in it.
        let key = super::hashing::sha256_hex(root.to_string_lossy().as_bytes());
        Self {
            name: format!("intake-token-{}", &key[..16]),
        }
    }
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
        let a = SystemVault::for_data_dir(&dir.path().join("a"));
        let b = SystemVault::for_data_dir(&dir.path().join("b"));
        a.set("token-a").expect("keyutils works headless");
        assert_eq!(a.get().expect("read").as_deref(), Some("token-a"));
        assert_eq!(b.get().expect("read"), None);
        a.delete().expect("delete");
        assert_eq!(a.get().expect("read"), None);
    }
}

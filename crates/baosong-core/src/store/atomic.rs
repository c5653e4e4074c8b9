//! Atomic file writes: the new content goes to a temporary file in the same folder, is fsynced,
//! renamed over the old file, and the folder is fsynced. A crash at any moment leaves either the
//! old file or the new one, never a mix.
//!
//! [`write_atomic`] does it for bytes in memory (draft.json, settings.json); [`AtomicFile`] for
//! content streamed in pieces (an attachment being copied, a thumbnail, a zip): it is written
//! under a temporary name, appears under its real name only on [`AtomicFile::commit`], and is
//! removed if dropped before that (an error, a cancel).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::platform;

/// Temporary files start with this, so a folder scan can tell them from real content.
pub const TEMP_PREFIX: &str = ".tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `path`, unique in this process.
fn temp_path(path: &Path) -> io::Result<(PathBuf, &Path)> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no folder"))?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // A long name (a clerk's file name can be 200 bytes) would make the temporary one longer
    // than a folder allows: only its beginning is kept, the counter makes it unique.
    let name = name.to_string_lossy();
    let short: String = name.chars().take(32).collect();
    let tmp = dir.join(format!(
        "{TEMP_PREFIX}{}-{}-{short}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    ));
    Ok((tmp, dir))
}

/// A temporary name beside `path`, for another process to write to (nothing is created: on
/// Windows a file this process held open could not be written by the child). The file, if any,
/// is removed when the guard is dropped.
pub fn temp_name_beside(path: &Path) -> io::Result<TempName> {
    temp_path(path).map(|(tmp, _)| TempName(tmp))
}

/// See [`temp_name_beside`].
#[derive(Debug)]
pub struct TempName(PathBuf);

impl TempName {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempName {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file that appears at its path only when committed.
#[derive(Debug)]
pub struct AtomicFile {
    file: Option<File>,
    tmp: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        let (tmp, _) = temp_path(path)?;
        let file = File::create(&tmp)?;
        Ok(Self {
            file: Some(file),
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Where it will appear.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where it is being written meanwhile (another program may write there, e.g. a probe).
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// The open temporary file (for seeking, e.g. a zip writer).
    pub fn file_mut(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("atomic file already committed"))
    }

    /// fsync, rename into place, fsync the folder.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("atomic file already committed"))?;
        let result = (|| {
            file.sync_all()?;
            drop(file);
            platform::replace_file(&self.tmp, &self.path)?;
            // `out.zip` has the empty folder "" for a parent: the current one.
            match self.path.parent() {
                Some(dir) if dir.as_os_str().is_empty() => platform::sync_dir(Path::new(".")),
                Some(dir) => platform::sync_dir(dir),
                None => Ok(()),
            }
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        // Committed or failed: either way there is nothing left for Drop to remove.
        self.tmp = PathBuf::new();
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file_mut()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file_mut()?.flush()
    }
}

impl io::Seek for AtomicFile {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.file_mut()?.seek(pos)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Remove temporary files a killed process left behind in `dir`.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
        }
    }
}

/// A hidden temporary folder name beside `path` (the duplicate of a draft is built in one and
/// renamed into place, so a crash mid-copy leaves no half-draft behind).
pub fn temp_dir_beside(path: &Path) -> io::Result<PathBuf> {
    temp_path(path).map(|(tmp, _)| tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("draft.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_long_name_is_written_too() {
        let dir = tempfile::tempdir().unwrap();
        // 240 bytes: allowed for the file, too long with a prefix in front of it.
        let p = dir.path().join(format!("{}.png", "缩略图".repeat(26)));
        write_atomic(&p, b"png").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"png");
    }

    #[test]
    fn fails_cleanly_in_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gone").join("draft.json");
        assert_eq!(
            write_atomic(&p, b"x").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn a_streamed_file_appears_only_on_commit_and_vanishes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("视频.mp4");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"part one, ").unwrap();
        assert!(!p.exists(), "not there while being written");
        f.write_all(b"part two").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"part one, part two");

        let q = dir.path().join("cancelled.mp4");
        let mut g = AtomicFile::create(&q).unwrap();
        g.write_all(b"half").unwrap();
        drop(g);
        assert!(!q.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left behind"
        );
    }
}

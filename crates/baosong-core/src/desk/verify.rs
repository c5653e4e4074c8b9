//! The integrity check: every file a bundle's manifest lists, hashed (sha256) and compared with
//! what the manifest says — on all cores at once, files of all bundles in one queue, biggest
//! first, each read straight from the zip (stored entries are not decompressed) with the sha2
//! crate's hardware backend (the CPU's SHA extensions where it has them).

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::{Bundle, DeskError};
use crate::work::{Cancelled, Work};

/// What the check found for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// ✓: the bytes are the manifest's.
    Intact,
    /// Different bytes (or a different size) than the manifest says.
    Changed,
    /// Listed in the manifest, not in the zip.
    Missing,
    /// Could not be read (a damaged zip), with the reason.
    Unreadable(String),
}

impl FileState {
    pub fn is_intact(&self) -> bool {
        *self == Self::Intact
    }

    pub fn label(&self) -> String {
        match self {
            Self::Intact => "✓ 完好".into(),
            Self::Changed => "× 已被改动（与清单的校验值不符）".into(),
            Self::Missing => "× 缺失（清单中有，材料包中没有）".into(),
            Self::Unreadable(why) => format!("× 无法读取：{why}"),
        }
    }
}

/// One file of one bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// Its path in the zip.
    pub path: String,
    pub state: FileState,
}

/// A bundle's files, in the manifest's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub files: Vec<FileCheck>,
}

impl Verdict {
    pub fn intact(&self) -> bool {
        self.files.iter().all(|f| f.state.is_intact())
    }

    pub fn damaged(&self) -> usize {
        self.files.iter().filter(|f| !f.state.is_intact()).count()
    }

    pub fn state_of(&self, path: &str) -> Option<&FileState> {
        self.files.iter().find(|f| f.path == path).map(|f| &f.state)
    }
}

/// Check one bundle.
pub fn verify(bundle: &Bundle, work: &dyn Work) -> Result<Verdict, Cancelled> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    verify_all(&[bundle], threads, work).map(|mut v| v.remove(0))
}

/// Check many bundles with `threads` workers; one [`Verdict`] per bundle, in their order.
pub fn verify_all(
    bundles: &[&Bundle],
    threads: usize,
    work: &dyn Work,
) -> Result<Vec<Verdict>, Cancelled> {
    // Every listed file of every bundle: (bundle, index in its list, bytes).
    let lists: Vec<_> = bundles.iter().map(|b| b.listed()).collect();
    let mut queue: Vec<(usize, usize, u64)> = lists
        .iter()
        .enumerate()
        .flat_map(|(b, list)| list.iter().enumerate().map(move |(i, l)| (b, i, l.bytes)))
        .collect();
    queue.sort_by_key(|q| std::cmp::Reverse(q.2));
    let total: u64 = queue.iter().map(|q| q.2).sum();
    let done = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Vec<Option<FileState>>>> = lists
        .iter()
        .map(|l| Mutex::new(vec![None; l.len()]))
        .collect();
    work.progress("正在核对文件", 0, total);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    if work.should_stop() {
                        return;
                    }
                    let Some(&(b, i, _)) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        return;
                    };
                    let listed = &lists[b][i];
                    let state = check_one(bundles[b], listed, &done, total, work);
                    if let (Some(state), Ok(mut slots)) = (state, results[b].lock()) {
                        slots[i] = Some(state);
                    }
                }
            });
        }
    });
    if work.should_stop() {
        return Err(Cancelled);
    }
    Ok(lists
        .iter()
        .zip(results)
        .map(|(list, slots)| {
            let slots = slots.into_inner().unwrap_or_default();
            Verdict {
                files: list
                    .iter()
                    .zip(slots)
                    .map(|(l, s)| FileCheck {
                        path: l.path.to_string(),
                        state: s.unwrap_or(FileState::Unreadable("未核对".into())),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// A writer into the hash (and on into `sink`) that counts what passed, for the progress bar.
struct Hashing<'a> {
    hash: crate::hashing::Sha256Hex,
    sink: &'a mut dyn Write,
    stage: &'a str,
    done: &'a AtomicU64,
    total: u64,
    work: &'a dyn Work,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.sink.write_all(buf)?;
        self.hash.update(buf);
        let done = self.done.fetch_add(buf.len() as u64, Ordering::Relaxed) + buf.len() as u64;
        self.work.progress(self.stage, done, self.total);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

/// `None` when cancelled.
fn check_one(
    bundle: &Bundle,
    listed: &super::Listed<'_>,
    done: &AtomicU64,
    total: u64,
    work: &dyn Work,
) -> Option<FileState> {
    let mut sink = std::io::sink();
    check_copying(bundle, listed, &mut sink, "正在核对文件", done, total, work)
}

/// Check one listed file while copying its bytes into `sink` (the import: the copy is kept only
/// when it is intact), reporting `stage` with `done` (shared) of `total`. `None` when cancelled.
pub fn check_copying(
    bundle: &Bundle,
    listed: &super::Listed<'_>,
    sink: &mut dyn Write,
    stage: &str,
    done: &AtomicU64,
    total: u64,
    work: &dyn Work,
) -> Option<FileState> {
    let Some(entry) = bundle.entries.get(listed.path) else {
        return Some(FileState::Missing);
    };
    if entry.size != listed.bytes {
        return Some(FileState::Changed);
    }
    let mut hashing = Hashing {
        hash: crate::hashing::Sha256Hex::new(),
        sink,
        stage,
        done,
        total,
        work,
    };
    match bundle.copy_to(listed.path, listed.bytes, &mut hashing, work) {
        Ok(n) if n == listed.bytes => {
            let sha = hashing.hash.finish();
            Some(if sha.eq_ignore_ascii_case(listed.sha256) {
                FileState::Intact
            } else {
                FileState::Changed
            })
        }
        Ok(_) | Err(DeskError::TooBig { .. }) => Some(FileState::Changed),
        Err(DeskError::Cancelled) => None,
        Err(e) => Some(FileState::Unreadable(e.user_message())),
    }
}

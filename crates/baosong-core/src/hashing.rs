//! sha256 on a second thread, so hashing a gigabyte overlaps with reading and writing it instead
//! of adding to it: the copy of a 2 GB video and the build of a bundle cost about what the copy
//! alone costs, on two cores. The sha2 crate uses the CPU's SHA extensions where there are some.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Chunks waiting for the hashing thread at most (bounds the memory a slow hash can take).
const QUEUE: usize = 8;

/// A sha256 being computed on its own thread.
pub struct HashThread {
    tx: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<[u8; 32]>>,
    /// Without a thread (it could not be started): hashed here.
    inline: Option<Sha256>,
}

impl HashThread {
    pub fn start() -> Self {
        let (tx, rx): (SyncSender<Vec<u8>>, Receiver<Vec<u8>>) = mpsc::sync_channel(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("baosong-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in rx {
                    hasher.update(&chunk);
                }
                hasher.finalize().into()
            });
        match spawned {
            Ok(thread) => Self {
                tx: Some(tx),
                thread: Some(thread),
                inline: None,
            },
            Err(_) => Self {
                tx: None,
                thread: None,
                inline: Some(Sha256::new()),
            },
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        if let Some(h) = &mut self.inline {
            h.update(bytes);
            return;
        }
        let sent = self.tx.as_ref().map(|tx| tx.send(bytes.to_vec()));
        if !matches!(sent, Some(Ok(()))) {
            // The thread is gone: the result would be wrong, so hash here from now on is not
            // possible either; make `finish` say so.
            self.tx = None;
        }
    }

    /// The digest, lowercase hex; `None` if the hashing thread died.
    pub fn finish(mut self) -> Option<String> {
        if let Some(h) = self.inline.take() {
            return Some(crate::media::hex(&h.finalize()));
        }
        let connected = self.tx.take().is_some();
        let digest = self.thread.take()?.join().ok()?;
        connected.then(|| crate::media::hex(&digest))
    }
}

impl Drop for HashThread {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A sha256 computed here, piece by piece, as the bytes pass (a file read for other reasons
/// too: `inspect`, the desk's check of a zip entry). The one place besides [`HashThread`] that
/// holds a hasher.
#[derive(Default)]
pub struct Sha256Hex(Sha256);

impl Sha256Hex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest, lowercase hex.
    pub fn finish(self) -> String {
        crate::media::hex(&self.0.finalize())
    }
}

/// The sha256 of a few bytes in memory, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::media::hex(&Sha256::digest(bytes))
}

/// The sha256 of a file, lowercase hex, read in pieces of 1 MiB with a look at `work` between
/// them (a check of a 2 GB copy stops when asked); `Ok(None)` if it cannot be read.
pub fn sha256_file(
    path: &std::path::Path,
    work: &dyn crate::work::Work,
) -> Result<Option<String>, crate::work::Cancelled> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let mut hasher = Sha256Hex::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        work.check()?;
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(hasher.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_digest_as_hashing_here() {
        let data: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut h = HashThread::start();
        for chunk in data.chunks(65_537) {
            h.update(chunk);
        }
        let expected = crate::media::hex(&Sha256::digest(&data));
        assert_eq!(h.finish().as_deref(), Some(expected.as_str()));
    }
}

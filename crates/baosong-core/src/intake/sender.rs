//! Sending a large request body at the network's speed, with progress, 取消 and an idle timeout.
//!
//! reqwest's blocking client reads a body 8 KiB at a time and hands each piece to its runtime
//! thread: on loopback that is a quarter of curl's throughput. Here the upload's own thread
//! drives reqwest's async client on a small runtime of its own, the body read from the file in
//! 1 MiB frames. A watchdog beside the request reports the bytes handed on every 100 ms, stops
//! at 取消, and gives up when nothing has moved for [`IDLE`] — the body not taken (the network
//! stalled) or, once sent, no answer — instead of a limit on the whole request, so a slow line
//! that keeps moving is never cut off.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::{IntakeError, classify, error_chain};
use crate::work::Work;

/// How long a request may go without a byte moving, by default.
pub const IDLE: Duration = Duration::from_secs(60);
/// How much of a body is read and handed on at a time.
const FRAME: usize = 1 << 20;
/// The most of an answer's body that is kept (a JSON confirmation is small).
const ANSWER_LIMIT: usize = 1 << 20;
const TICK: Duration = Duration::from_millis(100);

/// What the server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A byte range of a file as a request body. Counts what it handed on; ends in an error at 取消.
pub struct FileBody {
    file: File,
    left: u64,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

/// The counters a [`FileBody`] shares with the watchdog.
#[derive(Clone, Default)]
pub struct Meter {
    pub sent: Arc<AtomicU64>,
    pub stop: Arc<AtomicBool>,
}

impl FileBody {
    /// `len` bytes of `file` from `offset`.
    pub fn open(
        path: &std::path::Path,
        offset: u64,
        len: u64,
        meter: &Meter,
    ) -> std::io::Result<Self> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Self {
            file,
            left: len,
            sent: meter.sent.clone(),
            stop: meter.stop.clone(),
        })
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        if self.stop.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err(std::io::Error::other("cancelled"))));
        }
        let n = self.left.min(FRAME as u64) as usize;
        // A read from the local disk, on the upload's own runtime: nothing else waits on it.
        // `read_to_end` fills the fresh buffer without zeroing it first.
        let mut buf = Vec::with_capacity(n);
        match (&mut self.file).take(n as u64).read_to_end(&mut buf) {
            Ok(got) if got == n => {}
            Ok(_) => {
                return Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the bundle is shorter than it was",
                ))));
            }
            Err(e) => return Poll::Ready(Some(Err(e))),
        }
        self.left -= n as u64;
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

/// The async client and the runtime that drives it, for one upload.
pub struct Sender {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Sender {
    pub fn new(intake: &crate::campaign::Intake) -> Result<Self, IntakeError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| IntakeError::Client(e.to_string()))?;
        let client = {
            let _inside = runtime.enter();
            // No limit on the whole request: only on one standing still (below).
            super::intake_client!(reqwest::Client::builder(), intake)
                .build()
                .map_err(|e| IntakeError::Client(error_chain(&e)))?
        };
        Ok(Self { runtime, client })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Send `request`, whose body counts into `meter`; `report(sent)` every 100 ms. Ends at
    /// 取消 ([`IntakeError::Cancelled`]) or after `idle` without progress or answer.
    pub fn send(
        &self,
        request: reqwest::RequestBuilder,
        meter: &Meter,
        work: &dyn Work,
        report: &dyn Fn(u64),
        url: &str,
        idle: Duration,
    ) -> Result<Answer, IntakeError> {
        let exchange = async move {
            let mut response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            while body.len() < ANSWER_LIMIT {
                match response.chunk().await? {
                    Some(chunk) => body.extend_from_slice(&chunk),
                    None => break,
                }
            }
            body.truncate(ANSWER_LIMIT);
            Ok::<_, reqwest::Error>(Answer {
                status,
                headers,
                body,
            })
        };
        self.runtime.block_on(async {
            let mut exchange = std::pin::pin!(exchange);
            let mut moved_at = Instant::now();
            let mut last = meter.sent.load(Ordering::Relaxed);
            loop {
                let mut tick = std::pin::pin!(tokio::time::sleep(TICK));
                let ended = std::future::poll_fn(|cx| {
                    if let Poll::Ready(r) = exchange.as_mut().poll(cx) {
                        return Poll::Ready(Some(r));
                    }
                    tick.as_mut().poll(cx).map(|()| None)
                })
                .await;
                if let Some(result) = ended {
                    if work.should_stop() {
                        return Err(IntakeError::Cancelled);
                    }
                    return result.map_err(|e| classify(url, &e));
                }
                let sent = meter.sent.load(Ordering::Relaxed);
                report(sent);
                if sent != last {
                    last = sent;
                    moved_at = Instant::now();
                }
                if work.should_stop() {
                    // Dropping the request aborts it; the body stops at its next frame too.
                    meter.stop.store(true, Ordering::Relaxed);
                    return Err(IntakeError::Cancelled);
                }
                if moved_at.elapsed() > idle {
                    tracing::warn!(
                        url,
                        sent,
                        "no progress and no answer; giving up on this request"
                    );
                    return Err(IntakeError::Timeout {
                        url: url.to_string(),
                    });
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::Unwatched;
    use std::io::Write;
    use std::net::TcpListener;

    /// A server that takes the body at `bytes_per_tick` every 20 ms (0: stops reading after the
    /// headers), then answers 204.
    fn server(bytes_per_tick: usize) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if s.read(&mut byte).unwrap_or(0) == 0 {
                    return;
                }
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let len: usize = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if bytes_per_tick == 0 {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            let mut buf = vec![0u8; bytes_per_tick];
            let mut got = 0;
            while got < len {
                let want = bytes_per_tick.min(len - got);
                match s.read(&mut buf[..want]) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got += n,
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = s.write_all(
                format!("HTTP/1.1 204 No Content\r\nUpload-Offset: {got}\r\n\r\n").as_bytes(),
            );
        });
        port
    }

    fn file(mib: usize) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let chunk = vec![7u8; 1 << 20];
        for _ in 0..mib {
            f.write_all(&chunk).unwrap();
        }
        f
    }

    fn put(
        port: u16,
        path: &std::path::Path,
        len: u64,
        idle: Duration,
    ) -> Result<Answer, IntakeError> {
        let sender = Sender::new(&crate::campaign::Intake::new("http://127.0.0.1/", None)).unwrap();
        let meter = Meter::default();
        let body = FileBody::open(path, 0, len, &meter).unwrap();
        let url = format!("http://127.0.0.1:{port}/files/x");
        let request = sender
            .client()
            .patch(&url)
            .header("Content-Length", len.to_string())
            .body(reqwest::Body::wrap(body));
        sender.send(request, &meter, &Unwatched, &|_| {}, &url, idle)
    }

    #[test]
    fn a_slow_line_that_keeps_moving_is_not_cut_off() {
        // 16 MiB at about 3 MB/s: several times the idle limit in all, never idle that long.
        let f = file(16);
        let port = server(64 * 1024);
        let started = Instant::now();
        let answer = put(port, f.path(), 16 << 20, Duration::from_secs(2)).unwrap();
        assert_eq!(answer.status.as_u16(), 204);
        assert!(started.elapsed() > Duration::from_secs(3), "it was slow");
    }

    #[test]
    fn a_stalled_line_gives_up_after_the_idle_time() {
        // More than the socket buffers hold, to a server that stopped reading.
        let f = file(64);
        let port = server(0);
        let started = Instant::now();
        let e = put(port, f.path(), 64 << 20, Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, IntakeError::Timeout { .. }), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

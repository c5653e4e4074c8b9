//! Sending a bundle until the server confirms it, through what a flaky office network does:
//! tus when the endpoint offers it (resumable: every interruption continues from the server's
//! offset), a plain POST otherwise. Transient failures — the network gone, a timeout, a busy
//! server (5xx, 429, honouring `Retry-After`) — are retried with a growing wait while the stage
//! says 等待网络; the rest end the upload with a message saying what to do.
//!
//! The resume state ([`UploadState`]) is handed to `persist` whenever it changes, *before* the
//! first byte goes to a new upload, so a crash or a power cut loses nothing: the next attempt
//! asks the server for its offset and carries on from there.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::sender::Sender;
use super::tus::{self, Metadata};
use super::{IntakeError, Probe, check_scheme, multipart, upload_client};
use crate::campaign::Intake;
use crate::work::Work;

/// Where an upload stands, kept beside the bundle so it can be resumed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadState {
    pub endpoint: String,
    /// sha256 of the bundle being sent.
    pub sha256: String,
    pub bytes: u64,
    /// `tus` or `multipart`, once the endpoint has said.
    pub protocol: String,
    /// The tus upload's address on the server, once created.
    pub upload_url: Option<String>,
    /// What the bundle was built from (the draft's `updated_at`): a changed draft is rebuilt.
    pub built_from: String,
    /// The server's last known offset (not kept: the server is asked again on resuming).
    #[serde(skip)]
    pub offset: u64,
}

#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Bytes per PATCH: what an interruption can cost at most.
    pub chunk: u64,
    /// The first wait after a failure; it doubles on each failure in a row without progress.
    pub first_wait: Duration,
    /// The longest wait between two attempts.
    pub max_wait: Duration,
    /// Give up on transient failures after this long (`None`: keep waiting until 取消).
    pub give_up_after: Option<Duration>,
    /// Give up on one request after this long without a byte moving (then retry).
    pub idle: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            chunk: 16 * 1024 * 1024,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            give_up_after: None,
            idle: super::sender::IDLE,
        }
    }
}

/// What to send.
pub struct UploadRequest<'a> {
    pub intake: &'a Intake,
    pub bundle: &'a Path,
    pub file_name: &'a str,
    pub meta: Metadata,
    pub bytes: u64,
    pub persist: &'a dyn Fn(&UploadState) -> std::io::Result<()>,
    pub options: UploadOptions,
}

/// The server's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub protocol: &'static str,
    /// The tus upload's address, or what the plain server called it.
    pub reference: String,
}

/// Stages the window shows.
pub const STAGE_UPLOAD: &str = "正在上传";
pub const STAGE_WAIT: &str = "等待网络";

/// Send the bundle, starting from `state` (a previous attempt's, or a fresh one).
pub fn upload(
    request: &UploadRequest<'_>,
    state: &mut UploadState,
    work: &dyn Work,
) -> Result<Confirmed, IntakeError> {
    let endpoint = check_scheme(request.intake)?;
    let client = upload_client(request.intake)?;
    let sender = Sender::new(request.intake)?;
    let mut started = Instant::now();
    let mut wait = request.options.first_wait;
    loop {
        if work.should_stop() {
            return Err(IntakeError::Cancelled);
        }
        let before = state.offset;
        let result = attempt(&client, &sender, &endpoint, request, state, work);
        if state.offset > before {
            // Progress was made: the network is there; start counting afresh.
            wait = request.options.first_wait;
            started = Instant::now();
        }
        match result {
            Ok(confirmed) => return Ok(confirmed),
            Err(e) if e.is_transient() => {
                if request
                    .options
                    .give_up_after
                    .is_some_and(|limit| started.elapsed() >= limit)
                {
                    return Err(e);
                }
                let pause = match &e {
                    IntakeError::Unavailable {
                        retry_after: Some(after),
                        ..
                    } => *after,
                    _ => wait,
                };
                tracing::warn!(error = %e, wait_s = pause.as_secs_f32(), "upload interrupted; retrying");
                // A line that was down is looked at every few seconds (a connection, nothing
                // sent): its return is noticed at once, not after a back-off grown to a minute.
                // A server that answered "busy" is left alone for as long as it asked.
                let watch = matches!(e, IntakeError::Connect { .. } | IntakeError::Timeout { .. })
                    .then(|| line_of(&endpoint))
                    .flatten();
                sleep(pause, work, state, watch.as_ref())?;
                wait = (wait * 2).min(request.options.max_wait);
            }
            Err(e) => return Err(e),
        }
    }
}

/// How often a line that was down is looked at while waiting.
const LINE_LOOK_EVERY: Duration = Duration::from_secs(3);

/// Where the endpoint's server is, to see whether the line is back (host and port; `None`
/// when it cannot be told, e.g. a name that does not resolve now).
fn line_of(endpoint: &reqwest::Url) -> Option<Vec<std::net::SocketAddr>> {
    let host = endpoint.host_str()?;
    let port = endpoint.port_or_known_default()?;
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .ok()
        .map(Iterator::collect)
}

/// Is the server reachable again? One connection opened and closed, nothing sent.
fn line_is_back(addrs: &[std::net::SocketAddr]) -> bool {
    addrs
        .iter()
        .any(|a| std::net::TcpStream::connect_timeout(a, Duration::from_secs(1)).is_ok())
}

/// Wait, saying so — with what the server holds, not 0 — and stop waiting at 取消, at 立即重试,
/// or when the line that was down (`watch`) answers again.
fn sleep(
    pause: Duration,
    work: &dyn Work,
    state: &UploadState,
    watch: Option<&Vec<std::net::SocketAddr>>,
) -> Result<(), IntakeError> {
    let started = Instant::now();
    let until = started + pause;
    let mut looked = started;
    // The line counts as back only once it was seen down in this wait (a server that accepts a
    // connection and then fails is waited for by the back-off, not every few seconds).
    let mut seen_down = false;
    while Instant::now() < until {
        if work.should_stop() {
            return Err(IntakeError::Cancelled);
        }
        if work.take_retry_now() {
            tracing::info!("retrying now, as asked");
            return Ok(());
        }
        if let Some(addrs) = watch
            && looked.elapsed() >= LINE_LOOK_EVERY
        {
            looked = Instant::now();
            match line_is_back(addrs) {
                true if seen_down => {
                    tracing::info!("the line is back; retrying");
                    return Ok(());
                }
                true => {}
                false => seen_down = true,
            }
        }
        let left = until.saturating_duration_since(Instant::now()).as_secs() + 1;
        work.progress(
            &format!("{STAGE_WAIT}（{left} 秒后重试）"),
            state.offset,
            state.bytes,
        );
        std::thread::sleep(Duration::from_millis(100).min(pause));
    }
    Ok(())
}

fn attempt(
    client: &reqwest::blocking::Client,
    sender: &Sender,
    endpoint: &reqwest::Url,
    request: &UploadRequest<'_>,
    state: &mut UploadState,
    work: &dyn Work,
) -> Result<Confirmed, IntakeError> {
    let probe = super::IntakeClient::new(request.intake)?.probe(request.intake)?;
    match probe {
        Probe::Tus {
            extensions,
            max_size,
            ..
        } => {
            if let Some(max) = max_size
                && request.bytes > max
            {
                return Err(IntakeError::TooBig {
                    url: endpoint.to_string(),
                    bytes: request.bytes,
                    limit: Some(max),
                });
            }
            if state.protocol != "tus" {
                state.protocol = "tus".into();
                state.upload_url = None;
            }
            send_tus(client, sender, endpoint, request, state, work, &extensions)
        }
        Probe::Plain { .. } => {
            state.protocol = "multipart".into();
            state.upload_url = None;
            persist(request, state)?;
            let reference = multipart::post(
                sender,
                request.intake,
                endpoint,
                request.bundle,
                request.file_name,
                work,
                STAGE_UPLOAD,
                request.options.idle,
            )?;
            Ok(Confirmed {
                protocol: "multipart",
                reference,
            })
        }
    }
}

fn persist(request: &UploadRequest<'_>, state: &UploadState) -> Result<(), IntakeError> {
    (request.persist)(state).map_err(|e| IntakeError::Bundle {
        path: request.bundle.display().to_string(),
        detail: format!("cannot keep the upload's state: {e}"),
    })
}

fn send_tus(
    client: &reqwest::blocking::Client,
    sender: &Sender,
    endpoint: &reqwest::Url,
    request: &UploadRequest<'_>,
    state: &mut UploadState,
    work: &dyn Work,
    extensions: &[String],
) -> Result<Confirmed, IntakeError> {
    let intake = request.intake;
    let total = request.bytes;
    // An upload address kept from before that is not the endpoint's (a copied or edited draft
    // folder) is never contacted with the token: start afresh.
    if state
        .upload_url
        .as_deref()
        .is_some_and(|u| !reqwest::Url::parse(u).is_ok_and(|u| super::same_origin(&u, endpoint)))
    {
        tracing::warn!("the kept upload address is not the endpoint's; starting afresh");
        state.upload_url = None;
    }
    // Where the server is: an upload of a previous attempt, or a new one.
    let mut at = match &state.upload_url {
        Some(url) => match tus::offset(client, intake, url)? {
            Some(tus::Held { offset, .. }) => {
                tracing::info!(url, offset, "resuming the upload");
                Some(offset)
            }
            None => {
                tracing::info!(url, "the server no longer has the upload; starting afresh");
                state.upload_url = None;
                None
            }
        },
        None => None,
    };
    let url = match (&state.upload_url, at) {
        (Some(url), Some(_)) => url.clone(),
        _ => {
            let url = tus::create(client, intake, endpoint, total, &request.meta)?;
            state.upload_url = Some(url.clone());
            // Kept before the first byte is sent.
            persist(request, state)?;
            at = Some(0);
            url
        }
    };
    let mut offset = at.unwrap_or(0);
    state.offset = state.offset.max(offset);
    let checksum = extensions.iter().any(|e| e == "checksum");
    while offset < total {
        if work.should_stop() {
            return Err(IntakeError::Cancelled);
        }
        let len = request.options.chunk.min(total - offset);
        let chunk = tus::Chunk {
            bundle: request.bundle,
            offset,
            len,
            sha1: if checksum {
                sha1_of(request.bundle, offset, len)
            } else {
                None
            },
        };
        let idle = request.options.idle;
        match tus::patch(
            sender,
            intake,
            &url,
            &chunk,
            work,
            STAGE_UPLOAD,
            total,
            idle,
        ) {
            Ok(next) if next > offset && next <= total => {
                offset = next;
                state.offset = next;
            }
            Ok(next) => {
                return Err(IntakeError::Rejected {
                    url: url.clone(),
                    status: 204,
                    detail: format!("offset went from {offset} to {next}"),
                });
            }
            Err(IntakeError::Rejected {
                status: 404 | 410, ..
            }) => {
                // Gone while sending: start afresh on the next attempt.
                state.upload_url = None;
                persist(request, state)?;
                return Err(IntakeError::Unavailable {
                    url,
                    status: 410,
                    retry_after: Some(Duration::ZERO),
                });
            }
            Err(e) => return Err(e),
        }
        work.progress(STAGE_UPLOAD, offset, total);
    }
    // Confirmed only by the server: ask once more.
    match tus::offset(client, intake, &url)? {
        // The receiving end recomputed another sha256 than ours: not what we sent.
        Some(tus::Held {
            sha256: Some(theirs),
            ..
        }) if theirs != request.meta.sha256 => Err(IntakeError::Damaged { url }),
        Some(held) if held.offset == total => Ok(Confirmed {
            protocol: "tus",
            reference: url,
        }),
        Some(tus::Held { offset: o, .. }) => Err(IntakeError::Rejected {
            url,
            status: 200,
            detail: format!("server has {o} of {total} bytes"),
        }),
        None => Err(IntakeError::Rejected {
            url,
            status: 404,
            detail: "the upload vanished after completion".into(),
        }),
    }
}

/// sha1 of a chunk, base64 (the tus checksum extension's usual algorithm).
fn sha1_of(bundle: &Path, offset: u64, len: u64) -> Option<String> {
    use sha1::{Digest, Sha1};
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(bundle).ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut hasher = Sha1::new();
    let mut take = file.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = take.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Some(crate::bundle::summary::base64(&hasher.finalize()))
}

/// End a tus upload on the server (取消 of a submission); nothing to do for a plain POST.
pub fn terminate(intake: &Intake, state: &UploadState) -> Result<(), IntakeError> {
    if let Some(url) = &state.upload_url {
        let endpoint = check_scheme(intake)?;
        if !reqwest::Url::parse(url).is_ok_and(|u| super::same_origin(&u, &endpoint)) {
            tracing::warn!("the kept upload address is not the endpoint's; not contacted");
            return Ok(());
        }
        let client = upload_client(intake)?;
        tus::terminate(&client, intake, url)?;
    }
    Ok(())
}

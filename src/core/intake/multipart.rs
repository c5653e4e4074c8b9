//! A plain `multipart/form-data` POST, for intake endpoints that do not speak tus: the bundle in
//! the form field `files` (what common upload servers take), with a bearer token, or HTTP basic
//! authentication from the address's `user:password@`. Not resumable: an interrupted POST starts
//! again from the beginning.
//!
//! Success only on the server's word: 201, 202 or 204, or 200 with a JSON body. A 200 web page —
//! a captive portal, a proxy's login page — is not a confirmation.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use reqwest::blocking::Client;

use super::{IntakeError, classify, request_timeout, status_error};
use crate::core::campaign::Intake;
use crate::core::work::Work;

/// The form field the bundle is sent in.
pub const FIELD: &str = "files";

struct Counting {
    file: File,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.file.read(buf)?;
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// POST the bundle; returns what the server called it (a `Location`, an id in its JSON, or its
/// status line).
pub fn post(
    client: &Client,
    intake: &Intake,
    endpoint: &reqwest::Url,
    bundle: &Path,
    file_name: &str,
    work: &dyn Work,
    stage: &str,
) -> Result<String, IntakeError> {
    let bundle_err = |e: std::io::Error| IntakeError::Bundle {
        path: bundle.display().to_string(),
        detail: e.to_string(),
    };
    let file = File::open(bundle).map_err(bundle_err)?;
    let bytes = file.metadata().map_err(bundle_err)?.len();
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let part = reqwest::blocking::multipart::Part::reader_with_length(
        Counting {
            file,
            sent: sent.clone(),
            stop: stop.clone(),
        },
        bytes,
    )
    .file_name(file_name.to_string())
    .mime_str("application/zip")
    .map_err(|e| IntakeError::Client(e.to_string()))?;
    let form = reqwest::blocking::multipart::Form::new().part(FIELD, part);
    // user:password@ in the address is HTTP basic authentication, sent only to that host.
    let mut url = endpoint.clone();
    let basic = (!url.username().is_empty()).then(|| {
        (
            url.username().to_string(),
            url.password().map(str::to_string),
        )
    });
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let shown = url.as_str().to_string();
    let mut request = client
        .post(url)
        .multipart(form)
        .timeout(request_timeout(bytes));
    request = match (&basic, intake.token.as_deref().filter(|t| !t.is_empty())) {
        (Some((user, password)), _) => request.basic_auth(user, password.as_deref()),
        (None, Some(token)) => request.bearer_auth(token),
        (None, None) => request,
    };
    let finished = AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                work.progress(stage, sent.load(Ordering::Relaxed), bytes);
                if work.should_stop() {
                    stop.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let r = request.send();
        finished.store(true, Ordering::Relaxed);
        r
    });
    if work.should_stop() {
        return Err(IntakeError::Cancelled);
    }
    let response = result.map_err(|e| classify(&shown, &e))?;
    let status = response.status();
    let location = response
        .headers()
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = response
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let headers = response.headers().clone();
    match status.as_u16() {
        201 | 202 | 204 => Ok(location.unwrap_or_else(|| format!("HTTP {}", status.as_u16()))),
        200 => {
            let body = response.text().unwrap_or_default();
            let json: Option<serde_json::Value> = serde_json::from_str(body.trim()).ok();
            match json {
                Some(v) if v.is_object() || v.is_array() => Ok(reference_in(&v)
                    .or(location)
                    .unwrap_or_else(|| "HTTP 200".into())),
                _ => Err(IntakeError::NotConfirmed {
                    url: shown,
                    status: 200,
                    content_type,
                }),
            }
        }
        _ => Err(status_error(&shown, status, &headers, bytes)),
    }
}

/// An id or address the server gave the upload, in its JSON answer.
fn reference_in(v: &serde_json::Value) -> Option<String> {
    for key in ["id", "url", "location", "path", "name", "key"] {
        if let Some(s) = v.get(key).and_then(|x| {
            x.as_str()
                .map(str::to_string)
                .or_else(|| x.as_u64().map(|n| n.to_string()))
        }) {
            return Some(s);
        }
    }
    None
}

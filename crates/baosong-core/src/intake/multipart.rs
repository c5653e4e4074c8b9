//! A plain `multipart/form-data` POST, for intake endpoints that do not speak tus: the bundle in
//! the form field `files` (what common upload servers take), with a bearer token, or HTTP basic
//! authentication from the address's `user:password@`. Not resumable: an interrupted POST starts
//! again from the beginning.
//!
//! Success only on the server's word: 201, 202 or 204, or 200 with a JSON body. A 200 web page —
//! a captive portal, a proxy's login page — is not a confirmation.

use std::path::Path;
use std::time::Duration;

use super::sender::{FileBody, Meter, Sender};
use super::{IntakeError, status_error};
use crate::campaign::Intake;
use crate::work::Work;

/// The form field the bundle is sent in.
pub const FIELD: &str = "files";

/// POST the bundle (through the [`Sender`]); returns what the server called it (a `Location`,
/// an id in its JSON, or its status line).
#[allow(clippy::too_many_arguments)]
pub fn post(
    sender: &Sender,
    intake: &Intake,
    endpoint: &reqwest::Url,
    bundle: &Path,
    file_name: &str,
    work: &dyn Work,
    stage: &str,
    idle: Duration,
) -> Result<String, IntakeError> {
    let bundle_err = |e: std::io::Error| IntakeError::Bundle {
        path: bundle.display().to_string(),
        detail: e.to_string(),
    };
    let bytes = std::fs::metadata(bundle).map_err(bundle_err)?.len();
    let meter = Meter::default();
    let body = FileBody::open(bundle, 0, bytes, &meter).map_err(bundle_err)?;
    let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap(body), bytes)
        .file_name(file_name.to_string())
        .mime_str("application/zip")
        .map_err(|e| IntakeError::Client(e.to_string()))?;
    let form = reqwest::multipart::Form::new().part(FIELD, part);
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
    let mut request = sender.client().post(url).multipart(form);
    request = match (&basic, intake.token.as_deref().filter(|t| !t.is_empty())) {
        (Some((user, password)), _) => request.basic_auth(user, password.as_deref()),
        (None, Some(token)) => request.bearer_auth(token),
        (None, None) => request,
    };
    let report = |sent: u64| work.progress(stage, sent, bytes);
    let answer = sender.send(request, &meter, work, &report, &shown, idle)?;
    let status = answer.status;
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("Location");
    let content_type = header("Content-Type").unwrap_or_default();
    match status.as_u16() {
        201 | 202 | 204 => Ok(location.unwrap_or_else(|| format!("HTTP {}", status.as_u16()))),
        200 => {
            let body = String::from_utf8_lossy(&answer.body);
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
        _ => Err(status_error(&shown, status, &answer.headers, bytes)),
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

//! tus 1.0 (<https://tus.io/protocols/resumable-upload>): creation, PATCH in chunks, HEAD for
//! the offset after any interruption, termination, and the checksum extension when the server
//! offers sha1. The small requests are plain blocking calls; a chunk goes through the
//! [`Sender`]. `upload` strings them together with the retries.

use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};

use super::sender::{FileBody, Meter, Sender};
use super::{IntakeError, classify, status_error};
use crate::bundle::summary::base64;
use crate::campaign::Intake;
use crate::work::Work;

pub const TUS_VERSION: &str = "1.0.0";

/// What `Upload-Metadata` carries: the receiving end names and checks the upload by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub filename: String,
    pub unit: String,
    pub campaign: String,
    pub sha256: String,
}

impl Metadata {
    /// `filename <base64>,filetype …,unit …,campaign …,sha256 …`
    pub fn header(&self) -> String {
        [
            ("filename", self.filename.as_str()),
            ("filetype", "application/zip"),
            ("unit", self.unit.as_str()),
            ("campaign", self.campaign.as_str()),
            ("sha256", self.sha256.as_str()),
        ]
        .iter()
        .map(|(k, v)| format!("{k} {}", base64(v.as_bytes())))
        .collect::<Vec<_>>()
        .join(",")
    }
}

fn authorised(request: RequestBuilder, intake: &Intake) -> RequestBuilder {
    let request = request.header("Tus-Resumable", TUS_VERSION);
    match intake.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

fn offset_of(response: &reqwest::blocking::Response) -> Option<u64> {
    offset_in(response.headers())
}

fn offset_in(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get("Upload-Offset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Create an upload of `length` bytes; returns its URL (absolute).
pub fn create(
    client: &Client,
    intake: &Intake,
    endpoint: &reqwest::Url,
    length: u64,
    meta: &Metadata,
) -> Result<String, IntakeError> {
    let url = endpoint.as_str();
    let response = authorised(client.post(endpoint.clone()), intake)
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", meta.header())
        .header("Content-Length", "0")
        .send()
        .map_err(|e| classify(url, &e))?;
    let status = response.status();
    if status.as_u16() != 201 {
        return Err(status_error(url, status, response.headers(), length));
    }
    let location = response
        .headers()
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| IntakeError::Rejected {
            url: url.to_string(),
            status: 201,
            detail: "no Location".into(),
        })?;
    let absolute = endpoint.join(location).map_err(|e| IntakeError::Rejected {
        url: url.to_string(),
        status: 201,
        detail: format!("bad Location {location}: {e}"),
    })?;
    // The upload's address is followed with the token: only on the endpoint's own origin.
    if !super::same_origin(&absolute, endpoint) {
        return Err(IntakeError::Redirected {
            url: url.to_string(),
            location: absolute.to_string(),
        });
    }
    Ok(absolute.to_string())
}

/// What the server holds of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub offset: u64,
    /// The sha256 the receiving end recomputed over the whole upload, when it says
    /// (`Baosong-Sha256`: deploy/intake does, once the last byte is in and checked).
    pub sha256: Option<String>,
}

/// How much of an upload the server has: `Ok(None)` when it no longer knows it (404, 410).
pub fn offset(client: &Client, intake: &Intake, upload: &str) -> Result<Option<Held>, IntakeError> {
    let response = authorised(client.head(upload), intake)
        .send()
        .map_err(|e| classify(upload, &e))?;
    let status = response.status().as_u16();
    match status {
        200 | 204 => offset_of(&response)
            .map(|offset| {
                let sha256 = response
                    .headers()
                    .get("Baosong-Sha256")
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim().to_ascii_lowercase());
                Some(Held { offset, sha256 })
            })
            .ok_or_else(|| IntakeError::Rejected {
                url: upload.to_string(),
                status,
                detail: "no Upload-Offset".into(),
            }),
        404 | 410 => Ok(None),
        _ => Err(status_error(
            upload,
            response.status(),
            response.headers(),
            0,
        )),
    }
}

/// One chunk of the file, read as the request is sent; counts what was read and stops when
/// asked (so 取消 and 暂停 take effect within moments, not at the end of the chunk).
/// What one PATCH is asked to send.
pub struct Chunk<'a> {
    pub bundle: &'a std::path::Path,
    pub offset: u64,
    pub len: u64,
    /// The sha1 of the chunk, when the server takes `Upload-Checksum` (base64).
    pub sha1: Option<String>,
}

/// Send one chunk (through the [`Sender`]: fast, with an idle timeout); returns the server's
/// new offset. Progress is reported as the chunk's offset plus what has been sent of it, out of
/// `total`.
#[allow(clippy::too_many_arguments)]
pub fn patch(
    sender: &Sender,
    intake: &Intake,
    upload: &str,
    chunk: &Chunk<'_>,
    work: &dyn Work,
    stage: &str,
    total: u64,
    idle: Duration,
) -> Result<u64, IntakeError> {
    let meter = Meter::default();
    let body = FileBody::open(chunk.bundle, chunk.offset, chunk.len, &meter).map_err(|e| {
        IntakeError::Bundle {
            path: chunk.bundle.display().to_string(),
            detail: e.to_string(),
        }
    })?;
    let mut request = sender
        .client()
        .patch(upload)
        .header("Tus-Resumable", TUS_VERSION)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", chunk.offset.to_string())
        .header("Content-Length", chunk.len.to_string())
        .body(reqwest::Body::wrap(body));
    if let Some(token) = intake.token.as_deref().filter(|t| !t.is_empty()) {
        request = request.bearer_auth(token);
    }
    if let Some(sum) = &chunk.sha1 {
        request = request.header("Upload-Checksum", format!("sha1 {sum}"));
    }
    let report = |sent: u64| work.progress(stage, chunk.offset + sent, total);
    let answer = sender.send(request, &meter, work, &report, upload, idle)?;
    let status = answer.status;
    match status.as_u16() {
        200 | 204 => offset_in(&answer.headers).ok_or_else(|| IntakeError::Rejected {
            url: upload.to_string(),
            status: status.as_u16(),
            detail: "no Upload-Offset".into(),
        }),
        // The server's offset is not ours (409), or the chunk arrived damaged (460): ask again.
        409 | 460 => Err(IntakeError::Unavailable {
            url: upload.to_string(),
            status: status.as_u16(),
            retry_after: Some(Duration::ZERO),
        }),
        404 | 410 => Err(IntakeError::Rejected {
            url: upload.to_string(),
            status: status.as_u16(),
            detail: "gone".into(),
        }),
        // The intake (deploy/intake) recomputed the sha256 on the last byte and it did not match.
        422 => Err(IntakeError::Damaged {
            url: upload.to_string(),
        }),
        _ => Err(status_error(upload, status, &answer.headers, total)),
    }
}

/// End an upload on the server (取消): its bytes are deleted there.
pub fn terminate(client: &Client, intake: &Intake, upload: &str) -> Result<(), IntakeError> {
    let response = authorised(client.delete(upload), intake)
        .send()
        .map_err(|e| classify(upload, &e))?;
    match response.status().as_u16() {
        204 | 200 | 404 | 410 => Ok(()),
        _ => Err(status_error(
            upload,
            response.status(),
            response.headers(),
            0,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_base64_per_key() {
        let m = Metadata {
            filename: "材料包.zip".into(),
            unit: "渝中区妇联".into(),
            campaign: "cq-sanba-2024".into(),
            sha256: "ab".into(),
        };
        let h = m.header();
        assert!(
            h.starts_with("filename 5p2Q5paZ5YyFLnppcA==,filetype YXBwbGljYXRpb24vemlw,unit "),
            "{h}"
        );
        assert!(h.ends_with(",sha256 YWI="));
    }
}

//! Reviews and reminders through the intake (`deploy/intake/reviews.mjs`):
//!
//! ```text
//! PUT <endpoint>/reviews/<id>        the desk token: {"message": "<text>", "signature": "<hex>"}
//! GET <endpoint>/reviews/mine        a unit's token: that unit's messages, and nobody else's
//! PUT <endpoint>/reviews/seen/<id>   a unit's token: its app has shown this message
//! GET <endpoint>/reviews/all         the desk token: every unit's messages, with when seen
//! ```
//!
//! The intake checks the signature as the apps will; the apps check it again, and the unit.

use std::path::Path;

use reqwest::StatusCode;
use serde::Deserialize;

use super::{Inbox, Message, Signed};
use crate::campaign::Intake;
use crate::campaign::channel::{
    ChannelError, authorised, client, desk_key_for, get_at, put_signed, url_at,
};
use crate::campaign::signing::PublicKey;
use crate::intake::IntakeError;

/// The largest list read (the intake keeps at most 500 messages per unit).
const MAX_LIST: u64 = 40 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
struct List {
    /// The unit the intake answered for (the token's).
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    messages: Vec<Signed>,
}

/// Publish one message with the department's key kept in `key_dir` (checked first against the
/// intake's; never made here). A message the intake already holds is not an error.
pub fn publish(intake: &Intake, key_dir: &Path, message: &Message) -> Result<Signed, ChannelError> {
    let (key, _) = desk_key_for(intake, key_dir, false)?;
    let signed = message.sign(&key).map_err(ChannelError::Template)?;
    let url = url_at(intake, &format!("reviews/{}", message.id))?;
    let shown = url.to_string();
    let http = client(intake)?;
    let body = serde_json::json!({ "message": signed.message, "signature": signed.signature });
    let (status, text) = put_signed(&http, intake, url, &body)?;
    if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        return Err(ChannelError::NoCampaignsHere { url: shown });
    }
    if status == StatusCode::CREATED || status == StatusCode::CONFLICT {
        return Ok(signed);
    }
    Err(ChannelError::Refused {
        status: status.as_u16(),
        detail: String::from_utf8_lossy(&text).trim().to_string(),
    })
}

fn list(intake: &Intake, name: &str) -> Result<List, ChannelError> {
    let http = client(intake)?;
    let at = url_at(intake, name)?;
    let url = at.to_string();
    let bytes = match get_at(&http, intake, at, MAX_LIST, None) {
        Ok(Some((bytes, _))) => bytes,
        Ok(None) => return Ok(List::default()),
        Err(ChannelError::Intake(IntakeError::NotFound { url })) => {
            return Err(ChannelError::NoCampaignsHere { url });
        }
        Err(ChannelError::Intake(IntakeError::Unauthorised { url, status })) => {
            return Err(ChannelError::ReadRefused { url, status });
        }
        Err(e) => return Err(e),
    };
    serde_json::from_slice(&bytes).map_err(|e| ChannelError::BadAnswer {
        url,
        detail: e.to_string(),
    })
}

/// What one look at the unit's messages found.
#[derive(Debug, Default)]
pub struct Looked {
    /// Messages new to this PC (verified and kept).
    pub new: usize,
    /// Messages that did not verify (logged, never shown).
    pub refused: usize,
}

/// The unit's messages (with its own token): each verified against the pinned key and for the
/// unit the intake answered for; what verifies is kept in the inbox, what does not is ignored
/// with a log line. Then the reminders the clerk has seen are told to the intake.
pub fn look(intake: &Intake, key: &PublicKey, inbox: &Inbox) -> Result<Looked, ChannelError> {
    let answer = list(intake, "reviews/mine")?;
    let mut looked = Looked::default();
    let mut verified = Vec::new();
    for s in answer.messages.into_iter().take(super::MAX_KEPT) {
        match s.open(key, answer.unit.as_deref()) {
            Ok(_) => verified.push(s),
            Err(problem) => {
                looked.refused += 1;
                tracing::warn!(%problem, "a review or reminder from the intake was ignored");
            }
        }
    }
    looked.new =
        inbox
            .keep(answer.unit.as_deref(), &verified)
            .map_err(|e| ChannelError::BadAnswer {
                url: "reviews".into(),
                detail: e.to_string(),
            })?;
    acknowledge(intake, inbox);
    Ok(looked)
}

/// Tell the intake which messages the clerk has seen (what fails is told next time).
pub fn acknowledge(intake: &Intake, inbox: &Inbox) {
    let Ok(http) = client(intake) else {
        return;
    };
    for id in inbox.unacknowledged() {
        let Ok(url) = url_at(intake, &format!("reviews/seen/{id}")) else {
            return;
        };
        match authorised(http.put(url), intake).send() {
            Ok(r) if r.status().is_success() => {
                if let Err(e) = inbox.mark_acknowledged(&id) {
                    tracing::warn!(error = %e, "cannot note a reminder as told");
                }
            }
            Ok(r) => {
                tracing::info!(status = %r.status(), %id, "the intake did not note a reminder as seen")
            }
            Err(e) => {
                tracing::info!(error = %e, "reminders seen not told (offline?)");
                return;
            }
        }
    }
}

/// Every message the department has published (the desk token), with when each was seen,
/// verified against the department's key; what does not verify is left out with a log line.
pub fn all(intake: &Intake, key: &PublicKey) -> Result<Vec<(Message, Signed)>, ChannelError> {
    let answer = list(intake, "reviews/all")?;
    Ok(answer
        .messages
        .into_iter()
        .filter_map(|s| match s.open(key, None) {
            Ok(m) => Some((m, s)),
            Err(problem) => {
                tracing::warn!(%problem, "a published review does not verify; left out");
                None
            }
        })
        .collect())
}

//! The intake's audit log (`intake-audit.jsonl` in its store, one JSON object a line, written by
//! deploy/intake): what happened to each unit's uploads, with the server's time — the evidence
//! for "did 渝中区 really send on the 11th?". The desk shows the lines that matter beside the
//! table: received (with the sha256 it checked), refused and why, expired, withdrawn.
//!
//! The log is the intake's word, read as untrusted text like everything in the folder: at most
//! [`MAX_BYTES`] of it, lines that do not parse skipped.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

/// The log's name in the intake's store.
pub const AUDIT_LOG: &str = "intake-audit.jsonl";
/// The most of it read (its newest end).
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// One event of an upload, as the intake logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub time: DateTime<FixedOffset>,
    /// `received`, `refused`, `expired`, `terminated` (the others are not kept).
    pub event: String,
    /// The unit of the token (or, for a refusal, the unit declared).
    pub unit: String,
    pub sha256: Option<String>,
    pub reason: Option<String>,
}

impl AuditEvent {
    /// `2024-03-11 10:15 收到（sha256 3f9c1a…）` in `zone`.
    pub fn line(&self, zone: FixedOffset) -> String {
        let when = self.time.with_timezone(&zone).format("%Y-%m-%d %H:%M");
        let what = match self.event.as_str() {
            "received" => format!(
                "收到并核对无误（sha256 {}…）",
                self.sha256.as_deref().unwrap_or("").get(..12).unwrap_or("")
            ),
            "refused" => match self.reason.as_deref() {
                Some("sha256 mismatch") => "拒收：传输中损坏（校验值不符），未保存".into(),
                Some("token of another unit") => "拒收：用本单位令牌报送其他单位的材料".into(),
                Some("disk full") => "拒收：接收端存储空间不足".into(),
                Some(other) => format!("拒收：{other}"),
                None => "拒收".into(),
            },
            "expired" => "未传完，已过期清理".into(),
            "terminated" => "报送单位取消了未传完的上传".into(),
            other => other.to_string(),
        };
        format!("{when} {what}")
    }
}

/// The events of the log in `folder` that concern units, oldest first; empty when there is none.
pub fn read(folder: &Path) -> Vec<AuditEvent> {
    let Ok(mut file) = std::fs::File::open(folder.join(AUDIT_LOG)) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_BYTES {
        let _ = std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(len - MAX_BYTES));
    }
    let mut text = Vec::new();
    if file.take(MAX_BYTES).read_to_end(&mut text).is_err() {
        return Vec::new();
    }
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let event = v["event"].as_str()?.to_string();
            if !matches!(
                event.as_str(),
                "received" | "refused" | "expired" | "terminated"
            ) {
                return None;
            }
            let unit = v["unit"]
                .as_str()
                .or_else(|| v["declared"].as_str())?
                .trim()
                .to_string();
            Some(AuditEvent {
                time: DateTime::parse_from_rfc3339(v["time"].as_str()?).ok()?,
                event,
                unit,
                sha256: v["sha256"].as_str().map(str::to_string),
                reason: v["reason"].as_str().map(str::to_string),
            })
        })
        .collect()
}

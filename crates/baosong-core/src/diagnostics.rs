//! 导出诊断信息: one zip for IT support — the logs, the settings with every token removed, a
//! list of the drafts (ids, status, sizes; not their content) and a short "about" text. Nothing
//! a clerk typed into a draft leaves the PC this way.

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use zip::write::SimpleFileOptions;

use super::error::CoreError;
use super::store::DataDir;
use super::store::atomic::AtomicFile;

/// What went into the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticsSummary {
    pub files: Vec<String>,
}

/// Replace the value of every key named like a secret with `"（已移除）"`.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let k = key.to_ascii_lowercase();
                if k.contains("token") || k.contains("password") || k.contains("secret") {
                    *v = Value::String("（已移除）".into());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Write the diagnostics zip to `to` (atomically: nothing appears there unless it is whole),
/// creating its folder if need be.
pub fn export(data: &DataDir, about: &str, to: &Path) -> Result<DiagnosticsSummary, CoreError> {
    let io = |e: std::io::Error| CoreError::io("write", to, e);
    let zerr = |e: zip::result::ZipError| CoreError::io("write", to, std::io::Error::other(e));
    if let Some(dir) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io("create", dir, e))?;
    }
    let file = AtomicFile::create(to).map_err(io)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut files = Vec::new();
    let mut add =
        |zip: &mut zip::ZipWriter<AtomicFile>, name: &str, bytes: &[u8]| -> Result<(), CoreError> {
            zip.start_file(name, options).map_err(zerr)?;
            zip.write_all(bytes).map_err(io)?;
            files.push(name.to_string());
            Ok(())
        };
    add(&mut zip, "about.txt", about.as_bytes())?;

    if let Ok(bytes) = std::fs::read(data.root().join("settings.json")) {
        let text = match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut v) => {
                redact(&mut v);
                serde_json::to_string_pretty(&v).unwrap_or_default()
            }
            Err(_) => "（settings.json 无法解析，未附上原文）".to_string(),
        };
        add(&mut zip, "settings.json", text.as_bytes())?;
    }

    let listing = data.list();
    let mut drafts = String::from("id\tstatus\tupdated_at\tactivities\n");
    for d in &listing.drafts {
        drafts.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            d.id,
            d.status.label(),
            d.updated_at.to_rfc3339(),
            d.activity_count
        ));
    }
    for q in &listing.quarantined {
        drafts.push_str(&format!(
            "quarantined\t{}\t{}\t{}\n",
            q.id,
            q.detail,
            q.folder.display()
        ));
    }
    add(&mut zip, "drafts.txt", drafts.as_bytes())?;

    let logs = crate::store::log_dir(data.root());
    if let Ok(entries) = std::fs::read_dir(&logs) {
        let mut names: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            let name = format!(
                "logs/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            add(&mut zip, &name, &bytes)?;
        }
    }
    let file = zip.finish().map_err(zerr)?;
    file.commit().map_err(io)?;
    Ok(DiagnosticsSummary { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_removed_at_any_depth() {
        let mut v = serde_json::json!({
            "intake": {"url": "https://intake.example/upload", "token": "s3cr3t"},
            "list": [{"api_token": "x"}],
            "default_unit": {"unit": "渝中区妇联"}
        });
        redact(&mut v);
        let text = v.to_string();
        assert!(
            !text.contains("s3cr3t") && !text.contains("\"x\""),
            "{text}"
        );
        assert!(text.contains("https://intake.example/upload") && text.contains("渝中区妇联"));
    }
}

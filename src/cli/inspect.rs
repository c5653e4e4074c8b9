//! `baosong inspect FILE [--thumbnail out.png] [--size N]`: what the app makes of a file — the
//! kind decided by its content, its size and sha256, width and height as shown, duration, codec,
//! rotation, whether it carries a GPS location — as JSON on stdout; with `--thumbnail`, the
//! oriented thumbnail or the video's poster frame as a PNG. Exit 0; 1 with the Chinese reason
//! for a file that cannot be attached or read; 2 when the thumbnail cannot be written.
//!
//! The window runs this same command in a child process (`--limited`: a memory limit on itself,
//! a time limit from the parent) to look at files it does not trust.

use std::io::Write;
use std::path::Path;

use crate::core::media::{self, picture};
use crate::core::store::atomic::write_atomic;

pub(super) fn inspect(
    file: &Path,
    thumbnail: Option<&Path>,
    size: u32,
    limited: bool,
    out: &mut dyn Write,
) -> u8 {
    if limited && let Err(e) = crate::platform::limit_own_memory(media::probe::PROBE_MEMORY) {
        tracing::warn!(error = %e, "could not limit the probe's memory");
    }
    let (inspection, picture) = match media::inspect(file, thumbnail.map(|_| size)) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(error = %e, "inspect refused");
            eprintln!("错误：{}", e.user_message());
            return 1;
        }
    };
    let json = serde_json::to_string_pretty(&inspection).unwrap_or_default();
    let _ = writeln!(out, "{json}");
    if let (Some(path), Some(picture)) = (thumbnail, picture) {
        let written = picture::png_bytes(&picture)
            .map_err(std::io::Error::other)
            .and_then(|png| write_atomic(path, &png));
        if let Err(e) = written {
            eprintln!(
                "错误：无法保存缩略图“{}”：{}",
                path.display(),
                crate::core::error::io_reason(&e)
            );
            return 2;
        }
    }
    0
}

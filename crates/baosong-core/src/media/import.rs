//! Attaching a file: it is copied into the draft's `files/` and hashed (sha256) in the same
//! pass, so moving or deleting the original afterwards loses nothing; its kind is decided by
//! its content; a photo's copy has its location removed losslessly (see `exif`) while the
//! clerk's original is never written to. The copy appears under its final name only once it is
//! whole (an [`AtomicFile`]); a cancel or an error leaves nothing behind.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, FixedOffset};

use super::video_location::{self, VideoLocation};
use super::{MediaError, display_name, document, exif, identify, picture, read_up_to};
use crate::campaign::AttachmentRules;
use crate::draft::{Attachment, AttachmentId, FileKind, Material, MediaInfo, StoredFile};
use crate::hashing::HashThread;
use crate::store::atomic::AtomicFile;
use crate::store::modified_ms;
use crate::work::Work;

/// Copies are made in pieces of this size (progress and 取消 between pieces).
const CHUNK: usize = 4 << 20;

/// Where an import goes and what it must respect.
pub struct ImportTarget<'a> {
    /// The draft's `files/` folder.
    pub files_dir: &'a Path,
    pub rules: &'a AttachmentRules,
    /// Where an identical file (same sha256) is already attached, if it is.
    pub already: &'a dyn Fn(&str) -> Option<String>,
}

/// The stored name of an attachment: its id and the extension of what it really is.
pub fn stored_name(id: &AttachmentId, format: &str) -> String {
    let ext = match format {
        "jpeg" => "jpg",
        other => other,
    };
    format!("{id}.{ext}")
}

/// Copy `source` into the draft as attachment `id`. Photos and documents get their metadata
/// here; a video's (and a HEIC's) comes from the probe afterwards ([`super::probe`]).
pub fn import_file(
    source: &Path,
    id: AttachmentId,
    target: &ImportTarget<'_>,
    work: &dyn Work,
    now: DateTime<FixedOffset>,
) -> Result<Attachment, MediaError> {
    let name = display_name(source);
    let format = identify(source)?;
    let mut file = File::open(source).map_err(|source_err| MediaError::Unreadable {
        path: source.to_path_buf(),
        source: source_err,
    })?;
    let bytes = file
        .metadata()
        .map(|m| m.len())
        .map_err(|e| MediaError::Unreadable {
            path: source.to_path_buf(),
            source: e,
        })?;
    if let Some(rule) = target.rules.rule(format.kind)
        && bytes > rule.max_bytes
    {
        return Err(MediaError::TooBig {
            name,
            kind: rule.label.clone(),
            bytes,
            limit: rule.max_bytes,
        });
    }
    let stored = stored_name(&id, format.name);
    let dest = target.files_dir.join(&stored);
    let write_err = |e: std::io::Error| MediaError::Write {
        path: dest.clone(),
        source: e,
    };
    std::fs::create_dir_all(target.files_dir).map_err(write_err)?;
    let mut out = AtomicFile::create(&dest).map_err(write_err)?;
    let stage = format!("正在复制“{name}”");
    let mut record = StoredFile {
        kind: Some(format.kind),
        format: format.name.to_string(),
        original_name: name.clone(),
        stored_name: stored,
        ..StoredFile::default()
    };
    if format.kind == FileKind::Photo {
        // A photo is read whole: its location is removed in memory before anything is written.
        let mut whole = Vec::with_capacity(bytes as usize);
        file.read_to_end(&mut whole)
            .map_err(|e| MediaError::Unreadable {
                path: source.to_path_buf(),
                source: e,
            })?;
        work.check().map_err(|_| MediaError::Cancelled)?;
        record.location_removed = exif::remove_location(format.name, &mut whole);
        // A motion photo's video, a 360° camera's trailer: appended to a JPEG.
        let (trailer_removed, trailer_kept) = if format.name == "jpeg" {
            video_location::in_photo_trailer(&mut whole)
        } else {
            (false, false)
        };
        record.location_removed |= trailer_removed;
        // The EXIF read once, after the removal: what could not be removed in place (a GIF's
        // XMP) is said, never kept silently; the capture time.
        let exif = exif::read_photo(format.name, &whole);
        record.location_kept = exif.has_gps || trailer_kept;
        record.info = photo_info(&whole, format.name, exif.taken_at);
        record.sha256 = crate::hashing::sha256_hex(&whole);
        out.write_all(&whole).map_err(write_err)?;
        record.bytes = whole.len() as u64;
        work.progress(&stage, record.bytes, record.bytes);
    } else {
        // A phone video's location boxes are found first (box headers and the `moov` only)
        // and blanked in the copy as it streams: the hash is of what is stored.
        let mut patches = Vec::new();
        if matches!(format.name, "mp4" | "mov" | "m4v" | "3gp") {
            match video_location::plan(&mut file) {
                VideoLocation::None => {}
                VideoLocation::Removable(p) => {
                    record.location_removed = true;
                    patches = p;
                }
                VideoLocation::Unsure(why) => {
                    tracing::warn!(file = %name, why, "video location not removed");
                    record.location_kept = true;
                }
            }
            file.seek(SeekFrom::Start(0))
                .map_err(|e| MediaError::Unreadable {
                    path: source.to_path_buf(),
                    source: e,
                })?;
        }
        // Hashed on a second thread while this one reads and writes: the copy costs about
        // what a plain copy costs.
        let mut threaded = HashThread::start();
        let mut buf = vec![0u8; CHUNK];
        let mut done = 0u64;
        loop {
            work.check().map_err(|_| MediaError::Cancelled)?;
            let n = read_up_to(&mut file, &mut buf).map_err(|e| MediaError::Unreadable {
                path: source.to_path_buf(),
                source: e,
            })?;
            if n == 0 {
                break;
            }
            video_location::apply(&patches, done, &mut buf[..n]);
            threaded.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(write_err)?;
            done += n as u64;
            work.progress(&stage, done, bytes.max(done));
        }
        if done != bytes {
            // Grown or shrunk under the copy: what was read is no whole file.
            return Err(MediaError::ChangedWhileCopying { name });
        }
        record.bytes = done;
        record.sha256 = threaded
            .finish()
            .ok_or_else(|| write_err(std::io::Error::other("the hashing thread stopped")))?;
    }
    if let Some(place) = (target.already)(&record.sha256) {
        return Err(MediaError::Duplicate { name, place });
    }
    out.commit().map_err(write_err)?;
    record.modified_ms = std::fs::metadata(&dest)
        .and_then(|m| m.modified())
        .map(modified_ms)
        .unwrap_or_default();
    if format.kind == FileKind::Document
        && let Ok(mut copy) = File::open(&dest)
    {
        record.info.pages = document::page_count(format.name, &mut copy);
    }
    Ok(Attachment {
        id,
        caption: String::new(),
        added_at: now,
        material: Material::File(record),
    })
}

/// Size (after orientation) of a photo; HEIC's comes from the probe.
fn photo_info(bytes: &[u8], format: &str, taken_at: Option<String>) -> MediaInfo {
    let mut info = MediaInfo {
        taken_at,
        ..MediaInfo::default()
    };
    if matches!(format, "heic" | "heif") {
        return info;
    }
    if let Some((w, h)) = picture::dimensions(bytes, format) {
        info.width = Some(w);
        info.height = Some(h);
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::Campaign;
    use crate::work::Unwatched;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2024-03-08T10:00:00+08:00").unwrap()
    }

    fn rules() -> AttachmentRules {
        Campaign::builtin().unwrap().attachments
    }

    #[test]
    fn copies_and_hashes_in_one_pass_and_the_original_may_go() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("工作总结.pdf");
        let body = [
            b"%PDF-1.4\n<</Type /Page>>\n".to_vec(),
            vec![b'x'; 3 * CHUNK + 17],
        ]
        .concat();
        std::fs::write(&source, &body).unwrap();
        let files = dir.path().join("files");
        let rules = rules();
        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let a = import_file(&source, "f1".into(), &target, &Unwatched, now()).unwrap();
        let f = a.file().unwrap();
        assert_eq!(f.kind, Some(FileKind::Document));
        assert_eq!(f.stored_name, "f1.pdf");
        assert_eq!(f.original_name, "工作总结.pdf");
        assert_eq!(f.bytes, body.len() as u64);
        assert_eq!(f.sha256, crate::hashing::sha256_hex(&body));
        assert_eq!(f.info.pages, Some(1));
        std::fs::remove_file(&source).unwrap();
        assert_eq!(std::fs::read(files.join("f1.pdf")).unwrap(), body);
    }

    #[test]
    fn a_cancelled_copy_leaves_nothing_and_a_duplicate_is_named() {
        struct StopAfterFirst(AtomicBool);
        impl Work for StopAfterFirst {
            fn progress(&self, _: &str, _: u64, _: u64) {
                self.0.store(true, Ordering::Relaxed);
            }
            fn should_stop(&self) -> bool {
                self.0.load(Ordering::Relaxed)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("视频.mp4");
        let mut mp4 = b"\0\0\0\x18ftypisom\0\0\0\0isomavc1".to_vec();
        mp4.resize(5 * CHUNK, 7);
        std::fs::write(&source, &mp4).unwrap();
        let files = dir.path().join("files");
        let rules = rules();
        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let stop = StopAfterFirst(AtomicBool::new(false));
        let e = import_file(&source, "f2".into(), &target, &stop, now()).unwrap_err();
        assert!(matches!(e, MediaError::Cancelled));
        assert_eq!(
            std::fs::read_dir(&files).unwrap().count(),
            0,
            "no half copy"
        );

        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| Some("“一是 加强理论武装 · 活动1”".into()),
        };
        let e = import_file(&source, "f3".into(), &target, &Unwatched, now()).unwrap_err();
        assert!(
            e.user_message().contains("已经添加过了"),
            "{}",
            e.user_message()
        );
        assert_eq!(std::fs::read_dir(&files).unwrap().count(), 0);
    }

    #[test]
    fn refuses_what_is_not_material_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("files");
        let rules = rules();
        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let cases: [(&str, &[u8], &str); 4] = [
            ("证件照.jpg", b"MZ\x90\0\x03\0\0\0", "程序文件"),
            ("空.png", b"", "空文件"),
            (
                "随机.mp4",
                &[0x00, 0x9F, 0x01, 0xEE, 0x02, 0x03],
                "无法识别",
            ),
            ("歌曲.mp3", b"ID3\x04\0\0\0\0\0\0", "音频"),
        ];
        for (name, bytes, says) in cases {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let m = import_file(&p, "f9".into(), &target, &Unwatched, now())
                .unwrap_err()
                .user_message();
            assert!(m.contains(name) && m.contains(says), "{m}");
        }
        let gone = dir.path().join("已删除.jpg");
        let m = import_file(&gone, "f9".into(), &target, &Unwatched, now())
            .unwrap_err()
            .user_message();
        assert!(m.contains("已删除.jpg") && m.contains("找不到"), "{m}");
        let mut small = rules.clone();
        if let Some(p) = &mut small.photo {
            p.max_bytes = 10;
        }
        let photo = dir.path().join("大图.png");
        std::fs::write(&photo, b"\x89PNG\r\n\x1a\n0123456789abcdef").unwrap();
        let target = ImportTarget {
            files_dir: &files,
            rules: &small,
            already: &|_| None,
        };
        let m = import_file(&photo, "f9".into(), &target, &Unwatched, now())
            .unwrap_err()
            .user_message();
        assert!(m.contains("超过图片的上限"), "{m}");
    }

    #[test]
    fn a_file_that_changes_under_the_copy_is_not_attached() {
        // Shrunk after the first piece was copied (still being written, or cut by another
        // program): refused, nothing left behind.
        struct Truncates(std::path::PathBuf, AtomicBool);
        impl Work for Truncates {
            fn progress(&self, _: &str, _: u64, _: u64) {
                if !self.1.swap(true, Ordering::Relaxed) {
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&self.0)
                        .unwrap();
                    f.set_len(10).unwrap();
                }
            }
            fn should_stop(&self) -> bool {
                false
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("还在下载.pdf");
        let mut body = b"%PDF-1.4\n".to_vec();
        body.resize(3 * CHUNK, b'x');
        std::fs::write(&source, &body).unwrap();
        let files = dir.path().join("files");
        let rules = rules();
        let target = ImportTarget {
            files_dir: &files,
            rules: &rules,
            already: &|_| None,
        };
        let work = Truncates(source.clone(), AtomicBool::new(false));
        let e = import_file(&source, "f1".into(), &target, &work, now()).unwrap_err();
        assert!(
            e.user_message().contains("在复制时发生了变化"),
            "{}",
            e.user_message()
        );
        assert_eq!(std::fs::read_dir(&files).unwrap().count(), 0);
    }
}

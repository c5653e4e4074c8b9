//! Media against real files made here: photos in all eight EXIF orientations (checked by their
//! pixels), a GPS position removed from the copy with the image data byte-identical, H.264 and
//! HEVC poster frames against ffmpeg's decode of the same frame, a phone-style rotated video,
//! MOV and an MP4 with its index at the end, HEIC; and the bad ones: truncated, zero-byte,
//! random and mutated videos (no hang, no crash: the probe's own time limit ends them), a PNG
//! claiming 30000×30000, a renamed program, a file that vanished or changed after it was
//! attached, Chinese, emoji and very long names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use baosong::core::campaign::Campaign;
use baosong::core::draft::{AttachmentId, FileKind};
use baosong::core::media::Inspection;
use baosong::core::media::import::{ImportTarget, import_file};
use baosong::core::media::probe::{ProbeError, Prober};
use baosong::core::media::thumbs::{NoThumbnail, ThumbnailCache};
use baosong::core::work::Unwatched;
use common::media::*;

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_baosong"))
}

/// `baosong inspect FILE --thumbnail OUT --size N` through the real binary.
fn inspect(path: &Path, size: u32) -> (Inspection, Option<image::RgbaImage>) {
    let out = path.with_extension("thumb.png");
    let o = Command::new(exe())
        .arg("inspect")
        .arg(path)
        .arg("--thumbnail")
        .arg(&out)
        .arg("--size")
        .arg(size.to_string())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "inspect {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let inspection: Inspection = serde_json::from_slice(&o.stdout).unwrap();
    let picture = std::fs::read(&out)
        .ok()
        .map(|b| image::load_from_memory(&b).unwrap().into_rgba8());
    (inspection, picture)
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2024-03-08T10:00:00+08:00").unwrap()
}

fn attach(source: &Path, files: &Path, id: &str) -> baosong::core::draft::Attachment {
    let rules = Campaign::builtin().unwrap().attachments;
    let target = ImportTarget {
        files_dir: files,
        rules: &rules,
        already: &|_| None,
    };
    import_file(source, AttachmentId::from(id), &target, &Unwatched, now()).unwrap()
}

fn quadrant_at(img: &image::RgbaImage, x: u32, y: u32) -> usize {
    let p = img.get_pixel(x, y);
    let (i, _) = QUADRANTS
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let d: u32 = (0..3).map(|c| u32::from(p[c].abs_diff(q[c]))).sum();
            (i, d)
        })
        .min_by_key(|(_, d)| *d)
        .unwrap();
    i
}

#[test]
fn all_eight_orientations_are_shown_upright() {
    let dir = tempfile::tempdir().unwrap();
    // Which stored quadrant is shown top-left and top-right, and whether the shown picture is
    // taller than wide, for EXIF orientations 1–8 (TL=0, TR=1, BL=2, BR=3).
    let expected = [
        (1, 0, 1, false),
        (2, 1, 0, false),
        (3, 3, 2, false),
        (4, 2, 3, false),
        (5, 0, 2, true),
        (6, 2, 0, true),
        (7, 3, 1, true),
        (8, 1, 3, true),
    ];
    for (orientation, top_left, top_right, tall) in expected {
        let path = dir.path().join(format!("方向{orientation}.jpg"));
        std::fs::write(&path, jpeg(400, 200, orientation, false)).unwrap();
        let (info, thumb) = inspect(&path, 100);
        let thumb = thumb.unwrap();
        assert_eq!(info.orientation, Some(orientation));
        let (w, h) = (thumb.width(), thumb.height());
        assert_eq!(h > w, tall, "orientation {orientation}: {w}×{h}");
        let (iw, ih) = (info.info.width.unwrap(), info.info.height.unwrap());
        assert_eq!(ih > iw, tall, "reported size after orientation");
        assert_eq!(
            quadrant_at(&thumb, w / 8, h / 8),
            top_left,
            "orientation {orientation}"
        );
        assert_eq!(
            quadrant_at(&thumb, w - 1 - w / 8, h / 8),
            top_right,
            "orientation {orientation}"
        );
    }
}

#[test]
fn the_copy_loses_its_location_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("走访慰问困难妇女.jpg");
    let bytes = jpeg(320, 240, 6, true);
    std::fs::write(&original, &bytes).unwrap();
    let (before, _) = inspect(&original, 64);
    assert!(before.has_gps, "the fixture has a location");

    let files = dir.path().join("files");
    let a = attach(&original, &files, "f1");
    let f = a.file().unwrap();
    assert!(f.location_removed);
    let copy = std::fs::read(files.join(&f.stored_name)).unwrap();

    // Read back by an EXIF reader that is not ours.
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&copy))
        .unwrap();
    assert!(
        exif.fields()
            .all(|field| field.ifd_num != exif::In::PRIMARY
                || field.tag.context() != exif::Context::Gps),
        "no GPS field is left"
    );
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_none()
    );
    assert!(
        exif.get_field(exif::Tag::GPSLongitude, exif::In::PRIMARY)
            .is_none()
    );
    assert_eq!(
        exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0)),
        Some(6),
        "orientation kept"
    );
    let taken = exif
        .get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)
        .map(|f| f.display_value().to_string());
    assert_eq!(
        taken.as_deref(),
        Some("2024-03-08 10:15:00"),
        "capture time kept"
    );
    assert!(
        !String::from_utf8_lossy(&copy).contains("29,33.5N"),
        "XMP position blanked"
    );

    // The compressed image data is byte-identical; only metadata bytes changed, in place.
    assert_eq!(jpeg_scan_data(&copy), jpeg_scan_data(&bytes));
    assert_eq!(copy.len(), bytes.len());
    assert_eq!(
        std::fs::read(&original).unwrap(),
        bytes,
        "the original is not touched"
    );
    let (after, _) = inspect(&files.join(&f.stored_name), 64);
    assert!(!after.has_gps);
    assert_eq!(after.info.taken_at.as_deref(), Some("2024:03:08 10:15:00"));
}

#[test]
fn h264_and_hevc_posters_match_ffmpegs_frame() {
    let dir = tempfile::tempdir().unwrap();
    for (name, codec) in [("h264.mp4", "libx264"), ("hevc.mp4", "libx265")] {
        let video = video(dir.path(), name, "640x360", "1", codec, &[]);
        let (info, poster) = inspect(&video, 4096);
        assert_eq!((info.info.width, info.info.height), (Some(640), Some(360)));
        assert_eq!(info.info.duration_ms, Some(1000));
        assert_eq!(info.info.frame_rate, Some(25.0));
        assert_eq!(info.kind, Some(FileKind::Video));
        let poster = image::DynamicImage::ImageRgba8(poster.unwrap()).into_rgb8();
        let reference = reference_frame(&video, dir.path());
        let diff = mean_difference(&poster, &reference);
        assert!(
            diff < 4.0,
            "{name}: poster differs from ffmpeg's frame by {diff:.2} on average"
        );
    }
}

#[test]
fn a_phone_style_rotated_video_is_shown_upright() {
    let dir = tempfile::tempdir().unwrap();
    let plain = video(dir.path(), "竖屏.mp4", "320x180", "1", "libx264", &[]);
    let (_, upright) = inspect(&plain, 4096);
    let rotated = dir.path().join("竖屏-旋转.mp4");
    std::fs::copy(&plain, &rotated).unwrap();
    rotate_track_90(&rotated);
    let (info, poster) = inspect(&rotated, 4096);
    assert_eq!(info.info.rotation, Some(90));
    assert_eq!((info.info.width, info.info.height), (Some(180), Some(320)));
    let poster = poster.unwrap();
    assert_eq!(poster, image::imageops::rotate90(&upright.unwrap()));
}

#[test]
fn mov_and_an_mp4_with_its_index_at_the_end_or_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let at_end = video(dir.path(), "moov在后.mp4", "320x240", "2", "libx264", &[]);
    let bytes = std::fs::read(&at_end).unwrap();
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap();
    let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(moov > mdat, "ffmpeg wrote the index after the data");
    let at_start = video(
        dir.path(),
        "moov在前.mp4",
        "320x240",
        "2",
        "libx264",
        &["-movflags", "+faststart"],
    );
    let mov = video(dir.path(), "苹果.mov", "320x240", "2", "libx264", &[]);
    for path in [at_end, at_start, mov] {
        let (info, poster) = inspect(&path, 128);
        assert_eq!(info.info.duration_ms, Some(2000), "{}", path.display());
        assert_eq!(info.info.codec.as_deref(), Some("H.264"));
        assert!(poster.is_some(), "{}", path.display());
    }
    let (info, _) = inspect(&dir.path().join("苹果.mov"), 64);
    assert_eq!(info.format, "mov");
}

#[test]
fn other_containers_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let webm = video(
        dir.path(),
        "a.webm",
        "320x240",
        "1",
        "libvpx-vp9",
        &["-b:v", "200k"],
    );
    let avi = video(dir.path(), "a.avi", "320x240", "1", "mpeg4", &[]);
    let wmv = video(dir.path(), "a.wmv", "320x240", "1", "wmv2", &[]);
    for (path, codec) in [
        (webm, "VP9"),
        (avi, "MPEG-4"),
        (wmv, "Windows Media Video (WMV2)"),
    ] {
        let (info, poster) = inspect(&path, 64);
        assert_eq!(info.kind, Some(FileKind::Video), "{}", path.display());
        assert_eq!(
            (info.info.width, info.info.height),
            (Some(320), Some(240)),
            "{}",
            path.display()
        );
        assert_eq!(
            info.info.codec.as_deref(),
            Some(codec),
            "{}",
            path.display()
        );
        let ms = info.info.duration_ms.unwrap_or(0);
        assert!((900..=1100).contains(&ms), "{}: {ms} ms", path.display());
        assert!(poster.is_none(), "no in-process decoder for {codec}");
    }
}

#[test]
fn heic_photos_are_previewed() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("原图.jpg");
    std::fs::write(&jpg, jpeg(600, 400, 1, false)).unwrap();
    let heic = dir.path().join("手机照片.heic");
    heic_from(&jpg, &heic);
    let (info, thumb) = inspect(&heic, 120);
    assert_eq!(info.format, "heic");
    assert_eq!((info.info.width, info.info.height), (Some(600), Some(400)));
    let thumb = thumb.unwrap();
    assert_eq!((thumb.width(), thumb.height()), (120, 80));
    assert_eq!(quadrant_at(&thumb, 10, 10), 0);
    assert_eq!(quadrant_at(&thumb, 110, 70), 3);
}

#[test]
fn damaged_videos_still_attach_and_say_why_there_is_no_preview() {
    let dir = tempfile::tempdir().unwrap();
    let good = video(dir.path(), "完整.mp4", "320x240", "2", "libx264", &[]);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("只复制了一半.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let (info, poster) = inspect(&truncated, 64);
    assert!(poster.is_none());
    assert!(info.info.warning.unwrap().contains("视频文件不完整"));
    let files = dir.path().join("files");
    let a = attach(&truncated, &files, "f1");
    assert_eq!(
        a.file().unwrap().kind,
        Some(FileKind::Video),
        "it still attaches"
    );

    for (name, bytes, says) in [
        ("空.mp4", Vec::new(), "空文件"),
        (
            "随机.mp4",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "无法识别",
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = Command::new(exe()).arg("inspect").arg(&p).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{name}");
        let m = String::from_utf8_lossy(&o.stderr);
        assert!(m.contains(name) && m.contains(says), "{m}");
    }
}

/// Mutated MP4s through the app's own probe (a child process it kills at its time limit): each
/// ends — in a result, a refusal or a timeout — and none takes the test down with it.
#[test]
fn mutated_videos_cannot_hang_or_crash_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let good = video(dir.path(), "原片.mp4", "160x120", "1", "libx264", &[]);
    let bytes = std::fs::read(&good).unwrap();
    // Most mutations land in the index (`moov`), where a demuxer's loops are.
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap() - 4;
    let limit = Duration::from_secs(5);
    let prober = Prober::new(exe()).with_timeout(limit);
    let mut rng = fastrand::Rng::with_seed(20240308);
    let (mut read, mut warned, mut refused, mut timed_out) = (0, 0, 0, 0);
    let started = Instant::now();
    for round in 0..200 {
        let mut m = bytes.clone();
        for _ in 0..rng.usize(1..8) {
            let at = if rng.u8(..10) < 8 {
                rng.usize(moov..m.len())
            } else {
                rng.usize(..m.len())
            };
            let end = (at + 4).min(m.len());
            match rng.u8(..3) {
                0 => m[at] = rng.u8(..),
                1 => m[at..end].fill(0xFF),
                _ => m[at..end].fill(0),
            }
        }
        let p = dir.path().join(format!("变异{round}.mp4"));
        std::fs::write(&p, &m).unwrap();
        let thumb = dir.path().join(format!("变异{round}.png"));
        let t = Instant::now();
        match prober.inspect(&p, Some((&thumb, 64))) {
            Ok(i) if i.info.warning.is_some() => warned += 1,
            Ok(_) => read += 1,
            Err(ProbeError::TimedOut(_)) => timed_out += 1,
            Err(_) => refused += 1,
        }
        assert!(
            t.elapsed() < limit + Duration::from_secs(5),
            "the app's limit held"
        );
    }
    eprintln!(
        "200 mutated MP4s: {read} read whole, {warned} read with a warning, {refused} refused or crashed in the child, {timed_out} timed out; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(read + warned + refused + timed_out, 200);
}

/// The time limit itself: a probe that never answers is killed at the app's limit.
#[cfg(unix)]
#[test]
fn a_probe_that_never_answers_is_killed_at_the_limit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let stuck = dir.path().join("stuck-probe");
    std::fs::write(&stuck, "#!/bin/sh\nsleep 60\n").unwrap();
    std::fs::set_permissions(&stuck, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.path().join("视频.mp4");
    std::fs::write(&file, b"\0\0\0\x18ftypisom").unwrap();
    let started = Instant::now();
    let e = Prober::new(stuck)
        .with_timeout(Duration::from_secs(1))
        .inspect(&file, None)
        .unwrap_err();
    assert_eq!(e, ProbeError::TimedOut(Duration::from_secs(1)));
    assert!(e.user_message().contains("超时"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "killed, not waited for"
    );
}

#[test]
fn a_png_claiming_thirty_thousand_square_attaches_without_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    png.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    let path = dir.path().join("炸弹.png");
    std::fs::write(&path, &png).unwrap();
    let files = dir.path().join("files");
    let a = attach(&path, &files, "f1");
    let f = a.file().unwrap();
    assert_eq!((f.info.width, f.info.height), (Some(30000), Some(30000)));
    let cache = ThumbnailCache::new(&dir.path().join("cache"));
    let started = Instant::now();
    match cache.thumbnail(f, &files.join(&f.stored_name), Some(&Prober::new(exe()))) {
        Err(NoThumbnail::Failed(m)) => assert!(m.contains("图片尺寸过大（30000×30000）"), "{m}"),
        other => panic!("{other:?}"),
    }
    eprintln!("refused in {:?}", started.elapsed());
}

#[test]
fn a_renamed_program_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("证件照.jpg");
    std::fs::copy(exe(), &fake).unwrap();
    let o = Command::new(exe())
        .arg("inspect")
        .arg(&fake)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let m = String::from_utf8_lossy(&o.stderr);
    assert!(m.contains("证件照.jpg") && m.contains("程序文件"), "{m}");
}

#[test]
fn thumbnails_are_cached_by_content_and_the_cache_can_go() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("合影.jpg");
    std::fs::write(&photo, jpeg(800, 600, 1, false)).unwrap();
    let files = dir.path().join("files");
    let a = attach(&photo, &files, "f1");
    let f = a.file().unwrap();
    let cache_dir = dir.path().join("cache");
    let cache = ThumbnailCache::new(&cache_dir);
    let prober = Prober::new(exe());
    let first = cache
        .thumbnail(f, &files.join(&f.stored_name), Some(&prober))
        .unwrap();
    assert_eq!((first.width(), first.height()), (256, 192));
    assert!(cache.path(&f.sha256).is_file());
    // Cached: the stored copy is not read again.
    std::fs::remove_file(files.join(&f.stored_name)).unwrap();
    assert_eq!(
        cache
            .thumbnail(f, &files.join(&f.stored_name), Some(&prober))
            .unwrap(),
        first
    );
    std::fs::remove_dir_all(&cache_dir).unwrap();
    assert!(matches!(
        cache.thumbnail(f, &files.join(&f.stored_name), Some(&prober)),
        Err(NoThumbnail::Failed(_))
    ));
    let video_file = video(dir.path(), "视频.mp4", "320x240", "1", "libx264", &[]);
    let v = attach(&video_file, &files, "f2");
    let vf = v.file().unwrap();
    let poster = cache
        .thumbnail(vf, &files.join(&vf.stored_name), Some(&prober))
        .unwrap();
    assert_eq!((poster.width(), poster.height()), (256, 192));
    assert!(cache.path(&vf.sha256).is_file());
}

#[test]
fn a_file_gone_or_changed_after_it_was_attached_is_found() {
    use baosong::core::draft::{Draft, UnitProfile};
    use baosong::core::validate::FileProblem;
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    let mut draft = Draft::new(
        "d".into(),
        &Campaign::builtin().unwrap(),
        UnitProfile::default(),
        now(),
    );
    for (i, name) in ["一.jpg", "二.jpg", "三.jpg"].iter().enumerate() {
        let p = dir.path().join(name);
        std::fs::write(&p, jpeg(64 + i as u16 * 8, 64, 1, false)).unwrap();
        draft.general.push(attach(&p, &files, &format!("f{i}")));
    }
    std::fs::remove_file(files.join("f0.jpg")).unwrap();
    std::fs::write(files.join("f1.jpg"), b"overwritten by something").unwrap();
    let problems = baosong::core::store::check_files(dir.path(), &draft);
    assert_eq!(
        problems.get(&AttachmentId::from("f0")),
        Some(&FileProblem::Missing)
    );
    assert_eq!(
        problems.get(&AttachmentId::from("f1")),
        Some(&FileProblem::Changed)
    );
    assert_eq!(problems.len(), 2);
}

#[test]
fn chinese_emoji_and_very_long_names_are_kept_for_display() {
    let dir = tempfile::tempdir().unwrap();
    // 225 bytes of UTF-8: near the 255 a file name may have.
    let long: String = "“全城致敬最美的她”快闪活动现场".repeat(5);
    for name in [
        "三八活动🌸合影.jpg".to_string(),
        format!("{long}.jpg"),
        "照片 (1) [最终版].jpg".into(),
    ] {
        let p = dir.path().join(&name);
        std::fs::write(&p, jpeg(64, 48, 1, false)).unwrap();
        let files = dir.path().join("files");
        let a = attach(&p, &files, "f1");
        let f = a.file().unwrap();
        assert_eq!(f.original_name, name);
        assert_eq!(f.stored_name, "f1.jpg", "the stored name is short and safe");
        let (info, _) = inspect(&p, 32);
        assert_eq!(info.format, "jpeg");
        std::fs::remove_dir_all(&files).unwrap();
    }
}

/// HEIC keeps its EXIF in an item of the `meta` box: the copy loses the GPS position there too.
#[test]
fn a_heic_copy_loses_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("带位置.jpg");
    std::fs::write(&jpg, jpeg(320, 240, 1, true)).unwrap();
    let heic = dir.path().join("带位置.heic");
    heic_from(&jpg, &heic);
    let (before, _) = inspect(&heic, 64);
    assert!(before.has_gps, "heif-enc carried the EXIF over");
    let files = dir.path().join("files");
    let a = attach(&heic, &files, "f1");
    let f = a.file().unwrap();
    assert!(f.location_removed);
    let (after, thumb) = inspect(&files.join(&f.stored_name), 64);
    assert!(!after.has_gps);
    assert!(thumb.is_some(), "still decodes");
    assert_eq!(
        std::fs::metadata(&heic).unwrap().len(),
        f.bytes,
        "same length: edited in place"
    );
}

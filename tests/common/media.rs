//! Media fixtures made by the tests themselves (nothing large is committed): JPEGs with any
//! EXIF orientation, a GPS position and an XMP packet; videos made with Debian's ffmpeg (only
//! ever used here, to *make* fixtures; the app never runs it); HEIC made with libheif's
//! heif-enc; a phone-style rotated video made by writing a rotation into a track matrix.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The colours of a marker image's four quadrants (as stored): top-left red, top-right green,
/// bottom-left blue, bottom-right white. Any of the eight orientations can be told by them.
pub const QUADRANTS: [[u8; 3]; 4] = [[220, 20, 20], [20, 200, 20], [20, 20, 220], [240, 240, 240]];

/// RGB pixels of a `w`×`h` marker image.
pub fn marker_rgb(w: u16, h: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let q = usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2);
            out.extend_from_slice(&QUADRANTS[q]);
        }
    }
    out
}

/// A little-endian EXIF TIFF: orientation, DateTimeOriginal, and optionally a GPS position
/// (latitude, longitude, altitude, all out-of-line rationals).
pub fn exif_tiff(orientation: u16, gps: bool) -> Vec<u8> {
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    let ifd0 = 8u32;
    let n0 = if gps { 3 } else { 2 };
    let exif_ifd = ifd0 + 2 + 12 * n0 + 4;
    let gps_ifd = exif_ifd + 2 + 12 + 4;
    let date = gps_ifd + if gps { 2 + 12 * 5 + 4 } else { 0 };
    let lat = date + 20;
    let lon = lat + 24;
    let alt = lon + 24;
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&ifd0.to_le_bytes());
    t.extend_from_slice(&(n0 as u16).to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut t, 0x8769, 4, 1, exif_ifd);
    if gps {
        entry(&mut t, 0x8825, 4, 1, gps_ifd);
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut t, 0x9003, 2, 20, date);
    t.extend_from_slice(&0u32.to_le_bytes());
    if gps {
        t.extend_from_slice(&5u16.to_le_bytes());
        entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0]));
        entry(&mut t, 0x0002, 5, 3, lat);
        entry(&mut t, 0x0003, 2, 2, u32::from_le_bytes([b'E', 0, 0, 0]));
        entry(&mut t, 0x0004, 5, 3, lon);
        entry(&mut t, 0x0006, 5, 1, alt);
        t.extend_from_slice(&0u32.to_le_bytes());
    }
    assert_eq!(t.len() as u32, date);
    t.extend_from_slice(b"2024:03:08 10:15:00\0");
    if gps {
        // 29°33'30" N, 106°34'12" E (解放碑), 250 m.
        for v in [29u32, 1, 33, 1, 30, 1, 106, 1, 34, 1, 12, 1, 250, 1] {
            t.extend_from_slice(&v.to_le_bytes());
        }
    }
    t
}

/// An XMP packet that also carries the position.
pub const XMP_WITH_GPS: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="29,33.5N" exif:GPSLongitude="106,34.2E"/></rdf:RDF></x:xmpmeta>"#;

/// A marker JPEG with EXIF (and an XMP packet with the position when `gps`).
pub fn jpeg(w: u16, h: u16, orientation: u16, gps: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 92);
    enc.add_exif_metadata(&exif_tiff(orientation, gps)).unwrap();
    if gps {
        let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        xmp.extend_from_slice(XMP_WITH_GPS.as_bytes());
        enc.add_app_segment(1, xmp).unwrap();
    }
    enc.encode(&marker_rgb(w, h), w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// The compressed image data of a JPEG: from the start-of-scan marker to the end.
pub fn jpeg_scan_data(jpeg: &[u8]) -> &[u8] {
    let at = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("a JPEG has a start of scan");
    &jpeg[at..]
}

/// Run Debian's ffmpeg to make a fixture; panics with its message if it fails.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is needed to make video fixtures (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test-pattern video: `codec` is `libx264` or `libx265`; `extra` goes before the output.
pub fn video(
    dir: &Path,
    name: &str,
    size: &str,
    seconds: &str,
    codec: &str,
    extra: &[&str],
) -> PathBuf {
    let path = dir.join(name);
    let source = format!("testsrc=size={size}:rate=25");
    let mut args = vec![
        "-f", "lavfi", "-i", &source, "-t", seconds, "-pix_fmt", "yuv420p", "-c:v", codec,
    ];
    if codec == "libx265" {
        args.extend(["-tag:v", "hvc1", "-x265-params", "log-level=error"]);
    }
    args.extend(extra);
    let p = path.to_string_lossy().into_owned();
    args.push(&p);
    ffmpeg(&args);
    path
}

/// The first frame of a video as ffmpeg decodes it, as RGB pixels (the reference).
pub fn reference_frame(video: &Path, dir: &Path) -> image::RgbImage {
    let png = dir.join(format!(
        "{}-ref.png",
        video.file_name().unwrap().to_string_lossy()
    ));
    ffmpeg(&[
        "-noautorotate",
        "-i",
        &video.to_string_lossy(),
        "-frames:v",
        "1",
        &png.to_string_lossy(),
    ]);
    image::open(&png).unwrap().into_rgb8()
}

/// Write a 90° clockwise rotation into the video track's matrix, as phones do.
pub fn rotate_track_90(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut done = false;
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(4).position(|w| w == b"tkhd") {
        let body = i + at + 4;
        let version = bytes[body];
        let matrix = body + if version == 1 { 52 } else { 40 };
        let width = matrix + 36;
        let w = u32::from_be_bytes(bytes[width..width + 4].try_into().unwrap());
        if w != 0 {
            let one = 0x0001_0000u32;
            let values: [u32; 9] = [0, one, 0, one.wrapping_neg(), 0, 0, 0, 0, 0x4000_0000];
            for (k, v) in values.iter().enumerate() {
                bytes[matrix + 4 * k..matrix + 4 * k + 4].copy_from_slice(&v.to_be_bytes());
            }
            done = true;
        }
        i = body;
    }
    assert!(done, "no video track header in {}", path.display());
    std::fs::write(path, bytes).unwrap();
}

/// Mean absolute difference per channel between two RGB images of the same size.
pub fn mean_difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

/// A HEIC made from a JPEG with libheif's heif-enc.
pub fn heic_from(jpeg: &Path, out: &Path) {
    let result = Command::new("heif-enc")
        .args(["-q", "80", "-o"])
        .arg(out)
        .arg(jpeg)
        .output()
        .expect(
            "heif-enc (libheif-examples) is needed for HEIC fixtures (scripts/test.sh installs it)",
        );
    assert!(
        result.status.success(),
        "heif-enc: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

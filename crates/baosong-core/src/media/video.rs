//! Videos: what the container says (duration, size, frame rate, codec, rotation) — read without
//! ffmpeg — and a poster frame decoded in-process for H.264 and HEVC, the phone defaults,
//! rotated as the container says. Other codecs get their metadata and the system player.
//!
//! Decoding one key frame of a phone video is the reason for the two codec crates; H.264 and
//! HEVC are patent-encumbered formats, and showing one frame of a clerk's own video on her own
//! PC is the product's decision (see docs/media.md).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use image::RgbaImage;

use super::isobmff::{self, Mp4Error};
use super::picture::{self, rotate};
use crate::draft::MediaInfo;

/// What a video probe found: the metadata, a poster frame if one could be decoded, and why
/// not when it could not.
#[derive(Debug, Default)]
pub struct VideoProbe {
    pub info: MediaInfo,
    pub poster: Option<RgbaImage>,
}

/// A key frame larger than this is not decoded (a real one is at most a few MB).
const MAX_KEY_FRAME: u32 = 64 * 1024 * 1024;

/// Probe a video of `format` (`mp4`, `mov`, `m4v`, `3gp`, `webm`, `mkv`, `avi`, `wmv`).
/// A damaged file still gives what could be read, with a warning in `info.warning`.
pub fn probe(path: &Path, format: &str, with_poster: bool) -> std::io::Result<VideoProbe> {
    let mut file = File::open(path)?;
    let mut probe = VideoProbe::default();
    match format {
        "mp4" | "mov" | "m4v" | "3gp" => mp4(&mut file, with_poster, &mut probe),
        "webm" | "mkv" => matroska(file, &mut probe),
        "avi" => avi(&mut file, &mut probe),
        "wmv" => asf(&mut file, &mut probe),
        _ => {}
    }
    Ok(probe)
}

fn mp4(file: &mut File, with_poster: bool, probe: &mut VideoProbe) {
    let moov = match isobmff::read_moov(file) {
        Ok(m) => m,
        Err(e) => {
            probe.info.warning = Some(mp4_warning(&e));
            return;
        }
    };
    let track = match isobmff::video_track(&moov) {
        Ok(t) => t,
        Err(e) => {
            probe.info.warning = Some(mp4_warning(&e));
            return;
        }
    };
    let (w, h) = match track.rotation {
        90 | 270 => (track.height, track.width),
        _ => (track.width, track.height),
    };
    probe.info.width = (w > 0).then_some(w);
    probe.info.height = (h > 0).then_some(h);
    probe.info.rotation = Some(track.rotation);
    probe.info.duration_ms = track.duration_ms;
    probe.info.frame_rate = track.frame_rate.map(|f| (f * 100.0).round() / 100.0);
    probe.info.codec = Some(codec_name(&track.codec));
    if !with_poster {
        return;
    }
    match poster_frame(file, &track) {
        Ok(Some(frame)) => probe.poster = Some(rotate(frame, track.rotation)),
        Ok(None) => {}
        Err(why) => {
            tracing::info!(why, "no poster frame");
            probe.info.warning.get_or_insert(format!(
                "无法生成视频封面（{why}），仍会随材料报送，可用系统播放器打开查看"
            ));
        }
    }
}

fn mp4_warning(e: &Mp4Error) -> String {
    match e {
        Mp4Error::NoMoov | Mp4Error::TruncatedMoov => {
            "视频文件不完整（缺少索引，可能录制中断或复制未完成），无法预览；仍会随材料报送，建议用原视频重新添加".into()
        }
        Mp4Error::NoVideoTrack => "文件中没有视频画面（可能只有声音）；仍会随材料报送".into(),
        _ => "视频文件结构有误，无法预览；仍会随材料报送，可用系统播放器检查能否播放".into(),
    }
}

/// `H.264`, `HEVC (H.265)`, or the fourcc as it is.
pub fn codec_name(fourcc: &str) -> String {
    match fourcc {
        "avc1" | "avc3" | "H264" | "h264" | "V_MPEG4/ISO/AVC" => "H.264".into(),
        "hvc1" | "hev1" | "V_MPEGH/ISO/HEVC" => "HEVC (H.265)".into(),
        "mp4v" | "XVID" | "xvid" | "DIVX" | "divx" | "DX50" | "FMP4" => "MPEG-4".into(),
        "av01" | "V_AV1" => "AV1".into(),
        "vp09" | "V_VP9" => "VP9".into(),
        "V_VP8" => "VP8".into(),
        "WMV3" | "WMV2" | "WMV1" | "WVC1" => format!("Windows Media Video ({fourcc})"),
        "MJPG" | "mjpa" | "jpeg" => "Motion JPEG".into(),
        other => other.to_string(),
    }
}

/// Decode the first key frame (H.264 or HEVC); `Ok(None)` for other codecs.
fn poster_frame(file: &mut File, track: &isobmff::VideoTrack) -> Result<Option<RgbaImage>, String> {
    let hevc = matches!(track.codec.as_str(), "hvc1" | "hev1");
    let avc = matches!(track.codec.as_str(), "avc1" | "avc3");
    if !hevc && !avc {
        return Ok(None);
    }
    let (offset, size) = track.key_frame.ok_or("找不到关键帧")?;
    if size > MAX_KEY_FRAME {
        return Err("关键帧过大".into());
    }
    let mut sample = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut sample))
        .map_err(|_| "视频数据不完整".to_string())?;
    if avc {
        let (length_size, sets) =
            isobmff::avcc_parameter_sets(&track.config).ok_or("缺少 H.264 参数集")?;
        decode_h264(&sets, &isobmff::split_nals(&sample, length_size)).map(Some)
    } else {
        let (length_size, mut sets) =
            isobmff::hvcc_parameter_sets(&track.config).ok_or("缺少 HEVC 参数集")?;
        let nals = isobmff::split_nals(&sample, length_size);
        // hev1 may carry its parameter sets in the sample itself.
        let nal_type = |n: &[u8]| n.first().map_or(63, |b| (b >> 1) & 0x3F);
        sets.extend(
            nals.iter()
                .filter(|n| (32..=34).contains(&nal_type(n)))
                .map(|n| n.to_vec()),
        );
        let slices: Vec<&[u8]> = nals.into_iter().filter(|n| nal_type(n) < 32).collect();
        decode_hevc(&sets, &slices).map(Some)
    }
}

/// H.264: the parameter sets and the key frame's NAL units as an Annex-B stream.
pub fn decode_h264(sets: &[Vec<u8>], nals: &[&[u8]]) -> Result<RgbaImage, String> {
    let mut stream = Vec::new();
    for nal in sets.iter().map(Vec::as_slice).chain(nals.iter().copied()) {
        stream.extend_from_slice(&[0, 0, 0, 1]);
        stream.extend_from_slice(nal);
    }
    let mut decoder = rusty_h264_decoder::Decoder::new();
    let frame = decoder
        .decode_stream(&stream)
        .map_err(|e| format!("H.264 解码失败：{e:?}"))?
        .into_iter()
        .next()
        .ok_or("H.264 关键帧无法解码")?;
    let (w, h) = (frame.width, frame.height);
    let planes = picture::Yuv420 {
        width: w,
        height: h,
        y: &frame.y,
        u: &frame.u,
        v: &frame.v,
        y_stride: w,
        c_stride: w.div_ceil(2),
    };
    picture::yuv420_to_rgba(&planes).ok_or_else(|| "H.264 画面尺寸不对".into())
}

/// HEVC: heic-rs's intra decoder takes the key frame (an IRAP picture) as a still.
pub fn decode_hevc(sets: &[Vec<u8>], slices: &[&[u8]]) -> Result<RgbaImage, String> {
    let sets: Vec<&[u8]> = sets.iter().map(Vec::as_slice).collect();
    let frame =
        heic_rs::hevc::decode_still(&sets, slices).map_err(|e| format!("HEVC 解码失败：{e}"))?;
    picture::hevc_frame_to_rgba(&frame).ok_or_else(|| "HEVC 画面格式不受支持".into())
}

fn matroska(file: File, probe: &mut VideoProbe) {
    let Ok(mkv) = matroska_demuxer::MatroskaFile::open(file) else {
        probe.info.warning = Some(
            "视频文件结构有误，无法读取信息；仍会随材料报送，可用系统播放器检查能否播放".into(),
        );
        return;
    };
    let scale = mkv.info().timestamp_scale().get() as f64;
    probe.info.duration_ms = mkv
        .info()
        .duration()
        .map(|d| (d * scale / 1_000_000.0).round() as u64);
    if let Some(track) = mkv
        .tracks()
        .iter()
        .find(|t| t.track_type() == matroska_demuxer::TrackType::Video)
    {
        probe.info.codec = Some(codec_name(track.codec_id()));
        if let Some(v) = track.video() {
            probe.info.width = u32::try_from(v.pixel_width().get()).ok();
            probe.info.height = u32::try_from(v.pixel_height().get()).ok();
        }
        probe.info.frame_rate = track
            .default_duration()
            .map(|d| (1e9 / d.get() as f64 * 100.0).round() / 100.0);
        probe.info.rotation = Some(0);
    }
}

/// AVI: the `avih` main header and the first video stream's `strh`.
fn avi(file: &mut File, probe: &mut VideoProbe) {
    let mut head = vec![0u8; 64 * 1024];
    let n = file.read(&mut head).unwrap_or(0);
    head.truncate(n);
    let find = |tag: &[u8]| head.windows(4).position(|w| w == tag);
    let le = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(avih) = find(b"avih") else {
        probe.info.warning = Some("AVI 文件头不完整，无法读取信息；仍会随材料报送".into());
        return;
    };
    let body = avih + 8;
    let us_per_frame = le(body).unwrap_or(0);
    let frames = le(body + 16).unwrap_or(0);
    probe.info.width = le(body + 32).filter(|w| *w > 0);
    probe.info.height = le(body + 36).filter(|h| *h > 0);
    if us_per_frame > 0 {
        probe.info.frame_rate = Some((1e6 / f64::from(us_per_frame) * 100.0).round() / 100.0);
        probe.info.duration_ms = Some(u64::from(frames) * u64::from(us_per_frame) / 1000);
    }
    if let Some(strh) = find(b"strh") {
        let body = strh + 8;
        if head.get(body..body + 4) == Some(b"vids")
            && let Some(fcc) = head.get(body + 4..body + 8)
        {
            probe.info.codec = Some(codec_name(String::from_utf8_lossy(fcc).trim()));
        }
    }
    probe.info.rotation = Some(0);
}

/// WMV/ASF: the File Properties object (duration) and a video Stream Properties object.
fn asf(file: &mut File, probe: &mut VideoProbe) {
    const FILE_PROPERTIES: [u8; 16] = guid(
        0x8CABDCA1,
        0xA947,
        0x11CF,
        [0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65],
    );
    const STREAM_PROPERTIES: [u8; 16] = guid(
        0xB7DC0791,
        0xA9B7,
        0x11CF,
        [0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65],
    );
    const VIDEO_MEDIA: [u8; 16] = guid(
        0xBC19EFC0,
        0x5B4D,
        0x11CF,
        [0xA8, 0xFD, 0x00, 0x80, 0x5F, 0x5C, 0x44, 0x2B],
    );
    let mut head = vec![0u8; 256 * 1024];
    let n = file.read(&mut head).unwrap_or(0);
    head.truncate(n);
    let le32 = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let le64 = |at: usize| {
        head.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    // Header object: GUID, size, object count, 2 reserved bytes; then the objects.
    let mut at = 30;
    for _ in 0..64 {
        let Some(id) = head.get(at..at + 16) else {
            break;
        };
        let Some(size) = le64(at + 16).filter(|s| *s >= 24) else {
            break;
        };
        let body = at + 24;
        if id == FILE_PROPERTIES {
            let play = le64(body + 40).unwrap_or(0); // 100 ns units
            let preroll = le64(body + 56).unwrap_or(0); // ms
            probe.info.duration_ms = Some((play / 10_000).saturating_sub(preroll));
        } else if id == STREAM_PROPERTIES && head.get(body..body + 16) == Some(&VIDEO_MEDIA[..]) {
            // stream type, error correction type (16 each), time offset (8), data lengths (4 + 4),
            // flags (2), reserved (4): then the video type-specific data.
            let specific = body + 16 + 16 + 8 + 4 + 4 + 2 + 4;
            probe.info.width = le32(specific).filter(|w| *w > 0);
            probe.info.height = le32(specific + 4).filter(|h| *h > 0);
            // BITMAPINFOHEADER after 1 reserved byte and a 2-byte size: compression at +16.
            if let Some(fcc) = head.get(specific + 11 + 16..specific + 11 + 20) {
                probe.info.codec = Some(codec_name(String::from_utf8_lossy(fcc).trim()));
            }
        }
        at = match usize::try_from(size).ok().and_then(|s| at.checked_add(s)) {
            Some(next) if next > at => next,
            _ => break,
        };
    }
    probe.info.rotation = Some(0);
}

/// A GUID in the byte order ASF writes it (the first three fields little-endian).
const fn guid(a: u32, b: u16, c: u16, d: [u8; 8]) -> [u8; 16] {
    let a = a.to_le_bytes();
    let b = b.to_le_bytes();
    let c = c.to_le_bytes();
    [
        a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d[0], d[1], d[2], d[3], d[4], d[5], d[6],
        d[7],
    ]
}

/// `1分05秒`, `32秒`, `1小时02分`
pub fn duration_label(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}秒"),
        (0, m, s) => format!("{m}分{s:02}秒"),
        (h, m, _) => format!("{h}小时{m:02}分"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_label(32_000), "32秒");
        assert_eq!(duration_label(65_000), "1分05秒");
        assert_eq!(duration_label(3_720_000), "1小时02分");
        assert_eq!(duration_label(400), "1秒");
    }

    #[test]
    fn codec_names() {
        assert_eq!(codec_name("avc1"), "H.264");
        assert_eq!(codec_name("hev1"), "HEVC (H.265)");
        assert_eq!(codec_name("V_VP9"), "VP9");
    }
}

//! MP4, MOV, M4V and 3GP: the ISO base media file format. Just enough of it to say what a
//! phone video is — duration, size, frame rate, codec, rotation — and to find its first key
//! frame for a poster. The file may be gigabytes with its index (`moov`) at the end: only box
//! headers are read on the way there, then the `moov` alone.
//!
//! Every size and offset comes from the file and is checked before use; box walks only move
//! forwards, so a mutated file ends the walk instead of looping. (The probe runs in a child
//! process with a time limit too: see `probe`.)

use std::io::{Read, Seek, SeekFrom};

/// A `moov` larger than this is not read (real ones are a few MB even for long videos).
const MAX_MOOV: u64 = 256 * 1024 * 1024;
/// At most this many top-level boxes are looked at.
const MAX_TOP_BOXES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mp4Error {
    #[error("no moov box (the index): the recording was interrupted or the copy is incomplete")]
    NoMoov,
    #[error("the moov box is cut off at the end of the file")]
    TruncatedMoov,
    #[error("moov too large ({0} bytes)")]
    MoovTooLarge(u64),
    #[error("no video track")]
    NoVideoTrack,
    #[error("malformed box structure: {0}")]
    Malformed(&'static str),
    #[error("read failed: {0}")]
    Io(String),
}

/// The video track, as far as a preview needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoTrack {
    /// `avc1`, `hvc1`, `hev1`, `mp4v`, …
    pub codec: String,
    /// As coded (before rotation).
    pub width: u32,
    pub height: u32,
    /// Degrees clockwise, from the track matrix.
    pub rotation: u16,
    pub duration_ms: Option<u64>,
    pub frame_rate: Option<f64>,
    /// The decoder configuration (`avcC` / `hvcC` box contents).
    pub config: Vec<u8>,
    /// Where the first key frame is in the file, and how long.
    pub key_frame: Option<(u64, u32)>,
}

/// A box inside a buffer: its type and its contents' range.
#[derive(Debug, Clone, Copy)]
struct Boxed<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// The boxes of a buffer, in order; a malformed size ends the list.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = Boxed<'_>> {
    std::iter::from_fn(move || {
        if data.len() < 8 {
            return None;
        }
        let size32 = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as u64;
        let kind = [data[4], data[5], data[6], data[7]];
        let (header, size) = match size32 {
            0 => (8, data.len() as u64),
            1 => {
                let big = data.get(8..16)?;
                (16, u64::from_be_bytes(big.try_into().ok()?))
            }
            s => (8, s),
        };
        if size < header as u64 || size > data.len() as u64 {
            return None;
        }
        let body = &data[header..size as usize];
        data = &data[size as usize..];
        Some(Boxed { kind, body })
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|b| &b.kind == kind).map(|b| b.body)
}

fn path<'a>(data: &'a [u8], kinds: &[&[u8; 4]]) -> Option<&'a [u8]> {
    kinds.iter().try_fold(data, |d, k| child(d, k))
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Read the `moov` box of a file, walking the top-level box headers to it.
pub fn read_moov<R: Read + Seek>(file: &mut R) -> Result<Vec<u8>, Mp4Error> {
    let io = |e: std::io::Error| Mp4Error::Io(e.to_string());
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if at + 8 > len {
            break;
        }
        file.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut header = [0u8; 16];
        let got = read_up_to(file, &mut header).map_err(io)?;
        if got < 8 {
            break;
        }
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
        let kind = &header[4..8];
        let (head, size) = match size32 {
            0 => (8, len - at),
            1 if got == 16 => (
                16,
                u64::from_be_bytes(header[8..16].try_into().unwrap_or_default()),
            ),
            1 => return Err(Mp4Error::Malformed("large size cut off")),
            s => (8, s),
        };
        if size < head {
            return Err(Mp4Error::Malformed("box smaller than its header"));
        }
        if kind == b"moov" {
            if at.checked_add(size).is_none_or(|end| end > len) {
                return Err(Mp4Error::TruncatedMoov);
            }
            if size > MAX_MOOV {
                return Err(Mp4Error::MoovTooLarge(size));
            }
            file.seek(SeekFrom::Start(at + head)).map_err(io)?;
            let mut moov = vec![0u8; (size - head) as usize];
            file.read_exact(&mut moov).map_err(io)?;
            return Ok(moov);
        }
        // Strictly forwards: a box of size 0 "to the end" ends the walk.
        at = match at.checked_add(size) {
            Some(next) if next > at => next,
            _ => break,
        };
    }
    Err(Mp4Error::NoMoov)
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The movie's duration (`mvhd`), in milliseconds.
fn movie_duration_ms(moov: &[u8]) -> Option<u64> {
    let mvhd = child(moov, b"mvhd")?;
    let (timescale, duration) = match mvhd.first()? {
        1 => (be_u32(mvhd, 20)?, be_u64(mvhd, 24)?),
        _ => (be_u32(mvhd, 12)?, u64::from(be_u32(mvhd, 16)?)),
    };
    (timescale > 0).then(|| duration.saturating_mul(1000) / u64::from(timescale))
}

/// The first video track of a `moov`.
pub fn video_track(moov: &[u8]) -> Result<VideoTrack, Mp4Error> {
    let movie_ms = movie_duration_ms(moov);
    for trak in boxes(moov).filter(|b| &b.kind == b"trak") {
        let Some(mdia) = child(trak.body, b"mdia") else {
            continue;
        };
        let handler = child(mdia, b"hdlr").and_then(|h| h.get(8..12));
        if handler != Some(b"vide") {
            continue;
        }
        let mut track = VideoTrack::default();
        if let Some(tkhd) = child(trak.body, b"tkhd") {
            read_tkhd(tkhd, &mut track);
        }
        let mdhd = child(mdia, b"mdhd");
        let (timescale, duration) = mdhd.and_then(read_mdhd).unwrap_or((0, 0));
        if timescale > 0 && duration > 0 {
            track.duration_ms = Some(duration.saturating_mul(1000) / u64::from(timescale));
        } else {
            track.duration_ms = movie_ms;
        }
        let stbl = path(mdia, &[b"minf", b"stbl"]).ok_or(Mp4Error::Malformed("no stbl"))?;
        if let Some(stsd) = child(stbl, b"stsd") {
            read_stsd(stsd, &mut track);
        }
        if let Some(stts) = child(stbl, b"stts")
            && timescale > 0
            && duration > 0
        {
            let frames = sample_count(stts);
            track.frame_rate =
                Some(frames as f64 * f64::from(timescale) / duration as f64).filter(|f| *f > 0.0);
        }
        track.key_frame = first_key_frame(stbl);
        return Ok(track);
    }
    Err(Mp4Error::NoVideoTrack)
}

fn read_tkhd(tkhd: &[u8], track: &mut VideoTrack) {
    // Version 1 has 64-bit times: the matrix and sizes are 12 bytes further on.
    let base = if tkhd.first() == Some(&1) { 52 } else { 40 };
    let fixed = |at| be_u32(tkhd, at).map(|v| v as i32);
    if let (Some(a), Some(b)) = (fixed(base), fixed(base + 4)) {
        let one = 0x10000;
        track.rotation = match (a, b) {
            (0, x) if x == one => 90,
            (x, 0) if x == -one => 180,
            (0, x) if x == -one => 270,
            _ => 0,
        };
    }
    let w = be_u32(tkhd, base + 36).map(|v| v >> 16);
    let h = be_u32(tkhd, base + 40).map(|v| v >> 16);
    if let (Some(w), Some(h)) = (w, h) {
        track.width = w;
        track.height = h;
    }
}

fn read_mdhd(mdhd: &[u8]) -> Option<(u32, u64)> {
    match mdhd.first()? {
        1 => Some((be_u32(mdhd, 20)?, be_u64(mdhd, 24)?)),
        _ => Some((be_u32(mdhd, 12)?, u64::from(be_u32(mdhd, 16)?))),
    }
}

/// The first sample entry: its codec, coded size and decoder configuration.
fn read_stsd(stsd: &[u8], track: &mut VideoTrack) {
    let Some(entries) = stsd.get(8..) else {
        return;
    };
    let Some(entry) = boxes(entries).next() else {
        return;
    };
    track.codec = String::from_utf8_lossy(&entry.kind).trim().to_string();
    // VisualSampleEntry: 6 reserved + 2 index + 16 pre-defined, then width and height.
    if let (Some(w), Some(h)) = (be_u16(entry.body, 24), be_u16(entry.body, 26))
        && w > 0
        && h > 0
    {
        track.width = u32::from(w);
        track.height = u32::from(h);
    }
    if let Some(children) = entry.body.get(78..) {
        for b in boxes(children) {
            if &b.kind == b"avcC" || &b.kind == b"hvcC" {
                track.config = b.body.to_vec();
            }
        }
    }
}

fn sample_count(stts: &[u8]) -> u64 {
    let n = be_u32(stts, 4).unwrap_or(0) as usize;
    (0..n.min(stts.len() / 8))
        .filter_map(|i| be_u32(stts, 8 + 8 * i))
        .map(u64::from)
        .sum()
}

/// The file offset and size of the first sync sample (sample 1 when there is no `stss`).
fn first_key_frame(stbl: &[u8]) -> Option<(u64, u32)> {
    let sample = match child(stbl, b"stss") {
        Some(stss) if be_u32(stss, 4).unwrap_or(0) > 0 => be_u32(stss, 8)?,
        _ => 1,
    };
    let index = sample.checked_sub(1)? as usize;
    let stsz = child(stbl, b"stsz")?;
    let fixed = be_u32(stsz, 4)?;
    let count = be_u32(stsz, 8)? as usize;
    if index >= count {
        return None;
    }
    let size_of = |i: usize| -> Option<u32> {
        if fixed != 0 {
            Some(fixed)
        } else {
            be_u32(stsz, 12 + 4 * i)
        }
    };
    let chunk_offsets: Vec<u64> = match (child(stbl, b"stco"), child(stbl, b"co64")) {
        (Some(stco), _) => {
            let n = be_u32(stco, 4)? as usize;
            (0..n.min(stco.len() / 4))
                .map_while(|i| be_u32(stco, 8 + 4 * i).map(u64::from))
                .collect()
        }
        (None, Some(co64)) => {
            let n = be_u32(co64, 4)? as usize;
            (0..n.min(co64.len() / 8))
                .map_while(|i| be_u64(co64, 8 + 8 * i))
                .collect()
        }
        _ => return None,
    };
    // stsc: runs of (first chunk, samples per chunk).
    let stsc = child(stbl, b"stsc")?;
    let runs = be_u32(stsc, 4)? as usize;
    let runs: Vec<(u32, u32)> = (0..runs.min(stsc.len() / 12))
        .map_while(|i| Some((be_u32(stsc, 8 + 12 * i)?, be_u32(stsc, 12 + 12 * i)?)))
        .collect();
    let mut first_sample_of_chunk = 0usize;
    for (chunk, offset) in chunk_offsets.iter().enumerate() {
        let number = chunk as u32 + 1;
        let per_chunk = runs
            .iter()
            .take_while(|(first, _)| *first <= number)
            .last()
            .map_or(1, |(_, n)| *n) as usize;
        if per_chunk == 0 {
            return None;
        }
        if index < first_sample_of_chunk + per_chunk {
            let mut at = *offset;
            for i in first_sample_of_chunk..index {
                at = at.checked_add(u64::from(size_of(i)?))?;
            }
            return Some((at, size_of(index)?));
        }
        first_sample_of_chunk += per_chunk;
        if first_sample_of_chunk > index {
            return None;
        }
    }
    None
}

/// The NAL length size and parameter sets of an `avcC` (H.264) configuration.
pub fn avcc_parameter_sets(avcc: &[u8]) -> Option<(usize, Vec<Vec<u8>>)> {
    let length_size = usize::from(avcc.get(4)? & 0x03) + 1;
    let mut sets = Vec::new();
    let mut at = 5;
    let sps_count = usize::from(avcc.get(at)? & 0x1F);
    at += 1;
    for _ in 0..sps_count {
        let len = usize::from(be_u16(avcc, at)?);
        sets.push(avcc.get(at + 2..at + 2 + len)?.to_vec());
        at += 2 + len;
    }
    let pps_count = usize::from(*avcc.get(at)?);
    at += 1;
    for _ in 0..pps_count {
        let len = usize::from(be_u16(avcc, at)?);
        sets.push(avcc.get(at + 2..at + 2 + len)?.to_vec());
        at += 2 + len;
    }
    Some((length_size, sets))
}

/// The NAL length size and parameter sets (VPS, SPS, PPS) of an `hvcC` (HEVC) configuration.
pub fn hvcc_parameter_sets(hvcc: &[u8]) -> Option<(usize, Vec<Vec<u8>>)> {
    let length_size = usize::from(hvcc.get(21)? & 0x03) + 1;
    let arrays = usize::from(*hvcc.get(22)?);
    let mut at = 23;
    let mut sets = Vec::new();
    for _ in 0..arrays {
        let count = usize::from(be_u16(hvcc, at + 1)?);
        at += 3;
        for _ in 0..count {
            let len = usize::from(be_u16(hvcc, at)?);
            sets.push(hvcc.get(at + 2..at + 2 + len)?.to_vec());
            at += 2 + len;
        }
    }
    Some((length_size, sets))
}

/// Split a length-prefixed sample into its NAL units.
pub fn split_nals(sample: &[u8], length_size: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + length_size <= sample.len() {
        let len = sample[at..at + length_size]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        at += length_size;
        let Some(nal) = sample.get(at..at + len) else {
            break;
        };
        if !nal.is_empty() {
            out.push(nal);
        }
        at += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn finds_moov_at_the_end_and_says_when_there_is_none() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend(boxed(b"mdat", &[0u8; 1000]));
        file.extend(boxed(b"moov", &boxed(b"mvhd", &[0u8; 100])));
        let moov = read_moov(&mut Cursor::new(&file)).unwrap();
        assert_eq!(&moov[4..8], b"mvhd");

        let mut cut = boxed(b"ftyp", b"isom\0\0\0\0isom");
        cut.extend(boxed(b"mdat", &[0u8; 1000]));
        assert_eq!(read_moov(&mut Cursor::new(&cut)), Err(Mp4Error::NoMoov));
        let mut half = file.clone();
        half.truncate(file.len() - 20);
        assert_eq!(
            read_moov(&mut Cursor::new(&half)),
            Err(Mp4Error::TruncatedMoov)
        );
    }

    #[test]
    fn hostile_sizes_end_the_walk() {
        // A box claiming a size smaller than its header, one of 0xFFFFFFFF, one of size 1 cut
        // off, and random bytes: no panic, no loop.
        for bytes in [
            vec![0, 0, 0, 4, b'f', b't', b'y', b'p'],
            vec![0xFF, 0xFF, 0xFF, 0xFF, b'm', b'd', b'a', b't', 0, 0],
            vec![0, 0, 0, 1, b'm', b'd', b'a', b't', 0, 0, 0],
            (0..=255u8).cycle().take(5000).collect(),
        ] {
            let _ = read_moov(&mut Cursor::new(&bytes));
            let _ = video_track(&bytes);
        }
    }

    #[test]
    fn nal_units_split_on_their_lengths() {
        let sample = [0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x41, 0, 0, 0, 9];
        assert_eq!(split_nals(&sample, 4), vec![&[0x65, 0x88][..], &[0x41]]);
    }

    #[test]
    fn a_64_bit_size_at_the_end_of_the_range_is_refused_not_added() {
        // `moov` with the large size 0xFFFF_FFFF_FFFF_FFFF: `at + size` overflowed (a panic in
        // a debug build, found by an attacker with `baosong inspect`).
        let mut f = b"\0\0\0\x10ftypisom\0\0\0\0".to_vec();
        f.extend_from_slice(&[0, 0, 0, 1]);
        f.extend_from_slice(b"moov");
        f.extend_from_slice(&u64::MAX.to_be_bytes());
        f.extend_from_slice(&[0; 32]);
        assert!(read_moov(&mut std::io::Cursor::new(f)).is_err());
    }
}

//! EXIF, read and — for privacy — edited in place. Photos of visits to women in difficulty and
//! of children must not say where they were taken: the copy made on import has its GPS data
//! removed *without re-encoding anything*: the GPS directory is emptied and its values zeroed
//! where they lie, and XMP `exif:GPS…` values blanked, so every other byte — the compressed
//! image data, the orientation, the capture time — stays exactly as it was.
//!
//! EXIF is a TIFF structure (a header, then directories of 12-byte entries). It lives in a JPEG
//! `APP1` segment (there may be several), a PNG `eXIf` chunk (before or after the image data), a
//! WebP `EXIF` chunk or a HEIC `Exif` item; [`locate`] finds it in each. XMP that speaks of a
//! location other than by `exif:GPS…` is blanked whole ([`scrub_xmp`]); a PNG text chunk that
//! carries a location (ImageMagick's `exif:GPS…` keys, its hex "Raw profile type exif", a
//! compressed XMP) is emptied and renamed to an ancillary chunk no reader knows. A location
//! that cannot be removed so (a GIF's XMP: its bytes are also its block structure) is said.

#![deny(clippy::indexing_slicing)]

use std::ops::Range;

const TAG_ORIENTATION: u16 = 0x0112;
const TAG_EXIF_IFD: u16 = 0x8769;
const TAG_GPS_IFD: u16 = 0x8825;
const TAG_DATE_TIME_ORIGINAL: u16 = 0x9003;
const TAG_DATE_TIME: u16 = 0x0132;
/// Directories are followed at most this deep and this many in all (a malformed file cannot
/// send the reader round in circles).
const MAX_IFDS: usize = 8;

/// What the EXIF says that matters here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExifInfo {
    /// 1–8, as EXIF numbers them (1 = as stored).
    pub orientation: Option<u16>,
    /// `2024:03:08 10:15:00`, as the camera wrote it.
    pub taken_at: Option<String>,
    /// A GPS directory with at least one entry.
    pub has_gps: bool,
}

/// Where the metadata of a photo lies in its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Located {
    /// The TIFF structure of the EXIF.
    pub tiff: Option<Range<usize>>,
    /// XMP packets (text).
    pub xmp: Vec<Range<usize>>,
    /// Further EXIF structures (a JPEG may carry more than one `Exif` segment).
    pub more_tiff: Vec<Range<usize>>,
    /// PNG chunks whose CRC must be recomputed after an edit: (chunk type + data range, CRC offset).
    pub png_crcs: Vec<(Range<usize>, usize)>,
    /// PNG text chunks carrying a location: (where the chunk type is, its data).
    pub png_blank: Vec<(usize, Range<usize>)>,
    /// A location found where it cannot be removed in place (a GIF's XMP).
    pub kept: bool,
    /// IPTC place fields of a JPEG's Photoshop segment (city, sub-location, province, country).
    pub iptc_places: Vec<Range<usize>>,
}

/// What a PNG text chunk that carried a location becomes: an ancillary, private, safe-to-copy
/// chunk type no reader knows (and so skips), its data zeroed.
const PNG_BLANKED: &[u8; 4] = b"blNk";

/// Find the EXIF and XMP of a photo of `format` (`jpeg`, `png`, `webp`, `heic`, `heif`).
pub fn locate(format: &str, bytes: &[u8]) -> Located {
    match format {
        "jpeg" => locate_jpeg(bytes),
        "png" => locate_png(bytes),
        "webp" => locate_webp(bytes),
        "heic" | "heif" => locate_heif(bytes),
        "gif" => locate_gif(bytes),
        _ => Located::default(),
    }
}

fn locate_jpeg(bytes: &[u8]) -> Located {
    let mut found = Located::default();
    let mut i = 2;
    while let Some(&[0xFF, marker, l0, l1]) = bytes.get(i..i + 4) {
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break; // the image data starts: no more metadata segments
        }
        let len = u16::from_be_bytes([l0, l1]) as usize;
        let data = i + 4..(i + 2 + len).min(bytes.len());
        if len < 2 || data.start > data.end {
            break;
        }
        if marker == 0xE1 {
            let seg = bytes.get(data.clone()).unwrap_or_default();
            const EXTENDED: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
            // `Exif\0\0`, or `Exif\0` and any byte (some writers put 0xFF there).
            if seg.starts_with(b"Exif\0") && seg.len() > 6 {
                let tiff = data.start + 6..data.end;
                if found.tiff.is_none() {
                    found.tiff = Some(tiff);
                } else {
                    found.more_tiff.push(tiff);
                }
            } else if seg.starts_with(b"http://ns.adobe.com/xap/1.0/\0") {
                found.xmp.push(data.start + 29..data.end);
            } else if seg.starts_with(EXTENDED) {
                // Extended XMP: a GUID, the full length and this piece's offset, then XMP text.
                let start = (data.start + EXTENDED.len() + 32 + 8).min(data.end);
                found.xmp.push(start..data.end);
            }
        }
        if marker == 0xED {
            found.iptc_places.extend(iptc_places(bytes, data.clone()));
        }
        i += 2 + len;
    }
    found
}

/// The IPTC place fields in a JPEG's `APP13` (Photoshop 3.0: `8BIM` resources, resource 0x0404
/// holding IPTC-IIM datasets): City (2:90), Sub-location (2:92), Province/State (2:95), Country
/// code and name (2:100, 2:101). Ranges of their values in `bytes`.
fn iptc_places(bytes: &[u8], data: Range<usize>) -> Vec<Range<usize>> {
    const HEADER: &[u8] = b"Photoshop 3.0\0";
    let mut out = Vec::new();
    let Some(seg) = bytes.get(data.clone()) else {
        return out;
    };
    if !seg.starts_with(HEADER) {
        return out;
    }
    let be16 = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            seg.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    let be32 = |at: usize| -> Option<usize> {
        Some(u32::from_be_bytes(seg.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let mut at = HEADER.len();
    while seg.get(at..at + 4) == Some(b"8BIM") {
        let Some(id) = be16(at + 4) else { break };
        let name_len = usize::from(seg.get(at + 6).copied().unwrap_or(0));
        let name_total = (1 + name_len + 1) & !1;
        let Some(size) = be32(at + 6 + name_total) else {
            break;
        };
        let start = at + 6 + name_total + 4;
        let end = start.saturating_add(size).min(seg.len());
        if id == 0x0404 {
            let mut d = start;
            while let (Some(0x1C), Some(record), Some(dataset), Some(len)) = (
                seg.get(d).copied(),
                seg.get(d + 1).copied(),
                seg.get(d + 2).copied(),
                be16(d + 3),
            ) {
                let value = d + 5..(d + 5 + len).min(end);
                if record == 2 && matches!(dataset, 90 | 92 | 95 | 100 | 101) {
                    out.push(data.start + value.start..data.start + value.end);
                }
                d = value.end;
                if d >= end {
                    break;
                }
            }
        }
        at = end + (size & 1);
    }
    out
}

fn locate_png(bytes: &[u8]) -> Located {
    let mut found = Located::default();
    let mut i = 8;
    while let Some(&[a, b, c, d, k0, k1, k2, k3]) = bytes.get(i..i + 8) {
        let len = u32::from_be_bytes([a, b, c, d]) as usize;
        let kind = &[k0, k1, k2, k3][..];
        let data = i + 8..(i + 8).saturating_add(len);
        if data.end.saturating_add(4) > bytes.len() {
            break;
        }
        let crc = (i + 4..data.end, data.end);
        let chunk = bytes.get(data.clone()).unwrap_or_default();
        match kind {
            // Before or after the image data: the specification allows both.
            b"eXIf" => {
                if found.tiff.is_none() {
                    found.tiff = Some(data.clone());
                } else {
                    found.more_tiff.push(data.clone());
                }
                found.png_crcs.push(crc);
            }
            b"iTXt" if chunk.starts_with(b"XML:com.adobe.xmp\0\0") => {
                // Uncompressed XMP (compression flag 0): edited in place.
                found.xmp.push(data.start + 18..data.end);
                found.png_crcs.push(crc);
            }
            b"tEXt" | b"zTXt" | b"iTXt" if png_text_has_location(kind, chunk) => {
                found.png_blank.push((i + 4, data.clone()));
                found.png_crcs.push(crc);
            }
            b"IEND" => break,
            _ => {}
        }
        i = data.end + 4;
    }
    found
}

/// Does a PNG text chunk (`tEXt`, `zTXt`, `iTXt`) carry a location: a keyword or text that
/// speaks of one (ImageMagick writes `exif:GPSLatitude` keys), a hex "Raw profile type exif"
/// whose EXIF has a GPS directory, XMP with a location — compressed or not?
fn png_text_has_location(kind: &[u8], chunk: &[u8]) -> bool {
    let Some(nul) = chunk.iter().position(|b| *b == 0) else {
        return false;
    };
    let keyword = chunk.get(..nul).unwrap_or_default().to_ascii_lowercase();
    let rest = chunk.get(nul + 1..).unwrap_or_default();
    let text: Vec<u8> = match kind {
        b"zTXt" => inflate(rest.get(1..).unwrap_or_default()),
        b"iTXt" => {
            // Compression flag, method, language tag NUL, translated keyword NUL, text.
            let flag = rest.first().copied().unwrap_or(0);
            let mut at = 2;
            for _ in 0..2 {
                at += rest
                    .get(at..)
                    .and_then(|r| r.iter().position(|b| *b == 0))
                    .map_or(0, |p| p + 1);
            }
            let body = rest.get(at..).unwrap_or_default();
            if flag == 1 {
                inflate(body)
            } else {
                body.to_vec()
            }
        }
        _ => rest.to_vec(),
    };
    if stray_location(&keyword) || stray_location(&text) || xmp_has_gps(&text) {
        return true;
    }
    // ImageMagick's hex profiles: EXIF ("exif", "app1") or XMP ("xmp") in hex text.
    keyword.starts_with(b"raw profile type")
        && raw_profile(&text).is_some_and(|profile| {
            let tiff = profile.strip_prefix(b"Exif\0\0").unwrap_or(&profile);
            read(tiff).has_gps || xmp_has_location(&profile)
        })
}

/// A zlib stream's text, at most 8 MiB of it (a PNG's compressed text chunk); empty if broken.
fn inflate(compressed: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let _ = flate2::read::ZlibDecoder::new(compressed)
        .take(8 * 1024 * 1024)
        .read_to_end(&mut out);
    out
}

/// ImageMagick's "Raw profile type …" text: a blank line, the profile's name, its length, then
/// its bytes in hex over many lines.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let _name = lines.next()?;
    let _length = lines.next()?;
    let hex: Vec<u8> = lines
        .flatten()
        .copied()
        .filter(u8::is_ascii_hexdigit)
        .collect();
    hex.chunks_exact(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// A GIF's XMP (an application extension `XMP DataXMP`): its bytes are also read as the
/// extension's sub-block lengths, so it cannot be blanked in place; a location in it is only said.
fn locate_gif(bytes: &[u8]) -> Located {
    let mut found = Located::default();
    if let Some(at) = find(bytes, b"XMP DataXMP") {
        let packet = bytes.get(at + 11..).unwrap_or_default();
        let end = find(packet, b"<?xpacket end").map_or(packet.len(), |e| e + 13);
        found.kept = xmp_has_location(packet.get(..end).unwrap_or_default());
    }
    found
}

fn locate_webp(bytes: &[u8]) -> Located {
    let mut found = Located::default();
    let mut i = 12;
    while let Some(&[k0, k1, k2, k3, a, b, c, d]) = bytes.get(i..i + 8) {
        let kind = &[k0, k1, k2, k3][..];
        let len = u32::from_le_bytes([a, b, c, d]) as usize;
        let data = i + 8..(i + 8).saturating_add(len).min(bytes.len());
        match kind {
            b"EXIF" => {
                let skip = if bytes
                    .get(data.clone())
                    .is_some_and(|d| d.starts_with(b"Exif\0\0"))
                {
                    6
                } else {
                    0
                };
                found.tiff = Some(data.start + skip..data.end);
            }
            b"XMP " => found.xmp.push(data.clone()),
            _ => {}
        }
        i = data.end + (len & 1);
        if data.end == bytes.len() {
            break;
        }
    }
    found
}

/// HEIC keeps EXIF as an item of its `meta` box; heic-rs finds it, and the slice it returns
/// lies inside `bytes`, so its offset is where to edit.
fn locate_heif(bytes: &[u8]) -> Located {
    let mut found = Located::default();
    let Ok(ctx) = heic_rs::context::Context::open(bytes) else {
        return found;
    };
    let primary = ctx.meta.primary;
    let within = |s: &[u8]| -> Option<Range<usize>> {
        let start = (s.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
        (start + s.len() <= bytes.len()).then_some(start..start + s.len())
    };
    if let Ok(Some(tiff)) = ctx.exif(primary)
        && let Some(range) = within(tiff)
    {
        found.tiff = Some(range);
    }
    // An item stored in more than one extent cannot be edited in place here: read (a copy) to
    // say whether it holds a location, which then is said, not removed.
    let owned = |item: Option<u32>| match item.map(|i| ctx.item_data(i)) {
        Some(Ok(std::borrow::Cow::Owned(data))) => Some(data),
        _ => None,
    };
    if let Some(exif) = owned(ctx.exif_item(primary)) {
        // The item starts with the offset of the TIFF header within it.
        let skip = exif
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b: [u8; 4]| u32::from_be_bytes(b) as usize + 4);
        found.kept |= read(exif.get(skip..).unwrap_or_default()).has_gps;
    }
    match ctx.xmp_item(primary).map(|i| ctx.item_data(i)) {
        Some(Ok(std::borrow::Cow::Borrowed(xmp))) => {
            if let Some(range) = within(xmp) {
                found.xmp.push(range);
            }
        }
        Some(Ok(std::borrow::Cow::Owned(xmp))) => found.kept |= xmp_has_location(&xmp),
        _ => {}
    }
    found
}

/// A TIFF structure, read with its byte order.
struct Tiff<'a> {
    bytes: &'a [u8],
    little: bool,
}

/// A directory entry: where it lies and what it holds.
struct Entry {
    at: usize,
    tag: u16,
    kind: u16,
    /// The value's bytes, inline or where the offset points.
    value: Range<usize>,
}

impl<'a> Tiff<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let little = match bytes.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Self { bytes, little })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes.get(at..at + 2)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn first_ifd(&self) -> Option<usize> {
        self.u32_at(4).map(|o| o as usize)
    }

    fn entries(&self, ifd: usize) -> Vec<Entry> {
        let Some(n) = self.u16_at(ifd) else {
            return Vec::new();
        };
        (0..n as usize)
            .map_while(|i| {
                let at = ifd + 2 + 12 * i;
                let tag = self.u16_at(at)?;
                let kind = self.u16_at(at + 2)?;
                let count = self.u32_at(at + 4)?;
                let size = type_size(kind).checked_mul(count as usize)?;
                let value = if size <= 4 {
                    at + 8..at + 8 + size
                } else {
                    let offset = self.u32_at(at + 8)? as usize;
                    offset..offset.checked_add(size)?
                };
                Some(Entry {
                    at,
                    tag,
                    kind,
                    value,
                })
            })
            .collect()
    }

    fn pointer(&self, entries: &[Entry], tag: u16) -> Option<usize> {
        let e = entries.iter().find(|e| e.tag == tag)?;
        self.offsets(e).first().copied()
    }

    /// The directory offsets an entry points at: one, or several (SubIFDs), as SHORT or LONG.
    fn offsets(&self, e: &Entry) -> Vec<usize> {
        let width = if e.kind == 3 { 2 } else { 4 };
        (e.value.start..e.value.end)
            .step_by(width)
            .take(16)
            .filter_map(|at| {
                if width == 2 {
                    self.u16_at(at).map(usize::from)
                } else {
                    self.u32_at(at).map(|o| o as usize)
                }
            })
            .collect()
    }

    /// Every GPS directory of the structure, however it is reached: from IFD0 and the IFDs
    /// chained after it, and from the Exif, Interop and SubIFD directories below them (a GPS
    /// pointer may stand in any; there may be two).
    fn gps_dirs(&self) -> Vec<usize> {
        const TAG_INTEROP_IFD: u16 = 0xA005;
        const TAG_SUB_IFDS: u16 = 0x014A;
        let mut seen = Vec::new();
        let mut queue: Vec<usize> = self.first_ifd().into_iter().collect();
        let mut gps = Vec::new();
        while let Some(at) = queue.pop() {
            if at == 0 || seen.contains(&at) || seen.len() >= 4 * MAX_IFDS {
                continue;
            }
            seen.push(at);
            let entries = self.entries(at);
            for e in &entries {
                match e.tag {
                    TAG_GPS_IFD => gps.extend(self.offsets(e).into_iter().filter(|o| *o != 0)),
                    TAG_EXIF_IFD | TAG_INTEROP_IFD | TAG_SUB_IFDS => queue.extend(self.offsets(e)),
                    _ => {}
                }
            }
            if let Some(next) = self.u32_at(at + 2 + 12 * entries.len()) {
                queue.push(next as usize);
            }
        }
        gps.sort_unstable();
        gps.dedup();
        gps
    }

    /// Does a GPS directory give a position (latitude, longitude, or a destination's)? A
    /// version or a time alone is no place.
    fn gives_position(&self, gps: usize) -> bool {
        self.entries(gps)
            .iter()
            .any(|e| matches!(e.tag, 1..=4 | 0x13..=0x16))
    }

    fn ascii(&self, e: &Entry) -> Option<String> {
        let raw = self.bytes.get(e.value.clone())?;
        let text = String::from_utf8_lossy(raw);
        Some(text.trim_end_matches('\0').trim().to_string()).filter(|t| !t.is_empty())
    }
}

fn type_size(kind: u16) -> usize {
    match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => 1,
    }
}

/// Read the orientation, capture time and whether GPS data is present.
pub fn read(tiff: &[u8]) -> ExifInfo {
    let mut info = ExifInfo::default();
    let Some(t) = Tiff::new(tiff) else {
        return info;
    };
    let Some(ifd0) = t.first_ifd() else {
        return info;
    };
    let entries = t.entries(ifd0);
    for e in &entries {
        match (e.tag, e.kind) {
            (TAG_ORIENTATION, 3) => {
                info.orientation = t.u16_at(e.value.start).filter(|o| (1..=8).contains(o));
            }
            (TAG_DATE_TIME, 2) if info.taken_at.is_none() => info.taken_at = t.ascii(e),
            _ => {}
        }
    }
    if let Some(exif) = t.pointer(&entries, TAG_EXIF_IFD).filter(|o| *o != ifd0) {
        for e in t.entries(exif) {
            if e.tag == TAG_DATE_TIME_ORIGINAL && e.kind == 2 {
                info.taken_at = t.ascii(&e).or(info.taken_at);
            }
        }
    }
    info.has_gps = t
        .gps_dirs()
        .into_iter()
        .any(|gps| gps != ifd0 && t.gives_position(gps));
    info
}

/// Empty every GPS directory in place: its entries and the values they point at are zeroed and
/// its entry count set to 0, so the directory stays valid and says nothing. Nothing moves.
/// Returns true if there was GPS data.
pub fn strip_gps(tiff: &mut [u8]) -> bool {
    let Some(t) = Tiff::new(tiff) else {
        return false;
    };
    let gps_dirs = t.gps_dirs();
    let had_position = gps_dirs.iter().any(|g| t.gives_position(*g));
    let mut zero: Vec<Range<usize>> = Vec::new();
    let mut counts = Vec::new();
    for gps in gps_dirs {
        let entries = t.entries(gps);
        if entries.is_empty() {
            continue;
        }
        for e in &entries {
            if e.value.start > e.at + 8 || e.value.end > e.at + 12 {
                zero.push(e.value.clone()); // the value lies outside the entry
            }
            zero.push(e.at..e.at + 12);
        }
        counts.push(gps);
    }
    if counts.is_empty() {
        return false;
    }
    for range in zero {
        if let Some(bytes) = tiff.get_mut(range) {
            bytes.fill(0);
        }
    }
    for at in counts {
        if let Some(bytes) = tiff.get_mut(at..at + 2) {
            bytes.fill(0);
        }
    }
    // Emptied either way; "removed" is said only when there was a place.
    had_position
}

/// Where the values of XMP's `exif:GPS…` properties lie: attributes `exif:GPSLatitude="…"`
/// and elements `<exif:GPSLatitude>…</exif:GPSLatitude>`.
fn xmp_gps_values(xmp: &[u8]) -> Vec<Range<usize>> {
    xmp_gps_props(xmp).into_iter().map(|(_, v)| v).collect()
}

/// The `exif:GPS…` properties of an XMP packet: each one's whole span (its name, its value and
/// its closing) and its value's.
fn xmp_gps_props(xmp: &[u8]) -> Vec<(Range<usize>, Range<usize>)> {
    const KEY: &[u8] = b"exif:GPS";
    let mut values = Vec::new();
    let mut i = 0;
    while let Some(found) = find(xmp.get(i..).unwrap_or_default(), KEY) {
        let key_start = (i + found).saturating_sub(1);
        let at = i + found + KEY.len();
        let name_end = at
            + xmp
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        let delimiters = match (xmp.get(name_end), xmp.get(name_end + 1)) {
            (Some(b'='), Some(b'"')) => Some((name_end + 2, b'"')),
            (Some(b'='), Some(b'\'')) => Some((name_end + 2, b'\'')),
            (Some(b'>'), _) => Some((name_end + 1, b'<')),
            _ => None,
        };
        if let Some((start, close)) = delimiters {
            if close == b'<' {
                // An element: its value is all up to its own closing tag — CDATA, a comment,
                // an rdf:Alt/rdf:li inside it, whatever the markup (blanked to spaces, the XML
                // stays well-formed).
                let mut closing = b"</".to_vec();
                closing.extend_from_slice(xmp.get(at - KEY.len()..name_end).unwrap_or_default());
                closing.push(b'>');
                if let Some(p) = find(xmp.get(start..).unwrap_or_default(), &closing) {
                    let value = start..start + p;
                    values.push((key_start..value.end + closing.len(), value));
                }
            } else if let Some(len) = xmp
                .get(start..)
                .and_then(|rest| rest.iter().position(|b| *b == close))
            {
                let value = start..start + len;
                values.push((key_start..value.end + 1, value));
            }
        }
        i = name_end.max(at);
    }
    values
}

/// Blank the values of XMP's `exif:GPS…` properties in place, keeping the packet's length.
/// Returns true if any had a value.
pub fn blank_xmp_gps(xmp: &mut [u8]) -> bool {
    let mut changed = false;
    for range in xmp_gps_values(xmp) {
        for b in xmp.get_mut(range).unwrap_or_default() {
            if !b.is_ascii_whitespace() {
                *b = b' ';
                changed = true;
            }
        }
    }
    changed
}

/// Words that say where, in any XMP property (case aside): `exif:GPS…` in another prefix or
/// form, IPTC's `Location…`, a drone's `drone-dji:GpsLatitude`, `exifEX`…
const LOCATION_WORDS: [&[u8]; 8] = [
    b"gps",
    b"location",
    b"latitude",
    b"longitude",
    b"iso6709",
    b":city",
    b":country",
    b"photoshop:state",
];

/// Does an XMP packet (or any metadata text) speak of a location anywhere but in the
/// `exif:GPS…` properties [`blank_xmp_gps`] blanks — or in UTF-16, which it does not read?
pub fn stray_location(text: &[u8]) -> bool {
    let spans: Vec<Range<usize>> = xmp_gps_props(text).into_iter().map(|(s, _)| s).collect();
    let lower = text.to_ascii_lowercase();
    for word in LOCATION_WORDS {
        let mut i = 0;
        while let Some(p) = find(lower.get(i..).unwrap_or_default(), word) {
            let at = i + p;
            if !spans.iter().any(|s| s.contains(&at)) {
                return true;
            }
            i = at + 1;
        }
        // UTF-16, either byte order: the word's letters with NULs between.
        let wide: Vec<u8> = word.iter().flat_map(|b| [*b, 0]).collect();
        if let Some(w) = wide.get(..wide.len() - 1)
            && (find(&lower, w).is_some())
        {
            return true;
        }
    }
    false
}

/// Remove the location from an XMP packet in place, keeping its length: the `exif:GPS…` values
/// blanked — or, when it speaks of a location in any other way, the whole packet blanked (its
/// other properties go with it: a location left is worse). Returns true if anything was there.
pub fn scrub_xmp(xmp: &mut [u8]) -> bool {
    if stray_location(xmp) {
        // An empty but valid packet in its place (readers say "invalid XMP" to mere spaces),
        // padded with spaces as XMP allows.
        const EMPTY: &[u8] = br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>"#;
        xmp.fill(b' ');
        if let Some(head) = xmp.get_mut(..EMPTY.len()) {
            head.copy_from_slice(EMPTY);
        }
        return true;
    }
    blank_xmp_gps(xmp)
}

/// Does an XMP packet give a location (a non-blank `exif:GPS…` value, or any other mention)?
pub fn xmp_has_location(xmp: &[u8]) -> bool {
    xmp_has_gps(xmp) || stray_location(xmp)
}

/// Does an XMP packet give a GPS position (a non-blank `exif:GPS…` value)?
pub fn xmp_has_gps(xmp: &[u8]) -> bool {
    xmp_gps_values(xmp).into_iter().any(|r| {
        xmp.get(r)
            .is_some_and(|v| v.iter().any(|b| !b.is_ascii_whitespace()))
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Remove the location from a photo's bytes in place (see the module's comment). Returns true
/// if there was any.
pub fn remove_location(format: &str, bytes: &mut [u8]) -> bool {
    let found = locate(format, bytes);
    let mut removed = false;
    for range in found.tiff.iter().chain(&found.more_tiff) {
        if let Some(tiff) = bytes.get_mut(range.clone()) {
            removed |= strip_gps(tiff);
        }
    }
    for range in &found.xmp {
        if let Some(xmp) = bytes.get_mut(range.clone()) {
            removed |= scrub_xmp(xmp);
        }
    }
    for range in &found.iptc_places {
        if let Some(value) = bytes.get_mut(range.clone())
            && value.iter().any(|b| !b.is_ascii_whitespace())
        {
            value.fill(b' ');
            removed = true;
        }
    }
    for (type_at, data) in &found.png_blank {
        if let Some(kind) = bytes.get_mut(*type_at..type_at + 4) {
            kind.copy_from_slice(PNG_BLANKED);
        }
        if let Some(data) = bytes.get_mut(data.clone()) {
            data.fill(0);
        }
        removed = true;
    }
    if removed {
        for (covered, crc_at) in &found.png_crcs {
            let Some(covered) = bytes.get(covered.clone()) else {
                continue;
            };
            let crc = crc32fast::hash(covered);
            if let Some(slot) = bytes.get_mut(*crc_at..crc_at + 4) {
                slot.copy_from_slice(&crc.to_be_bytes());
            }
        }
    }
    removed
}

/// Read the EXIF of a photo's bytes.
pub fn read_photo(format: &str, bytes: &[u8]) -> ExifInfo {
    let found = locate(format, bytes);
    let mut info = found
        .tiff
        .clone()
        .and_then(|r| bytes.get(r))
        .map(read)
        .unwrap_or_default();
    if !info.has_gps {
        info.has_gps = found
            .more_tiff
            .iter()
            .filter_map(|r| bytes.get(r.clone()))
            .any(|t| read(t).has_gps)
            || found
                .xmp
                .iter()
                .filter_map(|r| bytes.get(r.clone()))
                .any(xmp_has_location)
            || !found.png_blank.is_empty()
            || found.iptc_places.iter().any(|r| {
                bytes
                    .get(r.clone())
                    .is_some_and(|v| v.iter().any(|b| !b.is_ascii_whitespace()))
            })
            || found.kept;
    }
    info
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian TIFF with an orientation, a date in the EXIF directory and a GPS
    /// directory with a latitude (three rationals, stored out of line).
    pub fn tiff_with_gps(orientation: u16) -> Vec<u8> {
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: 3 entries
        let ifd0 = 8;
        let exif_ifd = ifd0 + 2 + 3 * 12 + 4; // 50
        let gps_ifd = exif_ifd + 2 + 12 + 4; // 68
        let date = gps_ifd + 2 + 12 + 4; // 86
        let lat = date + 20; // 106
        let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
            t.extend_from_slice(&tag.to_le_bytes());
            t.extend_from_slice(&kind.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&value.to_le_bytes());
        };
        t.extend_from_slice(&3u16.to_le_bytes());
        entry(&mut t, TAG_ORIENTATION, 3, 1, u32::from(orientation));
        entry(&mut t, TAG_EXIF_IFD, 4, 1, exif_ifd as u32);
        entry(&mut t, TAG_GPS_IFD, 4, 1, gps_ifd as u32);
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), exif_ifd);
        t.extend_from_slice(&1u16.to_le_bytes());
        entry(&mut t, TAG_DATE_TIME_ORIGINAL, 2, 20, date as u32);
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), gps_ifd);
        t.extend_from_slice(&1u16.to_le_bytes());
        entry(&mut t, 0x0002, 5, 3, lat as u32);
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), date);
        t.extend_from_slice(b"2024:03:08 10:15:00\0");
        for v in [29u32, 1, 33, 1, 30, 1] {
            t.extend_from_slice(&v.to_le_bytes());
        }
        t
    }

    #[test]
    fn reads_orientation_time_and_gps() {
        let info = read(&tiff_with_gps(6));
        assert_eq!(info.orientation, Some(6));
        assert_eq!(info.taken_at.as_deref(), Some("2024:03:08 10:15:00"));
        assert!(info.has_gps);
    }

    #[test]
    fn strips_gps_in_place_and_keeps_the_rest() {
        let mut t = tiff_with_gps(3);
        let before = t.clone();
        assert!(strip_gps(&mut t));
        assert_eq!(t.len(), before.len());
        let info = read(&t);
        assert!(!info.has_gps);
        assert_eq!(info.orientation, Some(3));
        assert_eq!(info.taken_at.as_deref(), Some("2024:03:08 10:15:00"));
        // The latitude's rationals are gone from the bytes, not just unlinked.
        assert!(!t.windows(4).any(|w| w == 29u32.to_le_bytes()));
        assert!(!strip_gps(&mut t), "nothing left to strip");
    }

    #[test]
    fn blanks_xmp_gps_of_both_spellings() {
        let mut x = br#"<x exif:GPSLatitude="29,33.5N" exif:GPSLongitude='106,34.2E' dc:title="t"/><exif:GPSAltitude>250/1</exif:GPSAltitude>"#.to_vec();
        let len = x.len();
        assert!(blank_xmp_gps(&mut x));
        let s = String::from_utf8(x).unwrap();
        assert_eq!(s.len(), len);
        assert!(!s.contains("29,33.5N") && !s.contains("106,34.2E") && !s.contains("250/1"));
        assert!(s.contains(r#"dc:title="t""#));
    }

    #[test]
    fn malformed_exif_is_read_as_nothing() {
        for bad in [
            b"".to_vec(),
            b"II*\0\xff\xff\xff\xff".to_vec(),
            b"MM\0*\0\0\0\x08\xff\xff".to_vec(),
            vec![0x49; 3],
        ] {
            let mut b = bad.clone();
            assert_eq!(read(&bad), ExifInfo::default());
            assert!(!strip_gps(&mut b));
        }
        // A directory pointing at itself.
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&TAG_GPS_IFD.to_le_bytes());
        t.extend_from_slice(&4u16.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&8u32.to_le_bytes());
        t.extend_from_slice(&8u32.to_le_bytes());
        let _ = read(&t);
        let _ = strip_gps(&mut t);
    }
}

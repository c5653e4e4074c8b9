//! Where a video was taken, removed from the clerk's copy — losslessly, as photos' GPS is (see
//! `exif`). MP4, MOV, M4V and 3GP keep a location in a few boxes of the `moov` (and in XMP):
//!
//! - `©xyz` in `udta` (QuickTime; ffmpeg writes it for `-metadata location=`), and the older
//!   iPhones' `@xyz`,
//! - `loci` in `udta` (3GPP),
//! - the entries of a `meta` box's `keys` whose name speaks of a location
//!   (`com.apple.quicktime.location.ISO6709`, ffmpeg's `location`, `location-eng`…), their values
//!   in `ilst` (iPhones, in `moov/meta`; ffmpeg with `use_metadata_tags`, in `moov/udta/meta`),
//! - XMP, in a `uuid` box (BE7ACFCB-…) or a QuickTime `XMP_` box: its `exif:GPS…` values, or
//!   the whole packet when it speaks of a location another way (see `exif::scrub_xmp`),
//!
//! in the `moov`, or in a `meta` or `udta` at the top of the file. What cannot be removed this
//! way is said (below): a compressed `moov` (`cmov`), a GPS track (GoPro's `gpmd`, Google's
//! `camm`: positions in the samples themselves).
//!
//! Nothing is moved: a location box is renamed `free` and its contents zeroed (a player skips
//! `free` wherever it stands), XMP values are blanked with spaces in place. So every size and
//! offset of the file — the sample tables point into `mdat` by absolute offset — stays true,
//! and the copy is the same size as the original.
//!
//! [`plan`] reads only box headers and the `moov` (as `isobmff` does) and answers with byte
//! patches; the import applies them to the copy as it streams (the sha256 is of the patched
//! bytes), so the original is never written to and a video is still read once. A location the
//! walk cannot reach — a `moov` it cannot read, or a marker left in the `moov` after the
//! patches — is never passed over silently: the answer is [`VideoLocation::Unsure`], and the tile
//! says the location could not be removed.

#![deny(clippy::indexing_slicing)]

use std::io::{Read, Seek, SeekFrom};

use super::exif::{scrub_xmp, xmp_has_gps};

/// A `moov` larger than this is not read.
const MAX_MOOV: u64 = 256 * 1024 * 1024;
/// A top-level XMP `uuid` box larger than this is not read.
const MAX_XMP: u64 = 16 * 1024 * 1024;
/// At most this many top-level boxes are looked at.
const MAX_TOP_BOXES: usize = 10_000;
/// Boxes nest at most this deep in what is walked (moov/udta/meta/ilst/item).
const MAX_DEPTH: u8 = 8;

/// The XMP box's uuid (Adobe's, BE7ACFCB-97A9-42E8-9C71-999491E3AFAC).
const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];
/// QuickTime's `©xyz`, and the older iPhones' `@xyz`.
const XYZ: [u8; 4] = [0xA9, b'x', b'y', b'z'];
const AT_XYZ: [u8; 4] = *b"@xyz";
/// A top-level `meta` or `udta` larger than this is not read.
const MAX_TOP_META: u64 = 16 * 1024 * 1024;

/// Bytes to put at an offset of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub at: u64,
    pub bytes: Vec<u8>,
}

/// What a video holds of where it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoLocation {
    /// No location found.
    None,
    /// A location, removed by these patches.
    Removable(Vec<Patch>),
    /// The location could not be looked for, or not all of it removed: why (for the log).
    Unsure(&'static str),
}

/// Find the location boxes of an MP4/MOV/3GP file.
pub fn plan<R: Read + Seek>(file: &mut R) -> VideoLocation {
    match plan_inner(file) {
        Ok(patches) if patches.is_empty() => VideoLocation::None,
        Ok(patches) => VideoLocation::Removable(patches),
        Err(why) => VideoLocation::Unsure(why),
    }
}

/// Put the patches that fall into `chunk` (which starts at file offset `offset`) into it.
pub fn apply(patches: &[Patch], offset: u64, chunk: &mut [u8]) {
    let end = offset.saturating_add(chunk.len() as u64);
    for p in patches {
        let p_end = p.at.saturating_add(p.bytes.len() as u64);
        if p_end <= offset || p.at >= end {
            continue;
        }
        let from = p.at.max(offset);
        let to = p_end.min(end);
        let (Ok(c0), Ok(c1), Ok(p0), Ok(p1)) = (
            usize::try_from(from - offset),
            usize::try_from(to - offset),
            usize::try_from(from - p.at),
            usize::try_from(to - p.at),
        ) else {
            continue;
        };
        if let (Some(dst), Some(src)) = (chunk.get_mut(c0..c1), p.bytes.get(p0..p1)) {
            dst.copy_from_slice(src);
        }
    }
}

/// Is a reason for [`VideoLocation::Unsure`] about a location (a marker left, a GPS track, a
/// compressed header) rather than about a file that is no readable video at all?
pub fn unsure_of_location(why: &str) -> bool {
    why.contains("marker") || why.contains("GPS") || why.contains("compressed")
}

/// Insta360's trailer ends with this signature (its records, GPS among them, come before).
const INSTA360: &[u8] = b"8db42d694ccc418790edff439fe026bf";

/// What follows a photo's own data: a phone's motion photo (Google, Samsung, Xiaomi, Huawei
/// append the video, an MP4, to the JPEG) has that video's location removed as a video's is;
/// a 360° camera's trailer (Insta360) is only said. Returns (removed, kept).
pub fn in_photo_trailer(bytes: &mut [u8]) -> (bool, bool) {
    let mut kept = bytes.ends_with(INSTA360);
    let mut from = 0;
    for _ in 0..16 {
        let Some(p) = find(bytes.get(from..).unwrap_or_default(), b"ftyp") else {
            break;
        };
        let at = from + p;
        from = at + 4;
        let Some(start) = at.checked_sub(4) else {
            continue;
        };
        let size = bytes
            .get(start..at)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_be_bytes);
        if !(8..=4096).contains(&size) {
            continue;
        }
        let Some(video) = bytes.get_mut(start..) else {
            break;
        };
        match plan(&mut std::io::Cursor::new(&*video)) {
            VideoLocation::Removable(patches) => {
                apply(&patches, 0, video);
                return (true, kept);
            }
            VideoLocation::Unsure(why) if unsure_of_location(why) => {
                kept = true;
                break;
            }
            _ => {}
        }
    }
    (false, kept)
}

fn plan_inner<R: Read + Seek>(file: &mut R) -> Result<Vec<Patch>, &'static str> {
    let len = file
        .seek(SeekFrom::End(0))
        .map_err(|_| "the file cannot be read")?;
    let mut patches = Vec::new();
    let mut saw_moov = false;
    let mut at = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if at.saturating_add(8) > len {
            break;
        }
        let mut header = [0u8; 32];
        file.seek(SeekFrom::Start(at))
            .map_err(|_| "the file cannot be read")?;
        let got = read_up_to(file, &mut header).map_err(|_| "the file cannot be read")?;
        let Some((head, size, kind)) = box_header(header.get(..got).unwrap_or_default(), len - at)
        else {
            return Err("a top-level box is malformed");
        };
        let body_at = at + head as u64;
        let body_len = size - head as u64;
        match &kind {
            b"moov" => {
                if at.saturating_add(size) > len {
                    return Err("the moov box is cut off");
                }
                if body_len > MAX_MOOV {
                    return Err("the moov box is too large to read");
                }
                let moov = read_at(file, body_at, body_len)?;
                let found = walk_checked(&moov, body_at)?;
                patches.extend(found);
                saw_moov = true;
            }
            b"meta" | b"udta" => {
                if at.saturating_add(size) > len || size > MAX_TOP_META {
                    return Err("a top-level meta or udta box cannot be read");
                }
                // The box itself, as a list of one: walked as it would be inside the moov.
                let whole = read_at(file, at, size)?;
                patches.extend(walk_checked(&whole, at)?);
            }
            b"uuid" if body_len >= 16 => {
                let id = read_at(file, body_at, 16)?;
                if id == XMP_UUID {
                    if body_len > MAX_XMP {
                        return Err("an XMP box is too large to read");
                    }
                    let xmp = read_at(file, body_at + 16, body_len - 16)?;
                    patches.extend(blank_xmp(&xmp, body_at + 16));
                }
            }
            _ => {}
        }
        // Strictly forwards: a box of size 0 "to the end" ends the walk.
        at = match at.checked_add(size) {
            Some(next) if next > at => next,
            _ => break,
        };
    }
    if !saw_moov {
        return Err("no moov box");
    }
    Ok(patches)
}

/// The patches of a list of boxes (a `moov`'s contents, or a top-level `meta`) starting at file
/// offset `base`, checked: after them no location marker is left in it.
fn walk_checked(moov: &[u8], base: u64) -> Result<Vec<Patch>, &'static str> {
    let mut found = Found::default();
    walk(moov, base, 0, &mut found);
    if let Some(why) = found.unsure {
        return Err(why);
    }
    let patches = found.patches;
    // Checked: the patched moov, less the `keys` boxes (a key's name, such as
    // `com.apple.quicktime.location.ISO6709`, is no location once its value is gone).
    let mut after = moov.to_vec();
    apply(&patches, base, &mut after);
    apply(&found.unchecked, base, &mut after);
    if find(&after, &XYZ).is_some()
        || find(&after, &AT_XYZ).is_some()
        || find(&after, b"ISO6709").is_some()
        || xmp_has_gps(&after)
    {
        return Err("a location marker is left where the walk did not reach");
    }
    // A timed metadata track of positions (GoPro, Google's camera motion): in the samples.
    if find(&after, b"gpmd").is_some() || find(&after, b"camm").is_some() {
        return Err("a GPS track: the positions are in the samples");
    }
    Ok(patches)
}

#[derive(Default)]
struct Found {
    patches: Vec<Patch>,
    /// A place a location may be that cannot be patched (a compressed `moov`).
    unsure: Option<&'static str>,
    /// Zeroes over what the final check does not look at (`keys` boxes).
    unchecked: Vec<Patch>,
}

/// One box inside a buffer: where its header starts, its header's length, its type, its body.
struct Child<'a> {
    start: usize,
    head: usize,
    kind: [u8; 4],
    body: &'a [u8],
}

fn children(data: &[u8]) -> Vec<Child<'_>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(rest) = data.get(at..) {
        let Some((head, size, kind)) = box_header(rest, rest.len() as u64) else {
            break;
        };
        let Ok(size) = usize::try_from(size) else {
            break;
        };
        let Some(body) = rest.get(head..size) else {
            break;
        };
        out.push(Child {
            start: at,
            head,
            kind,
            body,
        });
        at += size;
    }
    out
}

/// A box header at the start of `b`: (header length, whole size, type), the size no more than
/// `room`; a size of 0 means "to the end".
fn box_header(b: &[u8], room: u64) -> Option<(usize, u64, [u8; 4])> {
    let size32 = u64::from(u32::from_be_bytes(b.get(0..4)?.try_into().ok()?));
    let kind: [u8; 4] = b.get(4..8)?.try_into().ok()?;
    let (head, size) = match size32 {
        0 => (8, room),
        1 => (16, u64::from_be_bytes(b.get(8..16)?.try_into().ok()?)),
        s => (8, s),
    };
    (size >= head as u64 && size <= room).then_some((head, size, kind))
}

/// Walk the boxes of `data` (at file offset `base`) for location boxes.
fn walk(data: &[u8], base: u64, depth: u8, found: &mut Found) {
    if depth > MAX_DEPTH {
        return;
    }
    for c in children(data) {
        let body_base = base + (c.start + c.head) as u64;
        match &c.kind {
            b"trak" | b"udta" => walk(c.body, body_base, depth + 1, found),
            b"meta" => {
                let skip = meta_header(c.body);
                if let Some(inner) = c.body.get(skip..) {
                    walk_meta(inner, body_base + skip as u64, depth + 1, found);
                }
            }
            k if k == &XYZ || k == &AT_XYZ || k == b"loci" => found.patches.extend(free(&c, base)),
            b"cmov" => found.unsure = Some("a compressed moov"),
            b"XMP_" => found.patches.extend(blank_xmp(c.body, body_base)),
            b"uuid" if c.body.get(..16) == Some(&XMP_UUID[..]) => {
                if let Some(xmp) = c.body.get(16..) {
                    found.patches.extend(blank_xmp(xmp, body_base + 16));
                }
            }
            _ => {}
        }
    }
}

/// ISO's `meta` is a full box (4 bytes of version and flags before its children); QuickTime's,
/// as iPhones write it in `moov`, is not. Told apart by where its `hdlr` is.
fn meta_header(body: &[u8]) -> usize {
    if body.get(4..8) == Some(b"hdlr") {
        0
    } else {
        4
    }
}

/// A `meta` box's children: its `keys` name the location entries, whose values in `ilst` are
/// boxes typed by the key's 1-based index; iTunes-style `ilst` items are typed `©xyz`.
fn walk_meta(data: &[u8], base: u64, depth: u8, found: &mut Found) {
    let kids = children(data);
    let location_keys: Vec<u32> = kids
        .iter()
        .find(|c| &c.kind == b"keys")
        .map(|k| location_key_indexes(k.body))
        .unwrap_or_default();
    for c in &kids {
        let body_base = base + (c.start + c.head) as u64;
        match &c.kind {
            b"ilst" => {
                for item in children(c.body) {
                    let index = u32::from_be_bytes(item.kind);
                    if item.kind == XYZ || item.kind == AT_XYZ || location_keys.contains(&index) {
                        found.patches.extend(free(&item, body_base));
                    }
                }
            }
            b"keys" => found.unchecked.push(Patch {
                at: body_base,
                bytes: vec![0; c.body.len()],
            }),
            b"hdlr" => {}
            _ => {
                if let Some(whole) = data.get(c.start..c.start + c.head + c.body.len()) {
                    walk(whole, base + c.start as u64, depth + 1, found);
                }
            }
        }
    }
}

/// The 1-based indexes of a `keys` box's entries whose name speaks of a location
/// (`com.apple.quicktime.location.ISO6709`, `location`, `Location-eng`, `…gps…`,
/// `com.apple.quicktime.xyz`, `…city`).
fn location_key_indexes(keys: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    // Version and flags, then the entry count, then entries: size, namespace, name.
    let mut at = 8usize;
    let mut index = 1u32;
    while let Some(size) = keys
        .get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_be_bytes)
    {
        let Ok(size) = usize::try_from(size) else {
            break;
        };
        if size < 8 {
            break;
        }
        let Some(name) = keys.get(at + 8..at + size) else {
            break;
        };
        let name = name.to_ascii_lowercase();
        if [
            &b"location"[..],
            b"iso6709",
            b"gps",
            b"xyz",
            b"city",
            b"coordinate",
        ]
        .iter()
        .any(|w| find(&name, w).is_some())
        {
            out.push(index);
        }
        at += size;
        index += 1;
    }
    out
}

/// A box turned into `free` with zeroed contents: the same length, skipped by every reader.
fn free(c: &Child<'_>, base: u64) -> Vec<Patch> {
    let start = base + c.start as u64;
    vec![
        Patch {
            at: start + 4,
            bytes: b"free".to_vec(),
        },
        Patch {
            at: start + c.head as u64,
            bytes: vec![0; c.body.len()],
        },
    ]
}

/// An XMP packet at file offset `base` with its location removed, if it had one.
fn blank_xmp(xmp: &[u8], base: u64) -> Option<Patch> {
    let mut blanked = xmp.to_vec();
    scrub_xmp(&mut blanked).then_some(Patch {
        at: base,
        bytes: blanked,
    })
}

fn read_at<R: Read + Seek>(file: &mut R, at: u64, len: u64) -> Result<Vec<u8>, &'static str> {
    let len = usize::try_from(len).map_err(|_| "a box is too large to read")?;
    file.seek(SeekFrom::Start(at))
        .map_err(|_| "the file cannot be read")?;
    let mut buf = vec![0u8; len];
    file.read_exact(&mut buf)
        .map_err(|_| "a box is cut off at the end of the file")?;
    Ok(buf)
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    super::read_up_to(r, buf)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn patched(file: &[u8], patches: &[Patch]) -> Vec<u8> {
        let mut out = file.to_vec();
        apply(patches, 0, &mut out);
        out
    }

    const XMP: &[u8] = br#"<x:xmpmeta><rdf:Description exif:GPSLatitude="29,33.78N" exif:GPSLongitude="106,33.09E" xmp:CreateDate="2024-03-08"/></x:xmpmeta>"#;

    fn movie(udta_and_meta: &[u8], top: &[u8]) -> Vec<u8> {
        let mvhd = boxed(b"mvhd", &[0; 100]);
        let trak = boxed(b"trak", &boxed(b"tkhd", &[0; 84]));
        let moov = boxed(b"moov", &[mvhd, trak, udta_and_meta.to_vec()].concat());
        [
            boxed(b"ftyp", b"qt  \0\0\0\0qt  "),
            boxed(b"mdat", &[0x55; 64]),
            moov,
            top.to_vec(),
        ]
        .concat()
    }

    fn keys(names: &[&str]) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(&(names.len() as u32).to_be_bytes());
        for n in names {
            body.extend_from_slice(&((n.len() + 8) as u32).to_be_bytes());
            body.extend_from_slice(b"mdta");
            body.extend_from_slice(n.as_bytes());
        }
        boxed(b"keys", &body)
    }

    fn item(index: u32, value: &str) -> Vec<u8> {
        let data = boxed(
            b"data",
            &[&[0, 0, 0, 1, 0, 0, 0, 0], value.as_bytes()].concat(),
        );
        boxed(&index.to_be_bytes(), &data)
    }

    fn removed(file: &[u8]) -> Vec<u8> {
        match plan(&mut Cursor::new(file)) {
            VideoLocation::Removable(p) => patched(file, &p),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quicktime_xyz_and_3gpp_loci_become_free_boxes() {
        let udta = boxed(
            b"udta",
            &[
                boxed(&XYZ, b"\0\x13\x15\xc7+29.5630+106.5516/"),
                boxed(b"loci", b"\0\0\0\0\x15\xc7home\0\0\x01\x02\x03\x04"),
                boxed(b"\xa9too", b"\0\x05\x15\xc7Lavf5"),
            ]
            .concat(),
        );
        let file = movie(&udta, b"");
        let out = removed(&file);
        assert_eq!(out.len(), file.len());
        assert_eq!(find(&out, &XYZ), None);
        assert_eq!(find(&out, b"loci"), None);
        assert_eq!(find(&out, b"+29.5630"), None);
        assert!(find(&out, b"Lavf5").is_some(), "other tags kept");
        assert_eq!(plan(&mut Cursor::new(&out)), VideoLocation::None);
    }

    #[test]
    fn iphone_keys_in_moov_meta_lose_their_location_values_only() {
        // iPhone: moov/meta without version and flags, hdlr mdta, keys, ilst by key index.
        let meta = boxed(
            b"meta",
            &[
                boxed(b"hdlr", &[&[0u8; 8][..], b"mdta", &[0; 13]].concat()),
                keys(&[
                    "com.apple.quicktime.make",
                    "com.apple.quicktime.location.ISO6709",
                    "com.apple.quicktime.location.accuracy.horizontal",
                ]),
                boxed(
                    b"ilst",
                    &[
                        item(1, "Apple"),
                        item(2, "+29.5630+106.5516+250.000/"),
                        item(3, "4.7"),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let file = movie(&meta, b"");
        let out = removed(&file);
        assert_eq!(out.len(), file.len());
        assert!(find(&out, b"Apple").is_some());
        assert_eq!(find(&out, b"+29.5630"), None);
        assert_eq!(find(&out, b"4.7"), None);
        assert_eq!(plan(&mut Cursor::new(&out)), VideoLocation::None);
    }

    #[test]
    fn xmp_gps_is_blanked_in_top_level_uuid_and_udta_xmp() {
        let top = boxed(b"uuid", &[&XMP_UUID[..], XMP].concat());
        let udta = boxed(b"udta", &boxed(b"XMP_", XMP));
        let file = movie(&udta, &top);
        let out = removed(&file);
        assert_eq!(out.len(), file.len());
        assert_eq!(find(&out, b"106,33.09E"), None);
        assert!(find(&out, b"2024-03-08").is_some(), "other XMP kept");
        assert_eq!(plan(&mut Cursor::new(&out)), VideoLocation::None);
    }

    #[test]
    fn a_location_the_walk_cannot_reach_or_check_is_said() {
        let hidden = boxed(b"abcd", &boxed(&XYZ, b"\0\x13\x15\xc7+29.5630+106.5516/"));
        let file = movie(&hidden, b"");
        assert!(matches!(
            plan(&mut Cursor::new(&file)),
            VideoLocation::Unsure(_)
        ));
        let no_moov = [boxed(b"ftyp", b"isom"), boxed(b"mdat", &[1; 40])].concat();
        assert!(matches!(
            plan(&mut Cursor::new(&no_moov)),
            VideoLocation::Unsure(_)
        ));
        let mut cut = movie(&boxed(b"udta", b""), b"");
        cut.truncate(cut.len() - 10);
        assert!(matches!(
            plan(&mut Cursor::new(&cut)),
            VideoLocation::Unsure(_)
        ));
        assert_eq!(
            plan(&mut Cursor::new(&movie(b"", b""))),
            VideoLocation::None
        );
    }

    #[test]
    fn patches_applied_chunk_by_chunk_equal_patches_applied_whole() {
        let udta = boxed(b"udta", &boxed(&XYZ, b"\0\x13\x15\xc7+29.5630+106.5516/"));
        let file = movie(&udta, &boxed(b"uuid", &[&XMP_UUID[..], XMP].concat()));
        let VideoLocation::Removable(p) = plan(&mut Cursor::new(&file)) else {
            panic!()
        };
        let whole = patched(&file, &p);
        for chunk in [1usize, 3, 7, 64, 1000] {
            let mut out = Vec::new();
            for (i, piece) in file.chunks(chunk).enumerate() {
                let mut piece = piece.to_vec();
                apply(&p, (i * chunk) as u64, &mut piece);
                out.extend(piece);
            }
            assert_eq!(out, whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn what_the_attacker_found_is_removed_or_said() {
        // ffmpeg's own key names (`location`, `location-eng`), any case.
        let meta = boxed(
            b"meta",
            &[
                boxed(b"hdlr", &[&[0u8; 8][..], b"mdta", &[0; 13]].concat()),
                keys(&["location", "Location-ENG", "encoder"]),
                boxed(
                    b"ilst",
                    &[
                        item(1, "+29.5630+106.5516/"),
                        item(2, "+29.5630+106.5516/"),
                        item(3, "Lavf"),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let out = removed(&movie(&boxed(b"udta", &meta), b""));
        assert_eq!(find(&out, b"+29.5630"), None);
        assert!(find(&out, b"Lavf").is_some());
        // A `meta` and a `udta` at the top of the file, beside the moov.
        let top = [
            meta.clone(),
            boxed(b"udta", &boxed(b"@xyz", b"+29.5630+106.5516/")),
        ]
        .concat();
        let out = removed(&movie(b"", &top));
        assert_eq!(find(&out, b"+29.5630"), None);
        // The older iPhones' `@xyz`.
        let out = removed(&movie(
            &boxed(
                b"udta",
                &boxed(b"@xyz", b"\0\x12\x15\xc7+29.5630+106.5516/"),
            ),
            b"",
        ));
        assert_eq!(find(&out, b"+29.5630"), None);
        // XMP with the exif namespace under another prefix, or IPTC's location: blanked whole.
        for xmp in [
            &br#"<x:xmpmeta><rdf:Description xmlns:e="http://ns.adobe.com/exif/1.0/" e:GPSLatitude="29,33.78N"/></x:xmpmeta>"#[..],
            br#"<x:xmpmeta><Iptc4xmpExt:LocationShown>Yuzhong</Iptc4xmpExt:LocationShown></x:xmpmeta>"#,
        ] {
            let top = boxed(b"uuid", &[&XMP_UUID[..], xmp].concat());
            let out = removed(&movie(b"", &top));
            assert_eq!(find(&out, b"29,33"), None);
            assert_eq!(find(&out, b"Yuzhong"), None);
            assert_eq!(out.len(), movie(b"", &top).len());
        }
        // What cannot be removed in place is said: a compressed moov, a GPS track.
        for inner in [
            boxed(b"cmov", &boxed(b"dcom", b"zlib")),
            boxed(b"trak", &boxed(b"stsd", &boxed(b"gpmd", &[0; 8]))),
        ] {
            assert!(
                matches!(
                    plan(&mut Cursor::new(movie(&inner, b""))),
                    VideoLocation::Unsure(_)
                ),
                "{inner:?}"
            );
        }
    }
}

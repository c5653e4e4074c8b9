//! What a file is, from its first bytes (its "magic"), never from its name: an `.exe` renamed
//! `证件照.jpg` is a program, a photo renamed `.txt` is a photo. The name only tells apart
//! formats whose bytes are the same (a Kingsoft `.wps` and a Word `.doc` are both OLE files).

#![deny(clippy::indexing_slicing)]

use std::io::{Read, Seek};

use crate::draft::FileKind;

/// How many bytes of a file [`sniff`] needs to look at.
pub const HEAD_BYTES: usize = 64 * 1024;

/// A recognised format: its kind, and its name (also the stored copy's extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub kind: FileKind,
    pub name: &'static str,
}

impl Format {
    const fn photo(name: &'static str) -> Self {
        Self {
            kind: FileKind::Photo,
            name,
        }
    }
    const fn video(name: &'static str) -> Self {
        Self {
            kind: FileKind::Video,
            name,
        }
    }
    const fn document(name: &'static str) -> Self {
        Self {
            kind: FileKind::Document,
            name,
        }
    }

    /// The Chinese name a clerk knows it by: `JPG 图片`, `MP4 视频`, `Word 文档`.
    pub fn label(&self) -> String {
        let upper = self.name.to_ascii_uppercase();
        match self.name {
            "docx" | "doc" => format!("Word 文档（{upper}）"),
            "wps" => "WPS 文档".into(),
            "xlsx" | "xls" => format!("Excel 表格（{upper}）"),
            "pptx" | "ppt" => format!("PowerPoint 演示文稿（{upper}）"),
            "pdf" => "PDF 文档".into(),
            "txt" => "文本文件".into(),
            _ => format!("{upper} {}", self.kind.label()),
        }
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Known(Format),
    Empty,
    /// A program or script (`MZ`, ELF, `#!`): never attached.
    Program,
    /// An audio file (M4A, MP3…): not one of the material kinds.
    Audio,
    /// A zip that is not an Office document (a folder zipped, a bundle).
    Archive,
    Unknown,
}

/// Decide what a file is from `head` (its first [`HEAD_BYTES`] or fewer) and, for zips and
/// OLE files, the whole file (`file`, to look inside). `name` is the file's name.
pub fn sniff<R: Read + Seek>(head: &[u8], name: &str, file: Option<&mut R>) -> Sniffed {
    if head.is_empty() {
        return Sniffed::Empty;
    }
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"MZ") || starts(b"\x7fELF") || starts(b"#!") || starts(b"\xCA\xFE\xBA\xBE") {
        return Sniffed::Program;
    }
    if starts(b"\xFF\xD8\xFF") {
        return Sniffed::Known(Format::photo("jpeg"));
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Known(Format::photo("png"));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Known(Format::photo("gif"));
    }
    if starts(b"RIFF") && head.len() >= 12 {
        return match head.get(8..12).unwrap_or_default() {
            b"WEBP" => Sniffed::Known(Format::photo("webp")),
            b"AVI " => Sniffed::Known(Format::video("avi")),
            b"WAVE" => Sniffed::Audio,
            _ => Sniffed::Unknown,
        };
    }
    if let Some(s) = isobmff(head) {
        return s;
    }
    if starts(b"\x1A\x45\xDF\xA3") {
        let doc = if contains(head.get(..64).unwrap_or(head), b"webm") {
            "webm"
        } else {
            "mkv"
        };
        return Sniffed::Known(Format::video(doc));
    }
    if starts(&ASF_HEADER) {
        return Sniffed::Known(Format::video("wmv"));
    }
    if starts(b"%PDF-") {
        return Sniffed::Known(Format::document("pdf"));
    }
    if starts(b"PK\x03\x04") {
        return match file {
            Some(f) => office_zip(f),
            None => Sniffed::Archive,
        };
    }
    if starts(&OLE_HEADER) {
        return ole(head, name);
    }
    if starts(b"ID3") || starts(b"\xFF\xFB") || starts(b"fLaC") || starts(b"OggS") {
        return Sniffed::Audio;
    }
    if looks_like_text(head) {
        return Sniffed::Known(Format::document("txt"));
    }
    Sniffed::Unknown
}

const ASF_HEADER: [u8; 16] = [
    0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C,
];
const OLE_HEADER: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// MP4, MOV, M4V, 3GP and HEIC all begin with a `ftyp` box naming their brands; old QuickTime
/// files begin with a `moov`, `mdat`, `wide` or `free` box instead.
fn isobmff(head: &[u8]) -> Option<Sniffed> {
    let (size, kind, major) = match head.get(..12)? {
        &[a, b, c, d, k0, k1, k2, k3, m0, m1, m2, m3] => (
            u32::from_be_bytes([a, b, c, d]) as usize,
            [k0, k1, k2, k3],
            [m0, m1, m2, m3],
        ),
        _ => return None,
    };
    let (kind, major) = (&kind[..], &major[..]);
    if kind == b"ftyp" {
        // The compatible brands, as far as the box and the head go (a file of 12 to 15 bytes
        // has none; found by tests/fuzz.rs: `clamp` panicked on it).
        let end = size.min(head.len());
        let compatible: Vec<&[u8]> = head
            .get(16..end)
            .unwrap_or_default()
            .chunks_exact(4)
            .collect();
        let has = |b: &[u8]| major == b || compatible.contains(&b);
        let heif = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"];
        if heif.iter().any(|b| has(*b)) {
            return Some(Sniffed::Known(Format::photo("heic")));
        }
        if major == b"mif1" || major == b"msf1" {
            return Some(Sniffed::Known(Format::photo("heif")));
        }
        return Some(match major {
            b"qt  " => Sniffed::Known(Format::video("mov")),
            b"M4V " | b"M4VH" | b"M4VP" => Sniffed::Known(Format::video("m4v")),
            b"M4A " | b"M4B " | b"F4A " => Sniffed::Audio,
            b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a" => Sniffed::Known(Format::video("3gp")),
            _ => Sniffed::Known(Format::video("mp4")),
        });
    }
    if [b"moov", b"mdat", b"wide", b"free", b"skip"]
        .iter()
        .any(|k| kind == *k)
        && head.get(..4) != Some(&[0, 0, 0, 0][..])
    {
        return Some(Sniffed::Known(Format::video("mov")));
    }
    None
}

/// A zip is a Word, Excel or PowerPoint file when it has `[Content_Types].xml` and the part
/// folder of one of them.
fn office_zip<R: Read + Seek>(file: &mut R) -> Sniffed {
    let Ok(archive) = zip::ZipArchive::new(file) else {
        return Sniffed::Archive;
    };
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return Sniffed::Archive;
    }
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("word/") {
        Sniffed::Known(Format::document("docx"))
    } else if has("xl/") {
        Sniffed::Known(Format::document("xlsx"))
    } else if has("ppt/") {
        Sniffed::Known(Format::document("pptx"))
    } else {
        Sniffed::Archive
    }
}

/// An OLE compound file: Word 97–2003, Kingsoft WPS, Excel or PowerPoint. Their stream names
/// (UTF-16) in the first directory sector tell which; a `.wps` name marks a WPS text file.
fn ole(head: &[u8], name: &str) -> Sniffed {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let lower = name.to_lowercase();
    if contains(head, &utf16("Workbook")) || contains(head, &utf16("Book")) {
        return Sniffed::Known(Format::document("xls"));
    }
    if contains(head, &utf16("PowerPoint Document")) {
        return Sniffed::Known(Format::document("ppt"));
    }
    if lower.ends_with(".wps") {
        return Sniffed::Known(Format::document("wps"));
    }
    // WordDocument, or a directory beyond the first 64 KiB: a Word file is the likely one.
    Sniffed::Known(Format::document("doc"))
}

/// Plain text: UTF-8 (or UTF-16 with its BOM), or GB18030/GBK, without control characters.
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let control = head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C) || b == 0x7F);
    if control {
        return false;
    }
    // A head cut in the middle of a character is still text.
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    };
    // Otherwise GBK: every byte above 0x80 starts a pair whose second byte is 0x40..=0xFE.
    utf8 || gbk_pairs(head)
}

fn gbk_pairs(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            i += 1;
            continue;
        }
        if !(0x81..=0xFE).contains(&b) {
            return false;
        }
        match bytes.get(i + 1) {
            Some(&next) if (0x40..=0xFE).contains(&next) && next != 0x7F => i += 2,
            None => return true,
            Some(_) => return false,
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn of(bytes: &[u8], name: &str) -> Sniffed {
        sniff(bytes, name, Some(&mut Cursor::new(bytes.to_vec())))
    }

    #[test]
    fn a_file_of_twelve_to_fifteen_bytes_beginning_with_ftyp_does_not_panic() {
        // Found by the fuzz harness: the compatible brands' range was clamped with min > max.
        for len in 12..16 {
            let mut head = b"\0\0\0\x18ftypheic".to_vec();
            head.resize(len, b'x');
            assert_eq!(format(&head, "a.heic"), "heic", "{len} bytes");
        }
    }

    fn format(bytes: &[u8], name: &str) -> &'static str {
        match of(bytes, name) {
            Sniffed::Known(f) => f.name,
            other => panic!("{name}: {other:?}"),
        }
    }

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut b = (size as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            b.extend_from_slice(*c);
        }
        b.extend_from_slice(&[0, 0, 0, 8, b'm', b'd', b'a', b't']);
        b
    }

    #[test]
    fn photos_videos_and_documents_by_their_bytes() {
        assert_eq!(format(b"\xFF\xD8\xFF\xE1rest", "a.jpg"), "jpeg");
        assert_eq!(format(b"\x89PNG\r\n\x1a\n\0\0", "a.png"), "png");
        assert_eq!(format(b"GIF89a..", "a.gif"), "gif");
        assert_eq!(format(b"RIFF\0\0\0\0WEBPVP8 ", "a.webp"), "webp");
        assert_eq!(format(b"RIFF\0\0\0\0AVI LIST", "a.avi"), "avi");
        assert_eq!(
            format(&ftyp(b"heic", &[b"mif1", b"heic"]), "a.heic"),
            "heic"
        );
        assert_eq!(format(&ftyp(b"mif1", &[b"heic"]), "a.heic"), "heic");
        assert_eq!(format(&ftyp(b"isom", &[b"isom", b"avc1"]), "a.mp4"), "mp4");
        assert_eq!(format(&ftyp(b"qt  ", &[b"qt  "]), "a.mov"), "mov");
        assert_eq!(format(&ftyp(b"M4V ", &[]), "a.m4v"), "m4v");
        assert_eq!(format(b"\0\0\0\x20moov....", "old.mov"), "mov");
        assert_eq!(
            format(b"\x1A\x45\xDF\xA3\x9fB\x86\x81\x01B\x82\x84webm", "a.webm"),
            "webm"
        );
        assert_eq!(
            format(b"\x1A\x45\xDF\xA3\x9fB\x82\x88matroska", "a.mkv"),
            "mkv"
        );
        assert_eq!(format(&ASF_HEADER, "a.wmv"), "wmv");
        assert_eq!(format(b"%PDF-1.7\n", "a.pdf"), "pdf");
        assert_eq!(format("三八活动总结\r\n".as_bytes(), "a.txt"), "txt");
        // 渝中 in GBK
        assert_eq!(format(&[0xD3, 0xE5, 0xD6, 0xD0, b'\n'], "gbk.txt"), "txt");
    }

    #[test]
    fn the_name_does_not_decide() {
        assert_eq!(format(b"\xFF\xD8\xFF\xE0", "总结.txt"), "jpeg");
        assert_eq!(of(b"MZ\x90\0\x03\0", "证件照.jpg"), Sniffed::Program);
        assert_eq!(of(b"\x7fELF\x02\x01", "合影.png"), Sniffed::Program);
        assert_eq!(of(b"", "空.jpg"), Sniffed::Empty);
        assert_eq!(of(&ftyp(b"M4A ", &[]), "歌.mp4"), Sniffed::Audio);
        assert_eq!(
            of(&[0x00, 0x01, 0x02, 0xFF, 0x10], "随机.mp4"),
            Sniffed::Unknown
        );
    }

    #[test]
    fn office_files_are_told_from_other_zips() {
        use std::io::Write;
        let zip_of = |names: &[&str]| {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for n in names {
                w.start_file(*n, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(b"x").unwrap();
            }
            w.finish().unwrap().into_inner()
        };
        let docx = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(format(&docx, "稿件.docx"), "docx");
        let xlsx = zip_of(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(format(&xlsx, "统计.xlsx"), "xlsx");
        let pptx = zip_of(&["[Content_Types].xml", "ppt/presentation.xml"]);
        assert_eq!(format(&pptx, "汇报.pptx"), "pptx");
        let folder = zip_of(&["照片/1.jpg"]);
        assert_eq!(of(&folder, "材料.zip"), Sniffed::Archive);
        let mut ole = OLE_HEADER.to_vec();
        ole.resize(512, 0);
        assert_eq!(format(&ole, "通讯稿.wps"), "wps");
        assert_eq!(format(&ole, "通讯稿.doc"), "doc");
    }
}

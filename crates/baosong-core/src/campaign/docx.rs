//! The text of a Word document (.docx): its paragraphs in order, one per line.
//!
//! A .docx is a zip whose `word/document.xml` holds the body: `<w:p>` paragraphs of `<w:r>` runs
//! whose `<w:t>` hold the text (`<w:tab/>` and `<w:br/>` too). Numbering that Word adds by itself
//! (a list style's 一、 or （一）) is not in the text; such a notice's headings come out without
//! their numbers and the reader says it found no pillars.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The body's largest size read (a notice is a few pages; a 100 MB "document.xml" is not one).
const MAX_XML: u64 = 16 * 1024 * 1024;

/// `&amp;` `&lt;` … and `&#x4E00;` inside text, which quick-xml hands over apart from the text.
pub(super) fn entity(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.decode().ok()?.as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => r.resolve_char_ref().ok().flatten(),
    }
}

/// The text, and how many paragraphs Word numbers by itself (a list style: their numbers are not
/// in the text).
pub(super) fn document_text(bytes: &[u8]) -> Result<(String, usize), String> {
    let not_docx =
        || "文件不是有效的 Word 文档（.docx），请用 Word 打开后另存为 .docx 或 .txt".to_string();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_docx())?;
    let entry = zip.by_name("word/document.xml").map_err(|_| not_docx())?;
    let mut xml = Vec::new();
    entry
        .take(MAX_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|_| not_docx())?;
    if xml.len() as u64 > MAX_XML {
        return Err("Word 文档的正文超过 16 MB，不像是一份通知".into());
    }
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut out = String::new();
    let mut in_text = false;
    let mut auto_numbered = 0;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:numPr" => auto_numbered += 1,
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:tab" => out.push(' '),
                b"w:br" | b"w:cr" => out.push('\n'),
                b"w:p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let text = t.decode().map_err(|_| not_docx())?;
                let text = quick_xml::escape::unescape(&text).map_err(|_| not_docx())?;
                out.push_str(&text);
            }
            Ok(Event::GeneralRef(r)) if in_text => out.extend(entity(&r)),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Err(not_docx()),
        }
        buf.clear();
    }
    if out.trim().is_empty() {
        return Err("Word 文档里没有文字".into());
    }
    Ok((out, auto_numbered))
}

//! Documents (活动稿件): their page count when it is cheap to know — a PDF's page objects, a
//! Word file's `docProps/app.xml` — and nothing else; they are shown as an icon with their name.

#![deny(clippy::indexing_slicing)]

use std::io::{Read, Seek};

/// The page count of a document of `format`, when it can be read without rendering it.
pub fn page_count<R: Read + Seek>(format: &str, file: &mut R) -> Option<u32> {
    match format {
        "pdf" => {
            let mut bytes = Vec::new();
            file.take(256 * 1024 * 1024).read_to_end(&mut bytes).ok()?;
            pdf_pages(&bytes)
        }
        "docx" | "pptx" => office_pages(file, if format == "docx" { "Pages" } else { "Slides" }),
        _ => None,
    }
}

/// Count the `/Type /Page` objects (not `/Pages`); when they are hidden in compressed object
/// streams, the largest `/Count` of the page tree instead.
fn pdf_pages(bytes: &[u8]) -> Option<u32> {
    let mut pages = 0u32;
    let mut i = 0;
    while let Some(at) = find(bytes.get(i..).unwrap_or_default(), b"/Type") {
        let mut j = i + at + 5;
        while bytes.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        let rest = bytes.get(j..).unwrap_or_default();
        if rest.starts_with(b"/Page") && !rest.starts_with(b"/Pages") {
            pages += 1;
        }
        i = j;
    }
    if pages > 0 {
        return Some(pages);
    }
    let mut best = None;
    let mut i = 0;
    while let Some(at) = find(bytes.get(i..).unwrap_or_default(), b"/Count") {
        let j = i + at + 6;
        let digits: String = bytes
            .get(j..)
            .unwrap_or_default()
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        if let Ok(n) = digits.parse::<u32>() {
            best = Some(best.map_or(n, |b: u32| b.max(n)));
        }
        i = j;
    }
    best
}

fn office_pages<R: Read + Seek>(file: &mut R, tag: &str) -> Option<u32> {
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let mut app = String::new();
    zip.by_name("docProps/app.xml")
        .ok()?
        .take(1024 * 1024)
        .read_to_string(&mut app)
        .ok()?;
    let open = format!("<{tag}>");
    let start = app.find(&open)? + open.len();
    let end = app[start..].find('<')? + start;
    app[start..end].trim().parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn counts_pdf_pages_both_ways() {
        let plain = b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page /Parent 1 0 R>>";
        assert_eq!(page_count("pdf", &mut Cursor::new(plain)), Some(2));
        let compressed = b"%PDF-1.7\n5 0 obj <</Type /ObjStm>> ... <</Type /Pages /Count 12>>";
        assert_eq!(page_count("pdf", &mut Cursor::new(compressed)), Some(12));
        assert_eq!(
            page_count("pdf", &mut Cursor::new(b"%PDF-1.7 broken")),
            None
        );
    }

    #[test]
    fn reads_word_page_count() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("docProps/app.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"<Properties><Pages>3</Pages></Properties>")
            .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert_eq!(page_count("docx", &mut Cursor::new(bytes)), Some(3));
    }
}

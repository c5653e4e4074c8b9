//! The unit list from a file the department already has: the first column of an Excel workbook's
//! first sheet (.xlsx), or one name per line of a text or CSV file. A heading (单位, 单位名称,
//! 报送单位 …) is skipped, names are trimmed, blanks and repeats dropped.

use std::io::{Cursor, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The largest part of a workbook read (a unit list is a few KB).
const MAX_PART: u64 = 16 * 1024 * 1024;

pub fn read_units(path: &Path) -> Result<Vec<String>, String> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 16 * 1024 * 1024) {
        return Err("文件超过 16 MB，不像是一份单位名单".into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("无法读取“{}”：{e}", path.display()))?;
    let names = if bytes.starts_with(b"PK\x03\x04") {
        first_column(&bytes)?
    } else {
        let text = String::from_utf8(bytes).map_err(|_| {
            "文件不是 Excel 表格（.xlsx），也不是 UTF-8 文本；请在 Excel 中另存为 .xlsx".to_string()
        })?;
        text.lines()
            .map(|l| l.split([',', '\t']).next().unwrap_or_default().to_string())
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    for (k, name) in names.into_iter().enumerate() {
        let name = name
            .trim()
            .trim_matches(['\u{feff}', '"'])
            .trim()
            .to_string();
        let heading =
            k == 0 && ["单位", "单位名称", "报送单位", "名称", "序号"].contains(&name.as_str());
        if name.is_empty() || heading || out.contains(&name) {
            continue;
        }
        out.push(name);
    }
    if out.is_empty() {
        return Err("文件第一列没有单位名称".into());
    }
    Ok(out)
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<Vec<u8>>, String> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err("Excel 文件已损坏".into()),
    };
    let mut bytes = Vec::new();
    entry
        .take(MAX_PART + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| "Excel 文件已损坏".to_string())?;
    if bytes.len() as u64 > MAX_PART {
        return Err("Excel 文件太大，不像是一份单位名单".into());
    }
    Ok(Some(bytes))
}

/// The text of every `<t>` inside each `<si>` of the shared strings.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_t = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"si" => current = Some(String::new()),
                b"t" => in_t = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"si" => out.extend(current.take()),
                b"t" => in_t = false,
                _ => {}
            },
            Ok(Event::Text(t)) if in_t => {
                let text = t.decode().map_err(|_| "Excel 文件已损坏".to_string())?;
                if let Some(c) = &mut current {
                    c.push_str(
                        &quick_xml::escape::unescape(&text).map_err(|_| "Excel 文件已损坏")?,
                    );
                }
            }
            Ok(Event::GeneralRef(r)) if in_t => {
                if let Some(c) = &mut current {
                    c.extend(super::docx::entity(&r));
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err("Excel 文件已损坏".into()),
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Column A of the first worksheet, row by row.
fn first_column(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "不是有效的 Excel 文件（.xlsx）".to_string())?;
    let shared = match part(&mut zip, "xl/sharedStrings.xml")? {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let sheet = part(&mut zip, "xl/worksheets/sheet1.xml")?.ok_or("Excel 文件中没有工作表")?;
    let mut reader = Reader::from_reader(sheet.as_slice());
    let mut out = Vec::new();
    // The cell being read: in column A, its type, and its value as text.
    let mut in_a = false;
    let mut kind = String::new();
    let mut value = String::new();
    let mut in_value = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"c" => {
                    let attr = |name: &[u8]| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == name)
                            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    };
                    let r = attr(b"r").unwrap_or_default();
                    in_a = r.starts_with('A') && r[1..].chars().all(|c| c.is_ascii_digit());
                    kind = attr(b"t").unwrap_or_default();
                    value.clear();
                }
                b"v" | b"t" => in_value = in_a,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"v" | b"t" => in_value = false,
                b"c" if in_a => {
                    let text = if kind == "s" {
                        value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i).cloned())
                            .unwrap_or_default()
                    } else {
                        value.clone()
                    };
                    out.push(text);
                    in_a = false;
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_value => {
                let text = t.decode().map_err(|_| "Excel 文件已损坏".to_string())?;
                value
                    .push_str(&quick_xml::escape::unescape(&text).map_err(|_| "Excel 文件已损坏")?);
            }
            Ok(Event::GeneralRef(r)) if in_value => value.extend(super::docx::entity(&r)),
            Ok(Event::Eof) => break,
            Err(_) => return Err("Excel 文件已损坏".into()),
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_column_of_a_workbook_made_by_excel_s_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("单位名单.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows = [
            "单位名称",
            "渝中区妇联",
            " 江北区妇联 ",
            "",
            "渝中区妇联",
            "市级机关妇工委 & 系统妇联",
        ];
        for (r, name) in rows.iter().enumerate() {
            sheet.write_string(r as u32, 0, *name).unwrap();
            sheet.write_string(r as u32, 1, "联系人").unwrap();
        }
        sheet.write_number(6, 0, 42.0).unwrap();
        book.save(&path).unwrap();
        assert_eq!(
            read_units(&path).unwrap(),
            [
                "渝中区妇联",
                "江北区妇联",
                "市级机关妇工委 & 系统妇联",
                "42"
            ]
        );
    }

    #[test]
    fn text_and_csv_and_what_is_not_a_list() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("units.csv");
        std::fs::write(
            &csv,
            "\u{feff}报送单位,联系人\n渝中区妇联,张\n\"江北区妇联\",李\n\n",
        )
        .unwrap();
        assert_eq!(read_units(&csv).unwrap(), ["渝中区妇联", "江北区妇联"]);
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "单位\n\n").unwrap();
        assert!(read_units(&empty).unwrap_err().contains("没有单位名称"));
        let broken = dir.path().join("broken.xlsx");
        std::fs::write(&broken, b"PK\x03\x04garbage").unwrap();
        assert!(read_units(&broken).unwrap_err().contains("Excel"));
        let gbk = dir.path().join("gbk.txt");
        std::fs::write(&gbk, [0xd3, 0xe5, 0xd6, 0xd0]).unwrap();
        assert!(read_units(&gbk).unwrap_err().contains("另存为"));
    }
}

//! 导出 Excel: the table the department forwards to its leaders, as `.xlsx` (rust_xlsxwriter),
//! written atomically. The same columns as the window and the CLI's text table; counts are
//! numbers (so they can be summed), units not reported are shaded.

use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::tally::{Tally, cells, headers};
use crate::store::atomic::write_atomic;

#[derive(Debug, thiserror::Error)]
pub enum XlsxFail {
    #[error("xlsx: {0}")]
    Build(#[from] XlsxError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl XlsxFail {
    pub fn user_message(&self) -> String {
        match self {
            Self::Build(_) => {
                "生成 Excel 表格时出错，请重试；如再出现，请导出诊断信息交给信息技术人员。".into()
            }
            Self::Write { path, source } => format!(
                "无法保存“{}”：{}。请换一个位置，或关闭正在打开这个文件的 Excel 后重试。",
                path.display(),
                crate::error::io_reason(source)
            ),
        }
    }
}

/// The sheet's name.
pub const SHEET: &str = "报送情况汇总";

/// The workbook's bytes.
pub fn workbook(t: &Tally) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE7F3))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let missing = Format::new()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xFBE3E3));
    let late = Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_color(Color::RGB(0xB00020))
        .set_bold();

    sheet.write_string_with_format(0, 0, format!("{} 报送情况汇总", t.campaign_title), &title)?;
    let mut summary = t.summary();
    if let Some(d) = t.deadline {
        summary.push_str(&format!("（截止 {}）", d.format("%Y-%m-%d %H:%M")));
    }
    sheet.write_string(1, 0, summary)?;

    let headers = headers(t);
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, h, &head)?;
    }
    // Columns holding counts: 序号, then the pillars' and the totals'.
    let first_count = 5;
    let last_count = first_count + t.pillars.len() + 5;
    let timeliness = 4;
    for (n, (row, typed)) in t.lines().enumerate() {
        let r = 3 + n as u32;
        let values = cells(n + 1, row, typed, t.pillars.len());
        let format = if row.latest.is_none() {
            &missing
        } else {
            &cell
        };
        for (c, v) in values.iter().enumerate() {
            let col = c as u16;
            let number = (c == 0 || (first_count..last_count).contains(&c))
                .then(|| v.parse::<f64>().ok())
                .flatten();
            match number {
                Some(x) => sheet.write_number_with_format(r, col, x, format)?,
                None if c == timeliness && v == "逾期" => {
                    sheet.write_string_with_format(r, col, v, &late)?
                }
                None => sheet.write_string_with_format(r, col, v, format)?,
            };
        }
    }
    let below = 3 + (t.rows.len() + t.others.len()) as u32 + 1;
    for (r, (path, why)) in (below..).zip(t.unreadable.iter().chain(&t.doubtful).chain(&t.foreign))
    {
        sheet.write_string(r, 0, format!("{}：{why}", path.display()))?;
    }
    for (c, h) in headers.iter().enumerate() {
        let width = match h.as_str() {
            "单位" => 22.0,
            "收到时间" => 17.0,
            "联系电话" => 15.0,
            "备注" => 24.0,
            "序号" => 6.0,
            _ => 10.0,
        };
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_freeze_panes(3, 2)?;
    book.save_to_buffer()
}

/// Write the table to `path` (atomically: a half-written file never replaces an old one).
pub fn write(t: &Tally, path: &Path) -> Result<(), XlsxFail> {
    let bytes = workbook(t)?;
    write_atomic(path, &bytes).map_err(|source| XlsxFail::Write {
        path: path.to_path_buf(),
        source,
    })
}

//! Asking the clerk for a file: the system's file dialog (rfd), behind a trait so tests put in
//! their own. A dialog can be cancelled — or fail to appear at all (a Linux machine without a
//! desktop portal); the two are told apart so the app can say what happened either way.

use std::path::PathBuf;

use crate::core::campaign::AttachmentRules;

/// What came of asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked<T> {
    Chosen(T),
    /// The clerk closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown; the reason, for the log.
    Unavailable(String),
}

pub trait FilePicker {
    fn pick_template(&mut self) -> Picked<PathBuf>;
    /// Where to save the diagnostics zip (`default_name` suggested).
    fn save_diagnostics(&mut self, default_name: &str) -> Picked<PathBuf>;
    /// 添加图片/视频/文件…: any number of files.
    fn pick_attachments(&mut self, rules: &AttachmentRules) -> Picked<Vec<PathBuf>>;
    /// 导出材料包: where to save the bundle (`default_name` suggested).
    fn save_bundle(&mut self, default_name: &str) -> Picked<PathBuf>;
    /// 收件台: the folder where bundles landed.
    fn pick_folder(&mut self) -> Picked<PathBuf>;
    /// 收件台: where to save the Excel table or a summary document (`extension`: xlsx, html).
    fn save_document(&mut self, default_name: &str, extension: &str) -> Picked<PathBuf>;

    /// 从通知生成…: a notice, .txt or .docx.
    fn pick_notice(&mut self) -> Picked<PathBuf>;

    /// 从 Excel 导入…: a unit list, .xlsx (or .csv, .txt).
    fn pick_units(&mut self) -> Picked<PathBuf>;
}

/// The system's file dialog.
pub struct NativePicker;

impl NativePicker {
    fn ask<T>(&self, show: impl FnOnce() -> Option<T>) -> Picked<T> {
        if let Err(why) = crate::platform::file_dialogs_available() {
            return Picked::Unavailable(why);
        }
        match show() {
            Some(t) => Picked::Chosen(t),
            None => Picked::Cancelled,
        }
    }
}

impl FilePicker for NativePicker {
    fn pick_units(&mut self) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("选择单位名单")
                .add_filter("Excel 表格或文本", &["xlsx", "csv", "txt"])
                .pick_file()
        })
    }

    fn pick_notice(&mut self) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("选择通知文件")
                .add_filter("通知（Word 文档或文本）", &["docx", "txt"])
                .pick_file()
        })
    }

    fn pick_template(&mut self) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("打开活动模板")
                .add_filter("活动模板（JSON）", &["json"])
                .pick_file()
        })
    }

    fn save_diagnostics(&mut self, default_name: &str) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("导出诊断信息")
                .set_file_name(default_name)
                .add_filter("压缩文件（zip）", &["zip"])
                .save_file()
        })
    }

    fn save_bundle(&mut self, default_name: &str) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("导出材料包")
                .set_file_name(default_name)
                .add_filter("材料包（zip）", &["zip"])
                .save_file()
        })
    }

    fn pick_folder(&mut self) -> Picked<PathBuf> {
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title("选择存放材料包的文件夹")
                .pick_folder()
        })
    }

    fn save_document(&mut self, default_name: &str, extension: &str) -> Picked<PathBuf> {
        let (title, filter) = match extension {
            "xlsx" => ("导出 Excel", "Excel 表格（xlsx）"),
            "json" => ("保存活动模板", "活动模板（JSON）"),
            _ => ("导出汇总文档", "网页文档（html，可用浏览器打印）"),
        };
        self.ask(|| {
            rfd::FileDialog::new()
                .set_title(title)
                .set_file_name(default_name)
                .add_filter(filter, &[extension])
                .save_file()
        })
    }

    fn pick_attachments(&mut self, rules: &AttachmentRules) -> Picked<Vec<PathBuf>> {
        self.ask(|| {
            let mut dialog = rfd::FileDialog::new().set_title("添加图片、视频或文件");
            let mut all: Vec<&str> = Vec::new();
            for rule in [&rules.photo, &rules.video, &rules.document]
                .into_iter()
                .flatten()
            {
                all.extend(rule.extensions.iter().map(String::as_str));
            }
            if !all.is_empty() {
                dialog = dialog.add_filter("图片、视频、文档", &all);
            }
            for rule in [&rules.photo, &rules.video, &rules.document]
                .into_iter()
                .flatten()
            {
                dialog = dialog.add_filter(&rule.label, &rule.extensions);
            }
            dialog.add_filter("所有文件", &["*"]).pick_files()
        })
    }
}

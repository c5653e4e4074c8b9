//! `baosong campaign parse <通知.docx|txt> -o <模板.json>`: the department's notice read into a
//! campaign template ([`crate::core::campaign::notice`]). It prints what it read — pillars and
//! items, the deadline, the receiver and contact — and what it could not. Exit 0 when the
//! template is complete; 1 when something must still be filled in (the file is written all the
//! same, marked `unread`, for the editor); 2 when the notice cannot be read or the file written.

use std::io::Write;
use std::path::Path;

use crate::core::campaign::notice::{notice_text, read_notice};
use crate::core::dates::chinese_date_time;
use crate::core::error::CoreError;
use crate::core::store::atomic::write_atomic;

pub(super) fn parse(notice: &Path, output: &Path, out: &mut dyn Write) -> Result<u8, CoreError> {
    let text = notice_text(notice)?;
    let reading = read_notice(&text)?;
    let c = &reading.campaign;
    let json = serde_json::to_string_pretty(c).map_err(|e| CoreError::Encode {
        path: output.to_path_buf(),
        detail: e.to_string(),
    })?;
    write_atomic(output, format!("{json}\n").as_bytes())
        .map_err(|e| CoreError::io("cannot write", output, e))?;

    let _ = writeln!(out, "活动：{}", c.title);
    if !c.document_number.is_empty() {
        let _ = writeln!(out, "文号：{}", c.document_number);
    }
    if !c.theme.is_empty() {
        let _ = writeln!(out, "主题：{}", c.theme);
    }
    for pillar in &c.pillars {
        let _ = writeln!(out, "{}", pillar.heading());
        for item in &pillar.items {
            let _ = writeln!(out, "  {}{}", item.number, item.title);
        }
    }
    if !c.unread.iter().any(|u| u == "截止时间") {
        let _ = writeln!(out, "截止：{}", chinese_date_time(c.deadline));
    }
    let r = &c.receiver;
    let _ = writeln!(
        out,
        "接收：{}  联系人：{}  电话：{}  邮箱：{}",
        r.name, r.contact_person, r.phone, r.email
    );
    for note in &reading.notes {
        let mark = if note.blocking {
            "未识别"
        } else {
            "请确认"
        };
        let _ = writeln!(out, "{mark}（{}）：{}", note.field, note.message);
    }
    let _ = writeln!(out, "已保存：{}", output.display());
    if c.unread.is_empty() {
        Ok(0)
    } else {
        let _ = writeln!(
            out,
            "模板还不能使用：请在收件台的活动编辑器中补全{}",
            c.unread.join("、")
        );
        Ok(1)
    }
}

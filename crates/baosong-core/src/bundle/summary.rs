//! 汇总.html: the summary the publicity department reads and prints without the app — the unit
//! and its contact, the totals, then per pillar and item each activity with its fields, the
//! thumbnails of its photos and videos, its files (with their place in the bundle) and links.
//! One self-contained page: thumbnails are embedded, nothing is fetched.

use std::collections::HashMap;
use std::fmt::Write;

use super::{AttachmentEntry, Manifest};
use crate::dates::{chinese_date, parse_date};
use crate::units::human_bytes;

/// What stands where a file's preview could not be made.
pub use crate::media::NO_PREVIEW;

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;margin:2em auto;max-width:60em;color:#222;line-height:1.6}\
h1{font-size:1.6em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em;margin-top:1.6em}\
h3{margin-bottom:.3em}table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #bbb;padding:.25em .6em;vertical-align:top;text-align:left}\
th{background:#f4f4f4;white-space:nowrap}.activity{margin:0 0 1.2em 0;page-break-inside:avoid}\
.thumbs img{height:120px;margin:0 .4em .4em 0;border:1px solid #ccc}.muted{color:#666}\
ul{margin:.2em 0}@media print{h2{page-break-before:auto}}";

/// The page, from the manifest and the thumbnails (PNG) by attachment id.
pub fn html(m: &Manifest, thumbnails: &HashMap<String, Vec<u8>>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{} · {}</title><style>{STYLE}</style></head><body>",
        esc(&m.unit.name),
        esc(&m.campaign.title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&m.campaign.title));
    let t = &m.totals;
    let _ = writeln!(
        out,
        "<table><tr><th>报送单位</th><td>{}</td></tr><tr><th>联系人</th><td>{}</td></tr><tr><th>联系电话</th><td>{}</td></tr>\
<tr><th>材料</th><td>活动 {} 个，图片 {} 张，视频 {} 个，文档 {} 个，新媒体链接 {} 条，文件共 {}；参与约 {} 人次</td></tr>\
<tr><th>草稿最后修改</th><td>{}</td></tr></table>",
        esc(&m.unit.name),
        esc(&m.unit.contact_person),
        esc(&m.unit.phone),
        t.activities,
        t.photos,
        t.videos,
        t.documents,
        t.links,
        human_bytes(t.file_bytes),
        t.participants,
        m.draft.updated_at.format("%Y-%m-%d %H:%M")
    );
    for pillar in &m.pillars {
        let _ = writeln!(out, "<h2>{}</h2>", esc(&pillar.heading));
        for item in &pillar.items {
            let _ = writeln!(out, "<h3>{} {}</h3>", esc(&item.number), esc(&item.title));
            if item.not_carried_out {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">本项未开展。原因：{}</p>",
                    esc(&item.reason)
                );
                continue;
            }
            for (n, a) in item.activities.iter().enumerate() {
                let date = parse_date(&a.date, m.campaign.year)
                    .map_or_else(|| a.date.clone(), chinese_date);
                let _ = writeln!(
                    out,
                    "<div class=\"activity\"><table><tr><th>活动{}</th><td>{}</td></tr><tr><th>日期</th><td>{}</td></tr>\
<tr><th>地点</th><td>{}</td></tr><tr><th>主办/承办</th><td>{}</td></tr><tr><th>参与人数</th><td>{}</td></tr>\
<tr><th>简要情况</th><td>{}</td></tr></table>",
                    n + 1,
                    esc(&a.title),
                    esc(&date),
                    esc(&a.place),
                    esc(&a.organiser),
                    esc(&a.participants),
                    esc(&a.summary).replace('\n', "<br>")
                );
                materials(&mut out, &a.attachments, thumbnails);
                out.push_str("</div>\n");
            }
        }
    }
    if !m.general.is_empty() {
        out.push_str("<h2>综合材料</h2>\n");
        materials(&mut out, &m.general, thumbnails);
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">本汇总由报送程序 baosong {} 根据材料包中的 manifest.json 生成；文件位于材料包中所列的文件夹。</p>\n</body></html>",
        esc(&m.app.version)
    );
    out
}

fn materials(out: &mut String, list: &[AttachmentEntry], thumbnails: &HashMap<String, Vec<u8>>) {
    if list.is_empty() {
        return;
    }
    let pictures: Vec<(&AttachmentEntry, &Vec<u8>)> = list
        .iter()
        .filter_map(|a| thumbnails.get(&a.id).map(|t| (a, t)))
        .collect();
    if !pictures.is_empty() {
        out.push_str("<div class=\"thumbs\">");
        for (a, png) in pictures {
            let alt = a.caption.clone();
            let _ = write!(
                out,
                "<img alt=\"{}\" title=\"{}\" src=\"data:image/png;base64,{}\">",
                esc(&alt),
                esc(a.original_name.as_deref().unwrap_or_default()),
                base64(png)
            );
        }
        out.push_str("</div>\n");
    }
    out.push_str("<ul>");
    for a in list {
        match a.kind.as_str() {
            "link" => {
                let url = a.url.as_deref().unwrap_or_default();
                let title = a.title.as_deref().filter(|t| !t.is_empty()).unwrap_or(url);
                let _ = write!(
                    out,
                    "<li>{}：<a href=\"{}\">{}</a>",
                    esc(a.platform.as_deref().unwrap_or("链接")),
                    esc(url),
                    esc(title)
                );
            }
            kind => {
                let label = match kind {
                    "photo" => "图片",
                    "video" => "视频",
                    _ => "文档",
                };
                let _ = write!(
                    out,
                    "<li>{label}：{}（{}）<span class=\"muted\"> · {}</span>",
                    esc(a.original_name.as_deref().unwrap_or_default()),
                    human_bytes(a.bytes.unwrap_or(0)),
                    esc(a.path.as_deref().unwrap_or_default())
                );
                // A picture that could not be previewed is still sent: said, not hidden.
                if matches!(kind, "photo" | "video") && !thumbnails.contains_key(&a.id) {
                    let _ = write!(out, "<span class=\"muted\"> · {NO_PREVIEW}</span>");
                }
            }
        }
        if !a.caption.is_empty() {
            let _ = write!(out, " — {}", esc(&a.caption));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, c) in chars.iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(TABLE[*c as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_the_standard_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("渝中".as_bytes()), "5rid5Lit");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("<script>&\""), "&lt;script&gt;&amp;&quot;");
    }
}

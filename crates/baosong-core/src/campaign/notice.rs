//! From a notice (通知) to a campaign template: a reader of the 公文 style the federation writes.
//!
//! It reads the title (关于开展…的通知) and 文号, the theme (主题为“…”), the pillars (一、…), the items
//! in each — inline in a paragraph (`一是…。二是…。三要…`) or on lines of their own (`（一）…`,
//! `1. …`) — with the sentences after each as its hint, the materials asked, the deadline (…月…日前,
//! the year from the issue date at the end), the receiver, the contact person, phone and e-mail.
//!
//! What it cannot read is not guessed: it is named in [`NoticeReading::notes`], and the blocking
//! ones in [`Campaign::unread`], which keeps the template from being used or published until the
//! department has filled it in (the editor at the desk, or by hand).
//!
//! The text comes from a .txt (UTF-8) or a .docx ([`notice_text`]); a PDF copied to text breaks
//! paragraphs at page ends and puts spaces between Chinese and digits, which [`paragraphs`] mends.

use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use regex::Regex;

use super::{Campaign, Item, Pillar, Window};
use crate::error::CoreError;
use crate::ids::ItemId;

/// A notice read into a template, with what could not be read.
#[derive(Debug, Clone)]
pub struct NoticeReading {
    /// The template. Fields that could not be read hold a placeholder and are named in
    /// `campaign.unread`.
    pub campaign: Campaign,
    pub notes: Vec<NoticeNote>,
}

/// One thing the department should look at in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeNote {
    /// What it concerns, as the editor names it: 截止时间, 板块, 联系人 …
    pub field: String,
    pub message: String,
    /// True when the template cannot be used until it is filled in.
    pub blocking: bool,
}

impl NoticeReading {
    /// The notes that keep the template from being used.
    pub fn blocking(&self) -> impl Iterator<Item = &NoticeNote> {
        self.notes.iter().filter(|n| n.blocking)
    }
}

/// A notice's text from a file: `.txt` (UTF-8, with or without BOM) or `.docx`.
pub fn notice_text(path: &Path) -> Result<String, CoreError> {
    notice_source(path).map(|(text, _)| text)
}

/// A notice file read into a template: [`notice_text`], then [`read_notice`]; when no pillars
/// were found in a Word document that numbers its paragraphs by itself, the note says so and
/// what to do.
pub fn read_notice_file(path: &Path) -> Result<NoticeReading, CoreError> {
    let (text, auto_numbered) = notice_source(path)?;
    let mut reading = read_notice(&text)?;
    if auto_numbered > 0
        && let Some(note) = reading
            .notes
            .iter_mut()
            .find(|n| n.field == "板块" && n.blocking)
    {
        note.message = format!(
            "没有找到“一、……”这样的板块标题：这份 Word 文档有{auto_numbered}段用的是自动编号，编号不在文字里。请在 Word 中全选、复制，新建文档后“选择性粘贴—只保留文本”（编号会变成文字），保存后再打开；或在编辑器中添加板块"
        );
    }
    Ok(reading)
}

fn notice_source(path: &Path) -> Result<(String, usize), CoreError> {
    let origin = path.display().to_string();
    // A Word document with pictures may be large; anything past 64 MB is not a notice.
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 64 * 1024 * 1024) {
        return Err(CoreError::NoticeUnreadable {
            origin: path.display().to_string(),
            problem: "文件超过 64 MB，不像是一份通知".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| CoreError::TemplateRead {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |problem: &str| CoreError::NoticeUnreadable {
        origin: origin.clone(),
        problem: problem.to_string(),
    };
    // A notice is a few pages; what is far larger is not read (a 1 GB file once took 8 GB).
    if bytes.len() > MAX_NOTICE && !bytes.starts_with(b"PK\x03\x04") {
        return Err(invalid("文件超过 2 MB，不像是一份通知"));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || ext == "docx" {
        return super::docx::document_text(&bytes).map_err(|p| invalid(&p));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || ext == "doc" {
        return Err(invalid(
            "这是旧版 Word（.doc）文件，请在 Word 中“另存为” .docx 后再打开",
        ));
    }
    if ext == "pdf" || bytes.starts_with(b"%PDF") {
        return Err(invalid(
            "不能直接读取 PDF，请把通知全文复制到记事本，保存为 .txt（UTF-8）后再打开",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        invalid("文件不是 UTF-8 编码的文本；请在记事本中“另存为”，编码选 UTF-8，或打开 .docx 文件")
    })?;
    let text = text.trim_start_matches('\u{feff}').to_string();
    if text.trim().is_empty() {
        return Err(invalid("文件是空的"));
    }
    Ok((text, 0))
}

/// Read a notice's text into a template. The built-in template supplies what a notice does not
/// say (the unit list, the activity fields, the attachment limits).
pub fn read_notice(text: &str) -> Result<NoticeReading, CoreError> {
    Ok(Reader::default().read(text, Campaign::builtin()?))
}

// ---- the text into paragraphs ----------------------------------------------------------------

const NUMERALS: &str = "一二三四五六七八九十";

/// The largest notice text read (a notice is a few pages: 20 KB).
const MAX_NOTICE: usize = 2 * 1024 * 1024;

/// A CJK character or a full-width mark: the side of a space that a PDF's spacing leaves.
fn is_wide(c: char) -> bool {
    (c as u32) >= 0x2E80 || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// Spaces between Chinese and Latin letters or digits removed (`LED 屏`, `114 周年`), runs of
/// spaces made one; spaces between two Chinese words kept (a theme's two halves).
fn tidy(line: &str) -> String {
    let chars: Vec<char> = line
        .chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' => ' ',
            // Full-width digits (２０２４年３月１２日) read as digits.
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            match (before, after) {
                (Some(b), Some(a)) if is_wide(b) != is_wide(a) => {}
                (Some(_), Some(_)) => out.push(' '),
                _ => {}
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Ends a sentence or a clause that a line may end on: 。！？；： (a closing quote after them too).
fn ends_terminal(s: &str) -> bool {
    let t = s.trim_end_matches(['”', '’', '）', ')', '」', '』']);
    t.ends_with(['。', '！', '？', '；', '：', ':', '!', '?', ';'])
}

static PILLAR_HEAD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([一二三四五六七八九十]+)、\s*(.*)$").ok());
static DOC_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\S{1,12}[〔\[［（(]\s*(\d{4})\s*[〕\]］）)]\s*(\d{1,4})\s*号$").ok()
});
static DATE_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^([0-9〇零一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月\s*([0-9一二三四五六七八九十]{1,3})\s*日$").ok()
});
static CONTACT_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(联系人|联系电话|电话|联系方式|邮箱|电子邮箱|电子信箱|E-?mail|email|传真|地址|附件)",
    )
    .ok()
});
static LINE_ITEM: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(（[一二三四五六七八九十]+）|（\d+）|\d+[\.．、])").ok());

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(s))
}

fn is_title(s: &str) -> bool {
    s.contains("关于") && s.trim_end_matches(['。', ' ']).ends_with("通知")
}

/// A line that starts something: nothing before it runs on into it.
fn starts_something(s: &str) -> bool {
    matches(&PILLAR_HEAD, s)
        || matches(&LINE_ITEM, s)
        || matches(&DOC_NUMBER, s)
        || matches(&DATE_LINE, s)
        || matches(&CONTACT_LINE, s)
        || is_title(s)
}

/// A line that runs on into the next: long, not ended, not a heading of its own (a heading with
/// a sentence in it does run on), not one of the header's or the signature's lines.
fn runs_on(s: &str) -> bool {
    if s.chars().count() < 20 || ends_terminal(s) {
        return false;
    }
    if matches(&PILLAR_HEAD, s) || matches(&LINE_ITEM, s) {
        return s.contains('。');
    }
    !(matches(&DOC_NUMBER, s) || matches(&DATE_LINE, s) || matches(&CONTACT_LINE, s) || is_title(s))
}

/// `b` after `a`, as one line: a space only between two Latin letters or digits.
fn push_joined(a: &mut String, b: &str) {
    let ascii_both = a.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii_both {
        a.push(' ');
    }
    a.push_str(b);
}

/// The notice's paragraphs: lines broken inside a sentence (at a PDF's page end, or every line
/// of a text copied from a viewer) joined again; a title on two lines made one.
pub fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(tidy)
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut p = lines[i].clone();
        let title_start = out.len() < 8 && p.contains("关于") && !ends_terminal(&p);
        if title_start && !is_title(&p) {
            // 关于开展…  /  …的通知
            let mut j = i + 1;
            let mut joined = p.clone();
            while j < lines.len() && j <= i + 3 {
                push_joined(&mut joined, &lines[j]);
                if is_title(&joined) {
                    p = joined.clone();
                    i = j;
                    break;
                }
                j += 1;
            }
        } else {
            // Whether a line runs on is a matter of that line (not of the paragraph so far: a
            // 5 MB paragraph would be looked at again at every line).
            let mut last = i;
            while runs_on(&lines[last])
                && last + 1 < lines.len()
                && !starts_something(&lines[last + 1])
            {
                last += 1;
                let ascii_both = p.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
                    && lines[last]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric());
                if ascii_both {
                    p.push(' ');
                }
                p.push_str(&lines[last]);
            }
            i = last;
        }
        out.push(tidy(&p));
        i += 1;
    }
    out
}

// ---- numbers and dates ------------------------------------------------------------------------

/// 一 … 九十九.
fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| NUMERALS.chars().position(|d| d == c).map(|p| p as u32 + 1);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', u] => Some(10 * digit(*t)? + digit(*u)?),
        _ => None,
    }
}

/// `2024`, `二〇二四`; `3`, `三`, `十二`, `二十`.
fn date_part(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    if s.chars().count() == 4 {
        let mut n = 0;
        for c in s.chars() {
            let d = if c == '〇' || c == '零' {
                0
            } else {
                cn_number(&c.to_string())?
            };
            n = n * 10 + d;
        }
        return Some(n);
    }
    cn_number(s)
}

fn date_of(p: &str) -> Option<NaiveDate> {
    let c = DATE_LINE.as_ref()?.captures(p)?;
    let y = date_part(&c[1])?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, date_part(&c[2])?, date_part(&c[3])?)
}

// ---- the reader --------------------------------------------------------------------------------

#[derive(Default)]
struct Reader {
    notes: Vec<NoticeNote>,
    unread: Vec<String>,
}

/// How the items of a pillar are numbered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ItemStyle {
    /// 一是…。二是…。三要…
    Inline,
    /// （一）…
    Paren,
    /// 1. … / 1、…
    Digit,
    /// （1）…
    ParenDigit,
}

struct Marker {
    start: usize,
    end: usize,
    label: String,
}

impl Reader {
    fn missing(&mut self, field: &str, message: String) {
        self.unread.push(field.to_string());
        self.notes.push(NoticeNote {
            field: field.to_string(),
            message,
            blocking: true,
        });
    }

    fn note(&mut self, field: &str, message: String) {
        self.notes.push(NoticeNote {
            field: field.to_string(),
            message,
            blocking: false,
        });
    }

    /// `base` gives what a notice does not say: units, activity fields, limits.
    fn read(mut self, text: &str, base: Campaign) -> NoticeReading {
        let paras = paragraphs(text);

        let notice_date = paras.iter().rev().find_map(|p| date_of(p));
        let doc_number = paras
            .iter()
            .find(|p| matches(&DOC_NUMBER, p))
            .cloned()
            .unwrap_or_default();
        let title_para = paras.iter().find(|p| is_title(p));
        let notice_title: String = title_para.map(|t| title_text(t)).unwrap_or_default();
        let issuer = self.issuer(&paras, notice_date.is_some());

        let year = notice_date.map(|d| d.year()).or_else(|| {
            Regex::new(r"(\d{4})年")
                .ok()?
                .captures(&notice_title)?
                .get(1)?
                .as_str()
                .parse()
                .ok()
        });
        if notice_title.is_empty() {
            self.missing(
                "通知标题",
                "没有找到通知标题（“关于……的通知”），请在编辑器中填写活动名称".into(),
            );
        }
        if doc_number.is_empty() {
            self.note("文号", "没有找到文号（如 渝妇发〔2024〕5号）".into());
        }
        if notice_date.is_none() {
            self.missing(
                "发文日期",
                "没有找到文末的发文日期（如 2024年2月20日），截止日期的年份和活动开始日期无从确定"
                    .into(),
            );
        }

        // 主题为“…”, 以“…”为主题, or the title's own “…”主题活动 (the first two preferred).
        let theme = Regex::new(
            r"主题为[“\x22]([^”\x22]+)[”\x22]|以[“\x22]([^”\x22]+)[”\x22]为主题|[“\x22]([^”\x22]{4,})[”\x22]主题",
        )
        .ok()
        .and_then(|re| {
            let explicit = paras.iter().find_map(|p| {
                re.captures_iter(p)
                    .find_map(|c| c.get(1).or_else(|| c.get(2)))
                    .map(|m| m.as_str().to_string())
            });
            explicit.or_else(|| {
                paras
                    .iter()
                    .find_map(|p| re.captures(p)?.get(3).map(|m| m.as_str().to_string()))
            })
        })
        .unwrap_or_default();
        if theme.is_empty() {
            self.note("主题", "没有找到活动主题（主题为“……”）".into());
        }

        let deadline = self.deadline(&paras, notice_date);
        let (name, person, phone, email) = self.contacts(&paras, deadline.as_ref());
        let pillars = self.pillars(&paras);

        let title = campaign_title(&notice_title, &issuer);
        let id = campaign_id(&notice_title, &issuer, year.unwrap_or(0));
        let placeholder_day =
            NaiveDate::from_ymd_opt(year.unwrap_or(2000), 1, 1).unwrap_or_default();
        let deadline_at = deadline
            .as_ref()
            .map(|d| d.at)
            .or_else(|| end_of_day(notice_date.unwrap_or(placeholder_day), None));
        let deadline_day = deadline_at
            .map(|d| d.date_naive())
            .unwrap_or(placeholder_day);
        let start = notice_date.unwrap_or(deadline_day).min(deadline_day);

        let mut campaign = base;
        campaign.id = id;
        campaign.year = year.unwrap_or(campaign.year);
        campaign.title = title;
        campaign.theme = theme;
        campaign.issuer = issuer;
        campaign.document_number = doc_number;
        campaign.notice_title = notice_title;
        campaign.notice_date = notice_date;
        campaign.window = Window {
            start,
            end: deadline_day,
        };
        if let Some(at) = deadline_at {
            campaign.deadline = at;
        }
        campaign.deadline_text = deadline
            .as_ref()
            .map(|d| d.text.clone())
            .unwrap_or_default();
        campaign.material_kinds_text = deadline
            .as_ref()
            .map(|d| d.materials.clone())
            .unwrap_or_default();
        campaign.receiver.name = name;
        campaign.receiver.contact_person = person;
        campaign.receiver.phone = phone;
        campaign.receiver.email = email;
        campaign.intake = None;
        if pillars.is_empty() {
            campaign.pillars = vec![Pillar {
                id: "p1".into(),
                number: "一".into(),
                title: "（未识别）".into(),
                intro: String::new(),
                items: vec![Item {
                    id: ItemId::from("p1-1"),
                    number: String::new(),
                    title: "（未识别）".into(),
                    hint: String::new(),
                    min_photos: None,
                    expects: Vec::new(),
                }],
            }];
        } else {
            campaign.pillars = pillars;
        }
        campaign.unread = self.unread;
        NoticeReading {
            campaign,
            notes: self.notes,
        }
    }

    /// The issuing body: the first line when it is a body's name (the first of two when the
    /// notice is issued jointly), else the signature above the date at the end (the topmost of
    /// the bodies signed there).
    fn issuer(&mut self, paras: &[String], has_date: bool) -> String {
        let is_body = |p: &str| {
            p.chars().count() <= 24
                && !p.contains(['，', '。', '：', '、', ' '])
                && (p.ends_with('会')
                    || p.ends_with("妇联")
                    || p.ends_with('部')
                    || p.ends_with("委员会")
                    || p.ends_with("办公室"))
        };
        let mut bodies: Vec<String> = Vec::new();
        if let Some(first) = paras.first() {
            let pieces: Vec<&str> = first.split(' ').filter(|s| !s.is_empty()).collect();
            if !pieces.is_empty() && pieces.iter().all(|p| is_body(p)) {
                bodies = pieces.iter().map(|p| p.to_string()).collect();
            }
        }
        if bodies.is_empty()
            && has_date
            && let Some(i) = paras.iter().rposition(|p| date_of(p).is_some())
        {
            let mut j = i;
            while j > 0 && paras.get(j - 1).is_some_and(|p| is_body(p)) {
                j -= 1;
            }
            bodies = paras[j..i].to_vec();
        }
        match bodies.as_slice() {
            [] => {
                self.note("发文单位", "没有找到发文单位".into());
                String::new()
            }
            [one] => one.clone(),
            [first, ..] => {
                self.note(
                    "发文单位",
                    format!(
                        "联合发文（{}），发文单位取第一个“{first}”",
                        bodies.join("、")
                    ),
                );
                first.clone()
            }
        }
    }

    fn deadline(&mut self, paras: &[String], notice_date: Option<NaiveDate>) -> Option<Deadline> {
        // 于/在 [2025年]6月6日 | 4月底 [（星期五）] [下午][5点 | 17:30 | 12时 | 下班 | 中午] 前
        let re = Regex::new(
            r"(?:于|在)?\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号]|(底))\s*(?:[（(]\s*(?:星期|周)([一二三四五六日天])\s*[）)])?\s*(上午|下午|中午|晚上|晚)?\s*(?:(\d{1,2})\s*[:：∶]\s*(\d{2})|(\d{1,2})\s*[时点](?:\s*(\d{1,2})\s*分)?|(下班|中午|当天|当日))?\s*(?:前|之前|以前)",
        )
        .ok()?;
        let materials_re =
            Regex::new(r"[（(]([^（）()]*(?:图片|照片|视频|稿件|新媒体|文字材料)[^（）()]*)[）)]")
                .ok()?;
        let email_re = Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").ok()?;
        let list_number_re = Regex::new(r"^\s*(?:\d{1,2}[.．、]|（\d{1,2}）)\s*").ok()?;
        let mut found: Option<Deadline> = None;
        let mut others: Vec<String> = Vec::new();
        for p in paras {
            for sentence in p.split_inclusive(['。', '；']) {
                for c in re.captures_iter(sentence) {
                    let Some(whole) = c.get(0) else { continue };
                    let after = &sentence[whole.end()..];
                    let clause_end = after.find(['，', '。', '；']).unwrap_or(after.len());
                    let rest = &after[..clause_end];
                    if !["报", "送", "交", "发"].iter().any(|k| rest.contains(k)) {
                        continue;
                    }
                    let said = whole
                        .as_str()
                        .trim_start_matches(['于', '在'])
                        .trim()
                        .to_string();
                    if found.is_some() {
                        others.push(said);
                        continue;
                    }
                    let clause_start = sentence[..whole.start()]
                        .rfind(['，', '。', '；', '）', ')'])
                        .map(|i| i + sentence[i..].chars().next().map_or(1, char::len_utf8))
                        .unwrap_or(0);
                    let text = format!("{}{}", &sentence[clause_start..whole.end()], rest);
                    // A list's number before the clause (2.请于…) is not the notice's words.
                    let text = list_number_re.replace(text.trim(), "").into_owned();
                    let Ok(month) = c[2].parse::<u32>() else {
                        continue;
                    };
                    let explicit: Option<i32> = c.get(1).and_then(|y| y.as_str().parse().ok());
                    let day_of = |year: i32| -> Option<NaiveDate> {
                        match c.get(3) {
                            Some(d) => {
                                NaiveDate::from_ymd_opt(year, month, d.as_str().parse().ok()?)
                            }
                            // 月底: the month's last day.
                            None => NaiveDate::from_ymd_opt(year, month + 1, 1)
                                .or_else(|| NaiveDate::from_ymd_opt(year + 1, 1, 1))
                                .and_then(|d| d.pred_opt()),
                        }
                    };
                    let day_number: u32 =
                        c.get(3).and_then(|d| d.as_str().parse().ok()).unwrap_or(31);
                    let year = match (explicit, notice_date) {
                        (Some(y), _) => y,
                        (None, Some(n)) => {
                            // A deadline in January of a notice from December: next year.
                            if (month, day_number) < (n.month(), n.day()) {
                                n.year() + 1
                            } else {
                                n.year()
                            }
                        }
                        (None, None) => {
                            self.missing(
                                "截止时间",
                                format!("截止日期“{said}”的年份无法确定（没有发文日期）"),
                            );
                            return None;
                        }
                    };
                    let Some(date) = day_of(year) else {
                        self.missing("截止时间", format!("截止日期“{year}年{said}”不是有效日期"));
                        return None;
                    };
                    if let Some(w) = c.get(5) {
                        let names = ["一", "二", "三", "四", "五", "六", "日"];
                        let actual = names[date.weekday().num_days_from_monday() as usize];
                        let written = if w.as_str() == "天" {
                            "日"
                        } else {
                            w.as_str()
                        };
                        if written != actual {
                            self.note(
                                "截止时间",
                                format!(
                                    "通知写的是星期{written}，但{}是星期{actual}，请核对截止日期",
                                    crate::dates::chinese_date(date)
                                ),
                            );
                        }
                    }
                    let part_of_day = c.get(6).map(|m| m.as_str());
                    let afternoon = |h: u32| match part_of_day {
                        Some("下午" | "晚上" | "晚") if h < 12 => h + 12,
                        _ => h,
                    };
                    let numbered = |h: Option<regex::Match>, m: Option<regex::Match>| {
                        let h: u32 = h?.as_str().parse().ok()?;
                        let m: u32 = m.map_or(Some(0), |m| m.as_str().parse().ok())?;
                        // 24时: the day's end.
                        if h == 24 && m == 0 {
                            return NaiveTime::from_hms_opt(23, 59, 59);
                        }
                        NaiveTime::from_hms_opt(afternoon(h), m, 0)
                    };
                    let mut time =
                        numbered(c.get(7), c.get(8)).or_else(|| numbered(c.get(9), c.get(10)));
                    let word = c
                        .get(11)
                        .map(|m| m.as_str())
                        .or(part_of_day.filter(|_| time.is_none()));
                    match word {
                        Some("中午") if time.is_none() => {
                            time = NaiveTime::from_hms_opt(12, 0, 0)
                        }
                        Some(w) if time.is_none() => self.note(
                            "截止时间",
                            format!(
                                "截止时间“{w}前”没有具体钟点，暂按当天23:59计，请在编辑器中核对"
                            ),
                        ),
                        _ => {}
                    }
                    let Some(at) = end_of_day(date, time) else {
                        continue;
                    };
                    let receiver = receiver_in(rest);
                    let email = email_re.find(sentence).map(|m| m.as_str().to_string());
                    let before = &p[..p.find(sentence).unwrap_or(0) + clause_start];
                    let materials = materials_re
                        .captures_iter(before)
                        .last()
                        .or_else(|| materials_re.captures_iter(sentence).last())
                        .and_then(|m| m.get(1))
                        .map(|m| m.as_str().to_string())
                        .unwrap_or_default();
                    found = Some(Deadline {
                        at,
                        text,
                        receiver,
                        materials,
                        email,
                        said,
                    });
                }
            }
        }
        let Some(d) = found else {
            self.missing(
                "截止时间",
                "没有找到报送截止时间（如“请于3月12日前……报送……”），请在编辑器中填写".into(),
            );
            return None;
        };
        if d.materials.is_empty() {
            self.note(
                "报送材料",
                "没有找到要报送的材料种类（如“图片、视频、活动稿件、新媒体产品”）".into(),
            );
        }
        if !others.is_empty() {
            self.note(
                "截止时间",
                format!(
                    "通知中有多个截止时间（{}、{}），已取第一个，请核对",
                    d.said,
                    others.join("、")
                ),
            );
        }
        Some(d)
    }

    /// (receiver, contact person, phone, e-mail).
    fn contacts(
        &mut self,
        paras: &[String],
        deadline: Option<&Deadline>,
    ) -> (String, String, String, String) {
        let mut people: Vec<String> = Vec::new();
        let mut phones: Vec<String> = Vec::new();
        let mut emails: Vec<String> = Vec::new();
        let labels = Regex::new(
            r"\s*(联系人及电话|联系人及联系方式|联系人|联系电话|电话|联系方式|电子邮箱|电子信箱|邮箱|E-?mail|Email|EMAIL)\s*[:：]",
        )
        .ok();
        let spaced = Regex::new(r"联\s+系\s+人|邮\s+箱|电\s+话").ok();
        let phone_re = Regex::new(r"(?:\d{3,4}-)?\d{7,11}(?:[、/]\s*(?:\d{3,4}-)?\d{7,11})*").ok();
        let email_re = Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").ok();
        let push = |list: &mut Vec<String>, v: &str| {
            let v = v
                .trim()
                .trim_matches(['（', '）', '(', ')', '，', '、', '。'])
                .trim();
            if !v.is_empty() && !list.iter().any(|x| x == v) {
                list.push(v.to_string());
            }
        };
        for p in paras {
            let Some(labels) = &labels else { break };
            // `联 系 人：` typed with spaces to line up.
            let p = match &spaced {
                Some(re) => re
                    .replace_all(p, |c: &regex::Captures| {
                        c[0].split_whitespace().collect::<String>()
                    })
                    .into_owned(),
                None => p.clone(),
            };
            if !labels.is_match(&p) {
                continue;
            }
            // Each label starts a field, wherever it is on the line.
            let marks: Vec<(usize, usize, String)> = labels
                .captures_iter(&p)
                .filter_map(|c| {
                    let m = c.get(0)?;
                    Some((m.start(), m.end(), c[1].to_string()))
                })
                .collect();
            for (k, (_, end, label)) in marks.iter().enumerate() {
                let stop = marks.get(k + 1).map_or(p.len(), |n| n.0);
                let value = p[*end..stop]
                    .trim()
                    .trim_end_matches(['。', '；', '，', ';', ',']);
                let phones_in = |v: &str| -> Vec<String> {
                    phone_re
                        .as_ref()
                        .map(|r| r.find_iter(v).map(|m| m.as_str().to_string()).collect())
                        .unwrap_or_default()
                };
                match label.as_str() {
                    "联系人" | "联系人及电话" | "联系人及联系方式" | "联系方式" =>
                    {
                        // Names, numbers and addresses, in whatever order: each where it belongs.
                        for piece in
                            value.split(['，', '、', ',', '；', ';', ' ', '（', '）', '(', ')'])
                        {
                            let piece = piece.trim();
                            if piece.is_empty() {
                                continue;
                            }
                            if let Some(e) = email_re.as_ref().and_then(|r| r.find(piece)) {
                                push(&mut emails, e.as_str());
                                continue;
                            }
                            let numbers = phones_in(piece);
                            let name: String = piece
                                .chars()
                                .filter(|c| !c.is_ascii_digit() && *c != '-')
                                .collect();
                            for n in &numbers {
                                push(&mut phones, n);
                            }
                            let name = ["电话", "手机", "座机"]
                                .iter()
                                .fold(name.as_str(), |n, w| n.trim_start_matches(w))
                                .trim_matches([':', '：']);
                            // 宣传部 王芳: the office is not the person.
                            let office = ['部', '处', '科', '室', '会', '联', '组']
                                .iter()
                                .any(|c| name.ends_with(*c));
                            if !name.is_empty() && name.chars().count() <= 8 && !office {
                                push(&mut people, name);
                            }
                        }
                    }
                    "联系电话" | "电话" => {
                        let numbers = phones_in(value);
                        if numbers.is_empty() {
                            push(&mut phones, value);
                        }
                        for n in numbers {
                            push(&mut phones, &n);
                        }
                        // 陈静，电话：63890023 — a second person named before her number.
                    }
                    _ => match email_re.as_ref().and_then(|r| r.find(value)) {
                        Some(e) => push(&mut emails, e.as_str()),
                        None => push(&mut emails, value),
                    },
                }
            }
            // A name with no label before a 电话 (…；陈静，电话：…): another contact.
            for piece in p.split(['；', ';']).skip(1) {
                let first = piece.split(['，', ',']).next().unwrap_or_default().trim();
                if !first.is_empty()
                    && first.chars().count() <= 4
                    && !labels.is_match(first)
                    && first.chars().all(|c| (c as u32) >= 0x4E00)
                    && piece.contains("电话")
                {
                    push(&mut people, first);
                }
            }
        }
        if let Some(e) = deadline.and_then(|d| d.email.as_deref()) {
            push(&mut emails, e);
        }
        let receiver = deadline
            .and_then(|d| d.receiver.clone())
            .unwrap_or_default();
        if receiver.is_empty() {
            self.missing(
                "接收部门",
                "没有读出材料报送给哪个部门（如“报送市妇联宣传部”），请在编辑器中填写".into(),
            );
        }
        for (field, list) in [
            ("联系人", &people),
            ("联系电话", &phones),
            ("邮箱", &emails),
        ] {
            match list.len() {
                0 => self.note(field, format!("没有找到{field}")),
                1 => {}
                _ => self.note(
                    field,
                    format!(
                        "通知中有多个{field}（{}），已取第一个，请核对",
                        list.join("、")
                    ),
                ),
            }
        }
        let first = |l: &Vec<String>| l.first().cloned().unwrap_or_default();
        (receiver, first(&people), first(&phones), first(&emails))
    }

    fn pillars(&mut self, paras: &[String]) -> Vec<Pillar> {
        let Some(head_re) = PILLAR_HEAD.as_ref() else {
            return Vec::new();
        };
        // Headings numbered 一、二、三 in order (a stray 一、 in a sentence is not one).
        let mut heads: Vec<(usize, String, String)> = Vec::new();
        for (i, p) in paras.iter().enumerate() {
            let Some(c) = head_re.captures(p) else {
                continue;
            };
            if cn_number(&c[1]) == Some(heads.len() as u32 + 1) {
                heads.push((i, c[1].to_string(), c[2].to_string()));
            }
        }
        if heads.is_empty() {
            self.missing(
                "板块",
                "没有找到“一、……”“二、……”这样的板块标题，请在编辑器中添加板块和事项".into(),
            );
            return Vec::new();
        }
        // Sections that say how to report (四、工作要求) are the closing, not a pillar.
        let closing_words = [
            "要求",
            "有关事项",
            "工作安排",
            "组织保障",
            "保障措施",
            "注意事项",
            "报送",
        ];
        while let Some((_, number, title)) = heads.last() {
            let head_title = title.split('。').next().unwrap_or_default();
            if heads.len() > 1 && closing_words.iter().any(|w| head_title.contains(w)) {
                self.note(
                    "板块",
                    format!(
                        "“{number}、{head_title}”是工作要求，没有作为板块；如确需各单位报送，请在活动编辑中点“＋ 添加板块”"
                    ),
                );
                heads.pop();
            } else {
                break;
            }
        }
        let closing_at = |from: usize| -> usize {
            paras
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, p)| {
                    matches(&CONTACT_LINE, p)
                        || date_of(p).is_some()
                        || head_re.is_match(p)
                        || has_deadline_clause(p)
                })
                .map_or(paras.len(), |(i, _)| i)
        };
        let mut pillars = Vec::new();
        for (k, (at, number, head)) in heads.iter().enumerate() {
            let end = match heads.get(k + 1) {
                Some((next, _, _)) => *next,
                None => closing_at(at + 1),
            };
            let (title, inline) = match head.split_once('。') {
                Some((t, rest)) => (t.to_string(), rest.to_string()),
                None => (
                    head.trim_end_matches(['；', '。']).to_string(),
                    String::new(),
                ),
            };
            let mut body_paras: Vec<&str> = Vec::new();
            if !inline.trim().is_empty() {
                body_paras.push(inline.trim());
            }
            body_paras.extend(paras[at + 1..end.max(at + 1)].iter().map(String::as_str));
            let body = body_paras.join("\n");
            let pillar_id = format!("p{}", k + 1);
            let heading = format!("{number}、{title}");
            let (intro, items) = self.items(&body, &pillar_id, &heading, &title);
            pillars.push(Pillar {
                id: pillar_id,
                number: number.clone(),
                title,
                intro,
                items,
            });
        }
        pillars
    }

    /// A pillar's intro and items from its body text.
    fn items(
        &mut self,
        body: &str,
        pillar_id: &str,
        heading: &str,
        title: &str,
    ) -> (String, Vec<Item>) {
        // Of the numberings found (at least two in order), the one that begins first is the
        // items' level: in （一）…一是…二是…（二）… the 一是 are inside the first item.
        let mut found: Vec<(ItemStyle, Vec<Marker>)> = [
            ItemStyle::Inline,
            ItemStyle::Paren,
            ItemStyle::Digit,
            ItemStyle::ParenDigit,
        ]
        .into_iter()
        .map(|style| (style, markers(body, style)))
        .filter(|(_, m)| m.len() >= 2)
        .collect();
        found.sort_by_key(|(_, m)| m.first().map_or(usize::MAX, |m| m.start));
        if found.len() > 1 {
            let lower: Vec<String> = found[1..]
                .iter()
                .filter_map(|(_, m)| m.first().map(|m| m.label.clone()))
                .collect();
            self.note(
                "事项",
                format!(
                    "“{heading}”中还有下一级编号（{}……），已并入各事项的说明，请核对事项是否分对",
                    lower.join("、")
                ),
            );
        }
        let best = found.into_iter().next();
        let Some((style, marks)) = best else {
            self.note(
                "事项",
                format!(
                    "“{heading}”下没有分项（一是、（一）……），已作为一个事项，请在编辑器中确认"
                ),
            );
            let item = Item {
                id: ItemId::from(format!("{pillar_id}-1").as_str()),
                number: String::new(),
                title: title.to_string(),
                hint: one_line(body),
                min_photos: None,
                expects: Vec::new(),
            };
            return (String::new(), vec![item]);
        };
        let intro = one_line(&body[..marks.first().map_or(0, |m| m.start)]);
        let mut items = Vec::new();
        for (j, m) in marks.iter().enumerate() {
            let mut end = marks.get(j + 1).map_or(body.len(), |n| n.start);
            if style == ItemStyle::Inline {
                // An inline item ends with its paragraph.
                if let Some(nl) = body[m.end..end].find('\n') {
                    end = m.end + nl;
                }
            }
            let text = body[m.end..end].trim_start_matches(['：', ':', '，', ' ']);
            let cut = text
                .find(['。', '；', '：', ':', '\n'])
                .unwrap_or(text.len());
            let item_title = text[..cut].trim().to_string();
            let rest = text[cut..]
                .trim_start_matches(['。', '；', '：', ':', '\n'])
                .to_string();
            if item_title.chars().count() > 30 {
                self.note(
                    "事项",
                    format!(
                        "“{heading}”的事项“{}”名称较长，请在编辑器中确认",
                        item_title
                    ),
                );
            }
            items.push(Item {
                id: ItemId::from(format!("{pillar_id}-{}", j + 1).as_str()),
                number: m.label.clone(),
                title: item_title,
                hint: one_line(&rest),
                min_photos: None,
                expects: Vec::new(),
            });
        }
        (intro, items)
    }
}

struct Deadline {
    at: DateTime<FixedOffset>,
    text: String,
    receiver: Option<String>,
    materials: String,
    /// An address in the same sentence (报送至…邮箱 x@y).
    email: Option<String>,
    /// The deadline as written (6月6日17:00前).
    said: String,
}

static DEADLINE_CLAUSE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:于|在)\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日[^。]{0,12}(?:前|之前|以前)[^。]*(?:报|送|交|发)").ok()
});

fn has_deadline_clause(p: &str) -> bool {
    matches(&DEADLINE_CLAUSE, p)
}

fn end_of_day(date: NaiveDate, time: Option<NaiveTime>) -> Option<DateTime<FixedOffset>> {
    let time = time.or_else(|| NaiveTime::from_hms_opt(23, 59, 59))?;
    crate::dates::china()
        .from_local_datetime(&date.and_time(time))
        .single()
}

/// After the deadline: `及时报送市妇联宣传部` → 市妇联宣传部; `报送至市妇联宣传部邮箱x@y` → 市妇联宣传部.
fn receiver_in(rest: &str) -> Option<String> {
    let keys = [
        "报送至",
        "报送到",
        "报送给",
        "报送",
        "发送至",
        "发送到",
        "提交至",
        "提交到",
        "提交",
        "送至",
        "报至",
        "交至",
        "报",
    ];
    let (at, key) = keys
        .iter()
        .filter_map(|k| rest.rfind(k).map(|i| (i, *k)))
        .max_by_key(|(i, k)| (*i + k.len(), k.len()))?;
    let name = rest[at + key.len()..]
        .trim()
        .trim_start_matches(['至', '到', '给']);
    // The department, not its mailbox: cut at 邮箱, a parenthesis or an address.
    let cut = name
        .find(|c: char| c.is_ascii_alphanumeric() || matches!(c, '（' | '(' | '@'))
        .unwrap_or(name.len());
    let cut = name.find("邮箱").map_or(cut, |i| i.min(cut));
    let name = name[..cut]
        .trim_end_matches(['。', '，', '；', '的'])
        .trim();
    if name.is_empty() || name.chars().count() > 24 {
        return None;
    }
    Some(name.to_string())
}

/// `关于开展2024年“三八”国际妇女节纪念活动的通知` → `2024年“三八”国际妇女节纪念活动情况报送`.
fn campaign_title(notice_title: &str, issuer: &str) -> String {
    let mut t = notice_title.strip_prefix(issuer).unwrap_or(notice_title);
    if let Some(i) = t.find("关于") {
        t = &t[i + "关于".len()..];
    }
    for p in ["开展", "举办", "组织开展", "做好"] {
        if let Some(s) = t.strip_prefix(p) {
            t = s;
            break;
        }
    }
    let t = t
        .trim_end_matches("通知")
        .trim_end_matches('的')
        .trim_end_matches("工作");
    if t.is_empty() {
        String::new()
    } else {
        format!("{t}情况报送")
    }
}

/// `cq-sanba-2024`: the place, the festival, the year.
fn campaign_id(notice_title: &str, issuer: &str, year: i32) -> String {
    let place = if issuer.contains("重庆") || notice_title.contains("重庆") {
        "cq"
    } else {
        "fl"
    };
    let known = [
        ("三八", "sanba"),
        ("六一", "liuyi"),
        ("家庭教育", "jiajiao"),
        ("志愿", "zhiyuan"),
        ("母亲节", "muqin"),
        ("家暴", "fanjiabao"),
    ];
    let what = known
        .iter()
        .find(|(k, _)| notice_title.contains(k))
        .map(|(_, v)| (*v).to_string())
        .unwrap_or_else(|| {
            let hex = crate::hashing::sha256_hex(notice_title.as_bytes());
            format!("hd{}", &hex[..8])
        });
    format!("{place}-{what}-{year}")
}

/// A title without the spaces a PDF or a line break put in it, except inside quotes (a theme's
/// two halves: “巾帼心向党 建功新时代”).
fn title_text(t: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in t.chars() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            _ => {}
        }
        if c.is_whitespace() && !quoted {
            continue;
        }
        out.push(c);
    }
    out
}

/// Line breaks inside a hint removed (a hint shows as one paragraph).
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("")
        .trim()
        .to_string()
}

/// The item markers of one style in a pillar's body, numbered 1, 2, 3 … in order.
static MARKERS: LazyLock<[Option<Regex>; 4]> = LazyLock::new(|| {
    [
        r"(?:^|[。！？；\n])\s*(([一二三四五六七八九十]+)(?:是|要))",
        r"(?:^|[。！？；\n])\s*(（([一二三四五六七八九十]+)）)",
        r"(?:^|\n)\s*((\d{1,2})[\.．、])",
        r"(?:^|[。！？；\n])\s*(（(\d{1,2})）)",
    ]
    .map(|p| Regex::new(p).ok())
});

fn markers(body: &str, style: ItemStyle) -> Vec<Marker> {
    let k = match style {
        ItemStyle::Inline => 0,
        ItemStyle::Paren => 1,
        ItemStyle::Digit => 2,
        ItemStyle::ParenDigit => 3,
    };
    let Some(re) = MARKERS.get(k).and_then(Option::as_ref) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in re.captures_iter(body) {
        let (Some(whole), Some(num)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let n = match style {
            ItemStyle::Inline | ItemStyle::Paren => cn_number(num.as_str()),
            ItemStyle::Digit | ItemStyle::ParenDigit => num.as_str().parse().ok(),
        };
        if n == Some(out.len() as u32 + 1) {
            let label = match style {
                ItemStyle::Digit => format!("{}.", out.len() + 1),
                _ => whole.as_str().to_string(),
            };
            out.push(Marker {
                start: whole.start(),
                end: whole.end(),
                label,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const SEED: &str = include_str!("../../../../tests/fixtures/notices/2024-三八.txt");
    const LIUYI: &str = include_str!("../../../../tests/fixtures/notices/2025-六一.txt");
    const JIAJIAO: &str =
        include_str!("../../../../tests/fixtures/notices/2025-家庭教育宣传周.txt");
    const WINTER: &str = include_str!("../../../../tests/fixtures/notices/2026-冬季关爱.txt");
    const NO_DEADLINE: &str = include_str!("../../../../tests/fixtures/notices/缺截止时间.txt");
    // Three written by a first-time user from the department, to find what the reader gets wrong.
    const XUANJIANG: &str = include_str!("../../../../tests/fixtures/notices/2026-主题宣讲.txt");
    const MUQIN: &str = include_str!("../../../../tests/fixtures/notices/2026-母亲节.txt");
    const FANJIABAO: &str = include_str!("../../../../tests/fixtures/notices/2026-反家暴.txt");

    fn said(r: &NoticeReading, field: &str) -> Vec<String> {
        r.notes
            .iter()
            .filter(|n| n.field == field)
            .map(|n| n.message.clone())
            .collect()
    }

    fn read(text: &str) -> NoticeReading {
        read_notice(text).unwrap()
    }

    fn outline(c: &Campaign) -> Vec<String> {
        c.pillars
            .iter()
            .flat_map(|p| {
                std::iter::once(p.heading()).chain(
                    p.items
                        .iter()
                        .map(|it| format!("  {}{}", it.number, it.title)),
                )
            })
            .collect()
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn the_2024_notice_gives_the_builtin_template() {
        let reading = read(SEED);
        let builtin = Campaign::builtin().unwrap();
        assert!(reading.blocking().next().is_none(), "{:?}", reading.notes);
        assert!(reading.notes.is_empty(), "{:?}", reading.notes);
        let mut parsed = reading.campaign;
        // Hints: the parser keeps the notice's words; the built-in's were abridged by hand, so
        // each parsed hint holds the start of the built-in one.
        for ((_, a), (_, b)) in parsed.items().zip(builtin.items()) {
            let start: String = b.hint.chars().take(12).collect();
            assert!(
                a.hint.contains(&start),
                "{}: {} / {}",
                a.title,
                a.hint,
                b.hint
            );
        }
        for p in &mut parsed.pillars {
            for it in &mut p.items {
                it.hint.clear();
            }
        }
        let mut expected = builtin.clone();
        for p in &mut expected.pillars {
            for it in &mut p.items {
                it.hint.clear();
            }
        }
        // Everything else — id, title, theme, 文号, dates, deadline, receiver, contact, the
        // pillars with their intros, numbers and items — is the built-in template's.
        assert_eq!(parsed, expected);
        assert_eq!(parsed.deadline, at("2024-03-12T23:59:59+08:00"));
        assert_eq!(parsed.receiver.contact_person, "莫海舟");
        assert!(Campaign::from_json_str(&serde_json::to_string(&parsed).unwrap(), "t").is_ok());
    }

    #[test]
    fn a_notice_with_paren_items_a_fourth_pillar_and_a_requirements_section() {
        let r = read(LIUYI);
        let c = &r.campaign;
        assert_eq!(
            outline(c),
            [
                "一、开展主题教育活动",
                "  （一）举办“红领巾心向党”故事会",
                "  （二）开展家庭亲子阅读活动",
                "二、关爱困境儿童",
                "  （一）走访慰问留守儿童",
                "  （二）深化“爱心妈妈”结对关爱",
                "  （三）开展儿童安全教育",
                "三、营造节日氛围",
                "  （一）开展庆“六一”文艺展演",
                "  （二）做好网络宣传",
                "四、推进家庭教育指导",
                "  （一）举办家庭教育公益讲座",
                "  （二）推广“家庭教育指导站”服务",
            ]
        );
        assert_eq!(
            c.pillars[1].items[2].hint,
            "围绕防溺水、防性侵、交通安全等主题，开展儿童安全教育进社区、进学校活动。"
        );
        // The requirements section is the closing, said so, not a pillar.
        assert!(
            r.notes
                .iter()
                .any(|n| n.message.contains("五、工作要求") && !n.blocking)
        );
        assert_eq!(c.deadline, at("2025-06-06T17:00:00+08:00"));
        assert_eq!(c.notice_date, NaiveDate::from_ymd_opt(2025, 5, 12));
        assert_eq!(
            c.window.start,
            NaiveDate::from_ymd_opt(2025, 5, 12).unwrap()
        );
        assert_eq!(c.window.end, NaiveDate::from_ymd_opt(2025, 6, 6).unwrap());
        assert_eq!(c.document_number, "渝妇发〔2025〕21号");
        assert_eq!(
            c.notice_title,
            "重庆市妇女联合会关于开展2025年“六一”国际儿童节主题宣传活动的通知"
        );
        assert_eq!(c.title, "2025年“六一”国际儿童节主题宣传活动情况报送");
        assert_eq!(c.id, "cq-liuyi-2025");
        assert_eq!(c.theme, "童心向党 快乐成长");
        assert_eq!(c.receiver.name, "市妇联家庭和儿童工作部");
        assert_eq!(c.receiver.contact_person, "李晓燕");
        assert_eq!(c.receiver.phone, "63891234");
        assert_eq!(c.receiver.email, "cqfljtb@163.com");
        assert_eq!(c.material_kinds_text, "图片、视频、活动稿件等");
        assert_eq!(
            c.deadline_text,
            "请于2025年6月6日17:00前将活动开展情况（图片、视频、活动稿件等）报送至市妇联家庭和儿童工作部"
        );
        assert!(c.unread.is_empty());
    }

    #[test]
    fn mixed_numbering_and_a_date_in_chinese_numerals() {
        let r = read(JIAJIAO);
        let c = &r.campaign;
        assert_eq!(
            outline(c),
            [
                "一、广泛开展普法宣传",
                "  一要开展集中宣传",
                "  二要用好新媒体",
                "二、办好家长学校",
                "  一是开设家长课堂",
                "  二是开展亲子实践活动",
                "  三是加强家长学校建设",
                "三、选树宣传典型",
                "  1.推选最美家庭",
                "  2.讲好家教故事",
                "四、关爱特殊家庭",
                "  一是开展上门指导",
                "  二是建立帮扶台账",
            ]
        );
        assert_eq!(
            c.pillars[0].intro,
            "围绕家庭教育促进法颁布实施，持续加大宣传力度。"
        );
        // The last item stops at its paragraph: the deadline's sentence is not its hint.
        assert_eq!(
            c.pillars[3].items[1].hint,
            "对重点家庭建立台账，跟踪服务，确保指导服务落到实处。"
        );
        assert_eq!(c.notice_date, NaiveDate::from_ymd_opt(2025, 4, 28));
        assert_eq!(c.deadline, at("2025-05-25T23:59:59+08:00"));
        assert_eq!(c.receiver.name, "市妇联家庭和儿童工作部");
        assert_eq!(c.receiver.phone, "63890011");
        assert_eq!(c.theme, "协同育人 共促成长");
        assert_eq!(c.issuer, "重庆市妇女联合会");
        assert_eq!(c.id, "cq-jiajiao-2025");
        // No materials named: said, not invented.
        assert_eq!(c.material_kinds_text, "");
        assert!(r.notes.iter().any(|n| n.field == "报送材料" && !n.blocking));
        assert!(c.unread.is_empty());
    }

    #[test]
    fn a_pdf_copy_with_no_items_across_the_new_year() {
        // Every line cut at 28 characters, spaces between Chinese and digits, the title on two
        // lines; the pillars have no 一是 or （一）: each becomes one item, and the reader says so.
        let r = read(WINTER);
        let c = &r.campaign;
        assert_eq!(
            outline(c),
            [
                "一、走访慰问困难家庭",
                "  走访慰问困难家庭",
                "二、开展志愿服务进社区",
                "  开展志愿服务进社区",
                "三、加强宣传引导",
                "  加强宣传引导",
            ]
        );
        assert!(
            c.pillars[0].items[0]
                .hint
                .starts_with("各区县妇联要在元旦、春节期间")
        );
        assert!(c.pillars[0].items[0].hint.contains("不少于200元的慰问物资"));
        assert!(c.pillars[2].items[0].hint.ends_with("浓厚氛围。"));
        assert_eq!(r.notes.iter().filter(|n| n.field == "事项").count(), 3);
        // Issued 15 December, due "1月10日前": next January.
        assert_eq!(c.deadline, at("2026-01-10T23:59:59+08:00"));
        assert_eq!(
            c.window.start,
            NaiveDate::from_ymd_opt(2025, 12, 15).unwrap()
        );
        assert_eq!(c.document_number, "渝妇发〔2025〕40号");
        assert!(
            c.notice_title.ends_with("冬季关爱行动的通知"),
            "{}",
            c.notice_title
        );
        assert_eq!(c.receiver.name, "市妇联宣传部");
        assert_eq!(c.material_kinds_text, "图片、视频、活动稿件、新媒体产品等");
        assert!(c.unread.is_empty());
    }

    #[test]
    fn what_cannot_be_read_is_named_and_blocks_the_template() {
        let r = read(NO_DEADLINE);
        let c = &r.campaign;
        for field in ["截止时间", "板块", "发文日期", "接收部门"] {
            assert!(
                c.unread.iter().any(|u| u == field),
                "{field}: {:?}",
                c.unread
            );
            assert!(r.blocking().any(|n| n.field == field));
        }
        assert_eq!(c.receiver.contact_person, "赵兰");
        // Written out, the template is refused until the department fills it in.
        let json = serde_json::to_string(c).unwrap();
        let m = Campaign::from_json_str(&json, "春季.json")
            .unwrap_err()
            .user_message();
        assert!(
            m.contains("未能从通知中识别") && m.contains("截止时间"),
            "{m}"
        );
    }

    #[test]
    fn a_notice_with_a_theme_in_its_title_office_hours_and_a_mailbox() {
        let r = read(XUANJIANG);
        let c = &r.campaign;
        assert_eq!(
            outline(c),
            [
                "一、组建宣讲队伍",
                "  （一）建好市级宣讲团",
                "  （二）壮大基层宣讲队",
                "  （三）加强宣讲骨干培训",
                "二、丰富宣讲形式",
                "  （一）开展“六进”宣讲",
                "  （二）创新互动式宣讲",
                "  （三）用好网络平台",
                "三、强化宣传推广",
                "  强化宣传推广",
            ]
        );
        // The space inside the quoted theme is the notice's, kept in the title.
        assert_eq!(c.title, "2026年“巾帼心向党 建功新时代”主题宣讲活动情况报送");
        assert_eq!(c.theme, "巾帼心向党 建功新时代");
        // 4月30日（星期四）下班前: the date, the day's end, and a note that 下班 has no hour.
        assert_eq!(c.deadline, at("2026-04-30T23:59:59+08:00"));
        assert!(
            said(&r, "截止时间")
                .iter()
                .any(|m| m.contains("“下班前”没有具体钟点"))
        );
        // 报送至市妇联宣传部邮箱cqflxcb@163.com: the department, and its address as the e-mail.
        assert_eq!(c.receiver.name, "市妇联宣传部");
        assert_eq!(c.receiver.email, "cqflxcb@163.com");
        // 联系人及电话：王芳 63891111
        assert_eq!(c.receiver.contact_person, "王芳");
        assert_eq!(c.receiver.phone, "63891111");
        assert!(c.unread.is_empty());
    }

    #[test]
    fn a_notice_with_digit_items_a_time_and_two_numbers() {
        let r = read(MUQIN);
        let c = &r.campaign;
        assert_eq!(c.issuer, "重庆市妇联宣传部");
        assert_eq!(c.document_number, "渝妇宣〔2026〕3号");
        assert_eq!(c.notice_date, NaiveDate::from_ymd_opt(2026, 4, 20));
        assert_eq!(c.pillars.len(), 3, "四、有关要求 is the closing");
        assert_eq!(c.pillars[2].items[0].title, "开展“为妈妈送祝福”网络互动");
        assert_eq!(c.deadline, at("2026-05-15T17:30:00+08:00"));
        // The list's “2.” is not part of the notice's words for the deadline.
        assert_eq!(
            c.deadline_text,
            "请于5月15日（星期五）17:30前将活动总结、图片及视频报送市妇联宣传部"
        );
        // 联系人：张丽  联系电话：023-63891234、13908361234 — two fields on one line.
        assert_eq!(c.receiver.contact_person, "张丽");
        assert_eq!(c.receiver.phone, "023-63891234、13908361234");
        assert!(said(&r, "截止时间").is_empty(), "15 May 2026 is a Friday");
    }

    #[test]
    fn a_joint_notice_with_two_contacts_says_what_it_chose() {
        let r = read(FANJIABAO);
        let c = &r.campaign;
        assert_eq!(c.issuer, "重庆市妇女联合会");
        assert!(said(&r, "发文单位")[0].contains("联合发文"));
        assert_eq!(c.deadline, at("2026-12-04T12:00:00+08:00"));
        assert_eq!(c.receiver.name, "市妇联权益部");
        assert_eq!(c.receiver.email, "cqflqyb@163.com");
        assert_eq!(c.receiver.contact_person, "刘洋");
        assert_eq!(c.receiver.phone, "63890022");
        assert!(said(&r, "联系人")[0].contains("刘洋、陈静"));
        assert!(said(&r, "联系电话")[0].contains("63890022、63890023"));
        // （一）…；（二）… inline, after a heading that ends with 。
        assert_eq!(
            outline(c)[1..3],
            [
                "  （一）设立宣传咨询点".to_string(),
                "  （二）开展以案释法".to_string()
            ]
        );
    }

    #[test]
    fn nested_numbering_takes_the_outer_level_and_says_so() {
        let text = XUANJIANG.replace(
            "（一）建好市级宣讲团。市妇联遴选专家学者、先进典型、基层妇联干部组成市级巾帼宣讲团，分赴各区县开展示范宣讲。",
            "（一）建好市级宣讲团。一是遴选专家学者；二是吸纳先进典型；三是加强集体备课。",
        );
        let r = read(&text);
        assert_eq!(
            outline(&r.campaign)[1..4],
            [
                "  （一）建好市级宣讲团".to_string(),
                "  （二）壮大基层宣讲队".to_string(),
                "  （三）加强宣讲骨干培训".to_string(),
            ]
        );
        assert!(
            r.campaign.pillars[0].items[0]
                .hint
                .contains("一是遴选专家学者")
        );
        assert!(
            said(&r, "事项")
                .iter()
                .any(|m| m.contains("下一级编号（一是"))
        );
    }

    #[test]
    fn deadlines_as_notices_write_them() {
        let with = |clause: &str| {
            let text = MUQIN.replace(
                "2. 请于5月15日（星期五）17:30前将活动总结、图片及视频报送市妇联宣传部。",
                clause,
            );
            read(&text)
        };
        for (clause, expected) in [
            (
                "请于5月15日下午5点前报送市妇联宣传部。",
                "2026-05-15T17:00:00+08:00",
            ),
            (
                "请于5月15日中午12:00前报送市妇联宣传部。",
                "2026-05-15T12:00:00+08:00",
            ),
            (
                "请于5月15日晚8点前报送市妇联宣传部。",
                "2026-05-15T20:00:00+08:00",
            ),
            (
                "请于5月15日上午10时前报送市妇联宣传部。",
                "2026-05-15T10:00:00+08:00",
            ),
            (
                "请于5月15日17∶30前报送市妇联宣传部。",
                "2026-05-15T17:30:00+08:00",
            ),
            (
                "请于5月15日24时前报送市妇联宣传部。",
                "2026-05-15T23:59:59+08:00",
            ),
            ("请于5月底前报送市妇联宣传部。", "2026-05-31T23:59:59+08:00"),
            (
                "请于5月15日（周五）中午前报送市妇联宣传部。",
                "2026-05-15T12:00:00+08:00",
            ),
        ] {
            let r = with(clause);
            assert_eq!(r.campaign.deadline, at(expected), "{clause}");
            assert!(r.campaign.unread.is_empty(), "{clause}: {:?}", r.notes);
        }
        // A weekday that does not match its date is said.
        let r = with("请于5月15日（星期四）前报送市妇联宣传部。");
        assert!(
            said(&r, "截止时间")
                .iter()
                .any(|m| m.contains("但2026年5月15日是星期五"))
        );
        // Two deadlines: the first taken, both named.
        let r =
            with("请于4月20日前将组建情况报送市妇联组织部，6月30日前将全年总结报送市妇联宣传部。");
        assert_eq!(r.campaign.deadline, at("2026-04-20T23:59:59+08:00"));
        assert!(
            said(&r, "截止时间")
                .iter()
                .any(|m| m.contains("多个截止时间（4月20日前、6月30日前）")),
            "{:?}",
            r.notes
        );
        // Sent to an address only: the department is not guessed.
        let r = with("请于5月15日前发送至cqflxcb@163.com。");
        assert!(r.campaign.unread.iter().any(|u| u == "接收部门"));
        assert_eq!(r.campaign.receiver.email, "cqflxcb@163.com");
    }

    #[test]
    fn contact_lines_as_notices_write_them() {
        let with = |lines: &str| {
            let text = MUQIN
                .replace("联系人：张丽  联系电话：023-63891234、13908361234\n", lines)
                .replace("电子邮箱：cqflxcb@163.com\n", "");
            read(&text).campaign.receiver
        };
        let r = with("联系人：王芳（63891111）\n");
        assert_eq!(
            (r.contact_person.as_str(), r.phone.as_str()),
            ("王芳", "63891111")
        );
        let r = with("联系人：王芳 13912345678\n");
        assert_eq!(
            (r.contact_person.as_str(), r.phone.as_str()),
            ("王芳", "13912345678")
        );
        let r = with("联系方式：王芳，63891111，cqflxcb@163.com\n");
        assert_eq!(
            (
                r.contact_person.as_str(),
                r.phone.as_str(),
                r.email.as_str()
            ),
            ("王芳", "63891111", "cqflxcb@163.com")
        );
        let r = with("联 系 人：王芳\n电  话：63891111\n邮  箱：a@b.cn\n");
        assert_eq!(
            (
                r.contact_person.as_str(),
                r.phone.as_str(),
                r.email.as_str()
            ),
            ("王芳", "63891111", "a@b.cn")
        );
        let r = with("联系人：宣传部 王芳\n");
        assert_eq!(r.contact_person, "王芳");
    }

    #[test]
    fn stray_numbers_are_not_items_or_pillars() {
        // 一是 inside a sentence, a 二、 out of order, a 3月 that looks like a digit item.
        let text = "关于开展测试活动的通知\n\n各区县妇联：\n\n一、第一板块\n\n这一是一句话。一是真正的事项。说明一。二是第二个事项。说明二。\n\n三、不按顺序的标题\n\n二、第二板块\n\n（一）甲事项\n说明甲。\n（三）跳号\n（二）乙事项\n说明乙。\n\n请于3月1日前报送市妇联宣传部。\n\n2024年2月1日\n";
        let c = read(text).campaign;
        assert_eq!(
            outline(&c),
            [
                "一、第一板块",
                "  一是真正的事项",
                "  二是第二个事项",
                "二、第二板块",
                "  （一）甲事项",
                "  （二）乙事项",
            ]
        );
        assert_eq!(c.pillars[0].intro, "这一是一句话。");
    }

    #[test]
    fn a_docx_reads_as_its_text() {
        // A Word document of the seed: runs split inside words, an entity, a tab.
        let mut body = String::new();
        for line in SEED.lines() {
            let esc = line.replace('&', "&amp;").replace('<', "&lt;");
            let mid = esc
                .char_indices()
                .nth(esc.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            body.push_str(&format!(
                "<w:p><w:pPr><w:jc w:val=\"both\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>{}</w:t></w:r></w:p>",
                &esc[..mid],
                &esc[mid..]
            ));
        }
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:p><w:r><w:t>A&amp;B</w:t><w:tab/><w:t>&#x4E00;</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("通知.docx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();

        let text = notice_text(&path).unwrap();
        assert!(text.ends_with("A&B 一\n"), "{:?}", &text[text.len() - 20..]);
        let from_docx = read(&text).campaign;
        assert_eq!(from_docx, read(SEED).campaign);
    }

    #[test]
    fn a_word_list_numbering_is_named_when_no_pillar_is_found() {
        // Headings numbered by a list style: "强化政治引领…" with <w:numPr>, no 一、 in the text.
        let mut body = String::new();
        for line in SEED.lines() {
            let (numbered, text) = match line
                .strip_prefix("一、")
                .or(line.strip_prefix("二、"))
                .or(line.strip_prefix("三、"))
            {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let ppr = if numbered {
                "<w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>"
            } else {
                ""
            };
            body.push_str(&format!("<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>"));
        }
        let xml = format!("<w:document xmlns:w=\"w\"><w:body>{body}</w:body></w:document>");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("自动编号.docx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        let r = read_notice_file(&path).unwrap();
        let m = &r.blocking().find(|n| n.field == "板块").unwrap().message;
        assert!(
            m.contains("有3段用的是自动编号") && m.contains("只保留文本"),
            "{m}"
        );
    }

    #[test]
    fn files_that_are_not_a_notice_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 6] = [
            ("空.txt", b"   \n", "文件是空的"),
            (
                "gbk.txt",
                &[0xb9, 0xd8, 0xd3, 0xda, 0xcd, 0xa8, 0xd6, 0xaa],
                "UTF-8",
            ),
            (
                "old.doc",
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
                "另存为",
            ),
            ("scan.pdf", b"%PDF-1.7\n", "PDF"),
            (
                "broken.docx",
                b"PK\x03\x04 not really a zip",
                "不是有效的 Word 文档",
            ),
            ("空的.docx", b"", "不是有效的 Word 文档"),
        ];
        for (name, bytes, says) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let m = notice_text(&path).unwrap_err().user_message();
            assert!(m.contains(says) && m.contains(name), "{name}: {m}");
        }
        let m = notice_text(&dir.path().join("没有.txt"))
            .unwrap_err()
            .user_message();
        assert!(m.contains("没有.txt"), "{m}");
    }

    #[test]
    fn long_run_on_text_and_many_paragraphs_are_read_in_one_pass() {
        // 2 MB of lines that run on, and 100 000 short paragraphs under a heading: once took
        // minutes (the whole paragraph looked at again at each line; a regex built per paragraph).
        let line = "这是一行没有结束标点而且足够长的文字会和下一行接在一起";
        let run_on: String = std::iter::repeat_n(format!("{line}\n"), 20_000).collect();
        let r = read(&format!("关于开展测试的通知\n一、板块\n{run_on}"));
        assert!(!r.campaign.pillars.is_empty());
        let many: String = std::iter::repeat_n("短行\n", 100_000).collect();
        let _ = read(&format!("一、标题\n{many}"));
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("大.txt");
        std::fs::write(&big, vec![b'a'; 3 * 1024 * 1024]).unwrap();
        assert!(
            notice_text(&big)
                .unwrap_err()
                .user_message()
                .contains("超过 2 MB")
        );
    }

    #[test]
    fn hostile_text_is_read_without_a_panic() {
        let mut rng = fastrand::Rng::with_seed(7);
        let pieces = [
            "一、",
            "（一）",
            "一是",
            "。",
            "\n",
            "1.",
            "请于",
            "3月",
            "12日",
            "前",
            "报送",
            "关于",
            "通知",
            "：",
            "〔2024〕",
            "号",
            " ",
            "2024年2月30日",
            "联系人：",
            "\u{feff}",
            "é",
            "（",
            "）",
        ];
        for _ in 0..500 {
            let n = rng.usize(0..60);
            let text: String = (0..n).map(|_| pieces[rng.usize(0..pieces.len())]).collect();
            let _ = read(&text);
        }
        // 10 000 pillars' worth of text is read in one pass, not refused or hung.
        let big: String = (1..=99)
            .map(|i| format!("一、板块{i}\n\n一是事项。说明。二是事项。说明。\n\n"))
            .collect();
        let _ = read(&big);
    }
}

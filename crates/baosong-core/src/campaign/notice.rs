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
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CoreError::TemplateRead {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |problem: &str| CoreError::NoticeUnreadable {
        origin: origin.clone(),
        problem: problem.to_string(),
    };
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
    Ok(text)
}

/// Read a notice's text into a template. The built-in template supplies what a notice does not
/// say (the unit list, the activity fields, the attachment limits).
pub fn read_notice(text: &str) -> Result<NoticeReading, CoreError> {
    Ok(Reader::default().read(text, Campaign::builtin()?))
}

// ---- the text into paragraphs ----------------------------------------------------------------

const NUMERALS: &str = "一二三四五六七八九十";

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

fn join(a: &str, b: &str) -> String {
    let ascii_both = a.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii_both {
        format!("{a} {b}")
    } else {
        format!("{a}{b}")
    }
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
                joined = join(&joined, &lines[j]);
                if is_title(&joined) {
                    p = joined.clone();
                    i = j;
                    break;
                }
                j += 1;
            }
        } else {
            while runs_on(&p) && i + 1 < lines.len() && !starts_something(&lines[i + 1]) {
                i += 1;
                p = join(&p, &lines[i]);
            }
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
        let notice_title: String = title_para
            .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect())
            .unwrap_or_default();
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

        let theme =
            Regex::new(r"主题为[“\x22]([^”\x22]+)[”\x22]|以[“\x22]([^”\x22]+)[”\x22]为主题")
                .ok()
                .and_then(|re| {
                    paras.iter().find_map(|p| {
                        let c = re.captures(p)?;
                        c.get(1)
                            .or_else(|| c.get(2))
                            .map(|m| m.as_str().to_string())
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

    /// The issuing body: the first line when it is a body's name, else the signature above the
    /// date at the end.
    fn issuer(&mut self, paras: &[String], has_date: bool) -> String {
        let is_body = |p: &str| {
            p.chars().count() <= 24
                && !p.contains(['，', '。', '：', '、'])
                && (p.ends_with('会')
                    || p.ends_with("妇联")
                    || p.ends_with('部')
                    || p.ends_with("委员会")
                    || p.ends_with("办公室"))
        };
        if let Some(first) = paras.first().filter(|p| is_body(p)) {
            return first.clone();
        }
        if has_date
            && let Some(i) = paras.iter().rposition(|p| date_of(p).is_some())
            && let Some(sig) = i.checked_sub(1).and_then(|j| paras.get(j))
            && is_body(sig)
        {
            return sig.clone();
        }
        self.note("发文单位", "没有找到发文单位".into());
        String::new()
    }

    fn deadline(&mut self, paras: &[String], notice_date: Option<NaiveDate>) -> Option<Deadline> {
        let re = Regex::new(
            r"(?:于|在)\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*[（(][^）)]{1,6}[）)])?\s*(?:(\d{1,2})\s*[:：]\s*(\d{2})|(\d{1,2})\s*(?:时|点))?\s*(?:前|之前|以前)",
        )
        .ok()?;
        let materials_re =
            Regex::new(r"[（(]([^（）()]*(?:图片|照片|视频|稿件|新媒体|文字材料)[^（）()]*)[）)]")
                .ok()?;
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
                    let clause_start = sentence[..whole.start()]
                        .rfind(['，', '。', '；', '）', ')'])
                        .map(|i| i + sentence[i..].chars().next().map_or(1, char::len_utf8))
                        .unwrap_or(0);
                    let text = format!("{}{}", &sentence[clause_start..whole.end()], rest)
                        .trim()
                        .to_string();
                    let (Ok(month), Ok(day)) = (c[2].parse::<u32>(), c[3].parse::<u32>()) else {
                        continue;
                    };
                    let explicit: Option<i32> = c.get(1).and_then(|y| y.as_str().parse().ok());
                    let year = match (explicit, notice_date) {
                        (Some(y), _) => y,
                        (None, Some(n)) => {
                            // A deadline in January of a notice from December: next year.
                            if (month, day) < (n.month(), n.day()) {
                                n.year() + 1
                            } else {
                                n.year()
                            }
                        }
                        (None, None) => {
                            self.missing(
                                "截止时间",
                                format!("截止日期“{month}月{day}日”的年份无法确定（没有发文日期）"),
                            );
                            return None;
                        }
                    };
                    let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                        self.missing(
                            "截止时间",
                            format!("截止日期“{year}年{month}月{day}日”不是有效日期"),
                        );
                        return None;
                    };
                    let hour_minute = |h: Option<regex::Match>, m: Option<regex::Match>| {
                        let h = h?.as_str().parse().ok()?;
                        let m = m.map_or(Some(0), |m| m.as_str().parse().ok())?;
                        NaiveTime::from_hms_opt(h, m, 0)
                    };
                    let time =
                        hour_minute(c.get(4), c.get(5)).or_else(|| hour_minute(c.get(6), None));
                    let Some(at) = end_of_day(date, time) else {
                        continue;
                    };
                    let receiver = receiver_in(rest);
                    let before = &p[..p.find(sentence).unwrap_or(0) + clause_start];
                    let materials = materials_re
                        .captures_iter(before)
                        .last()
                        .or_else(|| materials_re.captures_iter(sentence).last())
                        .and_then(|m| m.get(1))
                        .map(|m| m.as_str().to_string())
                        .unwrap_or_default();
                    if materials.is_empty() {
                        self.note(
                            "报送材料",
                            "没有找到要报送的材料种类（如“图片、视频、活动稿件、新媒体产品”）"
                                .into(),
                        );
                    }
                    return Some(Deadline {
                        at,
                        text,
                        receiver,
                        materials,
                    });
                }
            }
        }
        self.missing(
            "截止时间",
            "没有找到报送截止时间（如“请于3月12日前……报送……”），请在编辑器中填写".into(),
        );
        None
    }

    /// (receiver, contact person, phone, e-mail).
    fn contacts(
        &mut self,
        paras: &[String],
        deadline: Option<&Deadline>,
    ) -> (String, String, String, String) {
        let mut person = String::new();
        let mut phone = String::new();
        let mut email = String::new();
        let field = |s: &str, keys: &[&str]| -> Option<String> {
            let s = s.trim();
            keys.iter().find_map(|k| {
                let rest = s.strip_prefix(k)?;
                let rest = rest.trim_start().strip_prefix(['：', ':'])?;
                Some(rest.trim().trim_end_matches(['。', '；', '，']).to_string())
            })
        };
        for p in paras {
            for part in p.split(['；', '，', ';']) {
                let part = part.trim();
                if person.is_empty()
                    && let Some(v) = field(part, &["联系人"])
                {
                    person = v;
                } else if phone.is_empty()
                    && let Some(v) = field(part, &["联系电话", "电话", "联系方式"])
                {
                    phone = v;
                } else if email.is_empty()
                    && let Some(v) = field(
                        part,
                        &[
                            "电子邮箱",
                            "电子信箱",
                            "邮箱",
                            "E-mail",
                            "Email",
                            "email",
                            "E-MAIL",
                        ],
                    )
                {
                    email = v;
                }
            }
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
        if person.is_empty() {
            self.note("联系人", "没有找到联系人".into());
        }
        if phone.is_empty() {
            self.note("联系电话", "没有找到联系电话".into());
        }
        if email.is_empty() {
            self.note("邮箱", "没有找到邮箱".into());
        }
        (receiver, person, phone, email)
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
                        "“{number}、{head_title}”是工作要求，没有作为板块；如需报送请在编辑器中添加"
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
        let best = [
            ItemStyle::Inline,
            ItemStyle::Paren,
            ItemStyle::Digit,
            ItemStyle::ParenDigit,
        ]
        .into_iter()
        .map(|style| (style, markers(body, style)))
        .filter(|(_, m)| m.len() >= 2)
        .max_by_key(|(_, m)| m.len());
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
}

fn has_deadline_clause(p: &str) -> bool {
    Regex::new(r"(?:于|在)\s*(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日[^。]{0,12}(?:前|之前|以前)[^。]*(?:报|送|交|发)")
        .is_ok_and(|re| re.is_match(p))
}

fn end_of_day(date: NaiveDate, time: Option<NaiveTime>) -> Option<DateTime<FixedOffset>> {
    let time = time.or_else(|| NaiveTime::from_hms_opt(23, 59, 59))?;
    crate::dates::china()
        .from_local_datetime(&date.and_time(time))
        .single()
}

/// After the deadline: `及时报送市妇联宣传部` → 市妇联宣传部.
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
        .trim_start_matches(['至', '到', '给'])
        .trim_end_matches(['。', '，', '；'])
        .trim();
    if name.is_empty()
        || name.contains('@')
        || name.starts_with("邮箱")
        || name.chars().count() > 24
    {
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
fn markers(body: &str, style: ItemStyle) -> Vec<Marker> {
    let pattern = match style {
        ItemStyle::Inline => r"(?:^|[。！？；\n])\s*(([一二三四五六七八九十]+)(?:是|要))",
        ItemStyle::Paren => r"(?:^|[。！？；\n])\s*(（([一二三四五六七八九十]+)）)",
        ItemStyle::Digit => r"(?:^|\n)\s*((\d{1,2})[\.．、])",
        ItemStyle::ParenDigit => r"(?:^|[。！？；\n])\s*(（(\d{1,2})）)",
    };
    let Ok(re) = Regex::new(pattern) else {
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

//! 报送情况汇总: the bundles in a folder (the intake's store, a download folder, a USB stick),
//! read by their manifests only (nothing hashed), against the campaign's list of units: who
//! reported, when, on time or late, and what they sent. Units that have not reported come first
//! — the department calls them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use unicode_width::UnicodeWidthStr;

use super::audit::AuditEvent;
use super::{Bundle, DeskError};
use crate::campaign::Campaign;
use crate::units::human_bytes;
use crate::work::Work;

/// How deep below the chosen folder bundles are looked for (a store, a unit's subfolder, …).
const DEPTH: usize = 4;

/// What a folder holds.
#[derive(Debug, Default, Clone)]
pub struct Found {
    pub bundles: Vec<Bundle>,
    /// Files that look like bundles but cannot be opened, with the reason (in Chinese).
    pub unreadable: Vec<(PathBuf, String)>,
    /// Uploads the intake has not finished receiving (their tus info says more is to come).
    pub in_progress: Vec<PathBuf>,
    /// The intake's audit log, when the folder is its store.
    pub audit: Vec<AuditEvent>,
}

/// Look for bundles under `folder`: every file that starts like a zip, except uploads still
/// arriving. Links are not followed.
pub fn scan(folder: &Path, work: &dyn Work) -> Result<Found, DeskError> {
    let mut found = Found::default();
    let mut candidates = Vec::new();
    walk(folder, 0, &mut candidates).map_err(|source| DeskError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    candidates.sort();
    let total = candidates.len() as u64;
    for (n, path) in candidates.into_iter().enumerate() {
        if work.should_stop() {
            return Err(DeskError::Cancelled);
        }
        work.progress("正在读取材料包清单", n as u64, total);
        if still_arriving(&path) {
            found.in_progress.push(path);
            continue;
        }
        match Bundle::open(&path) {
            Ok(b) => found.bundles.push(b),
            Err(e) => found.unreadable.push((path, e.user_message())),
        }
    }
    work.progress("正在读取材料包清单", total, total);
    found.audit = super::audit::read(folder);
    Ok(found)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let entries = std::fs::read_dir(dir)?;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if depth < DEPTH {
                // A subfolder that cannot be read is skipped, not fatal.
                let _ = walk(&path, depth + 1, out);
            }
        } else if kind.is_file() && looks_like_zip(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Zips that are never bundles: the desk's own Excel table saved beside them, Office files.
const NOT_BUNDLES: &[&str] = &["json", "tmp", "xlsx", "xlsm", "docx", "pptx", "odt", "ods"];

fn looks_like_zip(path: &Path) -> bool {
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| NOT_BUNDLES.iter().any(|n| e.eq_ignore_ascii_case(n)))
    {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

/// An upload whose tus record announces more bytes than its file has yet.
fn still_arriving(path: &Path) -> bool {
    let Some(size) = super::intake_record(path).and_then(|r| r.size) else {
        return false;
    };
    std::fs::metadata(path).is_ok_and(|m| m.len() < size)
}

/// Why a bundle in the intake's store does not count for any unit, if it does not: the intake
/// never confirmed it (未核验), or it names another unit than the token it came with (单位不符 —
/// one unit reporting for, or replacing, another).
fn doubt(b: &Bundle) -> Option<String> {
    let record = b.intake.as_ref()?;
    if record.sha256.is_none() {
        return Some(
            "未核验：接收端没有核对它的校验值（没有确认收齐），不计为已报送。请让该单位重新报送。"
                .into(),
        );
    }
    let named = b.manifest.unit.name.trim();
    match record.unit.as_deref() {
        Some(sender) if sender.trim() != named => Some(format!(
            "单位不符：材料包写的是“{named}”，却是用“{sender}”的访问令牌报送的，不计入任何单位。请与两个单位核实。"
        )),
        _ => None,
    }
}

/// What one unit's (latest) bundle says.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub path: PathBuf,
    pub received: Option<DateTime<FixedOffset>>,
    pub late: bool,
    /// Activities per pillar, in the template's order.
    pub per_pillar: Vec<usize>,
    pub activities: usize,
    pub photos: usize,
    pub videos: usize,
    pub documents: usize,
    pub links: usize,
    pub participants: u64,
    /// The zip's size.
    pub bytes: u64,
    pub contact_person: String,
    pub phone: String,
    /// The bundle's own time (its draft's last change).
    pub made_at: DateTime<FixedOffset>,
    /// The sha256 the intake verified on arrival; outside its store, the file's own once read
    /// to match a review ([`Tally::apply_reviews`]); `None` otherwise.
    pub sha256: Option<String>,
    /// 修改后重新报送: the bundle this one replaces (the one the department returned), and its
    /// version number, as its manifest says.
    pub replaces: Option<String>,
    pub version: Option<u32>,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub unit: String,
    /// The latest bundle from the unit; `None`: not reported.
    pub latest: Option<Received>,
    /// How many bundles of the unit are in the folder (re-sends).
    pub copies: usize,
    /// The unit's other bundles, oldest first (kept and openable; the latest counts).
    pub earlier: Vec<Received>,
    /// The department's review of the latest bundle (已通过, 退回修改, 已阅), once
    /// [`Tally::apply_reviews`] has been given what the desk published.
    pub review: Option<String>,
}

/// 报送情况汇总.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub campaign_title: String,
    pub deadline: Option<DateTime<FixedOffset>>,
    /// The pillars' headings…
    pub pillars: Vec<String>,
    /// …and numbers (一, 二, 三: the columns 板块一活动…).
    pub pillar_numbers: Vec<String>,
    /// The template's units: not reported first, then reported (each in the template's order).
    pub rows: Vec<Row>,
    /// Units that typed their name (agency women's committees) or are not on the list.
    pub others: Vec<Row>,
    /// Bundles of another campaign (another year's, another notice's).
    pub foreign: Vec<(PathBuf, String)>,
    /// Bundles in the intake's store that count for no unit: unverified, or sent with another
    /// unit's token (see [`doubt`]).
    pub doubtful: Vec<(PathBuf, String)>,
    pub unreadable: Vec<(PathBuf, String)>,
    pub in_progress: Vec<PathBuf>,
    /// What the intake's audit log says of each unit, in the deadline's zone: (unit, lines).
    pub audit: Vec<(String, Vec<String>)>,
}

impl Tally {
    pub fn reported(&self) -> usize {
        self.rows.iter().filter(|r| r.latest.is_some()).count()
    }

    pub fn missing(&self) -> usize {
        self.rows.len() - self.reported()
    }

    /// 应报 41 个单位，已报 3，未报 38，逾期 1
    pub fn summary(&self) -> String {
        format!(
            "应报 {} 个单位，已报 {}，未报 {}，逾期 {}",
            self.rows.len(),
            self.reported(),
            self.missing(),
            self.late()
        )
    }

    /// Every line of the table in order, with whether the unit typed its name (listed below
    /// the template's units, marked 自填).
    pub fn lines(&self) -> impl Iterator<Item = (&Row, bool)> {
        self.rows
            .iter()
            .map(|r| (r, false))
            .chain(self.others.iter().map(|r| (r, true)))
    }

    /// The 审核 column from the reviews the desk published, matched by the bundle's sha256 (the
    /// one the intake verified; for a bundle outside its store, the file's own, read only when a
    /// review of a bundle of that name for that unit exists) and by the unit. And 逾期 of a
    /// correction the department asked for: judged on the first version — only when the late
    /// bundle replaces one of this unit's own, on time, that the department returned (a
    /// manifest's word alone is not evidence).
    pub fn apply_reviews(&mut self, messages: &[crate::review::Message]) {
        let deadline = self.deadline;
        for row in self.rows.iter_mut().chain(self.others.iter_mut()) {
            let unit = row.unit.clone();
            for r in row.earlier.iter_mut().chain(row.latest.iter_mut()) {
                if r.sha256.is_none() && named_in(r, &unit, messages) {
                    r.sha256 = crate::hashing::sha256_file(&r.path, &crate::work::Unwatched)
                        .ok()
                        .flatten();
                }
            }
            row.review = row.latest.as_ref().map(|l| {
                review_for(l, &unit, messages).map_or_else(
                    || "待审核".to_string(),
                    |m| {
                        m.verdict()
                            .map_or("", crate::review::Verdict::label)
                            .to_string()
                    },
                )
            });
            let returned_on_time = |sha: &str| {
                row.earlier.iter().any(|e| {
                    e.sha256.as_deref() == Some(sha)
                        && e.received.zip(deadline).is_some_and(|(t, d)| t <= d)
                        && review_for(e, &unit, messages)
                            .is_some_and(|m| m.verdict() == Some(crate::review::Verdict::Returned))
                })
            };
            let exempt = row
                .latest
                .as_ref()
                .is_some_and(|l| l.late && l.replaces.as_deref().is_some_and(returned_on_time));
            if exempt && let Some(l) = row.latest.as_mut() {
                l.late = false;
            }
        }
    }

    pub fn late(&self) -> usize {
        self.rows
            .iter()
            .chain(&self.others)
            .filter(|r| r.latest.as_ref().is_some_and(|l| l.late))
            .count()
    }
}

/// The table of `found` against `campaign`.
pub fn tally(campaign: &Campaign, found: &Found) -> Tally {
    let mut by_unit: Vec<(String, bool, &Bundle)> = Vec::new();
    let mut foreign = Vec::new();
    let mut doubtful = Vec::new();
    for b in &found.bundles {
        if b.manifest.campaign.id != campaign.id {
            foreign.push((
                b.path.clone(),
                format!(
                    "不是本次活动的材料包（是“{}”的）",
                    b.manifest.campaign.title
                ),
            ));
            continue;
        }
        if let Some(why) = doubt(b) {
            doubtful.push((b.path.clone(), why));
            continue;
        }
        let name = b.manifest.unit.name.trim().to_string();
        let listed = !b.manifest.unit.typed && campaign.units.contains(&name);
        by_unit.push((name, listed, b));
    }
    let row_of = |unit: &str| {
        let mine: Vec<&Bundle> = by_unit
            .iter()
            .filter(|(n, _, _)| n == unit)
            .map(|(_, _, b)| *b)
            .collect();
        // The latest to arrive counts (a re-send after a correction).
        let mut all: Vec<Received> = mine.iter().map(|b| received(campaign, b)).collect();
        all.sort_by_key(|r| (r.received, r.made_at));
        let latest = all.pop();
        Row {
            unit: unit.to_string(),
            latest,
            copies: mine.len(),
            earlier: all,
            review: None,
        }
    };
    let all: Vec<Row> = campaign.units.iter().map(|u| row_of(u)).collect();
    let (mut rows, reported): (Vec<Row>, Vec<Row>) =
        all.into_iter().partition(|r| r.latest.is_none());
    rows.extend(reported);
    let mut others: Vec<String> = by_unit
        .iter()
        .filter(|(n, listed, _)| !listed && !campaign.units.contains(n))
        .map(|(n, _, _)| n.clone())
        .collect();
    others.sort();
    others.dedup();
    Tally {
        campaign_title: campaign.title.clone(),
        deadline: Some(campaign.deadline),
        pillars: campaign.pillars.iter().map(|p| p.heading()).collect(),
        pillar_numbers: campaign.pillars.iter().map(|p| p.number.clone()).collect(),
        rows,
        others: others.iter().map(|u| row_of(u)).collect(),
        foreign,
        doubtful,
        unreadable: found.unreadable.clone(),
        in_progress: found.in_progress.clone(),
        audit: audit_by_unit(&found.audit, campaign.deadline.timezone()),
    }
}

/// The audit log's events grouped by unit (in the order the units first appear), as lines.
fn audit_by_unit(events: &[AuditEvent], zone: FixedOffset) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in events {
        let line = e.line(zone);
        match out.iter_mut().find(|(u, _)| *u == e.unit) {
            Some((_, lines)) => lines.push(line),
            None => out.push((e.unit.clone(), vec![line])),
        }
    }
    out
}

fn received(campaign: &Campaign, b: &Bundle) -> Received {
    let m = &b.manifest;
    let per_pillar = campaign
        .pillars
        .iter()
        .map(|p| {
            m.pillars
                .iter()
                .filter(|e| e.id == p.id)
                .flat_map(|e| &e.items)
                .map(|i| i.activities.len())
                .sum()
        })
        .collect();
    // Counted from what the manifest lists, not from its `totals` (a sender's word).
    let activities = || {
        m.pillars
            .iter()
            .flat_map(|p| &p.items)
            .flat_map(|i| &i.activities)
    };
    let attachments = activities().flat_map(|a| &a.attachments).chain(&m.general);
    let (mut photos, mut videos, mut documents, mut links) = (0, 0, 0, 0);
    for a in attachments {
        match a.kind.as_str() {
            "photo" => photos += 1,
            "video" => videos += 1,
            "link" => links += 1,
            _ => documents += 1,
        }
    }
    Received {
        path: b.path.clone(),
        received: b.received,
        late: b.received.is_some_and(|t| t > campaign.deadline),
        per_pillar,
        activities: activities().count(),
        photos,
        videos,
        documents,
        links,
        participants: activities().filter_map(|a| a.participant_count).sum(),
        bytes: b.bytes,
        contact_person: m.unit.contact_person.clone(),
        phone: m.unit.phone.clone(),
        made_at: m.draft.updated_at,
        sha256: b.intake.as_ref().and_then(|r| r.sha256.clone()),
        replaces: m.draft.replaces.clone(),
        version: m.draft.version,
    }
}

/// Is there a review for `unit` of a bundle named as `r`'s file (its sha256 then worth reading)?
fn named_in(r: &Received, unit: &str, messages: &[crate::review::Message]) -> bool {
    let name = r
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    messages.iter().any(|m| {
        m.unit == unit
            && matches!(&m.body, crate::review::Body::Review { bundle_name, .. } if *bundle_name == name)
    })
}

/// The department's latest review of this bundle of `unit`, among `messages`: by the bundle's
/// sha256 and the unit, never by a file name (two units' bundles may share one).
pub fn review_for<'a>(
    r: &Received,
    unit: &str,
    messages: impl IntoIterator<Item = &'a crate::review::Message>,
) -> Option<&'a crate::review::Message> {
    let sha = r.sha256.as_deref()?;
    messages
        .into_iter()
        .filter(|m| m.unit == unit && m.bundle().is_some_and(|b| b.eq_ignore_ascii_case(sha)))
        .max_by_key(|m| m.issued_at)
}

/// `2024-03-10 10:15`, in the deadline's time zone.
pub fn when(t: &Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "时间不明".into())
}

/// 按时 / 逾期 / 未报送.
pub fn timeliness(row: &Row) -> &'static str {
    match &row.latest {
        None => "未报送",
        Some(r) if r.received.is_none() => "时间不明",
        Some(r) if r.late => "逾期",
        Some(_) => "按时",
    }
}

/// The table's columns, as in the window and the Excel file.
pub fn headers(t: &Tally) -> Vec<String> {
    let mut h: Vec<String> = ["序号", "单位", "报送情况", "收到时间", "是否按时"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for number in &t.pillar_numbers {
        h.push(format!("板块{number}活动"));
    }
    h.extend(
        [
            "活动合计",
            "图片",
            "视频",
            "文件",
            "链接",
            "材料包大小",
            "联系人",
            "联系电话",
            "备注",
            "审核",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

/// The unit as the table names it: 自填 when it typed its name.
pub fn unit_label(row: &Row, typed: bool) -> String {
    if typed {
        format!("{}（自填）", row.unit)
    } else {
        row.unit.clone()
    }
}

/// One row's cells as text.
pub fn cells(n: usize, row: &Row, typed: bool, pillars: usize) -> Vec<String> {
    let mut c = vec![n.to_string(), unit_label(row, typed)];
    match &row.latest {
        None => {
            c.push("未报送".into());
            c.push(String::new());
            c.push(String::new());
            c.extend(std::iter::repeat_n(String::new(), pillars + 6));
            c.extend([String::new(), String::new(), String::new(), String::new()]);
        }
        Some(r) => {
            c.push("已报送".into());
            c.push(when(&r.received));
            c.push(timeliness(row).into());
            c.extend(r.per_pillar.iter().map(|p| p.to_string()));
            c.extend([
                r.activities.to_string(),
                r.photos.to_string(),
                r.videos.to_string(),
                r.documents.to_string(),
                r.links.to_string(),
                human_bytes(r.bytes),
                r.contact_person.clone(),
                r.phone.clone(),
                match (row.copies, r.version) {
                    (n, Some(v)) if n > 1 => {
                        format!("第{v}版（按退回意见修改），共收到{n}份，按最后一份统计")
                    }
                    (n, _) if n > 1 => format!("共收到{n}份，按最后一份统计"),
                    _ => String::new(),
                },
                row.review.clone().unwrap_or_default(),
            ]);
        }
    }
    c
}

/// The table as plain text (the CLI's `desk`), columns aligned for CJK.
pub fn text(t: &Tally) -> String {
    let mut out = format!("{}\n报送情况汇总：{}\n", t.campaign_title, t.summary());
    if let Some(d) = t.deadline {
        out.push_str(&format!("截止时间：{}\n", d.format("%Y-%m-%d %H:%M")));
    }
    let headers = headers(t);
    let mut lines = vec![headers];
    for (n, (row, typed)) in t.lines().enumerate() {
        lines.push(cells(n + 1, row, typed, t.pillars.len()));
    }
    out.push('\n');
    out.push_str(&aligned(&lines));
    for (path, why) in &t.unreadable {
        out.push_str(&format!("无法读取：{}：{why}\n", path.display()));
    }
    for (path, why) in &t.doubtful {
        out.push_str(&format!("未计入：{}：{why}\n", path.display()));
    }
    for (path, why) in &t.foreign {
        out.push_str(&format!("已略过：{}：{why}\n", path.display()));
    }
    for path in &t.in_progress {
        out.push_str(&format!("正在上传（未传完）：{}\n", path.display()));
    }
    if !t.audit.is_empty() {
        out.push_str("\n接收记录（接收端日志 intake-audit.jsonl）：\n");
        for (unit, lines) in &t.audit {
            out.push_str(&format!("{unit}：\n"));
            for line in lines {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out
}

fn aligned(lines: &[Vec<String>]) -> String {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let mut text = String::new();
        for (c, cell) in line.iter().enumerate() {
            text.push_str(cell);
            if c + 1 < line.len() {
                text.push_str(&" ".repeat(widths[c].saturating_sub(cell.width()) + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

//! The campaign template: the city federation's notice as data. Pillars (一、二、三) with the
//! notice's own wording, their items and hints, the activity fields, the campaign window and the
//! deadline, the receiver and its contact details, and an optional intake endpoint.
//!
//! The 2024 campaign is embedded in the binary ([`Campaign::builtin`]); next year's notice is
//! another file opened with [`Campaign::load`], no rebuild needed. The schema is documented in
//! `docs/campaign-template.md`.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::CoreError;
use super::ids::ItemId;

pub mod channel;
mod docx;
pub mod edit;
pub mod notice;
pub mod signing;
pub mod units_file;

/// The newest template schema this program reads.
pub const TEMPLATE_SCHEMA: u32 = 1;

const BUILTIN_JSON: &str = include_str!("../../../../assets/campaigns/cq-sanba-2024.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub schema: u32,
    pub id: String,
    /// The published version (1, 2 …; 0 for a template never published). A clerk's app takes a
    /// campaign from the intake only in a version newer than the one it has.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u32,
    pub year: i32,
    pub title: String,
    #[serde(default)]
    pub theme: String,
    pub issuer: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub notice_title: String,
    #[serde(default)]
    pub notice_date: Option<NaiveDate>,
    pub window: Window,
    pub deadline: DateTime<FixedOffset>,
    #[serde(default)]
    pub deadline_text: String,
    #[serde(default)]
    pub material_kinds_text: String,
    pub receiver: Receiver,
    #[serde(default)]
    pub intake: Option<Intake>,
    pub units: Vec<String>,
    #[serde(default)]
    pub typed_unit_hint: String,
    pub activity_fields: ActivityFields,
    #[serde(default)]
    pub attachments: AttachmentRules,
    pub pillars: Vec<Pillar>,
    /// What the notice reader could not read (截止时间, 板块 …): a template with any is a draft
    /// for the department's editor, refused everywhere else until they are filled in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The days an activity may fall on (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receiver {
    pub name: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// Where a finished bundle is uploaded (used by the submit issue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intake {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub token: Option<String>,
    /// Send over plain `http://` to a host other than this PC. Honoured only from IT's
    /// `baosong.toml`: a template or the settings cannot switch encryption off.
    #[serde(default)]
    pub allow_http: bool,
}

impl Intake {
    pub fn new(url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            url: url.into(),
            token,
            allow_http: false,
        }
    }
}

/// The six fields of an activity. Their keys are fixed (the code and the bundle's manifest know
/// them); the template sets their labels, hints, whether they are required and their length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityFields {
    pub title: FieldSpec,
    pub date: FieldSpec,
    pub place: FieldSpec,
    pub organiser: FieldSpec,
    pub participants: FieldSpec,
    pub summary: FieldSpec,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub label: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<usize>,
    /// A length the notice advises (简要情况 “300字以内为宜”): past it the counter turns amber,
    /// nothing is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advised_chars: Option<usize>,
    #[serde(default)]
    pub hint: String,
}

/// Attachment kinds and their limits (used by the media issue).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachmentRules {
    #[serde(default)]
    pub photo: Option<FileRule>,
    #[serde(default)]
    pub video: Option<FileRule>,
    #[serde(default)]
    pub document: Option<FileRule>,
    #[serde(default)]
    pub link: Option<LinkRule>,
}

impl AttachmentRules {
    /// The limits for one kind of file, if the template sets any.
    pub fn rule(&self, kind: super::draft::FileKind) -> Option<&FileRule> {
        use super::draft::FileKind;
        match kind {
            FileKind::Photo => self.photo.as_ref(),
            FileKind::Video => self.video.as_ref(),
            FileKind::Document => self.document.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRule {
    pub label: String,
    #[serde(default)]
    pub extensions: Vec<String>,
    pub max_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRule {
    pub label: String,
    #[serde(default)]
    pub platforms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pillar {
    pub id: String,
    /// 一、二、三
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub intro: String,
    pub items: Vec<Item>,
}

impl Pillar {
    /// `一、强化政治引领，筑牢思想根基`
    pub fn heading(&self) -> String {
        format!("{}、{}", self.number, self.title)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    /// 一是、二是 … as the notice words it.
    #[serde(default)]
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub hint: String,
    /// At least this many photos per activity (checked on 检查并提交).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_photos: Option<u32>,
    /// The materials the department expects for each activity of this item (a video for the
    /// 短视频 item …): a missing one is a reminder on the clerk's check page, never a refusal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expects: Vec<Expected>,
}

/// A kind of material an item expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    Photo,
    Video,
    Document,
    Link,
}

impl Expected {
    pub const ALL: [Self; 4] = [Self::Photo, Self::Video, Self::Document, Self::Link];

    pub fn label(self) -> &'static str {
        match self {
            Self::Photo => "图片",
            Self::Video => "视频",
            Self::Document => "活动稿件",
            Self::Link => "新媒体链接",
        }
    }
}

impl Campaign {
    /// The 2024 campaign, embedded in the binary.
    pub fn builtin() -> Result<Self, CoreError> {
        Self::from_json_str(BUILTIN_JSON, "内置模板（2024年）")
    }

    /// Read a template file (next year's notice).
    pub fn load(path: &Path) -> Result<Self, CoreError> {
        let bytes = std::fs::read(path).map_err(|source| CoreError::TemplateRead {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| CoreError::TemplateInvalid {
            origin: origin.clone(),
            problem: "文件不是 UTF-8 编码的文本".into(),
        })?;
        Self::from_json_str(text.trim_start_matches('\u{feff}'), &origin)
    }

    /// Parse and check a template; `origin` names it in messages (a path, or 内置模板).
    pub fn from_json_str(text: &str, origin: &str) -> Result<Self, CoreError> {
        let invalid = |problem: String| CoreError::TemplateInvalid {
            origin: origin.to_string(),
            problem,
        };
        if text.trim().is_empty() {
            return Err(invalid("文件是空的".into()));
        }
        // Look at the schema first, so a newer template says so instead of "missing field".
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(json_problem(&e)))?;
        match value.get("schema").and_then(serde_json::Value::as_u64) {
            None => return Err(invalid("缺少 schema（模板格式版本号）".into())),
            Some(s) if s > u64::from(TEMPLATE_SCHEMA) => {
                return Err(invalid(format!(
                    "模板格式版本为 {s}，本程序只支持到 {TEMPLATE_SCHEMA}，请升级报送程序"
                )));
            }
            Some(_) => {}
        }
        let campaign: Campaign =
            serde_json::from_value(value).map_err(|e| invalid(json_problem(&e)))?;
        campaign.check().map_err(invalid)?;
        Ok(campaign)
    }

    /// What serde cannot say: ids unique, nothing empty, the window in order.
    fn check(&self) -> Result<(), String> {
        if !self.unread.is_empty() {
            return Err(format!(
                "模板还有未能从通知中识别的内容：{}，请在收件台的活动编辑器中补全后再使用",
                self.unread.join("、")
            ));
        }
        if self.id.trim().is_empty() {
            return Err("活动编号 id 为空".into());
        }
        // The id names files on every PC and on the intake: nothing that is a path.
        let id_ok = self.id.len() <= 64
            && self
                .id
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(format!(
                "活动编号“{}”只能由小写字母、数字和“-”组成（至多64个）",
                self.id
            ));
        }
        if self.title.chars().count() > 200 {
            return Err("活动标题超过200字".into());
        }
        if self.title.trim().is_empty() {
            return Err("活动标题 title 为空".into());
        }
        if self.window.start > self.window.end {
            return Err(format!(
                "活动期间 window 的开始日期 {} 晚于结束日期 {}",
                self.window.start, self.window.end
            ));
        }
        if self.units.is_empty() {
            return Err("报送单位名单 units 为空".into());
        }
        if self.pillars.is_empty() {
            return Err("没有任何板块 pillars".into());
        }
        let mut ids = HashSet::new();
        for pillar in &self.pillars {
            if pillar.title.trim().is_empty() {
                return Err(format!("板块“{}”的标题为空", pillar.id));
            }
            if !ids.insert(pillar.id.as_str()) {
                return Err(format!("板块编号“{}”重复", pillar.id));
            }
            if pillar.items.is_empty() {
                return Err(format!("板块“{}”没有任何事项 items", pillar.heading()));
            }
            for item in &pillar.items {
                if item.title.trim().is_empty() {
                    return Err(format!(
                        "板块“{}”中事项“{}”的标题为空",
                        pillar.heading(),
                        item.id
                    ));
                }
                if item.id.as_str().trim().is_empty() || !ids.insert(item.id.as_str()) {
                    return Err(format!("事项编号“{}”为空或重复", item.id));
                }
            }
        }
        Ok(())
    }

    /// The item with this id, with its pillar.
    pub fn item(&self, item_id: &str) -> Option<(&Pillar, &Item)> {
        self.items().find(|(_, it)| it.id == item_id)
    }

    /// The first item's id (where the task list opens).
    pub fn first_item_id(&self) -> ItemId {
        self.items()
            .next()
            .map(|(_, it)| it.id.clone())
            .unwrap_or_default()
    }

    /// What the template is called where its source is shown: the notice's document number.
    pub fn short_name(&self) -> String {
        if self.document_number.is_empty() {
            format!("{}年通知", self.year)
        } else {
            self.document_number.clone()
        }
    }

    /// The item after (`step` = 1) or before (-1) this one, in the notice's order.
    pub fn neighbour(&self, item_id: &str, step: isize) -> Option<&Item> {
        let all: Vec<&Item> = self.items().map(|(_, it)| it).collect();
        let here = all.iter().position(|it| it.id == item_id)?;
        let there = here.checked_add_signed(step)?;
        all.get(there).copied()
    }

    /// What changed from `old` to this version of the same campaign, in words for the clerk:
    /// the deadline, items renamed, added or removed (a draft keeps what was written under an
    /// item removed; it is no longer asked for).
    pub fn changes_from(&self, old: &Campaign) -> Vec<String> {
        let mut out = Vec::new();
        if self.deadline != old.deadline {
            out.push(format!(
                "截止时间改为{}",
                crate::dates::chinese_date_time(self.deadline)
            ));
        }
        for (_, item) in self.items() {
            match old.item(item.id.as_str()) {
                Some((_, was)) if was.title != item.title => {
                    out.push(format!("事项“{}”改为“{}”", was.title, item.title));
                }
                Some(_) => {}
                None => out.push(format!("新增事项“{}”", item.title)),
            }
        }
        for (_, item) in old.items() {
            if self.item(item.id.as_str()).is_none() {
                out.push(format!(
                    "删去事项“{}”（草稿中已填写的内容仍保留）",
                    item.title
                ));
            }
        }
        out
    }

    /// Every item, in the notice's order.
    pub fn items(&self) -> impl Iterator<Item = (&Pillar, &Item)> {
        self.pillars
            .iter()
            .flat_map(|p| p.items.iter().map(move |it| (p, it)))
    }
}

/// A serde_json error in Chinese, with the line and column.
fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let place = format!("第{}行第{}列", e.line(), e.column());
    match e.classify() {
        Category::Eof => format!("文件不完整（在{place}意外结束）"),
        Category::Syntax => format!("{place}不是正确的 JSON 格式"),
        Category::Data => format!("{place}内容不符合模板格式：{e}"),
        Category::Io => format!("读取失败：{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_template_carries_the_notice() {
        let c = Campaign::builtin().unwrap();
        assert_eq!(c.year, 2024);
        assert_eq!(c.pillars.len(), 3);
        assert_eq!(c.pillars[0].heading(), "一、强化政治引领，筑牢思想根基");
        assert_eq!(c.pillars[1].title, "开展主题活动，营造节日氛围");
        assert_eq!(c.pillars[2].title, "聚焦妇儿需求，办好民生实事");
        let titles: Vec<_> = c.items().map(|(_, it)| it.title.as_str()).collect();
        assert!(titles.contains(&"加强理论武装"));
        assert!(titles.contains(&"强化宣传宣讲"));
        assert!(titles.contains(&"抓好宣教融合"));
        assert!(titles.contains(&"切实维护妇女儿童合法权益"));
        assert_eq!(c.items().count(), 10);
        assert_eq!(c.receiver.name, "市妇联宣传部");
        assert_eq!(c.receiver.email, "cqflxcb@163.com");
        assert_eq!(
            c.deadline.date_naive(),
            NaiveDate::from_ymd_opt(2024, 3, 12).unwrap()
        );
    }

    #[test]
    fn builtin_units_are_the_38_districts_and_counties_plus_three() {
        let c = Campaign::builtin().unwrap();
        assert_eq!(c.units.len(), 41);
        let districts = c.units.iter().filter(|u| u.ends_with("区妇联")).count();
        let counties = c.units.iter().filter(|u| u.ends_with("县妇联")).count();
        // 26 districts + 两江新区, 西部科学城重庆高新区, 万盛经开区 (all end in 区妇联);
        // 8 counties + 4 autonomous counties.
        assert_eq!(districts, 29);
        assert_eq!(counties, 12);
        assert!(c.units.contains(&"万盛经开区妇联".to_string()));
        let unique: HashSet<_> = c.units.iter().collect();
        assert_eq!(unique.len(), c.units.len());
    }

    fn builtin_value() -> serde_json::Value {
        serde_json::from_str(BUILTIN_JSON).unwrap()
    }

    fn message_for(text: &str) -> String {
        match Campaign::from_json_str(text, "测试模板.json") {
            Ok(_) => panic!("accepted a bad template: {text:.80}"),
            Err(e) => e.user_message(),
        }
    }

    #[test]
    fn malformed_templates_name_the_file_and_the_problem() {
        let mut cut = BUILTIN_JSON.len() / 2;
        while !BUILTIN_JSON.is_char_boundary(cut) {
            cut -= 1;
        }
        let truncated = &BUILTIN_JSON[..cut];
        let m = message_for(truncated);
        assert!(
            m.contains("测试模板.json") && m.contains("文件不完整"),
            "{m}"
        );

        assert!(message_for("").contains("文件是空的"));
        assert!(message_for("{ \"schema\": 1, ").contains("不完整"));
        assert!(message_for("[1, 2,, 3]").contains("JSON"));
        assert!(message_for("{}").contains("缺少 schema"));

        let mut v = builtin_value();
        v["schema"] = 9.into();
        assert!(message_for(&v.to_string()).contains("请升级报送程序"));

        let mut v = builtin_value();
        v["pillars"][1]["items"][0]["id"] = "p1-1".into();
        assert!(message_for(&v.to_string()).contains("重复"));

        let mut v = builtin_value();
        v["window"]["start"] = "2024-04-01".into();
        assert!(message_for(&v.to_string()).contains("晚于"));

        let mut v = builtin_value();
        v["pillars"][2]["items"] = serde_json::json!([]);
        assert!(message_for(&v.to_string()).contains("没有任何事项"));

        let mut v = builtin_value();
        v["deadline"] = "下周五".into();
        assert!(message_for(&v.to_string()).contains("内容不符合模板格式"));

        let mut v = builtin_value();
        v["activity_fields"]["colour"] = serde_json::json!({"label": "颜色"});
        assert!(message_for(&v.to_string()).contains("colour"));
    }

    #[test]
    fn changes_between_versions_are_said_in_words() {
        let old = Campaign::builtin().unwrap();
        let mut new = old.clone();
        assert!(new.changes_from(&old).is_empty());
        new.pillars[0].items[0].title = "加强理论学习".into();
        new.pillars[2].items.pop();
        let mut added = new.pillars[1].items[0].clone();
        added.id = ItemId::from("p2-9");
        added.title = "开展家风宣传".into();
        new.pillars[1].items.push(added);
        new.deadline = DateTime::parse_from_rfc3339("2024-03-15T23:59:59+08:00").unwrap();
        assert_eq!(
            new.changes_from(&old),
            [
                "截止时间改为2024年3月15日 23:59",
                "事项“加强理论武装”改为“加强理论学习”",
                "新增事项“开展家风宣传”",
                "删去事项“切实维护妇女儿童合法权益”（草稿中已填写的内容仍保留）",
            ]
        );
    }

    #[test]
    fn load_reports_missing_and_binary_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("没有这个模板.json");
        let m = Campaign::load(&missing).unwrap_err().user_message();
        assert!(
            m.contains("没有这个模板.json") && m.contains("不存在"),
            "{m}"
        );

        let binary = dir.path().join("binary.json");
        std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81, 0x00]).unwrap();
        let m = Campaign::load(&binary).unwrap_err().user_message();
        assert!(m.contains("UTF-8"), "{m}");

        let next_year = dir.path().join("2025.json");
        let mut v = builtin_value();
        v["id"] = "cq-sanba-2025".into();
        v["year"] = 2025.into();
        std::fs::write(&next_year, format!("\u{feff}{v}")).unwrap();
        assert_eq!(Campaign::load(&next_year).unwrap().year, 2025);
    }
}

/// How long until the deadline, or how long past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    Remaining { days: i64, hours: i64 },
    Late { days: i64, hours: i64 },
}

impl Countdown {
    pub fn until(deadline: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Self {
        let delta = deadline.signed_duration_since(now);
        let (late, secs) = if delta.num_seconds() >= 0 {
            (false, delta.num_seconds())
        } else {
            (true, -delta.num_seconds())
        };
        let (days, hours) = (secs / 86_400, (secs % 86_400) / 3_600);
        if late {
            Self::Late { days, hours }
        } else {
            Self::Remaining { days, hours }
        }
    }

    pub fn is_late(self) -> bool {
        matches!(self, Self::Late { .. })
    }

    /// `距报送截止还有 11 天 13 小时` / `已超过报送截止时间 3 天（逾期）`
    pub fn label(self) -> String {
        match self {
            Self::Remaining { days: 0, hours } => format!("距报送截止不到 {} 小时", hours + 1),
            Self::Remaining { days, hours } => format!("距报送截止还有 {days} 天 {hours} 小时"),
            Self::Late { days: 0, .. } => "已超过报送截止时间（逾期）".into(),
            Self::Late { days, .. } => format!("已超过报送截止时间 {days} 天（逾期）"),
        }
    }
}

#[cfg(test)]
mod countdown_tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn counts_down_then_flags_late() {
        let deadline = t("2024-03-12T23:59:59+08:00");
        let c = Countdown::until(deadline, t("2024-03-01T10:00:00+08:00"));
        assert_eq!(
            c,
            Countdown::Remaining {
                days: 11,
                hours: 13
            }
        );
        assert_eq!(c.label(), "距报送截止还有 11 天 13 小时");
        assert_eq!(
            Countdown::until(deadline, t("2024-03-12T20:30:00+08:00")).label(),
            "距报送截止不到 4 小时"
        );
        let late = Countdown::until(deadline, t("2024-03-15T09:00:00+08:00"));
        assert!(late.is_late());
        assert_eq!(late.label(), "已超过报送截止时间 2 天（逾期）");
        // Another time zone, same instant.
        assert!(!Countdown::until(deadline, t("2024-03-12T15:00:00+00:00")).is_late());
    }
}

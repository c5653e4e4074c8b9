//! 草稿列表: every draft with its name, status, completeness and times; new, continue,
//! duplicate, delete (to the recycle area) and restore; the campaign's notice and its receiver;
//! drafts that could not be read, with what happened. The campaigns the department published
//! (开始填报, 改用新版); drafts grouped by campaign with each one's countdown when there are
//! several, those whose deadline has passed under 往年活动.

use std::path::Path;

use egui::{RichText, Ui};

use super::state::{Action, Screen};
use super::widgets;
use chrono::{DateTime, FixedOffset};

use crate::core::campaign::{Campaign, Countdown};
use crate::core::dates::chinese_date_time;
use crate::core::draft::{DraftId, Status};
use crate::core::review::{Message, Verdict, review_of};
use crate::core::store::{DraftSummary, Listing};

/// What the start screen shows.
pub struct StartView<'a> {
    pub campaign: &'a Campaign,
    pub listing: &'a Listing,
    pub template_path: Option<&'a Path>,
    /// Drafts with long work running on them (an import): not to be duplicated or deleted.
    pub busy: &'a [DraftId],
    /// Every campaign this PC has a template for (the one in use first).
    pub known: &'a [KnownCampaign],
    /// What the department published that is not in use yet.
    pub offers: &'a [OfferView],
    /// Published templates that did not verify (not used).
    pub refused: usize,
    pub now: DateTime<FixedOffset>,
    /// The department's reviews for this PC's units (verified), and whether this PC hears from
    /// it at all (IT pinned the key).
    pub reviews: &'a [Message],
    pub listening: bool,
    /// IT's baosong.toml beside the exe could not be used: what is wrong, in Chinese.
    pub portable_problem: Option<&'a str>,
}

impl StartView<'_> {
    /// The department's latest review of a sent draft's bundle.
    fn review(&self, d: &DraftSummary) -> Option<&Message> {
        match &d.status {
            Status::Submitted { receipt } => review_of(self.reviews, &receipt.bundle_sha256),
            _ => None,
        }
    }

    /// 已报送 · 已通过, 已报送 · 退回修改, 已报送 · 市妇联已收到, 草稿（第2版）…
    fn status_text(&self, d: &DraftSummary) -> String {
        match (&d.status, self.review(d)) {
            (Status::Submitted { .. }, Some(m)) => {
                format!("已报送 · {}", m.verdict().map_or("", Verdict::label))
            }
            (Status::Submitted { .. }, None) if self.listening => "已报送 · 市妇联已收到".into(),
            (s, _) if d.version > 1 => format!("{}（第{}版）", s.label(), d.version),
            (s, _) => s.label().to_string(),
        }
    }
}

/// A campaign the drafts can be grouped under.
#[derive(Debug, Clone)]
pub struct KnownCampaign {
    pub id: String,
    pub title: String,
    pub deadline: DateTime<FixedOffset>,
}

impl KnownCampaign {
    pub fn of(c: &Campaign) -> Self {
        Self {
            id: c.id.clone(),
            title: c.title.clone(),
            deadline: c.deadline,
        }
    }
}

/// One campaign offered on the start screen.
#[derive(Debug, Clone)]
pub struct OfferView {
    pub id: String,
    pub title: String,
    pub deadline: DateTime<FixedOffset>,
    pub version: u32,
    /// Not shown to the clerk before.
    pub new: bool,
    /// A newer version of the campaign in use: what changed.
    pub changes: Option<Vec<String>>,
}

/// A campaign whose deadline passed more than this long ago is 往年活动 even with unsent drafts
/// (before that, a late unit still sees it among the current ones).
const LATE_GRACE_DAYS: i64 = 30;

/// What the start screen remembers between frames.
#[derive(Debug, Default)]
pub struct StartState {
    /// The draft whose deletion waits for confirmation.
    pub confirm_delete: Option<DraftId>,
    pub show_recycle: bool,
}

pub fn ui(ui: &mut Ui, view: &StartView<'_>, state: &mut StartState, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            if let Some(problem) = view.portable_problem {
                widgets::notice_box(ui, widgets::RED, |ui| {
                    ui.label(
                        RichText::new("程序旁的 baosong.toml 有误，其中的设置都没有采用")
                            .color(widgets::RED)
                            .strong(),
                    );
                    ui.label(problem);
                });
                ui.add_space(6.0);
            }
            notice(ui, view, actions);
            offers(ui, view, actions);
            returned(ui, view, actions);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.heading("草稿列表");
                if ui.button(RichText::new("新建草稿").strong()).clicked() {
                    actions.push(Action::NewDraft);
                }
                ui.add_space(24.0);
                if ui.button("设置与帮助").clicked() {
                    actions.push(Action::GoTo(Screen::Settings));
                }
                if ui.button("使用说明").clicked() {
                    actions.push(Action::GoTo(Screen::Help));
                }
            });
            ui.add_space(4.0);
            drafts_table(ui, view, state, actions);
            quarantined(ui, view.listing);
            recycle_area(ui, view.listing, state, actions);
        });
}

fn notice(ui: &mut Ui, view: &StartView<'_>, actions: &mut Vec<Action>) {
    let campaign = view.campaign;
    widgets::notice_box(ui, widgets::GREY, |ui| {
        ui.label(RichText::new(&campaign.notice_title).strong());
        if !campaign.theme.is_empty() {
            ui.label(format!("活动主题：“{}”", campaign.theme));
        }
        // The notice's own words; the materials once (a deadline sentence may name them too).
        let materials = campaign.material_kinds_text.trim();
        if materials.is_empty() || campaign.deadline_text.contains(materials) {
            ui.label(format!("报送要求：{}。", campaign.deadline_text));
        } else {
            ui.label(format!(
                "报送内容：{materials}。{}。",
                campaign.deadline_text
            ));
        }
        ui.horizontal(|ui| {
            let published = format!("{}-v{}.json", campaign.id, campaign.version);
            let source = match view.template_path {
                Some(p)
                    if p.file_name().is_some_and(|n| *n == *published)
                        && p.parent().is_some_and(|d| d.ends_with("campaigns")) =>
                {
                    format!(
                        "活动模板：市妇联网上发布（第{}版，签名已核对）",
                        campaign.version
                    )
                }
                Some(p) => format!("活动模板：{}", p.display()),
                None => format!("活动模板：内置（{}）", campaign.short_name()),
            };
            ui.label(RichText::new(source).color(widgets::GREY).small());
            if ui.small_button("打开活动模板…").clicked() {
                actions.push(Action::OpenTemplate);
            }
            if view.template_path.is_some() && ui.small_button("改用内置模板").clicked() {
                actions.push(Action::UseBuiltinTemplate);
            }
        });
    });
}

fn offers(ui: &mut Ui, view: &StartView<'_>, actions: &mut Vec<Action>) {
    if view.offers.is_empty() && view.refused == 0 {
        return;
    }
    ui.add_space(6.0);
    widgets::notice_box(ui, widgets::GREEN, |ui| {
        for o in view.offers {
            let deadline = chinese_date_time(o.deadline);
            ui.horizontal_wrapped(|ui| match &o.changes {
                Some(changes) => {
                    ui.label(
                        RichText::new(format!("市妇联更新了本活动的模板（第{}版）", o.version))
                            .strong(),
                    );
                    if ui.button("改用新版").clicked() {
                        actions.push(Action::UseOffered {
                            id: o.id.clone(),
                            start: false,
                        });
                    }
                    if changes.is_empty() {
                        ui.label("（内容未变）");
                    }
                }
                None => {
                    if o.new {
                        ui.label(RichText::new("新").color(widgets::RED).strong());
                    }
                    ui.label(
                        RichText::new(format!(
                            "市妇联发布了新的活动：{}（截止{deadline}）",
                            o.title
                        ))
                        .strong(),
                    );
                    if ui.button("开始填报").clicked() {
                        actions.push(Action::UseOffered {
                            id: o.id.clone(),
                            start: true,
                        });
                    }
                }
            });
            for change in o.changes.iter().flatten() {
                ui.label(format!("· {change}"));
            }
        }
        if view.refused > 0 {
            ui.label(
                RichText::new(format!(
                    "另有 {} 个网上发布的活动模板没有通过市妇联签名核对，未采用（原因见日志，请告诉信息技术人员）。",
                    view.refused
                ))
                .color(widgets::AMBER),
            );
        }
    });
}

/// The drafts of one campaign.
struct Group<'a> {
    campaign: Option<&'a KnownCampaign>,
    id: &'a str,
    drafts: Vec<&'a DraftSummary>,
}

impl Group<'_> {
    /// 往年活动: past its deadline, and either everything sent or past the grace period.
    fn is_past(&self, now: DateTime<FixedOffset>) -> bool {
        let Some(c) = self.campaign else {
            return false;
        };
        let all_sent = self
            .drafts
            .iter()
            .all(|d| matches!(d.status, Status::Submitted { .. }));
        is_past(c.deadline, now, all_sent)
    }

    fn heading(&self, now: DateTime<FixedOffset>) -> String {
        match self.campaign {
            Some(c) => format!(
                "{}（截止{}，{}）",
                c.title,
                chinese_date_time(c.deadline),
                Countdown::until(c.deadline, now).label()
            ),
            None => format!("其他活动（编号 {}，本机没有它的活动模板）", self.id),
        }
    }
}

/// A campaign is 往年活动 once its deadline has passed and all its drafts are sent, or
/// [`LATE_GRACE_DAYS`] after the deadline whatever they are.
fn is_past(deadline: DateTime<FixedOffset>, now: DateTime<FixedOffset>, all_sent: bool) -> bool {
    deadline < now && (all_sent || (now - deadline).num_days() > LATE_GRACE_DAYS)
}

fn drafts_table(
    ui: &mut Ui,
    view: &StartView<'_>,
    state: &mut StartState,
    actions: &mut Vec<Action>,
) {
    if view.listing.drafts.is_empty() {
        ui.label(RichText::new("还没有草稿。点“新建草稿”开始填报。").color(widgets::GREY));
        return;
    }
    // Grouped by campaign, the one in use first, the others in the order their drafts come.
    let mut groups: Vec<Group<'_>> = Vec::new();
    for d in &view.listing.drafts {
        match groups.iter_mut().find(|g| g.id == d.campaign_id) {
            Some(g) => g.drafts.push(d),
            None => groups.push(Group {
                campaign: view.known.iter().find(|k| k.id == d.campaign_id),
                id: &d.campaign_id,
                drafts: vec![d],
            }),
        }
    }
    groups.sort_by_key(|g| g.id != view.campaign.id);
    // One campaign, as it always was: no headings.
    if groups.len() == 1 && groups[0].id == view.campaign.id {
        drafts_grid(ui, "drafts", &groups[0].drafts, view, state, actions);
        return;
    }
    let (past, current): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|g| g.is_past(view.now) && g.id != view.campaign.id);
    for g in &current {
        ui.add_space(6.0);
        ui.label(RichText::new(g.heading(view.now)).strong());
        drafts_grid(ui, g.id, &g.drafts, view, state, actions);
    }
    if !past.is_empty() {
        ui.add_space(10.0);
        let n: usize = past.iter().map(|g| g.drafts.len()).sum();
        egui::CollapsingHeader::new(format!("往年活动（{n} 份草稿）"))
            .id_salt("past-campaigns")
            .show(ui, |ui| {
                for g in &past {
                    ui.label(RichText::new(g.heading(view.now)).strong());
                    drafts_grid(ui, g.id, &g.drafts, view, state, actions);
                    ui.add_space(6.0);
                }
            });
    }
}

fn drafts_grid(
    ui: &mut Ui,
    salt: &str,
    drafts: &[&DraftSummary],
    view: &StartView<'_>,
    state: &mut StartState,
    actions: &mut Vec<Action>,
) {
    egui::Grid::new(("drafts", salt))
        .striped(true)
        .num_columns(7)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            for heading in [
                "报送单位",
                "状态",
                "完成情况",
                "活动数",
                "创建时间",
                "最后修改",
                "操作",
            ] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            // Two drafts of one unit read alike: a name shown twice says when each was made.
            let mut names: std::collections::HashMap<&str, usize> = Default::default();
            for d in drafts {
                *names.entry(d.name.as_str()).or_default() += 1;
            }
            for d in drafts {
                let shared = names.get(d.name.as_str()).is_some_and(|&n| n > 1);
                draft_row(ui, view, d, shared, state, actions);
                ui.end_row();
            }
        });
}

fn draft_row(
    ui: &mut Ui,
    view: &StartView<'_>,
    d: &DraftSummary,
    shared_name: bool,
    state: &mut StartState,
    actions: &mut Vec<Action>,
) {
    if shared_name {
        ui.label(format!(
            "{}（{}创建）",
            d.name,
            chinese_date_time(d.created_at)
        ));
    } else {
        ui.label(&d.name);
    }
    let status = view.status_text(d);
    if view
        .review(d)
        .is_some_and(|m| m.verdict() == Some(Verdict::Returned))
    {
        ui.label(RichText::new(status).color(widgets::RED).strong());
    } else {
        ui.label(status);
    }
    match d.items_done {
        Some((done, total)) => ui.label(format!("{done}/{total} 项")),
        None => ui.label(""),
    };
    ui.label(d.activity_count.to_string());
    ui.label(chinese_date_time(d.created_at));
    ui.label(chinese_date_time(d.updated_at));
    ui.horizontal(|ui| {
        // A draft of a campaign this PC has no template for cannot be opened.
        let other_campaign = !view.known.iter().any(|k| k.id == d.campaign_id);
        let busy = view.busy.contains(&d.id);
        // A draft left 报送中 (a closed window, a crash, a power cut) is never left locked.
        let open_label = match &d.status {
            Status::Submitting if busy => "查看报送进度",
            Status::Submitting => "继续报送",
            Status::Submitted { .. }
                if view
                    .review(d)
                    .is_some_and(|m| m.verdict() == Some(Verdict::Returned)) =>
            {
                "查看退回意见"
            }
            Status::Submitted { .. } => "查看回执",
            _ => "继续填写",
        };
        if ui
            .add_enabled(!other_campaign, egui::Button::new(open_label))
            .on_disabled_hover_text("本机没有此草稿所属活动的模板，请先打开对应的活动模板")
            .clicked()
        {
            actions.push(match &d.status {
                // One click resumes, from the server's offset (it once only opened the page,
                // where a second 继续报送 waited).
                Status::Submitting if !busy => Action::ResumeSending(d.id.clone()),
                _ => Action::OpenDraft(d.id.clone()),
            });
        }
        let why = "正在处理此草稿的文件（添加、导出或报送），请等待完成或取消后再操作";
        if ui
            .add_enabled(!busy, egui::Button::new("复制"))
            .on_disabled_hover_text(why)
            .clicked()
        {
            actions.push(Action::Duplicate(d.id.clone()));
        }
        if state.confirm_delete.as_ref() == Some(&d.id) {
            ui.label(RichText::new("确定删除？").color(widgets::RED));
            if ui.button("确定删除").clicked() {
                actions.push(Action::Delete(d.id.clone()));
                state.confirm_delete = None;
            }
            if ui.button("取消").clicked() {
                state.confirm_delete = None;
            }
        } else if ui
            .add_enabled(!busy, egui::Button::new("删除"))
            .on_disabled_hover_text(why)
            .clicked()
        {
            state.confirm_delete = Some(d.id.clone());
        }
    });
}

/// 市妇联退回修改: every sent draft the department returned, at the top, with its reason.
fn returned(ui: &mut Ui, view: &StartView<'_>, actions: &mut Vec<Action>) {
    for d in &view.listing.drafts {
        let Some(m) = view
            .review(d)
            .filter(|m| m.verdict() == Some(Verdict::Returned))
        else {
            continue;
        };
        widgets::notice_box(ui, widgets::RED, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("市妇联退回了“{}”的报送，请修改后重新报送", d.name))
                        .color(widgets::RED)
                        .strong(),
                );
                if ui.button("查看退回意见").clicked() {
                    actions.push(Action::OpenDraft(d.id.clone()));
                }
            });
            ui.label(m.headline());
        });
        ui.add_space(6.0);
    }
}

fn quarantined(ui: &mut Ui, listing: &Listing) {
    if listing.quarantined.is_empty() {
        return;
    }
    ui.add_space(8.0);
    widgets::notice_box(ui, widgets::AMBER, |ui| {
        ui.label(
            RichText::new("以下草稿无法读取，已移到隔离区：")
                .color(widgets::AMBER)
                .strong(),
        );
        for q in &listing.quarantined {
            ui.label(q.user_message());
        }
    });
}

fn recycle_area(ui: &mut Ui, listing: &Listing, state: &mut StartState, actions: &mut Vec<Action>) {
    ui.add_space(12.0);
    let n = listing.recycled.len();
    let label = format!("回收区（{n}）");
    if ui.selectable_label(state.show_recycle, label).clicked() {
        state.show_recycle = !state.show_recycle;
    }
    if !state.show_recycle {
        return;
    }
    if n == 0 {
        ui.label(RichText::new("回收区是空的。").color(widgets::GREY));
        return;
    }
    egui::Grid::new("recycle")
        .striped(true)
        .num_columns(4)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            for r in &listing.recycled {
                match &r.summary {
                    Some(s) => {
                        ui.label(&s.name);
                        ui.label(format!("最后修改 {}", chinese_date_time(s.updated_at)));
                    }
                    None => {
                        ui.label(r.name.as_str());
                        ui.label("（无法读取）");
                    }
                }
                match r.deleted_at {
                    Some(at) => ui.label(format!("删除于 {}", chinese_date_time(at))),
                    None => ui.label(""),
                };
                if ui.button("恢复").clicked() {
                    actions.push(Action::Restore(r.name.clone()));
                }
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn a_campaign_moves_to_past_years_when_sent_or_a_month_late() {
        let deadline = t("2025-06-06T17:00:00+08:00");
        // Before the deadline: never, sent or not.
        assert!(!is_past(deadline, t("2025-06-01T10:00:00+08:00"), true));
        // Just past it: only when everything was sent (a late unit still sees its draft).
        assert!(is_past(deadline, t("2025-06-07T10:00:00+08:00"), true));
        assert!(!is_past(deadline, t("2025-06-07T10:00:00+08:00"), false));
        assert!(!is_past(deadline, t("2025-07-06T10:00:00+08:00"), false));
        // More than 30 days past: whatever is left.
        assert!(is_past(deadline, t("2025-07-08T10:00:00+08:00"), false));
    }
}

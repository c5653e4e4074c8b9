//! 收件台, the receiving desk of the city federation's publicity department: a folder of
//! bundles (the intake's store, a download folder, a USB stick) tallied against the campaign's
//! units — 报送情况汇总, units that have not reported first, 导出 Excel, 核对全部材料包 — and one
//! bundle opened read-only: its pillars, items and activities as the clerk filled them, the
//! thumbnails and the viewer, every file marked ✓ or × against the manifest, 导出汇总文档 and
//! 导入为草稿. Nothing here edits a bundle.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use egui::{RichText, TextEdit, Ui};

use super::state::{Action, DeskAction, Screen};
use super::widgets;
use crate::core::desk::tally::Tally;
use crate::core::desk::verify::Verdict;
use crate::core::media::display_name;
use crate::core::review::{Body, Message, Note};
use crate::core::units::human_bytes;
use crate::jobs::JobProgress;

/// The folder field, and which lines of the table are shown in which order.
#[derive(Debug, Default)]
pub struct DeskForm {
    pub folder: String,
    pub filter: RowFilter,
    /// The column the table is sorted by (a click on its heading; again: the other way).
    pub sort: SortBy,
    pub descending: bool,
    /// The bundles ticked for 批量通过 (by path).
    pub selected: BTreeSet<PathBuf>,
    /// 退回修改 being written for the opened bundle.
    pub returning: Option<ReturnForm>,
    /// 催报 being written.
    pub remind: Option<RemindForm>,
}

/// 退回修改: the reason, and notes on single items or activities.
#[derive(Debug, Default, Clone)]
pub struct ReturnForm {
    pub reason: String,
    pub notes: Vec<Note>,
    /// The note being added: the item (by id), the activity (its place, 0 = the whole item),
    /// the text.
    pub item: String,
    pub activity: usize,
    pub text: String,
}

/// 催报: what to say, and to whom.
#[derive(Debug, Clone)]
pub struct RemindForm {
    pub text: String,
    /// Every unit (`false`: those not reported).
    pub everyone: bool,
}

/// What the table can be sorted by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// The campaign's order of units (those not reported first): 序号.
    #[default]
    Number,
    Received,
    Activities,
    Bytes,
}

impl SortBy {
    /// The lines in this order (`descending`: the other way); ties keep the campaign's order.
    fn arrange(
        self,
        lines: &mut [(usize, (&crate::core::desk::tally::Row, bool))],
        descending: bool,
    ) {
        use std::cmp::Ordering;
        // (Units are not sorted by name: Chinese by code point means nothing to a reader; 序号 is
        // the federation's own order.)
        let key = |r: &crate::core::desk::tally::Row| -> Option<i64> {
            let l = r.latest.as_ref();
            match self {
                Self::Number => None,
                Self::Received => l.and_then(|l| l.received).map(|t| t.timestamp()),
                Self::Activities => l.map(|l| l.activities as i64),
                Self::Bytes => l.map(|l| l.bytes as i64),
            }
        };
        lines.sort_by(|(na, (a, _)), (nb, (b, _))| {
            let o = key(a).cmp(&key(b));
            let o = if descending { o.reverse() } else { o };
            if o == Ordering::Equal { na.cmp(nb) } else { o }
        });
    }
}

/// Which units the table shows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter {
    #[default]
    All,
    Reported,
    Missing,
    Late,
    /// A bundle found not to match its manifest by 核对.
    Problem,
}

impl RowFilter {
    const ALL: [Self; 5] = [
        Self::All,
        Self::Reported,
        Self::Missing,
        Self::Late,
        Self::Problem,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::All => "全部",
            Self::Reported => "已报送",
            Self::Missing => "未报送",
            Self::Late => "逾期",
            Self::Problem => "有问题",
        }
    }

    fn keeps(
        self,
        row: &crate::core::desk::tally::Row,
        verdicts: &HashMap<PathBuf, Verdict>,
    ) -> bool {
        match self {
            Self::All => true,
            Self::Reported => row.latest.is_some(),
            Self::Missing => row.latest.is_none(),
            Self::Late => row.latest.as_ref().is_some_and(|l| l.late),
            Self::Problem => row
                .latest
                .as_ref()
                .and_then(|l| verdicts.get(&l.path))
                .is_some_and(|v| !v.intact()),
        }
    }
}

/// Work under way, as the screen shows it.
pub struct Busy {
    pub label: String,
    pub progress: JobProgress,
    pub cancellable: bool,
}

pub struct DeskView<'a> {
    pub tally: Option<&'a Tally>,
    /// The folder the table is of.
    pub read_from: Option<&'a Path>,
    pub verdicts: &'a HashMap<PathBuf, Verdict>,
    pub busy: Option<Busy>,
    /// What the desk has published (reviews, reminders), with when each was seen.
    pub reviews: &'a [(Message, Option<String>)],
}

pub(super) fn busy_line(ui: &mut Ui, busy: &Busy, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.spinner();
        let p = &busy.progress;
        let stage = if p.stage.is_empty() {
            busy.label.as_str()
        } else {
            p.stage.as_str()
        };
        if p.total > 0 {
            let fraction = p.done as f32 / p.total as f32;
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(240.0)
                    .text(format!("{stage} {:.0}%", fraction * 100.0)),
            );
        } else {
            ui.label(stage);
        }
        if busy.cancellable && ui.button("取消").clicked() {
            actions.push(Action::Desk(DeskAction::Cancel));
        }
    });
}

pub fn desk_ui(ui: &mut Ui, view: &DeskView<'_>, form: &mut DeskForm, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if ui.button("← 返回设置与帮助").clicked() {
            actions.push(Action::GoTo(Screen::Settings));
        }
        ui.separator();
        if ui
            .button("新建活动")
            .on_hover_text("从通知生成活动模板，编辑后签名发布给各单位")
            .clicked()
        {
            actions.push(Action::Editor(
                crate::gui::campaign_editor::EditorAction::Open,
            ));
        }
    });
    ui.heading("收件台");
    ui.label(
        RichText::new(
            "市妇联宣传部使用：汇总各单位报送的材料包，查看、核对、导出 Excel。材料包只读打开，不会被修改。",
        )
        .color(widgets::GREY),
    );
    ui.add_space(6.0);
    let busy = view.busy.is_some();
    folder_row(ui, form, busy, actions);
    if let Some(b) = &view.busy {
        busy_line(ui, b, actions);
    }
    let Some(t) = view.tally else {
        return;
    };
    ui.add_space(8.0);
    ui.heading("报送情况汇总");
    if let Some(folder) = view.read_from {
        ui.label(RichText::new(format!("文件夹：{}", folder.display())).color(widgets::GREY));
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("应报 {} 个单位", t.rows.len())).strong());
        ui.label(RichText::new(format!("已报 {}", t.reported())).color(widgets::GREEN));
        ui.label(RichText::new(format!("未报 {}", t.missing())).color(widgets::RED));
        ui.label(RichText::new(format!("逾期 {}", t.late())).color(widgets::AMBER));
        if let Some(d) = t.deadline {
            ui.label(
                RichText::new(format!("截止 {}", d.format("%Y-%m-%d %H:%M"))).color(widgets::GREY),
            );
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new("导出 Excel…"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::ExportXlsx));
        }
        let any = t.lines().any(|(r, _)| r.latest.is_some());
        if ui
            .add_enabled(!busy && any, egui::Button::new("核对全部材料包"))
            .on_hover_text("按清单的校验值逐个文件核对，检查材料包是否完整、是否被改动")
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::VerifyAll));
        }
        ui.separator();
        let n = form.selected.len();
        if ui
            .add_enabled(
                !busy && n > 0,
                egui::Button::new(format!("批量通过（{n}）")),
            )
            .on_hover_text("勾选表中各单位的材料包后，一次全部通过（审核结果只发给各自单位）")
            .on_disabled_hover_text("先在表格最后一列勾选要通过的材料包")
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::PassSelected));
        }
        if ui.add_enabled(!busy, egui::Button::new("催报…")).clicked() {
            form.remind = Some(RemindForm {
                text: format!(
                    "请于{}前通过报送程序报送“{}”材料。",
                    t.deadline
                        .map(crate::core::dates::chinese_date_time)
                        .unwrap_or_default(),
                    t.campaign_title
                ),
                everyone: false,
            });
        }
    });
    remind_form(ui, t, form, busy, actions);
    ui.add_space(4.0);
    // 显示: which units, in which order (the one unit that reported was row 41 of 41).
    ui.horizontal_wrapped(|ui| {
        ui.label("显示：");
        for f in RowFilter::ALL {
            let n = t.lines().filter(|(r, _)| f.keeps(r, view.verdicts)).count();
            ui.selectable_value(&mut form.filter, f, format!("{}（{n}）", f.label()));
        }
        ui.separator();
        // The shortcut the department asked for; the same as a click on 收到时间 twice.
        let mut newest_first = form.sort == SortBy::Received && form.descending;
        if ui.checkbox(&mut newest_first, "最新收到的在前").changed() {
            (form.sort, form.descending) = if newest_first {
                (SortBy::Received, true)
            } else {
                (SortBy::Number, false)
            };
        }
    });
    // Above the table (the table takes the height that is left).
    reminders_seen(ui, view.reviews, busy, actions);
    ui.scope(|ui| table(ui, t, view.verdicts, form, actions));
    for (path, why) in &t.unreadable {
        ui.colored_label(
            widgets::RED,
            format!("无法读取 {}：{why}", display_name(path)),
        );
    }
    for (path, why) in &t.doubtful {
        ui.colored_label(
            widgets::RED,
            format!("未计入 {}：{why}", display_name(path)),
        );
    }
    for (path, why) in &t.foreign {
        ui.colored_label(
            widgets::GREY,
            format!("已略过 {}：{why}", display_name(path)),
        );
    }
    for path in &t.in_progress {
        ui.colored_label(
            widgets::AMBER,
            format!("正在上传（未传完）：{}", display_name(path)),
        );
    }
    if !t.audit.is_empty() {
        egui::CollapsingHeader::new("接收记录（接收端日志）")
            .id_salt("desk-audit")
            .show(ui, |ui| {
                for (unit, lines) in &t.audit {
                    ui.label(egui::RichText::new(unit).strong());
                    for line in lines {
                        ui.label(format!("    {line}"));
                    }
                }
            });
    }
}

/// 材料包所在文件夹 [folder] 选择文件夹… 读取
fn folder_row(ui: &mut Ui, form: &mut DeskForm, busy: bool, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let label = ui.label("材料包所在文件夹");
        let field = ui
            .add(
                TextEdit::singleline(&mut form.folder)
                    .hint_text("接收服务器的存储文件夹、下载文件夹或 U 盘")
                    .desired_width(420.0),
            )
            .labelled_by(label.id);
        // Enter in the field reads the folder, as a person expects.
        if field.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && !busy
            && !form.folder.trim().is_empty()
        {
            actions.push(Action::Desk(DeskAction::Read));
        }
        if ui
            .add_enabled(!busy, egui::Button::new("选择文件夹…"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::PickFolder));
        }
        if ui
            .add_enabled(
                !busy && !form.folder.trim().is_empty(),
                egui::Button::new("读取"),
            )
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::Read));
        }
    });
}

/// The window's table: the Excel file's columns, the four kinds of material in one and the
/// pillars' activities in another (so it fits a laptop's screen), and 核对 and 打开. Its headings
/// stay while the rows scroll; a click on 序号, 收到时间, 活动 or 材料包大小 sorts by it.
fn table(
    ui: &mut Ui,
    t: &Tally,
    verdicts: &HashMap<PathBuf, Verdict>,
    form: &mut DeskForm,
    actions: &mut Vec<Action>,
) {
    use egui_extras::{Column, TableBuilder};
    let numbers = t.pillar_numbers.join("/");
    let headers: [(String, Option<SortBy>); 13] = [
        ("序号".into(), Some(SortBy::Number)),
        ("单位".into(), None),
        ("报送情况".into(), None),
        ("收到时间".into(), Some(SortBy::Received)),
        ("是否按时".into(), None),
        (format!("活动（板块{numbers}）"), Some(SortBy::Activities)),
        ("材料".into(), None),
        ("材料包大小".into(), Some(SortBy::Bytes)),
        ("联系人".into(), None),
        ("联系电话".into(), None),
        ("核对".into(), None),
        ("审核".into(), None),
        ("打开 / 选择".into(), None),
    ];
    // 序号 stays each unit's number in the full table.
    let mut lines: Vec<(usize, (&crate::core::desk::tally::Row, bool))> = t
        .lines()
        .enumerate()
        .filter(|(_, (r, _))| form.filter.keeps(r, verdicts))
        .collect();
    form.sort.arrange(&mut lines, form.descending);
    let mut clicked = None;
    // One line per cell: the columns take their content's width, the rows stay even.
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    // Room below for the lists after the table (unreadable bundles, the intake's log).
    let height = (ui.available_height() - 80.0).max(120.0);
    TableBuilder::new(ui)
        .id_salt("desk-table")
        .striped(true)
        .columns(Column::auto().at_least(28.0).resizable(true), 12)
        .column(Column::remainder())
        .max_scroll_height(height)
        .header(26.0, |mut header| {
            for (title, sort) in &headers {
                header.col(|ui| match sort {
                    Some(by) => {
                        let arrow = match (form.sort == *by, form.descending) {
                            (true, false) => " ▲",
                            (true, true) => " ▼",
                            (false, _) => "",
                        };
                        let b = ui.add(
                            egui::Button::new(RichText::new(format!("{title}{arrow}")).strong())
                                .frame(false),
                        );
                        let name = format!("按{title}排序");
                        b.widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str())
                        });
                        if b.clicked() {
                            clicked = Some(*by);
                        }
                    }
                    None => {
                        ui.label(RichText::new(title).strong());
                    }
                });
            }
        })
        .body(|mut body| {
            for (n, (row, typed)) in lines {
                body.row(30.0, |mut cells| {
                    table_row(
                        &mut cells,
                        n,
                        row,
                        typed,
                        verdicts,
                        &mut form.selected,
                        actions,
                    );
                });
            }
        });
    if let Some(by) = clicked {
        form.descending = form.sort == by && !form.descending;
        form.sort = by;
    }
}

/// One unit's line: who, whether and when, how much, the check, 打开.
fn table_row(
    cells: &mut egui_extras::TableRow<'_, '_>,
    n: usize,
    row: &crate::core::desk::tally::Row,
    typed: bool,
    verdicts: &HashMap<PathBuf, Verdict>,
    selected: &mut BTreeSet<PathBuf>,
    actions: &mut Vec<Action>,
) {
    cells.col(|ui| {
        ui.label((n + 1).to_string());
    });
    cells.col(|ui| {
        ui.label(crate::core::desk::tally::unit_label(row, typed));
    });
    let Some(r) = &row.latest else {
        cells.col(|ui| {
            ui.colored_label(widgets::RED, "未报送");
        });
        for _ in 0..10 {
            cells.col(|_| {});
        }
        return;
    };
    cells.col(|ui| {
        ui.colored_label(widgets::GREEN, "已报送");
    });
    cells.col(|ui| {
        ui.label(crate::core::desk::tally::when(&r.received));
    });
    cells.col(|ui| {
        match crate::core::desk::tally::timeliness(row) {
            "逾期" => ui.colored_label(widgets::RED, "逾期"),
            "按时" => ui.colored_label(widgets::GREEN, "按时"),
            other => ui.label(other),
        };
    });
    cells.col(|ui| {
        let per: Vec<String> = r.per_pillar.iter().map(|p| p.to_string()).collect();
        ui.label(format!("{}（{}）", r.activities, per.join("/")));
    });
    cells.col(|ui| {
        ui.label(format!(
            "图{} 视{} 文{} 链{}",
            r.photos, r.videos, r.documents, r.links
        ))
        .on_hover_text(format!(
            "图片 {}，视频 {}，文件 {}，链接 {}",
            r.photos, r.videos, r.documents, r.links
        ));
    });
    cells.col(|ui| {
        ui.label(human_bytes(r.bytes));
    });
    cells.col(|ui| {
        ui.label(r.contact_person.as_str());
    });
    cells.col(|ui| {
        ui.label(r.phone.as_str());
    });
    cells.col(|ui| {
        match verdicts.get(&r.path) {
            Some(v) if v.intact() => ui.colored_label(widgets::GREEN, "✓ 完好"),
            Some(v) => ui.colored_label(widgets::RED, format!("× {} 个文件有问题", v.damaged())),
            None => ui.colored_label(widgets::GREY, "未核对"),
        };
    });
    cells.col(|ui| {
        let review = row.review.as_deref().unwrap_or("待审核");
        let colour = match review {
            "已通过" => widgets::GREEN,
            "退回修改" => widgets::RED,
            _ => widgets::GREY,
        };
        ui.colored_label(colour, review);
    });
    cells.col(|ui| {
        ui.horizontal(|ui| table_actions(ui, row, r, selected, actions));
    });
}

/// The last cell: ticked for 批量通过, 打开, how many versions.
fn table_actions(
    ui: &mut Ui,
    row: &crate::core::desk::tally::Row,
    r: &crate::core::desk::tally::Received,
    selected: &mut BTreeSet<PathBuf>,
    actions: &mut Vec<Action>,
) {
    // 打开 first: on a narrow screen what is cut off at the right is the tick, not the way in.
    let open = ui.button("打开");
    let name = format!("打开{}的材料包", row.unit);
    open.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name.as_str()));
    if open.clicked() {
        actions.push(Action::Desk(DeskAction::Open(r.path.clone())));
    }
    let mut ticked = selected.contains(&r.path);
    let tick = ui
        .checkbox(&mut ticked, "")
        .on_hover_text("勾选后可“批量通过”");
    let name = format!("选择{}的材料包", row.unit);
    tick.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::CheckBox, true, ticked, name.as_str())
    });
    if tick.changed() {
        if ticked {
            selected.insert(r.path.clone());
        } else {
            selected.remove(&r.path);
        }
    }
    if row.copies > 1 {
        let v = r.version.map(|v| format!("第{v}版，")).unwrap_or_default();
        ui.label(
            RichText::new(format!("{v}共收到{}份，按最后一份", row.copies))
                .small()
                .color(widgets::GREY),
        );
    }
}

/// 催报: the text, to whom, 发送提醒.
fn remind_form(ui: &mut Ui, t: &Tally, form: &mut DeskForm, busy: bool, actions: &mut Vec<Action>) {
    let Some(remind) = &mut form.remind else {
        return;
    };
    let missing: Vec<String> = t
        .rows
        .iter()
        .filter(|r| r.latest.is_none())
        .map(|r| r.unit.clone())
        .collect();
    let mut close = false;
    widgets::notice_box(ui, widgets::AMBER, |ui| {
        ui.label(RichText::new("催报：发提醒给各单位（对方程序中显示一次）").strong());
        let label = ui.label("提醒内容");
        ui.add(
            TextEdit::multiline(&mut remind.text)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut remind.everyone,
                false,
                format!("未报送的单位（{}）", missing.len()),
            );
            ui.radio_value(
                &mut remind.everyone,
                true,
                format!("全部单位（{}）", t.rows.len()),
            );
        });
        let units = if remind.everyone {
            t.rows.iter().map(|r| r.unit.clone()).collect()
        } else {
            missing.clone()
        };
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !busy && !units.is_empty() && !remind.text.trim().is_empty(),
                    egui::Button::new("发送提醒"),
                )
                .clicked()
            {
                actions.push(Action::Desk(DeskAction::Remind {
                    units,
                    text: remind.text.trim().to_string(),
                }));
            }
            if ui.button("取消").clicked() {
                close = true;
            }
        });
    });
    if close {
        form.remind = None;
    }
}

/// 提醒情况: each unit reminded, and whether its app has shown the reminder.
fn reminders_seen(
    ui: &mut Ui,
    reviews: &[(Message, Option<String>)],
    busy: bool,
    actions: &mut Vec<Action>,
) {
    let reminders: Vec<_> = reviews
        .iter()
        .filter(|(m, _)| matches!(m.body, Body::Reminder { .. }))
        .collect();
    if reminders.is_empty() {
        return;
    }
    let seen = reminders.iter().filter(|(_, s)| s.is_some()).count();
    egui::CollapsingHeader::new(format!(
        "提醒情况（已发 {} 条，对方已看到 {seen} 条）",
        reminders.len()
    ))
    .id_salt("desk-reminders")
    .show(ui, |ui| {
        if ui
            .add_enabled(!busy, egui::Button::new("刷新提醒情况"))
            .clicked()
        {
            actions.push(Action::Desk(DeskAction::RefreshReminders));
        }
        for (m, seen) in reminders.iter().rev() {
            let when = crate::core::dates::chinese_date_time(m.issued_at);
            let state = match seen {
                Some(at) => format!("已看到（{}）", seen_time(at)),
                None => "未看到".into(),
            };
            ui.label(format!("{}　{when}　{state}", m.unit));
        }
    });
}

/// When the intake says a message was seen (UTC), in China's time.
fn seen_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at.trim())
        .map(|t| {
            crate::core::dates::chinese_date_time(t.with_timezone(&crate::core::dates::china()))
        })
        .unwrap_or_else(|_| at.to_string())
}

mod bundle;

pub use bundle::{BundleView, bundle_ui};

//! 设置与帮助: where the drafts are, which template is in use, the intake endpoint (set here, or
//! handed out by IT in `baosong.toml`, or carried by the template), 导出诊断信息 for IT support,
//! whom to call at the city federation, and the way to 收件台 (the receiving desk).

use std::path::Path;

use egui::{RichText, TextEdit, Ui};

use super::state::{Action, Screen};
use super::widgets;
use crate::core::campaign::{Campaign, Intake};

/// What the screen shows.
pub struct SettingsView<'a> {
    pub campaign: &'a Campaign,
    pub template_path: Option<&'a Path>,
    pub data_root: &'a Path,
    /// The endpoint in force and where it comes from.
    pub intake: Option<(Intake, &'static str)>,
    /// 测试连接 is under way.
    pub testing: bool,
    /// What the desk's cache of opened bundles holds, once measured.
    pub desk_cache: Option<u64>,
}

/// The endpoint fields being edited.
#[derive(Debug, Default)]
pub struct SettingsForm {
    pub url: String,
    pub token: String,
    pub problem: Option<String>,
}

impl SettingsForm {
    /// The form filled with the endpoint in force; the token field only with the clerk's own
    /// (`saved`, from 设置): a token from IT's baosong.toml or the template is not shown, and so
    /// never copied into the clerk's settings.
    pub fn from_intake(in_force: Option<&Intake>, saved: Option<&Intake>) -> Self {
        Self {
            url: in_force.map(|i| i.url.clone()).unwrap_or_default(),
            token: saved.and_then(|i| i.token.clone()).unwrap_or_default(),
            problem: None,
        }
    }

    /// The endpoint as typed: `Ok(None)` when the address is empty (use the default one).
    pub fn intake(&self) -> Result<Option<Intake>, String> {
        let url = self.url.trim().to_string();
        if url.is_empty() {
            return Ok(None);
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("报送地址应以 https:// 或 http:// 开头，请核对后重新填写".into());
        }
        let token = self.token.trim();
        Ok(Some(Intake::new(
            url,
            (!token.is_empty()).then(|| token.to_string()),
        )))
    }
}

pub fn ui(
    ui: &mut Ui,
    view: &SettingsView<'_>,
    form: &mut SettingsForm,
    actions: &mut Vec<Action>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.button("← 返回草稿列表").clicked() {
                    actions.push(Action::GoTo(Screen::Start));
                }
                if ui.button("使用说明").clicked() {
                    actions.push(Action::GoTo(Screen::Help));
                }
                // At the top, where the publicity department sees it without scrolling.
                if ui
                    .button("收件台")
                    .on_hover_text("市妇联宣传部使用：汇总、查看、核对各单位报送的材料包")
                    .clicked()
                {
                    actions.push(Action::GoTo(Screen::Desk));
                }
            });
            ui.heading("设置与帮助");
            ui.add_space(8.0);
            ui.set_max_width(640.0);
            intake_section(ui, view, form, actions);
            ui.add_space(16.0);
            data_section(ui, view, actions);
            ui.add_space(16.0);
            contact_section(ui, view.campaign);
            ui.add_space(16.0);
            desk_section(ui, view.desk_cache, actions);
        });
}

/// The way to the receiving desk, for the city federation's publicity department.
fn desk_section(ui: &mut Ui, cache: Option<u64>, actions: &mut Vec<Action>) {
    ui.label(RichText::new("收件台（市妇联宣传部使用）").strong());
    ui.label(
        RichText::new(
            "点本页顶部的“收件台”：汇总各单位报送的材料包——哪些单位已报送、是否按时、各类材料数量，导出 Excel，逐个打开查看和核对。",
        )
        .color(widgets::GREY),
    );
    // The photos and videos taken out of opened bundles for viewing: bounded, and said.
    if let Some(bytes) = cache.filter(|b| *b > 0) {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "收件台缓存：{}（打开材料包时取出的照片和视频，最多保留 {}，超过时自动删去最久未看的）",
                crate::core::units::human_bytes(bytes),
                crate::core::units::human_bytes(crate::core::desk::opened::CACHE_LIMIT)
            ));
            if ui.button("清空收件台缓存").clicked() {
                actions.push(Action::ClearDeskCache);
            }
        });
    }
}

fn intake_section(
    ui: &mut Ui,
    view: &SettingsView<'_>,
    form: &mut SettingsForm,
    actions: &mut Vec<Action>,
) {
    ui.label(RichText::new("报送地址").strong());
    let source = match &view.intake {
        Some((_, from)) => format!("当前使用的报送地址来自：{from}"),
        None => "尚未设置报送地址。可向市妇联宣传部或本单位信息技术人员索取。".into(),
    };
    ui.label(RichText::new(source).color(widgets::GREY));
    let label = ui.label("报送地址（网址）");
    ui.add(
        TextEdit::singleline(&mut form.url)
            .hint_text("https://…")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let label = ui.label("访问令牌（没有可不填；保存在系统凭据库中）");
    ui.add(
        TextEdit::singleline(&mut form.token)
            .password(true)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    if let Some(p) = &form.problem {
        ui.label(RichText::new(p).color(widgets::RED));
    }
    ui.horizontal(|ui| {
        if ui.button("保存报送地址").clicked() {
            match form.intake() {
                Ok(intake) => {
                    form.problem = None;
                    actions.push(Action::SaveIntake(intake));
                }
                Err(problem) => form.problem = Some(problem),
            }
        }
        let test = ui.add_enabled(!view.testing, egui::Button::new("测试连接"));
        if view.testing {
            ui.spinner();
            ui.label("正在连接…");
        }
        if test.clicked() {
            match form.intake() {
                Ok(Some(intake)) => {
                    form.problem = None;
                    actions.push(Action::ProbeIntake(intake));
                }
                Ok(None) => form.problem = Some("请先填写报送地址".into()),
                Err(problem) => form.problem = Some(problem),
            }
        }
    });
}

fn data_section(ui: &mut Ui, view: &SettingsView<'_>, actions: &mut Vec<Action>) {
    ui.label(RichText::new("数据与诊断").strong());
    ui.label(format!("草稿保存在：{}", view.data_root.display()));
    let template = match view.template_path {
        Some(p) => format!("活动模板：{}（{}）", view.campaign.title, p.display()),
        None => format!("活动模板：{}（内置）", view.campaign.title),
    };
    ui.label(template);
    ui.label(
        RichText::new(
            "程序出现问题时，可导出诊断信息（日志和设置，不含草稿内容和访问令牌）交给信息技术人员。",
        )
        .color(widgets::GREY),
    );
    if ui.button("导出诊断信息…").clicked() {
        actions.push(Action::ExportDiagnostics);
    }
}

fn contact_section(ui: &mut Ui, campaign: &Campaign) {
    ui.label(RichText::new("联系市妇联").strong());
    let r = &campaign.receiver;
    ui.label(format!("接收单位：{}", r.name));
    ui.label(format!(
        "联系人：{}　联系电话：{}",
        r.contact_person, r.phone
    ));
    ui.label(format!(
        "邮箱：{}（网络无法报送时，可把导出的材料发送到此邮箱）",
        r.email
    ));
    if !campaign.deadline_text.is_empty() {
        ui.label(format!("{}。", campaign.deadline_text));
    }
    ui.label(
        RichText::new(format!("baosong {}", env!("CARGO_PKG_VERSION")))
            .color(widgets::GREY)
            .small(),
    );
}

//! 设置与帮助: where the drafts are, which template is in use, the intake endpoint (set here, or
//! handed out by IT in `baosong.toml`, or carried by the template), 导出诊断信息 for IT support,
//! and whom to call at the city federation.

use egui::{RichText, TextEdit, Ui};

use super::app::{Action, App, Screen};
use super::widgets;
use crate::core::campaign::Intake;

/// The endpoint fields being edited.
#[derive(Debug, Default)]
pub struct SettingsForm {
    pub loaded: bool,
    pub url: String,
    pub token: String,
    pub problem: Option<String>,
}

impl SettingsForm {
    /// The endpoint as typed: `Ok(None)` when the address is empty (use the default one).
    pub fn intake(&mut self) -> Result<Option<Intake>, String> {
        let url = self.url.trim().to_string();
        if url.is_empty() {
            self.problem = None;
            return Ok(None);
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("报送地址应以 https:// 或 http:// 开头，请核对后重新填写".into());
        }
        self.problem = None;
        let token = self.token.trim();
        Ok(Some(Intake {
            url,
            token: (!token.is_empty()).then(|| token.to_string()),
        }))
    }
}

pub fn ui(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    if !app.settings_form.loaded {
        let current = app.intake().map(|(i, _)| i);
        app.settings_form = SettingsForm {
            loaded: true,
            url: current.as_ref().map(|i| i.url.clone()).unwrap_or_default(),
            token: current.and_then(|i| i.token).unwrap_or_default(),
            problem: None,
        };
    }
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        if ui.button("← 返回草稿列表").clicked() {
            app.settings_form.loaded = false;
            actions.push(Action::GoTo(Screen::Start));
        }
        ui.heading("设置与帮助");
        ui.add_space(8.0);

        ui.label(RichText::new("报送地址").strong());
        let source = match app.intake() {
            Some((_, from)) => format!("当前使用的报送地址来自：{from}"),
            None => "尚未设置报送地址。可向市妇联宣传部或本单位信息技术人员索取。".into(),
        };
        ui.label(RichText::new(source).color(widgets::GREY));
        ui.set_max_width(640.0);
        let label = ui.label("报送地址（网址）");
        ui.add(
            TextEdit::singleline(&mut app.settings_form.url)
                .hint_text("https://…")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        let label = ui.label("访问令牌（没有可不填）");
        ui.add(
            TextEdit::singleline(&mut app.settings_form.token)
                .password(true)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        if let Some(p) = &app.settings_form.problem {
            ui.label(RichText::new(p).color(widgets::RED));
        }
        ui.horizontal(|ui| {
            if ui.button("保存报送地址").clicked() {
                match app.settings_form.intake() {
                    Ok(intake) => actions.push(Action::SaveIntake(intake)),
                    Err(problem) => app.settings_form.problem = Some(problem),
                }
            }
            let probing = app.probe.is_some();
            let test = ui.add_enabled(!probing, egui::Button::new("测试连接"));
            if probing {
                ui.spinner();
                ui.label("正在连接…");
            }
            if test.clicked() {
                match app.settings_form.intake() {
                    Ok(Some(intake)) => actions.push(Action::ProbeIntake(intake)),
                    Ok(None) => app.settings_form.problem = Some("请先填写报送地址".into()),
                    Err(problem) => app.settings_form.problem = Some(problem),
                }
            }
        });

        ui.add_space(16.0);
        ui.label(RichText::new("数据与诊断").strong());
        ui.label(format!("草稿保存在：{}", app.data_root.display()));
        let template = match &app.template_path {
            Some(p) => format!("活动模板：{}（{}）", app.campaign.title, p.display()),
            None => format!("活动模板：{}（内置）", app.campaign.title),
        };
        ui.label(template);
        ui.label(RichText::new("程序出现问题时，可导出诊断信息（日志和设置，不含草稿内容和访问令牌）交给信息技术人员。").color(widgets::GREY));
        if ui.button("导出诊断信息…").clicked() {
            actions.push(Action::ExportDiagnostics);
        }

        ui.add_space(16.0);
        ui.label(RichText::new("联系市妇联").strong());
        let r = &app.campaign.receiver;
        ui.label(format!("接收单位：{}", r.name));
        ui.label(format!("联系人：{}　联系电话：{}", r.contact_person, r.phone));
        ui.label(format!("邮箱：{}（网络无法报送时，可把导出的材料发送到此邮箱）", r.email));
        if !app.campaign.deadline_text.is_empty() {
            ui.label(format!("{}。", app.campaign.deadline_text));
        }
        ui.label(RichText::new(format!("baosong {}", env!("CARGO_PKG_VERSION"))).color(widgets::GREY).small());
    });
}

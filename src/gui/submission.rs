//! 一键报送 and 导出材料包 on the check page — one progress bar (stage, bytes, speed, time left)
//! with 暂停 and 取消 while sending — and the confirmation page (报送回执) once the server has
//! said it has everything.

use std::time::Duration;

use egui::{RichText, Ui};

use super::state::{Action, MaterialAction, Screen, SendAction};
use super::widgets;
use crate::core::dates::chinese_date_time;
use crate::core::draft::{Receipt, Status};
use crate::core::units::human_bytes;
use crate::jobs::JobProgress;

/// Where a submission or an export stands, as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct Running {
    pub progress: JobProgress,
    /// Bytes a second over the last seconds, once known.
    pub speed: Option<f64>,
    pub eta: Option<Duration>,
    /// 暂停 or 取消 was pressed and the job is winding down.
    pub stopping: bool,
}

/// What the send panel shows.
pub struct SendView<'a> {
    pub status: &'a Status,
    pub ready: bool,
    /// The intake endpoint in force and where it comes from, if any.
    pub endpoint: Option<(&'a str, &'a str)>,
    pub sending: Option<&'a Running>,
    pub exporting: Option<&'a Running>,
    /// The department returned the sent bundle: 修改后重新报送 is the way, not 仍要重新报送.
    pub returned: bool,
}

pub fn send_panel(ui: &mut Ui, view: &SendView<'_>, actions: &mut Vec<Action>) {
    // Nothing left to cancel: a 确定取消？ still open is forgotten, not shown on the next send.
    if view.sending.is_none() && *view.status != Status::Submitting {
        ui.data_mut(|d| d.remove::<bool>(confirm_cancel_id()));
    }
    widgets::notice_box(ui, widgets::GREY, |ui| {
        ui.label(RichText::new("报送").strong());
        if let Some(running) = view.sending {
            progress(ui, running, true, actions);
            return;
        }
        match view.status {
            Status::Submitted { receipt } => submitted(ui, receipt, view.returned, actions),
            Status::Submitting => {
                ui.label(
                    RichText::new("上次报送没有完成（已暂停，或程序关闭、网络中断）。点“继续报送”会从中断的地方接着上传，不会重新开始。")
                        .color(widgets::AMBER),
                );
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("继续报送").strong()).clicked() {
                        actions.push(Action::Send(SendAction::Submit { again: false }));
                    }
                    // Far from 继续报送, and asked again: it deletes what the server holds.
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        cancel_with_confirmation(ui, actions);
                    });
                });
            }
            Status::Failed { reason } => {
                ui.label(RichText::new(format!("上次报送失败：{reason}")).color(widgets::RED));
                send_buttons(ui, view, "重新报送", actions);
            }
            _ => send_buttons(ui, view, "一键报送", actions),
        }
        if let Some(running) = view.exporting {
            ui.add_space(4.0);
            progress(ui, running, false, actions);
        }
    });
}

fn send_buttons(ui: &mut Ui, view: &SendView<'_>, label: &str, actions: &mut Vec<Action>) {
    if !view.ready {
        ui.label(
            RichText::new("改完下面列出的问题后，才能报送或导出材料包。").color(widgets::GREY),
        );
        return;
    }
    match view.endpoint {
        Some((url, from)) => {
            ui.label(
                RichText::new(format!("报送到：{url}（来自{from}）"))
                    .color(widgets::GREY)
                    .small(),
            );
        }
        None => {
            ui.label(
                RichText::new(
                    "尚未设置报送地址：请在“设置与帮助”中填写，或先“导出材料包”用 U 盘或邮件报送。",
                )
                .color(widgets::AMBER),
            );
        }
    }
    ui.horizontal(|ui| {
        let send = ui.add_enabled(
            view.endpoint.is_some(),
            egui::Button::new(RichText::new(label).strong()),
        );
        if send.clicked() {
            actions.push(Action::Send(SendAction::Submit { again: false }));
        }
        if view.endpoint.is_none() && ui.button("设置报送地址").clicked() {
            actions.push(Action::GoTo(Screen::Settings));
        }
        if ui
            .add_enabled(view.exporting.is_none(), egui::Button::new("导出材料包…"))
            .clicked()
        {
            actions.push(Action::Send(SendAction::ExportBundle));
        }
    });
    ui.label(
        RichText::new("一键报送会先打包（图片、视频按原样放入，不压缩画质），再上传；网络中断会自动等待并从中断处继续。")
            .small()
            .color(widgets::GREY),
    );
}

fn submitted(ui: &mut Ui, receipt: &Receipt, returned: bool, actions: &mut Vec<Action>) {
    ui.label(
        RichText::new(format!(
            "已报送：服务器于 {} 确认收到材料包（{}）。",
            chinese_date_time(receipt.confirmed_at),
            human_bytes(receipt.bytes)
        ))
        .color(widgets::GREEN)
        .strong(),
    );
    ui.horizontal(|ui| {
        if ui.button("查看报送回执").clicked() {
            actions.push(Action::GoTo(Screen::Receipt));
        }
        if ui.button("导出材料包…").clicked() {
            actions.push(Action::Send(SendAction::ExportBundle));
        }
        if !returned && ui.small_button("仍要重新报送").clicked() {
            actions.push(Action::Send(SendAction::Submit { again: true }));
        }
    });
}

/// `正在上传 45%　120 MB / 340 MB　2.1 MB/秒　还需约 2 分钟`, with 暂停 and 取消.
fn progress(ui: &mut Ui, running: &Running, sending: bool, actions: &mut Vec<Action>) {
    let p = &running.progress;
    let fraction = if p.total > 0 {
        (p.done as f32 / p.total as f32).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut text = if p.stage.is_empty() {
        "正在准备…".to_string()
    } else {
        p.stage.clone()
    };
    if p.total > 0 {
        text.push_str(&format!(
            "　{:.0}%　{} / {}",
            fraction * 100.0,
            human_bytes(p.done),
            human_bytes(p.total)
        ));
    }
    if let Some(speed) = running.speed {
        text.push_str(&format!("　{}/秒", human_bytes(speed as u64)));
    }
    if let Some(eta) = running.eta {
        text.push_str(&format!("　还需约 {}", eta_label(eta)));
    }
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(text)
            .desired_width(ui.available_width()),
    );
    if running.stopping {
        ui.label(RichText::new("正在停止…").color(widgets::GREY));
        return;
    }
    // On the right, away from where 一键报送 / 继续报送 was: a double click on it never lands on
    // its opposite.
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        if sending {
            cancel_with_confirmation(ui, actions);
            ui.add_space(24.0);
            if p.stage.starts_with(crate::core::intake::upload::STAGE_WAIT)
                && ui
                    .button("立即重试")
                    .on_hover_text("不再等待，马上再试一次")
                    .clicked()
            {
                actions.push(Action::Send(SendAction::RetryNow));
            }
            if ui
                .button("暂停")
                .on_hover_text("停止上传，保留已上传的部分；稍后点“继续报送”接着传")
                .clicked()
            {
                actions.push(Action::Send(SendAction::Pause));
            }
        } else if ui.button("取消导出").clicked() {
            actions.push(Action::Send(SendAction::CancelExport));
        }
    });
}

/// Where the send panel remembers that 取消报送 was pressed and waits for 确定.
fn confirm_cancel_id() -> egui::Id {
    egui::Id::unique("confirm-cancel-sending")
}

/// 取消报送, asked again before it deletes what the server holds (laid out right to left).
fn cancel_with_confirmation(ui: &mut Ui, actions: &mut Vec<Action>) {
    let id = confirm_cancel_id();
    let asking = ui.data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    if asking {
        if ui.button("不取消").clicked() {
            ui.data_mut(|d| d.remove::<bool>(id));
        }
        if ui.button("确定取消报送").clicked() {
            ui.data_mut(|d| d.remove::<bool>(id));
            actions.push(Action::Send(SendAction::Cancel));
        }
        ui.label(
            RichText::new("确定取消？服务器上已收到的部分会被删除，下次要从头上传。")
                .color(widgets::RED),
        );
    } else if ui
        .button("取消报送")
        .on_hover_text("停止上传，并删除服务器上已收到的部分")
        .clicked()
    {
        ui.data_mut(|d| d.insert_temp(id, true));
    }
}

fn eta_label(eta: Duration) -> String {
    let s = eta.as_secs();
    match s {
        0..=59 => format!("{} 秒", s.max(1)),
        60..=3599 => format!("{} 分钟", s.div_ceil(60)),
        _ => format!("{} 小时 {} 分钟", s / 3600, (s % 3600) / 60),
    }
}

/// 报送回执: what the server confirmed, to copy, print or keep.
pub fn receipt_screen(
    ui: &mut Ui,
    text: &str,
    receipt_file: &std::path::Path,
    actions: &mut Vec<Action>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading("报送成功");
            ui.label(
                RichText::new("市妇联的服务器已确认收到全部材料。回执已保存，可复制或打印。")
                    .color(widgets::GREEN),
            );
            ui.add_space(8.0);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(text).monospace());
            });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("复制回执").clicked() {
                    actions.push(Action::Send(SendAction::CopyText(text.to_string())));
                }
                if ui.button("打开回执文件（可打印）").clicked() {
                    actions.push(Action::Materials(MaterialAction::OpenFile(
                        receipt_file.to_path_buf(),
                    )));
                }
                if let Some(folder) = receipt_file.parent()
                    && ui.button("打开回执所在文件夹").clicked()
                {
                    actions.push(Action::Materials(MaterialAction::ShowInFolder(
                        folder.join("receipt.txt"),
                    )));
                }
                if ui.button("← 返回草稿列表").clicked() {
                    actions.push(Action::CloseDraft);
                }
            });
        });
}

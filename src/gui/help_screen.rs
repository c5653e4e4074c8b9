//! 使用说明: a short page a clerk can read in two minutes — how to fill in the report, where the
//! materials are kept, how to send, what to do when sending fails, whom to call (the receiver
//! from the template).

use egui::{RichText, Ui};

use super::state::{Action, Screen};
use super::widgets;
use crate::core::campaign::Campaign;
use crate::core::dates::chinese_date;

pub fn ui(ui: &mut Ui, campaign: &Campaign, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        if ui.button("← 返回草稿列表").clicked() {
            actions.push(Action::GoTo(Screen::Start));
        }
        ui.heading("使用说明");
        ui.set_max_width(760.0);
        let r = &campaign.receiver;
        let deadline = chinese_date(campaign.deadline.date_naive());
        let sections: [(&str, String); 5] = [
            (
                "一、怎么填",
                format!(
                    "点“新建草稿”，先填“单位信息”（报送单位、联系人、联系电话），再到“填报任务”按通知的{}个板块逐项填写：每一项可以添加多个活动（活动名称、日期、地点、主办/承办、参与人数、简要情况）；没有开展的事项，勾选“本项未开展”并写明原因。各项可按任意顺序填写，左侧会显示每一项“未开始/进行中/已完成/有问题/未开展”。",
                    campaign.pillars.len()
                ),
            ),
            (
                "二、材料放在哪里",
                "在每个活动下点“添加图片/视频/文件…”，或把文件从文件夹直接拖到窗口里；与某个活动无关的材料（如工作总结）放在“综合材料”中。添加时会把文件复制一份保存在本机的草稿文件夹中（位置见“设置与帮助”），之后移动或删除原文件也不影响报送。照片中的位置信息会在复制时去除，原文件不变。草稿随时自动保存，关闭程序或断电也不会丢失。".to_string(),
            ),
            (
                "三、怎么报送",
                format!(
                    "填完后点“检查并提交”：页面列出所有缺漏和需要修改的地方，点“去修改”可直接跳到该处，改完点“返回检查”。没有问题时显示“材料齐全，可以报送”，点“一键报送”：程序把所有材料打成一个材料包并上传，显示进度、速度和剩余时间，可以“暂停”或“取消报送”；网络中断会自动等待并从中断处继续，关闭程序后再打开，点“继续报送”也从中断处接着传。服务器确认收到后草稿变为“已报送”，并显示报送回执（可复制、打印）。{}，截止时间为{deadline}。",
                    campaign.deadline_text
                ),
            ),
            (
                "四、报送不成功怎么办",
                format!(
                    "先到“设置与帮助”点“测试连接”，看能否连上报送地址；单位通过代理上网的，请信息技术人员确认 Windows 的代理设置。报送失败时，检查页会写明原因和该怎么做（如报送地址或访问令牌不对），改正后点“重新报送”。网络一时无法报送时，在检查页点“导出材料包…”，把生成的材料包在截止前通过邮箱 {} 发送给{}（或用 U 盘送达），并电话告知。程序出现问题时，在“设置与帮助”中点“导出诊断信息”，把生成的文件交给信息技术人员。",
                    r.email, r.name
                ),
            ),
            (
                "五、联系谁",
                format!(
                    "{}　联系人：{}　联系电话：{}　邮箱：{}",
                    r.name, r.contact_person, r.phone, r.email
                ),
            ),
        ];
        for (heading, text) in sections {
            ui.add_space(10.0);
            ui.label(RichText::new(heading).strong());
            ui.label(text);
        }
        ui.add_space(10.0);
        ui.label(
            RichText::new(format!("活动通知：{}（{}）", campaign.notice_title, campaign.document_number))
                .color(widgets::GREY)
                .small(),
        );
    });
}

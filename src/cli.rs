//! The headless face on the same core: `baosong drafts`, `baosong validate DRAFT`, for IT staff,
//! scripts and end-to-end tests. No arguments opens the window.
//!
//! Exit codes of `validate`: 0 ready to send, 1 problems found, 2 could not check (an error).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::core::campaign::Campaign;
use crate::core::clock::{Clock, SystemClock};
use crate::core::dates::chinese_date_time;
use crate::core::error::CoreError;
use crate::core::portable::{PortableConfig, template_choice};
use crate::core::store::{self, DataDir};
use crate::core::validate::{sections, validate_with_files};

const HELP_TEMPLATE: &str = "\
{name} {version} — {about}

用法：{usage}

命令：
{subcommands}

选项：
{options}

不带参数运行时打开图形界面。草稿存放在数据文件夹中（可用环境变量 BAOSONG_DATA_DIR 指定）。";

const VALIDATE_HELP_TEMPLATE: &str = "\
{about}

用法：{usage}

参数：
{positionals}

选项：
{options}";

const DRAFTS_HELP_TEMPLATE: &str = "\
{about}

用法：{usage}

选项：
{options}";

#[derive(Debug, Parser)]
#[command(
    name = "baosong",
    version,
    about = "重庆市妇联“三八”国际妇女节活动情况报送",
    help_template = HELP_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    override_usage = "baosong [--template 模板文件] [命令]"
)]
pub struct Args {
    /// 使用此活动模板文件，而不是内置模板或上次打开的模板
    #[arg(long, global = true, value_name = "模板文件")]
    pub template: Option<PathBuf>,

    /// 显示帮助
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,

    /// 显示版本号
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 列出所有草稿（编号、单位、状态、最后修改时间）
    #[command(help_template = DRAFTS_HELP_TEMPLATE, override_usage = "baosong drafts")]
    Drafts,
    /// 检查一份草稿，列出需要修改的问题；齐全时退出码为 0，有问题为 1，出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong validate [--template 模板文件] <草稿编号或文件夹>"
    )]
    Validate {
        /// 草稿编号，或草稿文件夹的路径
        #[arg(value_name = "草稿")]
        draft: String,
    },
    /// 测试报送地址能否连通、是否支持断点续传；连通时退出码为 0，否则为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong probe [报送地址]"
    )]
    Probe {
        /// 要测试的报送地址；不填则用设置、程序旁的 baosong.toml 或活动模板中的地址
        #[arg(value_name = "报送地址")]
        url: Option<String>,
        /// 访问令牌（与报送地址一起给出时使用）
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
    },
}

/// Parse the arguments and run: the window, or a subcommand.
pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            crate::platform::attach_console();
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            eprintln!("错误：命令行参数有误。请运行 baosong --help 查看用法。\n\n{e}");
            return ExitCode::from(2);
        }
    };
    match args.command {
        None => {
            let _logs = crate::logging::init_with_file(DataDir::locate().ok().as_deref());
            crate::gui::run(args.template)
        }
        Some(command) => {
            crate::platform::attach_console();
            let _logs = crate::logging::init_stderr();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let code = run(command, args.template, Arc::new(SystemClock), &mut out);
            let _ = out.flush();
            ExitCode::from(code)
        }
    }
}

/// Run one subcommand; returns the exit code. Errors are printed in Chinese on stderr.
pub fn run(
    command: Command,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    let result = match command {
        Command::Drafts => drafts(template, clock, out).map(|()| 0),
        Command::Validate { draft } => validate_cmd(&draft, template, clock, out),
        Command::Probe { url, token } => return probe_cmd(url, token, template, clock, out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "command failed");
            eprintln!("错误：{}", e.user_message());
            2
        }
    }
}

fn open_data_dir(clock: Arc<dyn Clock>) -> Result<DataDir, CoreError> {
    DataDir::open(DataDir::locate()?, clock)
}

/// The template to check against, chosen as the window chooses it
/// ([`crate::core::portable::template_choice`]), else the built-in one.
pub fn resolve_template(
    explicit: Option<PathBuf>,
    data: Option<&DataDir>,
    portable: Option<&PortableConfig>,
) -> Result<Campaign, CoreError> {
    let remembered = data.and_then(|d| d.load_settings().template_path);
    match template_choice(explicit, remembered, portable) {
        Some(path) => Campaign::load(&path),
        None => Campaign::builtin(),
    }
}

fn drafts(
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<(), CoreError> {
    let data = open_data_dir(clock)?;
    let campaign = resolve_template(
        template,
        Some(&data),
        PortableConfig::found_beside_exe().as_ref(),
    )
    .ok();
    let listing = data.list_for(campaign.as_ref());
    let w = |out: &mut dyn Write, line: String| {
        let _ = writeln!(out, "{line}");
    };
    if listing.drafts.is_empty() {
        w(
            out,
            format!("没有草稿（数据文件夹：{}）", data.root().display()),
        );
    } else {
        w(out, "编号\t名称\t状态\t完成情况\t最后修改".into());
        for d in &listing.drafts {
            let done = d
                .items_done
                .map(|(done, total)| format!("{done}/{total} 项"))
                .unwrap_or_else(|| "（另一活动模板）".into());
            w(
                out,
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.name,
                    d.status.label(),
                    done,
                    chinese_date_time(d.updated_at)
                ),
            );
        }
    }
    for q in &listing.quarantined {
        w(out, format!("无法读取：{}", q.user_message()));
    }
    if !listing.recycled.is_empty() {
        w(
            out,
            format!("回收区中另有 {} 份已删除的草稿", listing.recycled.len()),
        );
    }
    Ok(())
}

fn validate_cmd(
    query: &str,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<u8, CoreError> {
    // A folder given by path is read where it is; an id is looked up in the data folder.
    let as_folder = PathBuf::from(query);
    let (folder, data) = if as_folder.join(store::DRAFT_FILE).is_file() {
        (as_folder, open_data_dir(clock).ok())
    } else {
        let data = open_data_dir(clock)?;
        (data.find(query)?, Some(data))
    };
    let path = folder.join(store::DRAFT_FILE);
    let draft = store::read_draft_file(&path)
        .map_err(|defect| CoreError::DraftUnreadable { path, defect })?;
    let campaign = resolve_template(
        template,
        data.as_ref(),
        PortableConfig::found_beside_exe().as_ref(),
    )?;
    if draft.campaign_id != campaign.id {
        return Err(CoreError::WrongCampaign {
            id: draft.id.to_string(),
            draft_campaign: draft.campaign_id,
            template: campaign.id,
        });
    }
    let files = store::check_files(&folder, &draft);
    let report = validate_with_files(&campaign, &draft, &files);
    let _ = writeln!(
        out,
        "草稿 {}（{}）：{}",
        draft.id,
        draft.display_name(),
        campaign.title
    );
    if report.is_ready() {
        let _ = writeln!(out, "材料齐全，可以报送。");
    } else {
        let _ = writeln!(out, "还有 {} 个问题需要修改：", report.problems.len());
    }
    for (section, heading) in sections(&campaign) {
        let problems: Vec<_> = report.in_section(section).collect();
        let reminders: Vec<_> = report.reminders_in(section).collect();
        if problems.is_empty() && reminders.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for p in problems {
            let _ = writeln!(out, "  - {}：{}", p.place, p.message);
        }
        for p in reminders {
            let _ = writeln!(out, "  - {}：提醒：{}", p.place, p.message);
        }
    }
    Ok(if report.is_ready() { 0 } else { 1 })
}

fn probe_cmd(
    url: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    use crate::core::campaign::Intake;
    use crate::core::intake::{IntakeClient, effective};
    let intake = match url {
        Some(url) => Intake { url, token },
        None => {
            let data = open_data_dir(clock).ok();
            let settings = data.as_ref().map(DataDir::load_settings);
            let portable = PortableConfig::found_beside_exe();
            let campaign = resolve_template(template, data.as_ref(), portable.as_ref()).ok();
            match effective(
                settings.as_ref().and_then(|s| s.intake.as_ref()),
                portable.as_ref().and_then(|p| p.intake.as_ref()),
                campaign.as_ref().and_then(|c| c.intake.as_ref()),
            ) {
                Some((intake, source)) => {
                    let _ = writeln!(out, "报送地址（来自{}）：{}", source.label(), intake.url);
                    intake
                }
                None => {
                    eprintln!(
                        "错误：尚未设置报送地址。请在命令后写上地址，或在“设置与帮助”中填写。"
                    );
                    return 2;
                }
            }
        }
    };
    match IntakeClient::new().and_then(|c| c.probe(&intake)) {
        Ok(probe) => {
            let _ = writeln!(out, "{}", probe.user_message());
            0
        }
        Err(e) => {
            tracing::error!(error = %e, "probe failed");
            eprintln!("错误：{}", e.user_message());
            2
        }
    }
}

//! The headless face on the same core, for IT staff, scripts and end-to-end tests: argument
//! parsing (no arguments opens the window) and one file per group of commands:
//!
//! - [`drafts`]: `baosong drafts`, `baosong validate DRAFT` (0 ready, 1 problems, 2 error).
//! - [`network`]: `baosong probe [URL]`.
//! - [`inspect`]: `baosong inspect FILE [--thumbnail out.png]` (0 read, 1 refused, 2 error).
//! - [`submission`]: `baosong export DRAFT -o FILE.zip`, `baosong submit DRAFT` (0 only when the
//!   server confirmed), `baosong status DRAFT`.
//! - [`campaign`]: `baosong campaign parse NOTICE -o TEMPLATE` (the notice read into a template),
//!   `baosong campaign publish TEMPLATE` (signed, through the intake), `baosong campaigns` (what
//!   the intake offers, verified).
//! - [`review`]: `baosong review BUNDLE --pass | --return 理由 | --read [--note 事项=说明]`,
//!   `baosong remind 内容 [--units …]` (the department's answer back, signed, through the intake).
//! - [`desk`]: `baosong desk FOLDER [--xlsx FILE] [--verify]` (the receiving desk),
//!   `baosong import BUNDLE` (a bundle taken in as a draft).

mod attach;
mod campaign;
mod desk;
mod drafts;
mod inspect;
mod network;
mod review;
mod submission;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::core::campaign::Campaign;
use crate::core::clock::{Clock, SystemClock};
use crate::core::draft::Draft;
use crate::core::error::CoreError;
use crate::core::portable::{PortableConfig, template_choice};
use crate::core::store::{self, DataDir};

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
    version = crate::core::build_info::VERSION_AND_COMMIT,
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
    /// 导出材料包（zip），用于 U 盘或邮件报送；成功时退出码为 0，有问题为 1，出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong export <草稿编号或文件夹> -o <材料包.zip>"
    )]
    Export {
        /// 草稿编号，或草稿文件夹的路径
        #[arg(value_name = "草稿")]
        draft: String,
        /// 材料包保存到此文件
        #[arg(short = 'o', long = "output", value_name = "材料包.zip")]
        output: PathBuf,
    },
    /// 一键报送：打包并上传到报送地址，服务器确认收到后退出码为 0 并显示回执
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong submit <草稿编号或文件夹> [--endpoint 报送地址] [--token 令牌]"
    )]
    Submit {
        /// 草稿编号，或草稿文件夹的路径
        #[arg(value_name = "草稿")]
        draft: String,
        /// 报送地址；不填则用设置、程序旁的 baosong.toml 或活动模板中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 访问令牌（与 --endpoint 一起使用）
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
        /// 已报送过的材料也再报送一次
        #[arg(long)]
        again: bool,
        /// 网络中断时最多等待的分钟数（0 表示不等待）
        #[arg(long, value_name = "分钟", default_value_t = 10)]
        wait: u64,
        /// 每次上传的块大小（KiB；测试用）
        #[arg(long, hide = true)]
        chunk_kib: Option<u64>,
        /// 第一次重试前等待的毫秒数（测试用）
        #[arg(long, hide = true)]
        retry_ms: Option<u64>,
    },
    /// 查看草稿的报送状态和回执
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong status <草稿编号或文件夹> [--key 市妇联公钥] [--endpoint 报送地址] [--token 令牌]"
    )]
    Status {
        /// 草稿编号，或草稿文件夹的路径
        #[arg(value_name = "草稿")]
        draft: String,
        /// 市妇联公钥（核对审核意见的签名）；不填则用程序旁 baosong.toml 的 campaign_key
        #[arg(long, value_name = "公钥")]
        key: Option<String>,
        /// 报送地址；不填则用设置或程序旁 baosong.toml 中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 访问令牌
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
    },
    /// 把文件添加到草稿：复制进草稿、校验、按内容判断类型、去除照片和视频中的位置信息（与窗口中“添加图片/视频/文件”相同）；全部添加时退出码为 0，有文件未添加为 1，出错为 2
    Attach {
        /// 草稿编号，或草稿文件夹的路径
        #[arg(value_name = "草稿")]
        draft: String,
        /// 要添加的文件（可以多个）
        #[arg(value_name = "文件", required = true)]
        files: Vec<PathBuf>,
        /// 添加到哪个活动：活动标题，或“项-活动”编号（如 1-2：第一项的第二个活动）；不填则添加到综合材料
        #[arg(long = "to", value_name = "活动")]
        to: Option<String>,
    },
    /// 查看一个文件：判断出的类型和信息（JSON）；可另存缩略图或视频封面。可读时退出码为 0，不能添加或无法读取为 1
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong inspect <文件> [--thumbnail 缩略图.png] [--size 像素]"
    )]
    Inspect {
        /// 要查看的文件
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 把缩略图（照片按拍摄方向摆正；视频为封面画面）保存为此 PNG 文件
        #[arg(long, value_name = "缩略图.png")]
        thumbnail: Option<PathBuf>,
        /// 缩略图较长一边的像素数
        #[arg(long, value_name = "像素", default_value_t = crate::core::media::thumbs::THUMB_SIZE)]
        size: u32,
        /// 在受限的子进程中运行（报送程序自己预览文件时使用）
        #[arg(long, hide = true)]
        limited: bool,
    },
    /// 收件台：汇总一个文件夹中收到的材料包（哪些单位已报、是否按时、各类材料数量）；可导出 Excel、核对每个文件
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong desk <文件夹> [--xlsx 汇总.xlsx] [--verify]"
    )]
    Desk {
        /// 存放材料包的文件夹（接收服务器的存储文件夹、下载文件夹或 U 盘）
        #[arg(value_name = "文件夹")]
        folder: PathBuf,
        /// 把报送情况汇总表导出为此 Excel 文件
        #[arg(long, value_name = "汇总.xlsx")]
        xlsx: Option<PathBuf>,
        /// 按清单的校验值核对每个材料包中的每个文件；有问题时退出码为 1
        #[arg(long)]
        verify: bool,
    },
    /// 活动模板：从通知生成模板（parse），签名发布（publish）
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// 查看报送服务器上市妇联发布的活动（核对签名后保存到本机）；全部核对通过时退出码为 0，有未接收的为 1，出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong campaigns [--key 市妇联公钥] [--endpoint 报送地址] [--token 令牌]"
    )]
    Campaigns {
        /// 市妇联公钥（64 位十六进制）；不填则用程序旁 baosong.toml 的 campaign_key
        #[arg(long, value_name = "公钥")]
        key: Option<String>,
        /// 报送地址；不填则用设置或程序旁 baosong.toml 中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 访问令牌
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
    },
    /// 审核一个收到的材料包：通过、退回修改（写明理由，可逐项写意见）或已阅，签名后经报送服务器只发给该单位（需要收件台令牌）；已发送时退出码为 0，被拒绝为 1，出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong review <材料包.zip> (--pass | --return 理由 | --read) [--note 事项=说明]… [--endpoint 报送地址] [--token 收件台令牌]"
    )]
    Review {
        /// 收到的材料包
        #[arg(value_name = "材料包.zip")]
        bundle: PathBuf,
        /// 通过
        #[arg(long)]
        pass: bool,
        /// 退回修改，写明理由
        #[arg(long = "return", value_name = "理由")]
        returned: Option<String>,
        /// 已阅（不作结论）
        #[arg(long)]
        read: bool,
        /// 对某一事项或活动的意见，如 "二、一是 活动2=请补充活动视频"（可多次）
        #[arg(long = "note", value_name = "事项=说明")]
        notes: Vec<String>,
        /// 报送地址；不填则用设置或程序旁 baosong.toml 中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 市妇联宣传部的收件台令牌
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
    },
    /// 催报：给尚未报送的单位（--folder 收件文件夹）、指定的单位（--units）或全部单位（--all）发提醒，对方程序中显示一次；已发送时退出码为 0
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong remind <内容> (--folder 收件文件夹 | --units 单位,单位 | --all) [--endpoint 报送地址] [--token 收件台令牌]"
    )]
    Remind {
        /// 提醒的内容
        #[arg(value_name = "内容")]
        text: String,
        /// 只提醒这些单位（用逗号或顿号分隔）
        #[arg(long, value_name = "单位")]
        units: Option<String>,
        /// 提醒这个收件文件夹中还没有材料包的单位
        #[arg(long, value_name = "收件文件夹")]
        folder: Option<PathBuf>,
        /// 提醒活动的全部单位（包括已报送的）
        #[arg(long)]
        all: bool,
        /// 报送地址；不填则用设置或程序旁 baosong.toml 中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 市妇联宣传部的收件台令牌
        #[arg(long, value_name = "令牌")]
        token: Option<String>,
    },
    /// 把一个材料包导入为新草稿（换电脑继续填写，或代为修改后重新报送）
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong import <材料包.zip>"
    )]
    Import {
        /// 材料包文件
        #[arg(value_name = "材料包.zip")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// 读取通知（.txt 或 .docx），生成活动模板：板块、事项、截止时间、接收部门和联系人；完整时退出码为 0，有未识别的内容为 1（模板照样保存，供编辑器补全），出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong campaign parse <通知.docx|txt> -o <模板.json>"
    )]
    Parse {
        /// 通知文件（.txt UTF-8 编码，或 .docx）
        #[arg(value_name = "通知")]
        notice: PathBuf,
        /// 模板保存到此文件
        #[arg(short = 'o', long = "output", value_name = "模板.json")]
        output: PathBuf,
    },
    /// 显示市妇联的签名公钥（本机还没有签名私钥时先生成），交给信息技术人员配置报送服务器和各单位的 baosong.toml
    #[command(help_template = DRAFTS_HELP_TEMPLATE, override_usage = "baosong campaign key")]
    Key,
    /// 用市妇联的签名私钥签名模板，经报送服务器发布给各单位（需要收件台令牌）；已发布时退出码为 0，被拒绝为 1，出错为 2
    #[command(
        help_template = VALIDATE_HELP_TEMPLATE,
        override_usage = "baosong campaign publish <模板.json> [--endpoint 报送地址] [--token 收件台令牌]"
    )]
    Publish {
        /// 要发布的模板文件
        #[arg(value_name = "模板.json")]
        file: PathBuf,
        /// 报送地址；不填则用设置或程序旁 baosong.toml 中的地址
        #[arg(long, value_name = "报送地址")]
        endpoint: Option<String>,
        /// 市妇联宣传部的收件台令牌
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
            // IT's baosong.toml with a mistake is not used; said once, in Chinese, at its line.
            if let Some(problem) = crate::core::portable::PortableConfig::problem_beside_exe() {
                eprintln!("注意：{problem}");
            }
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
        Command::Drafts => drafts::drafts(template, clock, out).map(|()| 0),
        Command::Validate { draft } => drafts::validate(&draft, template, clock, out),
        Command::Attach { draft, files, to } => {
            attach::attach(&draft, &files, to.as_deref(), template, clock, out)
        }
        Command::Probe { url, token } => {
            return network::probe(url, token, template, clock, out);
        }
        Command::Inspect {
            file,
            thumbnail,
            size,
            limited,
        } => return inspect::inspect(&file, thumbnail.as_deref(), size, limited, out),
        Command::Export { draft, output } => {
            return submission::export(&draft, &output, template, clock, out);
        }
        Command::Submit {
            draft,
            endpoint,
            token,
            again,
            wait,
            chunk_kib,
            retry_ms,
        } => {
            let args = submission::SubmitArgs {
                endpoint,
                token,
                again,
                wait_minutes: wait,
                chunk_kib,
                retry_ms,
            };
            return submission::submit_cmd(&draft, args, template, clock, out);
        }
        Command::Status {
            draft,
            key,
            endpoint,
            token,
        } => {
            let look = submission::ReviewLook {
                key,
                endpoint,
                token,
            };
            return submission::status(&draft, look, template, clock, out);
        }
        Command::Review {
            bundle,
            pass,
            returned,
            read,
            notes,
            endpoint,
            token,
        } => review::review(
            review::ReviewArgs {
                bundle,
                pass,
                read,
                returned,
                notes,
                endpoint,
                token,
            },
            template,
            clock,
            out,
        ),
        Command::Remind {
            text,
            units,
            folder,
            all,
            endpoint,
            token,
        } => review::remind(
            &text,
            review::RemindTo {
                units,
                folder: folder.as_deref(),
                all,
            },
            endpoint,
            token,
            template,
            clock,
            out,
        ),
        Command::Desk {
            folder,
            xlsx,
            verify,
        } => return desk::desk(&folder, xlsx.as_deref(), verify, template, clock, out),
        Command::Import { file } => return desk::import_bundle(&file, template, clock, out),
        Command::Campaign(CampaignCommand::Parse { notice, output }) => {
            campaign::parse(&notice, &output, out)
        }
        Command::Campaign(CampaignCommand::Key) => campaign::key(clock, out),
        Command::Campaign(CampaignCommand::Publish {
            file,
            endpoint,
            token,
        }) => campaign::publish(&file, endpoint, token, clock, out),
        Command::Campaigns {
            key,
            endpoint,
            token,
        } => campaign::list(key, endpoint, token, template, clock, out),
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

pub(crate) fn open_data_dir(clock: Arc<dyn Clock>) -> Result<DataDir, CoreError> {
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

/// A draft found by id in the data folder, or a folder given by path.
pub(super) struct Found {
    pub folder: PathBuf,
    pub draft: Draft,
    /// The data folder, when it could be opened (a folder given by path works without it).
    pub data: Option<DataDir>,
}

pub(super) fn find(query: &str, clock: Arc<dyn Clock>) -> Result<Found, CoreError> {
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
    Ok(Found {
        folder,
        draft,
        data,
    })
}

/// The template in force, if it is the draft's.
/// A draft taken for writing from the command line: the data folder's lock, as the window takes
/// it (the window's autosave would overwrite what is written beside it), and saves with the
/// store's backups; a draft folder given by path outside the data folder is locked itself (two
/// commands on it at once lost a file).
pub(super) struct Held<'a> {
    found: &'a Found,
    in_data: bool,
    /// The draft as it is on disk once the lock is held: read again, since another command
    /// may have saved it between [`find`] and the lock (its edit would be overwritten).
    draft: Draft,
    _lock: crate::core::store::DataDirLock,
}

impl<'a> Held<'a> {
    /// `None`, said on stderr, when the window holds the data folder.
    pub(super) fn take(found: &'a Found) -> Result<Option<Self>, CoreError> {
        let in_data = found
            .data
            .as_ref()
            .filter(|d| same_folder(&d.draft_dir(&found.draft.id), &found.folder));
        let lock = match in_data {
            Some(d) => d.lock_for_window(),
            None => store::lock_folder(&found.folder),
        };
        let lock = match lock {
            Err(CoreError::AlreadyOpen { .. }) => {
                eprintln!(
                    "错误：报送程序（窗口，或另一个正在运行的命令）正在使用这份草稿，此时改动会互相覆盖。请先关闭窗口、等另一个命令结束，再运行此命令。"
                );
                return Ok(None);
            }
            Err(e) => return Err(e),
            Ok(lock) => lock,
        };
        let path = found.folder.join(store::DRAFT_FILE);
        let draft = store::read_draft_file(&path)
            .map_err(|defect| CoreError::DraftUnreadable { path, defect })?;
        Ok(Some(Self {
            found,
            in_data: in_data.is_some(),
            draft,
            _lock: lock,
        }))
    }

    /// The draft to change: as it is on disk under the lock.
    pub(super) fn draft(&self) -> &Draft {
        &self.draft
    }

    /// Save the draft: through the store (a backup kept) in the data folder, atomically beside
    /// it otherwise.
    pub(super) fn save(&self, draft: &Draft) -> Result<(), CoreError> {
        match &self.found.data {
            Some(d) if self.in_data => d.save(draft),
            _ => store::write_draft_file(&self.found.folder, draft),
        }
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub(super) fn campaign_for(
    found: &Found,
    template: Option<PathBuf>,
) -> Result<Campaign, CoreError> {
    let campaign = resolve_template(
        template,
        found.data.as_ref(),
        PortableConfig::found_beside_exe().as_ref(),
    )?;
    if found.draft.campaign_id != campaign.id {
        return Err(CoreError::WrongCampaign {
            id: found.draft.id.to_string(),
            draft_campaign: found.draft.campaign_id.clone(),
            template: campaign.id,
        });
    }
    Ok(campaign)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::campaign::Campaign;
    use crate::core::clock::SystemClock;
    use crate::core::draft::{DraftId, UnitProfile};

    #[test]
    fn a_command_changes_the_draft_as_it_is_under_the_lock_not_as_it_was_found() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("草稿");
        std::fs::create_dir_all(&folder).unwrap();
        let campaign = Campaign::builtin().unwrap();
        let now = SystemClock.now();
        let d = Draft::new(DraftId::from("d1"), &campaign, UnitProfile::default(), now);
        store::write_draft_file(&folder, &d).unwrap();
        let found = find(folder.to_str().unwrap(), Arc::new(SystemClock)).unwrap();
        // Another command saves between this one's reading and its lock.
        let mut theirs = d.clone();
        theirs.add_activity("p1-1");
        store::write_draft_file(&folder, &theirs).unwrap();
        let held = Held::take(&found).unwrap().unwrap();
        assert_eq!(
            held.draft().activity_count(),
            1,
            "the other command's edit is what this one builds on"
        );
    }
}

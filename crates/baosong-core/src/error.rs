//! Errors of the core. Each carries the path it concerns; `Display` is the technical detail for
//! the log, [`CoreError::user_message`] the Chinese sentence for the clerk: what happened, and
//! what to do about it.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("cannot read campaign template {path}: {source}")]
    TemplateRead { path: PathBuf, source: io::Error },

    #[error("invalid campaign template {origin}: {problem}")]
    TemplateInvalid { origin: String, problem: String },

    #[error("the campaign signing key {path} is unusable: {detail}")]
    KeyUnusable { path: PathBuf, detail: String },

    #[error("cannot read notice {origin}: {problem}")]
    NoticeUnreadable { origin: String, problem: String },

    #[error("data folder {path} is not usable: {source}")]
    DataDirUnusable { path: PathBuf, source: io::Error },

    #[error("no data folder could be determined (no home directory)")]
    NoDataDir,

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },

    #[error("cannot encode {path}: {detail}")]
    Encode { path: PathBuf, detail: String },

    #[error("invalid {path}: {detail}")]
    PortableInvalid { path: PathBuf, detail: String },

    #[error("draft {path} is unreadable: {defect}")]
    DraftUnreadable { path: PathBuf, defect: DraftDefect },

    #[error("no draft {query} in {data_dir}")]
    DraftNotFound { query: String, data_dir: PathBuf },

    #[error("data folder {path} is in use by another baosong window")]
    AlreadyOpen { path: PathBuf },

    #[error("draft {id} belongs to campaign {draft_campaign}, but the template is {template}")]
    WrongCampaign {
        id: String,
        draft_campaign: String,
        template: String,
    },
}

/// Why a `draft.json` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftDefect {
    #[error("the file is empty")]
    Empty,
    #[error("the file is missing")]
    Missing,
    #[error("not UTF-8 text (binary content)")]
    NotText,
    #[error("truncated JSON: {0}")]
    Truncated(String),
    #[error("not valid JSON for a draft: {0}")]
    Invalid(String),
    #[error("written by a newer version (schema {found}, this program reads up to {supported})")]
    NewerSchema { found: u32, supported: u32 },
}

impl DraftDefect {
    /// One Chinese sentence: what is wrong with the file.
    pub fn user_message(&self) -> String {
        match self {
            Self::Empty => "草稿文件是空的（可能在保存时断电或程序被强行关闭）".into(),
            Self::Missing => "草稿文件不存在".into(),
            Self::NotText => "草稿文件不是文本（内容已损坏）".into(),
            Self::Truncated(_) => "草稿文件不完整（被截断）".into(),
            Self::Invalid(_) => "草稿文件内容格式不正确".into(),
            Self::NewerSchema { .. } => {
                "此草稿由更新版本的报送程序保存，请升级本程序后再打开".into()
            }
        }
    }
}

impl CoreError {
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The message for the clerk: what happened and what to do, in Chinese.
    pub fn user_message(&self) -> String {
        match self {
            Self::TemplateRead { path, source } => format!(
                "无法读取活动模板文件“{}”：{}。请确认文件存在且未被其他程序占用，或继续使用内置模板。",
                path.display(),
                io_reason(source)
            ),
            Self::TemplateInvalid { origin, problem } => format!(
                "活动模板“{origin}”有误：{problem}。请向市妇联宣传部索取正确的模板文件，或继续使用内置模板。"
            ),
            Self::KeyUnusable { path, .. } => format!(
                "市妇联的签名私钥文件“{}”已损坏，无法用来发布活动。请从备份恢复此文件（见 docs/campaigns.md“私钥丢失或损坏”）。",
                path.display()
            ),
            Self::NoticeUnreadable { origin, problem } => {
                format!("无法读取通知“{origin}”：{problem}。")
            }
            Self::DataDirUnusable { path, source } => format!(
                "无法使用数据文件夹“{}”：{}。请检查该文件夹的权限和磁盘空间，或用环境变量 BAOSONG_DATA_DIR 指定另一个文件夹。",
                path.display(),
                io_reason(source)
            ),
            Self::NoDataDir => "找不到存放草稿的文件夹（系统没有用户目录）。请用环境变量 BAOSONG_DATA_DIR 指定一个文件夹。".into(),
            Self::Io { path, source, .. } => format!(
                "读写文件“{}”失败：{}。草稿未丢失；请检查磁盘空间和权限后重试。",
                path.display(),
                io_reason(source)
            ),
            Self::Encode { .. } => "无法保存（程序内部错误，草稿仍在窗口中，未丢失）。请导出诊断信息交给信息技术人员。".into(),
            Self::PortableInvalid { path, detail } => format!(
                "程序旁的配置文件格式不正确：{detail}（{}）。请信息技术人员改正或删除该文件；在此之前，程序使用设置中的报送地址和内置活动模板。",
                path.display()
            ),
            Self::DraftUnreadable { path, defect } => format!(
                "无法读取草稿“{}”：{}。",
                path.display(),
                defect.user_message()
            ),
            Self::DraftNotFound { query, data_dir } => format!(
                "找不到草稿“{query}”（在 {} 中）。请用 baosong drafts 查看草稿编号，或给出草稿文件夹的路径。",
                data_dir.display()
            ),
            Self::AlreadyOpen { .. } => "报送程序已经在另一个窗口中打开（请看任务栏）。同时打开两个窗口可能互相覆盖草稿，请关闭本窗口，切换到已打开的那个。".into(),
            Self::WrongCampaign {
                draft_campaign,
                template,
                ..
            } => format!(
                "此草稿属于活动模板“{draft_campaign}”，当前打开的是“{template}”。请先打开对应的活动模板。"
            ),
        }
    }
}

/// A Chinese reason for the common I/O failures; the OS text for the rest.
pub fn io_reason(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件或文件夹不存在".into(),
        K::PermissionDenied => "没有权限（文件可能为只读，或被其他程序占用）".into(),
        K::StorageFull => "磁盘空间已满".into(),
        K::ReadOnlyFilesystem => "磁盘为只读".into(),
        K::AlreadyExists => "同名文件已存在".into(),
        K::NotADirectory => "路径中有一项不是文件夹".into(),
        K::IsADirectory => "这是一个文件夹，不是文件".into(),
        _ => format!("系统错误：{e}"),
    }
}

//! The receiving desk's long work as [`Job`]s — reading a folder of bundles (manifests only),
//! checking them all, opening one, the Excel table, the summary document, the import as a
//! draft. The work itself is core's ([`crate::core::desk`]); these only schedule it. Errors come
//! back typed; the window logs their cause and says their `user_message`.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Job, Wake};
use crate::core::campaign::Campaign;
use crate::core::desk::import::{self, ImportError};
use crate::core::desk::opened::{self, Opened};
use crate::core::desk::tally::{self, Found, Tally};
use crate::core::desk::verify::{self, Verdict};
use crate::core::desk::{Bundle, DeskError, xlsx};
use crate::core::draft::Draft;
use crate::core::store::DataDir;
use crate::core::work::Cancelled;

/// A folder read.
pub struct Scanned {
    pub folder: PathBuf,
    pub found: Found,
    pub tally: Tally,
}

pub type ScanJob = Job<Result<Scanned, DeskError>>;

pub fn start_scan(folder: PathBuf, campaign: Arc<Campaign>, wake: Wake) -> ScanJob {
    Job::spawn("正在读取材料包", None, wake, move |work| {
        let found = tally::scan(&folder, work)?;
        let tally = tally::tally(&campaign, &found);
        Ok(Scanned {
            folder,
            found,
            tally,
        })
    })
}

pub type VerifyJob = Job<Result<Vec<(PathBuf, Verdict)>, Cancelled>>;

/// 核对全部材料包.
pub fn start_verify_all(bundles: Vec<Bundle>, wake: Wake) -> VerifyJob {
    Job::spawn("正在核对材料包", None, wake, move |work| {
        let refs: Vec<&Bundle> = bundles.iter().collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let verdicts = verify::verify_all(&refs, threads, work)?;
        Ok(bundles
            .iter()
            .map(|b| b.path.clone())
            .zip(verdicts)
            .collect())
    })
}

pub type OpenJob = Job<Result<Opened, DeskError>>;

/// Open, check and extract the previewable files of the bundle at `path` into `files_dir`.
pub fn start_open(path: PathBuf, files_dir: PathBuf, wake: Wake) -> OpenJob {
    Job::spawn("正在打开材料包", None, wake, move |work| {
        opened::open_for_viewing(&path, &files_dir, work)
    })
}

pub type SaveJob = Job<Result<PathBuf, DeskError>>;

/// 导出 Excel.
pub fn start_xlsx(tally: Tally, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出 Excel", None, wake, move |_| {
        make_parent(&to)?;
        xlsx::write(&tally, &to)?;
        Ok(to)
    })
}

/// 导出汇总文档: the bundle's own summary (汇总.html), for printing.
pub fn start_summary(bundle: Bundle, to: PathBuf, wake: Wake) -> SaveJob {
    Job::spawn("正在导出汇总文档", None, wake, move |_| {
        make_parent(&to)?;
        opened::export_summary(&bundle, &to)?;
        Ok(to)
    })
}

pub type ImportJob = Job<Result<Draft, ImportError>>;

/// 导入为草稿, into the window's own data folder (built in a folder of its own, then renamed
/// into the drafts: a crash midway leaves no half-made draft).
pub fn start_import(
    bundle: Bundle,
    campaign: Arc<Campaign>,
    data: DataDir,
    wake: Wake,
) -> ImportJob {
    Job::spawn("正在导入为草稿", None, wake, move |work| {
        import::import(&bundle, &campaign, &data, work)
    })
}

/// The folder a desk export goes into, made if it is not there (the data folder's 收件台导出).
fn make_parent(to: &std::path::Path) -> Result<(), DeskError> {
    match to.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| DeskError::Write {
                path: dir.to_path_buf(),
                source,
            })
        }
        _ => Ok(()),
    }
}

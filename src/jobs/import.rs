//! 添加图片/视频/文件 as a [`Job`]: the batch itself is `core::media::batch`.

use super::{Job, Wake};
pub use crate::core::media::batch::{ImportOutcome, ImportRequest, import_batch};

pub type ImportJob = Job<ImportOutcome>;

pub fn start_import(request: ImportRequest, wake: Wake) -> ImportJob {
    let label = format!("正在添加 {} 个文件", request.sources.len());
    let draft = request.draft.clone();
    Job::spawn(label, Some(draft), wake, move |work| {
        import_batch(request, work)
    })
}

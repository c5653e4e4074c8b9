//! 测试连接, as a [`Job`]: a slow network must never hold up the saves queued on the store
//! worker, nor the window.

use super::{Job, Wake};
use crate::core::campaign::Intake;
use crate::core::intake::{IntakeClient, IntakeError, Probe};

/// The probe's answer, or why there is none.
pub type ConnectionTest = Job<Result<Probe, IntakeError>>;

pub fn test_connection(intake: Intake, wake: Wake) -> ConnectionTest {
    Job::spawn("正在测试连接…", None, wake, move |_work| {
        let result = IntakeClient::new(&intake).and_then(|c| c.probe(&intake));
        match &result {
            Ok(p) => tracing::info!(url = %intake.url, probe = ?p, "intake probe"),
            Err(e) => tracing::warn!(url = %intake.url, error = %e, "intake probe failed"),
        }
        result
    })
}

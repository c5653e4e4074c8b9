//! `baosong probe [URL]`: can the intake endpoint be reached, and does it speak tus?

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::{open_data_dir, resolve_template};
use crate::core::clock::Clock;
use crate::core::portable::PortableConfig;
use crate::core::store::DataDir;

pub(super) fn probe(
    url: Option<String>,
    token: Option<String>,
    template: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    out: &mut dyn Write,
) -> u8 {
    use crate::core::campaign::Intake;
    use crate::core::intake::{IntakeClient, effective};
    let intake = match url {
        // Plain http to another host only where IT allowed it beside the exe, as for sending.
        Some(url) => Intake {
            allow_http: PortableConfig::found_beside_exe()
                .and_then(|p| p.intake)
                .is_some_and(|i| i.allow_http),
            ..Intake::new(url, token)
        },
        None => {
            let data = open_data_dir(clock).ok();
            let settings = data.as_ref().map(DataDir::load_settings);
            if let Some(note) = data.as_ref().and_then(|d| d.token_keeping().user_message()) {
                eprintln!("注意：{note}");
            }
            let portable = PortableConfig::found_beside_exe();
            let campaign = resolve_template(template, data.as_ref(), portable.as_ref()).ok();
            match effective(
                settings.as_ref().and_then(|s| s.intake.as_ref()),
                portable.as_ref().and_then(|p| p.intake.as_ref()),
                campaign.as_ref().and_then(|c| c.intake.as_ref()),
            ) {
                Some((intake, source)) => {
                    let _ = writeln!(out, "报送地址（来自{}）：{}", source.label(), intake.url);
                    // A token given on the command line is the one tried.
                    Intake {
                        token: token.or(intake.token.clone()),
                        ..intake
                    }
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
    match IntakeClient::new(&intake).and_then(|c| c.probe(&intake)) {
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

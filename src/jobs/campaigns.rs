//! 市妇联发布的活动, looked at in the background: on start and every few hours while the window
//! is open, as a [`Job`] (never on the UI thread; a dead line costs a connect time-out on this
//! thread and nothing in the window). What is on this PC's shelf is offered even offline.

use std::path::PathBuf;

use super::{Job, Wake};
use crate::core::campaign::Intake;
use crate::core::campaign::channel::{Offered, Refusal, Shelf, fetch};
use crate::core::campaign::signing::PublicKey;
use crate::core::review::{Inbox, Message, channel as reviews};

/// What one look found: the campaigns offered (verified, on the shelf) and what was refused.
#[derive(Debug, Default)]
pub struct CampaignsSeen {
    pub offered: Vec<Offered>,
    pub refused: Vec<Refusal>,
    /// The intake could not be asked (offline is normal: logged, not shown).
    pub offline: bool,
    /// The department's reviews and reminders for this PC's units (verified), oldest first.
    pub messages: Vec<Message>,
    /// Reminders not yet shown to the clerk.
    pub reminders: Vec<Message>,
}

/// What one look asks the intake.
#[derive(Debug, Clone)]
pub struct LookFor {
    /// The published campaigns (every few hours).
    pub campaigns: bool,
    /// The department's reviews and reminders (more often).
    pub reviews: bool,
    /// The units this PC's drafts are of (their reviews are shown).
    pub units: Vec<String>,
}

pub type CampaignsLook = Job<CampaignsSeen>;

/// Look at the intake (when there is an endpoint), then at the shelf and the inbox.
pub fn look(
    intake: Option<Intake>,
    key: PublicKey,
    data_root: PathBuf,
    what: LookFor,
    wake: Wake,
) -> CampaignsLook {
    Job::spawn(
        "正在查看市妇联发布的活动…",
        None,
        wake,
        move |_work| {
            let shelf = Shelf::in_data_dir(&data_root);
            let mut seen = CampaignsSeen::default();
            let inbox = Inbox::in_data_dir(&data_root);
            if let Some(intake) = intake.as_ref().filter(|_| what.reviews) {
                match reviews::look(intake, &key, &inbox) {
                    Ok(looked) if looked.new > 0 => {
                        tracing::info!(new = looked.new, "reviews or reminders received");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::info!(error = %e, "reviews not looked at (offline?)"),
                }
            }
            seen.messages = inbox.messages(&key, &what.units);
            seen.reminders = inbox.unshown_reminders(&seen.messages);
            if let Some(intake) = intake.filter(|_| what.campaigns) {
                match fetch(&intake, &key, &shelf) {
                    Ok(f) => {
                        if !f.taken.is_empty() {
                            tracing::info!(
                                taken = f.taken.len(),
                                "campaigns taken from the intake"
                            );
                        }
                        seen.refused = f.refused;
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "campaigns not looked at (offline?)");
                        seen.offline = true;
                    }
                }
            }
            let (offered, broken) = shelf.offered(&key);
            seen.offered = offered;
            seen.refused.extend(broken);
            seen
        },
    )
}

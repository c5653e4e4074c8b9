//! 市妇联发布的活动 in the window: looked at in the background on start and every
//! [`LOOK_EVERY`] while open (only where IT pinned the department's key in baosong.toml);
//! offered on the start screen (开始填报, or 改用新版 for the campaign in use, with what
//! changed); a draft of another known campaign opens with its own template.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::jobs::Outcome;
use super::{App, Banner, repaint_waker};
use crate::core::campaign::Campaign;
use crate::core::campaign::channel::Offered;
use crate::core::campaign::signing::PublicKey;
use crate::gui::start_screen::{KnownCampaign, OfferView};
use crate::jobs::campaigns::{CampaignsSeen, LookFor, look};
use crate::jobs::store::StoreCommand;

/// How often an open window looks again at the published campaigns…
pub(super) const LOOK_EVERY: Duration = Duration::from_secs(4 * 3600);
/// …and at the department's reviews and reminders (a returned report should not wait hours;
/// a look is one small GET, nothing when offline but a failed connect on a worker thread).
pub(super) const REVIEWS_EVERY: Duration = Duration::from_secs(30 * 60);

#[derive(Default)]
pub(super) struct CampaignsState {
    pub offered: Vec<Offered>,
    /// Templates from the intake that did not verify (the start screen says how many).
    pub refused: usize,
    pub looked_at: Option<std::time::Instant>,
    pub reviews_looked_at: Option<std::time::Instant>,
    /// The department's reviews and reminders for this PC's units, verified, oldest first.
    pub messages: Vec<crate::core::review::Message>,
    /// The department's key IT pinned in baosong.toml, read once at start (not every frame).
    pub key: Option<PublicKey>,
}

impl CampaignsState {
    pub fn new(portable: Option<&crate::core::portable::PortableConfig>) -> Self {
        Self {
            key: portable
                .and_then(|p| p.campaign_key.as_deref())
                .and_then(|hex| PublicKey::from_hex(hex).ok()),
            ..Self::default()
        }
    }
}

impl App {
    pub(super) fn pinned_key(&self) -> Option<PublicKey> {
        self.campaigns.key
    }

    /// Start a look when one is due (never while one runs; never without a pinned key).
    pub(super) fn look_for_campaigns(&mut self, ctx: &egui::Context) {
        if self.fatal.is_some() || self.jobs.campaigns.is_some() || self.data.is_none() {
            return;
        }
        let Some(key) = self.pinned_key() else {
            return;
        };
        let now = self.ticker.now();
        let due = |at: Option<std::time::Instant>, every: Duration| match at {
            Some(at) if now < at + every => Err(at + every - now),
            _ => Ok(()),
        };
        let campaigns = due(self.campaigns.looked_at, LOOK_EVERY);
        let reviews = due(self.campaigns.reviews_looked_at, REVIEWS_EVERY);
        if let (Err(a), Err(b)) = (campaigns, reviews) {
            ctx.request_repaint_after(a.min(b));
            return;
        }
        if campaigns.is_ok() {
            self.campaigns.looked_at = Some(now);
        }
        if reviews.is_ok() {
            self.campaigns.reviews_looked_at = Some(now);
        }
        let intake = self.intake().map(|(i, _)| i);
        let mut units: Vec<String> = self
            .listing
            .drafts
            .iter()
            .map(|d| d.unit.clone())
            .filter(|u| !u.trim().is_empty())
            .collect();
        units.sort();
        units.dedup();
        let what = LookFor {
            campaigns: campaigns.is_ok(),
            reviews: reviews.is_ok(),
            units,
        };
        self.jobs.campaigns = Some(look(
            intake,
            key,
            self.data_root.clone(),
            what,
            repaint_waker(&self.context),
        ));
    }

    pub(super) fn campaigns_seen(&mut self, seen: Outcome<CampaignsSeen>) {
        match seen {
            Ok(seen) => {
                for r in &seen.refused {
                    tracing::warn!(id = %r.id, message = %r.message, "published campaign refused");
                }
                self.campaigns.refused = seen.refused.len();
                self.campaigns.offered = seen.offered;
                self.campaigns.messages = seen.messages;
                // 催报: shown once, as a banner (an error or a message being shown waits for
                // the next look), then noted so it is not shown again and the desk is told.
                if !seen.reminders.is_empty() && self.banner.is_none() {
                    // Every reminder not yet shown, in one banner (the latest in it, the
                    // others under 详情); the same text twice is said once.
                    let mut texts: Vec<String> = Vec::new();
                    for r in seen.reminders.iter().rev() {
                        let line = format!(
                            "{}（{}）",
                            r.headline(),
                            crate::core::dates::chinese_date_time(r.issued_at)
                        );
                        if !texts.iter().any(|t| t.starts_with(&r.headline())) {
                            texts.push(line);
                        }
                    }
                    let first = texts.remove(0);
                    self.banner = Some(Banner::warning(first).with_details(texts));
                    for r in &seen.reminders {
                        self.send(StoreCommand::MarkReminderShown { id: r.id.clone() });
                    }
                }
            }
            Err(lost) => tracing::error!(?lost, "the look at published campaigns was lost"),
        }
    }

    /// Every campaign this PC knows: the one in use, the offered ones, the built-in one.
    pub(super) fn known_campaigns(&self) -> Vec<KnownCampaign> {
        let mut out = vec![KnownCampaign::of(&self.campaign)];
        for o in &self.campaigns.offered {
            if !out.iter().any(|k| k.id == o.campaign.id) {
                out.push(KnownCampaign::of(&o.campaign));
            }
        }
        if let Some(b) = &self.builtin
            && !out.iter().any(|k| k.id == b.id)
        {
            out.push(KnownCampaign::of(b));
        }
        out
    }

    /// What the start screen offers: campaigns other than the one in use, and a newer version
    /// of the one in use with what changed.
    pub(super) fn offers(&self) -> Vec<OfferView> {
        let now = self.now();
        self.campaigns
            .offered
            .iter()
            .filter_map(|o| {
                let c = &o.campaign;
                let update = c.id == self.campaign.id;
                if update && c.version <= self.campaign.version {
                    return None;
                }
                // A campaign past its deadline is not offered for a new report.
                if !update && c.deadline < now {
                    return None;
                }
                Some(OfferView {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    deadline: c.deadline,
                    version: c.version,
                    new: o.new,
                    changes: update.then(|| c.changes_from(&self.campaign)),
                })
            })
            .collect()
    }

    /// The template of a known campaign other than the one in use, and its file.
    fn known_template(&self, id: &str) -> Option<(Campaign, Option<PathBuf>)> {
        if let Some(o) = self.campaigns.offered.iter().find(|o| o.campaign.id == id) {
            return Some((o.campaign.clone(), Some(o.path.clone())));
        }
        self.builtin
            .as_ref()
            .filter(|b| b.id == id)
            .map(|b| (Campaign::clone(b), None))
    }

    /// A draft of another campaign is being opened: switch to its template when this PC has
    /// it. False when it has not.
    pub(super) fn switch_to_campaign_of(&mut self, id: &str) -> bool {
        match self.known_template(id) {
            Some((campaign, path)) => {
                self.set_campaign(campaign, path);
                true
            }
            None => false,
        }
    }

    /// 开始填报 (`start`: a new draft too) or 改用新版 on an offered campaign.
    pub(super) fn use_offered(&mut self, id: &str, start: bool) {
        let Some(o) = self.campaigns.offered.iter().find(|o| o.campaign.id == id) else {
            return;
        };
        let (campaign, path, version) = (o.campaign.clone(), o.path.clone(), o.campaign.version);
        let title = campaign.title.clone();
        self.set_campaign(campaign, Some(path));
        self.send(StoreCommand::MarkCampaignShown {
            id: id.to_string(),
            version,
        });
        if let Some(o) = self
            .campaigns
            .offered
            .iter_mut()
            .find(|o| o.campaign.id == id)
        {
            o.new = false;
        }
        self.banner = Some(Banner::info(format!(
            "已改用市妇联发布的活动：{title}（第{version}版）。"
        )));
        if start {
            self.apply(crate::gui::state::Action::NewDraft);
        }
    }
}

/// The built-in template, read once for the window's life.
pub(super) fn builtin() -> Option<Arc<Campaign>> {
    Campaign::builtin().ok().map(Arc::new)
}

impl App {
    /// The department's latest review of this bundle, if any.
    pub(super) fn review_of(&self, bundle_sha256: &str) -> Option<&crate::core::review::Message> {
        crate::core::review::review_of(&self.campaigns.messages, bundle_sha256)
    }

    /// 修改后重新报送: the open draft, returned by the department, opens as its next version.
    pub(super) fn revise_returned(&mut self) {
        let now = self.now();
        let tick = self.ticker.now();
        let review = match self.open.as_ref().map(|o| o.draft.status()) {
            Some(crate::core::draft::Status::Submitted { receipt }) => {
                self.review_of(&receipt.bundle_sha256).cloned()
            }
            _ => None,
        };
        let Some(review) = review else {
            return;
        };
        let Some(open) = &mut self.open else {
            return;
        };
        match open.draft.reopen_for_correction(&review, now) {
            Ok(()) => {
                open.autosave.changed(tick);
                let version = open.draft.version();
                self.banner = Some(
                    Banner::info(format!(
                        "已打开第{version}版：按市妇联的意见修改，每条改好后点“已按意见修改”，然后重新报送。"
                    ))
                    .about(&open.draft.id),
                );
                self.refresh_report();
            }
            Err(e) => self.banner = Some(Banner::error(e.user_message())),
        }
    }

    fn refresh_report(&mut self) {
        if let Some(open) = &mut self.open {
            open.form.report = crate::core::validate::validate_with_files(
                &self.campaign,
                &open.draft,
                &open.form.files,
            );
        }
    }

    /// 已按意见修改 on one note.
    pub(super) fn address_note(&mut self, index: usize) {
        let now = self.now();
        let tick = self.ticker.now();
        let Some(open) = &mut self.open else {
            return;
        };
        if !open.draft.is_editable() {
            return;
        }
        let Some(note) = open
            .draft
            .correction
            .as_mut()
            .and_then(|c| c.notes.get_mut(index))
        else {
            return;
        };
        note.addressed = true;
        if let Err(e) = open.draft.mark_edited(now) {
            self.banner = Some(Banner::error(e.user_message()));
            return;
        }
        open.autosave.changed(tick);
        self.refresh_report();
    }
}

//! Campaigns through the intake the units already send to: the department publishes a signed
//! template ([`publish`]); every clerk's app fetches the index, checks each template's signature
//! against the key IT pinned, and keeps what verifies on its shelf ([`fetch`], [`Shelf`]).
//!
//! The intake's side is `deploy/intake/campaigns.mjs`. The addresses are the endpoint's own
//! (`<endpoint>/campaigns/index.json`): no second address to configure, through the same nginx
//! site and proxy as the bundles.
//!
//! What is refused, and never half-loaded: a template whose signature does not verify, one
//! signed by another key, one larger than [`MAX_TEMPLATE`], one that is not a valid template (a
//! newer schema, bad fields), one whose id or version is not what the index says, and a version
//! older than one this PC has already seen (a replay of a validly signed old template).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use super::Campaign;
use super::signing::{DeskKey, PublicKey};
use crate::hashing::sha256_hex;
use crate::intake::{
    IntakeError, check_scheme, classify, error_chain, intake_client, status_error,
};
use crate::store::atomic::write_atomic;

use super::Intake;

/// The largest template read or published (the built-in one is 12 KB).
pub const MAX_TEMPLATE: u64 = 2 * 1024 * 1024;
/// The largest index read.
const MAX_INDEX: u64 = 1024 * 1024;
/// The most campaigns one look considers.
const MAX_ENTRIES: usize = 200;
/// How long one look may take, however slowly the server answers.
const LOOK_LIMIT: Duration = Duration::from_secs(300);

/// One campaign as the intake's index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub id: String,
    pub version: u32,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub deadline: String,
    pub file: String,
    pub signature: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub published_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Index {
    #[serde(default)]
    campaigns: Vec<IndexEntry>,
}

/// Why a campaign from the intake (or a file) was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    /// The Chinese sentence: what was wrong.
    pub message: String,
}

/// What could go wrong talking to the intake about campaigns.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error("{url}: {detail}")]
    BadAnswer { url: String, detail: String },
    #[error("publishing refused (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("the template cannot be published: {0}")]
    Template(String),
    #[error("no campaign key pinned in baosong.toml")]
    NoKey,
    /// Reading the campaigns: the token was refused (a unit's own token is needed).
    #[error("{url} refused the token for reading campaigns (HTTP {status})")]
    ReadRefused { url: String, status: u16 },
    /// The endpoint has no campaigns there: a wrong address.
    #[error("{url}: no campaigns here (HTTP 404)")]
    NoCampaignsHere { url: String },
    /// This PC has no signing key, and the intake checks with one: it must be copied, not made.
    #[error("no signing key here; the intake checks with {intake}")]
    NoLocalKey { intake: String, path: PathBuf },
    /// Neither this PC nor the intake has the department's key yet (nothing published).
    #[error("no signing key here nor at the intake")]
    NoSigningKey,
    /// This PC's key is not the one the intake checks with.
    #[error("local key {local} is not the intake's {intake}")]
    KeyMismatch { local: String, intake: String },
}

impl ChannelError {
    /// The channel's words, said of reviews rather than campaigns where they differ.
    pub fn review_message(&self) -> String {
        match self {
            Self::Intake(IntakeError::Unauthorised { .. }) => {
                "报送服务器不接受这个令牌：发送审核结果和提醒需要市妇联宣传部的收件台令牌（令牌文件中写作 @desk），请用 --token 给出或在“设置与帮助”中填写。".into()
            }
            Self::NoLocalKey { intake, path } => format!(
                "本机没有市妇联的签名私钥，而报送服务器核对签名用的公钥指纹是 {intake}。审核结果和提醒要用发布活动的同一把私钥签名：请把当初生成私钥的电脑上的私钥文件复制到“{}”（见 docs/campaigns.md），不要重新生成。",
                path.display()
            ),
            Self::NoSigningKey => "本机和报送服务器都还没有市妇联的签名钥匙，不能发送审核结果和提醒：请先运行 baosong campaign key 生成，由信息技术人员把公钥配置到服务器（INTAKE_CAMPAIGN_KEY）和各单位的 baosong.toml（见 docs/campaigns.md）。".into(),
            Self::Refused { status: 403, .. } => {
                "报送服务器拒绝：这个令牌不是市妇联宣传部的收件台令牌（令牌文件中写作 @desk）。".into()
            }
            Self::Refused { status: 422, .. } => "报送服务器核对签名不通过：服务器上配置的公钥（INTAKE_CAMPAIGN_KEY）与本机的签名私钥不是一对。请信息技术人员核对。".into(),
            Self::Refused { status: 503, .. } => "报送服务器尚未配置市妇联公钥（INTAKE_CAMPAIGN_KEY），不能发送审核意见。请信息技术人员按 docs/campaigns.md 配置。".into(),
            Self::Refused { status, detail } => {
                format!("报送服务器拒绝（HTTP {status}）：{detail}")
            }
            Self::NoCampaignsHere { url } => format!(
                "“{url}”上没有审核意见的接收处：报送服务器的程序可能较旧，请信息技术人员更新 deploy/intake。"
            ),
            other => other.user_message(),
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            Self::Intake(IntakeError::Unauthorised { .. }) => {
                "报送服务器不接受这个令牌：发布活动需要市妇联宣传部的收件台令牌（令牌文件中写作 @desk），请用 --token 给出或在“设置与帮助”中填写。".into()
            }
            Self::Intake(e) => e.user_message(),
            Self::BadAnswer { url, .. } => {
                format!("报送服务器“{url}”的回答不是活动清单，请确认报送地址是否正确。")
            }
            Self::Refused { status: 403, .. } => {
                "报送服务器拒绝发布：这个令牌不是市妇联宣传部的收件台令牌。".into()
            }
            Self::Refused { status: 409, detail } => format!(
                "报送服务器上已有同一活动的相同或更新版本（{detail}），本次未发布。"
            ),
            Self::Refused { status: 422, .. } => {
                "报送服务器核对签名不通过：服务器上配置的公钥（INTAKE_CAMPAIGN_KEY）与本机的签名私钥不是一对。请信息技术人员核对。".into()
            }
            Self::Refused { status: 503, .. } => {
                "报送服务器尚未配置市妇联公钥（INTAKE_CAMPAIGN_KEY），不能发布活动。请信息技术人员按 docs/campaigns.md 配置。".into()
            }
            Self::Refused { status, detail } => {
                format!("报送服务器拒绝发布（HTTP {status}）：{detail}")
            }
            Self::Template(m) => format!("模板不能发布：{m}"),
            Self::NoKey => "程序旁的 baosong.toml 中没有市妇联公钥（campaign_key，写在文件开头、[intake] 之前；命令行也可用 --key 给出），无法确认活动确实来自市妇联，因此不接收网上发布的活动。请联系信息技术人员。".into(),
            Self::ReadRefused { .. } => "报送服务器不接受这个访问令牌（或没有填写令牌），无法查看市妇联发布的活动。请在“设置与帮助”中填写本单位的访问令牌（命令行用 --token）。".into(),
            Self::NoCampaignsHere { url } => format!(
                "“{url}”上没有活动发布（HTTP 404）：报送地址可能不对，应与一键报送用的地址相同（以 /files/ 结尾）。"
            ),
            Self::NoLocalKey { intake, path } => format!(
                "本机没有市妇联的签名私钥，而报送服务器核对签名用的公钥指纹是 {intake}。请把当初生成私钥的电脑上的私钥文件复制到“{}”（见 docs/campaigns.md），不要重新生成：新私钥签的活动各单位都不会接收。",
                path.display()
            ),
            Self::NoSigningKey => "本机和报送服务器都还没有市妇联的签名钥匙：请先发布一次活动（收件台“新建活动”→“发布到报送服务器”，或 baosong campaign key），由信息技术人员把公钥配置到服务器和各单位的 baosong.toml（见 docs/campaigns.md）。".into(),
            Self::KeyMismatch { local, intake } => format!(
                "本机的签名私钥（公钥指纹 {local}）与报送服务器核对签名用的公钥（指纹 {intake}）不是一对，本次没有发布。请用当初的私钥文件；确实要换钥匙时，由信息技术人员同时更换服务器和各单位 baosong.toml 中的公钥（见 docs/campaigns.md）。"
            ),
        }
    }
}

/// `<endpoint>/campaigns/<name>`, with the endpoint's own scheme check (https, or this PC).
pub(crate) fn url_of(intake: &Intake, name: &str) -> Result<reqwest::Url, IntakeError> {
    url_at(intake, &format!("campaigns/{name}"))
}

/// `<endpoint>/<path>`, with the endpoint's own scheme check (https, or this PC).
pub(crate) fn url_at(intake: &Intake, path: &str) -> Result<reqwest::Url, IntakeError> {
    let mut base = check_scheme(intake)?;
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join(path).map_err(|e| IntakeError::InvalidUrl {
        url: intake.url.clone(),
        detail: e.to_string(),
    })
}

pub(crate) fn client(intake: &Intake) -> Result<reqwest::blocking::Client, IntakeError> {
    intake_client!(reqwest::blocking::Client::builder(), intake)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| IntakeError::Client(error_chain(&e)))
}

pub(crate) fn authorised(
    request: reqwest::blocking::RequestBuilder,
    intake: &Intake,
) -> reqwest::blocking::RequestBuilder {
    match intake.token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => request.bearer_auth(t),
        None => request,
    }
}

/// A body read up to `limit` bytes; more is an error, never a half-read file taken as whole.
pub(crate) fn body_capped(
    url: &str,
    response: reqwest::blocking::Response,
    limit: u64,
) -> Result<Vec<u8>, ChannelError> {
    let mut bytes = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| IntakeError::Connect {
            url: url.to_string(),
            detail: e.to_string(),
        })?;
    if bytes.len() as u64 > limit {
        return Err(ChannelError::BadAnswer {
            url: url.to_string(),
            detail: format!("more than {limit} bytes"),
        });
    }
    Ok(bytes)
}

/// A body and its ETag; `None` from [`get`] is 304 Not Modified.
pub(crate) type Got = (Vec<u8>, Option<String>);

pub(crate) fn get(
    http: &reqwest::blocking::Client,
    intake: &Intake,
    name: &str,
    limit: u64,
    etag: Option<&str>,
) -> Result<Option<Got>, ChannelError> {
    get_at(http, intake, url_of(intake, name)?, limit, etag)
}

/// GET `url`: its body (at most `limit` bytes) and ETag, `None` for 304.
pub(crate) fn get_at(
    http: &reqwest::blocking::Client,
    intake: &Intake,
    url: reqwest::Url,
    limit: u64,
    etag: Option<&str>,
) -> Result<Option<Got>, ChannelError> {
    let shown = url.to_string();
    let mut request = authorised(http.get(url), intake);
    if let Some(tag) = etag {
        request = request.header("If-None-Match", tag);
    }
    let response = request.send().map_err(|e| classify(&shown, &e))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(status_error(&shown, status, response.headers(), 0).into());
    }
    let tag = response
        .headers()
        .get("ETag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok(Some((body_capped(&shown, response, limit)?, tag)))
}

fn read_index(url: &str, bytes: &[u8]) -> Result<Index, ChannelError> {
    serde_json::from_slice(bytes).map_err(|e| ChannelError::BadAnswer {
        url: url.to_string(),
        detail: e.to_string(),
    })
}

/// What [`publish`] did.
#[derive(Debug, Clone)]
pub struct Published {
    pub entry: IndexEntry,
    /// The intake already held this very template (same content, same signer): nothing new
    /// was published, and no clerk is told of a "new" version.
    pub unchanged: bool,
    /// What changed from the version the intake held, in words (empty for a first version).
    pub changes: Vec<String>,
}

/// Publish a template: the next version after the one the intake holds, signed with the
/// department's key, sent with the desk token. Returns the index entry the intake wrote.
pub fn publish(
    intake: &Intake,
    key: &DeskKey,
    template: &Campaign,
) -> Result<Published, ChannelError> {
    let http = client(intake)?;
    let index_url = url_of(intake, "index.json")?.to_string();
    let index = match get(&http, intake, "index.json", MAX_INDEX, None) {
        Ok(Some((bytes, _))) => read_index(&index_url, &bytes)?,
        Ok(None) => Index::default(),
        Err(ChannelError::Intake(IntakeError::NotFound { url })) => {
            return Err(ChannelError::NoCampaignsHere { url });
        }
        Err(e) => return Err(e),
    };
    let held = index.campaigns.iter().find(|c| c.id == template.id);
    let mut unchanged = false;
    let mut campaign = template.clone();
    let mut changes = Vec::new();
    // The version the intake holds, verified: the new one keeps its item ids (what clerks wrote
    // stays under the right item), and what changed is said.
    if let Some(entry) = held
        && let Ok(Some((bytes, _))) = get(&http, intake, &entry.file, MAX_TEMPLATE, None)
        && let Ok(Some((sig, _))) = get(&http, intake, &entry.signature, 1024, None)
        && key
            .public()
            .verify(&bytes, String::from_utf8_lossy(&sig).trim())
            .is_ok()
        && let Ok(mut published) = parse_template(&bytes, &entry.file)
    {
        super::edit::carry_ids(&published, &mut campaign);
        changes = campaign.changes_from(&published);
        published.version = campaign.version;
        unchanged = published == campaign;
    }
    let current = held.map_or(0, |c| c.version);
    // The same template is sent again with the version the intake holds: the intake checks the
    // token and the signature as for a new one, then answers 409 (nothing to publish).
    campaign.version = if unchanged {
        current
    } else {
        campaign.version.max(
            current
                .checked_add(1)
                .ok_or_else(|| ChannelError::BadAnswer {
                    url: index_url.clone(),
                    detail: format!("version {current} cannot be followed"),
                })?,
        )
    };
    let bytes = signed_bytes(&campaign)?;
    let signature = key.sign(&bytes);
    let body = serde_json::json!({
        "template": String::from_utf8_lossy(&bytes),
        "signature": signature,
    });
    let url = url_of(intake, &campaign.id)?;
    let shown = url.to_string();
    let (status, text) = put_signed(&http, intake, url, &body)?;
    if unchanged
        && status == StatusCode::CONFLICT
        && let Some(entry) = held
    {
        return Ok(Published {
            entry: entry.clone(),
            unchanged: true,
            changes,
        });
    }
    if status != StatusCode::CREATED {
        return Err(ChannelError::Refused {
            status: status.as_u16(),
            detail: String::from_utf8_lossy(&text).trim().to_string(),
        });
    }
    let entry = serde_json::from_slice(&text).map_err(|e| ChannelError::BadAnswer {
        url: shown,
        detail: e.to_string(),
    })?;
    Ok(Published {
        entry,
        unchanged: false,
        changes,
    })
}

/// PUT a signed document (`body`, JSON) to `url` with the desk's token: the answer's status and
/// its text (at most 64 KiB); a refused token is [`IntakeError::Unauthorised`].
pub(crate) fn put_signed(
    http: &reqwest::blocking::Client,
    intake: &Intake,
    url: reqwest::Url,
    body: &serde_json::Value,
) -> Result<(StatusCode, Vec<u8>), ChannelError> {
    let shown = url.to_string();
    let response = authorised(http.put(url), intake)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .map_err(|e| classify(&shown, &e))?;
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        return Err(IntakeError::Unauthorised {
            url: shown,
            status: 401,
        }
        .into());
    }
    Ok((status, body_capped(&shown, response, 64 * 1024)?))
}

/// The public key the intake checks publications with (`None`: not configured there).
pub fn intake_key(intake: &Intake) -> Result<Option<PublicKey>, ChannelError> {
    #[derive(Deserialize)]
    struct Answer {
        key: Option<String>,
    }
    let http = client(intake)?;
    let url = url_of(intake, "key")?.to_string();
    let bytes = match get(&http, intake, "key", 4096, None)? {
        Some((bytes, _)) => bytes,
        None => return Ok(None),
    };
    let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| ChannelError::BadAnswer {
        url: url.clone(),
        detail: e.to_string(),
    })?;
    answer
        .key
        .map(|k| PublicKey::from_hex(&k))
        .transpose()
        .map_err(|detail| ChannelError::BadAnswer { url, detail })
}

/// Publish with the department's key kept in `key_dir`, checked first against the one the
/// intake checks with: a PC without the key makes one only when the intake has none yet (the
/// first publication; IT then configures both sides with it); a PC whose key is not the
/// intake's is stopped before anything is sent. Returns what was published and whether the
/// key was made now.
pub fn publish_from(
    intake: &Intake,
    key_dir: &Path,
    template: &Campaign,
) -> Result<(Published, bool), ChannelError> {
    let (key, made) = desk_key_for(intake, key_dir, true)?;
    publish(intake, &key, template).map(|p| (p, made))
}

/// The department's key in `key_dir`, checked against the one the intake checks with; made
/// only when `may_make` and the intake has none yet. Returns it and whether it was made now.
pub fn desk_key_for(
    intake: &Intake,
    key_dir: &Path,
    may_make: bool,
) -> Result<(DeskKey, bool), ChannelError> {
    let theirs = intake_key(intake)?;
    let local = DeskKey::load(key_dir).map_err(|e| ChannelError::Template(e.user_message()))?;
    Ok(match (local, theirs) {
        (Some(key), Some(theirs)) if key.public() != theirs => {
            return Err(ChannelError::KeyMismatch {
                local: key.public().fingerprint(),
                intake: theirs.fingerprint(),
            });
        }
        (Some(key), _) => (key, false),
        (None, Some(theirs)) => {
            return Err(ChannelError::NoLocalKey {
                intake: theirs.fingerprint(),
                path: key_dir.join(super::signing::KEY_FILE),
            });
        }
        (None, None) if may_make => DeskKey::load_or_create(key_dir)
            .map_err(|e| ChannelError::Template(e.user_message()))?,
        (None, None) => return Err(ChannelError::NoSigningKey),
    })
}

/// The bytes that are signed and published: the template as pretty JSON, checked first (a
/// template with unread fields, or invalid, is not published).
pub fn signed_bytes(campaign: &Campaign) -> Result<Vec<u8>, ChannelError> {
    let text = serde_json::to_string_pretty(campaign)
        .map_err(|e| ChannelError::Template(e.to_string()))?;
    // The very bytes go through the same check every clerk's app will make.
    Campaign::from_json_str(&text, "待发布的模板").map_err(|e| match e {
        crate::error::CoreError::TemplateInvalid { problem, .. } => ChannelError::Template(problem),
        other => ChannelError::Template(other.user_message()),
    })?;
    if text.len() as u64 > MAX_TEMPLATE {
        return Err(ChannelError::Template("模板超过 2 MB".into()));
    }
    Ok(format!("{text}\n").into_bytes())
}

/// A template from the intake that verified, on this PC's shelf.
#[derive(Debug, Clone)]
pub struct Offered {
    pub campaign: Campaign,
    pub path: PathBuf,
    /// Published after this PC last looked (shown as new on the start screen).
    pub new: bool,
}

/// What one look at the intake found.
#[derive(Debug, Default)]
pub struct Fetched {
    /// Taken now (verified and kept).
    pub taken: Vec<IndexEntry>,
    pub refused: Vec<Refusal>,
    /// The index had not changed since the last look (304).
    pub unchanged: bool,
}

/// The campaigns this PC has taken from the intake: `<data>/campaigns/`, each template with its
/// signature, and what was seen (the newest version of each id, so an older one is refused).
pub struct Shelf {
    dir: PathBuf,
}

/// What the looks at the intake have taken (written only by [`fetch`]; a version never goes
/// down, which is what refuses a replayed older template).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Seen {
    #[serde(default)]
    etag: Option<String>,
    /// id → newest version taken.
    #[serde(default)]
    versions: BTreeMap<String, u32>,
}

const SEEN_FILE: &str = "seen.json";
/// id → the version the clerk has been shown (for 新); a file of its own, written by the window,
/// so it never races [`fetch`]'s `seen.json`.
const SHOWN_FILE: &str = "shown.json";

impl Shelf {
    pub fn in_data_dir(root: &Path) -> Self {
        Self {
            dir: root.join("campaigns"),
        }
    }

    fn seen(&self) -> Seen {
        std::fs::read(self.dir.join(SEEN_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save_seen(&self, seen: &Seen) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(seen).map_err(std::io::Error::other)?;
        write_atomic(&self.dir.join(SEEN_FILE), &text)
    }

    fn shown(&self) -> BTreeMap<String, u32> {
        std::fs::read(self.dir.join(SHOWN_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The newest verified version of each campaign on the shelf, checked again against the key
    /// (a file changed on disk is refused like one changed on the way).
    pub fn offered(&self, key: &PublicKey) -> (Vec<Offered>, Vec<Refusal>) {
        let seen = self.seen();
        let shown = self.shown();
        let mut out = Vec::new();
        let mut refused = Vec::new();
        for (id, version) in &seen.versions {
            let path = self.dir.join(format!("{id}-v{version}.json"));
            match verify_file(&path, key) {
                Ok(campaign) if campaign.id == *id && campaign.version == *version => {
                    out.push(Offered {
                        new: shown.get(id).is_none_or(|v| v < version),
                        campaign,
                        path,
                    });
                }
                Ok(_) => refused.push(Refusal {
                    id: id.clone(),
                    message: "文件中的活动编号或版本与记录不符".into(),
                }),
                Err(message) => refused.push(Refusal {
                    id: id.clone(),
                    message,
                }),
            }
        }
        (out, refused)
    }

    /// Remember that the clerk has seen this version (no longer 新).
    pub fn mark_shown(&self, id: &str, version: u32) -> std::io::Result<()> {
        let mut shown = self.shown();
        let was = shown.entry(id.to_string()).or_default();
        *was = (*was).max(version);
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(&shown).map_err(std::io::Error::other)?;
        write_atomic(&self.dir.join(SHOWN_FILE), &text)
    }
}

/// Read a template file and its `.sig` beside it, verified against `key`.
pub fn verify_file(path: &Path, key: &PublicKey) -> Result<Campaign, String> {
    let bytes = read_capped(path)?;
    let sig_path = PathBuf::from(format!("{}.sig", path.display()));
    let signature = std::fs::read_to_string(&sig_path).unwrap_or_default();
    key.verify(&bytes, &signature)
        .map_err(|p| p.user_message().to_string())?;
    parse_template(&bytes, &path.display().to_string())
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("无法读取：{e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_TEMPLATE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("无法读取：{e}"))?;
    if bytes.len() as u64 > MAX_TEMPLATE {
        return Err("模板超过 2 MB，不像是一份活动模板".into());
    }
    Ok(bytes)
}

fn parse_template(bytes: &[u8], origin: &str) -> Result<Campaign, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "模板不是 UTF-8 文本".to_string())?;
    Campaign::from_json_str(text.trim_start_matches('\u{feff}'), origin).map_err(|e| match e {
        crate::error::CoreError::TemplateInvalid { problem, .. } => problem,
        other => other.user_message(),
    })
}

/// Look at the intake's campaigns: what is new and verifies is taken onto the shelf, what does
/// not is refused with the reason (and logged). Offline is an error the caller treats as normal.
pub fn fetch(intake: &Intake, key: &PublicKey, shelf: &Shelf) -> Result<Fetched, ChannelError> {
    let http = client(intake)?;
    let mut seen = shelf.seen();
    let index_url = url_of(intake, "index.json")?.to_string();
    let (bytes, etag) = match get(&http, intake, "index.json", MAX_INDEX, seen.etag.as_deref()) {
        Ok(Some(got)) => got,
        Ok(None) => {
            return Ok(Fetched {
                unchanged: true,
                ..Fetched::default()
            });
        }
        Err(ChannelError::Intake(IntakeError::NotFound { url })) => {
            return Err(ChannelError::NoCampaignsHere { url });
        }
        Err(ChannelError::Intake(IntakeError::Unauthorised { url, status })) => {
            return Err(ChannelError::ReadRefused { url, status });
        }
        Err(e) => return Err(e),
    };
    let index = read_index(&index_url, &bytes)?;
    let mut fetched = Fetched::default();
    let mut all_settled = true;
    // A look has bounds whatever the server does: at most this many campaigns (the intake keeps
    // 200), and it ends after LOOK_LIMIT (a server that trickles is looked at again next time).
    let started = std::time::Instant::now();
    for entry in index.campaigns.into_iter().take(MAX_ENTRIES) {
        if started.elapsed() > LOOK_LIMIT {
            all_settled = false;
            tracing::warn!("the look at published campaigns took too long; the rest next time");
            break;
        }
        let refuse = |message: String| {
            tracing::warn!(id = %entry.id, version = entry.version, %message, "campaign refused");
            Refusal {
                id: entry.id.clone(),
                message,
            }
        };
        let known = seen.versions.get(&entry.id).copied().unwrap_or(0);
        if entry.version == known {
            continue;
        }
        if entry.version < known {
            fetched.refused.push(refuse(format!(
                "服务器提供的是第{}版，本机已有更新的第{known}版（旧版本不会替换新版本）",
                entry.version
            )));
            continue;
        }
        let id_ok = !entry.id.is_empty()
            && entry.id.len() <= 64
            && entry
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            fetched
                .refused
                .push(refuse("活动清单中的活动编号不符合规定".into()));
            continue;
        }
        let expected_file = format!("{}-v{}.json", entry.id, entry.version);
        if entry.file != expected_file || entry.signature != format!("{expected_file}.sig") {
            fetched
                .refused
                .push(refuse("活动清单中的文件名不符合规定".into()));
            continue;
        }
        let got = get(&http, intake, &entry.file, MAX_TEMPLATE, None).and_then(|t| {
            let sig = get(&http, intake, &entry.signature, 1024, None)?;
            Ok((t, sig))
        });
        let (template, signature) = match got {
            Ok((Some((t, _)), Some((s, _)))) => (t, s),
            Ok(_) => continue,
            Err(ChannelError::BadAnswer { .. }) => {
                fetched
                    .refused
                    .push(refuse("模板超过 2 MB，不像是一份活动模板".into()));
                continue;
            }
            Err(e) => {
                // A line that dropped half-way: looked at again next time.
                all_settled = false;
                tracing::info!(error = %e, id = %entry.id, "campaign not fetched");
                continue;
            }
        };
        let signature = String::from_utf8_lossy(&signature).trim().to_string();
        if let Err(p) = key.verify(&template, &signature) {
            fetched.refused.push(refuse(p.user_message().to_string()));
            continue;
        }
        let campaign = match parse_template(&template, &entry.file) {
            Ok(c) => c,
            Err(m) => {
                fetched.refused.push(refuse(m));
                continue;
            }
        };
        if campaign.id != entry.id || campaign.version != entry.version {
            fetched
                .refused
                .push(refuse("模板中的活动编号或版本与活动清单不符".into()));
            continue;
        }
        let stored = std::fs::create_dir_all(&shelf.dir)
            .and_then(|()| write_atomic(&shelf.dir.join(&entry.file), &template))
            .and_then(|()| {
                write_atomic(
                    &shelf.dir.join(&entry.signature),
                    format!("{signature}\n").as_bytes(),
                )
            });
        if let Err(e) = stored {
            tracing::error!(error = %e, "cannot keep a fetched campaign");
            all_settled = false;
            continue;
        }
        tracing::info!(id = %entry.id, version = entry.version, sha256 = %sha256_hex(&template), "campaign taken");
        seen.versions.insert(entry.id.clone(), entry.version);
        fetched.taken.push(entry);
    }
    // The index's tag is kept only when everything in it was settled and taken, so a campaign
    // that could not be fetched, or was refused, is looked at again next time instead of hidden
    // behind a 304 (a server mended in place is believed as soon as it verifies).
    seen.etag = if all_settled && fetched.refused.is_empty() {
        etag
    } else {
        None
    };
    shelf
        .save_seen(&seen)
        .map_err(|e| ChannelError::BadAnswer {
            url: shelf.dir.display().to_string(),
            detail: e.to_string(),
        })?;
    Ok(fetched)
}

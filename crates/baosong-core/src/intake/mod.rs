//! The intake client: talking to the city federation's intake endpoint. The probe that
//! 测试连接 and `baosong probe` use is also how an upload picks its protocol: an `OPTIONS`
//! request, answered by a tus 1.0 server with `Tus-Version` / `Tus-Extension` headers, or by a
//! plain upload server with anything else. [`upload`] sends a bundle: [`tus`] (resumable) or
//! [`multipart`] (one POST).
//!
//! The HTTP client uses the system's proxy settings (`HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`; on
//! Windows the Internet Options proxy) and the operating system's certificate store
//! (rustls-platform-verifier), so a corporate TLS-inspecting proxy whose root certificate IT
//! installed in Windows works. See `docs/network.md`.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::campaign::Intake;

pub mod multipart;
pub mod sender;
pub mod tus;
pub mod upload;

pub const USER_AGENT: &str = concat!("baosong/", env!("CARGO_PKG_VERSION"));

/// What the endpoint said to `OPTIONS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A tus server: resumable uploads.
    Tus {
        version: String,
        extensions: Vec<String>,
        max_size: Option<u64>,
    },
    /// Something answered, without tus: a plain (multipart) upload endpoint.
    Plain { status: u16 },
}

impl Probe {
    pub fn user_message(&self) -> String {
        match self {
            Self::Tus {
                version,
                extensions,
                max_size,
            } => {
                let mut m = format!("连接成功：服务器支持断点续传（tus {version}）");
                if !extensions.is_empty() {
                    m.push_str(&format!("，扩展：{}", extensions.join("、")));
                }
                if let Some(max) = max_size {
                    m.push_str(&format!("，单个文件上限 {} MB", max / 1_048_576));
                }
                m.push('。');
                m
            }
            Self::Plain { status } => {
                format!(
                    "连接成功：服务器有应答（HTTP {status}），不支持断点续传，将用普通方式上传。"
                )
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("invalid intake URL {url}: {detail}")]
    InvalidUrl { url: String, detail: String },
    #[error("cannot create the HTTP client: {0}")]
    Client(String),
    #[error("TLS certificate of {url} not trusted: {detail}")]
    Certificate { url: String, detail: String },
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("timed out talking to {url}")]
    Timeout { url: String },
    #[error("{url} refused the access token (HTTP {status})")]
    Unauthorised { url: String, status: u16 },
    #[error("{url} answered HTTP {status}")]
    Server { url: String, status: u16 },
    #[error("{url} is plain http to another host")]
    InsecureHttp { url: String },
    #[error("{url}: not found (HTTP 404)")]
    NotFound { url: String },
    #[error("{url}: {bytes} bytes over the server's limit of {limit:?}")]
    TooBig {
        url: String,
        bytes: u64,
        limit: Option<u64>,
    },
    /// The server is there but cannot take it now (5xx, 429): tried again after `retry_after`.
    #[error("{url} is unavailable (HTTP {status})")]
    Unavailable {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Refused for a reason trying again will not mend.
    #[error("{url} refused the upload (HTTP {status}): {detail}")]
    Rejected {
        url: String,
        status: u16,
        detail: String,
    },
    /// An answer that is not a confirmation (a 200 web page: a captive portal, a proxy login).
    #[error("{url} answered without confirming (HTTP {status}, {content_type})")]
    NotConfirmed {
        url: String,
        status: u16,
        content_type: String,
    },
    #[error("{url} redirected to {location}")]
    Redirected { url: String, location: String },
    /// The server recomputed the bundle's sha256 and it was not what was announced: it kept
    /// nothing (the intake's check on arrival).
    #[error("{url}: the bundle arrived damaged (sha256 mismatch)")]
    Damaged { url: String },
    #[error("cannot read the bundle {path}: {detail}")]
    Bundle { path: String, detail: String },
    #[error("cancelled")]
    Cancelled,
}

impl IntakeError {
    /// What happened and what to do, for the clerk.
    pub fn user_message(&self) -> String {
        match self {
            Self::InvalidUrl { url, .. } => {
                format!("报送地址“{url}”格式不正确，请在“设置与帮助”中核对（应以 https:// 开头）。")
            }
            Self::Client(_) => "无法初始化网络组件，请把诊断信息交给信息技术人员。".into(),
            Self::Certificate { url, .. } => format!(
                "无法验证“{url}”的安全证书。如果单位网络使用了加密代理，请信息技术人员把代理的根证书安装到 Windows 证书库中。"
            ),
            Self::Connect { url, .. } => format!(
                "连接不上“{url}”。请检查网络；如果单位通过代理上网，请确认 Windows 的代理设置正确。"
            ),
            Self::Timeout { url } => format!("连接“{url}”超时。网络可能较慢或不稳定，请稍后再试。"),
            Self::Unauthorised { status, .. } => {
                format!("服务器拒绝了访问令牌（HTTP {status}）。请向市妇联宣传部核对访问令牌。")
            }
            Self::Server { url, status } => {
                format!("服务器“{url}”返回错误（HTTP {status}）。请稍后再试，或联系市妇联宣传部。")
            }
            Self::InsecureHttp { url } => format!(
                "报送地址“{url}”没有加密（http://），为保护材料不能使用。请改用 https:// 开头的地址；确需使用时，由信息技术人员在程序旁的 baosong.toml 中设置 allow_http = true。"
            ),
            Self::NotFound { url } => format!(
                "报送地址“{url}”不存在（HTTP 404），可能填错了。请在“设置与帮助”中核对，或向市妇联宣传部索取正确的地址。"
            ),
            Self::TooBig { limit, bytes, .. } => match limit {
                Some(limit) => format!(
                    "材料包大小为{}，超过了服务器允许的{}。请删去部分视频或压缩后再报送，或导出材料包用其他方式报送。",
                    super::units::human_bytes(*bytes),
                    super::units::human_bytes(*limit)
                ),
                None => format!(
                    "材料包（{}）超过了服务器允许的大小（HTTP 413）。请删去部分视频或压缩后再报送，或联系市妇联宣传部。",
                    super::units::human_bytes(*bytes)
                ),
            },
            Self::Unavailable { status: 507, .. } => "市妇联接收服务器的存储空间不足，暂时收不下材料包，程序会稍后自动重试。请打电话告诉市妇联宣传部（联系方式见“设置与帮助”），材料不会丢失。".into(),
            Self::Unavailable { status: 429, .. } => "本单位正在进行的报送太多，服务器暂时不接收新的报送，程序会稍后自动重试。如果在别的电脑上也在报送，请只保留一处。".into(),
            Self::Unavailable { status, .. } => format!(
                "服务器暂时无法接收（HTTP {status}），稍后会自动重试。如长时间不成功，请联系市妇联宣传部。"
            ),
            Self::Rejected { status, .. } => format!(
                "服务器拒绝了这次报送（HTTP {status}）。请把诊断信息交给信息技术人员，或联系市妇联宣传部。"
            ),
            Self::NotConfirmed { .. } => "服务器返回了一个网页，而不是收到材料的确认——可能是单位网络要求先登录（认证页面），或报送地址有误。请先打开浏览器确认能上网，再重新报送；材料未被标记为已报送。".into(),
            Self::Redirected { location, .. } => format!(
                "报送地址被转到了另一个地址（{location}），为安全起见没有跟随。请核对报送地址。"
            ),
            Self::Damaged { .. } => "服务器核对材料包时发现收到的内容与校验值不一致（传输中损坏），这次报送没有被接收。请点“重新报送”；如再次出现，请“导出材料包”用U盘报送，并联系信息技术人员。".into(),
            Self::Bundle { path, .. } => format!(
                "无法读取材料包“{path}”。请重新报送（会重新打包）。"
            ),
            Self::Cancelled => "已取消报送。".into(),
        }
    }

    /// Trying again later may succeed (the network, a busy server).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. } | Self::Timeout { .. } | Self::Unavailable { .. }
        )
    }
}

/// Plain `http://` is refused for anything but this PC, unless IT allowed it.
pub fn check_scheme(intake: &Intake) -> Result<reqwest::Url, IntakeError> {
    let url = intake.url.trim();
    let parsed = reqwest::Url::parse(url).map_err(|e| IntakeError::InvalidUrl {
        url: url.to_string(),
        detail: e.to_string(),
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            let host = parsed
                .host_str()
                .unwrap_or_default()
                .trim_matches(['[', ']']);
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback || intake.allow_http {
                Ok(parsed)
            } else {
                Err(IntakeError::InsecureHttp {
                    url: url.to_string(),
                })
            }
        }
        _ => Err(IntakeError::InvalidUrl {
            url: url.to_string(),
            detail: "scheme is not http or https".into(),
        }),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is taken as a minute).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("Retry-After")?.to_str().ok()?.trim();
    Some(match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs.min(3600)),
        Err(_) => Duration::from_secs(60),
    })
}

/// An HTTP status that is not a success, as an error of the right kind.
pub fn status_error(url: &str, status: StatusCode, headers: &HeaderMap, bytes: u64) -> IntakeError {
    let url = url.to_string();
    let code = status.as_u16();
    match code {
        401 | 403 => IntakeError::Unauthorised { url, status: code },
        404 => IntakeError::NotFound { url },
        413 => IntakeError::TooBig {
            url,
            bytes,
            limit: None,
        },
        408 | 429 | 500..=599 => IntakeError::Unavailable {
            url,
            status: code,
            retry_after: retry_after(headers),
        },
        300..=399 => IntakeError::Redirected {
            url,
            location: headers
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
        },
        _ => IntakeError::Rejected {
            url,
            status: code,
            detail: status.canonical_reason().unwrap_or_default().to_string(),
        },
    }
}

/// The one recipe of every HTTP client that may carry the unit's token (the probe's, the
/// upload's small requests, the sender of the bundle — blocking or async builders alike): the
/// system's proxy and certificate store, except that a token over plain http never goes through
/// a proxy ([`token_in_clear`]); no redirect ever followed (the token would go with it to another
/// host); 15 s to connect; our user agent. Each adds its own limit on a whole request.
macro_rules! intake_client {
    ($builder:expr, $intake:expr) => {{
        let builder = $builder;
        let builder = if $crate::intake::token_in_clear($intake) {
            builder.no_proxy()
        } else {
            builder
        };
        builder
            .user_agent($crate::intake::USER_AGENT)
            .connect_timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
    }};
}
pub(crate) use intake_client;

/// The HTTP client for an upload's small requests (tus creation, `HEAD`, `DELETE`): the system
/// proxy and certificate store like the probe's, no redirects followed (a token is never carried
/// to another host), 15 s to connect and a minute for the answer. The bundle itself goes through
/// [`sender::Sender`], which has no limit on a whole request, only on one standing still.
pub fn upload_client(intake: &Intake) -> Result<reqwest::blocking::Client, IntakeError> {
    intake_client!(reqwest::blocking::Client::builder(), intake)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| IntakeError::Client(error_chain(&e)))
}

/// A blocking client; run it on a worker thread, never on the UI thread.
pub struct IntakeClient {
    http: reqwest::blocking::Client,
}

/// A token over plain http (this PC, or a host IT allowed) never goes through a proxy, which
/// would read it in clear; https goes through the system's proxy as a tunnel it cannot read, and
/// plain http without a token may use the proxy as before.
pub fn token_in_clear(intake: &Intake) -> bool {
    intake
        .url
        .trim()
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("http:"))
        && intake.token.as_deref().is_some_and(|t| !t.is_empty())
}

/// May the token go to `url`, handed out by the server (a tus upload's `Location`) or kept from
/// an earlier attempt (`upload.json`, which travels with a copied draft)? Only to the endpoint's
/// own scheme, host and port: anything else would carry the token where the scheme check never
/// looked.
pub fn same_origin(url: &reqwest::Url, endpoint: &reqwest::Url) -> bool {
    url.scheme() == endpoint.scheme()
        && url.host_str() == endpoint.host_str()
        && url.port_or_known_default() == endpoint.port_or_known_default()
}

impl IntakeClient {
    pub fn new(intake: &Intake) -> Result<Self, IntakeError> {
        let http = intake_client!(reqwest::blocking::Client::builder(), intake)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| IntakeError::Client(error_chain(&e)))?;
        Ok(Self { http })
    }

    /// Ask the endpoint what it is (`OPTIONS`), with the token if there is one. The token
    /// travels only where sending may go ([`check_scheme`]: https, this PC, or IT's
    /// `allow_http`), checked before any connection is made.
    pub fn probe(&self, intake: &Intake) -> Result<Probe, IntakeError> {
        let url = intake.url.trim().to_string();
        let parsed = check_scheme(intake)?;
        let mut request = self
            .http
            .request(reqwest::Method::OPTIONS, parsed)
            .header("Tus-Resumable", "1.0.0");
        if let Some(token) = intake.token.as_deref().filter(|t| !t.is_empty()) {
            request = request.bearer_auth(token);
        }
        let response = request.send().map_err(|e| classify(&url, &e))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(IntakeError::Unauthorised {
                url,
                status: status.as_u16(),
            });
        }
        // A front that is busy or restarting (502, 503, 504: an nginx limit_conn, a backend
        // coming back) is waited for like any other unavailable server, not taken as a failure.
        if matches!(status.as_u16(), 502..=504) {
            return Err(status_error(&url, status, response.headers(), 0));
        }
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            return Err(IntakeError::Server {
                url,
                status: status.as_u16(),
            });
        }
        // Not an intake: a wrong address, or a redirect (never followed, the token with it).
        if status == StatusCode::NOT_FOUND || status.is_redirection() {
            return Err(status_error(&url, status, response.headers(), 0));
        }
        Ok(tus_of(response.headers()).unwrap_or(Probe::Plain {
            status: status.as_u16(),
        }))
    }
}

fn tus_of(headers: &HeaderMap) -> Option<Probe> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let versions = get("Tus-Version")?;
    let version = if versions.split(',').any(|v| v.trim() == "1.0.0") {
        "1.0.0".to_string()
    } else {
        versions
    };
    let extensions = get("Tus-Extension")
        .map(|e| {
            e.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let max_size = get("Tus-Max-Size").and_then(|m| m.trim().parse().ok());
    Some(Probe::Tus {
        version,
        extensions,
        max_size,
    })
}

pub fn classify(url: &str, e: &reqwest::Error) -> IntakeError {
    let detail = error_chain(e);
    let url = url.to_string();
    let lower = detail.to_ascii_lowercase();
    if lower.contains("certificate")
        || lower.contains("unknownissuer")
        || lower.contains("invalid peer")
    {
        IntakeError::Certificate { url, detail }
    } else if e.is_timeout() {
        IntakeError::Timeout { url }
    } else {
        IntakeError::Connect { url, detail }
    }
}

/// An error with all its causes, for the log.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// Where the intake endpoint in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeSource {
    Settings,
    Portable,
    Template,
}

impl IntakeSource {
    pub fn label(self) -> &'static str {
        match self {
            Self::Settings => "设置",
            Self::Portable => "程序旁的 baosong.toml",
            Self::Template => "活动模板",
        }
    }
}

/// The endpoint in force: set in 设置, else handed out by IT in baosong.toml, else the template's.
pub fn effective(
    settings: Option<&Intake>,
    portable: Option<&Intake>,
    template: Option<&Intake>,
) -> Option<(Intake, IntakeSource)> {
    let usable = |i: &&Intake| !i.url.trim().is_empty();
    // Only IT's baosong.toml may allow plain http to another host.
    let strict = |i: &Intake| Intake {
        allow_http: false,
        ..i.clone()
    };
    // The clerk's address with no token of its own, where IT's file has the same address:
    // IT's token goes with it (it is never copied into the clerk's settings).
    let with_its_token = |i: &Intake| match portable {
        Some(p) if i.token.is_none() && p.url.trim() == i.url.trim() => Intake {
            token: p.token.clone(),
            ..strict(i)
        },
        _ => strict(i),
    };
    settings
        .filter(usable)
        .map(|i| (with_its_token(i), IntakeSource::Settings))
        .or_else(|| {
            portable
                .filter(usable)
                .map(|i| (i.clone(), IntakeSource::Portable))
        })
        .or_else(|| {
            template
                .filter(usable)
                .map(|i| (strict(i), IntakeSource::Template))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The token never leaves the machine in clear: an http address of another host is refused
    /// before any connection — `.invalid` cannot resolve, so a name-resolution error here would
    /// mean a connection was tried.
    #[test]
    fn the_probe_refuses_plain_http_to_another_host_before_connecting() {
        let intake = Intake::new("http://intake.invalid/files/", Some("secret-token".into()));
        let client = IntakeClient::new(&intake).expect("client");
        match client.probe(&intake) {
            Err(IntakeError::InsecureHttp { url }) => {
                assert_eq!(url, "http://intake.invalid/files/")
            }
            other => panic!("not refused as insecure: {other:?}"),
        }
        assert!(
            check_scheme(&Intake {
                allow_http: true,
                ..intake
            })
            .is_ok()
        );
    }
}

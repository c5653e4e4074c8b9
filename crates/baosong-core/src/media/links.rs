//! Links to new-media posts (新媒体产品): the platform recognised from the address, so the
//! summary can say 微信公众号 or 抖音; an address that is not one refused with a reason. Clerks
//! paste what the apps' 分享 button copies — 抖音's is a sentence with the address inside it — so
//! the first address in the pasted text is taken.

use crate::draft::Link;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("no address in the text")]
    NoAddress,
    #[error("not an http(s) address: {0}")]
    NotWeb(String),
    #[error("no host in {0}")]
    NoHost(String),
}

impl LinkError {
    pub fn user_message(&self) -> String {
        match self {
            Self::NoAddress => "没有找到链接地址。请从微信、抖音等“分享”中复制链接（以 https:// 开头），粘贴到这里。".into(),
            Self::NotWeb(a) | Self::NoHost(a) => format!(
                "“{a}”不是正确的网页链接。链接应以 https:// 或 http:// 开头，如 https://mp.weixin.qq.com/s/…"
            ),
        }
    }
}

/// The platforms clerks post to, by the hosts their links use.
const PLATFORMS: &[(&str, &[&str])] = &[
    ("微信公众号", &["mp.weixin.qq.com"]),
    ("视频号", &["channels.weixin.qq.com", "weixin.qq.com"]),
    ("微博", &["weibo.com", "weibo.cn", "t.cn"]),
    ("抖音", &["douyin.com", "iesdouyin.com", "douyinvod.com"]),
    (
        "快手",
        &["kuaishou.com", "gifshow.com", "chenzhongtech.com"],
    ),
    ("哔哩哔哩", &["bilibili.com", "b23.tv"]),
    ("今日头条", &["toutiao.com", "toutiaocdn.com", "snssdk.com"]),
    ("小红书", &["xiaohongshu.com", "xhslink.com"]),
    ("央视频", &["yangshipin.cn"]),
    ("华龙网", &["cqnews.net"]),
    ("上游新闻", &["cqcb.com"]),
];

/// The platform of a host (`v.douyin.com` → 抖音), or `其他`.
pub fn platform_of(host: &str) -> &'static str {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    for (name, hosts) in PLATFORMS {
        if hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        {
            return name;
        }
    }
    "其他"
}

/// The link in what the clerk pasted, with its platform; `title` as typed (may be empty).
pub fn parse_link(pasted: &str, title: &str) -> Result<Link, LinkError> {
    let text = pasted.trim();
    if text.is_empty() {
        return Err(LinkError::NoAddress);
    }
    let start = text
        .find("https://")
        .or_else(|| text.find("http://"))
        .or_else(|| text.find("HTTPS://"))
        .or_else(|| text.find("HTTP://"));
    let candidate = match start {
        Some(i) => {
            // The address ends at the first space or character no URL has (Chinese text after it).
            let rest = &text[i..];
            let end = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || !c.is_ascii() || *c == '"' || *c == '<')
                .map_or(rest.len(), |(j, _)| j);
            rest[..end].trim_end_matches(['，', '。', ',', '.', ')', '）'])
        }
        None if text.contains("://") || text.contains(' ') => {
            return Err(LinkError::NotWeb(text.chars().take(60).collect()));
        }
        // `mp.weixin.qq.com/s/…` without its scheme: take it as https.
        None if text.contains('.') && !text.contains(char::is_whitespace) => {
            return parse_link(&format!("https://{text}"), title);
        }
        None => return Err(LinkError::NoAddress),
    };
    let url = reqwest::Url::parse(candidate)
        .map_err(|_| LinkError::NotWeb(candidate.chars().take(60).collect()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(LinkError::NotWeb(candidate.to_string()));
    }
    let host = url
        .host_str()
        .filter(|h| h.contains('.'))
        .ok_or_else(|| LinkError::NoHost(candidate.to_string()))?;
    Ok(Link {
        platform: platform_of(host).to_string(),
        url: url.to_string(),
        title: title.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_recognised_from_the_address() {
        for (url, platform) in [
            ("https://mp.weixin.qq.com/s/AbCdEf123", "微信公众号"),
            (
                "https://channels.weixin.qq.com/web/pages/feed?eid=x",
                "视频号",
            ),
            ("https://weibo.com/1234567890/Nabc", "微博"),
            ("https://m.weibo.cn/status/4997", "微博"),
            ("https://v.douyin.com/iRNBho6/", "抖音"),
            ("https://www.kuaishou.com/short-video/3x", "快手"),
            ("https://www.bilibili.com/video/BV1xx411c7mD", "哔哩哔哩"),
            ("https://b23.tv/abc", "哔哩哔哩"),
            ("https://m.toutiao.com/is/abc/", "今日头条"),
            ("https://www.example.cn/news/1.html", "其他"),
        ] {
            let link = parse_link(url, "").unwrap();
            assert_eq!(link.platform, platform, "{url}");
        }
    }

    #[test]
    fn the_address_is_taken_out_of_a_share_text() {
        let pasted = "7.43 复制打开抖音，看看【渝中区妇联的作品】“全城致敬最美的她” https://v.douyin.com/iRNBho6/ Slp:/ 02/15 y@G.ic";
        let link = parse_link(pasted, " 快闪活动 ").unwrap();
        assert_eq!(link.url, "https://v.douyin.com/iRNBho6/");
        assert_eq!(link.platform, "抖音");
        assert_eq!(link.title, "快闪活动");
        let link = parse_link("mp.weixin.qq.com/s/AbC", "").unwrap();
        assert_eq!(link.url, "https://mp.weixin.qq.com/s/AbC");
    }

    #[test]
    fn what_is_not_a_link_is_refused_with_a_reason() {
        for bad in [
            "",
            "   ",
            "巾帼大宣讲",
            "ftp://files.example.cn/a",
            "https://",
            "http://localhost/x",
        ] {
            let e = parse_link(bad, "").unwrap_err();
            assert!(!e.user_message().is_empty(), "{bad}");
        }
    }
}

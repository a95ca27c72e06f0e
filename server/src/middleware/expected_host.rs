//! Refusing requests addressed to a host name this server does not go by: the defence against
//! DNS rebinding, where a page on an attacker's domain has that domain resolve to this server's
//! address and then talks to it as its own origin (from inside the victim's network).
//!
//! Only with `--public-url`, which names the host. A browser always sends the name it resolved,
//! so only names need checking: an IP address, `localhost` and a name without a dot (a container's
//! or service's short name, which no one can register on the internet) pass, so health probes,
//! metrics scrapers and neighbours in the same network keep working. Other names the deployment
//! goes by are listed in `--allowed-hosts`. Behind a trusted proxy the name is the proxy's
//! `X-Forwarded-Host`, when it sends one.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use serde_json::json;

/// The host names a request may be addressed to, beyond the ones that always pass.
#[derive(Clone, Debug)]
pub struct ExpectedHosts {
    /// Lower case, without a port or a trailing dot; the public URL's host first.
    names: Arc<[String]>,
    trusted_proxies: Arc<[IpNet]>,
}

impl ExpectedHosts {
    /// From `--public-url` and `--allowed-hosts`; `None` (no check) without a public URL.
    pub fn new(public_url: Option<&str>, allowed: &[String], trusted_proxies: Arc<[IpNet]>) -> Option<Self> {
        let authority = public_url?.split_once("://")?.1;
        let names = std::iter::once(authority).chain(allowed.iter().map(String::as_str)).filter_map(host_name);
        Some(Self { names: names.collect(), trusted_proxies })
    }

    fn allows(&self, name: &str) -> bool {
        name == "localhost" || !name.contains('.') || self.names.iter().any(|expected| expected == name)
    }
}

/// The host name of a `Host`-style value (`name`, `name:port`, `[v6]:port`), lower case without a
/// trailing dot; `None` for an IP address (which needs no check) or an empty value.
fn host_name(authority: &str) -> Option<String> {
    let authority = authority.trim();
    if authority.starts_with('[') {
        return None; // An IPv6 literal.
    }
    let name = authority.rsplit_once(':').map_or(authority, |(name, _port)| name).trim_end_matches('.');
    if name.is_empty() || name.parse::<IpAddr>().is_ok() {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

/// The name the client addressed: a trusted proxy's nearest `X-Forwarded-Host`, else `Host`.
fn addressed_name(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpNet]) -> Option<String> {
    let from_proxy = peer.is_some_and(|peer| trusted.iter().any(|network| network.contains(&peer.to_canonical())));
    let forwarded = from_proxy
        .then(|| headers.get_all("x-forwarded-host").iter().next_back())
        .flatten()
        .and_then(|value| value.to_str().ok()?.rsplit(',').next().map(str::to_owned));
    let raw = match forwarded {
        Some(forwarded) => forwarded,
        None => headers.get(header::HOST)?.to_str().ok()?.to_owned(),
    };
    host_name(&raw)
}

pub async fn refuse_unexpected_hosts(
    State(expected): State<Option<ExpectedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = expected else { return next.run(request).await };
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    // A Host that is not text cannot be a name this server goes by.
    let unreadable = request.headers().get(header::HOST).is_some_and(|host| host.to_str().is_err());
    let name = addressed_name(request.headers(), peer, &expected.trusted_proxies);
    if unreadable || name.as_deref().is_some_and(|name| !expected.allows(name)) {
        tracing::warn!(
            host = name.as_deref().unwrap_or("(not text)"),
            "refused a request addressed to a host this server does not go by; if it is one of this \
             deployment's names, list it in --allowed-hosts"
        );
        let message = format!("Bad Request - This server answers to {} only.", expected.names[0]);
        return (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(allowed: &[&str], trusted: &[&str]) -> ExpectedHosts {
        let allowed: Vec<String> = allowed.iter().map(|name| (*name).to_owned()).collect();
        let trusted: Vec<IpNet> = trusted.iter().map(|network| network.parse().unwrap()).collect();
        ExpectedHosts::new(Some("https://Dioptra.Example.org"), &allowed, trusted.into()).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn names_compare_without_case_port_or_trailing_dot_and_addresses_need_no_check() {
        assert_eq!(host_name("Dioptra.Example.org.:443").as_deref(), Some("dioptra.example.org"));
        assert_eq!(host_name("127.0.0.1:3000"), None);
        assert_eq!(host_name("[::1]:3000"), None);
        let hosts = expected(&["accounts.lab.internal"], &[]);
        for name in ["dioptra.example.org", "localhost", "accounts", "accounts.lab.internal"] {
            assert!(hosts.allows(name), "{name}");
        }
        for name in ["evil.example.com", "dioptra.example.org.evil.com", "example.org"] {
            assert!(!hosts.allows(name), "{name}");
        }
    }

    #[test]
    fn forwarded_host_counts_only_from_a_trusted_proxy() {
        let hosts = expected(&[], &["10.0.0.0/8"]);
        let sent = headers(&[("host", "accounts:3000"), ("x-forwarded-host", "evil.example.com")]);
        let proxy = Some("10.0.0.2".parse().unwrap());
        let stranger = Some("198.51.100.1".parse().unwrap());
        assert_eq!(addressed_name(&sent, proxy, &hosts.trusted_proxies).as_deref(), Some("evil.example.com"));
        assert_eq!(addressed_name(&sent, stranger, &hosts.trusted_proxies).as_deref(), Some("accounts"));
    }
}

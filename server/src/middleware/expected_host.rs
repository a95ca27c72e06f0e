//! Refusing requests addressed to a host name this server does not go by: the defence against
//! DNS rebinding, where a page on an attacker's domain has that domain resolve to this server's
//! address and then talks to it as its own origin (from inside the victim's network).
//!
//! Only with `--public-url`, which names the host. A browser always sends the name it resolved,
//! so only names need checking: an IP address, `localhost` and a name without a dot (a container's
//! or service's short name, which no one can register on the internet) pass, so health probes,
//! metrics scrapers and neighbours in the same network keep working. Other names the deployment
//! goes by are listed in `--allowed-hosts`.
//!
//! Every name a request carries is checked, not the one a parser would pick: the `Host` header
//! (exactly one, as HTTP/1.1 requires), the authority of an absolute request target, and, from a
//! trusted proxy, every name in `X-Forwarded-Host` (a rebound page can add that header itself,
//! and a proxy may append to it). A value that is not text, or an empty one, is refused: it
//! cannot be a name this server goes by. What this cannot see is a proxy that replaces `Host` and
//! passes the browser's own `X-Forwarded-Host` on unchanged: the README tells how to set one up.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use serde_json::json;

/// The host names a request may be addressed to, beyond the ones that always pass.
#[derive(Clone, Debug)]
pub struct ExpectedHosts {
    /// Lower case, without a port or a trailing dot.
    names: Arc<[String]>,
    /// The public URL's host as the refusal names it (it may be an address, which `names` omits).
    public_host: Arc<str>,
    trusted_proxies: Arc<[IpNet]>,
}

/// What a request's `Host`-style value addresses.
#[derive(Debug, PartialEq, Eq)]
enum Addressed {
    /// An IP address: needs no check, since rebinding needs a name.
    Address,
    /// A host name, lower case without a port or a trailing dot.
    Name(String),
    /// Not a host at all (empty, or not text): refused.
    Nothing,
}

impl ExpectedHosts {
    /// From `--public-url` and `--allowed-hosts`; `None` (no check) without a public URL.
    pub fn new(public_url: Option<&str>, allowed: &[String], trusted_proxies: Arc<[IpNet]>) -> Option<Self> {
        let authority = public_url?.split_once("://")?.1.split('/').next()?;
        let names = std::iter::once(authority).chain(allowed.iter().map(String::as_str)).filter_map(|value| {
            match addressed(value) {
                Addressed::Name(name) => Some(name),
                Addressed::Address | Addressed::Nothing => None,
            }
        });
        Some(Self { names: names.collect(), public_host: authority.into(), trusted_proxies })
    }

    fn allows(&self, addressed: &Addressed) -> bool {
        match addressed {
            Addressed::Address => true,
            Addressed::Name(name) => {
                name == "localhost" || !name.contains('.') || self.names.iter().any(|expected| expected == name)
            }
            Addressed::Nothing => false,
        }
    }
}

/// What a `Host`-style value (`name`, `name:port`, `[v6]:port`, `v4:port`) addresses.
fn addressed(authority: &str) -> Addressed {
    let authority = authority.trim();
    if authority.starts_with('[') {
        return Addressed::Address; // An IPv6 literal.
    }
    let (name, port) = authority.rsplit_once(':').unwrap_or((authority, "0"));
    let name = name.trim_end_matches('.');
    if name.is_empty() || port.is_empty() || !port.bytes().all(|byte| byte.is_ascii_digit()) {
        Addressed::Nothing
    } else if name.parse::<IpAddr>().is_ok() {
        Addressed::Address
    } else {
        Addressed::Name(name.to_ascii_lowercase())
    }
}

/// Every host a request is addressed to: each `Host` header (a request with none addresses no
/// name), an absolute target's authority, and from a trusted proxy each `X-Forwarded-Host` name.
fn addressed_hosts(request: &Request, peer: Option<IpAddr>, trusted: &[IpNet]) -> Vec<Addressed> {
    let headers = request.headers();
    let text = |value: &axum::http::HeaderValue| value.to_str().map_or(Addressed::Nothing, addressed);
    let mut hosts: Vec<Addressed> = headers.get_all(header::HOST).iter().map(text).collect();
    if hosts.len() > 1 {
        hosts.push(Addressed::Nothing); // Two Host headers: which one a proxy read is anyone's guess.
    }
    hosts.extend(request.uri().authority().map(|authority| addressed(authority.host())));
    if peer.is_some_and(|peer| super::client_address::is_trusted_proxy(peer, trusted)) {
        for value in headers.get_all("x-forwarded-host") {
            match value.to_str() {
                Ok(names) => hosts.extend(names.split(',').map(addressed)),
                Err(_) => hosts.push(Addressed::Nothing),
            }
        }
    }
    hosts
}

pub async fn refuse_unexpected_hosts(
    State(expected): State<Option<ExpectedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = expected else { return next.run(request).await };
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let hosts = addressed_hosts(&request, peer, &expected.trusted_proxies);
    if let Some(refused) = hosts.iter().find(|host| !expected.allows(host)) {
        let host = match refused {
            Addressed::Name(name) => name.as_str(),
            Addressed::Address | Addressed::Nothing => "(no host name)",
        };
        tracing::warn!(
            host = host.escape_debug().to_string(),
            "refused a request addressed to a host this server does not go by; if it is one of this \
             deployment's names, list it in --allowed-hosts"
        );
        let message = format!("Bad Request - This server answers to {} only.", expected.public_host);
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

    /// Header names and their raw values.
    type Headers<'a> = &'a [(&'static str, &'a [u8])];

    fn request(target: &str, pairs: Headers) -> Request {
        let mut request = Request::builder().uri(target);
        for (name, value) in pairs {
            request = request.header(*name, axum::http::HeaderValue::from_bytes(value).unwrap());
        }
        request.body(axum::body::Body::empty()).unwrap()
    }

    fn allowed(hosts: &ExpectedHosts, request: &Request, peer: &str) -> bool {
        let found = addressed_hosts(request, Some(peer.parse().unwrap()), &hosts.trusted_proxies);
        found.iter().all(|host| hosts.allows(host))
    }

    #[test]
    fn names_compare_without_case_port_or_trailing_dot_and_addresses_need_no_check() {
        assert_eq!(addressed("Dioptra.Example.org.:443"), Addressed::Name("dioptra.example.org".into()));
        assert_eq!(addressed("127.0.0.1:3000"), Addressed::Address);
        assert_eq!(addressed("[::1]:3000"), Addressed::Address);
        assert_eq!(addressed(" :80"), Addressed::Nothing);
        assert_eq!(addressed("dioptra.example.org:x@evil.example.com"), Addressed::Nothing);
        assert_eq!(addressed("dioptra.example.org:"), Addressed::Nothing);
        let hosts = expected(&["accounts.lab.internal"], &[]);
        for name in ["dioptra.example.org", "localhost", "accounts", "accounts.lab.internal"] {
            assert!(hosts.allows(&Addressed::Name(name.into())), "{name}");
        }
        for name in ["evil.example.com", "dioptra.example.org.evil.com", "example.org"] {
            assert!(!hosts.allows(&Addressed::Name(name.into())), "{name}");
        }
    }

    #[test]
    fn every_name_a_request_carries_is_checked() {
        let hosts = expected(&[], &["10.0.0.0/8"]);
        let (proxy, stranger) = ("10.0.0.2", "198.51.100.1");
        let good: &[u8] = b"dioptra.example.org";
        assert!(allowed(&hosts, &request("/", &[("host", good)]), stranger));
        // Behind a proxy, Host may be the upstream's short name and the public one forwarded.
        let forwarded = [("host", &b"accounts:3000"[..]), ("x-forwarded-host", good)];
        assert!(allowed(&hosts, &request("/", &forwarded), proxy));
        // From anyone but a trusted proxy the header means nothing, and is not read.
        let planted = [("host", good), ("x-forwarded-host", &b"evil.example.com"[..])];
        assert!(allowed(&hosts, &request("/", &planted), stranger));
        let refused: &[(&str, Headers, &str)] = &[
            ("/", &[("host", b"evil.example.com")], stranger),
            // A proxy that forwards the rebound name, whatever the Host it sends.
            ("/", &[("host", good), ("x-forwarded-host", b"evil.example.com")], proxy),
            // A page that adds the right name itself, which the proxy appends to.
            ("/", &[("host", good), ("x-forwarded-host", b"dioptra.example.org, evil.example.com")], proxy),
            ("/", &[("host", good), ("x-forwarded-host", b"evil.example.com, dioptra.example.org")], proxy),
            ("/", &[("host", good), ("x-forwarded-host", b"dioptra.example.org,")], proxy),
            (
                "/",
                &[("host", good), ("x-forwarded-host", b"dioptra.example.org"), ("x-forwarded-host", b"\xff")],
                proxy,
            ),
            ("/", &[("host", b"\xffevil.example.com")], stranger),
            ("/", &[("host", good), ("host", b"evil.example.com")], stranger),
            ("/", &[("host", b"")], stranger),
            // An absolute target names the host that HTTP/1.1 says wins over the header.
            ("http://evil.example.com/", &[("host", good)], stranger),
            ("http://dioptra.example.org:x@evil.example.com/", &[("host", good)], stranger),
        ];
        for (target, headers, peer) in refused {
            assert!(!allowed(&hosts, &request(target, headers), peer), "{target} {headers:?} from {peer}");
        }
    }

    #[test]
    fn a_public_url_by_address_is_named_in_the_refusal_and_checks_the_listed_names() {
        let hosts =
            ExpectedHosts::new(Some("http://192.0.2.7:8080/"), &["lab.example.org".into()], Arc::new([])).unwrap();
        assert_eq!(&*hosts.public_host, "192.0.2.7:8080");
        assert!(hosts.allows(&Addressed::Name("lab.example.org".into())));
        assert!(!hosts.allows(&Addressed::Name("evil.example.com".into())));
    }
}

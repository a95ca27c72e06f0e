//! Refusing state-changing requests that a browser says come from another site.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Refuses a state-changing request that a browser says comes from another site: its `Origin`
/// (or, without one, `Sec-Fetch-Site`) shows it. Requests with neither header (scripts such as
/// Dioptra's Python client, curl) pass: they carry no ambient browser credentials to abuse.
/// `SameSite=Lax` cookies already stop most cross-site posts; this also covers same-site
/// neighbours and browsers without SameSite.
pub async fn refuse_cross_site_writes(
    State(public_origin): State<Option<Arc<str>>>,
    request: Request,
    next: Next,
) -> Response {
    let safe_method = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe_method && is_cross_site(request.headers(), public_origin.as_deref()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        let body = json!({"message": "Forbidden - Cross-site requests are not accepted."});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    next.run(request).await
}

/// With a configured public origin, `Origin` must be it; otherwise it must name the host the
/// request was sent to (a proxy that rewrites `Host` needs `--public-url`). Origins compare as
/// URLs do: scheme and host in any case, a default port written or not. A header that is there
/// but is not text counts as cross-site, never as absent.
fn is_cross_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Some(origin) = origin.to_str().ok().and_then(Origin::parse) else { return true };
        if let Some(public_origin) = public_origin {
            return Origin::parse(public_origin).is_none_or(|public| public != origin);
        }
        let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
        return host.and_then(|host| Origin::of_host(&origin.scheme, host)).is_none_or(|host| host != origin);
    }
    match headers.get("sec-fetch-site").map(|site| site.to_str()) {
        Some(Ok(site)) => !matches!(site, "same-origin" | "none"),
        Some(Err(_)) => true,
        None => false,
    }
}

/// A web origin: scheme, host and port, the way browsers compare them.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]`, nothing more; `None` for anything else (`null` included).
    fn parse(text: &str) -> Option<Self> {
        let uri: axum::http::Uri = text.parse().ok()?;
        let only_an_origin = uri.path_and_query().is_none_or(|rest| rest.as_str() == "/" && !text.ends_with('/'));
        if !only_an_origin {
            return None;
        }
        Self::of_host(uri.scheme_str()?, uri.authority()?.as_str())
    }

    /// The origin a request for `host` (a `Host` header: `name[:port]`) over `scheme` has.
    fn of_host(scheme: &str, host: &str) -> Option<Self> {
        let authority: axum::http::uri::Authority = host.parse().ok()?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        if authority.as_str().contains('@') {
            return None;
        }
        let port = authority.port_u16().unwrap_or(default_port);
        Some(Self { scheme, host: authority.host().to_ascii_lowercase(), port })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn the_origin_decides_when_present() {
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), None));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]), None));
        assert!(is_cross_site(&headers(&[("origin", "http://127.0.0.1:3001"), ("host", "127.0.0.1:3000")]), None));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), None));
        let same_origin_but_fetch_says_cross =
            headers(&[("origin", "http://a.example"), ("host", "a.example"), ("sec-fetch-site", "cross-site")]);
        assert!(!is_cross_site(&same_origin_but_fetch_says_cross, None));
    }

    #[test]
    fn without_an_origin_sec_fetch_site_decides() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")]), None));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")]), None));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")]), None));
    }

    #[test]
    fn a_public_url_is_the_one_accepted_origin() {
        let public = Some("https://dioptra.example.org");
        let behind_proxy = headers(&[("origin", "https://dioptra.example.org"), ("host", "127.0.0.1:3000")]);
        assert!(!is_cross_site(&behind_proxy, public));
        let other = headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert!(is_cross_site(&other, public));
    }

    #[test]
    fn origins_compare_as_urls_do() {
        let host = |origin: &'static str, host: &'static str| headers(&[("origin", origin), ("host", host)]);
        assert!(!is_cross_site(&host("HTTP://Example.ORG", "example.org"), None));
        assert!(!is_cross_site(&host("http://example.org:80", "example.org"), None));
        assert!(!is_cross_site(&host("https://example.org", "example.org:443"), None));
        assert!(is_cross_site(&host("https://example.org", "example.org:80"), None));
        assert!(is_cross_site(&host("http://example.org@evil.example", "example.org"), None));
        assert!(is_cross_site(&host("http://example.org/path", "example.org"), None));
        let public = Some("https://dioptra.example.org");
        assert!(!is_cross_site(&host("https://Dioptra.Example.org:443", "127.0.0.1:3000"), public));
        assert!(is_cross_site(&host("http://dioptra.example.org", "127.0.0.1:3000"), public));
    }

    #[test]
    fn an_origin_that_is_not_text_is_cross_site() {
        let mut not_text = HeaderMap::new();
        not_text.insert(header::ORIGIN, HeaderValue::from_bytes(b"http://caf\xe9.example").unwrap());
        not_text.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3000"));
        assert!(is_cross_site(&not_text, None));
        let mut fetch_not_text = HeaderMap::new();
        fetch_not_text.insert("sec-fetch-site", HeaderValue::from_bytes(b"cross-\xe9").unwrap());
        assert!(is_cross_site(&fetch_not_text, None));
    }

    #[test]
    fn requests_without_either_header_pass() {
        assert!(!is_cross_site(&HeaderMap::new(), None));
    }
}

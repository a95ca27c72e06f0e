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

/// With a configured public origin, `Origin` must equal it; otherwise it must name the host the
/// request was sent to (a proxy that rewrites `Host` needs `--public-url`).
fn is_cross_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text(header::ORIGIN) {
        if let Some(public_origin) = public_origin {
            return origin != public_origin;
        }
        let origin_host = origin.split_once("://").map(|(_, host)| host);
        return origin_host.is_none() || origin_host != text(header::HOST);
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => false,
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
    fn requests_without_either_header_pass() {
        assert!(!is_cross_site(&HeaderMap::new(), None));
    }
}

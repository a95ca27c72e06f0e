//! Request checks and response headers that protect every route.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::ssr::accounts::ClientAddress;
use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
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

/// Headers every response gets.
pub async fn common_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Same-origin referrers stay: a form posted without JavaScript is sent back to its page.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Works out the client's address for the guessing counters and the audit trail: the peer's,
/// unless the peer is a trusted proxy, in which case the nearest address in `X-Forwarded-For`
/// that is not itself a trusted proxy. Proxies append, so addresses further left were written
/// by the client and are not believed.
pub async fn identify_client(State(trusted): State<Arc<[IpNet]>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    if let Some(peer) = peer {
        let address = client_address(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddress(address));
    }
    next.run(request).await
}

fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|network| network.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    // From the nearest hop outwards; an unreadable hop ends the walk at the last one believed.
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Ok(address) = hop.trim().parse::<IpAddr>() else { break };
        client = address;
        if !is_trusted(&address) {
            break;
        }
    }
    client
}

/// Reads the whole request body (at most `max_bytes`) before any handler runs. A handler that
/// answers without reading the body (a 404 for an id, a 405) would otherwise make the server
/// close the connection, and a client that reuses connections, as Dioptra's does, would see its
/// next request fail. Bodies here are a few hundred bytes; a larger one than allowed gets 413.
pub async fn read_whole_body(State(max_bytes): State<usize>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, max_bytes).await {
        Ok(bytes) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(_) => {
            let body = json!({"message": "The request body is too large."});
            (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
        }
    }
}

/// The most header bytes (names and values) a request may carry: far more than a browser
/// sends, far less than a client could use to tie up memory.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses requests whose headers are too large with 431.
pub async fn limit_header_size(request: Request, next: Next) -> Response {
    let size: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if size > MAX_HEADER_BYTES {
        let body = json!({"message": "Request Header Fields Too Large - The request's headers are too large."});
        return (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, Json(body)).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
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

    fn forwarded(hops: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", hops.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let spoofed = forwarded("6.6.6.6, 203.0.113.9");
        // From a trusted proxy: the nearest untrusted hop, not what the client wrote further left.
        assert_eq!(client_address(proxy, &spoofed, &trusted), "203.0.113.9".parse::<IpAddr>().unwrap());
        // A chain of trusted proxies is skipped.
        assert_eq!(client_address(proxy, &forwarded("203.0.113.9, 10.0.0.3"), &trusted).to_string(), "203.0.113.9");
        // From anyone else the header is ignored.
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_address(stranger, &spoofed, &trusted), stranger);
        assert_eq!(client_address(proxy, &spoofed, &[]), proxy);
        // Junk ends the walk at the last hop believed.
        assert_eq!(client_address(proxy, &forwarded("junk"), &trusted), proxy);
        assert_eq!(client_address(proxy, &forwarded("junk, 10.0.0.3"), &trusted).to_string(), "10.0.0.3");
    }
}

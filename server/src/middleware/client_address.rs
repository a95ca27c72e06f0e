//! Which address a request comes from, believing `X-Forwarded-For` only from trusted proxies.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use app::ssr::accounts::ClientAddress;
use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

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

/// Says once per process that a peer sent `X-Forwarded-For` without being a trusted proxy: behind
/// a reverse proxy that is not listed, every client has the proxy's address, and one client's
/// failed logins slow everyone down.
fn warn_of_an_unlisted_proxy(peer: IpAddr) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "a request came with X-Forwarded-For from {peer}, which --trusted-proxies does not list, so its \
             clients are counted under that address; if it is your reverse proxy, list it in --trusted-proxies"
        );
    }
}

/// Whether `address` is one of the `--trusted-proxies`. A dual-stack listener sees an IPv4 peer
/// as `::ffff:a.b.c.d`; it is the IPv4 address for the trusted ranges.
pub(super) fn is_trusted_proxy(address: IpAddr, trusted: &[IpNet]) -> bool {
    let address = address.to_canonical();
    trusted.iter().any(|network| network.contains(&address))
}

fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    // The IPv4 address of an IPv4-mapped peer for the counters too.
    let peer = peer.to_canonical();
    if !is_trusted_proxy(peer, trusted) {
        if headers.contains_key("x-forwarded-for") {
            warn_of_an_unlisted_proxy(peer);
        }
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
        let Ok(address) = hop.trim().parse::<IpAddr>().map(|address| address.to_canonical()) else { break };
        client = address;
        if !is_trusted_proxy(address, trusted) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(hops: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", hops.parse().unwrap());
        headers
    }

    #[test]
    fn an_ipv4_mapped_peer_is_matched_against_ipv4_ranges() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let mapped_proxy: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        let client = client_address(mapped_proxy, &forwarded("203.0.113.9"), &trusted);
        assert_eq!(client, "203.0.113.9".parse::<IpAddr>().unwrap());
        let mapped_client: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(
            client_address(mapped_client, &HeaderMap::new(), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
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

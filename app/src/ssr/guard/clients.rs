//! Which client an address is, for the guessing counters: an IPv4 address as it is, however it
//! is written; an IPv6 address by its /64, and by its /48 as well.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The subject a client address is counted under: an IPv4 address as it is, also when it comes
/// written as IPv6 ([`embedded_ipv4`]), and an IPv6 address by its /64, the smallest network a
/// subscriber is given: whoever holds one address of it can use them all.
pub fn client_subject(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match embedded_ipv4(v6) {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
        Err(_) => address.to_owned(),
    }
}

/// The IPv6 /48 a client address lies in, counted beside its /64
/// ([`GuessingLimits::failures_per_network`]); none for an IPv4 client, however written, whose
/// address is its whole network.
pub fn network_subject(address: &str) -> Option<String> {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if embedded_ipv4(v6).is_none() => {
            let [a, b, c, ..] = v6.segments();
            Some(format!("{}/48", Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0)))
        }
        _ => None,
    }
}

/// The IPv4 client behind an IPv6 address that only carries one: IPv4-mapped (`::ffff:a.b.c.d`),
/// 6to4 (`2002:AABB:CCDD::/48`, which one IPv4 address owns whole), NAT64's well-known prefix
/// (`64:ff9b::/96`, an IPv6-only server's view of every IPv4 client) and Teredo (`2001:0::/32`,
/// the client's address inverted in the last 32 bits). Counted by the /64 instead, each of these
/// would give one IPv4 address as many clients as it liked, or make all IPv4 clients one.
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = v6.segments();
    let [.., seventh, eighth] = segments;
    let last = Ipv4Addr::from((u32::from(seventh) << 16) | u32::from(eighth));
    match segments {
        _ if v6.to_ipv4_mapped().is_some() => v6.to_ipv4_mapped(),
        [0x2002, high, low, ..] => Some(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))),
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(last),
        [0x2001, 0, ..] => Some(Ipv4Addr::from(!u32::from(last))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_ipv4_address_and_ipv6_slash_64() {
        assert_eq!(client_subject("203.0.113.9"), "203.0.113.9");
        assert_eq!(client_subject("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(client_subject("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(client_subject("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_ne!(client_subject("2001:db8:1:3::1"), client_subject("2001:db8:1:2::1"));
        assert_eq!(client_subject("::1"), "::/64");
        // 6to4: every /64 of 2002:cb00:7109::/48 belongs to whoever has 203.0.113.9.
        assert_eq!(client_subject("2002:cb00:7109:1::1"), "203.0.113.9");
        assert_eq!(client_subject("2002:cb00:7109:ffff::1"), "203.0.113.9");
    }

    #[test]
    fn an_ipv6_client_is_also_counted_by_its_slash_48_and_an_ipv4_client_only_by_its_address() {
        let limits = super::super::GuessingLimits::default();
        assert_eq!(limits.failures_per_network, 10 * limits.failures_per_address, "a /48 is ten clients' worth");
        assert_eq!(network_subject("2001:db8:1:2:3:4:5:6").as_deref(), Some("2001:db8:1::/48"));
        assert_eq!(network_subject("2001:db8:1:ffff::1"), network_subject("2001:db8:1:2::1"));
        assert_ne!(network_subject("2001:db8:2::1"), network_subject("2001:db8:1::1"));
        assert_eq!(network_subject("203.0.113.9"), None);
        assert_eq!(network_subject("::ffff:203.0.113.9"), None);
        assert_eq!(network_subject("2002:cb00:7109:1::1"), None);
        assert_eq!(network_subject("not an address"), None);
    }

    #[test]
    fn an_ipv4_client_written_as_ipv6_is_counted_as_that_ipv4_address() {
        // NAT64's well-known prefix: an IPv6-only server sees every IPv4 client this way.
        assert_eq!(client_subject("64:ff9b::cb00:7109"), "203.0.113.9");
        assert_eq!(network_subject("64:ff9b::cb00:7109"), None);
        // Teredo: the client's public address, inverted, in the last 32 bits.
        assert_eq!(client_subject("2001:0:4136:e378:8000:63bf:34ff:8ef6"), "203.0.113.9");
        assert_eq!(network_subject("2001:0:4136:e378:8000:63bf:34ff:8ef6"), None);
        // Not every 2001:: address is Teredo.
        assert_eq!(client_subject("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    }
}

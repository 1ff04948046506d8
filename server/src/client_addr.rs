//! Who the client is, for rate limits and logs: the connection's peer, or — behind
//! trusted proxies — the address the nearest untrusted hop was seen at.
//!
//! Every proxy appends the address it received the request from to `X-Forwarded-For`,
//! so the header reads `<what the client wrote>, …, <seen by proxy N>, …, <seen by proxy
//! 1>` and the peer is proxy 1. Only entries appended by trusted proxies can be believed;
//! the left-most one is whatever the client chose to send.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::config::TrustedProxies;

/// The client's address.
pub fn client_ip(trusted: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if *trusted == TrustedProxies::None {
        return peer;
    }
    // Several headers count as one list, in order.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    // The hops from the nearest outwards: the peer, then the header from its right end.
    let mut hops = std::iter::once(Some(peer)).chain(entries.iter().rev().map(|e| parse_entry(e)));
    match trusted {
        TrustedProxies::None => peer,
        TrustedProxies::Count(count) => {
            // The address the farthest trusted proxy saw. A shorter chain than configured
            // (or text no proxy writes) stops at the farthest hop that can be believed.
            let mut seen = peer;
            for _ in 0..=*count {
                match hops.next() {
                    Some(Some(ip)) => seen = ip,
                    Some(None) | None => return seen,
                }
            }
            seen
        }
        TrustedProxies::Networks(networks) => {
            let is_trusted = |ip: &IpAddr| networks.iter().any(|n| n.contains(ip));
            let mut seen = peer;
            for hop in hops {
                match hop {
                    Some(ip) if is_trusted(&ip) => seen = ip,
                    Some(ip) => return ip,
                    // Text a trusted proxy would never write: believe nothing beyond it.
                    None => return seen,
                }
            }
            seen
        }
    }
}

/// An entry as proxies write it: an address, with or without a port (`192.0.2.1:5000`,
/// `[2001:db8::1]:443`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// The key a client's requests are counted under: its IPv4 address, or the /64 network of
/// its IPv6 address (one subscriber line holds a whole /64, so single addresses would let
/// one client count as billions).
pub fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let h = headers(&["203.0.113.9"]);
        assert_eq!(
            client_ip(&TrustedProxies::None, ip("10.0.0.1"), &h),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn a_count_believes_only_what_the_proxies_appended() {
        let one = TrustedProxies::Count(1);
        // The client wrote "1.1.1.1"; the proxy appended the address it saw.
        let h = headers(&["1.1.1.1, 198.51.100.7"]);
        assert_eq!(client_ip(&one, ip("10.0.0.1"), &h), ip("198.51.100.7"));
        // Rotating the written part changes nothing.
        let h = headers(&["9.9.9.9, 198.51.100.7"]);
        assert_eq!(client_ip(&one, ip("10.0.0.1"), &h), ip("198.51.100.7"));
        // Two proxies: a CDN, then a load balancer; headers may be split over lines.
        let two = TrustedProxies::Count(2);
        let h = headers(&["1.1.1.1", "198.51.100.7:4711, 10.0.0.2"]);
        assert_eq!(client_ip(&two, ip("10.0.0.1"), &h), ip("198.51.100.7"));
        // A request that reached us without the header: the peer is all we know.
        assert_eq!(
            client_ip(&one, ip("10.0.0.1"), &headers(&[])),
            ip("10.0.0.1")
        );
        // Garbage where a proxy's entry should be: nothing is believed.
        let h = headers(&["1.1.1.1, not-an-address"]);
        assert_eq!(client_ip(&one, ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn networks_skip_trusted_hops_from_the_right() {
        let trusted = TrustedProxies::Networks(vec![
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ]);
        let h = headers(&["1.1.1.1, 198.51.100.7, 10.2.3.4"]);
        assert_eq!(client_ip(&trusted, ip("10.0.0.1"), &h), ip("198.51.100.7"));
        let h = headers(&["[2001:db8::5]:443"]);
        assert_eq!(
            client_ip(&trusted, ip("2001:db8::1"), &h),
            ip("2001:db8::5")
        );
        // A peer outside the trusted networks is the client, whatever it writes.
        let h = headers(&["198.51.100.7"]);
        assert_eq!(
            client_ip(&trusted, ip("203.0.113.50"), &h),
            ip("203.0.113.50")
        );
        // Only trusted hops: the farthest of them.
        let h = headers(&["10.9.9.9"]);
        assert_eq!(client_ip(&trusted, ip("10.0.0.1"), &h), ip("10.9.9.9"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_network() {
        assert_eq!(limit_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff::9")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }
}

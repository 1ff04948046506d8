//! Where webhooks may go: https URLs on public addresses, unless an operator allows a
//! host by name (`PORTICO_WEBHOOK_ALLOWED_HOSTS`) for development and tests.
//!
//! A URL is checked when it is registered and again at every attempt. At an attempt the
//! client resolves names through [`GuardedResolver`], which refuses a name with any
//! address in a private, loopback, link-local or metadata range, so a name that changes
//! its address after registration (DNS rebinding) gains nothing. Addresses written in
//! the URL itself never reach a resolver and are checked by [`check_target`].

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use ipnet::IpNet;
use url::{Host, Url};

/// The longest URL an endpoint may have.
pub const MAX_URL_CHARS: usize = 2048;

/// Hosts an operator allows plain http and private addresses for, lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    /// A comma-separated list, e.g. `localhost,127.0.0.1,[::1]`.
    pub fn parse(text: &str) -> Self {
        Self(
            text.split(',')
                .map(normalise_host)
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    /// These hosts and `host`.
    pub fn with(mut self, host: &str) -> Self {
        let host = normalise_host(host);
        if !host.is_empty() && !self.0.contains(&host) {
            self.0.push(host);
        }
        self
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = normalise_host(host);
        self.0.contains(&host)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn hosts(&self) -> &[String] {
        &self.0
    }
}

fn normalise_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Networks no webhook may reach: this host, private networks, link-local (cloud
/// metadata at 169.254.169.254 among them), carrier-grade NAT (Alibaba's metadata),
/// multicast, and the reserved and documentation ranges.
fn refused_networks() -> &'static [IpNet] {
    static NETWORKS: OnceLock<Vec<IpNet>> = OnceLock::new();
    NETWORKS.get_or_init(|| {
        [
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
            "::/127",
            "::ffff:0:0/96",
            "64:ff9b::/96",
            "64:ff9b:1::/48",
            "100::/64",
            "2001:db8::/32",
            "fc00::/7",
            "fe80::/10",
            "ff00::/8",
        ]
        .iter()
        .map(|n| n.parse().expect("a valid network"))
        .collect()
    })
}

/// Whether a webhook may connect to `ip` (IPv4 written as IPv6 counts as IPv4).
pub fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    !refused_networks().iter().any(|net| net.contains(&ip))
}

/// Names that mean this machine or a cloud's metadata service, whatever DNS says.
fn is_internal_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "metadata.google.internal"
        || host == "metadata"
}

/// Checks an endpoint URL as written: https (or http for an allowed host), a host, no
/// credentials or fragment, and no address or name that is refused. Names are not
/// resolved here; see [`check_resolves`].
pub fn check_url(text: &str, allowed: &AllowedHosts) -> Result<Url, String> {
    if text.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    let url = Url::parse(text).map_err(|_| "is not an absolute URL".to_owned())?;
    let host = url
        .host_str()
        .map(normalise_host)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "must have a host".to_owned())?;
    let allowed_host = allowed.allows(&host);
    match url.scheme() {
        "https" => {}
        "http" if allowed_host => {}
        "http" => return Err("must use https".into()),
        _ => return Err("must be an https URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment (#…)".into());
    }
    if !allowed_host {
        // The document's pattern (a DNS name or IPv4 address, in ASCII), then the host.
        if !crate::contract::WEBHOOK_URL.is_match(text) {
            return Err(
                "must be an https URL with a DNS name or IPv4 address, written in ASCII".into(),
            );
        }
        check_target(&url)?;
    }
    Ok(url)
}

/// Refuses a URL whose host is a refused address, or a name for this machine or a
/// metadata service.
pub fn check_target(url: &Url) -> Result<(), String> {
    match url.host() {
        Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
            Err("must not point at a private, loopback or link-local address".into())
        }
        Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            Err("must not point at a private, loopback or link-local address".into())
        }
        Some(Host::Domain(name)) if is_internal_name(&normalise_host(name)) => {
            Err("must not point at this machine or a metadata service".into())
        }
        None => Err("must have a host".into()),
        _ => Ok(()),
    }
}

/// At registration: refuses a name that resolves to a refused address now. A name that
/// does not resolve (yet) is accepted; every attempt resolves it again.
pub async fn check_resolves(url: &Url, allowed: &AllowedHosts) -> Result<(), String> {
    let Some(Host::Domain(name)) = url.host() else {
        return Ok(());
    };
    if allowed.allows(name) {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((name.to_owned(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(2), lookup).await {
        Ok(Ok(addresses)) => {
            if addresses.into_iter().any(|a| !is_public(a.ip())) {
                Err("resolves to a private, loopback or link-local address".into())
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// The delivery client's resolver: the system's, minus every name with a refused address.
pub struct GuardedResolver {
    pub allowed: Arc<AllowedHosts>,
}

/// Why a name was refused; the delivery log shows this text.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to a private, loopback or link-local address")]
pub struct RefusedAddress(pub String);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            filter_addresses(&name, addresses, &allowed)
                .map(|a| Box::new(a.into_iter()) as reqwest::dns::Addrs)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
    }
}

/// A name's addresses as the resolver hands them on: all of them for an allowed host or
/// a name whose every address is public, none (an error) otherwise.
pub fn filter_addresses(
    name: &str,
    addresses: Vec<SocketAddr>,
    allowed: &AllowedHosts,
) -> Result<Vec<SocketAddr>, RefusedAddress> {
    if allowed.allows(name) {
        return Ok(addresses);
    }
    if is_internal_name(&normalise_host(name)) || addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(RefusedAddress(name.to_owned()));
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> AllowedHosts {
        AllowedHosts::default()
    }

    #[test]
    fn private_loopback_and_metadata_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} passed");
        }
        for ip in ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} refused");
        }
    }

    #[test]
    fn urls_must_be_https_on_public_hosts_unless_allowed() {
        assert!(check_url("https://hooks.vendor.example/portico", &none()).is_ok());
        for (url, why) in [
            ("http://hooks.vendor.example/", "must use https"),
            ("ftp://hooks.vendor.example/", "must be an https URL"),
            ("https://127.0.0.1/x", "private"),
            ("https://[::1]:8443/x", "DNS name or IPv4"),
            ("https://2130706433/x", "DNS name or IPv4"),
            ("https://0x7f.1/x", "DNS name or IPv4"),
            ("https://169.254.169.254/latest/meta-data", "private"),
            ("https://localhost/x", "this machine"),
            ("https://api.localhost/x", "this machine"),
            ("https://metadata.google.internal/", "metadata"),
            ("https://user:pw@hooks.vendor.example/", "user name"),
            ("https://hooks.vendor.example/#x", "fragment"),
            ("/relative", "absolute"),
            ("https://hooks.vendor.example/a b", "spaces"),
        ] {
            let error = check_url(url, &none()).unwrap_err();
            assert!(error.contains(why), "{url}: {error}");
        }
        let allowed = AllowedHosts::parse("localhost, 127.0.0.1,[::1]");
        assert!(check_url("http://127.0.0.1:9000/hook", &allowed).is_ok());
        assert!(check_url("http://localhost:9000/hook", &allowed).is_ok());
        assert!(check_url("http://[::1]:9000/hook", &allowed).is_ok());
        assert!(check_url("http://10.0.0.1/hook", &allowed).is_err());
    }

    #[test]
    fn the_resolver_refuses_names_with_any_private_address() {
        let public: SocketAddr = "93.184.215.14:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.7:0".parse().unwrap();
        assert_eq!(
            filter_addresses("hooks.vendor.example", vec![public], &none()).unwrap(),
            vec![public]
        );
        // A rebinding name that answers one public and one private address gets neither.
        assert!(filter_addresses("rebind.example", vec![public, private], &none()).is_err());
        assert!(filter_addresses("localhost", vec![public], &none()).is_err());
        let allowed = AllowedHosts::parse("intranet.example");
        assert_eq!(
            filter_addresses("intranet.example", vec![private], &allowed).unwrap(),
            vec![private]
        );
    }

    #[tokio::test]
    async fn the_delivery_client_never_connects_to_a_refused_address() {
        // The name resolves to loopback, where a server listens: the attempt must fail in
        // the resolver, without a connection.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = tokio::spawn(async move {
            tokio::time::timeout(std::time::Duration::from_secs(2), listener.accept())
                .await
                .is_ok()
        });
        let client = super::super::client(Arc::new(none()), std::time::Duration::from_secs(2));
        let error = client
            .post(format!("http://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        let text = super::super::describe(&error);
        assert!(text.contains("private, loopback"), "{text}");
        assert!(!accepted.await.unwrap(), "a connection was made");
    }
}

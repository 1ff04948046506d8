//! Configuration: built-in defaults, then an optional TOML file, then `PORTICO_*`
//! environment variables, each layer overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use url::Url;

/// The server's settings. `Debug` hides the database password.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// `sqlite://portico.db` (default) or `postgres://user:pass@host/db`.
    pub database_url: String,
    /// Where the HTTP server listens.
    pub addr: SocketAddr,
    /// The public base of the links Portico prints and returns (`https://billing.example`).
    pub public_url: Url,
    /// Where the built site lives: `pkg/portico.{js,wasm,css}` and the public assets.
    pub site_root: PathBuf,
    /// A `tracing` filter, e.g. `info` or `server=debug,tower_http=info`.
    pub log: String,
    /// The absolute lifetime of a portal session, whatever its activity, in seconds.
    pub session_lifetime_secs: i64,
    /// The proxies in front of Portico whose `X-Forwarded-For` entries name the client,
    /// for rate limiting and logs. None by default: the connection's peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// Link exchanges (and link pages) allowed per client address per minute. Customers
    /// behind one company's address share it.
    pub exchange_limit_per_minute: u32,
    /// Failed API keys allowed per client address per minute; past it, keys are not
    /// checked until the minute ends.
    pub key_failure_limit_per_minute: u32,
    /// Serve the demo's pages (`/demo/vendor`); only `portico serve --demo` does.
    pub demo: bool,
    /// The most an NDJSON import may send, in bytes.
    pub import_max_bytes: u64,
    /// The longest an NDJSON import may take, in seconds.
    pub import_max_secs: u64,
    /// After Ctrl-C or SIGTERM, how long requests in flight may take to finish.
    pub shutdown_grace_secs: u64,
    /// Log lines as text for people or as one JSON object each for a log pipeline.
    pub log_format: LogFormat,
    /// The bearer token `/metrics` asks for; without one there is no `/metrics`.
    pub metrics_token: Option<String>,
    /// Hosts webhooks may reach over plain http and on private addresses (development
    /// and tests); every other endpoint must be https on a public address.
    pub webhook_allowed_hosts: crate::webhooks::guard::AllowedHosts,
    /// How long a webhook attempt may take before it counts as failed, in seconds.
    pub webhook_timeout_secs: u64,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    /// One JSON object per line, with the request's span (and its request id) in it.
    Json,
}

/// A metrics token shorter than this is refused: it would be guessable.
const METRICS_TOKEN_MIN_CHARS: usize = 16;

/// Which proxies may name the client in `X-Forwarded-For`. Each proxy appends the address
/// it received the request from, so only the entries they added can be believed; what the
/// client wrote itself comes before them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustedProxies {
    /// The header is ignored: the connection's peer is the client.
    #[default]
    None,
    /// This many proxies, the nearest one being the peer.
    Count(usize),
    /// Proxies at these addresses or networks; the first address from the right outside
    /// them is the client.
    Networks(Vec<ipnet::IpNet>),
}

impl TrustedProxies {
    /// `0`/empty for none, a count (`1` to `10`), or a list of addresses and networks
    /// (`10.0.0.0/8, 192.0.2.7, 2001:db8::/32`).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            return Ok(TrustedProxies::None);
        }
        if let Ok(count) = text.parse::<usize>() {
            if !(1..=10).contains(&count) {
                bail!("trusted_proxies: {count} is not a count of proxies from 0 to 10");
            }
            return Ok(TrustedProxies::Count(count));
        }
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "trusted_proxies: {part:?} is neither an address nor a network \
                             like 10.0.0.0/8"
                        )
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map(TrustedProxies::Networks)
    }
}

/// `trusted_proxies` in the file: a count or a list of networks.
#[derive(Deserialize)]
#[serde(untagged)]
enum ProxiesSetting {
    Count(usize),
    List(Vec<String>),
    Text(String),
}

fn env_bool(name: &str, value: Option<String>) -> anyhow::Result<Option<bool>> {
    value
        .map(|text| match text.as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => bail!("{name}: {text:?} is not true or false"),
        })
        .transpose()
}

/// The file layer: every key optional, unknown keys refused so typos do not pass silently.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    database_url: Option<String>,
    addr: Option<String>,
    public_url: Option<String>,
    site_root: Option<PathBuf>,
    log: Option<String>,
    session_lifetime_secs: Option<i64>,
    /// Older form of `trusted_proxies = 1`.
    trust_forwarded_for: Option<bool>,
    trusted_proxies: Option<ProxiesSetting>,
    exchange_limit_per_minute: Option<u32>,
    key_failure_limit_per_minute: Option<u32>,
    demo: Option<bool>,
    import_max_bytes: Option<u64>,
    import_max_secs: Option<u64>,
    shutdown_grace_secs: Option<u64>,
    log_format: Option<String>,
    metrics_token: Option<String>,
    webhook_allowed_hosts: Option<Vec<String>>,
    webhook_timeout_secs: Option<u64>,
}

impl Config {
    /// Loads the configuration from the process environment and, if given (or named by
    /// `PORTICO_CONFIG`), a TOML file.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::load_from(file, |key| std::env::var(key).ok())
    }

    /// Loads with an explicit environment, so that tests need not touch the process's.
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env("PORTICO_CONFIG").map(PathBuf::from));
        let layer = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str::<FileLayer>(&text)
                    .with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => FileLayer::default(),
        };

        // cargo-leptos tells the server where it put the site and which address it expects;
        // those are better defaults than ours when running under `cargo leptos watch`.
        let database_url = env("PORTICO_DATABASE_URL")
            .or(layer.database_url)
            .unwrap_or_else(|| "sqlite://portico.db".to_owned());
        let addr_text = env("PORTICO_ADDR")
            .or(layer.addr)
            .or_else(|| env("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr_text.parse().with_context(|| {
            format!("addr: {addr_text:?} is not an address like 127.0.0.1:3000")
        })?;
        let public_url_text = env("PORTICO_PUBLIC_URL")
            .or(layer.public_url)
            .unwrap_or_else(|| format!("http://{addr}"));
        let public_url = parse_public_url(&public_url_text)?;
        let site_root = env("PORTICO_SITE_ROOT")
            .map(PathBuf::from)
            .or(layer.site_root)
            .or_else(|| env("LEPTOS_SITE_ROOT").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("target/site"));
        let log = env("PORTICO_LOG")
            .or(layer.log)
            .unwrap_or_else(|| "info".to_owned());

        let session_lifetime_secs = match env("PORTICO_SESSION_LIFETIME_SECS") {
            Some(text) => text.parse().ok().filter(|s| (60..=30 * 86_400).contains(s)).with_context(
                || format!("session_lifetime_secs: {text:?} is not a number of seconds from 60 to 2592000"),
            )?,
            None => layer.session_lifetime_secs.unwrap_or(12 * 3600),
        };
        let trusted_proxies = match (env("PORTICO_TRUSTED_PROXIES"), layer.trusted_proxies) {
            (Some(text), _) | (None, Some(ProxiesSetting::Text(text))) => {
                TrustedProxies::parse(&text)?
            }
            (None, Some(ProxiesSetting::Count(count))) => {
                TrustedProxies::parse(&count.to_string())?
            }
            (None, Some(ProxiesSetting::List(list))) => TrustedProxies::parse(&list.join(","))?,
            (None, None) => {
                // The older switch meant one proxy: the peer.
                let trust = env_bool("trust_forwarded_for", env("PORTICO_TRUST_FORWARDED_FOR"))?
                    .or(layer.trust_forwarded_for)
                    .unwrap_or(false);
                if trust {
                    TrustedProxies::Count(1)
                } else {
                    TrustedProxies::None
                }
            }
        };
        let demo = env_bool("demo", env("PORTICO_DEMO"))?
            .or(layer.demo)
            .unwrap_or(false);
        let import_max_bytes = match env("PORTICO_IMPORT_MAX_BYTES") {
            Some(text) => text.parse().ok(),
            None => Some(layer.import_max_bytes.unwrap_or(1 << 30)),
        }
        .filter(|n| *n >= 1024)
        .context("import_max_bytes: must be a whole number of bytes, at least 1024")?;
        let import_max_secs = match env("PORTICO_IMPORT_MAX_SECS") {
            Some(text) => text.parse().ok(),
            None => Some(layer.import_max_secs.unwrap_or(900)),
        }
        .filter(|n| (1..=86_400).contains(n))
        .context("import_max_secs: must be a whole number of seconds from 1 to 86400")?;
        let shutdown_grace_secs = match env("PORTICO_SHUTDOWN_GRACE_SECS") {
            Some(text) => text.parse().ok(),
            None => Some(layer.shutdown_grace_secs.unwrap_or(30)),
        }
        .filter(|n| (1..=3_600).contains(n))
        .context("shutdown_grace_secs: must be a whole number of seconds from 1 to 3600")?;
        let exchange_limit_per_minute = match env("PORTICO_EXCHANGE_LIMIT_PER_MINUTE") {
            Some(text) => text.parse().ok(),
            None => Some(layer.exchange_limit_per_minute.unwrap_or(30)),
        }
        .filter(|n| (1..=100_000).contains(n))
        .context("exchange_limit_per_minute: must be a whole number from 1 to 100000")?;

        let log_format = match env("PORTICO_LOG_FORMAT")
            .or(layer.log_format)
            .as_deref()
            .map(str::trim)
        {
            None | Some("" | "text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("log_format: {other:?} is neither text nor json"),
        };
        let metrics_token = env("PORTICO_METRICS_TOKEN")
            .or(layer.metrics_token)
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty());
        if let Some(token) = &metrics_token {
            if token.chars().count() < METRICS_TOKEN_MIN_CHARS
                || !token.chars().all(|c| c.is_ascii_graphic())
            {
                bail!(
                    "metrics_token: must be at least {METRICS_TOKEN_MIN_CHARS} printable ASCII characters without spaces"
                );
            }
        }

        let key_failure_limit_per_minute = match env("PORTICO_KEY_FAILURE_LIMIT_PER_MINUTE") {
            Some(text) => text.parse().ok(),
            None => Some(
                layer
                    .key_failure_limit_per_minute
                    .unwrap_or(crate::state::KEY_FAILURES_PER_MINUTE),
            ),
        }
        .filter(|n| (1..=100_000).contains(n))
        .context("key_failure_limit_per_minute: must be a whole number from 1 to 100000")?;

        let webhook_allowed_hosts = crate::webhooks::guard::AllowedHosts::parse(
            &env("PORTICO_WEBHOOK_ALLOWED_HOSTS")
                .or_else(|| layer.webhook_allowed_hosts.map(|hosts| hosts.join(",")))
                .unwrap_or_default(),
        );
        let webhook_timeout_secs = match env("PORTICO_WEBHOOK_TIMEOUT_SECS") {
            Some(text) => text.parse().ok(),
            None => Some(layer.webhook_timeout_secs.unwrap_or(10)),
        }
        .filter(|n| (1..=60).contains(n))
        .context("webhook_timeout_secs: must be a whole number of seconds from 1 to 60")?;

        Ok(Config {
            database_url,
            addr,
            public_url,
            site_root,
            log,
            session_lifetime_secs,
            trusted_proxies,
            exchange_limit_per_minute,
            key_failure_limit_per_minute,
            demo,
            import_max_bytes,
            import_max_secs,
            shutdown_grace_secs,
            log_format,
            metrics_token,
            webhook_allowed_hosts,
            webhook_timeout_secs,
        })
    }

    /// The public base URL without a trailing slash, ready to have a path appended.
    pub fn public_base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

fn parse_public_url(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text).with_context(|| format!("public_url: {text:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        bail!("public_url: {text:?} must be an http or https URL with a host");
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("public_url: {text:?} must not have a query or fragment");
    }
    Ok(url)
}

/// Hides the password (and any query string, where drivers accept passwords too).
pub fn redact_database_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.has_host() => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("redacted"));
            }
            if parsed.query().is_some() {
                parsed.set_query(Some("redacted"));
            }
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_database_url(&self.database_url))
            .field("addr", &self.addr)
            .field("public_url", &self.public_url.as_str())
            .field("site_root", &self.site_root)
            .field("log", &self.log)
            .field("session_lifetime_secs", &self.session_lifetime_secs)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("exchange_limit_per_minute", &self.exchange_limit_per_minute)
            .field(
                "key_failure_limit_per_minute",
                &self.key_failure_limit_per_minute,
            )
            .field("demo", &self.demo)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("import_max_secs", &self.import_max_secs)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("log_format", &self.log_format)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .field("webhook_allowed_hosts", &self.webhook_allowed_hosts)
            .field("webhook_timeout_secs", &self.webhook_timeout_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_need_nothing() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(config.database_url, "sqlite://portico.db");
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_base(), "http://127.0.0.1:3000");
        assert_eq!(config.exchange_limit_per_minute, 30);
    }

    #[test]
    fn log_format_and_metrics_token_are_checked() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.metrics_token, None);
        let config = Config::load_from(
            None,
            env(&[
                ("PORTICO_LOG_FORMAT", "json"),
                ("PORTICO_METRICS_TOKEN", "0123456789abcdef"),
            ]),
        )
        .unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.metrics_token.as_deref(), Some("0123456789abcdef"));
        assert!(!format!("{config:?}").contains("0123456789abcdef"));

        let err = Config::load_from(None, env(&[("PORTICO_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(err.to_string().starts_with("log_format:"), "{err}");
        for short in ["short", "has spaces in it, 16+"] {
            let err =
                Config::load_from(None, env(&[("PORTICO_METRICS_TOKEN", short)])).unwrap_err();
            assert!(err.to_string().starts_with("metrics_token:"), "{err}");
        }
    }

    #[test]
    fn the_exchange_limit_is_a_positive_count() {
        let set = |v| Config::load_from(None, env(&[("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", v)]));
        assert_eq!(set("600").unwrap().exchange_limit_per_minute, 600);
        for bad in ["0", "-1", "lots", "100001"] {
            let err = set(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("exchange_limit_per_minute:"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.toml");
        std::fs::write(
            &path,
            "addr = \"127.0.0.1:4000\"\npublic_url = \"https://file.example\"\nlog = \"debug\"\n",
        )
        .unwrap();
        let config = Config::load_from(
            Some(&path),
            env(&[("PORTICO_PUBLIC_URL", "https://env.example/billing/")]),
        )
        .unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:4000");
        assert_eq!(config.log, "debug");
        assert_eq!(config.public_base(), "https://env.example/billing");
    }

    #[test]
    fn unknown_file_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.toml");
        std::fs::write(&path, "adr = \"x\"\n").unwrap();
        let err = Config::load_from(Some(&path), env(&[])).unwrap_err();
        assert!(format!("{err:#}").contains("adr"), "{err:#}");

        let err = Config::load_from(None, env(&[("PORTICO_ADDR", "nowhere")])).unwrap_err();
        assert!(err.to_string().starts_with("addr:"), "{err}");
        let err =
            Config::load_from(None, env(&[("PORTICO_PUBLIC_URL", "ftp://x.example")])).unwrap_err();
        assert!(err.to_string().starts_with("public_url:"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_a_count_or_networks() {
        let set = |v| Config::load_from(None, env(&[("PORTICO_TRUSTED_PROXIES", v)]));
        assert_eq!(
            Config::load_from(None, env(&[])).unwrap().trusted_proxies,
            TrustedProxies::None
        );
        assert_eq!(set("0").unwrap().trusted_proxies, TrustedProxies::None);
        assert_eq!(set("2").unwrap().trusted_proxies, TrustedProxies::Count(2));
        assert_eq!(
            set("10.0.0.0/8, 192.0.2.7 2001:db8::/32")
                .unwrap()
                .trusted_proxies,
            TrustedProxies::Networks(vec![
                "10.0.0.0/8".parse().unwrap(),
                "192.0.2.7/32".parse().unwrap(),
                "2001:db8::/32".parse().unwrap(),
            ])
        );
        for bad in ["11", "10.0.0.0/33", "proxy.internal", "-1"] {
            let err = set(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("trusted_proxies:"),
                "{bad}: {err}"
            );
        }
        // The older switch still means the one proxy that connects to us.
        let old = Config::load_from(None, env(&[("PORTICO_TRUST_FORWARDED_FOR", "true")]));
        assert_eq!(old.unwrap().trusted_proxies, TrustedProxies::Count(1));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.1.0.0/16\"]\n").unwrap();
        let config = Config::load_from(Some(&path), env(&[])).unwrap();
        assert_eq!(
            config.trusted_proxies,
            TrustedProxies::Networks(vec!["10.1.0.0/16".parse().unwrap()])
        );
    }

    #[test]
    fn the_demo_and_import_limits_are_off_and_generous_by_default() {
        let config = Config::load_from(None, env(&[])).unwrap();
        assert!(!config.demo);
        assert_eq!(config.import_max_bytes, 1 << 30);
        assert_eq!(config.import_max_secs, 900);
        assert_eq!(config.shutdown_grace_secs, 30);
        let config = Config::load_from(
            None,
            env(&[
                ("PORTICO_DEMO", "true"),
                ("PORTICO_IMPORT_MAX_BYTES", "4096"),
                ("PORTICO_IMPORT_MAX_SECS", "5"),
            ]),
        )
        .unwrap();
        assert!(config.demo);
        assert_eq!((config.import_max_bytes, config.import_max_secs), (4096, 5));
        let err = Config::load_from(None, env(&[("PORTICO_IMPORT_MAX_SECS", "0")])).unwrap_err();
        assert!(err.to_string().starts_with("import_max_secs:"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_database_password() {
        let config = Config::load_from(
            None,
            env(&[(
                "PORTICO_DATABASE_URL",
                "postgres://portico:hunter2@db.internal/portico",
            )]),
        )
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.internal"), "{shown}");
    }
}

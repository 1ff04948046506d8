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
    /// Take the client address from `X-Forwarded-For` (set only behind a proxy that
    /// overwrites it), for rate limiting.
    pub trust_forwarded_for: bool,
    /// Link exchanges allowed per client address per minute. Customers behind one
    /// company's address share it.
    pub exchange_limit_per_minute: u32,
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
    trust_forwarded_for: Option<bool>,
    exchange_limit_per_minute: Option<u32>,
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
        let trust_forwarded_for = match env("PORTICO_TRUST_FORWARDED_FOR") {
            Some(text) => match text.as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => bail!("trust_forwarded_for: {text:?} is not true or false"),
            },
            None => layer.trust_forwarded_for.unwrap_or(false),
        };
        let exchange_limit_per_minute = match env("PORTICO_EXCHANGE_LIMIT_PER_MINUTE") {
            Some(text) => text.parse().ok(),
            None => Some(layer.exchange_limit_per_minute.unwrap_or(30)),
        }
        .filter(|n| (1..=100_000).contains(n))
        .context("exchange_limit_per_minute: must be a whole number from 1 to 100000")?;

        Ok(Config {
            database_url,
            addr,
            public_url,
            site_root,
            log,
            session_lifetime_secs,
            trust_forwarded_for,
            exchange_limit_per_minute,
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
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("exchange_limit_per_minute", &self.exchange_limit_per_minute)
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

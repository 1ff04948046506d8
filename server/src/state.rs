use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::clock::Clock;
use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// What every handler can reach. Cloned for every layer and handler of every request, so
/// it is one `Arc`: a clone is one counter, however many fields [`Parts`] grows.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct Parts {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    /// The bundle's file names.
    pub bundle: crate::routes::BundleNames,
    pub clock: Arc<dyn Clock>,
    pub limits: Arc<Limits>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The webhook client and the bell that wakes its worker.
    pub webhooks: Arc<crate::webhooks::Webhooks>,
    /// The address this server is bound to (the demo's webhooks are sent to it).
    pub local_addr: std::net::SocketAddr,
}

/// Rate limits, counted per client address (see [`crate::client_addr`]) or per token.
pub struct Limits {
    /// Per client address: a browser needs one exchange per link.
    pub exchange_by_client: RateLimiter,
    /// Per token: a link works once, so repeated tries are a script, not a person.
    pub exchange_by_token: RateLimiter,
    /// `/session/<token>` pages per client address: each looks its link up.
    pub link_pages_by_client: RateLimiter,
    /// Failed API key attempts per client address; past the limit, keys are not even
    /// checked until the window ends.
    pub key_failures_by_client: RateLimiter,
}

/// Failed API key attempts a client may make per minute, unless configured otherwise.
pub const KEY_FAILURES_PER_MINUTE: u32 = 20;

impl Limits {
    /// `per_client` exchanges and link pages per minute per client address, five
    /// exchanges per token, `key_failures` failed keys per client address; counted in the
    /// database when it is `shared` by several instances.
    pub fn new(per_client: u32, key_failures: u32, shared: bool) -> Self {
        Self {
            exchange_by_client: RateLimiter::named("exchange_by_client", shared, per_client, 60),
            exchange_by_token: RateLimiter::named("exchange_by_token", shared, 5, 60),
            link_pages_by_client: RateLimiter::named(
                "link_pages_by_client",
                shared,
                per_client,
                60,
            ),
            key_failures_by_client: RateLimiter::named(
                "key_failures_by_client",
                shared,
                key_failures,
                60,
            ),
        }
    }
}

impl AppState {
    /// Says that this request wrote an event: its webhook deliveries go out now rather
    /// than at the worker's next look.
    pub fn events_written(&self) {
        self.webhooks.wake();
    }

    /// An organisation as the hot path reads it: from memory while read less than a
    /// second ago and unchanged since (see `store::cache`), else from the database.
    pub async fn organisation(
        &self,
        id: &str,
    ) -> crate::store::StoreResult<Option<Arc<crate::store::Organisation>>> {
        let cache = self.store.cache();
        if let Some(organisation) = cache.organisation(id) {
            return Ok(Some(organisation));
        }
        let seen = cache.generation();
        let found = self.store.get_organisation(id).await?.map(Arc::new);
        if let Some(organisation) = &found {
            cache.keep_organisation(organisation, seen);
        }
        Ok(found)
    }

    /// The key a request's client is rate limited under.
    pub fn client_key(&self, peer: std::net::IpAddr, headers: &axum::http::HeaderMap) -> String {
        crate::client_addr::limit_key(crate::client_addr::client_ip(
            &self.config.trusted_proxies,
            peer,
            headers,
        ))
    }

    /// [`AppState::client_key`] of a request, from the peer address the server recorded
    /// in its extensions (unspecified when served without one).
    pub fn request_client_key(
        &self,
        extensions: &axum::http::Extensions,
        headers: &axum::http::HeaderMap,
    ) -> String {
        let peer = extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        self.client_key(peer, headers)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::clock::Clock;
use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// What every handler can reach. Cheap to clone: everything is behind an `Arc`.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    /// The bundle's file names.
    pub bundle: crate::routes::BundleNames,
    pub clock: Arc<dyn Clock>,
    pub limits: Arc<Limits>,
}

/// Rate limits of the link exchange.
pub struct Limits {
    /// Per client address: a browser needs one exchange per link.
    pub exchange_by_client: RateLimiter,
    /// Per token: a link works once, so repeated tries are a script, not a person.
    pub exchange_by_token: RateLimiter,
}

impl Limits {
    /// `per_client` exchanges per minute per client address, five per token.
    pub fn new(per_client: u32) -> Self {
        Self {
            exchange_by_client: RateLimiter::new(per_client, 60),
            exchange_by_token: RateLimiter::new(5, 60),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

//! The Portico server: configuration, store, vendor and portal APIs, server rendering.
//!
//! `main.rs` only parses the command line; [`build`] makes a bound server that tests start
//! on port 0.

pub mod auth;
pub mod cli;
pub mod client_addr;
pub mod clock;
pub mod config;
pub mod contract;
pub mod demo;
pub mod error;
pub mod extract;
pub mod links;
pub mod metrics;
pub mod openapi;
pub mod orgs;
pub mod ratelimit;
pub mod request_id;
pub mod routes;
pub mod settings;
pub mod state;
pub mod store;
pub mod token;
pub mod validate;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use leptos::prelude::LeptosOptions;
use tokio::net::{TcpListener, TcpStream};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::state::{AppState, Limits};
use crate::store::Store;

/// A server bound to its address, ready to run.
pub struct Server {
    listener: Listener,
    router: axum::Router,
    /// What the webhook worker needs; it runs while the server serves.
    worker: WorkerParts,
}

#[derive(Clone)]
struct WorkerParts {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    webhooks: Arc<webhooks::Webhooks>,
}

impl WorkerParts {
    /// Starts the webhook worker, and the follower of other instances' changes; they
    /// stop when the handles are dropped.
    fn start(&self) -> [AbortOnDrop; 2] {
        let parts = self.clone();
        let store = self.store.clone();
        [
            AbortOnDrop(tokio::spawn(webhooks::run(
                parts.store,
                parts.clock,
                parts.webhooks,
            ))),
            AbortOnDrop(tokio::spawn(async move { store.follow_changes().await })),
        ]
    }
}

/// A task that ends when its handle goes: an attempt cut short is retried after its
/// lease, by this instance or another.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The server's listener: every connection it accepts sends at once.
type Listener = axum::serve::TapIo<TcpListener, fn(&mut TcpStream)>;

/// `listener` with every connection sending at once (`TCP_NODELAY`). With the kernel's
/// default, a small write that follows another on a reused connection waits until the
/// client's system acknowledges the first, which it may hold back for 40 ms (200 ms on some
/// systems): a file's answer (the stylesheet, the script, the WASM) goes out as a head and
/// then a body, and on a connection already used its body came 40 ms late on loopback.
fn without_delay(listener: TcpListener) -> Listener {
    use axum::serve::ListenerExt;
    listener.tap_io(send_at_once)
}

fn send_at_once(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
    }
}

impl Server {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        axum::serve::Listener::local_addr(&self.listener).expect("a bound listener has an address")
    }

    /// Serves until the process is asked to stop (Ctrl-C or SIGTERM), then stops taking
    /// connections and finishes the requests in flight, for at most `grace`.
    pub async fn run(self, grace: std::time::Duration) -> anyhow::Result<()> {
        let service = self.service();
        let _worker = self.worker.start();
        let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
        let serving = axum::serve(self.listener, service).with_graceful_shutdown(async {
            shutdown_signal().await;
            let _ = signalled.send(());
        });
        let deadline = async {
            if on_signal.await.is_ok() {
                tokio::time::sleep(grace).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            served = serving => served.context("serving HTTP"),
            () = deadline => {
                tracing::warn!(?grace, "requests still in flight at the end of the grace period; stopping");
                Ok(())
            }
        }
    }

    /// Serves until `stop` resolves; for tests that run several servers in one process.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()> + Send + 'static) {
        let service = self.service();
        let _worker = self.worker.start();
        let _ = axum::serve(self.listener, service)
            .with_graceful_shutdown(stop)
            .await;
    }

    /// The router with each connection's peer address available to rate limiting.
    fn service(
        &self,
    ) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr> {
        self.router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>()
    }
}

/// Opens the store the configuration names and binds the listener.
pub async fn build(config: Config) -> anyhow::Result<Server> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "opening database {}",
                config::redact_database_url(&config.database_url)
            )
        })?;
    build_with_store(config, store).await
}

/// Binds a server over an already opened store.
pub async fn build_with_store(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Server> {
    build_with(config, store, Arc::new(SystemClock)).await
}

/// Binds a server over an opened store and a clock (tests pass a hand-set one).
pub async fn build_with(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Server> {
    app::i18n::load_strings().map_err(|fault| anyhow::anyhow!("the portal's strings: {fault}"))?;
    let listener = without_delay(
        TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?,
    );
    // Several instances share a PostgreSQL database, and then their limits; an SQLite
    // file has one server.
    let shared_limits = store.backend() == store::Backend::Postgres;
    let local_addr =
        axum::serve::Listener::local_addr(&listener).context("reading the bound address")?;
    let mut allowed = config.webhook_allowed_hosts.clone();
    if config.demo {
        // The demo's endpoint is the demo server's own receiver.
        allowed = allowed.with(&routes::demo_receiver_addr(local_addr).ip().to_string());
    }
    let webhooks = Arc::new(webhooks::Webhooks::new(
        allowed,
        std::time::Duration::from_secs(config.webhook_timeout_secs),
    ));
    let worker = WorkerParts {
        store: store.clone(),
        clock: clock.clone(),
        webhooks: webhooks.clone(),
    };
    let state = AppState::new(state::Parts {
        webhooks,
        local_addr,
        limits: Arc::new(Limits::new(
            config.exchange_limit_per_minute,
            config.key_failure_limit_per_minute,
            shared_limits,
        )),
        store,
        leptos: leptos_options(&config),
        bundle: routes::BundleNames::at_start(&config.site_root),
        metrics: Arc::new(metrics::Metrics::default()),
        config: Arc::new(config),
        clock,
    });
    Ok(Server {
        listener,
        router: routes::app(state),
        worker,
    })
}

/// Leptos's own settings, derived from ours rather than read from Cargo.toml at run time,
/// so that the release binary runs anywhere the site directory is.
fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portico")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_send_at_once() {
        use axum::serve::Listener;

        let mut listener = without_delay(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let address = listener.local_addr().unwrap();
        let client = TcpStream::connect(address).await.unwrap();
        let (accepted, peer) = listener.accept().await;
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(
            accepted.nodelay().unwrap(),
            "the server's side waits for acknowledgements"
        );
        // The kernel's default, which the listener overrides.
        assert!(!client.nodelay().unwrap());
    }
}

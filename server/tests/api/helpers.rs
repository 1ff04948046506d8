use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use server::config::Config;
use server::store::{PgStore, SqliteStore, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

/// A store on a database of its own, and whatever keeps that database alive.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    /// The SQLite file's directory, removed when the test ends.
    _dir: Option<tempfile::TempDir>,
    /// The database URL a separate process would use to reach the same data.
    pub url: String,
}

/// A fresh SQLite file in a temporary directory.
pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("portico.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.expect("open SQLite");
    TestStore {
        store: Arc::new(store),
        _dir: Some(dir),
        url,
    }
}

/// The PostgreSQL server named by `PORTICO_TEST_POSTGRES_URL`, with a fresh schema of
/// its own so that tests never see each other's rows; `None` when the variable is unset.
pub async fn postgres_store() -> Option<TestStore> {
    let base = std::env::var("PORTICO_TEST_POSTGRES_URL").ok()?;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("connect to PORTICO_TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create a test schema");
    let options = PgConnectOptions::from_str(&base)
        .expect("a valid PostgreSQL URL")
        .options([("search_path", schema.as_str())]);
    let store = PgStore::connect_with(options)
        .await
        .expect("open PostgreSQL");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    Some(TestStore {
        store: Arc::new(store),
        _dir: None,
        url,
    })
}

/// Runs the same test body on SQLite always and on PostgreSQL when it is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::sqlite_store().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    match $crate::helpers::postgres_store().await {
                        Some(store) => super::$name(store).await,
                        None => eprintln!("PORTICO_TEST_POSTGRES_URL is not set: skipped"),
                    }
                }
            )+
        }
    };
}

/// A fixed instant, so that tests do not depend on the clock.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

/// A server on a random port over `store`, stopped when the value is dropped.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// Kept alive for as long as the server runs (it owns the SQLite file).
    _store: TestStore,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app(store: TestStore) -> TestApp {
    let config = Config::load_from(None, |key| match key {
        "PORTICO_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })
    .expect("test configuration");
    let server = server::build_with_store(config, store.store.clone())
        .await
        .expect("bind a test server");
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _store: store,
        stop: Some(stop),
    }
}

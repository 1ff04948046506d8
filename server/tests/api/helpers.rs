use crate::upserts::Upserts;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use server::clock::{Clock, ManualClock};
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

/// A store on the PostgreSQL database `url` names, as it is (no schema of its own).
pub async fn postgres_store_at(url: &str) -> TestStore {
    let store = PgStore::connect(url).await.expect("open PostgreSQL");
    TestStore {
        store: Arc::new(store),
        _dir: None,
        url: url.to_owned(),
    }
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
    /// The server's clock; tests move it instead of waiting.
    pub clock: ManualClock,
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

/// The public URL test servers print in links.
pub const PUBLIC_URL: &str = "https://portal.example";

pub async fn spawn_app(store: TestStore) -> TestApp {
    spawn_app_with(store, &[]).await
}

/// A test server with some settings of its own (`PORTICO_*` names and values).
pub async fn spawn_app_with(store: TestStore, settings: &[(&str, &str)]) -> TestApp {
    let config = Config::load_from(None, |key| {
        let given = settings
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| (*value).to_owned());
        given.or_else(|| match key {
            "PORTICO_ADDR" => Some("127.0.0.1:0".to_owned()),
            "PORTICO_PUBLIC_URL" => Some(PUBLIC_URL.to_owned()),
            _ => None,
        })
    })
    .expect("test configuration");
    let clock = ManualClock::new(at(2026, 6, 1));
    let server = server::build_with(config, store.store.clone(), Arc::new(clock.clone()))
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
        clock,
        _store: store,
        stop: Some(stop),
    }
}

/// An organisation with an API key and two customers, as a vendor would set it up.
pub struct Vendor {
    pub organisation: String,
    pub key: String,
    /// Portico's ids of the customers `cus_1` and `cus_2`.
    pub customers: [String; 2],
}

/// The origin vendors' return URLs must use in tests.
pub const VENDOR_ORIGIN: &str = "https://vendor.example";

impl TestApp {
    pub fn store(&self) -> &dyn Store {
        self._store.store.as_ref()
    }

    pub async fn vendor(&self, name: &str) -> Vendor {
        let now = self.clock.now();
        let (org, key) = server::orgs::create_organisation(
            self.store(),
            name,
            vec![VENDOR_ORIGIN.to_owned()],
            vec![],
            now,
        )
        .await
        .unwrap();
        let mut customers = Vec::new();
        for external in ["cus_1", "cus_2"] {
            let input = app::api::records::CustomerInput {
                name: format!("{name} customer {external}"),
                email: None,
                phone: None,
                tax_ids: Vec::new(),
                address: Default::default(),
                locale: None,
                balance_payment_url: None,
            };
            let (c, _) = self
                .store()
                .upsert_customer(&org.id, external, &input, now)
                .await
                .unwrap();
            customers.push(c.id);
        }
        Vendor {
            organisation: org.id,
            key,
            customers: customers.try_into().unwrap(),
        }
    }

    /// A vendor call with the organisation and key headers.
    pub fn vendor_request(
        &self,
        method: reqwest::Method,
        path: &str,
        vendor: &Vendor,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("organisation", &vendor.organisation)
            .header("X-API-KEY", &vendor.key)
    }

    /// A vendor call without a body, sent: its answer.
    pub async fn vendor_send(
        &self,
        method: reqwest::Method,
        path: &str,
        vendor: &Vendor,
    ) -> reqwest::Response {
        self.vendor_request(method, path, vendor)
            .send()
            .await
            .unwrap()
    }

    /// A portal link made with `body` (`POST /v1/portal_sessions`): the answer's JSON.
    pub async fn create_link(
        &self,
        body: &serde_json::Value,
        vendor: &Vendor,
    ) -> serde_json::Value {
        let response = self.post_json("/v1/portal_sessions", body, vendor).await;
        response.json().await.unwrap()
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        vendor: &Vendor,
    ) -> reqwest::Response {
        self.vendor_request(reqwest::Method::POST, path, vendor)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The link token in a portal URL.
    pub fn token_of(url: &str) -> String {
        let path = url.split('?').next().unwrap();
        path.rsplit('/').next().unwrap().to_owned()
    }

    pub async fn exchange(&self, token: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/session/exchange", self.base))
            .json(&serde_json::json!({ "token": token }))
            .send()
            .await
            .unwrap()
    }

    /// A plain `GET` of a path on this server, as a browser without a session sends it.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// A page as a browser gets it: its `Content-Security-Policy` and its HTML.
    pub async fn page(&self, path: &str) -> (String, String) {
        let response = self.get(path).await;
        let policy = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (policy, response.text().await.unwrap())
    }

    /// The demo organisation and its customers, as `portico demo` writes them.
    pub async fn seed_demo(&self) {
        let config = Config::load_from(None, |k| {
            (k == "PORTICO_PUBLIC_URL").then(|| PUBLIC_URL.to_owned())
        })
        .unwrap();
        server::demo::run(self.store(), &config, at(2026, 6, 1), true)
            .await
            .unwrap();
    }

    pub async fn portal_get(&self, path: &str, session_token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(session_token)
            .send()
            .await
            .unwrap()
    }

    /// A fresh link made with `body` (`POST /v1/portal_sessions`), exchanged as the
    /// browser would: the exchange's answer.
    pub async fn exchange_new_link(
        &self,
        vendor: &Vendor,
        body: serde_json::Value,
    ) -> reqwest::Response {
        let response = self.post_json("/v1/portal_sessions", &body, vendor).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let created: serde_json::Value = response.json().await.unwrap();
        let token = Self::token_of(created["url"].as_str().unwrap());
        self.exchange(&token).await
    }

    /// A fresh link for the vendor's first customer, exchanged: the session token.
    pub async fn open_session(&self, vendor: &Vendor, body: serde_json::Value) -> String {
        let response = self.exchange_new_link(vendor, body).await;
        assert_eq!(response.status(), 200);
        let exchanged: serde_json::Value = response.json().await.unwrap();
        exchanged["session_token"].as_str().unwrap().to_owned()
    }
}

/// Asserts that a refusal for too many tries says when to come back: within the minute.
pub fn assert_retry_within_a_minute(headers: &reqwest::header::HeaderMap) {
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

/// The fields a validation error names, in order; none for any other answer.
pub fn fields_of(body: &serde_json::Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The fields a `422 validation_failed` names; any other answer fails the test.
pub async fn refused_fields(response: reqwest::Response) -> Vec<String> {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    fields_of(&body)
}

/// The fields an answer `(status, body)` names, which must be a `422 validation_failed`.
pub fn refused((status, body): (u16, serde_json::Value)) -> Vec<String> {
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    fields_of(&body)
}

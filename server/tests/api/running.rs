//! A `portico serve` process as a vendor and a customer meet it over HTTP, for the tests
//! that kill it or run it for a long time.

use serde_json::{json, Value};

use crate::cli::{portico, stderr, stdout};

/// A number a long test takes from the environment (`make crash`, `make soak`), else
/// `default`, the short version `make test` runs.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// A running server, with an organisation's key and one customer's portal session.
pub struct Target {
    pub base: String,
    pub port: u16,
    pub organisation: String,
    pub key: String,
    pub session: String,
    pub client: reqwest::Client,
}

impl Target {
    /// Creates an organisation with `portico org create` on `database_url`; the server is
    /// reached later on `port`.
    pub fn new_organisation(database_url: &str, name: &str) -> (String, String) {
        let created = portico(
            database_url,
            &[
                "org",
                "create",
                "--name",
                name,
                "--return-origin",
                "https://vendor.example",
            ],
        );
        assert!(created.status.success(), "{}", stderr(&created));
        let created: Value = serde_json::from_str(&stdout(&created)).unwrap();
        (
            created["organisation"].as_str().unwrap().to_owned(),
            created["api_key"].as_str().unwrap().to_owned(),
        )
    }

    pub fn at(port: u16, organisation: &str, key: &str) -> Self {
        Target {
            base: format!("http://127.0.0.1:{port}"),
            port,
            organisation: organisation.to_owned(),
            key: key.to_owned(),
            session: String::new(),
            client: reqwest::Client::new(),
        }
    }

    /// The same organisation and session on a restarted server, with a new client.
    pub fn moved_to(&self, port: u16) -> Self {
        Target {
            session: self.session.clone(),
            ..Self::at(port, &self.organisation, &self.key)
        }
    }

    pub fn vendor(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("organisation", &self.organisation)
            .header("X-API-KEY", &self.key)
    }

    pub fn portal(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.session)
    }

    /// Sends `request`, which must succeed; its JSON answer.
    pub async fn json(&self, request: reqwest::RequestBuilder) -> Value {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{status}: {body}");
        body
    }

    /// Writes NDJSON lines through `/v1/import`, which must accept them all.
    pub async fn import(&self, lines: impl Iterator<Item = Value>) {
        let body: String = lines.map(|line| line.to_string() + "\n").collect();
        let report = self
            .json(
                self.vendor(reqwest::Method::POST, "/v1/import")
                    .header("Content-Type", "application/x-ndjson")
                    .body(body),
            )
            .await;
        assert_eq!(report["rejected_count"], 0, "{report}");
    }

    /// Adds the customer `cus_1` and opens a portal session for it, as a vendor's backend
    /// and then the customer's browser do.
    pub async fn open_portal(&mut self) {
        self.json(
            self.vendor(reqwest::Method::PUT, "/v1/customers/cus_1")
                .json(&json!({"name": "Test customer"})),
        )
        .await;
        let link = self
            .json(
                self.vendor(reqwest::Method::POST, "/v1/portal_sessions")
                    .json(
                        &json!({"external_id": "cus_1", "return_url": "https://vendor.example/"}),
                    ),
            )
            .await;
        let token = crate::helpers::TestApp::token_of(link["url"].as_str().unwrap());
        let exchanged = self
            .json(
                self.client
                    .post(format!("{}/api/v1/session/exchange", self.base))
                    .json(&json!({ "token": token })),
            )
            .await;
        self.session = exchanged["session_token"].as_str().unwrap().to_owned();
    }
}

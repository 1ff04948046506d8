//! A database outage: PostgreSQL stops under light load. Every request answers within a few
//! seconds, with 503 and the API's error body (the health check says `degraded`), and the
//! service comes back on its own once the database does.
//!
//! The test runs its own PostgreSQL cluster, so that stopping it disturbs no other test.
//! `make test` keeps the outage short; `make outage` holds it for 30 seconds
//! (`PORTICO_OUTAGE_SECS`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{postgres_store_at, spawn_app, TestApp, Vendor, VENDOR_ORIGIN};

/// The longest any answer may take while the database is down: the pool's wait for a
/// connection (3 s) and some room.
const ANSWER_WITHIN: Duration = Duration::from_secs(6);

/// A PostgreSQL cluster of this test's own, in a temporary directory, on a free port.
struct Cluster {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn create() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server programs under /usr/lib/postgresql")
            .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
            .find(|bin| bin.join("initdb").is_file())
            .expect("initdb under /usr/lib/postgresql/<version>/bin");
        let data = tempfile::tempdir().expect("a directory for the cluster");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let cluster = Cluster { bin, data, port };
        if as_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to `postgres`.
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(cluster.data.path()));
        }
        cluster.pg(
            "initdb",
            &["-A", "trust", "-U", "postgres", "--no-sync", "-D"],
            Some(cluster.data.path()),
        );
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.data.path().display()
        );
        let log = self.data.path().join("log");
        self.pg(
            "pg_ctl",
            &[
                "-w",
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "start",
                "-D",
            ],
            Some(self.data.path()),
        );
    }

    /// Stops the server at once, the way a crash or a pulled cable would.
    fn stop(&self) {
        self.pg(
            "pg_ctl",
            &["-w", "-m", "immediate", "stop", "-D"],
            Some(self.data.path()),
        );
    }

    fn pg(&self, program: &str, args: &[&str], dir: Option<&Path>) {
        let mut command = self.command(program);
        command.args(args);
        if let Some(dir) = dir {
            command.arg(dir);
        }
        run(&mut command);
    }

    /// A PostgreSQL program, run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "stop", "-D"])
            .arg(self.data.path())
            .output();
    }
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a PostgreSQL program");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One round of light load: a portal read, a vendor read, a vendor write and the health
/// check, at the same time. Returns each answer's status, body and time.
async fn round(
    app: &TestApp,
    vendor: &Vendor,
    session: &str,
    n: u32,
) -> Vec<(String, u16, Value, Duration)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let requests = [
        (
            "portal read",
            client
                .get(format!("{}/api/v1/portal/invoices", app.base))
                .bearer_auth(session),
        ),
        (
            "vendor read",
            app.vendor_request(reqwest::Method::GET, "/v1/customers/cus_1", vendor),
        ),
        (
            "vendor write",
            app.vendor_request(reqwest::Method::PUT, "/v1/customers/cus_2", vendor)
                .json(&json!({ "name": format!("Renamed {n}") })),
        ),
        ("health", client.get(format!("{}/api/v1/health", app.base))),
    ];
    let answers = requests.map(|(what, request)| async move {
        let started = Instant::now();
        let response = request
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (what.to_owned(), status, body, started.elapsed())
    });
    let [a, b, c, d] = answers;
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    vec![a, b, c, d]
}

#[tokio::test]
async fn a_database_outage_answers_503_quickly_and_service_resumes_on_its_own() {
    let outage = Duration::from_secs(
        std::env::var("PORTICO_OUTAGE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(4),
    );
    let cluster = Cluster::create();
    cluster.start();
    let app = spawn_app(postgres_store_at(&cluster.url()).await).await;
    let vendor = app.vendor("Outage Ltd").await;
    let session = app
        .open_session(
            &vendor,
            json!({ "external_id": "cus_1", "return_url": format!("{VENDOR_ORIGIN}/") }),
        )
        .await;
    for (what, status, body, _) in round(&app, &vendor, &session, 0).await {
        assert_eq!(status, 200, "{what} before the outage: {body}");
    }

    cluster.stop();
    let down = Instant::now();
    let mut rounds = 0;
    let mut slowest = Duration::ZERO;
    while down.elapsed() < outage || rounds < 2 {
        rounds += 1;
        for (what, status, body, took) in round(&app, &vendor, &session, rounds).await {
            slowest = slowest.max(took);
            // The list was read just before: until the server notices that its change
            // feed went down with the database (milliseconds), it may still answer it
            // from memory, as it would have at most a second later (`store::cache`).
            if what == "portal read" && status == 200 && rounds == 1 {
                eprintln!("the first portal read of the outage was answered from memory");
                continue;
            }
            assert_eq!(status, 503, "{what} during the outage: {body}");
            assert!(took <= ANSWER_WITHIN, "{what} took {took:?}");
            if what == "health" {
                assert_eq!(body["status"], "degraded", "{body}");
            } else {
                assert_eq!(body["error"]["code"], "unavailable", "{what}: {body}");
            }
        }
    }
    eprintln!(
        "outage of {:?}: {rounds} rounds, slowest answer {slowest:?}",
        down.elapsed()
    );

    cluster.start();
    let back = Instant::now();
    loop {
        let answers = round(&app, &vendor, &session, 1000).await;
        if answers.iter().all(|(_, status, _, _)| *status == 200) {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "service did not resume: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("service resumed {:?} after the database", back.elapsed());
    // Nothing written during the outage half-landed: the last write is the one after it.
    let customer: Value = app
        .vendor_send(reqwest::Method::GET, "/v1/customers/cus_2", &vendor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customer["name"], "Renamed 1000", "{customer}");
}

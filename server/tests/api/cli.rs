//! The `portico` binary as an operator runs it.

use std::process::{Command, Output};

pub(crate) fn portico(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATABASE_URL", database_url)
        .env("PORTICO_PUBLIC_URL", "https://billing.example")
        .env_remove("PORTICO_CONFIG")
        .output()
        .expect("run portico")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn every_command_explains_itself() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["org", "--help"],
        &["org", "create", "--help"],
        &["org", "set", "--help"],
        &["demo", "--help"],
        &["key", "create", "--help"],
        &["key", "revoke", "--help"],
        &["migrate", "--help"],
        &["backup", "--help"],
        &["webhook", "--help"],
        &["webhook", "create", "--help"],
        &["webhook", "list", "--help"],
        &["webhook", "delete", "--help"],
        &["webhook", "rotate", "--help"],
    ] {
        let output = portico("sqlite://unused.db", args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        assert!(stdout(&output).contains("Usage:"), "{args:?}");
    }
    let help = stdout(&portico("sqlite://unused.db", &["org", "create", "--help"]));
    for flag in ["--name", "--return-origin", "--embed-origin"] {
        assert!(help.contains(flag), "{flag} is documented");
    }
}

#[tokio::test]
async fn org_create_prints_exactly_one_json_line_with_a_working_key() {
    let db = crate::helpers::sqlite_store().await;
    let output = portico(
        &db.url,
        &[
            "org",
            "create",
            "--name",
            "Vendor «Ü» <b>",
            "--return-origin",
            "https://App.Vendor.example/",
            "--embed-origin",
            "http://localhost:8080",
            "--return-origin",
            "https://vendor.example",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    let json: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    let id = json["organisation"].as_str().unwrap();
    let key = json["api_key"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert!(key.starts_with("ptc_"), "{key}");
    assert_eq!(json.as_object().unwrap().len(), 2);

    let org = db.store.get_organisation(id).await.unwrap().unwrap();
    assert_eq!(org.name, "Vendor «Ü» <b>");
    assert_eq!(
        org.settings.return_origins,
        vec!["https://app.vendor.example", "https://vendor.example"]
    );
    assert_eq!(org.settings.embed_origins, vec!["http://localhost:8080"]);
    let stored = db
        .store
        .find_api_key(&server::token::hash(key))
        .await
        .unwrap()
        .expect("the printed key is the stored one");
    assert_eq!(stored.organisation_id, id);
    assert!(stored.revoked_at.is_none());
}

#[tokio::test]
async fn org_create_refuses_bad_input_naming_the_flag_and_writes_nothing() {
    let db = crate::helpers::sqlite_store().await;
    for (args, flag) in [
        (
            &[
                "org",
                "create",
                "--name",
                "V",
                "--return-origin",
                "javascript:alert(1)",
            ][..],
            "--return-origin",
        ),
        (
            &[
                "org",
                "create",
                "--name",
                "V",
                "--embed-origin",
                "https://v.example/path",
            ],
            "--embed-origin",
        ),
        (&["org", "create", "--name", "   "], "--name"),
    ] {
        let output = portico(&db.url, args);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(
            stderr(&output).contains(flag),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
    assert_eq!(db.store.count_organisations().await.unwrap(), 0);
}

#[tokio::test]
async fn a_bad_configuration_is_reported_not_panicked() {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["org", "create", "--name", "V"])
        .env("PORTICO_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.starts_with("portico: addr:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test]
async fn demo_prints_a_key_and_one_link_per_customer() {
    let db = crate::helpers::sqlite_store().await;
    let output = portico(&db.url, &["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Acme Cloud"), "{text}");
    let key_line = text.lines().find(|l| l.starts_with("API key")).unwrap();
    assert!(key_line.contains("ptc_"), "{key_line}");
    let links: Vec<_> = text
        .lines()
        .filter(|l| l.contains("https://billing.example/session/"))
        .collect();
    assert_eq!(links.len(), 3, "{text}");

    // With --if-empty, an existing demo is left as it is and only new links are printed.
    let again = portico(&db.url, &["demo", "--if-empty"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let again_text = stdout(&again);
    assert_eq!(
        again_text
            .lines()
            .filter(|l| l.contains("/session/"))
            .count(),
        3,
        "{again_text}"
    );
    assert_ne!(text, again_text, "links and keys are fresh each time");
}

#[tokio::test]
async fn demo_if_empty_leaves_a_database_with_other_organisations_alone() {
    let db = crate::helpers::sqlite_store().await;
    let created = portico(&db.url, &["org", "create", "--name", "Real vendor"]);
    assert!(created.status.success());
    let output = portico(&db.url, &["demo", "--if-empty"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("not added"));
    assert_eq!(db.store.count_organisations().await.unwrap(), 1);
}

#[tokio::test]
async fn keys_are_issued_and_revoked_from_the_command_line() {
    let db = crate::helpers::sqlite_store().await;
    let created = portico(&db.url, &["org", "create", "--name", "Vendor"]);
    let org: serde_json::Value = serde_json::from_str(stdout(&created).trim()).unwrap();
    let org_id = org["organisation"].as_str().unwrap();

    let output = portico(
        &db.url,
        &[
            "key",
            "create",
            "--organisation",
            org_id,
            "--label",
            "billing sync",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let issued: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let key = issued["api_key"].as_str().unwrap();
    let prefix = issued["prefix"].as_str().unwrap();
    assert!(key.starts_with(prefix) && prefix.len() == 12);
    let stored = db
        .store
        .find_api_key(&server::token::hash(key))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.organisation_id, org_id);
    assert_eq!(stored.label, "billing sync");
    assert_eq!(stored.scope, server::store::KeyScope::Full);
    assert_eq!(issued["scope"], "full");

    // A key for the web tier, which only makes links.
    let output = portico(
        &db.url,
        &[
            "key",
            "create",
            "--organisation",
            org_id,
            "--scope",
            "links",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let issued: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(issued["scope"], "links");
    let stored = db
        .store
        .find_api_key(&server::token::hash(issued["api_key"].as_str().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.scope, server::store::KeyScope::Links);

    for (args, complaint) in [
        (
            vec!["key", "revoke", "--organisation", org_id, "ptc_"],
            "at least 8",
        ),
        (
            vec!["key", "revoke", "--organisation", org_id, "ptc_nothing1"],
            "no live key",
        ),
        (
            vec!["key", "revoke", "--organisation", "someone-else", prefix],
            "no live key",
        ),
        (
            vec!["key", "create", "--organisation", "someone-else"],
            "--organisation",
        ),
        (
            vec![
                "key",
                "create",
                "--organisation",
                org_id,
                "--scope",
                "admin",
            ],
            "--scope",
        ),
    ] {
        let output = portico(&db.url, &args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains(complaint),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(db
        .store
        .find_api_key(&server::token::hash(key))
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_none());

    let output = portico(
        &db.url,
        &["key", "revoke", "--organisation", org_id, prefix],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), r#"{"revoked":1}"#);
    let revoked = db
        .store
        .find_api_key(&server::token::hash(key))
        .await
        .unwrap()
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    // The organisation's first key is untouched.
    let first = org["api_key"].as_str().unwrap();
    assert!(db
        .store
        .find_api_key(&server::token::hash(first))
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_none());
}

#[tokio::test]
async fn org_set_changes_settings_with_the_apis_rules() {
    let db = crate::helpers::sqlite_store().await;
    let created = portico(&db.url, &["org", "create", "--name", "Vendor"]);
    let org: serde_json::Value = serde_json::from_str(stdout(&created).trim()).unwrap();
    let id = org["organisation"].as_str().unwrap();

    let refused = portico(
        &db.url,
        &[
            "org",
            "set",
            "--organisation",
            id,
            "--primary-color",
            "#ffff00",
            "--section",
            "settings",
        ],
    );
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(
        err.contains("primary-color") && err.contains("WCAG AA") && err.contains("sections"),
        "{err}"
    );

    let output = portico(
        &db.url,
        &[
            "org",
            "set",
            "--organisation",
            id,
            "--name",
            "Vendor GmbH",
            "--primary-color",
            "#0b6e4f",
            "--embed-origin",
            "https://app.vendor.example",
            "--embed-origin",
            "http://localhost:8080",
            "--theme",
            "dark",
            "--section",
            "invoices",
            "--section",
            "profile",
            "--allow-subscription-cancel",
            "false",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let saved = db.store.get_organisation(id).await.unwrap().unwrap();
    assert_eq!(saved.name, "Vendor GmbH");
    assert_eq!(saved.settings.primary_color, "#0b6e4f");
    assert_eq!(
        saved.settings.embed_origins,
        ["https://app.vendor.example", "http://localhost:8080"]
    );
    assert_eq!(saved.settings.sections, ["invoices", "profile"]);
    assert!(!saved.settings.allow_subscription_cancel);
    assert_eq!(saved.settings.theme, app::api::settings::ThemeSetting::Dark);
}

#[tokio::test]
async fn migrate_and_an_online_backup_that_restores_as_a_working_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let migrated = portico(&url, &["migrate"]);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert_eq!(stdout(&migrated), "The sqlite database is up to date.\n");
    let created = portico(&url, &["org", "create", "--name", "Backed Up Ltd"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let created: serde_json::Value = serde_json::from_str(&stdout(&created)).unwrap();

    let copy = dir.path().join("copy.db");
    let backup = portico(&url, &["backup", "--to", copy.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let report: serde_json::Value = serde_json::from_str(&stdout(&backup)).unwrap();
    assert!(report["bytes"].as_u64().unwrap() > 0, "{report}");

    // Restoring is using the copy: it opens, passes SQLite's own check, and holds the
    // organisation, whose key still works from the command line.
    let restored = format!("sqlite://{}", copy.display());
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&restored)
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let key = portico(
        &restored,
        &[
            "key",
            "create",
            "--organisation",
            created["organisation"].as_str().unwrap(),
        ],
    );
    assert!(key.status.success(), "{}", stderr(&key));

    // Never over an existing file, and never pretending for PostgreSQL.
    let again = portico(&url, &["backup", "--to", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    if let Ok(postgres) = std::env::var("PORTICO_TEST_POSTGRES_URL") {
        let refused = portico(
            &postgres,
            &["backup", "--to", dir.path().join("pg.db").to_str().unwrap()],
        );
        assert!(!refused.status.success());
        assert!(stderr(&refused).contains("pg_dump"), "{}", stderr(&refused));
    }
}

/// `portico serve` on a free port, with a short shutdown grace: the process and its port.
pub(crate) fn serve(database_url: &str, grace_secs: &str) -> (std::process::Child, u16) {
    serve_with(env!("CARGO_BIN_EXE_portico"), database_url, grace_secs, &[])
}

/// `serve` of a given `portico` binary, with settings of its own.
pub(crate) fn serve_with(
    binary: &str,
    database_url: &str,
    grace_secs: &str,
    settings: &[(&str, &str)],
) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let child = Command::new(binary)
        .arg("serve")
        .env("PORTICO_DATABASE_URL", database_url)
        .env("PORTICO_ADDR", format!("127.0.0.1:{port}"))
        .env("PORTICO_PUBLIC_URL", "https://billing.example")
        .env("PORTICO_SHUTDOWN_GRACE_SECS", grace_secs)
        .env("PORTICO_LOG", "warn")
        .env_remove("PORTICO_CONFIG")
        .envs(settings.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed().as_secs() < 30, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child, port)
}

/// Starts a streaming NDJSON import (chunked, as a vendor's script sends a large file)
/// and sends its first line.
fn start_import(port: u16, organisation: &str, key: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\norganisation: {organisation}\r\n\
         X-API-KEY: {key}\r\nContent-Type: application/x-ndjson\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    send_line(
        &mut stream,
        r#"{"type":"customer","id":"c1","data":{"name":"First"}}"#,
    );
    stream
}

fn send_line(stream: &mut std::net::TcpStream, line: &str) {
    use std::io::Write;
    write!(stream, "{:x}\r\n{line}\n\r\n", line.len() + 1).unwrap();
    stream.flush().unwrap();
}

fn terminate(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits for the process to exit; how long that took.
fn exit_within(child: &mut std::process::Child, limit: std::time::Duration) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return started.elapsed();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the server was still running {limit:?} after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn sigterm_finishes_requests_in_flight_within_the_grace_period() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let created = portico(&url, &["org", "create", "--name", "Shutdown Ltd"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let created: serde_json::Value = serde_json::from_str(&stdout(&created)).unwrap();
    let (organisation, key) = (
        created["organisation"].as_str().unwrap(),
        created["api_key"].as_str().unwrap(),
    );

    // An import under way when SIGTERM arrives still gets every line written and its
    // answer, and then the server exits.
    let (mut child, port) = serve(&url, "5");
    let mut import = start_import(port, organisation, key);
    std::thread::sleep(Duration::from_millis(300));
    terminate(&child);
    std::thread::sleep(Duration::from_millis(300));
    send_line(
        &mut import,
        r#"{"type":"customer","id":"c2","data":{"name":"Second"}}"#,
    );
    import.write_all(b"0\r\n\r\n").unwrap();
    let mut answer = String::new();
    import.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""accepted":2"#), "{answer}");
    let took = exit_within(&mut child, Duration::from_secs(5));
    eprintln!("exited {took:?} after its last request finished");

    // A request that never finishes holds the server only for the grace period.
    let (mut child, port) = serve(&url, "2");
    let _stalled = start_import(port, organisation, key);
    std::thread::sleep(Duration::from_millis(300));
    terminate(&child);
    let took = exit_within(&mut child, Duration::from_secs(5));
    assert!(
        took >= Duration::from_millis(1_500),
        "{took:?}: it waited for the request"
    );
    eprintln!("with a stalled request, exited {took:?} after SIGTERM (grace 2 s)");
}

#[test]
fn json_logs_carry_the_request_id_on_every_line_of_the_request() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("serve")
        .env(
            "PORTICO_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("logs.db").display()),
        )
        .env("PORTICO_ADDR", format!("127.0.0.1:{port}"))
        .env("PORTICO_LOG", "info,tower_http=debug")
        .env("PORTICO_LOG_FORMAT", "json")
        .env_remove("PORTICO_CONFIG")
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut stream = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) if started.elapsed().as_secs() < 30 => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => panic!("the server did not start: {e}"),
        }
    };
    write!(
        stream,
        "GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-4711\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("x-request-id: trace-4711"), "{answer}");
    terminate(&child);
    exit_within(&mut child, std::time::Duration::from_secs(10));

    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "Portico is listening"));
    let of_request: Vec<_> = lines
        .iter()
        .filter(|l| l["span"]["id"] == "trace-4711")
        .collect();
    assert!(of_request.len() >= 2, "{log}");
    assert!(of_request
        .iter()
        .any(|l| l["status"] == 401 && l["span"]["path"] == "/v1/customers"));
}

#[test]
fn webhook_endpoints_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("hooks.db").display());
    let created = portico(&db, &["org", "create", "--name", "Hooks Ltd"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let org: serde_json::Value = serde_json::from_str(&stdout(&created)).unwrap();
    let org = org["organisation"].as_str().unwrap();

    // Refused as the API refuses, naming the option.
    let refused = portico(
        &db,
        &[
            "webhook",
            "create",
            "--organisation",
            org,
            "--url",
            "http://hooks.vendor.example/x",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--url: must use https"),
        "{}",
        stderr(&refused)
    );
    let refused = portico(
        &db,
        &[
            "webhook",
            "create",
            "--organisation",
            org,
            "--url",
            "https://hooks.vendor.example/x",
            "--event",
            "invoice.paid",
        ],
    );
    assert!(
        stderr(&refused).contains("--event: is not an event type"),
        "{}",
        stderr(&refused)
    );

    let made = portico(
        &db,
        &[
            "webhook",
            "create",
            "--organisation",
            org,
            "--url",
            "https://hooks.vendor.example/portico",
            "--event",
            "customer.updated",
            "--description",
            "Billing sync",
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let made: serde_json::Value = serde_json::from_str(&stdout(&made)).unwrap();
    let id = made["id"].as_str().unwrap();
    let secret = made["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(made["events"], serde_json::json!(["customer.updated"]));

    let listed = portico(&db, &["webhook", "list", "--organisation", org]);
    let text = stdout(&listed);
    assert!(text.contains(id) && !text.contains(secret), "{text}");

    let rotated = portico(&db, &["webhook", "rotate", "--organisation", org, id]);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let rotated: serde_json::Value = serde_json::from_str(&stdout(&rotated)).unwrap();
    assert_ne!(rotated["secret"], secret);
    assert!(rotated["previous_secret_expires_at"].is_string());

    let deleted = portico(&db, &["webhook", "delete", "--organisation", org, id]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let again = portico(&db, &["webhook", "delete", "--organisation", org, id]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("no webhook endpoint"));
    let stranger = portico(&db, &["webhook", "list", "--organisation", "nope"]);
    assert!(stderr(&stranger).contains("--organisation"));
}

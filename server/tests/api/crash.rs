//! Crash safety: `portico serve` killed with SIGKILL at random moments while a streaming
//! NDJSON import, single PUTs, profile saves and cancellations are under way. After each
//! restart every write the server acknowledged is there, no invoice lacks its lines, each
//! cancellation has its event, and the server started cleanly.
//!
//! `make test` kills each backend's server 3 times; `make crash` 20 times
//! (`PORTICO_CRASH_KILLS`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::serve;
use crate::helpers::TestStore;
use crate::running::Target;

crate::on_both_backends!(every_acknowledged_write_survives_sigkill);

/// Lines on every invoice written here: an invoice found with fewer was half-written.
const LINES_PER_INVOICE: usize = 3;
/// Subscriptions the customer can ask to cancel, one per acknowledged cancellation.
const SUBSCRIPTIONS: usize = 400;

fn invoice(n: &str) -> Value {
    let lines: Vec<Value> = (0..LINES_PER_INVOICE)
        .map(|i| json!({"description": format!("line {i}"), "quantity": 1, "unit_amount": 100, "amount": 100}))
        .collect();
    json!({
        "customer_id": "cus_1", "number": format!("INV-{n}"), "status": "open", "currency": "EUR",
        "total": 300, "amount_due": 300, "due_date": "2026-07-01",
        "issued_at": "2026-06-01T09:00:00Z", "lines": lines
    })
}

/// What the server acknowledged (answered with success) before it was killed.
#[derive(Clone, Default)]
struct Ledger {
    imported: Vec<String>,
    put: Vec<String>,
    /// The last profile name acknowledged, and the one sent after it (maybe written).
    profile_acked: Option<u64>,
    profile_sent: Option<u64>,
    cancelled: Vec<String>,
}

/// Streams imports of new invoices, a few hundred lines each, until the server dies; an
/// import's invoices count as acknowledged once its answer says they were accepted.
async fn import_until_killed(target: Arc<Target>, ledger: Arc<Mutex<Ledger>>, round: usize) {
    for batch in 0.. {
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", target.port)).await
        else {
            return;
        };
        let head = format!(
            "POST /v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\norganisation: {}\r\nX-API-KEY: {}\r\n\
             Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            target.organisation, target.key
        );
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let count = rand::rng().random_range(50..400);
        let mut ids = Vec::with_capacity(count);
        for n in 0..count {
            let id = format!("imp_{round}_{batch}_{n}");
            let line = json!({"type": "invoice", "id": id, "data": invoice(&id)}).to_string();
            let chunk = format!("{:x}\r\n{line}\n\r\n", line.len() + 1);
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
            ids.push(id);
            if n % 50 == 49 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        if stream.write_all(b"0\r\n\r\n").await.is_err() {
            return;
        }
        let mut answer = String::new();
        if stream.read_to_string(&mut answer).await.is_err() {
            return;
        }
        if answer.is_empty() {
            // Killed before answering: nothing was acknowledged.
            return;
        }
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "an import was refused: {answer}"
        );
        if !answer.contains("\"rejected\":") {
            // Killed between the answer's head and its report: the client cannot tell
            // what was written, so it counts nothing as acknowledged.
            return;
        }
        assert!(
            answer.contains(&format!("\"accepted\":{count}")),
            "{answer}"
        );
        ledger.lock().unwrap().imported.extend(ids);
    }
}

async fn put_until_killed(target: Arc<Target>, ledger: Arc<Mutex<Ledger>>, round: usize) {
    for n in 0.. {
        let id = format!("put_{round}_{n}");
        let sent = target
            .vendor(reqwest::Method::PUT, &format!("/v1/invoices/{id}"))
            .json(&invoice(&id))
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                // The answer's head came; its body may not, if the kill falls between.
                ledger.lock().unwrap().put.push(id);
            }
            Ok(response) => panic!("a PUT was refused: {}", response.status()),
            Err(_) => return,
        }
    }
}

async fn save_profile_until_killed(target: Arc<Target>, ledger: Arc<Mutex<Ledger>>) {
    let start = ledger.lock().unwrap().profile_sent.map_or(0, |n| n + 1);
    for n in start.. {
        ledger.lock().unwrap().profile_sent = Some(n);
        let sent = target
            .portal(reqwest::Method::PATCH, "/api/v1/portal/profile")
            .json(&json!({"name": format!("Crash customer {n}")}))
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                ledger.lock().unwrap().profile_acked = Some(n);
            }
            Ok(response) => panic!("a profile save was refused: {}", response.status()),
            Err(_) => return,
        }
    }
}

async fn cancel_until_killed(
    target: Arc<Target>,
    ledger: Arc<Mutex<Ledger>>,
    ids: Arc<Vec<(String, String)>>,
) {
    loop {
        let next = {
            let ledger = ledger.lock().unwrap().clone();
            ids.get(ledger.cancelled.len()).cloned()
        };
        let Some((external, id)) = next else { return };
        let sent = target
            .portal(
                reqwest::Method::POST,
                &format!("/api/v1/portal/subscriptions/{id}/cancel"),
            )
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                ledger.lock().unwrap().cancelled.push(external);
            }
            Ok(response) => panic!("a cancellation was refused: {}", response.status()),
            Err(_) => return,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Every invoice the organisation has, by its vendor id, with its number of lines.
async fn all_invoices(target: &Target) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/invoices?limit=100".to_owned();
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = target
            .json(target.vendor(reqwest::Method::GET, &path))
            .await;
        for invoice in page["data"].as_array().unwrap() {
            let lines = invoice["lines"]
                .as_array()
                .expect("invoices list their lines");
            found.push((
                invoice["external_id"].as_str().unwrap().to_owned(),
                lines.len(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
}

async fn events_of_kind(target: &Target, kind: &str) -> usize {
    let mut count = 0;
    let mut after: Option<String> = None;
    loop {
        let mut path = "/v1/events?limit=500".to_owned();
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let page = target
            .json(target.vendor(reqwest::Method::GET, &path))
            .await;
        let events = page["data"].as_array().unwrap();
        if events.is_empty() {
            return count;
        }
        count += events.iter().filter(|e| e["kind"] == kind).count();
        after = page["next_after"].as_str().map(str::to_owned);
    }
}

async fn every_acknowledged_write_survives_sigkill(db: TestStore) {
    let (organisation, key) = Target::new_organisation(&db.url, "Crash Ltd");
    let (mut child, port) = serve(&db.url, "5");
    let mut target = Target::at(port, &organisation, &key);
    target.open_portal().await;
    // Subscriptions to cancel, one per acknowledged cancellation.
    target
        .import((0..SUBSCRIPTIONS).map(|n| {
            json!({"type": "subscription", "id": format!("sub_{n}"), "data": {
                "customer_id": "cus_1", "plan": "Pro", "status": "active", "currency": "EUR",
                "amount": 4900, "interval": "month", "current_period_start": "2026-06-01",
                "current_period_end": "2099-06-30", "renews_at": "2099-07-01"}})
        }))
        .await;
    let listed = target
        .json(target.portal(reqwest::Method::GET, "/api/v1/portal/subscriptions"))
        .await;
    let ids: Arc<Vec<(String, String)>> = Arc::new(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["external_id"].as_str().unwrap().to_owned(),
                    s["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
    );
    assert_eq!(ids.len(), SUBSCRIPTIONS);

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let kills: usize = crate::running::setting("PORTICO_CRASH_KILLS", 3);
    for round in 0..kills {
        let target_now = Arc::new(target.moved_to(target.port));
        let workers = vec![
            tokio::spawn(import_until_killed(
                target_now.clone(),
                ledger.clone(),
                round,
            )),
            tokio::spawn(put_until_killed(target_now.clone(), ledger.clone(), round)),
            tokio::spawn(save_profile_until_killed(
                target_now.clone(),
                ledger.clone(),
            )),
            tokio::spawn(cancel_until_killed(
                target_now.clone(),
                ledger.clone(),
                ids.clone(),
            )),
        ];
        let after = Duration::from_millis(rand::rng().random_range(300..1_500));
        tokio::time::sleep(after).await;
        child.kill().expect("SIGKILL the server");
        let killed = child.wait().unwrap();
        assert!(!killed.success(), "the server was killed, not stopped");
        for worker in workers {
            worker.await.expect("a writer failed");
        }

        let restarting = Instant::now();
        let (restarted, new_port) = serve(&db.url, "5");
        child = restarted;
        target = target.moved_to(new_port);
        let health = target
            .json(target.client.get(format!("{}/api/v1/health", target.base)))
            .await;
        assert_eq!(health["status"], "ok", "{health}");
        let started_in = restarting.elapsed();

        let ledger = ledger.lock().unwrap().clone();
        let invoices = all_invoices(&target).await;
        let half_written: Vec<_> = invoices
            .iter()
            .filter(|(_, lines)| *lines != LINES_PER_INVOICE)
            .collect();
        assert!(
            half_written.is_empty(),
            "invoices without all their lines: {half_written:?}"
        );
        let present: std::collections::HashSet<&str> =
            invoices.iter().map(|(id, _)| id.as_str()).collect();
        let lost: Vec<_> = ledger
            .imported
            .iter()
            .chain(&ledger.put)
            .filter(|id| !present.contains(id.as_str()))
            .collect();
        assert!(lost.is_empty(), "acknowledged invoices lost: {lost:?}");

        let profile = target
            .json(target.portal(reqwest::Method::GET, "/api/v1/portal/profile"))
            .await;
        let name = profile["name"].as_str().unwrap();
        let saved: Option<u64> = name
            .strip_prefix("Crash customer ")
            .and_then(|n| n.parse().ok());
        // The last acknowledged name, or the one in flight at the kill.
        assert!(
            saved >= ledger.profile_acked && saved <= ledger.profile_sent,
            "profile {name:?}: acknowledged {:?}, sent {:?}",
            ledger.profile_acked,
            ledger.profile_sent
        );

        let listed = target
            .json(target.portal(reqwest::Method::GET, "/api/v1/portal/subscriptions"))
            .await;
        let pending: std::collections::HashSet<&str> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["cancel_at_period_end"] == true)
            .map(|s| s["external_id"].as_str().unwrap())
            .collect();
        let forgotten: Vec<_> = ledger
            .cancelled
            .iter()
            .filter(|id| !pending.contains(id.as_str()))
            .collect();
        assert!(
            forgotten.is_empty(),
            "acknowledged cancellations lost: {forgotten:?}"
        );
        let events = events_of_kind(&target, "subscription.cancellation_requested").await;
        assert_eq!(
            events,
            pending.len(),
            "each cancellation and its event are written together"
        );

        eprintln!(
            "{} kill {}/{kills} after {after:?}: acknowledged so far {} imported and {} PUT invoices, \
             profile save {:?}, {} cancellations; after restart (healthy in {started_in:?}): \
             {} invoices, all with their {LINES_PER_INVOICE} lines, none lost; profile {name:?}; \
             {} cancellations pending with {events} events",
            db.url.split(':').next().unwrap(),
            round + 1,
            ledger.imported.len(),
            ledger.put.len(),
            ledger.profile_acked,
            ledger.cancelled.len(),
            invoices.len(),
            pending.len(),
        );
        if ledger.cancelled.len() == SUBSCRIPTIONS {
            eprintln!("every subscription is cancelled; later rounds write invoices and profiles");
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
}

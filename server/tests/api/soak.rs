//! Soak: mixed portal and vendor traffic at half the peak this client reaches, for a
//! while, against one `portico serve` process. No request may fail, and the server's
//! memory, open files and database connections must not grow.
//!
//! `make test` soaks each backend for 15 s with the debug server; `make soak` for 10
//! minutes each with the release build (`PORTICO_SOAK_SECS`, `PORTICO_SOAK_BINARY`),
//! where memory growth above 10 % also fails.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::cli::serve_with;
use crate::helpers::TestStore;
use crate::running::Target;

crate::on_both_backends!(mixed_traffic_at_half_the_peak_leaks_nothing);

const METRICS_TOKEN: &str = "soak-metrics-token-0123456789";
const INVOICES: usize = 100;
/// Requests in flight at once while the peak is measured.
const PEAK_CONCURRENCY: usize = 32;
/// The soak long enough to judge memory growth.
const LONG_SOAK_SECS: u64 = 300;

fn invoice(n: usize, total: u64) -> Value {
    json!({
        "customer_id": "cus_1", "number": format!("INV-{n:04}"), "status": "paid", "currency": "EUR",
        "total": total, "amount_due": 0, "due_date": "2026-07-01",
        "issued_at": format!("2026-{:02}-01T09:00:00Z", 1 + n % 12),
        "lines": [
            {"description": "Pro plan", "quantity": 1, "unit_amount": total - 19, "amount": total - 19},
            {"description": "VAT", "quantity": 1, "unit_amount": 19, "amount": 19}
        ]
    })
}

/// The `n`th request of the mix: seven in ten are portal reads (mostly the invoice
/// list), two vendor writes and reads, one a profile save.
async fn one_request(target: &Target, invoice_ids: &[String], n: u64) -> Result<(), String> {
    use reqwest::Method;
    let pick = (n as usize).wrapping_mul(7919) % INVOICES;
    let request = match n % 10 {
        0..=3 => target.portal(Method::GET, "/api/v1/portal/invoices"),
        4 => target.portal(
            Method::GET,
            &format!("/api/v1/portal/invoices/{}", invoice_ids[pick]),
        ),
        5 => target.portal(Method::GET, "/api/v1/portal/overview"),
        6 => target.portal(Method::GET, "/api/v1/portal/session"),
        7 => target
            .vendor(Method::PUT, &format!("/v1/invoices/inv_{pick}"))
            .json(&invoice(pick, 1_000 + n % 500)),
        8 => target.vendor(Method::GET, "/v1/customers/cus_1"),
        _ => target
            .portal(Method::PATCH, "/api/v1/portal/profile")
            .json(&json!({"name": format!("Soak customer {}", n % 7)})),
    };
    match request.send().await {
        Ok(response) if response.status().is_success() => {
            response.bytes().await.map_err(|e| e.to_string())?;
            Ok(())
        }
        Ok(response) => Err(format!("request {n}: {}", response.status())),
        Err(e) => Err(format!("request {n}: {e}")),
    }
}

/// The server process's resident memory in KiB and open file descriptors, and the
/// database connections its pool holds (from `/metrics`).
#[derive(Clone, Copy, Debug)]
struct Sample {
    rss_kib: u64,
    fds: usize,
    db_connections: u64,
}

async fn sample(target: &Target, pid: u32) -> Sample {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let metrics = target
        .client
        .get(format!("{}/metrics", target.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let db_connections = metrics
        .lines()
        .filter(|l| l.starts_with("portico_db_connections{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    Sample {
        rss_kib,
        fds,
        db_connections,
    }
}

async fn mixed_traffic_at_half_the_peak_leaks_nothing(db: TestStore) {
    let backend = db.store.backend().as_str();
    let binary = std::env::var("PORTICO_SOAK_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_portico").to_owned());
    let secs: u64 = crate::running::setting("PORTICO_SOAK_SECS", 15);
    let (organisation, key) = Target::new_organisation(&db.url, "Soak Ltd");
    let (mut child, port) = serve_with(
        &binary,
        &db.url,
        "5",
        &[("PORTICO_METRICS_TOKEN", METRICS_TOKEN)],
    );
    let mut target = Target::at(port, &organisation, &key);
    target.open_portal().await;
    target
        .import((0..INVOICES).map(
            |n| json!({"type": "invoice", "id": format!("inv_{n}"), "data": invoice(n, 11_900)}),
        ))
        .await;
    let mut invoice_ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = target
            .json(target.portal(
                reqwest::Method::GET,
                &format!("/api/v1/portal/invoices?limit=100{cursor}"),
            ))
            .await;
        for invoice in page["data"].as_array().unwrap() {
            invoice_ids.push(invoice["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(invoice_ids.len(), INVOICES);
    let target = Arc::new(target);
    let invoice_ids = Arc::new(invoice_ids);

    // The peak: as many requests as this client gets answered with 32 in flight.
    let peak_secs = (secs / 10).clamp(3, 20);
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(peak_secs);
    let workers: Vec<_> = (0..PEAK_CONCURRENCY)
        .map(|w| {
            let (target, ids, done) = (target.clone(), invoice_ids.clone(), done.clone());
            tokio::spawn(async move {
                let mut n = w as u64;
                while Instant::now() < until {
                    one_request(&target, &ids, n).await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                    n += PEAK_CONCURRENCY as u64;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let peak = done.load(Ordering::Relaxed) as f64 / peak_secs as f64;
    let rate = peak / 2.0;
    // The pool and the open files as the peak left them: the most the soak may reach.
    let pid = child.id();
    let after_peak = sample(&target, pid).await;

    // Half the peak, as an open loop: request n is due at n / rate seconds, whatever the
    // answers before it took.
    let started = Instant::now();
    let end = started + Duration::from_secs(secs);
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..PEAK_CONCURRENCY)
        .map(|_| {
            let (target, ids, issued, errors) = (
                target.clone(),
                invoice_ids.clone(),
                issued.clone(),
                errors.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    let due = started + Duration::from_secs_f64(n as f64 / rate);
                    if due >= end {
                        return;
                    }
                    tokio::time::sleep_until(due.into()).await;
                    if let Err(e) = one_request(&target, &ids, n).await {
                        errors.lock().unwrap().push(e);
                    }
                }
            })
        })
        .collect();

    // Samples through the run; the first comes after a tenth of it, once caches and the
    // allocator have settled.
    let every = Duration::from_secs((secs / 20).max(1));
    let mut samples: Vec<(Duration, Sample)> = Vec::new();
    tokio::time::sleep(Duration::from_secs(secs / 10)).await;
    while Instant::now() + every < end {
        samples.push((started.elapsed(), sample(&target, pid).await));
        tokio::time::sleep(every).await;
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    samples.push((elapsed, sample(&target, pid).await));
    let requests = issued
        .load(Ordering::Relaxed)
        .saturating_sub(PEAK_CONCURRENCY as u64);
    let errors = errors.lock().unwrap().clone();

    let (first, last) = (samples[0].1, samples[samples.len() - 1].1);
    let quarter = (samples.len() / 4).max(1);
    let max_of = |part: &[(Duration, Sample)], f: fn(&Sample) -> u64| {
        part.iter().map(|(_, s)| f(s)).max().unwrap()
    };
    let early = &samples[..quarter];
    let late = &samples[samples.len() - quarter..];
    let rss_growth = last.rss_kib as f64 / first.rss_kib as f64 - 1.0;
    eprintln!(
        "soak {backend}: after the peak RSS {} KiB, {} open files, {} database connections",
        after_peak.rss_kib, after_peak.fds, after_peak.db_connections
    );
    eprintln!(
        "soak {backend}: peak {peak:.0} requests/s ({PEAK_CONCURRENCY} in flight), then {requests} requests \
         at {rate:.0}/s for {elapsed:.1?} ({:.0}/s achieved): {} errors; RSS {} -> {} KiB ({:+.1} %), \
         open files {} -> {} (most early {}, late {}), database connections {} -> {} (most early {}, late {})",
        requests as f64 / elapsed.as_secs_f64(),
        errors.len(),
        first.rss_kib,
        last.rss_kib,
        rss_growth * 100.0,
        first.fds,
        last.fds,
        max_of(early, |s| s.fds as u64),
        max_of(late, |s| s.fds as u64),
        first.db_connections,
        last.db_connections,
        max_of(early, |s| s.db_connections),
        max_of(late, |s| s.db_connections),
    );
    for (at, s) in &samples {
        eprintln!(
            "  {at:>8.1?}  RSS {:>7} KiB  fds {:>4}  db {:>3}",
            s.rss_kib, s.fds, s.db_connections
        );
    }
    child.kill().unwrap();
    let _ = child.wait();

    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    // The client keeps its connections, so the server's open files hold steady; the
    // pool never needs more than the peak made it open.
    let most_fds = max_of(early, |s| s.fds as u64).max(after_peak.fds as u64);
    assert!(
        max_of(late, |s| s.fds as u64) <= most_fds + 2,
        "open files grew"
    );
    let most_connections = max_of(early, |s| s.db_connections).max(after_peak.db_connections);
    assert!(
        max_of(late, |s| s.db_connections) <= most_connections,
        "database connections grew"
    );
    if secs >= LONG_SOAK_SECS {
        assert!(rss_growth <= 0.10, "RSS grew {:.1} %", rss_growth * 100.0);
    }
}

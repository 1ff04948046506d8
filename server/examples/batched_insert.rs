//! The baseline of `make bench`'s import figure: the customers, invoices and invoice lines
//! of an import file written with plain multi-row INSERTs through sqlx, 500 records per
//! transaction, with ids made as the store makes them, and no validation, no reference
//! lookups and no upserts. What the import achieves is reported against this.
//! `batched_insert <database-url> <organisation> <file>`; it prints the lines written per
//! second.

use std::collections::HashMap;
use std::io::BufRead;
use std::time::Instant;

use serde_json::Value;
use sqlx::QueryBuilder;

const BATCH: usize = 500;

/// One record of the file, as the rows it becomes.
enum Row {
    Customer {
        id: String,
        external_id: String,
        name: String,
        email: Option<String>,
    },
    Invoice {
        id: String,
        external_id: String,
        customer_id: String,
        data: Value,
    },
}

fn rows(path: &str) -> Vec<Row> {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("the import file"));
    let mut customers = HashMap::new();
    let mut rows = Vec::new();
    for line in file.lines() {
        let line: Value = serde_json::from_str(&line.expect("a line")).expect("JSON");
        let id = uuid::Uuid::now_v7().to_string();
        let external_id = line["id"].as_str().expect("id").to_owned();
        let data = &line["data"];
        match line["type"].as_str() {
            Some("customer") => {
                customers.insert(external_id.clone(), id.clone());
                rows.push(Row::Customer {
                    id,
                    external_id,
                    name: data["name"].as_str().unwrap_or_default().to_owned(),
                    email: data["email"].as_str().map(str::to_owned),
                });
            }
            Some("invoice") => rows.push(Row::Invoice {
                id,
                external_id,
                customer_id: customers[data["customer_id"].as_str().expect("customer_id")].clone(),
                data: data.clone(),
            }),
            other => panic!("the baseline writes customers and invoices, not {other:?}"),
        }
    }
    rows
}

macro_rules! write_all {
    ($pool:expr, $db:ty, $org:expr, $rows:expr) => {{
        let now = 1_700_000_000_000_i64;
        for batch in $rows.chunks(BATCH) {
            let mut tx = $pool.begin().await.expect("begin");
            let customers: Vec<_> = batch
                .iter()
                .filter_map(|r| match r {
                    Row::Customer { id, external_id, name, email } => Some((id, external_id, name, email)),
                    _ => None,
                })
                .collect();
            if !customers.is_empty() {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO customers (id, organisation_id, external_id, name, email, created_at, updated_at) ",
                );
                q.push_values(&customers, |mut b, (id, external_id, name, email)| {
                    b.push_bind(id.as_str()).push_bind($org).push_bind(external_id.as_str())
                        .push_bind(name.as_str()).push_bind(email.as_deref()).push_bind(now).push_bind(now);
                });
                q.build().execute(&mut *tx).await.expect("customers");
            }
            let invoices: Vec<_> = batch
                .iter()
                .filter_map(|r| match r {
                    Row::Invoice { id, external_id, customer_id, data } => Some((id, external_id, customer_id, data)),
                    _ => None,
                })
                .collect();
            if !invoices.is_empty() {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO invoices (id, organisation_id, customer_id, external_id, number, status, \
                     currency, total, amount_due, issued_at, created_at, updated_at) ",
                );
                q.push_values(&invoices, |mut b, (id, external_id, customer_id, data)| {
                    b.push_bind(id.as_str()).push_bind($org).push_bind(customer_id.as_str())
                        .push_bind(external_id.as_str())
                        .push_bind(data["number"].as_str().unwrap_or_default().to_owned())
                        .push_bind(data["status"].as_str().unwrap_or_default().to_owned())
                        .push_bind(data["currency"].as_str().unwrap_or_default().to_owned())
                        .push_bind(data["total"].as_i64().unwrap_or_default())
                        .push_bind(data["amount_due"].as_i64().unwrap_or_default())
                        .push_bind(now).push_bind(now).push_bind(now);
                });
                q.build().execute(&mut *tx).await.expect("invoices");
                let lines: Vec<_> = invoices
                    .iter()
                    .flat_map(|(id, _, _, data)| {
                        data["lines"].as_array().into_iter().flatten().enumerate().map(move |(n, l)| (id, n, l))
                    })
                    .collect();
                if !lines.is_empty() {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_amount, amount) ",
                    );
                    q.push_values(&lines, |mut b, (id, n, l)| {
                        b.push_bind(id.as_str()).push_bind(*n as i32)
                            .push_bind(l["description"].as_str().unwrap_or_default().to_owned())
                            .push_bind(l["quantity"].as_i64().unwrap_or_default())
                            .push_bind(l["unit_amount"].as_i64().unwrap_or_default())
                            .push_bind(l["amount"].as_i64().unwrap_or_default());
                    });
                    q.build().execute(&mut *tx).await.expect("lines");
                }
            }
            tx.commit().await.expect("commit");
        }
    }};
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(org), Some(path)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: batched_insert <database-url> <organisation> <file>");
        std::process::exit(2);
    };
    let started = Instant::now();
    let rows = rows(&path);
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&url).await.expect("connect");
        write_all!(pool, sqlx::Postgres, org.as_str(), rows);
    } else {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("a sqlite URL");
        let options = options
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options)
            .await
            .expect("connect");
        write_all!(pool, sqlx::Sqlite, org.as_str(), rows);
    }
    println!("{:.0}", rows.len() as f64 / started.elapsed().as_secs_f64());
}

//! [`RecordWriter`](crate::store::RecordWriter) in SQL: every vendor write, one record
//! or an import's batch, goes through [`write_batch`](RecordWriter::write_batch), which
//! writes each run of records of one kind with one multi-row statement.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::store::{
    refused, rows, BatchItem, BatchOutcome, BatchRecord, RecordKind, RecordWriter, StoreResult,
    Upserted,
};

use super::columns::{columns, push_values};
use super::{Db, SqlStore};
use crate::store::cache::Change;

type Conn = <Db as sqlx::Database>::Connection;

/// Records per multi-row statement at most, and invoice lines per statement: well within
/// both backends' limit on parameters (SQLite 32,766, PostgreSQL 65,535).
const MAX_ROWS: usize = 500;
const MAX_LINES: usize = 2000;

#[async_trait::async_trait]
impl RecordWriter for SqlStore {
    async fn write_batch(
        &self,
        organisation_id: &str,
        items: &[BatchItem],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<BatchOutcome>> {
        let mut outcomes = vec![BatchOutcome::default(); items.len()];
        if items.is_empty() {
            return Ok(outcomes);
        }
        let now = now.timestamp_millis();
        // Kinds are written in the order of their references (customers, invoices, then
        // what points at them), and each kind in line order, so that runs are long even
        // when the lines interleave kinds.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&n| items[n].record.kind() as u8);
        let mut created = HashMap::new();
        let mut touched = HashSet::new();
        let mut tx = self.write_tx().await?;
        let mut start = 0;
        while start < order.len() {
            let end = run_end(items, &order, start);
            let run = Run {
                organisation_id,
                items,
                order: &order[start..end],
                now,
            };
            run.write(&mut tx, &mut outcomes, &mut created, &mut touched)
                .await?;
            start = end;
        }
        let changes = if touched.contains(&None) {
            vec![Change::Organisation {
                id: organisation_id.to_owned(),
            }]
        } else {
            Change::customers(
                organisation_id,
                touched.iter().flatten().map(String::as_str),
            )
        };
        for change in &changes {
            Self::announce(&mut tx, change).await?;
        }
        tx.commit().await?;
        self.changed(&changes);
        Ok(outcomes)
    }

    async fn delete_record(
        &self,
        kind: RecordKind,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<bool> {
        // Whose record it was: their cached lists go with it.
        let owner = if kind == RecordKind::Customer {
            "id"
        } else {
            "customer_id"
        };
        let deleted = sqlx::query_scalar::<_, String>(&format!(
            "DELETE FROM {} WHERE organisation_id = $1 AND id = $2 RETURNING {owner}",
            kind.table()
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(customer) = deleted else {
            return Ok(false);
        };
        let change = if kind == RecordKind::Customer {
            Change::CustomerDeleted {
                organisation: organisation_id.to_owned(),
                customer,
            }
        } else {
            Change::customer(organisation_id, &customer)
        };
        self.announce_now(&change).await?;
        Ok(true)
    }

    async fn put_invoice_pdf(
        &self,
        invoice_id: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invoice_pdfs (invoice_id, content, uploaded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (invoice_id) DO UPDATE SET content = excluded.content, \
             uploaded_at = excluded.uploaded_at",
        )
        .bind(invoice_id)
        .bind(content)
        .bind(now.timestamp_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Where the run that starts at `order[start]` ends: records of one kind, no vendor id
/// twice (one statement may change a row only once), at most [`MAX_ROWS`]. A payment
/// method is a run of its own, because a default one changes the customer's others first.
fn run_end(items: &[BatchItem], order: &[usize], start: usize) -> usize {
    let kind = items[order[start]].record.kind();
    if kind == RecordKind::PaymentMethod {
        return start + 1;
    }
    let mut seen = HashSet::new();
    let mut end = start;
    while end < order.len()
        && end - start < MAX_ROWS
        && items[order[end]].record.kind() == kind
        && seen.insert(items[order[end]].external_id.as_str())
    {
        end += 1;
    }
    end
}

/// A record's resolved references: Portico's ids.
#[derive(Clone, Copy)]
pub(super) struct Refs<'q> {
    pub(super) customer_id: &'q str,
    pub(super) invoice_id: Option<&'q str>,
}

/// Records of one kind, written with one statement.
struct Run<'a> {
    organisation_id: &'a str,
    items: &'a [BatchItem],
    /// The run's items, as indexes into `items`.
    order: &'a [usize],
    now: i64,
}

impl Run<'_> {
    /// Resolves the run's references, notes those that do not resolve, and writes the
    /// records that are valid and fully resolved. `created` holds the records this batch
    /// made so far, with the index of the item that made each: a reference to one made by
    /// a later line does not resolve, as it would not if the lines were written one by one.
    async fn write(
        &self,
        tx: &mut Conn,
        outcomes: &mut [BatchOutcome],
        created: &mut HashMap<String, usize>,
        touched: &mut HashSet<Option<String>>,
    ) -> StoreResult<()> {
        let items = || self.order.iter().map(|&n| (n, &self.items[n]));
        let org = self.organisation_id;
        let customers = resolve(
            tx,
            org,
            "customers",
            "id",
            items().filter_map(|(_, i)| i.record.customer_ref()),
        )
        .await?;
        let invoices = resolve(
            tx,
            org,
            "invoices",
            "customer_id",
            items().filter_map(|(_, i)| i.record.invoice_ref()),
        )
        .await?;
        // Made by this line or an earlier one, or before the batch.
        let in_time = |n: usize, id: &str| created.get(id).is_none_or(|&at| at < n);
        let mut rows = Vec::with_capacity(self.order.len());
        for (n, item) in items() {
            let outcome = &mut outcomes[n];
            let mut resolved = true;
            let customer_id = match item.record.customer_ref() {
                None => None,
                Some(reference) => match customers.get(reference) {
                    Some((id, _)) if in_time(n, id) => Some(id.as_str()),
                    _ => {
                        // A blank reference has already failed the field rules.
                        if !reference.trim().is_empty() {
                            outcome.problems.push(("customer_id", refused::NO_CUSTOMER));
                        }
                        resolved = false;
                        None
                    }
                },
            };
            let invoice = item
                .record
                .invoice_ref()
                .map(|r| invoices.get(r).filter(|(id, _)| in_time(n, id)));
            let invoice_id = match (invoice, customer_id) {
                (None, _) => None,
                (Some(Some((id, owner))), Some(customer)) if owner == customer => Some(id.as_str()),
                (Some(Some(_)), Some(_)) => {
                    outcome
                        .problems
                        .push(("invoice_id", refused::OTHER_CUSTOMERS_INVOICE));
                    None
                }
                (Some(None), _) => {
                    outcome.problems.push(("invoice_id", refused::NO_INVOICE));
                    None
                }
                (Some(Some(_)), None) => None,
            };
            if item.valid && resolved && outcome.problems.is_empty() {
                let refs = Refs {
                    customer_id: customer_id.unwrap_or_default(),
                    invoice_id,
                };
                rows.push((n, item, refs));
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        let kind = rows[0].1.record.kind();
        if let BatchRecord::PaymentMethod(method) = &rows[0].1.record {
            if method.is_default {
                sqlx::query(
                    "UPDATE payment_methods SET is_default = $4, updated_at = $5 \
                     WHERE organisation_id = $1 AND customer_id = $2 \
                     AND external_id <> $3 AND is_default = $6",
                )
                .bind(org)
                .bind(rows[0].2.customer_id)
                .bind(&rows[0].1.external_id)
                .bind(false)
                .bind(self.now)
                .bind(true)
                .execute(&mut *tx)
                .await?;
            }
        }
        let written = upsert_rows(tx, org, kind, &rows, self.now).await?;
        if kind == RecordKind::Invoice {
            replace_lines(tx, &rows, &written).await?;
        }
        for (n, item, refs) in &rows {
            let done = written.get(item.external_id.as_str()).cloned();
            // Whose lists this write changes: the customer's own, or the one it belongs to.
            // A record changed in place may have moved from another customer, whose
            // lists are not known here: all of the organisation's lists go then.
            match (&done, kind) {
                (Some((id, _)), RecordKind::Customer) => touched.insert(Some(id.clone())),
                (Some((_, Upserted::Updated)), _) => touched.insert(None),
                (Some(_), _) => touched.insert(Some(refs.customer_id.to_owned())),
                (None, _) => false,
            };
            if let Some((id, Upserted::Created)) = &done {
                created.insert(id.clone(), *n);
            }
            outcomes[*n].written = done;
        }
        Ok(())
    }
}

/// Finds the records of `table` that references name, by Portico's id or, failing that,
/// the vendor's: reference → (id, the `owner` column).
async fn resolve<'r>(
    tx: &mut Conn,
    organisation_id: &str,
    table: &'static str,
    owner: &'static str,
    references: impl Iterator<Item = &'r str>,
) -> StoreResult<HashMap<&'r str, (String, String)>> {
    let references: Vec<&str> = references
        .collect::<HashSet<_>>()
        .into_iter()
        .filter(|r| !r.trim().is_empty())
        .collect();
    let mut found = HashMap::new();
    if references.is_empty() {
        return Ok(found);
    }
    // Two lookups, each by its own index (an OR of the two makes SQLite scan the table);
    // only a UUID can be one of Portico's ids.
    let ids: Vec<&str> = references
        .iter()
        .copied()
        .filter(|r| uuid::Uuid::try_parse(r).is_ok())
        .collect();
    let mut q = QueryBuilder::<Db>::new("");
    for (column, list) in [("external_id", &references), ("id", &ids)] {
        if list.is_empty() {
            continue;
        }
        if column == "id" {
            q.push(" UNION ALL ");
        }
        q.push(format!(
            "SELECT id, external_id, {owner} AS owner FROM {table} WHERE organisation_id = "
        ));
        q.push_bind(organisation_id)
            .push(format!(" AND {column} IN ("));
        let mut separated = q.separated(", ");
        for r in list.iter() {
            separated.push_bind(*r);
        }
        q.push(")");
    }
    let rows = q.build().fetch_all(&mut *tx).await?;
    let mut by_id = HashMap::new();
    let mut by_external = HashMap::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let external: String = row.try_get("external_id")?;
        let owner: String = row.try_get("owner")?;
        by_external.insert(external, (id.clone(), owner.clone()));
        by_id.insert(id, owner);
    }
    for r in references {
        // Portico's id wins over a vendor id that happens to spell it.
        if let Some(owner) = by_id.get(r) {
            found.insert(r, (r.to_owned(), owner.clone()));
        } else if let Some(hit) = by_external.get(r) {
            found.insert(r, hit.clone());
        }
    }
    Ok(found)
}

/// Inserts or updates one run of records of `kind` with one statement; answers, by vendor
/// id, Portico's id and whether the record is new.
async fn upsert_rows(
    tx: &mut Conn,
    organisation_id: &str,
    kind: RecordKind,
    rows: &[(usize, &BatchItem, Refs<'_>)],
    now: i64,
) -> StoreResult<HashMap<String, (String, Upserted)>> {
    let table = kind.table();
    // Each row is offered a fresh id; a row that comes back with it is new, one that comes
    // back with another was already there. That holds on both backends, even when another
    // transaction writes the same record at the same moment.
    let fresh: Vec<String> = rows.iter().map(|_| rows::new_id()).collect();
    let columns = columns(kind);
    let mut q = QueryBuilder::<Db>::new(format!(
        "INSERT INTO {table} (organisation_id, external_id, {}, updated_at, created_at, id) ",
        columns.join(", ")
    ));
    q.push_values(rows.iter().zip(&fresh), |mut row, ((_, item, refs), id)| {
        row.push_bind(organisation_id)
            .push_bind(item.external_id.as_str());
        push_values(&item.record, *refs, &mut row);
        row.push_bind(now).push_bind(now).push_bind(id.as_str());
    });
    q.push(" ON CONFLICT (organisation_id, external_id) DO UPDATE SET ");
    for column in columns {
        q.push(format!("{column} = excluded.{column}, "));
    }
    q.push("updated_at = excluded.updated_at RETURNING id, external_id");
    let fresh: HashSet<&str> = fresh.iter().map(String::as_str).collect();
    let mut written = HashMap::with_capacity(rows.len());
    for row in q.build().fetch_all(&mut *tx).await? {
        let id: String = row.try_get("id")?;
        let external: String = row.try_get("external_id")?;
        let outcome = if fresh.contains(id.as_str()) {
            Upserted::Created
        } else {
            Upserted::Updated
        };
        written.insert(external, (id, outcome));
    }
    Ok(written)
}

/// Replaces the lines of a run of invoices just written with their inputs' lines.
async fn replace_lines(
    tx: &mut Conn,
    rows: &[(usize, &BatchItem, Refs<'_>)],
    written: &HashMap<String, (String, Upserted)>,
) -> StoreResult<()> {
    let invoices: Vec<(&str, &app::api::records::InvoiceInput, Upserted)> = rows
        .iter()
        .filter_map(
            |(_, item, _)| match (&item.record, written.get(&item.external_id)) {
                (BatchRecord::Invoice(input), Some((id, outcome))) => {
                    Some((id.as_str(), input, *outcome))
                }
                _ => None,
            },
        )
        .collect();
    let changed: Vec<&str> = invoices
        .iter()
        .filter(|(_, _, outcome)| *outcome == Upserted::Updated)
        .map(|(id, _, _)| *id)
        .collect();
    if !changed.is_empty() {
        let mut q = QueryBuilder::<Db>::new("DELETE FROM invoice_lines WHERE invoice_id IN (");
        let mut list = q.separated(", ");
        for id in &changed {
            list.push_bind(*id);
        }
        q.push(")");
        q.build().execute(&mut *tx).await?;
    }
    let lines: Vec<_> = invoices
        .iter()
        .flat_map(|(id, input, _)| {
            input
                .lines
                .iter()
                .enumerate()
                .map(move |(position, line)| (*id, position, line))
        })
        .collect();
    for chunk in lines.chunks(MAX_LINES) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO invoice_lines (invoice_id, position, description, quantity, \
             unit_amount, amount, period_start, period_end) ",
        );
        q.push_values(chunk, |mut row, (id, position, line)| {
            row.push_bind(*id)
                .push_bind(i32::try_from(*position).unwrap_or(i32::MAX))
                .push_bind(&line.description)
                .push_bind(line.quantity)
                .push_bind(line.unit_amount)
                .push_bind(line.amount)
                .push_bind(line.period_start)
                .push_bind(line.period_end);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

//! `POST /v1/import`: NDJSON of mixed records, validated line by line while the body streams
//! in and written in batches of [`BATCH_LINES`] lines or [`BATCH_TIME`], whichever comes
//! first, each in one transaction, while the next batch is read; so an import of any
//! length needs memory for two batches, and keeps each write transaction short. The answer is sent only once the last batch is
//! committed: an accepted line is never lost.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::credits::write_credit_balance;
use super::plans::write_plan;
use super::records::{checked, each_kind, singular_names, verdict, Kind, KindVisitor};
use crate::auth::VendorKey;
use crate::error::ApiError;
use crate::extract::{media_type, parse_json};
use crate::state::AppState;
use crate::store::{refused, BatchItem, BatchOutcome, Store, StoreResult, Upserted};
use crate::validate::Check;
use app::api::plans::PlanInput;
use app::api::records::CreditBalanceInput;
use app::api::settings::OrganisationSettings;

/// The longest line accepted (an invoice with 1000 lines fits comfortably).
const MAX_LINE_BYTES: usize = 1024 * 1024;
/// How many rejected lines are described in the answer; the rest are only counted.
const MAX_REPORTED: usize = 1000;
/// A batch is written when it holds this many records…
const BATCH_LINES: usize = 500;
/// …or when its first record has waited this long, whichever comes first.
const BATCH_TIME: Duration = Duration::from_millis(50);

/// The longest an import rests between two batches while the portal is busy.
const MAX_REST: std::time::Duration = std::time::Duration::from_millis(100);

/// Lines read between two turns given to other tasks on the same worker thread.
const YIELD_EVERY_LINES: u64 = 32;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/import",
        // The body streams line by line, so the usual whole-body limit does not apply.
        post(import_records).layer(DefaultBodyLimit::disable()),
    )
}

/// One line: `{"type": "invoice", "id": "<vendor id>", "data": {…}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    data: Box<RawValue>,
}

/// A line that wrote nothing, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rejection {
    /// 1-based line number.
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The answer of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub accepted: u64,
    pub created: u64,
    pub updated: u64,
    pub rejected_count: u64,
    /// The first 1000 rejected lines.
    pub rejected: Vec<Rejection>,
}

impl ImportReport {
    fn reject(&mut self, line: u64, error: ApiError) {
        self.rejected_count += 1;
        if self.rejected.len() >= MAX_REPORTED {
            return;
        }
        match error {
            ApiError::Validation(fields) => {
                for f in fields {
                    if self.rejected.len() < MAX_REPORTED {
                        self.rejected.push(Rejection {
                            line,
                            field: f.field,
                            reason: f.message,
                        });
                    }
                }
            }
            other => self.rejected.push(Rejection {
                line,
                field: "line".into(),
                reason: match other {
                    ApiError::BadRequest(message) => message,
                    _ => "could not be written".into(),
                },
            }),
        }
    }
}

async fn import_records(
    State(state): State<AppState>,
    vendor: VendorKey,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    if !matches!(
        media_type(&headers).as_str(),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl"
    ) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut batch = Batch {
        store: state.store.clone(),
        org: vendor.organisation.id.clone(),
        settings: vendor.organisation.settings.clone(),
        state: &state,
        writing: None,
        items: Vec::with_capacity(BATCH_LINES),
        lines: Vec::with_capacity(BATCH_LINES),
        since: None,
        report: ImportReport::default(),
    };
    let mut stream = body.into_data_stream();
    let mut buffer: Vec<u8> = Vec::new();
    let mut number: u64 = 0;
    // Past the length limit, the rest of a line is skipped up to its newline.
    let mut skipping = false;
    // An import has a size and a time limit, so that one caller cannot hold a connection
    // and a database writer forever; what was written before the stop stays written.
    let deadline =
        tokio::time::Instant::now() + std::time::Duration::from_secs(state.config.import_max_secs);
    let mut received: u64 = 0;

    loop {
        // A batch that has waited long enough is written even while the body stalls.
        let due = batch.since.map(|since| since + BATCH_TIME);
        let next =
            tokio::time::timeout_at(due.unwrap_or(deadline).min(deadline), stream.next()).await;
        let Ok(next) = next else {
            if Instant::now() < deadline {
                batch.flush().await?;
                continue;
            }
            batch.finish().await?;
            return Err(stopped(
                StatusCode::REQUEST_TIMEOUT,
                "import_timeout",
                format!(
                    "The import took longer than {} seconds",
                    state.config.import_max_secs
                ),
                number,
                &batch.report,
            ));
        };
        let Some(chunk) = next else { break };
        let chunk =
            chunk.map_err(|_| ApiError::BadRequest("The body could not be read.".into()))?;
        // Lines wholly within the size limit are still written; the rest is refused.
        let allowed = state.config.import_max_bytes.saturating_sub(received);
        received += chunk.len() as u64;
        let over = received > state.config.import_max_bytes;
        let chunk = if over {
            chunk.slice(..allowed as usize)
        } else {
            chunk
        };
        let mut rest: &[u8] = &chunk;
        while let Some(newline) = rest.iter().position(|b| *b == b'\n') {
            if !skipping {
                buffer.extend_from_slice(&rest[..newline]);
            }
            number += 1;
            if skipping || buffer.len() > MAX_LINE_BYTES {
                batch.refuse(number, too_long()).await?;
            } else {
                batch.line(&buffer, number).await?;
            }
            buffer.clear();
            skipping = false;
            rest = &rest[newline + 1..];
            // A chunk can hold hundreds of lines: portal reads waiting on this worker
            // thread get their turn every few dozen, not after the whole chunk.
            if number.is_multiple_of(YIELD_EVERY_LINES) {
                tokio::task::yield_now().await;
            }
        }
        if over {
            batch.finish().await?;
            return Err(stopped(
                StatusCode::PAYLOAD_TOO_LARGE,
                "import_too_large",
                format!(
                    "The import is larger than {} bytes",
                    state.config.import_max_bytes
                ),
                number,
                &batch.report,
            ));
        }
        if !skipping {
            buffer.extend_from_slice(rest);
            if buffer.len() > MAX_LINE_BYTES {
                buffer.clear();
                skipping = true;
            }
        }
    }
    if skipping || !buffer.is_empty() {
        number += 1;
        if skipping {
            batch.refuse(number, too_long()).await?;
        } else {
            batch.line(&buffer, number).await?;
        }
    }
    batch.finish().await?;
    Ok(Json(batch.report))
}

/// An import stopped at a limit: says which lines were processed, so the vendor knows
/// where to resume.
fn stopped(
    status: StatusCode,
    code: &'static str,
    why: String,
    processed: u64,
    report: &ImportReport,
) -> ApiError {
    ApiError::Stopped {
        status,
        code,
        message: format!(
            "{why}. Lines processed: {processed} ({} accepted, {} rejected); send the rest, \
             from line {}, in another import.",
            report.accepted,
            report.rejected_count,
            processed + 1
        ),
    }
}

fn too_long() -> ApiError {
    ApiError::BadRequest(format!("The line is longer than {MAX_LINE_BYTES} bytes."))
}

/// A batch's write, in a task of its own.
type Write = JoinHandle<StoreResult<Vec<BatchOutcome>>>;

enum Line {
    Record(Check),
    Refused(ApiError),
}

/// The lines read but not yet written, and the report so far.
struct Batch<'a> {
    store: Arc<dyn Store>,
    org: String,
    /// The organisation's settings, for the rules that depend on them.
    settings: OrganisationSettings,
    state: &'a AppState,
    /// The batch being written while the next one is read: its lines, and the write.
    writing: Option<(Vec<(u64, Line)>, Write)>,
    items: Vec<BatchItem>,
    /// Every line read since the last write, in order, with its number: a record (the
    /// next of `items`) with its field check, or a line refused as it was read.
    lines: Vec<(u64, Line)>,
    /// When the first item of the batch arrived.
    since: Option<Instant>,
    report: ImportReport,
}

impl Batch<'_> {
    /// Reads one line into the batch, and writes the batch once it is full. Rejections go
    /// in the report; only a failing database stops the import (with the batches before
    /// it written).
    async fn line(&mut self, bytes: &[u8], number: u64) -> Result<(), ApiError> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim(),
            Err(_) => {
                let error = ApiError::BadRequest("The line is not UTF-8.".into());
                return self.refuse(number, error).await;
            }
        };
        if text.is_empty() {
            // Blank lines (a trailing newline, separators) are not records.
            return Ok(());
        }
        let line = match parse_json::<ImportLine>(text.as_bytes()) {
            Ok(line) => line,
            Err(error) => return self.refuse(number, error).await,
        };
        if [PLAN, CREDIT_BALANCE].contains(&line.kind.as_str()) {
            return self.write_alone(number, &line).await;
        }
        let parsed = parse(&line, &self.settings).unwrap_or_else(|| {
            let mut types = singular_names();
            types.extend([PLAN, CREDIT_BALANCE]);
            Err(ApiError::field(
                "type",
                format!("must be one of {}", types.join(", ")),
            ))
        });
        match parsed {
            Ok((item, check)) => {
                self.items.push(item);
                self.push(number, Line::Record(check)).await
            }
            Err(error) => self.refuse(number, error).await,
        }
    }

    /// Writes a line that is not a customer's record (a plan, a customer's credit) on its
    /// own, through the same checks as its `PUT`, once every line before it is committed:
    /// so a credit line may name a customer of an earlier line, and lines stay in order.
    async fn write_alone(&mut self, number: u64, line: &ImportLine) -> Result<(), ApiError> {
        self.finish().await?;
        let (store, org, now) = (
            self.store.as_ref(),
            self.org.as_str(),
            self.state.clock.now(),
        );
        let data = line.data.get().as_bytes();
        let written = if line.kind == PLAN {
            match parse_json::<PlanInput>(data) {
                Ok(input) => write_plan(store, org, &line.id, &input, now)
                    .await
                    .map(|(_, created)| created),
                Err(error) => Err(error),
            }
        } else {
            match parse_json::<CreditBalanceInput>(data) {
                Ok(input) => write_credit_line(store, org, &line.id, input, now).await,
                Err(error) => Err(error),
            }
        };
        match written {
            Ok(created) => {
                self.report.accepted += 1;
                if created {
                    self.report.created += 1;
                } else {
                    self.report.updated += 1;
                }
            }
            Err(ApiError::Internal(error)) => return Err(ApiError::Internal(error)),
            Err(error) => self.report.reject(number, under_data(error)),
        }
        Ok(())
    }

    /// Notes a line refused as it was read; it is reported in its place among the others.
    async fn refuse(&mut self, number: u64, error: ApiError) -> Result<(), ApiError> {
        self.push(number, Line::Refused(error)).await
    }

    async fn push(&mut self, number: u64, line: Line) -> Result<(), ApiError> {
        self.lines.push((number, line));
        let since = *self.since.get_or_insert_with(Instant::now);
        if self.lines.len() >= BATCH_LINES || since.elapsed() >= BATCH_TIME {
            self.flush().await?;
        }
        Ok(())
    }

    /// Hands the batch to be written, in one transaction, while the next one is read;
    /// first waits for the batch before it, so that batches commit in order and a line may
    /// name a record of an earlier batch.
    async fn flush(&mut self) -> Result<(), ApiError> {
        self.since = None;
        self.settle().await?;
        if self.lines.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.items);
        let lines = std::mem::take(&mut self.lines);
        if items.is_empty() {
            // Only refused lines: nothing to write.
            return self.tally(lines, Vec::new());
        }
        let (store, org, now) = (self.store.clone(), self.org.clone(), self.state.clock.now());
        let write = tokio::spawn(async move {
            let started = Instant::now();
            let written = store.write_batch(&org, &items, now).await;
            // While customers are using the portal, an import gives way: it rests as long
            // as its batch took before the next one is written, so that portal reads keep
            // at least half of what the import would take (the answer still waits for the
            // last commit).
            if crate::auth::portal_busy() {
                tokio::time::sleep(started.elapsed().min(MAX_REST)).await;
            }
            written
        });
        self.writing = Some((lines, write));
        Ok(())
    }

    /// Writes what is left and waits until every batch is committed.
    async fn finish(&mut self) -> Result<(), ApiError> {
        self.flush().await?;
        self.settle().await
    }

    /// Waits for the batch being written, and reports each of its lines.
    async fn settle(&mut self) -> Result<(), ApiError> {
        let Some((lines, write)) = self.writing.take() else {
            return Ok(());
        };
        let outcomes = write
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("an import batch failed: {e}")))??;
        self.tally(lines, outcomes)
    }

    /// Reports each line of a written batch, in order, with the store's outcome of each of
    /// its records.
    fn tally(
        &mut self,
        lines: Vec<(u64, Line)>,
        outcomes: Vec<BatchOutcome>,
    ) -> Result<(), ApiError> {
        let mut outcomes = outcomes.into_iter();
        for (number, line) in lines {
            let check = match line {
                Line::Record(check) => check,
                Line::Refused(error) => {
                    self.report.reject(number, error);
                    continue;
                }
            };
            match verdict(check, outcomes.next().unwrap_or_default()) {
                Ok((_, Upserted::Created)) => {
                    self.report.accepted += 1;
                    self.report.created += 1;
                }
                Ok((_, Upserted::Updated)) => {
                    self.report.accepted += 1;
                    self.report.updated += 1;
                }
                Err(ApiError::Internal(error)) => return Err(ApiError::Internal(error)),
                Err(error) => self.report.reject(number, under_data(error)),
            }
        }
        Ok(())
    }
}

/// The `type` of a line that sets a plan of the catalogue (`id`: the plan's).
const PLAN: &str = "plan";
/// The `type` of a line that sets a customer's credit in one currency (`id`: the
/// customer's, the vendor's id or Portico's).
const CREDIT_BALANCE: &str = "credit_balance";

/// Keeps a credit line; answers whether the customer held no credit in that currency.
async fn write_credit_line(
    store: &dyn Store,
    organisation_id: &str,
    customer_ref: &str,
    input: CreditBalanceInput,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, ApiError> {
    let customer = store
        .find_customer(organisation_id, customer_ref)
        .await?
        .ok_or_else(|| ApiError::field("id", refused::NO_CUSTOMER))?;
    let held = store.credit_balances(organisation_id, &customer.id).await?;
    let created = !held.iter().any(|b| b.currency == input.currency);
    write_credit_balance(store, organisation_id, &customer.id, input, now).await?;
    Ok(created)
}

/// The line's record, of the kind its `type` names, with its field check; none for a
/// `type` that names no kind.
fn parse(
    line: &ImportLine,
    settings: &OrganisationSettings,
) -> Option<Result<(BatchItem, Check), ApiError>> {
    struct Parse<'a> {
        line: &'a ImportLine,
        settings: &'a OrganisationSettings,
        parsed: Option<Result<(BatchItem, Check), ApiError>>,
    }
    impl KindVisitor for Parse<'_> {
        fn visit<K: Kind>(&mut self) {
            if self.parsed.is_none() && self.line.kind == K::SINGULAR {
                self.parsed = Some(
                    parse_json::<K::Input>(self.line.data.get().as_bytes())
                        .map(|input| checked::<K>(&self.line.id, input, self.settings))
                        .map_err(under_data),
                );
            }
        }
    }
    let mut parse = Parse {
        line,
        settings,
        parsed: None,
    };
    each_kind(&mut parse);
    parse.parsed
}

/// Names a record's fields as the line spells them (`data.total`); the line's own `id`
/// keeps its name.
fn under_data(error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(fields) => ApiError::Validation(
            fields
                .into_iter()
                .map(|mut f| {
                    if f.field != "id" {
                        f.field = format!("data.{}", f.field);
                    }
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

//! `POST /v1/import`: NDJSON of mixed records, validated and written line by line while the
//! body streams in, so an import of any length needs memory for one line only.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::records::{each_kind, singular_names, write_one, Kind, KindVisitor};
use crate::auth::VendorKey;
use crate::error::ApiError;
use crate::extract::{media_type, parse_json};
use crate::state::AppState;
use crate::store::{Store, Upserted};

/// The longest line accepted (an invoice with 1000 lines fits comfortably).
const MAX_LINE_BYTES: usize = 1024 * 1024;
/// How many rejected lines are described in the answer; the rest are only counted.
const MAX_REPORTED: usize = 1000;

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
    let store = state.store.as_ref();
    let org = vendor.organisation.id.as_str();
    let mut report = ImportReport::default();
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
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let Ok(next) = next else {
            return Err(stopped(
                StatusCode::REQUEST_TIMEOUT,
                "import_timeout",
                format!(
                    "The import took longer than {} seconds",
                    state.config.import_max_secs
                ),
                number,
                &report,
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
                report.reject(number, too_long());
            } else {
                import_line(store, org, &buffer, number, &state, &mut report).await?;
            }
            buffer.clear();
            skipping = false;
            rest = &rest[newline + 1..];
        }
        if over {
            return Err(stopped(
                StatusCode::PAYLOAD_TOO_LARGE,
                "import_too_large",
                format!(
                    "The import is larger than {} bytes",
                    state.config.import_max_bytes
                ),
                number,
                &report,
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
            report.reject(number, too_long());
        } else {
            import_line(store, org, &buffer, number, &state, &mut report).await?;
        }
    }
    Ok(Json(report))
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

/// Validates and writes one line. Rejections go in the report; only a failing database
/// stops the import (with the lines before it written).
async fn import_line(
    store: &dyn Store,
    org: &str,
    bytes: &[u8],
    number: u64,
    state: &AppState,
    report: &mut ImportReport,
) -> Result<(), ApiError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim(),
        Err(_) => {
            report.reject(
                number,
                ApiError::BadRequest("The line is not UTF-8.".into()),
            );
            return Ok(());
        }
    };
    if text.is_empty() {
        // Blank lines (a trailing newline, separators) are not records.
        return Ok(());
    }
    let line: ImportLine = match parse_json(text.as_bytes()) {
        Ok(line) => line,
        Err(error) => {
            report.reject(number, error);
            return Ok(());
        }
    };
    let now = state.clock.now();
    let outcome = match dispatch(store, org, &line, now) {
        Some(write) => write.await,
        None => Err(ApiError::field(
            "type",
            format!("must be one of {}", singular_names().join(", ")),
        )),
    };
    match outcome {
        Ok(Upserted::Created) => {
            report.accepted += 1;
            report.created += 1;
        }
        Ok(Upserted::Updated) => {
            report.accepted += 1;
            report.updated += 1;
        }
        Err(ApiError::Internal(error)) => return Err(ApiError::Internal(error)),
        Err(error) => report.reject(number, error),
    }
    Ok(())
}

/// The write of the kind a line's `type` names, if any.
fn dispatch<'a>(
    store: &'a dyn Store,
    org: &'a str,
    line: &'a ImportLine,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<BoxFuture<'a, Result<Upserted, ApiError>>> {
    struct Dispatch<'a> {
        store: &'a dyn Store,
        org: &'a str,
        line: &'a ImportLine,
        now: chrono::DateTime<chrono::Utc>,
        write: Option<BoxFuture<'a, Result<Upserted, ApiError>>>,
    }
    impl KindVisitor for Dispatch<'_> {
        fn visit<K: Kind>(&mut self) {
            if self.write.is_none() && self.line.kind == K::SINGULAR {
                self.write = Some(Box::pin(write::<K>(
                    self.store, self.org, self.line, self.now,
                )));
            }
        }
    }
    let mut dispatch = Dispatch {
        store,
        org,
        line,
        now,
        write: None,
    };
    each_kind(&mut dispatch);
    dispatch.write
}

async fn write<K: Kind>(
    store: &dyn Store,
    org: &str,
    line: &ImportLine,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Upserted, ApiError> {
    let input: K::Input = parse_json(line.data.get().as_bytes()).map_err(under_data)?;
    write_one::<K>(store, org, &line.id, &input, now)
        .await
        .map(|(_, outcome)| outcome)
        .map_err(under_data)
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

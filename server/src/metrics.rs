//! `/metrics` for Prometheus: requests and latency by route, and the database pool's use.
//! Off unless a `metrics_token` is configured; scrapers send it as a bearer token.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The label of requests no route matched: static files and the 404 page.
const UNMATCHED: &str = "unmatched";

/// Counts kept since the server started.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
}

#[derive(Default)]
struct RouteStats {
    /// Requests by method and status code (sorted when rendered).
    answers: HashMap<(Method, u16), u64>,
    /// Requests whose latency was at most each of [`BUCKETS`] (not yet cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_secs: f64,
}

impl Metrics {
    pub fn record(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.to_owned()).or_default(),
        };
        *stats.answers.entry((method.clone(), status)).or_default() += 1;
        if let Some(bucket) = BUCKETS.iter().position(|bound| secs <= *bound) {
            stats.buckets[bucket] += 1;
        }
        stats.count += 1;
        stats.sum_secs += secs;
    }

    /// The text exposition format, version 0.0.4.
    pub fn render(&self, pool: crate::store::PoolStatus, backend: &str) -> String {
        let mut out = String::new();
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<&String> = routes.keys().collect();
        names.sort();

        out.push_str("# HELP portico_http_requests_total HTTP requests answered, by route, method and status.\n");
        out.push_str("# TYPE portico_http_requests_total counter\n");
        for name in &names {
            let mut answers: Vec<_> = routes[*name].answers.iter().collect();
            answers.sort_by(|((a, x), _), ((b, y), _)| (a.as_str(), x).cmp(&(b.as_str(), y)));
            for ((method, status), count) in answers {
                let _ = writeln!(
                    out,
                    "portico_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                    escape(name),
                    escape(method.as_str())
                );
            }
        }

        out.push_str(
            "# HELP portico_http_request_duration_seconds Time to the answer's head, by route.\n",
        );
        out.push_str("# TYPE portico_http_request_duration_seconds histogram\n");
        for name in &names {
            let stats = &routes[*name];
            let route = escape(name);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 portico_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 portico_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count, stats.sum_secs, stats.count
            );
        }
        drop(routes);

        let in_use = pool.open.saturating_sub(pool.idle);
        let _ = write!(
            out,
            "# HELP portico_db_connections Database connections by state.\n\
             # TYPE portico_db_connections gauge\n\
             portico_db_connections{{backend=\"{backend}\",state=\"in_use\"}} {in_use}\n\
             portico_db_connections{{backend=\"{backend}\",state=\"idle\"}} {}\n\
             # HELP portico_db_connections_max The most connections the pool opens.\n\
             # TYPE portico_db_connections_max gauge\n\
             portico_db_connections_max{{backend=\"{backend}\"}} {}\n\
             # HELP portico_build_info The running version.\n\
             # TYPE portico_build_info gauge\n\
             portico_build_info{{version=\"{}\"}} 1\n",
            pool.idle,
            pool.max,
            env!("CARGO_PKG_VERSION"),
        );
        out
    }
}

/// A label value as the exposition format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The route a request matched, handed from the inner layer to the outer one (a shared
/// string: cloning it allocates nothing).
#[derive(Clone)]
struct RouteLabel(MatchedPath);

/// Inside the router (a route layer): notes the matched route's pattern on the answer,
/// so that labels stay few (`/v1/customers/{id}`, never each id).
pub async fn label_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(RouteLabel(matched));
    }
    response
}

/// Around the whole router: times each request and counts its answer.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or(UNMATCHED, |label| label.0.as_str());
    metrics.record(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics`, with `Authorization: Bearer <metrics_token>`.
pub async fn get_metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(ApiError::Unauthorized);
    }
    let mut text = state
        .metrics
        .render(state.store.pool_status(), state.store.backend().as_str());
    // The webhook queue is the database's, shared by every instance on it.
    let queue = state.store.webhook_queue_depth(state.clock.now()).await?;
    text.push_str(&format!(
        "# HELP portico_webhook_deliveries_pending Deliveries not yet sent, to enabled endpoints.\n\
         # TYPE portico_webhook_deliveries_pending gauge\n\
         portico_webhook_deliveries_pending{{due=\"now\"}} {}\n\
         portico_webhook_deliveries_pending{{due=\"later\"}} {}\n",
        queue.due,
        queue.pending - queue.due
    ));
    let lookups = state.store.cache().lookups();
    text.push_str(&format!(
        "# HELP portico_cache_lookups_total What the portal's hot path looked for in memory, \
         and whether it was there (a miss reads the database).\n\
         # TYPE portico_cache_lookups_total counter\n\
         portico_cache_lookups_total{{kind=\"session\",result=\"hit\"}} {}\n\
         portico_cache_lookups_total{{kind=\"session\",result=\"miss\"}} {}\n\
         portico_cache_lookups_total{{kind=\"list\",result=\"hit\"}} {}\n\
         portico_cache_lookups_total{{kind=\"list\",result=\"miss\"}} {}\n",
        lookups.session_hits, lookups.session_misses, lookups.page_hits, lookups.page_misses
    ));
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_cumulative_buckets() {
        let metrics = Metrics::default();
        let pool = crate::store::PoolStatus {
            open: 3,
            idle: 1,
            max: 8,
        };
        metrics.record(
            &Method::GET,
            "/v1/customers/{id}",
            200,
            Duration::from_millis(2),
        );
        metrics.record(
            &Method::GET,
            "/v1/customers/{id}",
            404,
            Duration::from_millis(30),
        );
        metrics.record(
            &Method::PUT,
            "/v1/customers/{id}",
            200,
            Duration::from_secs(20),
        );
        let text = metrics.render(pool, "sqlite");
        for line in [
            r#"portico_http_requests_total{route="/v1/customers/{id}",method="GET",status="200"} 1"#,
            r#"portico_http_requests_total{route="/v1/customers/{id}",method="GET",status="404"} 1"#,
            r#"portico_http_requests_total{route="/v1/customers/{id}",method="PUT",status="200"} 1"#,
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="0.001"} 0"#,
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="0.0025"} 1"#,
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="0.05"} 2"#,
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="10"} 2"#,
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="+Inf"} 3"#,
            r#"portico_http_request_duration_seconds_count{route="/v1/customers/{id}"} 3"#,
            r#"portico_db_connections{backend="sqlite",state="in_use"} 2"#,
            r#"portico_db_connections{backend="sqlite",state="idle"} 1"#,
            r#"portico_db_connections_max{backend="sqlite"} 8"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

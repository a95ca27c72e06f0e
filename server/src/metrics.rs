//! `/metrics` in Prometheus' text format. Request counts and latencies are recorded by a
//! middleware; the accounts core records logins, signups and argon2 time through the `metrics`
//! facade; sessions and the database pool are read when Prometheus scrapes.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use app::ssr::AppState;
use axum::{
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Seconds, from half a millisecond (a session lookup) to ten seconds (a stalled database).
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process-wide recorder, installed by the first server built in this process (tests build
/// several; they share it, as metrics are per process).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .expect("the latency buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed");
            // Histograms keep samples until upkeep folds them into buckets.
            let upkeep = handle.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

/// The method as a metric label: one of HTTP's own, or `other`. A client may send any token as
/// a method, and each distinct label would be a series of its own for as long as the process runs.
fn method_label(method: &axum::http::Method) -> String {
    use axum::http::Method;
    let known = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if known.contains(method) { method.as_str().to_owned() } else { "other".to_owned() }
}

/// Counts each request by method, route pattern (never the raw path, so ids in URLs do not
/// create a series each) and status, and times it.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/{file}".into(),
        None => "unmatched".into(),
    };
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route).record(elapsed);
    response
}

/// The scrape: gauges read now, then everything in Prometheus' text format.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let database = state.accounts.database();
    let pool = database.pool_stats();
    metrics::gauge!("dioptra_db_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("dioptra_db_connections", "state" => "in_use").set(f64::from(pool.in_use));
    metrics::gauge!("dioptra_db_connections_max").set(f64::from(pool.max));
    match state.accounts.active_sessions().await {
        Ok(count) => metrics::gauge!("dioptra_active_sessions").set(count as f64),
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n").into_response(),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render()).into_response()
}

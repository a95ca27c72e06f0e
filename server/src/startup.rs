//! Building the application (database, accounts core, router) and running it.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use app::{
    App, shell,
    ssr::{AppState, accounts::Accounts, db::ConnectError},
};
use axum::{
    Router,
    http::StatusCode,
    middleware::{from_fn, from_fn_with_state},
    routing::get,
};
use ipnet::IpNet;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::{net::TcpListener, sync::Semaphore};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{Config, assets::Site, metrics, middleware};

/// The name cargo-leptos gives the bundle (`output-name` in Cargo.toml): `/pkg/<name>.wasm`.
const OUTPUT_NAME: &str = "dioptra-accounts";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] ConnectError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("the shared settings cannot be read: {0}")]
    Settings(app::error::AccountError),
}

/// A server that is bound and migrated, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    accounts: Arc<Accounts>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = config.database.connect().await?;
        db.migrate().await?;
        let accounts = Arc::new(Accounts::new(db, config.account_settings()));
        accounts.refresh_settings().await.map_err(StartError::Settings)?;
        let listener =
            TcpListener::bind(config.addr).await.map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let local_addr = listener.local_addr().map_err(StartError::Serve)?;
        let origin = config.public_url.clone().unwrap_or_else(|| own_origin(local_addr));
        if let Err(reason) = accounts.serve_passkeys_at(&origin) {
            tracing::warn!("passkeys are off: {reason}");
        }
        let site = Site::locate(&config.site_root, OUTPUT_NAME);
        let leptos_options = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .hash_files(site.hashed())
            .site_addr(local_addr)
            .build();
        metrics::handle();
        // Unpacked now rather than during the first signup.
        let blocklisted = app::ssr::common_passwords::count();
        tracing::debug!(blocklisted, "common-password list loaded");
        let options = RouterOptions::from(&config);
        let router = build_router(AppState { leptos_options, accounts: accounts.clone() }, &site, options);
        Ok(Self { listener, router, accounts })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn accounts(&self) -> Arc<Accounts> {
        self.accounts.clone()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    pub async fn run(self) -> Result<(), StartError> {
        let janitor = tokio::spawn(clean_up_periodically(self.accounts.clone()));
        let settings = tokio::spawn(refresh_settings_periodically(self.accounts.clone()));
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(StartError::Serve)?;
        janitor.abort();
        settings.abort();
        self.accounts.database().close().await;
        Ok(())
    }
}

/// Builds, announces and runs the server: what `dioptra-accounts` does.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let application = Application::build(config.clone()).await?;
    let backend = application.accounts.database().backend_name();
    let visit = config.public_url.clone().unwrap_or_else(|| own_origin(application.local_addr()));
    let listening = application.local_addr();
    tracing::info!("Dioptra Accounts is running: visit {visit} (listening on {listening}, database: {backend})");
    application.run().await
}

/// The server's own origin without `--public-url`: `localhost` when it listens on this machine's
/// loopback (or every address), since a passkey belongs to a name, never to an IP address.
fn own_origin(local_addr: SocketAddr) -> String {
    let ip = local_addr.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("http://localhost:{}", local_addr.port())
    } else {
        format!("http://{local_addr}")
    }
}

/// What the router needs of the configuration.
pub struct RouterOptions {
    /// The `--public-url`, if one is configured.
    pub public_origin: Option<Arc<str>>,
    pub trusted_proxies: Arc<[IpNet]>,
    /// The names requests may be addressed to, when `--public-url` is set.
    pub expected_hosts: Option<middleware::ExpectedHosts>,
    pub request_timeout: Duration,
    pub max_concurrent_requests: usize,
}

impl From<&Config> for RouterOptions {
    fn from(config: &Config) -> Self {
        Self {
            public_origin: config.public_url.as_deref().map(Arc::from),
            trusted_proxies: config.trusted_proxies.clone().into(),
            expected_hosts: middleware::ExpectedHosts::new(
                config.public_url.as_deref(),
                &config.allowed_hosts,
                config.trusted_proxies.clone().into(),
            ),
            request_timeout: Duration::from_secs(config.request_timeout_secs),
            max_concurrent_requests: config.max_concurrent_requests as usize,
        }
    }
}

/// The whole application.
pub fn build_router(state: AppState, site: &Site, options: RouterOptions) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        // `/health` and `/api/v1/...`, with their OpenAPI document.
        .merge(crate::api::router())
        .route("/metrics", get(metrics::scrape))
        .route("/pkg/{*file}", site.pkg_route(&state.leptos_options))
        // Everything else: a file of public/ (the favicon), else the Not Found page.
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn(middleware::server_fn_error_status))
        .layer(from_fn_with_state(state.clone(), middleware::lead_to_second_factor))
        .layer(from_fn_with_state(state.clone(), middleware::attach_session))
        .layer(from_fn_with_state(options.public_origin, middleware::refuse_cross_site_writes))
        .layer(from_fn_with_state(options.expected_hosts, middleware::refuse_unexpected_hosts))
        .layer(from_fn_with_state(options.trusted_proxies, middleware::identify_client))
        // Inside the body reading and the timeout: a waiting request holds no more than its
        // head and body, and a client that sends its body slowly holds no slot meanwhile.
        .layer(from_fn_with_state(
            Arc::new(Semaphore::new(options.max_concurrent_requests)),
            middleware::take_a_request_slot,
        ))
        .layer(from_fn_with_state(crate::api::MAX_BODY_BYTES, middleware::read_whole_body))
        .layer(from_fn(middleware::common_headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, options.request_timeout))
        .layer(from_fn(middleware::limit_header_size))
        .layer(from_fn(metrics::record_request))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Every log line of a request carries its id (also sent back as `x-request-id`), method and
/// path; never the query string or body.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|id| id.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", request_id, method = %request.method(), path = request.uri().path())
}

/// Every ten minutes, deletes ended sessions and lapsed attempt counters.
async fn clean_up_periodically(accounts: Arc<Accounts>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(error) = accounts.clean_up().await {
            tracing::warn!(%error, "clean-up failed; trying again later");
        }
    }
}

/// Reads the shared settings again every few seconds, so that a change made on another replica
/// applies here too.
async fn refresh_settings_periodically(accounts: Arc<Accounts>) {
    let mut every = tokio::time::interval(app::ssr::accounts::SETTINGS_REFRESH);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(error) = accounts.refresh_settings().await {
            tracing::warn!(%error, "the shared settings could not be read; keeping the last ones");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

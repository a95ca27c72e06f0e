//! Logging. `RUST_LOG` chooses what is logged (default: `info`).

use tracing_subscriber::{EnvFilter, fmt};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // A second call (tests that start several servers) keeps the first subscriber.
    _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

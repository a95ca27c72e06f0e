//! Logging. `RUST_LOG` chooses what is logged (default: `info`); `--log-format json` writes one
//! JSON object per line for a log collector. Each request's lines carry its request id.

use tracing_subscriber::{EnvFilter, fmt};

use crate::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr);
    // A second call (tests that start several servers) keeps the first subscriber.
    _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(true).try_init(),
    };
}

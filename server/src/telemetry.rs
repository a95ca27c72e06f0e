//! Logging. `RUST_LOG` chooses what is logged (default: `info`); `--log-format json` writes one
//! JSON object per line for a log collector. Each request's lines carry its request id, and each
//! line its target, so that the audit trail (target `audit`) can be told from the rest. Input
//! from clients is only ever logged as string fields, which both formats escape.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt};

use crate::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal: a log file or collector gets plain text.
    let ansi = std::io::stderr().is_terminal();
    let builder = fmt().with_env_filter(filter).with_target(true).with_ansi(ansi).with_writer(std::io::stderr);
    // A second call (tests that start several servers) keeps the first subscriber.
    _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(true).try_init(),
    };
}

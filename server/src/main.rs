//! `dioptra-accounts`: the server binary. See `--help`.

use std::process::ExitCode;

use clap::Parser;
use dioptra_accounts::{Config, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init();
    match dioptra_accounts::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dioptra-accounts: {error}");
            ExitCode::FAILURE
        }
    }
}

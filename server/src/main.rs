//! `dioptra-accounts`: the server binary and the operator's commands. See `--help`.

use std::process::ExitCode;

use clap::Parser;
use dioptra_accounts::{Cli, Command, operator, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let outcome = match cli.command {
        None => dioptra_accounts::serve(cli.serve).await.map_err(|e| e.to_string()),
        Some(Command::Serve(config)) => dioptra_accounts::serve(config).await.map_err(|e| e.to_string()),
        Some(Command::Migrate(database)) => operator::migrate(&database).await.map_err(|e| e.to_string()),
        Some(Command::Users { database, passwords, command }) => {
            operator::users(&database, &passwords, command).await.map_err(|e| e.to_string())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dioptra-accounts: {error}");
            ExitCode::FAILURE
        }
    }
}

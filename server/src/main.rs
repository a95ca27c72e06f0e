//! `dioptra-accounts`: the server binary and the operator's commands. See `--help`.

use std::process::ExitCode;

use clap::Parser;
use dioptra_accounts::{Cli, Command, operator, telemetry};

/// mimalloc instead of the system's malloc. Measured with `bench/`'s memory load (1,000
/// connections, each request with its own session): the same memory under both, but glibc's
/// malloc answered 5,900 requests/s and mimalloc 7,800 to 10,700 (several runs). Chosen here,
/// in the binary: a library that set the global allocator would impose it on everything linking
/// it. The password hashing threads hand freed memory back through `app::ssr::allocator`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Some(Command::Audit { database, command }) => {
            operator::audit(&database, command).await.map_err(|e| e.to_string())
        }
        Some(Command::Settings { database, command }) => {
            operator::settings(&database, command).await.map_err(|e| e.to_string())
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

//! The Dioptra Accounts server: configuration, the axum router around the Leptos app, the REST
//! API and its OpenAPI document (`api/`), the middleware every request passes through (the
//! session cookie, the security checks: `middleware/`), and the operator's commands.
//!
//! A library as well as a binary so that the integration tests build exactly the router that
//! production serves.

mod api;
mod assets;
mod audit_export;
mod config;
mod metrics;
mod middleware;
pub mod operator;
mod startup;
pub mod telemetry;

pub use config::{
    AuditCommand, AuditFilters, Cli, Command, Config, DatabaseOptions, LogFormat, PasswordOptions, SettingsCommand,
    UsersCommand,
};
pub use startup::{Application, StartError, serve};

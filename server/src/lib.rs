//! The Dioptra Accounts server: configuration, the axum router around the Leptos app, the layer
//! that turns a session cookie into a signed-in user for the rest of the request, and the
//! operator's commands.
//!
//! A library as well as a binary so that the integration tests build exactly the router that
//! production serves.

mod api;
mod assets;
mod config;
mod metrics;
pub mod operator;
mod security;
mod session_layer;
mod startup;
pub mod telemetry;

pub use config::{Cli, Command, Config, DatabaseOptions, LogFormat, PasswordOptions, UsersCommand};
pub use startup::{Application, StartError, serve};

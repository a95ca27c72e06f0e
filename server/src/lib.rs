//! The Dioptra Accounts server: configuration, the axum router around the Leptos app, and the
//! layer that turns a session cookie into a signed-in user for the rest of the request.
//!
//! A library as well as a binary so that the integration tests build exactly the router that
//! production serves.

mod api;
mod config;
mod security;
mod session_layer;
mod startup;
pub mod telemetry;

pub use config::Config;
pub use startup::{Application, StartError, serve};

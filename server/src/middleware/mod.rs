//! The layers between axum and the routes that every request passes through, one concept per
//! file. `startup::build_router` stacks them, outermost last; the order matters and is explained
//! there.
//!
//! - `request_limits`: refuses oversized headers (431) and bodies (413), and reads the whole body
//!   before any handler runs;
//! - `request_slots`: how many requests are worked on at once;
//! - `common_headers`: the security headers on every response;
//! - `client_address`: which address a request comes from, for the guessing counters and the
//!   audit trail;
//! - `expected_host`: refuses requests addressed to a name this server does not go by (DNS
//!   rebinding);
//! - `cross_site`: refuses state-changing requests a browser says come from another site;
//! - `session`: turns the session cookie into a signed-in user for pages, server functions and
//!   the API;
//! - `second_factor_policy`: leads an account the deployment requires a second factor of, and
//!   which has none, to set one up before anything else;
//! - `server_fn_status`: gives a failed server function's response its real status.

mod client_address;
mod common_headers;
mod cross_site;
mod expected_host;
mod request_limits;
mod request_slots;
mod second_factor_policy;
mod server_fn_status;
mod session;

pub use client_address::identify_client;
pub use common_headers::common_headers;
pub use cross_site::refuse_cross_site_writes;
pub use expected_host::{ExpectedHosts, refuse_unexpected_hosts};
pub use request_limits::{limit_header_size, read_whole_body};
pub use request_slots::take_a_request_slot;
pub use second_factor_policy::lead_to_second_factor;
pub use server_fn_status::server_fn_error_status;
pub use session::attach_session;

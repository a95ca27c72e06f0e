//! Dioptra Accounts, the part shared by the server and the browser.
//!
//! Pages are rendered on the server only; the interactive parts (the forms and the user menu)
//! are islands, the only components compiled into the browser's WASM and hydrated there. So the
//! pages, with the router (`App`) and the document around them (`shell`), exist only with `ssr`:
//! the browser never routes or renders a page, it only hydrates the islands it finds in one.
//! Reading order: `domain` (the rules), `error`, `server_fns`, `islands`, `presentation`, then
//! `pages` (with `shell` and `App`).

pub mod domain;
pub mod error;
pub mod islands;
#[cfg(feature = "ssr")]
mod pages;
#[cfg(feature = "ssr")]
pub mod presentation;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod ssr;

pub const PRODUCT_NAME: &str = "Dioptra Accounts";

#[cfg(feature = "ssr")]
pub use pages::{AUTHENTICATOR_PATH, App, LOGIN_CODE_PATH, RECOVERY_CODES_PATH, shell};

//! HTTP-level tests of the server: a real server on a free port, a fresh SQLite file per test.

mod groups;
mod guessing;
mod helpers;
mod login_logout;
mod observability;
mod openapi;
mod operator;
mod outage;
mod register;
mod scale_out;
mod search;
mod security;
mod session_cookies;
mod sessions;
mod startup;

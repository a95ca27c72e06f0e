//! HTTP-level tests of the server: a real server on a free port, a fresh SQLite file per test.

mod guessing;
mod helpers;
mod login_logout;
mod observability;
mod operator;
mod register;
mod security;
mod sessions;
mod startup;

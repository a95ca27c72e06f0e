//! HTTP-level tests of the server: a real server on a free port, a fresh SQLite file per test.

/// The allocator the server binary runs with (`src/main.rs`), so that the tests run the server
/// as production does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod admin;
mod admin_pages;
mod application_passwords;
mod audit_trail;
mod clean_up;
mod group_abuse;
mod group_management;
mod group_members;
mod group_pages;
mod group_upgrade;
mod groups;
mod guessing;
mod hash_queue;
mod helpers;
mod login_logout;
mod observability;
mod openapi;
mod operator;
mod outage;
mod passkeys;
mod register;
mod reset_links;
mod scale_out;
mod search;
mod second_factor;
mod second_factor_policy;
mod security;
mod session_cookies;
mod sessions;
mod settings;
mod soft_passkey;
mod startup;

use std::{path::PathBuf, sync::Arc};

use app::ssr::accounts::Accounts;
use dioptra_accounts::{Application, Config};
use reqwest::{Response, StatusCode, header};
use serde_json::Value;

/// A running server with its own database, and a browser-like client (cookies kept, redirects
/// not followed, so tests see them).
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub accounts: Arc<Accounts>,
    pub database_path: PathBuf,
    _folder: tempfile::TempDir,
}

pub fn test_config(database_url: String) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url,
        site_root: "target/site".into(),
        min_password_length: 8,
        password_lifetime_days: 365,
        session_lifetime_hours: 24,
        secure_cookies: false,
    }
}

pub async fn spawn_app() -> TestApp {
    let folder = tempfile::tempdir().unwrap();
    let database_path = folder.path().join("accounts.db");
    let config = test_config(format!("sqlite://{}", database_path.display()));
    let application = Application::build(config).await.expect("the server starts");
    let address = format!("http://{}", application.local_addr());
    let accounts = application.accounts();
    tokio::spawn(application.run());
    TestApp { address, client: new_client(), accounts, database_path, _folder: folder }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub struct Signup<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub confirm_password: &'a str,
}

impl<'a> Signup<'a> {
    pub fn new(username: &'a str, email: &'a str) -> Self {
        Self { username, email, password: "correct horse", confirm_password: "correct horse" }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Calls the signup server function as a script would (JSON errors, no redirect).
    pub async fn register(&self, signup: &Signup<'_>) -> Response {
        self.post_form(
            &self.client,
            "/api/register",
            &[
                ("username", signup.username),
                ("email", signup.email),
                ("password", signup.password),
                ("confirm_password", signup.confirm_password),
            ],
        )
        .await
    }

    pub async fn log_in_with(&self, client: &reqwest::Client, username: &str, password: &str) -> Response {
        self.post_form(client, "/api/login", &[("username", username), ("password", password)]).await
    }

    pub async fn log_in(&self, username: &str, password: &str) -> Response {
        self.log_in_with(&self.client, username, password).await
    }

    pub async fn log_out_with(&self, client: &reqwest::Client) -> Response {
        self.post_form(client, "/api/logout", &[]).await
    }

    pub async fn post_form(&self, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(path))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// The front page as `client` sees it.
    pub async fn front_page(&self, client: &reqwest::Client) -> String {
        let response = client.get(self.url("/")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.database_path.display())).await.unwrap();
        let count = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        count
    }
}

/// The decoded `AccountError` of a failed server function call, as JSON.
pub async fn error_body(response: Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON error, got {text:?}"))
}

/// The `Set-Cookie` header for the session cookie, if the response has one.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("dioptra_session="))
        .map(str::to_owned)
}

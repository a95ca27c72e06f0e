use std::sync::Arc;

use app::ssr::{accounts::Accounts, db::Database};
use dioptra_accounts::{Application, Config};
use reqwest::{Response, StatusCode, header};
use serde_json::Value;

/// A running server with its own database, and a browser-like client (cookies kept, redirects
/// not followed, so tests see them).
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub accounts: Arc<Accounts>,
    pub database: TestDatabase,
}

/// A database of one test's own: an SQLite file in a temporary folder, or (with
/// `DIOPTRA_TEST_BACKEND=postgres`) a new database on `TEST_POSTGRES_URL`, dropped afterwards.
pub struct TestDatabase {
    pub url: String,
    _folder: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let folder = tempfile::tempdir().unwrap();
        if std::env::var("DIOPTRA_TEST_BACKEND").as_deref() != Ok("postgres") {
            let url = format!("sqlite://{}", folder.path().join("accounts.db").display());
            return Self { url, _folder: folder, postgres: None };
        }
        let server = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL names the PostgreSQL server");
        let name = format!("dioptra_test_{}", uuid_like());
        let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&admin).await.unwrap();
        admin.close().await;
        Self { url: format!("{server}/{name}"), _folder: folder, postgres: Some((server, name)) }
    }
}

impl TestDatabase {
    /// Another handle on a database that a `TestDatabase` owns; dropping it drops nothing.
    pub fn existing(url: String) -> Self {
        Self { url, _folder: tempfile::tempdir().unwrap(), postgres: None }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            // Drop runs outside any runtime; psql does the clean-up synchronously.
            _ = std::process::Command::new("psql")
                .args([
                    &format!("{server}/postgres"),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ])
                .output();
        }
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{nanos:x}{:x}", std::process::id())
}

/// The server's defaults, on a free port and the given database, with a short session lifetime.
pub fn test_config(database_url: String) -> Config {
    let mut config = Config::defaults();
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database.database_url = database_url;
    config.session_lifetime_hours = 24;
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `adjust` changes from the tests' defaults.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(TestDatabase::new().await, adjust).await
}

/// A server on a database the test prepared (e.g. with the operator's commands).
pub async fn spawn_app_on(database: TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = test_config(database.url.clone());
    adjust(&mut config);
    let application = Application::build(config).await.expect("the server starts");
    let address = format!("http://{}", application.local_addr());
    let accounts = application.accounts();
    tokio::spawn(application.run());
    TestApp { address, client: new_client(), accounts, database }
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

    /// A new client signed in as a newly registered `username` (password "correct horse").
    pub async fn signed_in_as(&self, username: &str) -> reqwest::Client {
        let client = new_client();
        let email = format!("{username}@example.org");
        let form = [
            ("username", username),
            ("email", email.as_str()),
            ("password", "correct horse"),
            ("confirm_password", "correct horse"),
        ];
        let registered = self.post_form(&client, "/api/register", &form).await;
        assert!(registered.status().is_success() || registered.status().is_redirection(), "{}", registered.status());
        assert_eq!(self.log_in_with(&client, username, "correct horse").await.status(), StatusCode::OK);
        client
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

    /// Posts `form` to the server function at `path` as a browser without JavaScript does, from
    /// the page at `referer`; the address the answer redirects to (where an error rides in
    /// `__err`).
    pub async fn submit_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        referer: &str,
        form: &[(&str, &str)],
    ) -> String {
        let response = client
            .post(self.url(path))
            .form(form)
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, referer)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::FOUND);
        response.headers()[header::LOCATION].to_str().unwrap().to_owned()
    }

    /// The front page as `client` sees it.
    pub async fn front_page(&self, client: &reqwest::Client) -> String {
        let response = client.get(self.url("/")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    }

    /// Runs a statement straight on the test's database (to age a session, say).
    pub async fn execute(&self, sql: &'static str) {
        match self.accounts.database() {
            Database::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
            Database::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        }
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        self.scalars(sql).await.pop().expect("one row")
    }

    /// The first column of every row `sql` returns, read straight from the test's database.
    pub async fn scalars<T>(&self, sql: &'static str) -> Vec<T>
    where
        T: Send + Unpin,
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        match self.accounts.database() {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
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

/// The real `dioptra-accounts` binary serving `database` on a free port: another server process,
/// as a second replica would be. Killed when dropped.
pub struct RunningBinary {
    pub address: String,
    child: std::process::Child,
}

impl RunningBinary {
    /// SIGKILL: no chance to finish anything.
    pub fn kill_hard(&self) {
        signal(&self.child, "KILL");
    }

    /// SIGTERM: the graceful shutdown.
    pub fn terminate(&self) {
        signal(&self.child, "TERM");
    }

    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }
}

fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status();
    assert!(sent.is_ok_and(|status| status.success()), "kill -{name}");
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        _ = self.child.kill();
        _ = self.child.wait();
    }
}

pub fn spawn_binary(database: &TestDatabase, args: &[&str]) -> RunningBinary {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dioptra-accounts"))
        .args(["--addr", "127.0.0.1:0", "--database-url", &database.url, "--log-format", "json"])
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let event: Value = serde_json::from_str(&line).ok()?;
            let message = event["message"].as_str()?;
            // The address it listens on: what it says to visit may be its --public-url.
            let listening = message.split("listening on ").nth(1)?.split(',').next()?;
            Some(format!("http://{listening}"))
        })
        .expect("the server announces its address");
    // Keep reading its log so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
    RunningBinary { address, child }
}

/// Adds `count` accounts (`seed1`, `seed2`, …, all with the same unusable password hash) to the
/// database, each a member of `public` that joined after everyone before: two statements, over a
/// connection of the test's own (no query budget), far faster than signing them up.
pub async fn seed_users(database: &TestDatabase, count: u32) {
    let users = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO users (username, username_key, email, email_key, password_hash, created_on, last_modified_on) \
         SELECT 'seed' || i, 'seed' || i, 'seed' || i || '@example.org', 'seed' || i || '@example.org', 'x', 0, 0 \
         FROM n"
    );
    let members =
        "INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, can_share_write, \
         joined_on) SELECT (SELECT group_id FROM groups WHERE is_default), user_id, TRUE, TRUE, FALSE, FALSE, \
         5000000000000000 + user_id FROM users WHERE username LIKE 'seed%'"
            .to_owned();
    for sql in [users, members] {
        if database.postgres.is_some() || database.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&database.url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

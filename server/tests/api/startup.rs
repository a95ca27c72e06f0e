use dioptra_accounts::{Application, Config};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, test_config};

#[tokio::test]
async fn health_answers_as_dioptra_does() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["databaseReachable"], json!(true));
    assert!(["sqlite", "postgres"].contains(&body["database"].as_str().unwrap()));
}

#[tokio::test]
async fn health_reports_a_database_that_does_not_answer() {
    let app = spawn_app().await;
    app.accounts.database().close().await;
    let response = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["databaseReachable"], json!(false));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_sqlite_file_and_its_folder_are_created_and_migrated_on_first_start() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("nested/data/accounts.db");
    let application = Application::build(test_config(format!("sqlite://{}", path.display()))).await.unwrap();
    assert!(path.exists());
    // Starting again on the same file reuses it.
    drop(application);
    Application::build(test_config(format!("sqlite://{}", path.display()))).await.unwrap();
}

async fn start_error(config: Config) -> String {
    match Application::build(config).await {
        Ok(_) => panic!("the server should not start"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn an_unusable_database_url_is_a_clear_error() {
    let message = start_error(test_config("mysql://localhost/accounts".into())).await;
    assert!(message.starts_with("unsupported database URL"), "{message}");
    let message = start_error(test_config("sqlite:///proc/forbidden/accounts.db".into())).await;
    assert!(message.contains("/proc/forbidden"), "{message}");
}

#[tokio::test]
async fn an_address_in_use_is_a_clear_error() {
    let app = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    let mut config = test_config(format!("sqlite://{}", folder.path().join("a.db").display()));
    config.addr = app.address.trim_start_matches("http://").parse().unwrap();
    let message = start_error(config).await;
    assert!(message.starts_with(&format!("cannot listen on {}", config_addr(&app.address))), "{message}");
}

fn config_addr(address: &str) -> &str {
    address.trim_start_matches("http://")
}

/// The site's `/pkg/` files, here from a build without hashed names (no `hash.txt` beside the
/// test binary): the precompressed copy the browser accepts, and revalidation instead of a
/// long cache. The hashed, year-long case runs against the real build in end2end/assets.spec.ts.
#[tokio::test]
async fn site_files_come_precompressed_and_unhashed_names_are_revalidated() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("dioptra-accounts.wasm"), b"plain bytes").unwrap();
    std::fs::write(pkg.join("dioptra-accounts.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("dioptra-accounts.wasm.gz"), b"gzip bytes").unwrap();
    let root = site.path().to_path_buf();
    let app = crate::helpers::spawn_app_with(|config| config.site_root = root).await;

    for (accepted, encoding, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "plain bytes"),
    ] {
        let response = app
            .client
            .get(app.url("/pkg/dioptra-accounts.wasm"))
            .header("accept-encoding", accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
        let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accepted}");
        assert_eq!(header("content-type").as_deref(), Some("application/wasm"));
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"));
        assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(response.text().await.unwrap(), body);
    }

    let missing = app.client.get(app.url("/pkg/dioptra-accounts.missing.wasm")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()["cache-control"], "no-store");

    let page = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"href="/pkg/dioptra-accounts.css""#), "{page}");
}

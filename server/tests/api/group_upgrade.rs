//! A database made by the version before groups could be created keeps its `public` group, its
//! members and their permissions through the migration that makes group names unique per
//! creator (on SQLite, a rebuild of the `groups` table under the members' foreign keys).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Signup, TestDatabase, new_client, spawn_app_on};

/// The first migration of group management; the database is migrated to just before it.
const GROUP_MANAGEMENT: &str = "20261203000002";

#[tokio::test]
async fn public_and_its_members_survive_the_migration() {
    let database = TestDatabase::new().await;
    let backend = if database.url.starts_with("sqlite") { "sqlite" } else { "postgres" };
    let earlier = tempfile::tempdir().unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend);
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < GROUP_MANAGEMENT {
            std::fs::copy(&path, earlier.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(earlier.path()).await.unwrap();
    // Two accounts and `public` as the earlier version made them (founder: every permission).
    let statements = [
        "INSERT INTO users (user_id, username, username_key, email, email_key, password_hash, created_on, \
         last_modified_on) VALUES (1, 'old', 'old', 'old@example.org', 'old@example.org', 'x', 0, 0), \
         (2, 'older', 'older', 'older@example.org', 'older@example.org', 'x', 0, 0)",
        "INSERT INTO groups (group_id, name, creator_id, created_on, last_modified_on) VALUES (1, 'public', 1, 0, 0)",
        "INSERT INTO group_members (group_id, user_id, can_read, can_write, can_share_read, can_share_write, joined_on) \
         VALUES (1, 1, TRUE, TRUE, TRUE, TRUE, 0), (1, 2, TRUE, TRUE, FALSE, FALSE, 1)",
        "INSERT INTO group_managers (group_id, user_id, is_owner, is_admin) VALUES (1, 1, TRUE, TRUE)",
    ];
    if backend == "sqlite" {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(database.url.trim_start_matches("sqlite://"))
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for statement in statements {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for statement in statements {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        // Rows inserted under explicit ids leave the identity behind, as a real history would not.
        sqlx::query("SELECT setval(pg_get_serial_sequence('groups', 'group_id'), 1)").execute(&pool).await.unwrap();
        sqlx::query("SELECT setval(pg_get_serial_sequence('users', 'user_id'), 2)").execute(&pool).await.unwrap();
        pool.close().await;
    }

    let app = spawn_app_on(database, |_| {}).await;
    if backend == "sqlite" {
        assert_eq!(app.count("SELECT COUNT(*) FROM pragma_foreign_key_check").await, 0);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM groups WHERE is_default AND group_id = 1").await, 1);
    // A new account joins the same `public`, and may create a group of that name of its own.
    assert_eq!(app.register(&Signup::new("new", "new@example.org")).await.status(), StatusCode::OK);
    let client = new_client();
    assert_eq!(app.log_in_with(&client, "new", "correct horse").await.status(), StatusCode::OK);
    let public: Value = client.get(app.url("/api/v1/groups/1")).send().await.unwrap().json().await.unwrap();
    let members: Vec<(&str, &Value)> = public["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| (member["user"]["username"].as_str().unwrap(), &member["permissions"]["owner"]))
        .collect();
    assert_eq!(members, [("old", &json!(true)), ("older", &json!(false)), ("new", &json!(false))]);
    let created =
        client.request(Method::POST, app.url("/api/v1/groups/")).json(&json!({"name": "public"})).send().await;
    let created: Value = created.unwrap().json().await.unwrap();
    assert_eq!(created["id"], 2, "{created}");
}

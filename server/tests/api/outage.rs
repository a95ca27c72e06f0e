//! PostgreSQL stopped and started under a running server: 503s that come quickly during the
//! outage, then service again without a restart. Needs the PostgreSQL server binaries (to run a
//! cluster of its own that it can stop); runs with the PostgreSQL backend only.

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use reqwest::StatusCode;

use crate::helpers::{Signup, TestDatabase, spawn_app_on};

/// A PostgreSQL cluster in a temporary folder on a free port, stopped and removed when dropped.
struct Cluster {
    folder: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    /// `None` when the server binaries are not installed (then the test says so and passes,
    /// except under CI, where that is a failure).
    fn create() -> Option<Self> {
        let initdb = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|version| version.path().join("bin/initdb"))
            .filter(|path| path.exists())
            .max()?;
        let bin = initdb.parent()?.to_path_buf();
        let folder = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Self { folder, bin, port };
        // PostgreSQL refuses to run as root; its own system user owns the cluster then.
        if cluster.is_root() {
            assert!(
                Command::new("chown").args(["-R", "postgres"]).arg(cluster.folder.path()).status().unwrap().success()
            );
        }
        let data = cluster.folder.path().join("data");
        let made = cluster.run("initdb", &["-D", data.to_str().unwrap(), "-U", "postgres", "--auth=trust"]);
        assert!(made, "initdb");
        cluster.start();
        Some(cluster)
    }

    fn is_root(&self) -> bool {
        Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"))
    }

    fn run(&self, tool: &str, args: &[&str]) -> bool {
        let tool = self.bin.join(tool);
        let mut command = if self.is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(tool);
            command
        } else {
            Command::new(tool)
        };
        command.args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command.status().is_ok_and(|status| status.success())
    }

    fn pg_ctl(&self, action: &str) -> bool {
        let data = self.folder.path().join("data");
        let log = self.folder.path().join("log");
        let options = format!("-h 127.0.0.1 -p {} -k {} -c fsync=off", self.port, self.folder.path().display());
        let data = data.to_str().unwrap();
        let log = log.to_str().unwrap();
        match action {
            "start" => self.run("pg_ctl", &["-D", data, "-l", log, "-w", "-o", &options, "start"]),
            _ => self.run("pg_ctl", &["-D", data, "-m", "fast", "-w", "stop"]),
        }
    }

    fn start(&self) {
        assert!(self.pg_ctl("start"), "pg_ctl start");
    }

    fn stop(&self) {
        assert!(self.pg_ctl("stop"), "pg_ctl stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.pg_ctl("stop");
    }
}

#[tokio::test]
async fn a_database_outage_gives_quick_503s_and_service_resumes_without_a_restart() {
    if std::env::var("DIOPTRA_TEST_BACKEND").as_deref() != Ok("postgres") {
        // An embedded SQLite file has no server to lose; scripts/test.sh runs this on PostgreSQL.
        eprintln!("skipped: a database outage needs the PostgreSQL backend (DIOPTRA_TEST_BACKEND=postgres)");
        return;
    }
    let Some(cluster) = Cluster::create() else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "the outage test needs the PostgreSQL server binaries");
        eprintln!(
            "skipped: no PostgreSQL server binaries under /usr/lib/postgresql to run a cluster that can be stopped"
        );
        return;
    };
    let app = spawn_app_on(TestDatabase::existing(cluster.url()), |_| {}).await;
    app.register(&Signup::new("steady", "steady@example.org")).await;
    assert_eq!(app.log_in("steady", "correct horse").await.status(), StatusCode::OK);
    let current = || async { app.client.get(app.url("/api/v1/users/current")).send().await.unwrap() };
    assert_eq!(current().await.status(), StatusCode::OK);

    cluster.stop();
    for path in ["/api/v1/users/current", "/health"] {
        let started = Instant::now();
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(started.elapsed() < Duration::from_secs(4), "{path} took {:?}", started.elapsed());
    }
    let login = crate::helpers::new_client()
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "steady", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = login.text().await.unwrap();
    assert!(body.contains("cannot be reached"), "{body}");

    cluster.start();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = current().await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "still {status} after the database came back");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

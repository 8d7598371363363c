//! Databases for tests that need a PostgreSQL server: the server's URL comes from
//! `WORKFLOW_POSTGRES_URL` (`.ci/run` starts one with `tools/postgres.sh`); each test
//! gets a database of its own on it. Without the variable a test says so and stops,
//! unless `WORKFLOW_REQUIRE_POSTGRES` is set (as in CI): then it fails.

/// A URL of a new, empty database on the test server (named after `name`), or `None`
/// when no server is configured and none is required.
///
/// # Panics
///
/// If a server is required but not configured, or the database cannot be created.
pub(super) fn fresh_database(name: &str) -> Option<String> {
    let Ok(url) = std::env::var("WORKFLOW_POSTGRES_URL") else {
        assert!(
            std::env::var_os("WORKFLOW_REQUIRE_POSTGRES").is_none(),
            "this test needs PostgreSQL: WORKFLOW_REQUIRE_POSTGRES is set, WORKFLOW_POSTGRES_URL is not \
             (start a server with `tools/postgres.sh start DIR`, which prints the URL)"
        );
        eprintln!(
            "test `{name}` needs PostgreSQL and did not run: set WORKFLOW_POSTGRES_URL \
             (`tools/postgres.sh start DIR` prints one)"
        );
        return None;
    };
    let unique = format!(
        "wf_{}_{}_{:x}",
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            })
            .take(30)
            .collect::<String>(),
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos())
    );
    on_a_runtime_of_its_own({
        let (url, unique) = (url.clone(), unique.clone());
        async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|error| panic!("cannot reach the test server at {url}: {error}"));
            let connection = tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE DATABASE {unique}"))
                .await
                .unwrap_or_else(|error| panic!("cannot create database {unique}: {error}"));
            drop(client);
            let _ = connection.await;
        }
    });
    let config: tokio_postgres::Config = url.parse().expect("a PostgreSQL URL");
    let mut config = config;
    config.dbname(&unique);
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres").to_owned();
    Some(format!("postgresql://{user}@{host}:{port}/{unique}"))
}

/// Runs `future` to its end on a runtime of its own, on a thread of its own (so a test
/// on a tokio runtime can call it).
pub(super) fn on_a_runtime_of_its_own<T: Send + 'static>(
    future: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(future)
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

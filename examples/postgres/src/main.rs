//! A worker process on a `PostgreSQL` journal (`workflow_example_postgres::worker_main`):
//!
//! ```text
//! pg-worker <url> <name> <side file> <lease ms> [<long ms>]
//! ```

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    workflow_example_postgres::worker_main(&args);
}

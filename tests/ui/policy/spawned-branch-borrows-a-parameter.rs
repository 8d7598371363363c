// A spawned branch runs as a tokio task, which may outlive the call: it cannot borrow the
// workflow's `&str` parameter. rustc's error is on the branch that borrows it (here
// `greeting`), not on the whole `workflow!`: give the workflow a `String` (the branch
// owns it with `async move`), or an `Arc<str>` that each branch clones.
use workflow_runtime::workflow;

async fn greet(name: &str) -> String { format!("hello {name}") }
async fn count() -> usize { 3 }

workflow! {
    async fn welcome(name: &str) -> String {
        #[spawn]
        fork <
            visits: count(),
            greeting: greet(name),
        > join(greeting, visits);
        format!("{greeting} ({visits})")
    }
}

fn main() {}

// A durable instance runs as a task of its own: `#[spawn]` has no place in it.
use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[durable]
    async fn spawned(ctx: Context) -> u32 {
        #[spawn]
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

fn main() {}

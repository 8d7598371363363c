// `#[durable]` with a `workflow-runtime` built without its `durable` feature: one error
// on the attribute that says which feature to turn on.
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[durable]
    async fn loan(ctx: u32, id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(ctx) > join(a, b);
        a + b
    }
}

fn main() {}

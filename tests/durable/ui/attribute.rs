// `#[durable]` takes no arguments and is written once.
use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[durable(name = "loans")]
    async fn with_arguments(ctx: Context) -> u32 {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

workflow! {
    #[durable]
    #[durable]
    async fn twice(ctx: Context) -> u32 {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

fn main() {}

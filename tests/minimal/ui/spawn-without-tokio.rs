// `#[spawn]` with a runtime built without tokio: one error on the attribute.
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    async fn both(id: u32) -> u32 {
        #[spawn]
        fork < a: fetch(id), b: fetch(id + 1) > join(a, b);
        a + b
    }
}

fn main() {
    let _ = both(1);
}

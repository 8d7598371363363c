// `#[traced]` with a runtime built without tracing: one error on the attribute, and
// the workflow's callers compile.
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[traced]
    async fn both(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id + 1) > join(a, b);
        a + b
    }
}

fn main() {
    let _ = both(1);
}

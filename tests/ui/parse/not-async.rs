use workflow_runtime::workflow;

fn fetch(id: u32) -> u32 { id }

workflow! {
    fn order(id: u32) -> u32 {
        fetch(id)
    }
}

fn main() {}

// The fallback is an `async fn`: awaiting the workflow adds no second error.
async fn caller() -> u32 {
    order(1).await
}

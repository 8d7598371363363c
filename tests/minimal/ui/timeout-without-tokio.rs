// `#[timeout]` with a runtime built without tokio: one error on the first modifier
// that needs it, and the workflow's callers compile.
use workflow_runtime::workflow;

async fn fetch(id: u32) -> Result<u32, String> {
    Ok(id)
}

workflow! {
    async fn prices(id: u32) -> Result<u32, workflow_runtime::BranchError<String>> {
        fork <
            #[timeout(250ms)] a: fetch(id)?,
            b: #[retry(3)] fetch(id + 1)?,
        > join(a, b)?;
        Ok(a + b)
    }
}

async fn caller() -> u32 {
    prices(1).await.unwrap_or(0)
}

fn main() {
    let _ = caller();
}

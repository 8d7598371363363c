use workflow_runtime::{workflow, BranchError, TimedOut};

async fn call() -> Result<u32, TimedOut> { Ok(1) }

workflow! {
    async fn both() -> Result<u32, BranchError<TimedOut>> {
        fork <
            a: #[retry(3, backoff = 10ms, jitter = true)] call()?,
            b: call()?,
        > join(a, b)?;
        Ok(a + b)
    }
}

fn main() {}

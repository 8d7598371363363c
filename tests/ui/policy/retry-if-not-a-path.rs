use workflow_runtime::{workflow, BranchError, TimedOut};

async fn call() -> Result<u32, TimedOut> { Ok(1) }

workflow! {
    async fn both() -> Result<u32, BranchError<TimedOut>> {
        fork <
            a: #[retry(3, if = |error: &TimedOut| error.after().as_secs() < 1)] call()?,
            b: call()?,
        > join(a, b)?;
        Ok(a + b)
    }
}

fn main() {}

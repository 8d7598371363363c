use workflow_runtime::{workflow, BranchError, TimedOut};

async fn call() -> Result<u32, TimedOut> { Ok(1) }

fn is_transient(_: &std::io::Error) -> bool { true }

workflow! {
    async fn both() -> Result<u32, BranchError<TimedOut>> {
        fork <
            a: #[retry(3, if = is_transient)] call()?,
            b: call()?,
        > join(a, b)?;
        Ok(a + b)
    }
}

fn main() {}

// A step's `#[timeout]` whose error type is `String`: one error, at the `#[timeout]`,
// saying the error type must take a `TimedOut` and what to use instead.
use workflow_runtime::{workflow, BranchError};

async fn call(n: u32) -> Result<u32, String> { Ok(n) }

workflow! {
    async fn both() -> Result<u32, BranchError<String>> {
        fork <
            a: #[timeout(250ms)] call(1)?,
            b: call(2)?,
        > join(a, b)?;
        Ok(a + b)
    }
}

fn main() {}

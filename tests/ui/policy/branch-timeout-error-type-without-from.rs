use workflow_runtime::{workflow, BranchError};

async fn call(n: u32) -> Result<u32, String> { Ok(n) }

workflow! {
    async fn both() -> Result<u32, BranchError<String>> {
        fork <
            #[timeout(1s)]
            a: call(1)?,
            b: call(2)?,
        > join(a, b)?;
        Ok(a + b)
    }
}

fn main() {}

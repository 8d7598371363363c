// Two branches of one fork fail with different error types: one error, at the step that differs.
use workflow_runtime::{workflow, BranchError};

async fn fetch(id: u32) -> Result<u32, String> { Ok(id) }
async fn read(id: u32) -> Result<u32, std::io::Error> { Ok(id) }

workflow! {
    async fn order(id: u32) -> Result<u32, BranchError<String>> {
        fork <
            product: fetch(id)?,
            customer: read(id)?,
        > join(product, customer)?;
        Ok(product + customer)
    }
}

fn main() {}

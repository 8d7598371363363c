use workflow_runtime::{workflow, BranchError};

async fn product(id: u32) -> u32 { id }
async fn customer(id: u32) -> Result<u32, String> { Ok(id) }

workflow! {
    async fn order(id: u32) -> Result<u32, BranchError<String>> {
        fork <
            product: product(id)?,
            customer: customer(id)?,
        > join(product, customer)?;
        Ok(product + customer)
    }
}

fn main() {}

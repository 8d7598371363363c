use workflow_runtime::{workflow, BranchError};

async fn fetch(id: u32) -> Result<u32, String> { Ok(id) }

workflow! {
    async fn order(id: u32) -> Result<u32, BranchError<String>> {
        fork <
            product: fetch(id)?,
            customer: fetch(id)?,
        > join(product, customer);
        Ok(product + customer)
    }
}

fn main() {}

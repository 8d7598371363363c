use workflow_runtime::{workflow, BranchError};

async fn product(id: u32) -> u32 { id }
async fn customer(id: u32) -> Result<u32, String> { Ok(id) }

workflow! {
    async fn order(ids: Vec<u32>) -> Result<u32, BranchError<String>> {
        fork <
            products: for id in ids.clone() => product(id)?,
            customer: customer(1)?,
        > join(products, customer)?;
        Ok(products.len() as u32 + customer)
    }
}

fn main() {}

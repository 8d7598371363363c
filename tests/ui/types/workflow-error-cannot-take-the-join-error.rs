// A workflow returning `Result<_, String>` cannot take the join's `BranchError<String>` (String has no `From` for it, nor can it).
use workflow_runtime::workflow;

async fn fetch(id: u32) -> Result<u32, String> { Ok(id) }

workflow! {
    async fn order(id: u32) -> Result<u32, String> {
        fork <
            product: fetch(id)?,
            customer: fetch(id)?,
        > join(product, customer)?;
        Ok(product + customer)
    }
}

fn main() {}

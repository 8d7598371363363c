use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> Result<u32, String> {
        fork <
            product: fetch(id),
            customer: fetch(id),
        > join(product, customer)?;
        Ok(product + customer)
    }
}

fn main() {}

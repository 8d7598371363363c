use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(raw: &str) -> Result<u32, std::num::ParseIntError> {
        fork <
            product: fetch(raw.parse()?),
            customer: fetch(1),
        > join(product, customer);
        Ok(product + customer)
    }
}

fn main() {}

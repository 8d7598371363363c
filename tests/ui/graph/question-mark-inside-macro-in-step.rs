use workflow_runtime::workflow;

async fn total(items: Vec<u32>) -> u32 { items.iter().sum() }

workflow! {
    async fn order(raw: &str) -> Result<u32, std::num::ParseIntError> {
        fork <
            product: total(vec![raw.parse()?, 1]),
            customer: total(vec![2]),
        > join(product, customer);
        Ok(product + customer)
    }
}

fn main() {}

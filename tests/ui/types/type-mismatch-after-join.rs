use workflow_runtime::workflow;

async fn product(id: u32) -> String { format!("product {id}") }
async fn customer(id: u32) -> u64 { u64::from(id) }

fn ship(product: &str, customer: &str) -> String { format!("{product} to {customer}") }

workflow! {
    async fn order(id: u32) -> String {
        fork <
            product: product(id),
            customer: customer(id),
        > join(product, customer);
        ship(&product, customer)
    }
}

fn main() {}

use workflow_runtime::workflow;

fn product(id: u32) -> String { format!("product {id}") }
async fn customer(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> String {
        fork <
            product: product(id),
            customer: customer(id),
        > join(product, customer);
        format!("{product} {customer}")
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        let product = fetch(id).await;
        join(product);
        product
    }
}

fn main() {}

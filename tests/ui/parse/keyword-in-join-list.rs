use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        fork < product: fetch(id), customer: fetch(id), log: fetch(id) > join(product, async) background(crate);
        product
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn fetch(id: u32) -> Option<u32> { Some(id) }

workflow! {
    async fn order(id: u32) -> u32 {
        fork <
            product: fetch(if id == 0 { return 0 } else { id }),
            customer: fetch(loop { break id }),
            tracking: fetch({ let Some(x) = Some(id) else { return 1 }; x }),
        > join(product, customer, tracking);
        id
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn orders(ids: Vec<u32>) -> u32 {
        let mut total = 0;
        for id in ids {
            total += id;
        }
        fork <
            product: fetch({ if total > 3 { break } total }),
            customer: fetch({ if total > 3 { continue } total }),
        > join(product, customer);
        product + customer
    }
}

fn main() {}

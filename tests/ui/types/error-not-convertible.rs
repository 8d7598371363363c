// The join's `?` converts BranchError<E> with `From`, as any `?` does.
use workflow_runtime::workflow;

#[derive(Debug)]
struct OrderError;

async fn fetch(id: u32) -> Result<u32, String> { Ok(id) }

workflow! {
    async fn order(id: u32) -> Result<u32, OrderError> {
        fork <
            product: fetch(id)?,
            customer: fetch(id)?,
        > join(product, customer)?;
        Ok(product + customer)
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn verify(id: u32) -> String { format!("employee {id}") }
async fn score(years: u32) -> u32 { years * 10 }

workflow! {
    async fn employment(id: u32) -> u32 {
        fork <
            employment: verify(id) -> score,
            credit: score(id),
        > join(employment, credit);
        employment + credit
    }
}

fn main() {}

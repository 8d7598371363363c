use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) {
        let _ = id;
        fork < product: fetch(id), customer: fetch(id) >
    }
}

fn main() {}

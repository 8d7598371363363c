use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        fork < > > join();
        id
    }
}

fn main() {}

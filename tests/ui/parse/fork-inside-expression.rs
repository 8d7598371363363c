use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        if id > 0 {
            fork < a: fetch(id), b: fetch(id) > join(a, b);
        }
        id
    }
}

fn main() {}

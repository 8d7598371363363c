use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn deep(id: u32) -> u32 {
        fork < a: fetch(id), b: async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { async { 1 } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } > join(a, b);
        a + b
    }
}

fn main() {}

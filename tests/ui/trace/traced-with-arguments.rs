use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[traced(level = "debug")]
    async fn prepare(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id) > join(a, b);
        a + b
    }
}

workflow! {
    #[traced]
    #[traced]
    async fn twice(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id) > join(a, b);
        a + b
    }
}

fn main() {}

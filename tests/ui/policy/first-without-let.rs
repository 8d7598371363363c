use workflow_runtime::workflow;

async fn mirror(n: u32) -> u32 { n }

workflow! {
    async fn fastest() -> u32 {
        fork <
            eu: mirror(1),
            us: mirror(2),
        > first(eu, us);
        0
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn mirror(n: u32) -> u32 { n }

workflow! {
    async fn both() -> u32 {
        fork <
            eu: mirror(1),
            us: mirror(2),
            #[timeout(2s)]
        > join(eu, us);
        eu + us
    }
}

fn main() {}

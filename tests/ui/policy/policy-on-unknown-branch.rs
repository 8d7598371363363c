use workflow_runtime::{workflow, Winner};

async fn mirror(n: u32) -> u32 { n }

workflow! {
    async fn fastest() -> Winner<u32> {
        let winner = fork <
            eu: mirror(1),
            us: mirror(2),
        > first(eu, us, asia);
        winner
    }
}

fn main() {}

use workflow_runtime::{workflow, Winner};

async fn replica(n: u32) -> u32 { n }

workflow! {
    async fn majority() -> [Winner<u32>; 4] {
        let winners = fork <
            a: replica(1),
            b: replica(2),
            c: replica(3),
        > quorum(4, a, b, c);
        winners
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn replica(n: u32) -> u32 { n }

workflow! {
    async fn majority() -> [workflow_runtime::Winner<u32>; 2] {
        let winners = fork <
            a: replica(1),
            b: replica(2),
            c: replica(3),
        > quorum(2 a, b, c);
        winners
    }
}

fn main() {}

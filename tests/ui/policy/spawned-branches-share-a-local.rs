// A spawned branch runs as a tokio task: it owns what it uses (`async move`), so two
// branches cannot both take the same local.
use workflow_runtime::workflow;

async fn crunch(data: &[u8]) -> usize { data.len() }

workflow! {
    async fn both() -> usize {
        let data = vec![1, 2, 3];
        #[spawn]
        fork <
            a: crunch(&data),
            b: crunch(&data),
        > join(a, b);
        a + b
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn check(n: u32) -> u32 { n }

workflow! {
    async fn both() -> u32 {
        fork <
            #[limit(4)]
            a: check(1),
            b: check(2),
        > join(a, b);
        a + b
    }
}

fn main() {}

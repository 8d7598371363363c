use workflow_runtime::workflow;

async fn check(n: u32) -> u32 { n }

workflow! {
    async fn all(items: Vec<u32>) -> usize {
        fork <
            #[limit(18446744073709551616)]
            checked: for item in items => check(item),
            other: check(1),
        > join(checked, other);
        checked.len()
    }
}

fn main() {}

// Seed 003's race: two parallel branches both write `counter`. The borrow checker refuses.
use workflow_runtime::workflow;

workflow! {
    async fn count() -> u32 {
        let mut counter = 0;
        fork <
            a: async { counter += 1; 'a' },
            b: async { counter += 1; 'b' },
        > join(a, b);
        println!("{a}{b}");
        counter
    }
}

fn main() {}

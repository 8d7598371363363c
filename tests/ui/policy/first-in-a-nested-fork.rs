use workflow_runtime::workflow;

async fn mirror(n: u32) -> u32 { n }

workflow! {
    async fn nested() -> (u32, u32) {
        fork <
            race: fork <
                eu: mirror(1),
                us: mirror(2),
            > first(eu, us) -> |w: workflow_runtime::Winner<u32>| async move { w.value },
            other: mirror(3),
        > join(race, other);
        (race, other)
    }
}

fn main() {}

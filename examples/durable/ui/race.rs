// A race's winners are not journaled yet: `first`/`quorum` are refused in a durable
// workflow, nested forks included, rather than replayed with other winners.
use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

async fn mirror(id: u32) -> u32 {
    id
}

workflow! {
    #[durable]
    async fn fastest(ctx: Context) -> u32 {
        let winner = fork < eu: mirror(1), us: mirror(2) > first(eu, us);
        winner.value
    }
}

fn main() {}

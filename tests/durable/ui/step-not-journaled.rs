// A durable step's output is journaled with serde: a step whose output is not
// `Serialize + DeserializeOwned` is an error on that step, and on no other.
use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

struct Report {
    pages: u32,
}

async fn fetch(id: u32) -> u32 {
    id
}

async fn report(id: u32) -> Report {
    Report { pages: id }
}

workflow! {
    #[durable]
    async fn reports(ctx: Context, id: u32) -> u32 {
        fork <
            a: fetch(id),
            b: report(id),
        > join(a, b);
        a + b.pages
    }
}

fn main() {}

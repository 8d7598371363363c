// What a durable workflow's signature must be: its context first, owned arguments, no
// generics, a named output. Every mistake is told at once, each on its token.
use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    #[durable]
    async fn no_context() -> u32 {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

workflow! {
    #[durable]
    async fn borrowed(ctx: Context, name: &str, ids: Vec<&'static str>) -> usize {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        name.len() + ids.len() + (a + b) as usize
    }
}

workflow! {
    #[durable]
    async fn generic<T: Clone>(ctx: Context, value: T) -> u32 {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

workflow! {
    #[durable]
    async fn unnamed(ctx: Context) -> impl Sized {
        fork < a: fetch(1), b: fetch(2) > join(a, b);
        a + b
    }
}

fn main() {}

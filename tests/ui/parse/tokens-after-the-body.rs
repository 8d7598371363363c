use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

// A hard parse error after the signature still defines `order` (its fallback), so the
// call in `main` gets no second error.
workflow! {
    async fn order(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id) > join(a, b);
        a + b
    }
    fn stray() {}
}

fn main() {
    let _future = order(1);
}

use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id), c: fetch(id) > join(a, b) background(c d);
        let x = id + 1;
        fork < d: fetch(x), e: fetch(x) >;
        fork < f: #[retry(0)] fetch(x), g: fetch(x) > join(f, g);
        x
    }
}

fn main() {}

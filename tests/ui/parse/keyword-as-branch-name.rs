use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 { id }

workflow! {
    async fn order(id: u32) -> u32 {
        fork <
            fn: fetch(id),
            gen: fetch(id),
            r#type: fetch(id),
            self: fetch(id),
            _: fetch(id),
        > join(fn, gen, r#type, self, _);
        r#type
    }
}

fn main() {}

// A traced workflow holds its body twice (with and without its trace, chosen when it
// starts): an error in a step, in the hand-over or after the join is still told once.
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

async fn score(text: String) -> usize {
    text.len()
}

workflow! {
    #[traced]
    async fn prepare(id: u32) -> u32 {
        fork < a: fetch(id) -> score, b: fetch("7") > join(a, b);
        let unused = a;
        b + "1"
    }
}

fn main() {}

// The graph's writers with a runtime built without the `export` feature: the graph
// constant is there, and each call of a writer is one error on it naming the feature.
use workflow_runtime::graph::Format;
use workflow_runtime::workflow;

async fn fetch(id: u32) -> u32 {
    id
}

workflow! {
    async fn both(id: u32) -> u32 {
        fork < a: fetch(id), b: fetch(id + 1) > join(a, b);
        a + b
    }
}

fn main() {
    let _ = both(1);
    assert_eq!(BOTH_GRAPH.forks[0].branches.len(), 2);
    let _ = BOTH_GRAPH.to_mermaid();
    let _ = BOTH_GRAPH.export(Format::Bpmn);
}

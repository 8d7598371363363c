use workflow_runtime::workflow;

fn fetch(id: u32) -> u32 { id }

workflow! {
    fn order(id: u32) -> u32 {
        fetch(id)
    }
}

fn main() {}

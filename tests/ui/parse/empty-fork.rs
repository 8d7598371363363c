use workflow_runtime::workflow;

workflow! {
    async fn nothing() {
        fork < > join();
    }
}

fn main() {}

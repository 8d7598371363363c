// The hidden macro behind `workflow!` takes the runtime's path first (`workflow!`
// passes `$crate`); called directly with something else, it says what to call.
workflow_runtime::__private::workflow_impl! {
    (::workflow_runtime<join>)
    async fn order(id: u32) -> u32 {
        id
    }
}

fn main() {}

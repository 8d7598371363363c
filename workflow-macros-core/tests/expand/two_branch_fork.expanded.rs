/// The graph of the workflow `dropship`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const DROPSHIP_GRAPH: ::workflow_runtime::graph::Workflow = {
    const __WORKFLOW_FILE: &str = ::core::file!();
    const __WORKFLOW_PLAIN: ::workflow_runtime::graph::Modifiers =
        ::workflow_runtime::graph::Modifiers::new(false, ::core::option::Option::None, ::core::option::Option::None);
    const fn __workflow_at(__workflow_line: u32, __workflow_column: u32) -> ::workflow_runtime::graph::Location {
        ::workflow_runtime::graph::Location::new(__WORKFLOW_FILE, __workflow_line, __workflow_column)
    }
    const fn __workflow_task(
        __workflow_name: &'static str,
        __workflow_code: &'static str,
        __workflow_line: u32,
        __workflow_column: u32,
        __workflow_fallible: bool,
        __workflow_id: &'static str,
    ) -> ::workflow_runtime::graph::Step {
        ::workflow_runtime::graph::Step::Task(
            ::workflow_runtime::graph::Task::new(
                __workflow_name,
                __workflow_code,
                __workflow_at(__workflow_line, __workflow_column),
                __workflow_fallible,
                __WORKFLOW_PLAIN,
            )
            .with_id(__workflow_id),
        )
    }
    ::workflow_runtime::graph::Workflow::new(
        "dropship",
        __workflow_at(3u32, 14u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(4u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "product",
                    "product",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "product",
                        "product(order)",
                        5u32,
                        18u32,
                        false,
                        "0.product.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "customer",
                    "customer",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "customer",
                        "customer(order)",
                        6u32,
                        19u32,
                        false,
                        "0.customer.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(7u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["product", "customer"],
                &[],
                false,
            ),
        )],
    )
};
/// Fetch what the dropshipper needs at the same time, then send it.
pub async fn dropship(order: u32) -> String {
    let (product, customer) = ::workflow_runtime::__private::named_join!(
        ["product", "customer"],
        __workflow_branch0 = ::workflow_runtime::__private::IntoFuture::into_future(product(order)),
        __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(customer(order))
    );
    format!("send {product} to {customer}")
}

///The graph of the workflow `dropship`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const DROPSHIP_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "dropship",
    ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 14u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 5u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "product",
                "product",
                ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "product",
                        "product(order)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 18u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.product.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "customer",
                "customer",
                ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "customer",
                        "customer(order)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 19u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.customer.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["product", "customer"],
            &[],
            false,
        ),
    )],
);
/// Fetch what the dropshipper needs at the same time, then send it.
pub async fn dropship(order: u32) -> String {
    let (product, customer) = ::workflow_runtime::__private::join!(
        ::workflow_runtime::__private::IntoFuture::into_future(product(order)),
        ::workflow_runtime::__private::IntoFuture::into_future(customer(order))
    );
    format!("send {product} to {customer}")
}

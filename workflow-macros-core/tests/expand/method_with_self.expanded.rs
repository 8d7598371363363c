///The graph of the workflow `order`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const ORDER_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "order",
    ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 10u32),
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
                        "self.product(id)",
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
                "again",
                "again",
                ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "product",
                        "self.product(id + 1)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 16u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.again.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["product", "again"],
            &[],
            false,
        ),
    )],
);
/// Two products of this shop at once.
async fn order(&self, id: u32) -> String {
    let (product, again) = ::workflow_runtime::__private::join!(
        ::workflow_runtime::__private::IntoFuture::into_future(self.product(id)),
        ::workflow_runtime::__private::IntoFuture::into_future(self.product(id + 1))
    );
    format!("{product} {again}")
}

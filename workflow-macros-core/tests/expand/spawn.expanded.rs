///The graph of the workflow `parallel`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const PARALLEL_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "parallel",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 5u32),
        true,
        &[
            ::workflow_runtime::graph::Branch::new(
                "left",
                "left",
                ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "block",
                        "async move { crunch(&b1, 1) }",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 15u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.left.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "right",
                "right",
                ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "block",
                        "async move { crunch(&b2, 2) }",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 16u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.right.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 8u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["left", "right"],
            &[],
            false,
        ),
    )],
);
async fn parallel(barrier: Arc<Barrier>) -> (u64, u64) {
    let (b1, b2) = (barrier.clone(), barrier);
    let (left, right) = ::workflow_runtime::__private::join!(
        ::workflow_runtime::__private::spawn_branch("left", async move {
            ::workflow_runtime::__private::IntoFuture::into_future(async move { crunch(&b1, 1) }).await
        }),
        ::workflow_runtime::__private::spawn_branch("right", async move {
            ::workflow_runtime::__private::IntoFuture::into_future(async move { crunch(&b2, 2) }).await
        })
    );
    (left, right)
}

/// The graph of the workflow `parallel`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const PARALLEL_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "parallel",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(5u32, 5u32),
            true,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "left",
                    "left",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "left",
                        "async move { crunch(&b1, 1) }",
                        6u32,
                        15u32,
                        false,
                        "0.left.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "right",
                    "right",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "right",
                        "async move { crunch(&b2, 2) }",
                        7u32,
                        16u32,
                        false,
                        "0.right.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(8u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["left", "right"],
                &[],
                false,
            ),
        )],
    )
};
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

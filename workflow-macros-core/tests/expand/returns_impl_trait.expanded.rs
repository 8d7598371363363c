/// The graph of the workflow `displayed`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const DISPLAYED_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "displayed",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "a",
                    "a",
                    __workflow_at(3u32, 12u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("after", "after(10, 1)", 3u32, 15u32, false, "0.a.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b",
                    "b",
                    __workflow_at(3u32, 29u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("after", "after(20, 2)", 3u32, 32u32, false, "0.b.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(3u32, 47u32),
                ::workflow_runtime::graph::Policy::All,
                &["a", "b"],
                &[],
                false,
            ),
        )],
    )
};
async fn displayed() -> impl std::fmt::Display {
    let (a, b) = ::workflow_runtime::__private::named_join!(
        ["a", "b"],
        __workflow_branch0 = ::workflow_runtime::__private::IntoFuture::into_future(after(10, 1)),
        __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(after(20, 2))
    );
    a + b
}

///The graph of the workflow `displayed`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const DISPLAYED_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "displayed",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 5u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "a",
                "a",
                ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 12u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "after",
                        "after(10, 1)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 15u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.a.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "b",
                "b",
                ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 29u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "after",
                        "after(20, 2)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 32u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.b.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 47u32),
            ::workflow_runtime::graph::Policy::All,
            &["a", "b"],
            &[],
            false,
        ),
    )],
);
async fn displayed() -> impl std::fmt::Display {
    let (a, b) = ::workflow_runtime::__private::join!(
        ::workflow_runtime::__private::IntoFuture::into_future(after(10, 1)),
        ::workflow_runtime::__private::IntoFuture::into_future(after(20, 2))
    );
    a + b
}

///The graph of the workflow `reordered`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const REORDERED_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "reordered",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 27u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "a",
                "a",
                ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "load_u32",
                        "load_u32()",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 12u32),
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
                ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "load_u8",
                        "load_u8()",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 12u32),
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
            ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["b", "a"],
            &[],
            false,
        ),
    )],
);
async fn reordered() -> (u8, u32) {
    let (second, first) = {
        let (a, b) = ::workflow_runtime::__private::join!(
            ::workflow_runtime::__private::IntoFuture::into_future(load_u32()),
            ::workflow_runtime::__private::IntoFuture::into_future(load_u8())
        );
        (b, a)
    };
    (second, first)
}

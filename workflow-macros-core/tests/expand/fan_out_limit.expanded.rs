///The graph of the workflow `scores`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const SCORES_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "scores",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 5u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "scored",
                "scored",
                ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 9u32),
                ::core::option::Option::Some(::workflow_runtime::graph::FanOut::new(
                    "item",
                    "items",
                    ::core::option::Option::Some("4"),
                )),
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "score",
                        "score(item)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 38u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.scored.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "audit",
                "audit",
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
                        "async { \"..\" }",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 16u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.audit.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["scored", "audit"],
            &[],
            false,
        ),
    )],
);
async fn scores(items: Vec<u64>) -> (Vec<u64>, &'static str) {
    let (scored, audit) = ::workflow_runtime::__private::join!(
        ::workflow_runtime::__private::fan_out(items, ::core::option::Option::Some(4usize), |item| {
            ::workflow_runtime::__private::IntoFuture::into_future(score(item))
        }),
        ::workflow_runtime::__private::IntoFuture::into_future(async { "logged" })
    );
    (scored, audit)
}

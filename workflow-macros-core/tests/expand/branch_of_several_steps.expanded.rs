///The graph of the workflow `pipeline`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const PIPELINE_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "pipeline",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 5u32),
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
                &[
                    ::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "f",
                            "f(id)",
                            ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 12u32),
                            false,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::None,
                                ::core::option::Option::None,
                            ),
                        )
                        .with_id("0.a.0"),
                    ),
                    ::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "g",
                            "g",
                            ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 21u32),
                            false,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::None,
                                ::core::option::Option::None,
                            ),
                        )
                        .with_id("0.a.1"),
                    ),
                    ::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "closure",
                            "|x| h(x)",
                            ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 26u32),
                            false,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::None,
                                ::core::option::Option::None,
                            ),
                        )
                        .with_id("0.a.2"),
                    ),
                ],
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
                        "load",
                        "load(id)",
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
            &["a", "b"],
            &[],
            false,
        ),
    )],
);
async fn pipeline(id: u32) -> u32 {
    let (a, b) = ::workflow_runtime::__private::join!(
        async {
            let __workflow_value2 = {
                let __workflow_future1 = ::workflow_runtime::__private::IntoFuture::into_future(f(id));
                __workflow_future1
            }
            .await;
            let __workflow_value4 = {
                let __workflow_future3 = ::workflow_runtime::__private::IntoFuture::into_future(
                    ::workflow_runtime::__private::call1(__workflow_value2, g),
                );
                __workflow_future3
            }
            .await;
            {
                let __workflow_future5 = ::workflow_runtime::__private::IntoFuture::into_future(
                    ::workflow_runtime::__private::call1(__workflow_value4, |x| h(x)),
                );
                __workflow_future5
            }
            .await
        },
        ::workflow_runtime::__private::IntoFuture::into_future(load(id))
    );
    a + b
}

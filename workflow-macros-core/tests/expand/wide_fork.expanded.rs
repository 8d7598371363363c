/// The graph of the workflow `wide`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const WIDE_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "wide",
        __workflow_at(3u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(4u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "b0",
                    "b0",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id)", 5u32, 13u32, true, "0.b0.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b1",
                    "b1",
                    __workflow_at(5u32, 25u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 1)", 5u32, 29u32, true, "0.b1.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b2",
                    "b2",
                    __workflow_at(5u32, 45u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 2)", 5u32, 49u32, true, "0.b2.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b3",
                    "b3",
                    __workflow_at(5u32, 65u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("plain", "plain(id)", 5u32, 69u32, false, "0.b3.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b4",
                    "b4",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 4)", 6u32, 13u32, true, "0.b4.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b5",
                    "b5",
                    __workflow_at(6u32, 29u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 5)", 6u32, 33u32, true, "0.b5.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b6",
                    "b6",
                    __workflow_at(6u32, 49u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 6)", 6u32, 53u32, true, "0.b6.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b7",
                    "b7",
                    __workflow_at(6u32, 69u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 7)", 6u32, 73u32, true, "0.b7.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b8",
                    "b8",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[
                        __workflow_task("score", "score(id + 8)", 7u32, 13u32, true, "0.b8.0"),
                        __workflow_task("double", "double", 7u32, 31u32, true, "0.b8.1"),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b9",
                    "b9",
                    __workflow_at(7u32, 40u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 9)", 7u32, 44u32, true, "0.b9.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b10",
                    "b10",
                    __workflow_at(7u32, 60u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id + 10)", 7u32, 65u32, true, "0.b10.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(8u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10"],
                &[],
                true,
            ),
        )],
    )
};
async fn wide(id: u64) -> Result<u64, BranchError<String>> {
    #[diagnostic::on_unimplemented(
        message = "this branch fails with `{G}`, but branch `b0` of the same fork fails with `{Self}`",
        label = "`b0` fails with `{Self}`, this step with `{G}`",
        note = "the branches of a fork joined with `?` fail with one error type: convert this step's error where it is made (`async { step.await.map_err(..) }?`), or give both steps one error type of your own with a `From` impl for each"
    )]
    trait __WorkflowSameError1<G>: ::core::marker::Sized {
        fn same(__workflow_error: G, _: ::workflow_runtime::__private::Errors<Self>) -> Self;
    }
    impl<E> __WorkflowSameError1<E> for E {
        #[inline]
        fn same(__workflow_error: E, _: ::workflow_runtime::__private::Errors<E>) -> E {
            __workflow_error
        }
    }
    let __workflow_errors1 = ::workflow_runtime::__private::errors();
    let ((b0, b1, b2, b3, b4), (b5, b6, b7, b8, b9), b10) = match ::workflow_runtime::__private::named_try_join3(
        {
            fn __workflow_paths() -> [&'static str; 3usize] {
                ["", "", "b10"]
            }
            __workflow_paths
        },
        ::workflow_runtime::__private::named_try_join5(
            {
                fn __workflow_paths() -> [&'static str; 5usize] {
                    ["b0", "b1", "b2", "b3", "b4"]
                }
                __workflow_paths
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::first_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b0", score(id)),
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b1", score(id + 1)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b2", score(id + 2)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::ok_branch::<_, _>(
                    ::workflow_runtime::__private::IntoFuture::into_future(plain(id)),
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b4", score(id + 4)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
        ),
        ::workflow_runtime::__private::named_try_join5(
            {
                fn __workflow_paths() -> [&'static str; 5usize] {
                    ["b5", "b6", "b7", "b8", "b9"]
                }
                __workflow_paths
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b5", score(id + 5)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b6", score(id + 6)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b7", score(id + 7)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    async {
                        let __workflow_output6 = {
                            let __workflow_future2 =
                                ::workflow_runtime::__private::IntoFuture::into_future(score(id + 8));
                            __workflow_future2
                        }
                        .await;
                        let __workflow_value3 = match ::workflow_runtime::__private::fallible(__workflow_output6) {
                            ::workflow_runtime::__private::Ok(__workflow_ok4) => __workflow_ok4,
                            ::workflow_runtime::__private::Err(__workflow_error5) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("b8", __workflow_error5),
                                );
                            }
                        };
                        let __workflow_output11 = {
                            let __workflow_future7 = ::workflow_runtime::__private::IntoFuture::into_future(
                                ::workflow_runtime::__private::call1(__workflow_value3, double),
                            );
                            __workflow_future7
                        }
                        .await;
                        let __workflow_value8 = match ::workflow_runtime::__private::fallible(__workflow_output11) {
                            ::workflow_runtime::__private::Ok(__workflow_ok9) => __workflow_ok9,
                            ::workflow_runtime::__private::Err(__workflow_error10) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("b8", __workflow_error10),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value8)
                    },
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
            {
                let __workflow_branch = ::workflow_runtime::__private::same_error(
                    __workflow_errors1,
                    ::workflow_runtime::__private::fallible_branch("b9", score(id + 9)),
                    |__workflow_error| {
                        __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
                    },
                );
                __workflow_branch
            },
        ),
        {
            let __workflow_branch = ::workflow_runtime::__private::same_error(
                __workflow_errors1,
                ::workflow_runtime::__private::fallible_branch("b10", score(id + 10)),
                |__workflow_error| __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default()),
            );
            __workflow_branch
        },
    )
    .await
    {
        ::workflow_runtime::__private::Ok(__workflow_ok12) => __workflow_ok12,
        ::workflow_runtime::__private::Err(__workflow_failure13) => {
            return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                __workflow_failure13,
            ));
        }
    };
    Ok(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10)
}

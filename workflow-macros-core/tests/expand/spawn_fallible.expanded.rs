/// The graph of the workflow `checks`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const CHECKS_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "checks",
        __workflow_at(3u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(5u32, 5u32),
            true,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "fraud",
                    "fraud",
                    __workflow_at(5u32, 12u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("score", "score(id)", 5u32, 19u32, true, "0.fraud.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "credit",
                    "credit",
                    __workflow_at(5u32, 31u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("bureau", "bureau(id)", 5u32, 39u32, true, "0.credit.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(5u32, 53u32),
                ::workflow_runtime::graph::Policy::All,
                &["fraud", "credit"],
                &[],
                true,
            ),
        )],
    )
};
async fn checks(id: u64) -> Result<(u64, u64), BranchError<String>> {
    #[diagnostic::on_unimplemented(
        message = "this branch fails with `{G}`, but branch `fraud` of the same fork fails with `{Self}`",
        label = "`fraud` fails with `{Self}`, this step with `{G}`",
        note = "the branches of a fork joined with `?` fail with one error type: convert this step's error where it is made (`async { step.await.map_err(..) }?`), or give both steps one error type of your own with a `From` impl for each"
    )]
    trait __WorkflowSameError2<G>: ::core::marker::Sized {
        fn same(__workflow_error: G, _: ::workflow_runtime::__private::Errors<Self>) -> Self;
    }
    impl<E> __WorkflowSameError2<E> for E {
        #[inline]
        fn same(__workflow_error: E, _: ::workflow_runtime::__private::Errors<E>) -> E {
            __workflow_error
        }
    }
    let __workflow_errors2 = ::workflow_runtime::__private::errors();
    let (fraud, credit) = match {
        let __workflow_tasks1 = ::workflow_runtime::__private::task_fork();
        __workflow_tasks1
            .ended(::workflow_runtime::__private::try_join!(
                ::workflow_runtime::__private::first_error(
                    __workflow_errors2,
                    __workflow_tasks1.spawn("fraud", async move {
                        async {
                            let __workflow_output7 = {
                                let __workflow_future3 =
                                    ::workflow_runtime::__private::IntoFuture::into_future(score(id));
                                __workflow_future3
                            }
                            .await;
                            let __workflow_value4 = match ::workflow_runtime::__private::fallible(__workflow_output7) {
                                ::workflow_runtime::__private::Ok(__workflow_ok5) => __workflow_ok5,
                                ::workflow_runtime::__private::Err(__workflow_error6) => {
                                    return ::workflow_runtime::__private::Err(
                                        ::workflow_runtime::__private::BranchError::new("fraud", __workflow_error6),
                                    );
                                }
                            };
                            ::workflow_runtime::__private::Ok(__workflow_value4)
                        }
                        .await
                    })
                ),
                ::workflow_runtime::__private::same_error(
                    __workflow_errors2,
                    __workflow_tasks1.spawn("credit", async move {
                        async {
                            let __workflow_output12 = {
                                let __workflow_future8 =
                                    ::workflow_runtime::__private::IntoFuture::into_future(bureau(id));
                                __workflow_future8
                            }
                            .await;
                            let __workflow_value9 = match ::workflow_runtime::__private::fallible(__workflow_output12) {
                                ::workflow_runtime::__private::Ok(__workflow_ok10) => __workflow_ok10,
                                ::workflow_runtime::__private::Err(__workflow_error11) => {
                                    return ::workflow_runtime::__private::Err(
                                        ::workflow_runtime::__private::BranchError::new("credit", __workflow_error11),
                                    );
                                }
                            };
                            ::workflow_runtime::__private::Ok(__workflow_value9)
                        }
                        .await
                    }),
                    |__workflow_error| __WorkflowSameError2::same(
                        __workflow_error,
                        ::core::default::Default::default()
                    )
                )
            ))
            .await
    } {
        ::workflow_runtime::__private::Ok(__workflow_ok13) => __workflow_ok13,
        ::workflow_runtime::__private::Err(__workflow_failure14) => {
            return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                __workflow_failure14,
            ));
        }
    };
    Ok((fraud, credit))
}

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
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "credit",
                    "credit",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "check_credit",
                        "check_credit(id)",
                        4u32,
                        17u32,
                        true,
                        "0.credit.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "identity",
                    "identity",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "check_identity",
                        "check_identity(id)",
                        5u32,
                        19u32,
                        true,
                        "0.identity.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(6u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["credit", "identity"],
                &[],
                true,
            ),
        )],
    )
};
async fn checks(id: u32) -> Result<(u32, u32), BranchError<String>> {
    #[diagnostic::on_unimplemented(
        message = "this branch fails with `{G}`, but branch `credit` of the same fork fails with `{Self}`",
        label = "`credit` fails with `{Self}`, this step with `{G}`",
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
    let (credit, identity) = match ::workflow_runtime::__private::named_try_join!(
        ["credit", "identity"],
        __workflow_branch0 = ::workflow_runtime::__private::first_error(__workflow_errors1, async {
            let __workflow_output6 = {
                let __workflow_future2 = ::workflow_runtime::__private::IntoFuture::into_future(check_credit(id));
                __workflow_future2
            }
            .await;
            let __workflow_value3 = match ::workflow_runtime::__private::fallible(__workflow_output6) {
                ::workflow_runtime::__private::Ok(__workflow_ok4) => __workflow_ok4,
                ::workflow_runtime::__private::Err(__workflow_error5) => {
                    return ::workflow_runtime::__private::Err(::workflow_runtime::__private::BranchError::new(
                        "credit",
                        __workflow_error5,
                    ));
                }
            };
            ::workflow_runtime::__private::Ok(__workflow_value3)
        }),
        __workflow_branch1 = ::workflow_runtime::__private::same_error(
            __workflow_errors1,
            async {
                let __workflow_output11 = {
                    let __workflow_future7 = ::workflow_runtime::__private::IntoFuture::into_future(check_identity(id));
                    __workflow_future7
                }
                .await;
                let __workflow_value8 = match ::workflow_runtime::__private::fallible(__workflow_output11) {
                    ::workflow_runtime::__private::Ok(__workflow_ok9) => __workflow_ok9,
                    ::workflow_runtime::__private::Err(__workflow_error10) => {
                        return ::workflow_runtime::__private::Err(::workflow_runtime::__private::BranchError::new(
                            "identity",
                            __workflow_error10,
                        ));
                    }
                };
                ::workflow_runtime::__private::Ok(__workflow_value8)
            },
            |__workflow_error| __WorkflowSameError1::same(__workflow_error, ::core::default::Default::default())
        )
    ) {
        ::workflow_runtime::__private::Ok(__workflow_ok12) => __workflow_ok12,
        ::workflow_runtime::__private::Err(__workflow_failure13) => {
            return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                __workflow_failure13,
            ));
        }
    };
    Ok((credit, identity))
}

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
    let (fraud, credit) = {
        let __workflow_tasks1 = ::workflow_runtime::__private::task_fork();
        __workflow_tasks1
            .ended(::workflow_runtime::__private::try_join!(
                __workflow_tasks1.spawn("fraud", async move {
                    async {
                        let __workflow_output6 = {
                            let __workflow_future2 = ::workflow_runtime::__private::IntoFuture::into_future(score(id));
                            __workflow_future2
                        }
                        .await;
                        let __workflow_value3 = match ::workflow_runtime::__private::fallible(__workflow_output6) {
                            ::workflow_runtime::__private::Ok(__workflow_ok4) => __workflow_ok4,
                            ::workflow_runtime::__private::Err(__workflow_error5) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("fraud", __workflow_error5),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value3)
                    }
                    .await
                }),
                __workflow_tasks1.spawn("credit", async move {
                    async {
                        let __workflow_output11 = {
                            let __workflow_future7 = ::workflow_runtime::__private::IntoFuture::into_future(bureau(id));
                            __workflow_future7
                        }
                        .await;
                        let __workflow_value8 = match ::workflow_runtime::__private::fallible(__workflow_output11) {
                            ::workflow_runtime::__private::Ok(__workflow_ok9) => __workflow_ok9,
                            ::workflow_runtime::__private::Err(__workflow_error10) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("credit", __workflow_error10),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value8)
                    }
                    .await
                })
            ))
            .await
    }?;
    Ok((fraud, credit))
}

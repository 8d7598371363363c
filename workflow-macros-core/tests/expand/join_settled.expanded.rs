/// The graph of the workflow `settled`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const SETTLED_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "settled",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "a",
                    "a",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "fail_after",
                        "fail_after(10, \"..\")",
                        4u32,
                        12u32,
                        true,
                        "0.a.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b",
                    "b",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("io_fail", "io_fail(20)", 5u32, 12u32, true, "0.b.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "c",
                    "c",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("after", "after(30, 3)", 6u32, 12u32, false, "0.c.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(7u32, 7u32),
                ::workflow_runtime::graph::Policy::Settled,
                &["a", "b", "c"],
                &[],
                false,
            ),
        )],
    )
};
async fn settled() -> (
    Result<u32, BranchError<String>>,
    Result<u32, BranchError<std::io::Error>>,
    u32,
) {
    let (a, b, c) = ::workflow_runtime::__private::named_join!(
        ["a", "b", "c"],
        __workflow_branch0 = async {
            let __workflow_output5 = {
                let __workflow_future1 =
                    ::workflow_runtime::__private::IntoFuture::into_future(fail_after(10, "a failed"));
                __workflow_future1
            }
            .await;
            let __workflow_value2 = match ::workflow_runtime::__private::fallible(__workflow_output5) {
                ::workflow_runtime::__private::Ok(__workflow_ok3) => __workflow_ok3,
                ::workflow_runtime::__private::Err(__workflow_error4) => {
                    return ::workflow_runtime::__private::Err(::workflow_runtime::__private::BranchError::new(
                        "a",
                        __workflow_error4,
                    ));
                }
            };
            ::workflow_runtime::__private::Ok(__workflow_value2)
        },
        __workflow_branch1 = async {
            let __workflow_output10 = {
                let __workflow_future6 = ::workflow_runtime::__private::IntoFuture::into_future(io_fail(20));
                __workflow_future6
            }
            .await;
            let __workflow_value7 = match ::workflow_runtime::__private::fallible(__workflow_output10) {
                ::workflow_runtime::__private::Ok(__workflow_ok8) => __workflow_ok8,
                ::workflow_runtime::__private::Err(__workflow_error9) => {
                    return ::workflow_runtime::__private::Err(::workflow_runtime::__private::BranchError::new(
                        "b",
                        __workflow_error9,
                    ));
                }
            };
            ::workflow_runtime::__private::Ok(__workflow_value7)
        },
        __workflow_branch2 = ::workflow_runtime::__private::ok_branch::<_, ::workflow_runtime::__private::Infallible>(
            ::workflow_runtime::__private::IntoFuture::into_future(after(30, 3))
        )
    );
    (a, b, c)
}

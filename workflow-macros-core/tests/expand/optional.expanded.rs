/// The graph of the workflow `notify`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const NOTIFY_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "notify",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "email",
                    "email",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "call_email",
                        "call_email(id)",
                        4u32,
                        16u32,
                        true,
                        "0.email.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "sms",
                    "sms",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    ::workflow_runtime::graph::Modifiers::new(
                        true,
                        ::core::option::Option::None,
                        ::core::option::Option::None,
                    ),
                    &[__workflow_task(
                        "call_sms",
                        "call_sms(id)",
                        6u32,
                        14u32,
                        true,
                        "0.sms.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(7u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["email", "sms"],
                &[],
                true,
            ),
        )],
    )
};
async fn notify(id: u32) -> Result<(u32, Option<u32>), BranchError<CallError>> {
    let (email, sms) = match ::workflow_runtime::__private::named_try_join!(
        ["email", "sms"],
        __workflow_branch0 = async {
            let __workflow_output5 = {
                let __workflow_future1 = ::workflow_runtime::__private::IntoFuture::into_future(call_email(id));
                __workflow_future1
            }
            .await;
            let __workflow_value2 = match ::workflow_runtime::__private::fallible(__workflow_output5) {
                ::workflow_runtime::__private::Ok(__workflow_ok3) => __workflow_ok3,
                ::workflow_runtime::__private::Err(__workflow_error4) => {
                    return ::workflow_runtime::__private::Err(::workflow_runtime::__private::BranchError::new(
                        "email",
                        __workflow_error4,
                    ));
                }
            };
            ::workflow_runtime::__private::Ok(__workflow_value2)
        },
        __workflow_branch1 =
            ::workflow_runtime::__private::ok_branch::<_, _>(::workflow_runtime::__private::FutureExt::map(
                async {
                    let __workflow_output10 = {
                        let __workflow_future6 = ::workflow_runtime::__private::IntoFuture::into_future(call_sms(id));
                        __workflow_future6
                    }
                    .await;
                    let __workflow_value7 = match ::workflow_runtime::__private::fallible(__workflow_output10) {
                        ::workflow_runtime::__private::Ok(__workflow_ok8) => __workflow_ok8,
                        ::workflow_runtime::__private::Err(__workflow_error9) => {
                            return ::workflow_runtime::__private::Err(
                                ::workflow_runtime::__private::BranchError::new("sms", __workflow_error9),
                            );
                        }
                    };
                    ::workflow_runtime::__private::Ok(__workflow_value7)
                },
                ::workflow_runtime::__private::Result::ok
            ))
    ) {
        ::workflow_runtime::__private::Ok(__workflow_ok11) => __workflow_ok11,
        ::workflow_runtime::__private::Err(__workflow_failure12) => {
            return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                __workflow_failure12,
            ));
        }
    };
    Ok((email, sms))
}

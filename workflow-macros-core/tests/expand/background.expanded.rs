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
                        "send",
                        "send(log, \"..\")",
                        4u32,
                        16u32,
                        false,
                        "0.email.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "sms",
                    "sms",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "send",
                        "send(log, \"..\")",
                        5u32,
                        14u32,
                        false,
                        "0.sms.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "http",
                    "http",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "send",
                        "send(log, \"..\")",
                        6u32,
                        15u32,
                        false,
                        "0.http.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(7u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["email", "sms"],
                &["http"],
                false,
            ),
        )],
    )
};
async fn notify(log: &RefCell<Vec<&'static str>>) -> bool {
    match ::workflow_runtime::__private::with_background(
        async {
            let (email, sms) = ::workflow_runtime::__private::named_join!(
                ["email", "sms"],
                __workflow_branch0 = ::workflow_runtime::__private::IntoFuture::into_future(send(log, "email")),
                __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(send(log, "sms"))
            );
            ::workflow_runtime::__private::Ok(
                async {
                    if let ::workflow_runtime::__private::Some(__workflow_out2) =
                        ::workflow_runtime::__private::returns::<bool>()
                    {
                        return __workflow_out2;
                    }
                    let __workflow_out2: bool = { email && sms };
                    __workflow_out2
                }
                .await,
            )
        },
        async {
            ::workflow_runtime::__private::named_branch(
                {
                    fn __workflow_path() -> &'static str {
                        "http"
                    }
                    __workflow_path
                },
                ::workflow_runtime::__private::IntoFuture::into_future(send(log, "http")),
            )
            .await;
        },
        ::workflow_runtime::__private::Result::is_err,
    )
    .await
    {
        ::workflow_runtime::__private::Ok(__workflow_ended1)
        | ::workflow_runtime::__private::Err(__workflow_ended1) => __workflow_ended1,
    }
}

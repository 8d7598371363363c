///The graph of the workflow `notify`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const NOTIFY_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "notify",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 5u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "email",
                "email",
                ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "send",
                        "send(log, \"..\")",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 16u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.email.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "sms",
                "sms",
                ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "send",
                        "send(log, \"..\")",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 14u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.sms.0"),
                )],
            ),
            ::workflow_runtime::graph::Branch::new(
                "http",
                "http",
                ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "send",
                        "send(log, \"..\")",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 15u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.http.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["email", "sms"],
            &["http"],
            false,
        ),
    )],
);
async fn notify(log: &RefCell<Vec<&'static str>>) -> bool {
    match ::workflow_runtime::__private::with_background(
        async {
            let (email, sms) = ::workflow_runtime::__private::join!(
                ::workflow_runtime::__private::IntoFuture::into_future(send(log, "email")),
                ::workflow_runtime::__private::IntoFuture::into_future(send(log, "sms"))
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
            ::workflow_runtime::__private::IntoFuture::into_future(send(log, "http")).await;
        },
        ::workflow_runtime::__private::Result::is_err,
    )
    .await
    {
        ::workflow_runtime::__private::Ok(__workflow_ended1)
        | ::workflow_runtime::__private::Err(__workflow_ended1) => __workflow_ended1,
    }
}

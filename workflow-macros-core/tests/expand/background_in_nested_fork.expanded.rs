///The graph of the workflow `fulfil`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const FULFIL_GRAPH: ::workflow_runtime::graph::Workflow = ::workflow_runtime::graph::Workflow::new(
    "fulfil",
    ::workflow_runtime::graph::Location::new(::core::file!(), 2u32, 10u32),
    &[::workflow_runtime::graph::Fork::new(
        ::workflow_runtime::graph::Location::new(::core::file!(), 3u32, 5u32),
        false,
        &[
            ::workflow_runtime::graph::Branch::new(
                "order",
                "order",
                ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[
                    ::workflow_runtime::graph::Step::Fork(::workflow_runtime::graph::Fork::new(
                        ::workflow_runtime::graph::Location::new(::core::file!(), 4u32, 16u32),
                        false,
                        &[
                            ::workflow_runtime::graph::Branch::new(
                                "reserve",
                                "order.reserve",
                                ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 13u32),
                                ::core::option::Option::None,
                                ::workflow_runtime::graph::Modifiers::new(
                                    false,
                                    ::core::option::Option::None,
                                    ::core::option::Option::None,
                                ),
                                &[::workflow_runtime::graph::Step::Task(
                                    ::workflow_runtime::graph::Task::new(
                                        "reserve",
                                        "reserve(id)",
                                        ::workflow_runtime::graph::Location::new(::core::file!(), 5u32, 22u32),
                                        false,
                                        ::workflow_runtime::graph::Modifiers::new(
                                            false,
                                            ::core::option::Option::None,
                                            ::core::option::Option::None,
                                        ),
                                    )
                                    .with_id("0.order.0.reserve.0"),
                                )],
                            ),
                            ::workflow_runtime::graph::Branch::new(
                                "audit",
                                "order.audit",
                                ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 13u32),
                                ::core::option::Option::None,
                                ::workflow_runtime::graph::Modifiers::new(
                                    false,
                                    ::core::option::Option::None,
                                    ::core::option::Option::None,
                                ),
                                &[::workflow_runtime::graph::Step::Task(
                                    ::workflow_runtime::graph::Task::new(
                                        "audit",
                                        "audit(id)",
                                        ::workflow_runtime::graph::Location::new(::core::file!(), 6u32, 20u32),
                                        false,
                                        ::workflow_runtime::graph::Modifiers::new(
                                            false,
                                            ::core::option::Option::None,
                                            ::core::option::Option::None,
                                        ),
                                    )
                                    .with_id("0.order.0.audit.0"),
                                )],
                            ),
                        ],
                        ::workflow_runtime::graph::Join::new(
                            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 11u32),
                            ::workflow_runtime::graph::Policy::All,
                            &["reserve"],
                            &["audit"],
                            false,
                        ),
                    )),
                    ::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "ship",
                            "ship",
                            ::workflow_runtime::graph::Location::new(::core::file!(), 7u32, 46u32),
                            false,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::None,
                                ::core::option::Option::None,
                            ),
                        )
                        .with_id("0.order.1"),
                    ),
                ],
            ),
            ::workflow_runtime::graph::Branch::new(
                "invoice",
                "invoice",
                ::workflow_runtime::graph::Location::new(::core::file!(), 8u32, 9u32),
                ::core::option::Option::None,
                ::workflow_runtime::graph::Modifiers::new(
                    false,
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                ),
                &[::workflow_runtime::graph::Step::Task(
                    ::workflow_runtime::graph::Task::new(
                        "invoice",
                        "invoice(id)",
                        ::workflow_runtime::graph::Location::new(::core::file!(), 8u32, 18u32),
                        false,
                        ::workflow_runtime::graph::Modifiers::new(
                            false,
                            ::core::option::Option::None,
                            ::core::option::Option::None,
                        ),
                    )
                    .with_id("0.invoice.0"),
                )],
            ),
        ],
        ::workflow_runtime::graph::Join::new(
            ::workflow_runtime::graph::Location::new(::core::file!(), 9u32, 7u32),
            ::workflow_runtime::graph::Policy::All,
            &["order", "invoice"],
            &[],
            false,
        ),
    )],
);
async fn fulfil(id: u32) -> (u32, u32) {
    let (order, invoice) = ::workflow_runtime::__private::join!(
        async {
            ::workflow_runtime::__private::with_background(
                async {
                    let (reserve,) = ::workflow_runtime::__private::join!(
                        ::workflow_runtime::__private::IntoFuture::into_future(reserve(id))
                    );
                    {
                        let __workflow_future1 = ::workflow_runtime::__private::IntoFuture::into_future(
                            ::workflow_runtime::__private::call1(reserve, ship),
                        );
                        __workflow_future1
                    }
                    .await
                },
                async {
                    ::workflow_runtime::__private::IntoFuture::into_future(audit(id)).await;
                },
                |_| false,
            )
            .await
        },
        ::workflow_runtime::__private::IntoFuture::into_future(invoice(id))
    );
    (order, invoice)
}

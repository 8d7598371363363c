/// The graph of the workflow `fulfil`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const FULFIL_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "fulfil",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "order",
                    "order",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[
                        ::workflow_runtime::graph::Step::Fork(::workflow_runtime::graph::Fork::new(
                            __workflow_at(4u32, 16u32),
                            false,
                            &[
                                ::workflow_runtime::graph::Branch::new(
                                    "reserve",
                                    "order.reserve",
                                    __workflow_at(5u32, 13u32),
                                    ::core::option::Option::None,
                                    __WORKFLOW_PLAIN,
                                    &[__workflow_task(
                                        "reserve",
                                        "reserve(id)",
                                        5u32,
                                        22u32,
                                        false,
                                        "0.order.0.reserve.0",
                                    )],
                                ),
                                ::workflow_runtime::graph::Branch::new(
                                    "audit",
                                    "order.audit",
                                    __workflow_at(6u32, 13u32),
                                    ::core::option::Option::None,
                                    __WORKFLOW_PLAIN,
                                    &[__workflow_task(
                                        "audit",
                                        "audit(id)",
                                        6u32,
                                        20u32,
                                        false,
                                        "0.order.0.audit.0",
                                    )],
                                ),
                            ],
                            ::workflow_runtime::graph::Join::new(
                                __workflow_at(7u32, 11u32),
                                ::workflow_runtime::graph::Policy::All,
                                &["reserve"],
                                &["audit"],
                                false,
                            ),
                        )),
                        __workflow_task("ship", "ship", 7u32, 46u32, false, "0.order.1"),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "invoice",
                    "invoice",
                    __workflow_at(8u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "invoice",
                        "invoice(id)",
                        8u32,
                        18u32,
                        false,
                        "0.invoice.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(9u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["order", "invoice"],
                &[],
                false,
            ),
        )],
    )
};
async fn fulfil(id: u32) -> (u32, u32) {
    let (order, invoice) = ::workflow_runtime::__private::named_join!(
        ["order", "invoice"],
        __workflow_branch0 = async {
            ::workflow_runtime::__private::with_background(
                async {
                    let (reserve,) = ::workflow_runtime::__private::named_join!(
                        ["order.reserve"],
                        __workflow_branch0 = ::workflow_runtime::__private::IntoFuture::into_future(reserve(id))
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
                    ::workflow_runtime::__private::named_branch(
                        {
                            fn __workflow_path() -> &'static str {
                                "order.audit"
                            }
                            __workflow_path
                        },
                        ::workflow_runtime::__private::IntoFuture::into_future(audit(id)),
                    )
                    .await;
                },
                |_| false,
            )
            .await
        },
        __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(invoice(id))
    );
    (order, invoice)
}

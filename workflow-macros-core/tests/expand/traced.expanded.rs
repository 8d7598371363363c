/// The graph of the workflow `dropship`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const DROPSHIP_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "dropship",
        __workflow_at(5u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(6u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "product",
                    "product",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "product",
                        "product(order)",
                        7u32,
                        18u32,
                        false,
                        "0.product.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "customer",
                    "customer",
                    __workflow_at(8u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "customer",
                        "customer(order)",
                        8u32,
                        19u32,
                        false,
                        "0.customer.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "tracking",
                    "tracking",
                    __workflow_at(9u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[
                        __workflow_task(
                            "new_tracking_number",
                            "new_tracking_number()",
                            9u32,
                            19u32,
                            false,
                            "0.tracking.0",
                        ),
                        __workflow_task(
                            "tracking",
                            "|n| async move { format!(\"..\") }",
                            9u32,
                            44u32,
                            false,
                            "0.tracking.1",
                        ),
                    ],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(10u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["product", "customer", "tracking"],
                &[],
                false,
            ),
        )],
    )
};
async fn dropship(order: u32) -> String {
    let __workflow_span = ::workflow_runtime::__private::trace_workflow(
        "dropship",
        ::workflow_runtime::__private::span_site!(INFO, "dropship"),
    );
    let __workflow_fork_trace1 = ::workflow_runtime::__private::ForkTrace::split(
        ::workflow_runtime::__private::span_site!(INFO, "fork"),
        ::workflow_runtime::__private::Some(&__workflow_span),
        &["product", "customer", "tracking"],
        3usize,
        &[],
        "the join waits for all",
    );
    let (product, customer, tracking) = ::workflow_runtime::__private::named_join!(
        ["product", "customer", "tracking"],
        __workflow_branch0 = __workflow_fork_trace1.arrival(
            0u16,
            ::workflow_runtime::__private::Never,
            false,
            (
                ::workflow_runtime::__private::Some(::workflow_runtime::__private::span_site!(INFO, "product", "step")),
                ::workflow_runtime::__private::Some("product")
            ),
            ::workflow_runtime::__private::IntoFuture::into_future(product(order))
        ),
        __workflow_branch1 = __workflow_fork_trace1.arrival(
            1u16,
            ::workflow_runtime::__private::Never,
            false,
            (
                ::workflow_runtime::__private::Some(::workflow_runtime::__private::span_site!(
                    INFO, "customer", "step"
                )),
                ::workflow_runtime::__private::Some("customer")
            ),
            ::workflow_runtime::__private::IntoFuture::into_future(customer(order))
        ),
        __workflow_branch2 = __workflow_fork_trace1.arrival(
            2u16,
            ::workflow_runtime::__private::Never,
            false,
            (
                ::workflow_runtime::__private::Some(::workflow_runtime::__private::span_site!(INFO, "tracking")),
                ::workflow_runtime::__private::None
            ),
            async {
                let __workflow_value6 = {
                    let __workflow_future5 = ::workflow_runtime::__private::in_span(
                        ::workflow_runtime::__private::IntoFuture::into_future(new_tracking_number()),
                        ::workflow_runtime::__private::trace_span(::workflow_runtime::__private::span_site!(
                            DEBUG,
                            "new_tracking_number"
                        )),
                    );
                    __workflow_future5
                }
                .await;
                {
                    let __workflow_future7 = ::workflow_runtime::__private::in_span(
                        ::workflow_runtime::__private::IntoFuture::into_future(::workflow_runtime::__private::call1(
                            __workflow_value6,
                            |n| async move { format!("#{n}") },
                        )),
                        ::workflow_runtime::__private::trace_span(::workflow_runtime::__private::span_site!(
                            DEBUG, "tracking"
                        )),
                    );
                    __workflow_future7
                }
                .await
            }
        )
    );
    __workflow_fork_trace1.merged(&["product", "customer", "tracking"]);
    format!("send {product} to {customer}, tracking {tracking}")
}

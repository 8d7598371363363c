/// The graph of the workflow `shout`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const SHOUT_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "shout",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "shouted",
                    "shouted",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::Some(::workflow_runtime::graph::FanOut::new(
                        "item",
                        "items.iter()",
                        ::core::option::Option::None,
                    )),
                    __WORKFLOW_PLAIN,
                    &[
                        __workflow_task(
                            "shouted",
                            "async move { item.to_uppercase() }",
                            4u32,
                            46u32,
                            false,
                            "0.shouted.0",
                        ),
                        __workflow_task(
                            "shouted 2",
                            "|s: String| async move { format!(\"..\") }",
                            4u32,
                            84u32,
                            false,
                            "0.shouted.1",
                        ),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "count",
                    "count",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "count",
                        "count(items)",
                        5u32,
                        16u32,
                        false,
                        "0.count.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(6u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["shouted", "count"],
                &[],
                false,
            ),
        )],
    )
};
async fn shout(items: &[String], suffix: &str) -> (Vec<String>, u32) {
    let (shouted, count) = ::workflow_runtime::__private::named_join!(
        ["shouted", "count"],
        __workflow_branch0 =
            ::workflow_runtime::__private::fan_out(items.iter(), ::core::option::Option::None, |item| {
                let __workflow_item_step1 =
                    ::workflow_runtime::__private::IntoFuture::into_future(async move { item.to_uppercase() });
                let __workflow_item_step2 = |s: String| async move { format!("{s}{suffix}") };
                async move {
                    let __workflow_value4 = {
                        let __workflow_future3 = __workflow_item_step1;
                        __workflow_future3
                    }
                    .await;
                    {
                        let __workflow_future5 = ::workflow_runtime::__private::IntoFuture::into_future(
                            ::workflow_runtime::__private::call1(__workflow_value4, __workflow_item_step2),
                        );
                        __workflow_future5
                    }
                    .await
                }
            }),
        __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(count(items))
    );
    (shouted, count)
}

/// The graph of the workflow `pipeline`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const PIPELINE_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "pipeline",
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
                    &[
                        __workflow_task("f", "f(id)", 4u32, 12u32, false, "0.a.0"),
                        __workflow_task("g", "g", 4u32, 21u32, false, "0.a.1"),
                        __workflow_task("a", "|x| h(x)", 4u32, 26u32, false, "0.a.2"),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "b",
                    "b",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("load", "load(id)", 5u32, 12u32, false, "0.b.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(6u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["a", "b"],
                &[],
                false,
            ),
        )],
    )
};
async fn pipeline(id: u32) -> u32 {
    let (a, b) = ::workflow_runtime::__private::named_join!(
        ["a", "b"],
        __workflow_branch0 = async {
            let __workflow_value2 = {
                let __workflow_future1 = ::workflow_runtime::__private::IntoFuture::into_future(f(id));
                __workflow_future1
            }
            .await;
            let __workflow_value4 = {
                let __workflow_future3 = ::workflow_runtime::__private::IntoFuture::into_future(
                    ::workflow_runtime::__private::call1(__workflow_value2, g),
                );
                __workflow_future3
            }
            .await;
            {
                let __workflow_future5 = ::workflow_runtime::__private::IntoFuture::into_future(
                    ::workflow_runtime::__private::call1(__workflow_value4, |x| h(x)),
                );
                __workflow_future5
            }
            .await
        },
        __workflow_branch1 = ::workflow_runtime::__private::IntoFuture::into_future(load(id))
    );
    a + b
}

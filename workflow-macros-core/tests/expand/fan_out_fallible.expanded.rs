/// The graph of the workflow `stock`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const STOCK_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "stock",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "levels",
                    "levels",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::Some(::workflow_runtime::graph::FanOut::new(
                        "sku",
                        "skus.iter()",
                        ::core::option::Option::None,
                    )),
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "check_stock",
                        "check_stock(sku)",
                        4u32,
                        43u32,
                        true,
                        "0.levels.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "audit",
                    "audit",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "audit",
                        "async { \"..\" }",
                        5u32,
                        16u32,
                        false,
                        "0.audit.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(6u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["levels", "audit"],
                &[],
                true,
            ),
        )],
    )
};
async fn stock(skus: &[&str]) -> Result<Vec<u32>, BranchError<String>> {
    let (levels, audit) = match ::workflow_runtime::__private::named_try_join!(
        ["levels", "audit"],
        __workflow_branch0 = async {
            match ::workflow_runtime::__private::try_fan_out(skus.iter(), ::core::option::Option::None, |sku| {
                ::workflow_runtime::__private::fallible_item(::workflow_runtime::__private::IntoFuture::into_future(
                    check_stock(sku),
                ))
            })
            .await
            {
                ::workflow_runtime::__private::Ok(__workflow_outputs2) => {
                    ::workflow_runtime::__private::Ok(__workflow_outputs2)
                }
                ::workflow_runtime::__private::Err((__workflow_index3, __workflow_failure4)) => {
                    ::workflow_runtime::__private::Err(
                        ::workflow_runtime::__private::BranchError::new("levels", __workflow_failure4)
                            .at_index(__workflow_index3),
                    )
                }
            }
        },
        __workflow_branch1 = ::workflow_runtime::__private::ok_branch::<_, _>(
            ::workflow_runtime::__private::IntoFuture::into_future(async { "logged" })
        )
    ) {
        ::workflow_runtime::__private::Ok(__workflow_ok5) => __workflow_ok5,
        ::workflow_runtime::__private::Err(__workflow_failure6) => {
            return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                __workflow_failure6,
            ));
        }
    };
    Ok(levels)
}

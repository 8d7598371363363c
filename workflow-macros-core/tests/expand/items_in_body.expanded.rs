/// The graph of the workflow `with_items`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const WITH_ITEMS_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "with_items",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(10u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "a",
                    "a",
                    __workflow_at(10u32, 12u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("id", "id(x)", 10u32, 15u32, false, "0.a.0")],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "c",
                    "c",
                    __workflow_at(10u32, 22u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "id",
                        "id(Offset(3).get())",
                        10u32,
                        25u32,
                        false,
                        "0.c.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(10u32, 47u32),
                ::workflow_runtime::graph::Policy::All,
                &["a"],
                &["c"],
                false,
            ),
        )],
    )
};
async fn with_items() -> u8 {
    struct Offset(u8);
    impl Offset {
        fn get(&self) -> u8 {
            self.0
        }
    }
    let x = helper();
    fn helper() -> u8 {
        10
    }
    match ::workflow_runtime::__private::with_background(
        async {
            let (a,) = ::workflow_runtime::__private::named_join!(
                ["a"],
                __workflow_branch0 = ::workflow_runtime::__private::IntoFuture::into_future(id(x))
            );
            ::workflow_runtime::__private::Ok(
                async {
                    if let ::workflow_runtime::__private::Some(__workflow_out2) =
                        ::workflow_runtime::__private::returns::<u8>()
                    {
                        return __workflow_out2;
                    }
                    let __workflow_out2: u8 = { a + helper() };
                    __workflow_out2
                }
                .await,
            )
        },
        async {
            ::workflow_runtime::__private::named_branch(
                {
                    fn __workflow_path() -> &'static str {
                        "c"
                    }
                    __workflow_path
                },
                ::workflow_runtime::__private::IntoFuture::into_future(id(Offset(3).get())),
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

/// The graph of the workflow `read_quorum`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const READ_QUORUM_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "read_quorum",
        __workflow_at(2u32, 10u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(3u32, 15u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "eu",
                    "eu",
                    __workflow_at(4u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "replica",
                        "replica(\"..\", 30)",
                        4u32,
                        13u32,
                        false,
                        "0.eu.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "us",
                    "us",
                    __workflow_at(5u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "replica",
                        "replica(\"..\", 10)",
                        5u32,
                        13u32,
                        false,
                        "0.us.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "asia",
                    "asia",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "replica",
                        "replica(\"..\", 20)",
                        6u32,
                        15u32,
                        false,
                        "0.asia.0",
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(7u32, 7u32),
                ::workflow_runtime::graph::Policy::Quorum(2usize),
                &["eu", "us", "asia"],
                &[],
                false,
            ),
        )],
    )
};
async fn read_quorum() -> [Winner<&'static str>; 2] {
    let two = match {
        let mut __workflow_racer1 = ::workflow_runtime::__private::pin!(::workflow_runtime::__private::ok_branch::<
            _,
            ::workflow_runtime::__private::Infallible,
        >(
            ::workflow_runtime::__private::IntoFuture::into_future(replica("eu", 30))
        ));
        let mut __workflow_racer2 = ::workflow_runtime::__private::pin!(::workflow_runtime::__private::ok_branch::<
            _,
            ::workflow_runtime::__private::Infallible,
        >(
            ::workflow_runtime::__private::IntoFuture::into_future(replica("us", 10))
        ));
        let mut __workflow_racer3 = ::workflow_runtime::__private::pin!(::workflow_runtime::__private::ok_branch::<
            _,
            ::workflow_runtime::__private::Infallible,
        >(
            ::workflow_runtime::__private::IntoFuture::into_future(replica("asia", 20))
        ));
        ::workflow_runtime::__private::quorum::<2usize, _, _, _>(
            ["eu", "us", "asia"],
            [
                ::workflow_runtime::__private::racer(__workflow_racer1.as_mut()),
                ::workflow_runtime::__private::racer(__workflow_racer2.as_mut()),
                ::workflow_runtime::__private::racer(__workflow_racer3.as_mut()),
            ],
        )
        .await
    } {
        ::workflow_runtime::__private::Ok(__workflow_won4) => __workflow_won4,
        ::workflow_runtime::__private::Err(__workflow_never5) => match __workflow_never5.into_error() {},
    };
    two
}

/// The graph of the workflow `fastest`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const FASTEST_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "fastest",
        __workflow_at(4u32, 14u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(5u32, 18u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "eu",
                    "eu",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "replica",
                        "replica(\"..\", id)",
                        6u32,
                        13u32,
                        true,
                        "0.eu.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "us",
                    "us",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[
                        __workflow_task("replica", "replica(\"..\", id)", 7u32, 13u32, false, "0.us.0"),
                        __workflow_task("check", "check", 7u32, 34u32, false, "0.us.1"),
                    ],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(8u32, 7u32),
                ::workflow_runtime::graph::Policy::First,
                &["eu", "us"],
                &[],
                true,
            ),
        )],
    )
};
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __workflow_durable_fastest;
impl ::workflow_runtime::__private::durable::Workflow for __workflow_durable_fastest {
    const NAME: &'static str = "fastest";
    const STEPS: &'static [&'static str] = &["0", "0.eu.0", "0.us.0", "0.us.1"];
    type Args = (u32,);
    type Output = Result<String, BranchError<String>>;
    const SIGNALS: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::Some(&[]);
    #[allow(unused_mut, unreachable_code, clippy::all)]
    fn run(
        __workflow_ctx: ::workflow_runtime::__private::durable::Context,
        __workflow_args: Self::Args,
    ) -> ::workflow_runtime::__private::durable::BoxFuture<Self::Output> {
        let (id,) = __workflow_args;
        ::workflow_runtime::__private::durable::boxed(async move {
            if let ::workflow_runtime::__private::Some(__workflow_out) =
                ::workflow_runtime::__private::returns::<Self::Output>()
            {
                return __workflow_out;
            }
            let __workflow_out: Self::Output = {
                let ctx: Context = __workflow_ctx;
                let __workflow_ctx = &ctx;
                let winner = match {
                    let mut __workflow_racer10 = ::workflow_runtime::__private::pin!(async {
                        let __workflow_output5 = {
                            let __workflow_future1 = ::workflow_runtime::__private::durable::try_step(
                                __workflow_ctx,
                                "0.eu.0",
                                ::workflow_runtime::__private::IntoFuture::into_future(replica("eu", id)),
                            );
                            __workflow_future1
                        }
                        .await;
                        let __workflow_value2 = match ::workflow_runtime::__private::fallible(__workflow_output5) {
                            ::workflow_runtime::__private::Ok(__workflow_ok3) => __workflow_ok3,
                            ::workflow_runtime::__private::Err(__workflow_error4) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("eu", __workflow_error4),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value2)
                    });
                    let mut __workflow_racer11 =
                        ::workflow_runtime::__private::pin!(::workflow_runtime::__private::ok_branch::<_, _>(async {
                            let __workflow_value7 = {
                                let __workflow_future6 = ::workflow_runtime::__private::durable::step(
                                    __workflow_ctx,
                                    "0.us.0",
                                    ::workflow_runtime::__private::IntoFuture::into_future(replica("us", id)),
                                );
                                __workflow_future6
                            }
                            .await;
                            {
                                let __workflow_future8 = ::workflow_runtime::__private::durable::step(
                                    __workflow_ctx,
                                    "0.us.1",
                                    ::workflow_runtime::__private::IntoFuture::into_future(
                                        ::workflow_runtime::__private::call1(__workflow_value7, check),
                                    ),
                                );
                                __workflow_future8
                            }
                            .await
                        }));
                    ::workflow_runtime::__private::durable::first(
                        __workflow_ctx,
                        "0",
                        ["eu", "us"],
                        [
                            ::workflow_runtime::__private::durable::racer(__workflow_racer10.as_mut()),
                            ::workflow_runtime::__private::durable::racer(__workflow_racer11.as_mut()),
                        ],
                    )
                    .await
                } {
                    ::workflow_runtime::__private::Ok(__workflow_ok12) => __workflow_ok12,
                    ::workflow_runtime::__private::Err(__workflow_failure13) => {
                        return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                            __workflow_failure13,
                        ));
                    }
                };
                Ok(winner.value)
            };
            __workflow_out
        })
    }
    fn failure(output: &Self::Output) -> ::core::option::Option<::std::string::String> {
        ::workflow_runtime::__private::durable::failure_of(output)
    }
}
/// A durable race: the decision journaled under the fork's id (`0`, listed in `STEPS`),
/// the branches pinned and raced by `durable::first`.
pub fn fastest(id: u32) -> ::workflow_runtime::__private::durable::Start<__workflow_durable_fastest> {
    ::workflow_runtime::__private::durable::Start::new((id,))
}

/// The graph of the workflow `timers`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const TIMERS_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "timers",
        __workflow_at(5u32, 14u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(6u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "call",
                    "call",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "call",
                            "call(id)",
                            __workflow_at(7u32, 59u32),
                            true,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::Some("500ms"),
                                ::core::option::Option::Some("3, backoff = 2s"),
                            ),
                        )
                        .with_id("0.call.0"),
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "slow",
                    "slow",
                    __workflow_at(9u32, 9u32),
                    ::core::option::Option::None,
                    ::workflow_runtime::graph::Modifiers::new(
                        false,
                        ::core::option::Option::Some("30s"),
                        ::core::option::Option::None,
                    ),
                    &[
                        __workflow_task("fetch", "fetch(id)", 9u32, 15u32, true, "0.slow.0"),
                        __workflow_task("check", "check", 9u32, 29u32, false, "0.slow.1"),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "scans",
                    "scans",
                    __workflow_at(11u32, 9u32),
                    ::core::option::Option::Some(::workflow_runtime::graph::FanOut::new(
                        "file",
                        "files",
                        ::core::option::Option::None,
                    )),
                    ::workflow_runtime::graph::Modifiers::new(
                        false,
                        ::core::option::Option::Some("60s"),
                        ::core::option::Option::None,
                    ),
                    &[::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "scan",
                            "scan(file)",
                            __workflow_at(11u32, 52u32),
                            true,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::Some("5s"),
                                ::core::option::Option::None,
                            ),
                        )
                        .with_id("0.scans.0"),
                    )],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(12u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["call", "slow", "scans"],
                &[],
                true,
            ),
        )],
    )
};
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __workflow_durable_timers;
impl ::workflow_runtime::__private::durable::Workflow for __workflow_durable_timers {
    const NAME: &'static str = "timers";
    const STEPS: &'static [&'static str] = &["0.call.0", "0.slow", "0.slow.0", "0.slow.1", "0.scans", "0.scans.0"];
    type Args = (u32, Vec<String>);
    type Output = Result<(u32, u32, usize), BranchError<CallError>>;
    const SIGNALS: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::Some(&[]);
    #[allow(unused_mut, unreachable_code, clippy::all)]
    fn run(
        __workflow_ctx: ::workflow_runtime::__private::durable::Context,
        __workflow_args: Self::Args,
    ) -> ::workflow_runtime::__private::durable::BoxFuture<Self::Output> {
        let (id, files) = __workflow_args;
        ::workflow_runtime::__private::durable::boxed(async move {
            if let ::workflow_runtime::__private::Some(__workflow_out) =
                ::workflow_runtime::__private::returns::<Self::Output>()
            {
                return __workflow_out;
            }
            let __workflow_out: Self::Output = {
                let ctx: Context = __workflow_ctx;
                let __workflow_ctx = &ctx;
                let (call, slow, scans) = match ::workflow_runtime::__private::named_try_join!(
                    ["call", "slow", "scans"],
                    __workflow_branch0 = async {
                        let __workflow_output5 = {
                            let __workflow_future1 = ::workflow_runtime::__private::durable::retry(
                                __workflow_ctx,
                                "0.call.0",
                                3u32,
                                ::core::time::Duration::new(2u64, 0u32),
                                || {
                                    ::workflow_runtime::__private::durable::try_step(
                                        __workflow_ctx,
                                        "0.call.0",
                                        ::workflow_runtime::__private::durable::timeout(
                                            __workflow_ctx,
                                            ::core::time::Duration::new(0u64, 500000000u32),
                                            ::workflow_runtime::__private::IntoFuture::into_future(call(id)),
                                            |t| ::workflow_runtime::__private::timed_out(t),
                                        ),
                                    )
                                },
                            );
                            __workflow_future1
                        }
                        .await;
                        let __workflow_value2 = match ::workflow_runtime::__private::fallible(__workflow_output5) {
                            ::workflow_runtime::__private::Ok(__workflow_ok3) => __workflow_ok3,
                            ::workflow_runtime::__private::Err(__workflow_error4) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("call", __workflow_error4),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value2)
                    },
                    __workflow_branch1 = ::workflow_runtime::__private::durable::timeout_branch::<_, _>(
                        __workflow_ctx,
                        "0.slow",
                        "slow",
                        ::core::time::Duration::new(30u64, 0u32),
                        async {
                            let __workflow_output10 = {
                                let __workflow_future6 = ::workflow_runtime::__private::durable::try_step(
                                    __workflow_ctx,
                                    "0.slow.0",
                                    ::workflow_runtime::__private::IntoFuture::into_future(fetch(id)),
                                );
                                __workflow_future6
                            }
                            .await;
                            let __workflow_value7 = match ::workflow_runtime::__private::fallible(__workflow_output10) {
                                ::workflow_runtime::__private::Ok(__workflow_ok8) => __workflow_ok8,
                                ::workflow_runtime::__private::Err(__workflow_error9) => {
                                    return ::workflow_runtime::__private::Err(
                                        ::workflow_runtime::__private::BranchError::new("slow", __workflow_error9),
                                    );
                                }
                            };
                            let __workflow_value12 = {
                                let __workflow_future11 = ::workflow_runtime::__private::durable::step(
                                    __workflow_ctx,
                                    "0.slow.1",
                                    ::workflow_runtime::__private::IntoFuture::into_future(
                                        ::workflow_runtime::__private::call1(__workflow_value7, check),
                                    ),
                                );
                                __workflow_future11
                            }
                            .await;
                            ::workflow_runtime::__private::Ok(__workflow_value12)
                        },
                        |t| ::workflow_runtime::__private::timed_out(t),
                    ),
                    __workflow_branch2 = ::workflow_runtime::__private::durable::timeout_branch::<_, _>(
                        __workflow_ctx,
                        "0.scans",
                        "scans",
                        ::core::time::Duration::new(60u64, 0u32),
                        async {
                            match ::workflow_runtime::__private::try_fan_out(
                                ::workflow_runtime::__private::durable::limited_items(
                                    __workflow_ctx,
                                    "0.scans",
                                    files,
                                    ::core::option::Option::None,
                                ),
                                ::core::option::Option::None,
                                |(__workflow_scope, file)| {
                                    let __workflow_item_step13 =
                                        ::workflow_runtime::__private::IntoFuture::into_future(scan(file));
                                    ::workflow_runtime::__private::durable::scoped(__workflow_scope, async move {
                                        let __workflow_output18 = {
                                            let __workflow_future14 = ::workflow_runtime::__private::durable::try_step(
                                                __workflow_ctx,
                                                "0.scans.0",
                                                ::workflow_runtime::__private::durable::timeout(
                                                    __workflow_ctx,
                                                    ::core::time::Duration::new(5u64, 0u32),
                                                    __workflow_item_step13,
                                                    |t| ::workflow_runtime::__private::timed_out(t),
                                                ),
                                            );
                                            __workflow_future14
                                        }
                                        .await;
                                        let __workflow_value15 =
                                            match ::workflow_runtime::__private::fallible(__workflow_output18) {
                                                ::workflow_runtime::__private::Ok(__workflow_ok16) => __workflow_ok16,
                                                ::workflow_runtime::__private::Err(__workflow_error17) => {
                                                    return ::workflow_runtime::__private::Err(
                                                        ::workflow_runtime::__private::BranchError::new(
                                                            "scans",
                                                            __workflow_error17,
                                                        ),
                                                    );
                                                }
                                            };
                                        ::workflow_runtime::__private::Ok(__workflow_value15)
                                    })
                                },
                            )
                            .await
                            {
                                ::workflow_runtime::__private::Ok(__workflow_outputs19) => {
                                    ::workflow_runtime::__private::Ok(__workflow_outputs19)
                                }
                                ::workflow_runtime::__private::Err((__workflow_index20, __workflow_failure21)) => {
                                    ::workflow_runtime::__private::Err(
                                        __workflow_failure21.at_index(__workflow_index20),
                                    )
                                }
                            }
                        },
                        |t| ::workflow_runtime::__private::timed_out(t),
                    )
                ) {
                    ::workflow_runtime::__private::Ok(__workflow_ok22) => __workflow_ok22,
                    ::workflow_runtime::__private::Err(__workflow_failure23) => {
                        return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                            __workflow_failure23,
                        ));
                    }
                };
                Ok((call, slow, scans.len()))
            };
            __workflow_out
        })
    }
    fn failure(output: &Self::Output) -> ::core::option::Option<::std::string::String> {
        ::workflow_runtime::__private::durable::failure_of(output)
    }
}
/// A durable workflow's timers: a step's `#[timeout]` and `#[retry]` and a branch's
/// `#[timeout]` journal their deadlines and next attempt times; a timed branch's id
/// (once, also for a fan-out) is in `STEPS`.
pub fn timers(id: u32, files: Vec<String>) -> ::workflow_runtime::__private::durable::Start<__workflow_durable_timers> {
    ::workflow_runtime::__private::durable::Start::new((id, files))
}

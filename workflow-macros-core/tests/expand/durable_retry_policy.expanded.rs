/// The graph of the workflow `jittered`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const JITTERED_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "jittered",
        __workflow_at(4u32, 14u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(5u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "call",
                    "call",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[::workflow_runtime::graph::Step::Task(
                        ::workflow_runtime::graph::Task::new(
                            "call",
                            "call(id)",
                            __workflow_at(6u32, 78u32),
                            true,
                            ::workflow_runtime::graph::Modifiers::new(
                                false,
                                ::core::option::Option::None,
                                ::core::option::Option::Some("3, backoff = 2s, max = 5s, jitter, if = is_transient"),
                            ),
                        )
                        .with_id("0.call.0"),
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "other",
                    "other",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("call", "call(id)", 7u32, 16u32, true, "0.other.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(8u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["call", "other"],
                &[],
                true,
            ),
        )],
    )
};
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __workflow_durable_jittered;
impl ::workflow_runtime::__private::durable::Workflow for __workflow_durable_jittered {
    const NAME: &'static str = "jittered";
    const STEPS: &'static [&'static str] = &["0.call.0", "0.other.0"];
    type Args = (u32,);
    type Output = Result<(u32, u32), BranchError<CallError>>;
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
                let (call, other) = match ::workflow_runtime::__private::named_try_join!(
                    ["call", "other"],
                    __workflow_branch0 = async {
                        let __workflow_output5 = {
                            let __workflow_future1 = ::workflow_runtime::__private::durable::retry_if(
                                __workflow_ctx,
                                "0.call.0",
                                3u32,
                                ::workflow_runtime::__private::Backoff::new(::core::time::Duration::new(2u64, 0u32))
                                    .max(::core::time::Duration::new(5u64, 0u32))
                                    .jitter(),
                                || {
                                    ::workflow_runtime::__private::durable::try_step(
                                        __workflow_ctx,
                                        "0.call.0",
                                        ::workflow_runtime::__private::IntoFuture::into_future(call(id)),
                                    )
                                },
                                |__workflow_failure| is_transient(__workflow_failure),
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
                    __workflow_branch1 = async {
                        let __workflow_output10 = {
                            let __workflow_future6 = ::workflow_runtime::__private::durable::try_step(
                                __workflow_ctx,
                                "0.other.0",
                                ::workflow_runtime::__private::IntoFuture::into_future(call(id)),
                            );
                            __workflow_future6
                        }
                        .await;
                        let __workflow_value7 = match ::workflow_runtime::__private::fallible(__workflow_output10) {
                            ::workflow_runtime::__private::Ok(__workflow_ok8) => __workflow_ok8,
                            ::workflow_runtime::__private::Err(__workflow_error9) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("other", __workflow_error9),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value7)
                    }
                ) {
                    ::workflow_runtime::__private::Ok(__workflow_ok11) => __workflow_ok11,
                    ::workflow_runtime::__private::Err(__workflow_failure12) => {
                        return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                            __workflow_failure12,
                        ));
                    }
                };
                Ok((call, other))
            };
            __workflow_out
        })
    }
    fn failure(output: &Self::Output) -> ::core::option::Option<::std::string::String> {
        ::workflow_runtime::__private::durable::failure_of(output)
    }
}
/// A durable step's `#[retry]` with a cap, jitter and a predicate: its jittered waits
/// are journaled as the times of the next attempts.
pub fn jittered(id: u32) -> ::workflow_runtime::__private::durable::Start<__workflow_durable_jittered> {
    ::workflow_runtime::__private::durable::Start::new((id,))
}

/// The graph of the workflow `loan`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
pub const LOAN_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "loan",
        __workflow_at(4u32, 14u32),
        &[::workflow_runtime::graph::Fork::new(
            __workflow_at(5u32, 5u32),
            false,
            &[
                ::workflow_runtime::graph::Branch::new(
                    "credit",
                    "credit",
                    __workflow_at(6u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "check_credit",
                        "check_credit(id)",
                        6u32,
                        17u32,
                        true,
                        "0.credit.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "income",
                    "income",
                    __workflow_at(7u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[
                        __workflow_task("fetch_income", "fetch_income(id)", 7u32, 17u32, false, "0.income.0"),
                        __workflow_task("verify_income", "verify_income", 7u32, 37u32, false, "0.income.1"),
                    ],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "review",
                    "review",
                    __workflow_at(8u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task(
                        "signal",
                        "ctx.signal::<bool>(\"..\")",
                        8u32,
                        17u32,
                        false,
                        "0.review.0",
                    )],
                ),
                ::workflow_runtime::graph::Branch::new(
                    "scans",
                    "scans",
                    __workflow_at(9u32, 9u32),
                    ::core::option::Option::Some(::workflow_runtime::graph::FanOut::new(
                        "file",
                        "files",
                        ::core::option::Option::None,
                    )),
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("scan", "scan(file)", 9u32, 37u32, false, "0.scans.0")],
                ),
            ],
            ::workflow_runtime::graph::Join::new(
                __workflow_at(10u32, 7u32),
                ::workflow_runtime::graph::Policy::All,
                &["credit", "income", "review", "scans"],
                &[],
                true,
            ),
        )],
    )
};
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct __workflow_durable_loan;
impl ::workflow_runtime::__private::durable::Workflow for __workflow_durable_loan {
    const NAME: &'static str = "loan";
    const STEPS: &'static [&'static str] = &[
        "0.credit.0",
        "0.income.0",
        "0.income.1",
        "0.review.0",
        "0.scans",
        "0.scans.0",
    ];
    type Args = (u32, Vec<String>);
    type Output = Result<String, String>;
    const SIGNALS: ::core::option::Option<&'static [&'static str]> = ::core::option::Option::Some(&["review"]);
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
                let (credit, income, review, scans) = match ::workflow_runtime::__private::named_try_join!(
                    ["credit", "income", "review", "scans"],
                    __workflow_branch0 = async {
                        let __workflow_output5 = {
                            let __workflow_future1 = ::workflow_runtime::__private::durable::try_step(
                                __workflow_ctx,
                                "0.credit.0",
                                ::workflow_runtime::__private::IntoFuture::into_future(check_credit(id)),
                            );
                            __workflow_future1
                        }
                        .await;
                        let __workflow_value2 = match ::workflow_runtime::__private::fallible(__workflow_output5) {
                            ::workflow_runtime::__private::Ok(__workflow_ok3) => __workflow_ok3,
                            ::workflow_runtime::__private::Err(__workflow_error4) => {
                                return ::workflow_runtime::__private::Err(
                                    ::workflow_runtime::__private::BranchError::new("credit", __workflow_error4),
                                );
                            }
                        };
                        ::workflow_runtime::__private::Ok(__workflow_value2)
                    },
                    __workflow_branch1 = ::workflow_runtime::__private::ok_branch::<_, _>(async {
                        let __workflow_value7 = {
                            let __workflow_future6 = ::workflow_runtime::__private::durable::step(
                                __workflow_ctx,
                                "0.income.0",
                                ::workflow_runtime::__private::IntoFuture::into_future(fetch_income(id)),
                            );
                            __workflow_future6
                        }
                        .await;
                        {
                            let __workflow_future8 = ::workflow_runtime::__private::durable::step(
                                __workflow_ctx,
                                "0.income.1",
                                ::workflow_runtime::__private::IntoFuture::into_future(
                                    ::workflow_runtime::__private::call1(__workflow_value7, verify_income),
                                ),
                            );
                            __workflow_future8
                        }
                        .await
                    }),
                    __workflow_branch2 = ::workflow_runtime::__private::ok_branch::<_, _>(async {
                        {
                            let __workflow_future10 = ::workflow_runtime::__private::durable::step(
                                __workflow_ctx,
                                "0.review.0",
                                ::workflow_runtime::__private::IntoFuture::into_future(ctx.signal::<bool>("review")),
                            );
                            __workflow_future10
                        }
                        .await
                    }),
                    __workflow_branch3 =
                        ::workflow_runtime::__private::ok_branch::<_, _>(::workflow_runtime::__private::fan_out(
                            ::workflow_runtime::__private::durable::limited_items(
                                __workflow_ctx,
                                "0.scans",
                                files,
                                ::core::option::Option::None
                            ),
                            ::core::option::Option::None,
                            |(__workflow_scope, file)| {
                                let __workflow_item_step12 =
                                    ::workflow_runtime::__private::IntoFuture::into_future(scan(file));
                                ::workflow_runtime::__private::durable::scoped(__workflow_scope, async move {
                                    {
                                        let __workflow_future13 = ::workflow_runtime::__private::durable::step(
                                            __workflow_ctx,
                                            "0.scans.0",
                                            __workflow_item_step12,
                                        );
                                        __workflow_future13
                                    }
                                    .await
                                })
                            }
                        ))
                ) {
                    ::workflow_runtime::__private::Ok(__workflow_ok15) => __workflow_ok15,
                    ::workflow_runtime::__private::Err(__workflow_failure16) => {
                        return ::workflow_runtime::__private::Err(::workflow_runtime::__private::branch_error(
                            __workflow_failure16,
                        ));
                    }
                };
                Ok(format!("{credit} {income} {review} {}", scans.len()))
            };
            __workflow_out
        })
    }
    fn failure(output: &Self::Output) -> ::core::option::Option<::std::string::String> {
        ::workflow_runtime::__private::durable::failure_of(output)
    }
}
/// A durable workflow: each step journaled under its id, the fan-out's items and each
/// item in its scope.
pub fn loan(id: u32, files: Vec<String>) -> ::workflow_runtime::__private::durable::Start<__workflow_durable_loan> {
    ::workflow_runtime::__private::durable::Start::new((id, files))
}

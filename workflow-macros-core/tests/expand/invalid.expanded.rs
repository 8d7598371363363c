/// The graph of the workflow `notify`: its forks, branches, steps and joins as data (`workflow_runtime::graph`). Export it with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
#[allow(dead_code)]
const NOTIFY_GRAPH: ::workflow_runtime::graph::Workflow = {
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
        "notify",
        __workflow_at(3u32, 10u32),
        &[
            ::workflow_runtime::graph::Fork::new(
                __workflow_at(4u32, 5u32),
                false,
                &[
                    ::workflow_runtime::graph::Branch::new(
                        "email",
                        "email",
                        __workflow_at(5u32, 9u32),
                        ::core::option::Option::None,
                        __WORKFLOW_PLAIN,
                        &[__workflow_task("send", "send(\"..\")", 5u32, 16u32, false, "0.email.0")],
                    ),
                    ::workflow_runtime::graph::Branch::new(
                        "sms",
                        "sms",
                        __workflow_at(6u32, 9u32),
                        ::core::option::Option::None,
                        __WORKFLOW_PLAIN,
                        &[__workflow_task("send", "send(\"..\")", 6u32, 24u32, false, "0.sms.0")],
                    ),
                    ::workflow_runtime::graph::Branch::new(
                        "sms",
                        "sms",
                        __workflow_at(7u32, 9u32),
                        ::core::option::Option::None,
                        __WORKFLOW_PLAIN,
                        &[__workflow_task("send", "send(\"..\")", 7u32, 14u32, false, "0.sms.0")],
                    ),
                ],
                ::workflow_runtime::graph::Join::new(
                    __workflow_at(8u32, 7u32),
                    ::workflow_runtime::graph::Policy::All,
                    &["email", "emial"],
                    &[],
                    false,
                ),
            ),
            ::workflow_runtime::graph::Fork::new(
                __workflow_at(9u32, 5u32),
                false,
                &[::workflow_runtime::graph::Branch::new(
                    "push",
                    "push",
                    __workflow_at(10u32, 9u32),
                    ::core::option::Option::None,
                    __WORKFLOW_PLAIN,
                    &[__workflow_task("send", "send(\"..\")", 10u32, 15u32, false, "1.push.0")],
                )],
                ::workflow_runtime::graph::Join::new(
                    __workflow_at(9u32, 5u32),
                    ::workflow_runtime::graph::Policy::All,
                    &[],
                    &[],
                    false,
                ),
            ),
        ],
    )
};
#[allow(unused_variables, unused_assignments, unreachable_code, clippy::all)]
async fn notify(urgent: bool) -> String {
    let __workflow_error = ::core::compile_error! {
        "parallel branch `sms` has a condition, but parallel flows are unconditional\n= help: every branch of a fork runs; put the condition inside the step instead: `sms: async { if cond { ... } }`"
    };
    ::core::compile_error! {
        "this fork already has a branch named `sms`\n= help: give each branch of a fork its own name: the join waits on branches by name"
    }
    ::core::compile_error! {
        "this fork has no branch named `emial`\n= help: did you mean `email`?"
    }
    ::core::compile_error! {
        "branch `sms` is forked but never joined\n= help: add `sms` to `join(...)`, or write `background(sms)` after the join to let it run on without being waited for there (it still finishes before the workflow returns)"
    }
    ::core::compile_error! {
        "a fork needs at least two branches, and this one has one\n= help: a single branch needs no fork: run its steps in sequence, as in `let push = step.await;`"
    }
    ::core::compile_error! {
        "this fork is never joined\n= help: add `join(push)` after the fork's closing `>` to wait for its branches"
    }
    let _ = {
        {
            let _ = send("email");
        }
        {
            let _ = send("sms");
        }
        {
            let _ = send("sms");
        }
        let email = __workflow_error;
        let sms = __workflow_error;
        let sms = __workflow_error;
        let email = __workflow_error;
        let emial = __workflow_error;
        {
            let _ = send("push");
        }
        let push = __workflow_error;
        email
    };
    ::core::panic!("the workflow did not compile")
}

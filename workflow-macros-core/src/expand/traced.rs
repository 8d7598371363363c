//! The `#[traced]` mode: spans and events for `tracing`, through the runtime's
//! `__private::{ForkTrace, Instrument, tracing}`.
//!
//! The workflow has a span; each fork a `fork` span that tells the split, every arrival,
//! failure and cancellation, and the merge; each branch a span (naming its step when it
//! has one step); each step of a longer branch a span of its own. The body is expanded
//! once: each span's callsite is one static of plain data (`__private::span_site!`), and
//! the runtime makes the span only when a subscriber is installed, and keeps it in a
//! box, so without one a span is a null pointer in the workflow's future and each
//! wrapper one test of it. Every event is the runtime's.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use super::Expander;
use super::mode::Mode;
use crate::model::{Branch, Fork, Step, Syn};

/// `#[traced]`: `span` is the local holding the workflow's span.
pub(crate) struct Traced {
    span: Ident,
}

impl Traced {
    pub(crate) fn new() -> Self {
        Traced {
            span: format_ident!("__workflow_span", span = Span::mixed_site()),
        }
    }

    /// The workflow's span, in `self.span`, and the event that it started.
    fn start(&self, ex: &Expander<'_, Self>) -> TokenStream {
        let k = ex.krate();
        let span = &self.span;
        let name = ex.model().display_name();
        quote! {
            let #span = #k::__private::trace_workflow(#name, #k::__private::span_site!(INFO, #name));
        }
    }
}

/// What the traced mode keeps for a fork: the local holding its trace, and whether its
/// branches are spawned (their spans are then made before the task, and entered in it).
pub(crate) struct TracedFork {
    trace: Ident,
    spawn: bool,
}

/// The callsite of `branch`'s span and its `step` field (naming its step when it has
/// one step), for the runtime to make it a child of its fork's.
fn branch_span(k: &TokenStream, branch: &Branch<Syn<'_>>) -> (TokenStream, TokenStream) {
    let name = &branch.name.text;
    match branch.steps.as_slice() {
        [Step::Task(task)] => {
            let label = &task.label;
            (
                quote! { #k::__private::span_site!(INFO, #name, "step") },
                quote! { #k::__private::Some(#label) },
            )
        }
        _ => (
            quote! { #k::__private::span_site!(INFO, #name) },
            quote! { #k::__private::None },
        ),
    }
}

impl Mode for Traced {
    type Fork = TracedFork;
    /// The local holding the branch's span.
    type Branch = Ident;

    // Each item's steps run in their spans: the items are the chain's async blocks.
    const INLINE_ITEMS: bool = false;

    fn body(&self, ex: &mut Expander<'_, Self>) -> TokenStream {
        let body = ex.body();
        let start = self.start(ex);
        quote! { #start #body }
    }

    fn fork(&self, ex: &mut Expander<'_, Self>, fork: &Fork<Syn<'_>>) -> TracedFork {
        TracedFork {
            trace: ex.ident("fork_trace"),
            spawn: fork.original.fork.spawn.is_some(),
        }
    }

    /// The statement that opens a fork's trace (its span, a child of the workflow's or
    /// of the enclosing branch's, and the split event) and the one that records the
    /// merge.
    fn fork_events(
        &self,
        ex: &mut Expander<'_, Self>,
        state: &TracedFork,
        fork: &Fork<Syn<'_>>,
        joined: usize,
    ) -> (TokenStream, TokenStream) {
        let k = ex.krate();
        let trace = &state.trace;
        let Some(join) = &fork.join else {
            return (TokenStream::new(), TokenStream::new());
        };
        let names = fork.branches.iter().map(|b| &b.name.text);
        let background = join.background.iter().map(|b| &b.text);
        let in_join_order = join.names.iter().map(|n| &n.text);
        let policy = join.policy.describe(join.question.is_some());
        let parent = if fork.original.top {
            let workflow = &self.span;
            quote! { #k::__private::Some(&#workflow) }
        } else {
            quote! { #k::__private::None }
        };
        let prelude = quote! {
            let #trace = #k::__private::ForkTrace::split(
                #k::__private::span_site!(INFO, "fork"),
                #parent,
                &[#(#names),*],
                #joined,
                &[#(#background),*],
                #policy,
            );
        };
        let merged = quote! { #trace.merged(&[#(#in_join_order),*]); };
        (prelude, merged)
    }

    fn branch(
        &self,
        ex: &mut Expander<'_, Self>,
        _fork: &TracedFork,
        _branch: &Branch<Syn<'_>>,
    ) -> Ident {
        ex.ident("branch_span")
    }

    /// A spawned branch runs in its span inside its task: the span is made before the
    /// task is spawned (the task does not borrow the fork's trace). Any other branch's
    /// span is made and entered by its arrival's wrapper.
    fn enter_branch(
        &self,
        ex: &mut Expander<'_, Self>,
        fork: &TracedFork,
        span: &Ident,
        branch: &Branch<Syn<'_>>,
        future: TokenStream,
    ) -> (TokenStream, TokenStream) {
        if !fork.spawn {
            return (TokenStream::new(), future);
        }
        let k = ex.krate();
        let trace = &fork.trace;
        let (site, step) = branch_span(k, branch);
        (
            quote! { let #span = #trace.branch_span(#site, #step); },
            quote! { #k::__private::in_span(#future, #span) },
        )
    }

    /// A step's span, a child of its branch's (whose span names the step when it is
    /// the only one).
    fn step(
        &self,
        ex: &mut Expander<'_, Self>,
        branch: &Branch<Syn<'_>>,
        index: usize,
        future: TokenStream,
    ) -> TokenStream {
        if branch.steps.len() < 2 {
            return future;
        }
        let k = ex.krate();
        let label = match branch.steps.get(index) {
            Some(Step::Task(task)) => task.label.as_str(),
            _ => "step",
        };
        quote! {
            #k::__private::in_span(#future, #k::__private::trace_span(#k::__private::span_site!(DEBUG, #label)))
        }
    }

    /// The fork watches the branch arrive, fail or be cancelled, polling it inside its
    /// span (a spawned branch's is entered in its task).
    fn arrival(
        &self,
        ex: &mut Expander<'_, Self>,
        fork: &TracedFork,
        branch: &Branch<Syn<'_>>,
        index: u16,
        background: bool,
        fails: bool,
        cancels: bool,
        future: TokenStream,
    ) -> TokenStream {
        let k = ex.krate();
        let trace = &fork.trace;
        let span = if fork.spawn {
            quote! { (#k::__private::None, #k::__private::None) }
        } else {
            let (site, step) = branch_span(k, branch);
            quote! { (#k::__private::Some(#site), #step) }
        };
        // A marker type, not a closure: a closure per branch doubled what `Watched` costs
        // rustc (its own body, and its signature inferred from a higher-ranked bound).
        let judge = if fails {
            quote! { #k::__private::IsErr }
        } else {
            quote! { #k::__private::Never }
        };
        if background {
            quote! { #trace.background(#index, #span, #future) }
        } else {
            quote! { #trace.arrival(#index, #judge, #cancels, #span, #future) }
        }
    }

    /// The failure is told before it is dropped.
    fn optional_failure(
        &self,
        ex: &mut Expander<'_, Self>,
        _span: &Ident,
        branch: &Branch<Syn<'_>>,
        future: TokenStream,
    ) -> TokenStream {
        let k = ex.krate().clone();
        let (output, error) = (ex.ident("output"), ex.ident("error"));
        let name = &branch.name.text;
        // The user's error's `Display` when its steps name its type, else the
        // `BranchError`'s own ("branch `x` failed").
        let describe = if branch.steps_can_fail() {
            describe(&k, &quote! { #error.error() })
        } else {
            quote! { #k::__private::ToString::to_string(#error) }
        };
        quote! {
            #k::__private::FutureExt::map(#future, |#output| match #output {
                #k::__private::Ok(#output) => #k::__private::Some(#output),
                #k::__private::Err(#error) => {
                    #k::__private::optional_failed(#name, || #describe);
                    #k::__private::None
                }
            })
        }
    }

    /// A failed join tells its error, once the join has unified the branches' error
    /// types (so the error's type is known where it is described).
    fn failure(
        &self,
        ex: &mut Expander<'_, Self>,
        fork: &TracedFork,
        joined: TokenStream,
    ) -> TokenStream {
        let k = ex.krate().clone();
        let trace = &fork.trace;
        let error = ex.ident("error");
        let describe = describe(&k, &quote! { #error });
        quote! { #trace.failed(#joined, |#error| #describe) }
    }
}

/// The text of the error `error` refers to, by autoref specialization: its `Display`
/// when it has one, else its type's name. Only where the error's type is already known
/// (an inference variable would pick `Display` and fail later).
fn describe(k: &TokenStream, error: &TokenStream) -> TokenStream {
    quote! {
        {
            #[allow(unused_imports)]
            use #k::__private::{DescribeAny as _, DescribeDisplay as _};
            (&&#k::__private::Describe(#error)).describe()
        }
    }
}

//! What a `#[traced]` workflow tells `tracing`: where each branch is, as a BPMN engine
//! tracks its tokens (split, arrival at the join, failure, cancellation, merge).
//!
//! The generated code names the spans (they take the user's names, which must be string
//! literals at the call site); this module emits the events of a fork: the split into
//! branches, each branch's arrival at the join (k of N), a failure and the siblings it
//! cancels, background branches finishing, and the merge.
//!
//! The generated code is one body, traced: each span's callsite is one static of plain
//! data ([`SpanSite`], declared by `__private::span_site!`), and the span is made here
//! only when a subscriber is installed ([`enabled`]), and kept in a box. With no
//! subscriber every span is a null pointer in the workflow's future, every wrapper polls
//! its future after one test of that pointer, and nothing is formatted or allocated.

use core::fmt::Display;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, AtomicU8, AtomicUsize, Ordering};
use core::task::{Context, Poll};

use std::boxed::Box;

use tracing::Span;
use tracing::field::Value;

use crate::BranchError;

/// Whether a subscriber is installed and enables something: the test before any span
/// of a `#[traced]` workflow is made (one relaxed load of tracing's global level filter).
#[inline]
pub fn enabled() -> bool {
    tracing::level_filters::STATIC_MAX_LEVEL != tracing::level_filters::LevelFilter::OFF
        && tracing::level_filters::LevelFilter::current()
            != tracing::level_filters::LevelFilter::OFF
}

/// A span of a traced workflow: `None` when no subscriber wants it, so that without a
/// subscriber it costs the workflow's future one pointer.
pub type SpanBox = Option<Box<Span>>;

/// A span's callsite, which the generated code declares (`__private::span_site!`): a
/// static of plain data (name, level, place, field). Its `Metadata`, which `tracing`
/// wants `'static` and pointing back at the callsite, is made and registered the first
/// time a subscriber is asked about a span of it, and kept for the process's lifetime.
///
/// Not tracing's own `DefaultCallsite` and `Metadata` statics: those cost the compiler
/// about three times as much per callsite (const evaluation of `Metadata::new` and a
/// second static), for each step of each `#[traced]` workflow (`tools/compile-time`).
pub struct SpanSite {
    name: &'static str,
    level: tracing::Level,
    module: &'static str,
    file: &'static str,
    line: u32,
    fields: &'static [&'static str],
    /// The `Metadata`, once made (null before).
    meta: AtomicPtr<tracing::Metadata<'static>>,
    /// The subscribers' interest, as tracing last set it (`UNKNOWN` before).
    interest: AtomicU8,
}

const UNKNOWN: u8 = 0;
const NEVER: u8 = 1;
const SOMETIMES: u8 = 2;
const ALWAYS: u8 = 3;

impl SpanSite {
    /// A callsite of a span `name` at `level`, declared in `module`, at `file`:`line`,
    /// with `fields` (none, or the one `step`).
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        level: tracing::Level,
        module: &'static str,
        file: &'static str,
        line: u32,
        fields: &'static [&'static str],
    ) -> Self {
        SpanSite {
            name,
            level,
            module,
            file,
            line,
            fields,
            meta: AtomicPtr::new(core::ptr::null_mut()),
            interest: AtomicU8::new(UNKNOWN),
        }
    }

    /// The callsite's metadata, made and registered with tracing the first time.
    fn metadata(&'static self) -> &'static tracing::Metadata<'static> {
        self.made().unwrap_or_else(|| self.register())
    }

    /// The metadata, if made.
    fn made(&self) -> Option<&'static tracing::Metadata<'static>> {
        // SAFETY: a non-null `meta` is a leaked `Box` (`register`), never freed.
        unsafe { self.meta.load(Ordering::Acquire).as_ref() }
    }

    #[cold]
    fn register(&'static self) -> &'static tracing::Metadata<'static> {
        let meta = Box::into_raw(Box::new(tracing::Metadata::new(
            self.name,
            self.module,
            self.level,
            Some(self.file),
            Some(self.line),
            Some(self.module),
            tracing::field::FieldSet::new(self.fields, tracing::callsite::Identifier(self)),
            tracing::metadata::Kind::SPAN,
        )));
        match self.meta.compare_exchange(
            core::ptr::null_mut(),
            meta,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => {
                // Tracing asks every subscriber about it and sets its interest.
                tracing::callsite::register(self);
                // SAFETY: just stored, never freed.
                unsafe { &*meta }
            }
            Err(theirs) => {
                // Another thread made it first: ours was never shared.
                // SAFETY: `meta` is the `Box` made above; `theirs` is leaked, never freed.
                unsafe {
                    drop(Box::from_raw(meta));
                    &*theirs
                }
            }
        }
    }

    /// The subscribers' interest: "sometimes" (ask) until tracing has set it.
    fn interest(&self) -> tracing::subscriber::Interest {
        match self.interest.load(Ordering::Relaxed) {
            NEVER => tracing::subscriber::Interest::never(),
            ALWAYS => tracing::subscriber::Interest::always(),
            _ => tracing::subscriber::Interest::sometimes(),
        }
    }
}

impl tracing::callsite::Callsite for SpanSite {
    fn set_interest(&self, interest: tracing::subscriber::Interest) {
        let interest = if interest.is_never() {
            NEVER
        } else if interest.is_always() {
            ALWAYS
        } else {
            SOMETIMES
        };
        self.interest.store(interest, Ordering::Relaxed);
    }

    fn metadata(&self) -> &tracing::Metadata<'_> {
        self.made()
            .expect("tracing asked for the metadata of a callsite before it was registered")
    }
}

/// Where a span's parent is: the span entered when it is made, or an explicit one (none
/// makes a root span).
#[derive(Clone, Copy)]
enum Parent<'a> {
    Current,
    Of(Option<&'a Span>),
}

/// The span of `site` (its `step` field when it has one), as tracing's span macros make
/// it: disabled unless the subscriber wants it.
fn make(site: &'static SpanSite, parent: Parent<'_>, step: Option<&'static str>) -> Span {
    let meta = site.metadata();
    let interest = site.interest();
    let wanted = *meta.level() <= tracing::level_filters::LevelFilter::current()
        && !interest.is_never()
        && (interest.is_always() || tracing::dispatcher::get_default(|d| d.enabled(meta)));
    if !wanted {
        return Span::none();
    }
    let fields = meta.fields();
    let field = fields.iter().next();
    let step = step.as_ref().map(|s| s as &dyn Value);
    let make = |values: &tracing::field::ValueSet<'_>| match parent {
        Parent::Current => Span::new(meta, values),
        Parent::Of(parent) => Span::child_of(parent.and_then(Span::id), meta, values),
    };
    match &field {
        Some(field) => make(&fields.value_set(&[(field, step)])),
        None => make(&fields.value_set(&[] as &[(&tracing::field::Field, Option<&dyn Value>); 0])),
    }
}

/// The span of `site`, a child of the span entered, when a subscriber is installed and
/// enables it.
#[inline]
pub fn span(site: &'static SpanSite) -> SpanBox {
    if enabled() {
        keep(make(site, Parent::Current, None))
    } else {
        None
    }
}

fn keep(span: Span) -> SpanBox {
    if span.is_disabled() {
        None
    } else {
        Some(Box::new(span))
    }
}

/// The span of a workflow that starts now (`site` declares it), and the event that it
/// started.
#[inline]
pub fn workflow(name: &'static str, site: &'static SpanSite) -> SpanBox {
    if enabled() { started(name, site) } else { None }
}

fn started(name: &'static str, site: &'static SpanSite) -> SpanBox {
    let span = make(site, Parent::Current, None);
    tracing::info!(parent: &span, "workflow `{name}` started");
    keep(span)
}

/// Enters `span` until the guard is dropped (out of line: the generic wrappers stay
/// small).
fn enter(span: &Span) -> Entered<'_> {
    span.with_subscriber(|(id, dispatch)| dispatch.enter(id));
    Entered(span)
}

struct Entered<'a>(&'a Span);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.with_subscriber(|(id, dispatch)| dispatch.exit(id));
    }
}

pin_project_lite::pin_project! {
    /// A future polled inside its span (a step of a branch of several steps, a spawned
    /// branch inside its task): one pointer beside the future.
    pub struct InSpan<F> {
        #[pin]
        future: F,
        span: SpanBox,
    }
}

/// `future`, polled inside `span`.
pub fn in_span<F: Future>(future: F, span: SpanBox) -> InSpan<F> {
    InSpan { future, span }
}

impl<F: Future> Future for InSpan<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.as_deref().map(enter);
        this.future.poll(cx)
    }
}

/// One fork's trace, when a subscriber wants it: its span (the parent of its branches'
/// spans) and how many of its joined branches have arrived.
pub struct ForkTrace(Option<Box<Fork>>);

struct Fork {
    span: Span,
    branches: &'static [&'static str],
    joined: usize,
    arrived: AtomicUsize,
}

impl ForkTrace {
    /// Opens the fork: an event on its span (of `site`, a child of `workflow`'s span
    /// for a fork of the body, else of the span entered) saying into which branches
    /// the token splits.
    #[inline]
    pub fn split(
        site: &'static SpanSite,
        workflow: Option<&SpanBox>,
        branches: &'static [&'static str],
        joined: usize,
        background: &'static [&'static str],
        policy: &'static str,
    ) -> Self {
        if !enabled() {
            return ForkTrace(None);
        }
        Self::open(site, workflow, branches, joined, background, policy)
    }

    fn open(
        site: &'static SpanSite,
        workflow: Option<&SpanBox>,
        branches: &'static [&'static str],
        joined: usize,
        background: &'static [&'static str],
        policy: &'static str,
    ) -> Self {
        let parent = match workflow {
            Some(span) => Parent::Of(span.as_deref()),
            None => Parent::Current,
        };
        let span = make(site, parent, None);
        if span.is_disabled() {
            return ForkTrace(None);
        }
        let names = branches.join(", ");
        if background.is_empty() {
            tracing::info!(parent: &span, "split into {} branches: {names}; {policy}", branches.len());
        } else {
            tracing::info!(
                parent: &span,
                "split into {} branches: {names}; {policy}, {} in the background",
                branches.len(),
                background.join(", ")
            );
        }
        ForkTrace(Some(Box::new(Fork {
            span,
            branches,
            joined,
            arrived: AtomicUsize::new(0),
        })))
    }

    /// A branch's span (of `site`, with its `step` field), a child of the fork's, when a
    /// subscriber is installed and enables it: made before a branch's task is spawned.
    #[inline]
    pub fn branch_span(&self, site: &'static SpanSite, step: Option<&'static str>) -> SpanBox {
        if enabled() {
            keep(self.make(site, step))
        } else {
            None
        }
    }

    fn make(&self, site: &'static SpanSite, step: Option<&'static str>) -> Span {
        make(
            site,
            Parent::Of(self.0.as_deref().map(|fork| &fork.span)),
            step,
        )
    }

    /// Watches joined branch number `branch`, polled inside its span (of `site`, with
    /// its `step` field; none for a spawned branch, whose task enters it): its arrival
    /// at the join, its failure (`failed` says whether an output is one), or its
    /// cancellation (dropped before it finished).
    #[inline]
    pub fn arrival<F, J>(
        &self,
        branch: u16,
        failed: J,
        cancels: bool,
        (site, step): (Option<&'static SpanSite>, Option<&'static str>),
        future: F,
    ) -> Watched<'_, F, J>
    where
        F: Future,
        J: Judge<F::Output>,
    {
        let role = if cancels {
            Role::Cancelling
        } else {
            Role::Joined
        };
        self.watch(branch, role, site, step, failed, future)
    }

    /// Watches background branch number `branch`, polled inside its span: it
    /// finishes, or is cancelled, without arriving.
    #[inline]
    pub fn background<F: Future>(
        &self,
        branch: u16,
        (site, step): (Option<&'static SpanSite>, Option<&'static str>),
        future: F,
    ) -> Watched<'_, F, Never> {
        self.watch(branch, Role::Background, site, step, Never, future)
    }

    #[inline]
    fn watch<F, J>(
        &self,
        branch: u16,
        role: Role,
        site: Option<&'static SpanSite>,
        step: Option<&'static str>,
        failed: J,
        future: F,
    ) -> Watched<'_, F, J> {
        let trace = if enabled() {
            self.open_branch(site, step, branch, role)
        } else {
            None
        };
        Watched {
            future,
            trace,
            failed,
        }
    }

    /// The join handed on its outputs.
    pub fn merged(&self, joined: &'static [&'static str]) {
        if let Some(fork) = &self.0 {
            tracing::info!(parent: &fork.span, "joined {}", joined.join(", "));
        }
    }

    /// A failing join's outcome, told with the error's text and handed on unchanged.
    pub fn failed<T, E>(
        &self,
        outcome: Result<T, BranchError<E>>,
        describe: fn(&E) -> String,
    ) -> Result<T, BranchError<E>> {
        if let (Err(failure), Some(fork)) = (&outcome, &self.0) {
            let error = describe(failure.error());
            tracing::warn!(parent: &fork.span, "the join failed: {failure}: {error}");
        }
        outcome
    }
}

impl ForkTrace {
    fn open_branch(
        &self,
        site: Option<&'static SpanSite>,
        step: Option<&'static str>,
        index: u16,
        role: Role,
    ) -> Option<Box<Branch<'_>>> {
        let span = site.map_or_else(Span::none, |site| self.make(site, step));
        let fork = self.0.as_deref();
        if fork.is_none() && span.is_disabled() {
            return None;
        }
        Some(Box::new(Branch {
            span,
            fork,
            index,
            role,
            done: false,
        }))
    }
}

#[derive(Clone, Copy)]
enum Role {
    /// Joined, and a failure cancels the siblings (`join(..)?`).
    Cancelling,
    /// Joined; a failure is handed on (`settled`) or waits for another (`first`).
    Joined,
    /// Not joined: runs on past the join.
    Background,
}

/// What a watched branch keeps when a subscriber is installed: its span and its fork's
/// trace (each may be disabled by the subscriber's filter).
struct Branch<'a> {
    span: Span,
    fork: Option<&'a Fork>,
    index: u16,
    role: Role,
    done: bool,
}

impl Branch<'_> {
    /// The branch finished, with a failure (`failed`) or not.
    fn finished(&mut self, failed: bool) {
        self.done = true;
        let Some(fork) = self.fork else { return };
        let branch = fork.name(self.index);
        let parent = &fork.span;
        match (self.role, failed) {
            (Role::Background, _) => {
                tracing::info!(parent: parent, "background branch `{branch}` finished");
            }
            (Role::Cancelling, true) => {
                tracing::warn!(
                    parent: parent,
                    "branch `{branch}` failed: cancelling the branches still running"
                );
            }
            (Role::Cancelling | Role::Joined, failed) => {
                let k = fork.arrived.fetch_add(1, Ordering::Relaxed) + 1;
                let n = fork.joined;
                if failed {
                    tracing::warn!(parent: parent, "branch `{branch}` arrived at the join with an error ({k}/{n})");
                } else {
                    tracing::info!(parent: parent, "branch `{branch}` arrived at the join ({k}/{n})");
                }
            }
        }
    }
}

/// A branch dropped before it finished was cancelled.
impl Drop for Branch<'_> {
    fn drop(&mut self) {
        if let (false, Some(fork)) = (self.done, self.fork) {
            let branch = fork.name(self.index);
            tracing::info!(parent: &fork.span, "branch `{branch}` cancelled");
        }
    }
}

impl Fork {
    fn name(&self, branch: u16) -> &'static str {
        self.branches
            .get(usize::from(branch))
            .copied()
            .unwrap_or("?")
    }
}

/// Which outputs of a watched branch are failures: [`Never`] for a branch that cannot
/// fail, [`IsErr`] for one whose output is a `Result`. Zero-sized types rather than
/// closures: a closure for each branch of each fork doubled what the wrappers cost the
/// compiler (`tools/compile-time`).
pub trait Judge<T> {
    /// Whether `output` is a failure.
    fn failed(output: &T) -> bool;
}

/// The [`Judge`] of a branch that cannot fail.
#[derive(Clone, Copy, Debug)]
pub struct Never;

impl<T> Judge<T> for Never {
    #[inline]
    fn failed(_: &T) -> bool {
        false
    }
}

/// The [`Judge`] of a branch whose `Err` output is a failure.
#[derive(Clone, Copy, Debug)]
pub struct IsErr;

impl<T, E> Judge<Result<T, E>> for IsErr {
    #[inline]
    fn failed(output: &Result<T, E>) -> bool {
        output.is_err()
    }
}

pin_project_lite::pin_project! {
    /// A branch's future, watched for the fork's trace and polled inside the branch's
    /// span: one pointer beside the future (the failure test is the zero-sized [`Judge`]
    /// `J`), null without a subscriber.
    pub struct Watched<'a, F, J> {
        #[pin]
        future: F,
        trace: Option<Box<Branch<'a>>>,
        failed: J,
    }
}

impl<F, J> Future for Watched<'_, F, J>
where
    F: Future,
    J: Judge<F::Output>,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let Some(trace) = this.trace.as_deref_mut() else {
            return this.future.poll(cx);
        };
        let output = {
            let _entered = enter(&trace.span);
            core::task::ready!(this.future.poll(cx))
        };
        trace.finished(J::failed(&output));
        Poll::Ready(output)
    }
}

/// Describes an error for the trace: its `Display` text when it has one.
///
/// The generated code calls `(&&Describe(error)).describe()` with both traits in scope:
/// method lookup takes [`DescribeDisplay`] when the error is `Display`, and falls back
/// to [`DescribeAny`] otherwise (autoref specialization).
pub struct Describe<'a, T>(pub &'a T);

/// The `Display` case of [`Describe`].
pub trait DescribeDisplay {
    /// The error's `Display` text.
    fn describe(&self) -> String;
}

impl<T: Display> DescribeDisplay for &Describe<'_, T> {
    fn describe(&self) -> String {
        self.0.to_string()
    }
}

/// The fallback case of [`Describe`], for errors without `Display`.
pub trait DescribeAny {
    /// `an error` and the type's name.
    fn describe(&self) -> String;
}

impl<T> DescribeAny for Describe<'_, T> {
    fn describe(&self) -> String {
        format!("an error of type `{}`", core::any::type_name::<T>())
    }
}

/// Logs the failure of an `#[optional]` branch, which the fork then goes on without;
/// `error` describes it, only when a subscriber is installed.
#[inline]
pub fn optional_failed(branch: &'static str, error: impl FnOnce() -> String) {
    if enabled() {
        optional_failure(branch, &error());
    }
}

fn optional_failure(branch: &'static str, error: &str) {
    tracing::warn!("optional branch `{branch}` failed: {error}; going on without it");
}

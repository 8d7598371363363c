//! The seam for modes: what a mode adds to the plain expansion, hook by hook.
//!
//! A mode is a type implementing [`Mode`], chosen from the workflow's attributes (parsed
//! and checked in `model::Attributes`). The expander calls each hook where the mode may
//! act, with the code it has built so far, and uses what the hook gives back:
//!
//! | hook | where | plain |
//! |---|---|---|
//! | [`Mode::body`] | the workflow's whole body | the body as expanded |
//! | [`Mode::fork`], [`Mode::fork_events`] | a fork starts, is merged | nothing |
//! | [`Mode::branch`], [`Mode::enter_branch`] | a branch's future | the future |
//! | [`Mode::step`] | a step's future, before it is awaited | the future |
//! | [`Mode::arrival`] | a branch arriving at its join (or running in the background) | the future |
//! | [`Mode::optional_failure`] | an `#[optional]` branch's failure, dropped | `Result::ok` |
//! | [`Mode::failure`] | a join that failed | the join |
//!
//! A new mode is one file with its `impl Mode`, its attribute in `model::Attributes`,
//! and one arm in `expand::workflow` that picks it.

use proc_macro2::TokenStream;
use quote::quote;

use super::Expander;
use crate::model::{Branch, Fork, Syn};

type F<'a> = Fork<Syn<'a>>;
type B<'a> = Branch<Syn<'a>>;

/// How a mode instruments the expansion (see the module docs). Every hook has the
/// plain behaviour as its default.
pub(crate) trait Mode: Sized {
    /// What the mode keeps for one fork while it is expanded (the traced mode: the
    /// local holding the fork's trace).
    type Fork;
    /// What the mode keeps for one branch.
    type Branch;

    /// Whether a fan-out of one plain step may hand each item's future to the fan-out
    /// itself, with no async block around it (a mode that wraps steps says no).
    const INLINE_ITEMS: bool = true;

    /// The workflow's body: `ex.body()` expands it with this mode.
    fn body(&self, ex: &mut Expander<'_, Self>) -> TokenStream {
        ex.body()
    }

    /// A fork starts being expanded.
    fn fork(&self, ex: &mut Expander<'_, Self>, fork: &F<'_>) -> Self::Fork;

    /// The statements before a fork's code and after its join has bound its outputs.
    fn fork_events(
        &self,
        _ex: &mut Expander<'_, Self>,
        _state: &Self::Fork,
        _fork: &F<'_>,
        _joined: usize,
    ) -> (TokenStream, TokenStream) {
        (TokenStream::new(), TokenStream::new())
    }

    /// A branch of the fork starts being expanded.
    fn branch(
        &self,
        ex: &mut Expander<'_, Self>,
        fork: &Self::Fork,
        branch: &B<'_>,
    ) -> Self::Branch;

    /// The branch's future as it is handed to the join (or spawned): a statement to run
    /// before it, and the future.
    fn enter_branch(
        &self,
        _ex: &mut Expander<'_, Self>,
        _fork: &Self::Fork,
        _state: &Self::Branch,
        _branch: &B<'_>,
        future: TokenStream,
    ) -> (TokenStream, TokenStream) {
        (TokenStream::new(), future)
    }

    /// Step `index` of `branch`, a future about to be awaited.
    fn step(
        &self,
        _ex: &mut Expander<'_, Self>,
        _branch: &B<'_>,
        _index: usize,
        future: TokenStream,
    ) -> TokenStream {
        future
    }

    /// Branch `index` of the fork (`branch`) arriving at the join; `fails`: its output is a
    /// `Result` whose `Err` is a failure (else it never fails); `cancels`: a failure cancels the
    /// other branches. A background branch (`background`) is not joined.
    #[allow(clippy::too_many_arguments)]
    fn arrival(
        &self,
        _ex: &mut Expander<'_, Self>,
        _fork: &Self::Fork,
        _branch: &B<'_>,
        _index: u16,
        _background: bool,
        _fails: bool,
        _cancels: bool,
        future: TokenStream,
    ) -> TokenStream {
        future
    }

    /// An `#[optional]` branch whose output is a `Result`: its failure becomes `None`.
    fn optional_failure(
        &self,
        ex: &mut Expander<'_, Self>,
        _state: &Self::Branch,
        _branch: &B<'_>,
        future: TokenStream,
    ) -> TokenStream {
        let k = ex.krate();
        quote! { #k::__private::FutureExt::map(#future, #k::__private::Result::ok) }
    }

    /// A join that can fail (not `settled`), whose error type is known here.
    fn failure(
        &self,
        _ex: &mut Expander<'_, Self>,
        _fork: &Self::Fork,
        joined: TokenStream,
    ) -> TokenStream {
        joined
    }
}

/// The plain mode: the workflow as a hand-written `join!` would be, nothing added.
pub(crate) struct Plain;

impl Mode for Plain {
    type Fork = ();
    type Branch = ();

    fn fork(&self, _ex: &mut Expander<'_, Self>, _fork: &F<'_>) {}

    fn branch(&self, _ex: &mut Expander<'_, Self>, _fork: &(), _branch: &B<'_>) {}
}

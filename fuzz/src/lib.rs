//! The `workflow!` macro's front end, compiled from its own sources for fuzzing.
//!
//! A proc-macro crate's internals cannot be linked from another crate, so its modules
//! are compiled here by path, at the crate root where their `crate::` paths resolve.
//! Keep the list in step with `workflow-macros/src/lib.rs` (CI builds `replay`, so a
//! module missing here fails there). `fuzz_check` holds the promises checked on every
//! input; the macro's own tests replay the committed corpus through it as well.

// Parts of the macro the fuzz target does not reach, and its `pub(crate)` items.
#![allow(dead_code, unreachable_pub)]

#[path = "../../workflow-macros/src/diag.rs"]
mod diag;
#[path = "../../workflow-macros/src/expand.rs"]
mod expand;
#[path = "../../workflow-macros/src/fuzz_check.rs"]
mod fuzz_check;
#[path = "../../workflow-macros/src/graph.rs"]
mod graph;
#[path = "../../workflow-macros/src/model.rs"]
mod model;
#[path = "../../workflow-macros/src/modifiers.rs"]
mod modifiers;
#[path = "../../workflow-macros/src/parse.rs"]
mod parse;
#[path = "../../workflow-macros/src/validate.rs"]
mod validate;

/// Runs the macro's front end on `data` (when it is UTF-8), as a whole macro input and as
/// a workflow's body; panics when a promise of `fuzz_check` is broken.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // proc-macro2 keeps the text of every input it lexed on this thread: forget it.
    proc_macro2::extra::invalidate_current_thread_spans();
    fuzz_check::check_text(text);
}

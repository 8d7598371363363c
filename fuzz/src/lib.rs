//! The `workflow!` macro's front end, for fuzzing: `workflow-macros-core`, the library the
//! proc-macro crate calls, checked on each input by its `fuzz_check` (the promises the
//! front end keeps on any input; the property tests replay the committed corpus too).

/// Runs the macro's front end on `data` (when it is UTF-8), as a whole macro input and as
/// a workflow's body; panics when a promise of `fuzz_check` is broken.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // proc-macro2 keeps the text of every input it lexed on this thread: forget it.
    proc_macro2::extra::invalidate_current_thread_spans();
    workflow_macros_core::fuzz_check::check_text(text);
}

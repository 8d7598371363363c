//! The promises the macro's front end keeps on *any* input, checked on one input.
//!
//! Shared by the property tests (`proptests.rs`), the replay of the fuzz corpus, and the
//! fuzz target itself (`fuzz/` calls it from its harness). A broken
//! promise is a panic, which the fuzzer reports as a crash and a test as a failure:
//!
//! - parsing, building the model, validating and expanding never panic;
//! - every error in the body (a statement that does not parse, a problem the validator
//!   finds) points at a token of the input, so rustc shows it on the user's code; an
//!   error outside the body (the signature) may be at the macro call when it is at the
//!   end of the whole input, where there is no token to point at;
//! - the expansion is Rust: it lexes again and, when the runtime's path is a path, it
//!   parses as a file of items (the function, or its fallback with the errors).

use core::str::FromStr as _;

use proc_macro2::{Span, TokenStream};

use crate::model::Workflow;
use crate::{expand, parse, validate};

/// What the front end made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The tokens do not lex (unbalanced delimiters): rustc never passes such input.
    Unlexable,
    /// The input is not a workflow at all: `parse_input` failed.
    NotParsed,
    /// It parsed, with this many errors from the parser's recovery and the validator.
    Rejected(usize),
    /// No error: the expansion is the workflow's code.
    Accepted,
}

/// What the front end made of an input, and its model when it parsed.
pub struct Checked {
    pub verdict: Verdict,
    /// The model, when the input parsed; its spans are valid until the thread lexes
    /// again after `invalidate_current_thread_spans`.
    pub model: Option<Workflow<Span>>,
    /// How many statements did not parse (the parser skipped them).
    pub statement_errors: usize,
}

/// Checks `text` as a whole macro input, and (when `text` is not one) as the body of a
/// workflow, which is where a fuzzer's mutations are interesting. Returns the verdict
/// on `text` as a whole input and on it as a body.
pub fn check_text(text: &str) -> (Verdict, Verdict) {
    let whole = check_source(text, true).verdict;
    let body = check_source(
        &format!("(::workflow_runtime) async fn fuzzed(x: u32) -> Result<u32, E> {{\n{text}\n}}"),
        true,
    )
    .verdict;
    (whole, body)
}

/// Lexes `source` and checks it as a macro input.
pub fn check_source(source: &str, parse_expansion: bool) -> Checked {
    match TokenStream::from_str(source) {
        Ok(tokens) => check_tokens(&tokens, parse_expansion),
        Err(_) => Checked {
            verdict: Verdict::Unlexable,
            model: None,
            statement_errors: 0,
        },
    }
}

/// Runs parse, model, validate and expand on `tokens`, asserting the module's promises.
/// With `parse_expansion`, the expansion is also parsed as Rust items (the slowest part:
/// syn parses the whole generated function).
///
/// # Panics
///
/// When a promise is broken: that is what the fuzzer reports as a crash.
pub fn check_tokens(tokens: &TokenStream, parse_expansion: bool) -> Checked {
    let mut model = None;
    let mut statement_errors = 0;
    let verdict = match parse::parse_input(tokens.clone()) {
        // Outside the body, syn's errors at the end of the whole input are at the call
        // site: there is no token after the end.
        Err(_) => Verdict::NotParsed,
        Ok(input) => {
            for error in &input.errors {
                for message in error.clone() {
                    assert_located(message.span(), &message.to_string());
                }
            }
            let cx = crate::diag::Ctxt::new();
            let workflow = Workflow::from_ast(&input, &cx);
            let problems = validate::validate(&workflow);
            model = Some(workflow.to_stage::<Span>(|span| span));
            for error in cx.finish() {
                for message in error {
                    assert_located(message.span(), &message.to_string());
                }
            }
            statement_errors = input.errors.len();
            for problem in &problems {
                assert_located(problem.at, &problem.message);
                assert!(
                    !problem.message.is_empty() && !problem.help.is_empty(),
                    "a problem without a message or a help line: {problem:?}"
                );
            }
            let errors = input.errors.len() + problems.len();
            let user_errors = compile_errors(tokens);
            let expansion = expand::workflow(tokens.clone());
            // The macro passes the body's ordinary Rust through for rustc to judge (`let
            // x = y` as a tail parses as a `let` expression): the expansion can only be
            // Rust when those statements are.
            let rust: TokenStream = input
                .body
                .iter()
                .filter_map(|item| match item {
                    parse::Item::Rust { tokens, .. } | parse::Item::StrayJoin { tokens, .. } => {
                        Some(tokens.clone())
                    }
                    parse::Item::Fork(_) => None,
                })
                .collect();
            let rust_is_rust = syn::parse2::<syn::Block>(quote::quote!({ #rust })).is_ok();
            assert_rust(&expansion, &input.krate, parse_expansion && rust_is_rust);
            // The expansion may have errors of its own (`#[traced]` arguments), so
            // the count is checked one way: every error found is in the expansion.
            let expanded_errors = compile_errors(&expansion).saturating_sub(user_errors);
            assert!(
                errors == 0 || expanded_errors > 0,
                "parsing and validation found {errors} errors, but the expansion has none"
            );
            if expanded_errors == 0 {
                Verdict::Accepted
            } else {
                Verdict::Rejected(errors.max(1))
            }
        }
    };
    if verdict == Verdict::NotParsed {
        let expansion = expand::workflow(tokens.clone());
        assert!(
            expansion.to_string().contains("compile_error"),
            "input that does not parse must expand to a compile error: {expansion}"
        );
    }
    Checked {
        verdict,
        model,
        statement_errors,
    }
}

/// How many `compile_error` identifiers `tokens` hold, at any depth.
fn compile_errors(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Ident(ident) => usize::from(ident == "compile_error"),
            proc_macro2::TokenTree::Group(group) => compile_errors(&group.stream()),
            _ => 0,
        })
        .sum()
}

/// The expansion lexes again, and parses as items when the runtime's path is a path.
/// syn's parser recurses once per level of the expansion's nesting, without the stack
/// growth rustc's own parser has: it runs on a thread with a large stack, from the
/// printed expansion (spans are per thread).
fn assert_rust(expansion: &TokenStream, krate: &TokenStream, parse_expansion: bool) {
    if !parse_expansion {
        return;
    }
    let printed = expansion.to_string();
    let items = syn::parse2::<syn::Path>(krate.clone()).is_ok();
    let checked = std::thread::Builder::new()
        .name("expansion-check".to_owned())
        .stack_size(256 << 20)
        .spawn(move || {
            let Ok(tokens) = TokenStream::from_str(&printed) else {
                return Err(format!("the expansion does not lex: {printed}"));
            };
            match syn::parse2::<syn::File>(tokens) {
                Err(error) if items => Err(format!(
                    "the expansion is not a file of Rust items ({error}): {printed}"
                )),
                _ => Ok(()),
            }
        })
        .expect("a thread for the expansion check")
        .join()
        .expect("the expansion check does not panic");
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// An error must point at a token of the input. Only "unexpected end of input" may be
/// at the call site: there is no token after the end to point at.
fn assert_located(span: Span, message: &str) {
    // Built with `--cfg fuzzing` (cargo-fuzz sets it), proc-macro2 keeps no source text
    // and says line 0 for every span: nothing to compare with.
    if Span::call_site().start().line == 0 {
        return;
    }
    let located = span.source_text().is_some_and(|text| !text.is_empty());
    assert!(
        located || message.contains("end of input"),
        "this error points at no token of the input: {message:?}"
    );
}

//! How the macro words its errors, and the one place they are collected.

use core::cell::RefCell;

use proc_macro2::Span;

/// An error on `span` with a `help:` line that says what to write instead.
pub fn error(
    span: Span,
    message: impl core::fmt::Display,
    help: impl core::fmt::Display,
) -> syn::Error {
    syn::Error::new(span, format!("{message}\n= help: {help}"))
}

/// Every error of one macro call, from every pass (as `serde_derive`'s `Ctxt`): the
/// statements that did not parse, the workflow's attributes, the validator's problems.
/// They are reported together, so one build shows every mistake.
#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// An error on `span` with its help line (see [`error`]).
    pub fn error(
        &self,
        span: Span,
        message: impl core::fmt::Display,
        help: impl core::fmt::Display,
    ) {
        self.push(error(span, message, help));
    }

    /// An error made elsewhere (a parse error, which carries its own help line).
    pub fn push(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    /// The errors so far, in the order they were reported; none means the input is a
    /// valid workflow.
    pub fn finish(self) -> Vec<syn::Error> {
        self.errors.into_inner()
    }
}

/// `err` with `help` added to each of its messages that has no `help:` line: syn's own
/// errors ("expected an expression") say what is wrong, and the place that called syn
/// knows what to write there.
pub fn with_help(err: syn::Error, help: impl core::fmt::Display) -> syn::Error {
    let mut out: Option<syn::Error> = None;
    for message in err {
        let text = message.to_string();
        let message = if has_help(&text) {
            message
        } else {
            error(message.span(), text, &help)
        };
        match &mut out {
            Some(out) => out.combine(message),
            None => out = Some(message),
        }
    }
    out.unwrap_or_else(|| syn::Error::new(proc_macro2::Span::call_site(), help.to_string()))
}

/// Whether an error's text has a `help:` line.
pub fn has_help(message: &str) -> bool {
    message.contains("\n= help: ")
}

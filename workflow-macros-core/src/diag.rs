//! How the macro words its errors.

use proc_macro2::Span;

/// An error on `span` with a `help:` line that says what to write instead.
pub fn error(
    span: Span,
    message: impl core::fmt::Display,
    help: impl core::fmt::Display,
) -> syn::Error {
    syn::Error::new(span, format!("{message}\n= help: {help}"))
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

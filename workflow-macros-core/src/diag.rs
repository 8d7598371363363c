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

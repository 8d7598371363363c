//! Attributes on branches and steps: `#[optional]`, `#[timeout(500ms)]`,
//! `#[retry(3, backoff = 10ms)]`, `#[limit(4)]`. Parsed and checked here; where each is
//! allowed is the validator's business.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::ParseStream;
#[cfg(test)]
use syn::parse::Parser;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, Lit, Token};

use crate::diag::error;

/// The modifiers written on one branch or step.
#[derive(Default)]
pub struct Modifiers {
    pub optional: Option<Span>,
    pub timeout: Option<Timed>,
    pub retry: Option<Retry>,
    pub limit: Option<Limit>,
}

pub struct Timed {
    pub at: Span,
    /// The argument as written (`250ms`), for the workflow graph.
    pub text: String,
    /// An expression of type `core::time::Duration`.
    pub after: TokenStream,
}

pub struct Retry {
    pub at: Span,
    /// The arguments as written (`3, backoff = 10ms`), for the workflow graph.
    pub text: String,
    /// How many times a failed attempt is retried: an expression of type `u32`.
    pub retries: TokenStream,
    /// The first wait between attempts, doubled at every retry: a `Duration`.
    pub backoff: TokenStream,
}

pub struct Limit {
    pub at: Span,
    /// The argument as written, for the workflow graph.
    pub text: String,
    /// An expression of type `usize`.
    pub max: TokenStream,
}

const KNOWN: &str =
    "`#[optional]`, `#[timeout(500ms)]`, `#[retry(3, backoff = 10ms)]` and `#[limit(4)]`";

impl Modifiers {
    pub fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut modifiers = Modifiers::default();
        for attr in attrs {
            let at = attr.path().span();
            let Some(name) = attr.path().get_ident().map(ToString::to_string) else {
                return Err(error(
                    at,
                    "unknown attribute",
                    format!("branches and steps take {KNOWN}"),
                ));
            };
            if matches!(attr.meta, syn::Meta::Path(_)) {
                let example = match name.as_str() {
                    "timeout" => Some("#[timeout(250ms)]"),
                    "retry" => Some("#[retry(3, backoff = 20ms)]"),
                    "limit" => Some("#[limit(4)]"),
                    _ => None,
                };
                if let Some(example) = example {
                    return Err(error(
                        at,
                        format!("`#[{name}]` needs an argument"),
                        format!("write `{example}`"),
                    ));
                }
            }
            let seen = match name.as_str() {
                "optional" => {
                    attr.meta.require_path_only().map_err(|_| {
                        error(
                            at,
                            "`#[optional]` takes no arguments",
                            "write `#[optional]`",
                        )
                    })?;
                    modifiers.optional.replace(at).is_some()
                }
                "timeout" => {
                    let after =
                        attr.parse_args_with(|input: ParseStream<'_>| duration(input, "timeout"))?;
                    let text = arguments(attr);
                    modifiers
                        .timeout
                        .replace(Timed { at, text, after })
                        .is_some()
                }
                "retry" => {
                    let mut retry =
                        attr.parse_args_with(|input: ParseStream<'_>| retry(input, at))?;
                    retry.text = arguments(attr);
                    modifiers.retry.replace(retry).is_some()
                }
                "limit" => {
                    let max = attr.parse_args_with(|input: ParseStream<'_>| {
                        count(
                            input,
                            "limit",
                            "a concurrency limit of 0 would never start an item",
                        )
                    })?;
                    let text = arguments(attr);
                    modifiers.limit.replace(Limit { at, text, max }).is_some()
                }
                _ => {
                    return Err(error(
                        at,
                        format!("unknown attribute `#[{name}]` on a branch or step"),
                        format!("branches and steps take {KNOWN}"),
                    ));
                }
            };
            if seen {
                return Err(error(
                    at,
                    format!("`#[{name}]` is written twice"),
                    "keep one",
                ));
            }
        }
        Ok(modifiers)
    }
}

/// The arguments of `#[name(...)]` as written.
fn arguments(attr: &Attribute) -> String {
    match &attr.meta {
        syn::Meta::List(list) => crate::text::source_text(list.tokens.clone()),
        _ => String::new(),
    }
}

fn retry(input: ParseStream<'_>, at: Span) -> syn::Result<Retry> {
    let retries = count(input, "retry", "`#[retry(0)]` would never retry")?;
    let mut backoff = quote! { ::core::time::Duration::from_millis(100) };
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        if !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "backoff" {
                return Err(error(
                    key.span(),
                    format!("unknown retry option `{key}`"),
                    "write `#[retry(3)]` or `#[retry(3, backoff = 10ms)]`",
                ));
            }
            input.parse::<Token![=]>()?;
            backoff = duration(input, "backoff")?;
            input.parse::<Option<Token![,]>>()?;
        }
    }
    Ok(Retry {
        at,
        text: String::new(),
        retries,
        backoff,
    })
}

/// A count: a positive integer literal, or an expression evaluated at run time.
fn count(input: ParseStream<'_>, what: &str, zero: &str) -> syn::Result<TokenStream> {
    let expr: Expr = input.parse()?;
    match &expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int)
                if int.suffix().is_empty() || int.suffix() == "usize" || int.suffix() == "u32" =>
            {
                if int.base10_parse::<u64>()? == 0 {
                    return Err(error(
                        int.span(),
                        zero,
                        format!("write `#[{what}(1)]` or more"),
                    ));
                }
                let value: u64 = int.base10_parse()?;
                Ok(quote! { #value as _ })
            }
            _ => Err(error(
                lit.span(),
                format!("expected a count in `#[{what}(...)]`"),
                format!("write a whole number, as in `#[{what}(3)]`"),
            )),
        },
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => Err(error(
            unary.span(),
            format!("`#[{what}]` cannot be negative"),
            format!("write a whole number, as in `#[{what}(3)]`"),
        )),
        _ => Ok(quote! { #expr }),
    }
}

/// A duration: a literal with a unit (`250ms`, `2s`, `1.5s`, `100us`, `1min`), or an
/// expression of type `Duration`.
fn duration(input: ParseStream<'_>, what: &str) -> syn::Result<TokenStream> {
    let expr: Expr = input.parse()?;
    let Expr::Lit(lit) = &expr else {
        return Ok(quote! { #expr });
    };
    let help = format!("write a duration with its unit, as in `#[{what}(250ms)]`, `2s` or `1min`");
    let (digits, suffix) = match &lit.lit {
        Lit::Int(int) => (int.base10_digits().to_owned(), int.suffix().to_owned()),
        Lit::Float(float) => (float.base10_digits().to_owned(), float.suffix().to_owned()),
        other => {
            return Err(error(
                other.span(),
                format!("expected a duration in `{what}`"),
                help,
            ));
        }
    };
    let scale = match suffix.as_str() {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "min" => 60.0,
        "" => return Err(error(lit.span(), "this duration has no unit", help)),
        other => return Err(error(lit.span(), format!("unknown unit `{other}`"), help)),
    };
    let value: f64 = digits
        .parse()
        .map_err(|_| error(lit.span(), "expected a number", help.clone()))?;
    if value <= 0.0 {
        return Err(error(
            lit.span(),
            format!("a {what} of zero would end at once"),
            format!("write a positive duration, as in `#[{what}(250ms)]`"),
        ));
    }
    let nanos = value * scale * 1e9;
    if !nanos.is_finite() || nanos > 1.8e19 {
        return Err(error(lit.span(), "this duration is too long", help));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked above
    let nanos = nanos.round() as u64;
    Ok(quote! { ::core::time::Duration::from_nanos(#nanos) })
}

/// Outer attributes before a branch or a step.
pub fn attributes(input: ParseStream<'_>) -> syn::Result<Vec<Attribute>> {
    input.call(Attribute::parse_outer)
}

/// Parses `tokens` as a duration, for unit tests.
#[cfg(test)]
pub fn duration_of(tokens: TokenStream) -> syn::Result<TokenStream> {
    Parser::parse2(|input: ParseStream<'_>| duration(input, "timeout"), tokens)
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    fn nanos(source: &str) -> String {
        duration_of(TokenStream::from_str(source).expect("lexes"))
            .map_or_else(|e| e.to_string(), |t| t.to_string())
    }

    #[test]
    fn read_durations_with_units() {
        assert!(
            nanos("250ms").contains("250000000u64"),
            "{}",
            nanos("250ms")
        );
        assert!(nanos("1.5s").contains("1500000000u64"));
        assert!(nanos("2min").contains("120000000000u64"));
        assert!(nanos("config.deadline").contains("config . deadline"));
        assert!(nanos("0ms").starts_with("a timeout of zero"));
        assert!(nanos("250").starts_with("this duration has no unit"));
        assert!(nanos("3h").starts_with("unknown unit `h`"));
    }
}

//! Attributes on branches and steps: `#[optional]`, `#[timeout(500ms)]`,
//! `#[retry(3, backoff = 10ms, max = 1s, jitter, if = is_transient)]`, `#[limit(4)]`.
//! Parsed and checked here; where each is allowed is the validator's business.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::parse::ParseStream;
#[cfg(test)]
use syn::parse::Parser;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, Lit, Token};

use crate::diag::{error, with_help};

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
    /// `max = ..`: the longest wait, a `Duration`.
    pub max: Option<TokenStream>,
    /// `jitter`: each wait a random part of itself.
    pub jitter: Option<Span>,
    /// `if = path`: the `fn(&E) -> bool` that says whether an error is worth retrying.
    pub worth: Option<syn::ExprPath>,
}

impl Retry {
    /// The waits (a `Backoff` expression) and the predicate, when `max`, `jitter` or
    /// `if` is written; `None` for a plain doubling backoff that retries every error.
    pub fn policy(&self, k: &TokenStream) -> Option<(TokenStream, TokenStream)> {
        if self.max.is_none() && self.jitter.is_none() && self.worth.is_none() {
            return None;
        }
        let backoff = &self.backoff;
        let mut policy = quote_spanned! {self.at=> #k::__private::Backoff::new(#backoff) };
        if let Some(max) = &self.max {
            policy = quote_spanned! {self.at=> #policy.max(#max) };
        }
        if let Some(at) = self.jitter {
            policy = quote_spanned! {at=> #policy.jitter() };
        }
        let worth = match &self.worth {
            // A closure after the step's closure: rustc checks closures in order, so
            // it knows the step's error type when it checks the predicate, and a
            // predicate of the wrong type is one error at the predicate. The closure's
            // own tokens are the macro's (placed at the path): no lint tells the user
            // to pass the function itself.
            Some(path) => {
                let at = Span::mixed_site().located_at(path.span());
                let error = syn::Ident::new("__workflow_failure", path.span());
                let call = quote_spanned! {path.span()=> #path(#error) };
                quote_spanned! {at=> |#error| #call }
            }
            None => quote_spanned! {self.at=> #k::__private::always },
        };
        Some((policy, worth))
    }
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
    /// Whether a modifier wraps the step's future (`#[timeout]`, `#[retry]`): the step is
    /// then not its future itself.
    pub fn wraps_step(&self) -> bool {
        self.timeout.is_some() || self.retry.is_some()
    }

    /// Whether nothing is written that the workflow graph records (`#[optional]`,
    /// `#[timeout]`, `#[retry]`).
    pub fn is_plain(&self) -> bool {
        self.optional.is_none() && !self.wraps_step()
    }

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
                    let after = attr
                        .parse_args_with(|input: ParseStream<'_>| duration(input, "timeout"))
                        .map_err(|err| with_help(err, "write `#[timeout(250ms)]`: one duration"))?;
                    let text = arguments(attr);
                    modifiers
                        .timeout
                        .replace(Timed { at, text, after })
                        .is_some()
                }
                "retry" => {
                    let mut retry = attr
                        .parse_args_with(|input: ParseStream<'_>| retry(input, at))
                        .map_err(|err| {
                            with_help(
                                err,
                                "write `#[retry(3)]` or `#[retry(5, backoff = 10ms, max = 1s, jitter)]`",
                            )
                        })?;
                    retry.text = arguments(attr);
                    modifiers.retry.replace(retry).is_some()
                }
                "limit" => {
                    let max = attr
                        .parse_args_with(|input: ParseStream<'_>| {
                            count(
                                input,
                                Count::Limit,
                                "a concurrency limit of 0 would never start an item",
                            )
                        })
                        .map_err(|err| with_help(err, "write `#[limit(4)]`: one count"))?;
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

/// What `#[retry(..)]` takes after its count, for help lines.
const RETRY_OPTIONS: &str = "`backoff = 10ms`, `max = 1s`, `jitter` and `if = is_transient`";

/// The backoff of a `#[retry]` that does not write one.
const DEFAULT_BACKOFF_NANOS: u128 = 100_000_000;

fn retry(input: ParseStream<'_>, at: Span) -> syn::Result<Retry> {
    let retries = count(input, Count::Retry, "`#[retry(0)]` would never retry")?;
    let mut retry = Retry {
        at,
        text: String::new(),
        retries,
        backoff: quote! { ::core::time::Duration::from_millis(100) },
        max: None,
        jitter: None,
        worth: None,
    };
    // The backoff's and the cap's lengths when they are literals, to compare them.
    let mut backoff: (Option<Span>, Option<u128>) = (None, Some(DEFAULT_BACKOFF_NANOS));
    let mut max: Option<(Span, u128)> = None;
    let mut seen: Vec<String> = Vec::new();
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key = input.call(syn::Ident::parse_any).map_err(|err| {
            with_help(
                err,
                format!("after the count, `#[retry]` takes {RETRY_OPTIONS}"),
            )
        })?;
        let name = key.to_string();
        if seen.contains(&name) {
            return Err(error(
                key.span(),
                format!("`{name}` is written twice in `#[retry]`"),
                "keep one",
            ));
        }
        match name.as_str() {
            "backoff" | "max" => {
                let example = if name == "max" { "1s" } else { "10ms" };
                equals(input, &key, example)?;
                let span = input.span();
                let (tokens, nanos) = duration_value(input, &name)?;
                if name == "max" {
                    retry.max = Some(tokens);
                    max = nanos.map(|n| (span, n));
                } else {
                    retry.backoff = tokens;
                    backoff = (Some(span), nanos);
                }
            }
            "jitter" => {
                if input.peek(Token![=]) {
                    input.parse::<Token![=]>()?;
                }
                if !input.is_empty() && !input.peek(Token![,]) {
                    let value: proc_macro2::TokenTree = input.parse()?;
                    return Err(error(
                        value.span(),
                        "`jitter` takes no value",
                        "write `jitter` alone, as in `#[retry(5, backoff = 10ms, jitter)]`: each wait is then a random part of itself",
                    ));
                }
                retry.jitter = Some(key.span());
            }
            "if" => {
                equals(input, &key, "is_transient")?;
                let expr: Expr = input.parse().map_err(|err| {
                    with_help(
                        err,
                        "write the path of a `fn(&E) -> bool`, as in `if = is_transient`",
                    )
                })?;
                let Expr::Path(path) = expr else {
                    return Err(error(
                        expr.span(),
                        "`if` takes the path of a function, not an expression",
                        "write `if = is_transient` with `fn is_transient(error: &E) -> bool` (`E` the step's error type), and move the test into that function",
                    ));
                };
                retry.worth = Some(path);
            }
            _ => {
                let help = if name == "when" || name == "retry_if" {
                    "write `if = is_transient`: the path of a `fn(&E) -> bool` that says which errors are worth retrying".to_owned()
                } else {
                    format!("after the count, `#[retry]` takes {RETRY_OPTIONS}")
                };
                return Err(error(
                    key.span(),
                    format!("unknown retry option `{name}`"),
                    help,
                ));
            }
        }
        seen.push(name);
    }
    if let (Some((max_at, max)), (backoff_at, Some(first))) = (max, backoff)
        && max < first
    {
        let (message, help) = match backoff_at {
                Some(_) => (
                    "`max` is shorter than `backoff`: even the first wait would be cut",
                    "write a `max` of at least the backoff, or a shorter `backoff`".to_owned(),
                ),
                None => (
                    "`max` is shorter than the backoff, which is 100ms when it is not written",
                    "write a `max` of at least 100ms, or a shorter `backoff`, as in `backoff = 10ms, max = 50ms`".to_owned(),
                ),
            };
        return Err(error(max_at, message, help));
    }
    Ok(retry)
}

/// The `=` after an option's name, with an error at the name when it is missing.
fn equals(input: ParseStream<'_>, key: &syn::Ident, example: &str) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        return Ok(());
    }
    Err(error(
        key.span(),
        format!("`{key}` needs a value"),
        format!("write `{key} = {example}`"),
    ))
}

/// What a count counts, and the type it has in the expansion.
#[derive(Clone, Copy)]
enum Count {
    /// `#[retry(n)]`: a `u32`.
    Retry,
    /// `#[limit(n)]`: a `usize`.
    Limit,
}

impl Count {
    fn name(self) -> &'static str {
        match self {
            Count::Retry => "retry",
            Count::Limit => "limit",
        }
    }

    fn max(self) -> u128 {
        match self {
            Count::Retry => u128::from(u32::MAX),
            // The macro's own `usize`; on a narrower target rustc rejects a literal that
            // does not fit, at the same token.
            Count::Limit => usize::MAX as u128,
        }
    }

    /// The count as a literal of its type, at the user's token.
    fn literal(self, value: u128, span: Span) -> TokenStream {
        let mut literal = match self {
            Count::Retry => {
                proc_macro2::Literal::u32_suffixed(u32::try_from(value).unwrap_or(u32::MAX))
            }
            Count::Limit => {
                proc_macro2::Literal::usize_suffixed(usize::try_from(value).unwrap_or(usize::MAX))
            }
        };
        literal.set_span(span);
        quote! { #literal }
    }
}

/// A count: a positive integer literal that fits its type, or an expression evaluated at
/// run time.
fn count(input: ParseStream<'_>, what: Count, zero: &str) -> syn::Result<TokenStream> {
    let name = what.name();
    let expr: Expr = input
        .parse()
        .map_err(|err| with_help(err, format!("write a whole number, as in `#[{name}(3)]`")))?;
    match &expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Int(int)
                if int.suffix().is_empty() || int.suffix() == "usize" || int.suffix() == "u32" =>
            {
                let value = int.base10_parse::<u128>().ok().filter(|v| *v <= what.max());
                let Some(value) = value else {
                    let (message, help) = match what {
                        Count::Retry => (
                            format!("`#[retry({})]` retries more times than a `u32` counts", int.base10_digits()),
                            format!("write at most `#[retry({})]`", u32::MAX),
                        ),
                        Count::Limit => (
                            format!("`#[limit({})]` is more than a `usize` holds", int.base10_digits()),
                            "write a limit you mean to reach, as in `#[limit(64)]`; leave `#[limit]` out for no limit".to_owned(),
                        ),
                    };
                    return Err(error(int.span(), message, help));
                };
                if value == 0 {
                    return Err(error(
                        int.span(),
                        zero,
                        format!("write `#[{name}(1)]` or more"),
                    ));
                }
                Ok(what.literal(value, int.span()))
            }
            _ => Err(error(
                lit.span(),
                format!("expected a count in `#[{name}(...)]`"),
                format!("write a whole number, as in `#[{name}(3)]`"),
            )),
        },
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => Err(error(
            unary.span(),
            format!("`#[{name}]` cannot be negative"),
            format!("write a whole number, as in `#[{name}(3)]`"),
        )),
        _ => Ok(quote! { #expr }),
    }
}

/// A duration: a literal with a unit (`250ms`, `2s`, `1.5s`, `100us`, `1min`), or an
/// expression of type `Duration`. A literal is converted exactly, to whole nanoseconds
/// (rounded to the nearest), and must be at least one and fit a `Duration`.
fn duration(input: ParseStream<'_>, what: &str) -> syn::Result<TokenStream> {
    duration_value(input, what).map(|(tokens, _)| tokens)
}

/// A duration (see [`duration`]) and, for a literal, its length in nanoseconds.
fn duration_value(input: ParseStream<'_>, what: &str) -> syn::Result<(TokenStream, Option<u128>)> {
    // `#[timeout(250ms)]`; `backoff = 250ms` and `max = 250ms` in `#[retry]`.
    let example = if what == "timeout" {
        format!("#[{what}(250ms)]")
    } else {
        format!("{what} = 250ms")
    };
    let expr: Expr = input.parse().map_err(|err| {
        with_help(
            err,
            format!("write a duration with its unit, as in `{example}`"),
        )
    })?;
    let Expr::Lit(lit) = &expr else {
        return Ok((quote! { #expr }, None));
    };
    let help = format!("write a duration with its unit, as in `{example}`, `2s` or `1min`");
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
    let unit_nanos: u128 = match suffix.as_str() {
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "min" => 60_000_000_000,
        "" => return Err(error(lit.span(), "this duration has no unit", help)),
        other => return Err(error(lit.span(), format!("unknown unit `{other}`"), help)),
    };
    let Some(nanos) = nanoseconds(&digits, unit_nanos) else {
        return Err(error(
            lit.span(),
            format!("this {what} is longer than a `Duration` can hold"),
            format!("write a duration of at most {} s", u64::MAX),
        ));
    };
    if nanos == 0 {
        let mantissa = digits.split(['e', 'E']).next().unwrap_or_default();
        let message = if mantissa.chars().all(|c| matches!(c, '0' | '.')) {
            format!("a {what} of zero would end at once")
        } else {
            format!(
                "this {what} is shorter than a nanosecond: it rounds to zero and would end at once"
            )
        };
        return Err(error(
            lit.span(),
            message,
            format!(
                "write a positive duration of at least a nanosecond, as in `{example}` (`0.001us` is one nanosecond)"
            ),
        ));
    }
    let (secs, subsec) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
    let Ok(secs) = u64::try_from(secs) else {
        return Err(error(
            lit.span(),
            format!("this {what} is longer than a `Duration` can hold"),
            format!("write a duration of at most {} s", u64::MAX),
        ));
    };
    let subsec = u32::try_from(subsec).unwrap_or(0);
    Ok((
        quote! { ::core::time::Duration::new(#secs, #subsec) },
        Some(nanos),
    ))
}

/// `digits` (a decimal number as syn gives it: `1.5`, `2`, `1e3`, `2.5E-3`) times
/// `unit_nanos`, rounded to the nearest whole number; `None` when it does not fit a
/// `u128`.
fn nanoseconds(digits: &str, unit_nanos: u128) -> Option<u128> {
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(at) => (&digits[..at], digits[at + 1..].parse::<i64>().ok()?),
        None => (digits, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut value: u128 = 0;
    for c in whole.chars().chain(fraction.chars()) {
        value = value
            .checked_mul(10)?
            .checked_add(u128::from(c.to_digit(10)?))?;
    }
    let value = value.checked_mul(unit_nanos)?;
    // value × 10^shift nanoseconds.
    let shift = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    if value == 0 {
        return Some(0);
    }
    if shift >= 0 {
        let scale = 10_u128.checked_pow(u32::try_from(shift).ok()?)?;
        value.checked_mul(scale)
    } else {
        let Some(scale) = u32::try_from(-shift)
            .ok()
            .and_then(|s| 10_u128.checked_pow(s))
        else {
            // More than 10^38 times smaller than `value`: far below a nanosecond.
            return Some(0);
        };
        Some(value / scale + u128::from(value % scale >= scale.div_ceil(2)))
    }
}

/// Outer attributes before a branch or a step.
pub fn attributes(input: ParseStream<'_>) -> syn::Result<Vec<Attribute>> {
    input
        .call(Attribute::parse_outer)
        .map_err(|err| with_help(err, format!("write a modifier in `#[..]`: {KNOWN}")))
}

/// Parses `tokens` as a duration, for unit tests.
#[cfg(test)]
fn duration_of(tokens: TokenStream) -> syn::Result<TokenStream> {
    Parser::parse2(|input: ParseStream<'_>| duration(input, "timeout"), tokens)
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    fn count_of(source: &str, what: Count) -> String {
        Parser::parse2(
            |input: ParseStream<'_>| count(input, what, "zero"),
            TokenStream::from_str(source).expect("lexes"),
        )
        .map_or_else(|e| e.to_string(), |t| t.to_string())
    }

    #[test]
    fn write_counts_as_literals_of_their_type() {
        assert_eq!(count_of("3", Count::Retry), "3u32");
        assert_eq!(count_of("4294967295", Count::Retry), "4294967295u32");
        assert!(
            count_of("4294967296", Count::Retry)
                .starts_with("`#[retry(4294967296)]` retries more times than a `u32` counts")
        );
        assert!(
            count_of("99999999999999999999999999999999999999999", Count::Retry)
                .starts_with("`#[retry(")
        );
        assert_eq!(count_of("4", Count::Limit), "4usize");
        assert!(
            count_of("18446744073709551616", Count::Limit)
                .starts_with("`#[limit(18446744073709551616)]` is more than a `usize` holds")
        );
        assert_eq!(
            count_of("0", Count::Limit),
            "zero\n= help: write `#[limit(1)]` or more"
        );
        assert_eq!(count_of("config.n", Count::Limit), "config . n");
    }

    fn retry_of(source: &str) -> String {
        Parser::parse2(
            |input: ParseStream<'_>| retry(input, Span::call_site()),
            TokenStream::from_str(source).expect("lexes"),
        )
        .map_or_else(
            |e| e.to_string(),
            |r| match r.policy(&quote! { k }) {
                Some((policy, worth)) => format!("{policy} / {worth}"),
                None => format!("plain {}", r.backoff),
            },
        )
    }

    #[test]
    fn read_retry_options_in_any_order() {
        assert!(
            retry_of("3").starts_with("plain :: core :: time :: Duration :: from_millis (100)")
        );
        assert!(
            retry_of("3, backoff = 10ms,")
                .starts_with("plain :: core :: time :: Duration :: new (0u64 , 10000000u32)")
        );
        let all = retry_of("3, if = errors::is_transient, jitter, max = 1s, backoff = 10ms,");
        assert!(
            all.contains(". max (:: core :: time :: Duration :: new (1u64 , 0u32)) . jitter ()"),
            "{all}"
        );
        assert!(all.contains("new (0u64 , 10000000u32)"), "{all}");
        assert!(
            all.ends_with("| __workflow_failure | errors :: is_transient (__workflow_failure)"),
            "{all}"
        );
        assert!(retry_of("3, jitter").ends_with(". jitter () / k :: __private :: always"));
        // Expressions are not compared: the runtime caps at `max` whatever it is.
        assert!(!retry_of("3, backoff = cfg.first, max = 1ms").contains("shorter"));
        assert!(
            retry_of("3, max = 99ms")
                .starts_with("`max` is shorter than the backoff, which is 100ms")
        );
        assert!(retry_of("3, backoff = 1s, max = 1s").contains(". max ("));
        assert!(retry_of("3, jitter, jitter").starts_with("`jitter` is written twice"));
        assert!(retry_of("3, if").starts_with("`if` needs a value"));
        assert!(retry_of("3, if = 1 + 2").starts_with("`if` takes the path of a function"));
    }

    fn nanos(source: &str) -> String {
        duration_of(TokenStream::from_str(source).expect("lexes"))
            .map_or_else(|e| e.to_string(), |t| t.to_string())
    }

    #[test]
    fn read_durations_with_units() {
        assert!(
            nanos("250ms").contains("new (0u64 , 250000000u32)"),
            "{}",
            nanos("250ms")
        );
        assert!(nanos("1.5s").contains("new (1u64 , 500000000u32)"));
        assert!(nanos("2min").contains("new (120u64 , 0u32)"));
        assert!(nanos("1e3ms").contains("new (1u64 , 0u32)"));
        assert!(nanos("2.5E-3s").contains("new (0u64 , 2500000u32)"));
        assert!(nanos("0.001us").contains("new (0u64 , 1u32)"));
        assert!(
            nanos("0.0000015ms").contains("new (0u64 , 2u32)"),
            "rounds to the nearest"
        );
        assert!(nanos("config.deadline").contains("config . deadline"));
        assert!(nanos("0ms").starts_with("a timeout of zero"));
        assert!(
            nanos("0.0e5s").starts_with("a timeout of zero"),
            "{}",
            nanos("0.0e5s")
        );
        assert!(nanos("0.0000001ms").starts_with("this timeout is shorter than a nanosecond"));
        assert!(nanos("1e-300s").starts_with("this timeout is shorter than a nanosecond"));
        let most = format!("{}s", u64::MAX);
        assert!(nanos(&most).contains(&format!("new ({}u64 , 0u32)", u64::MAX)));
        let past = format!("{}s", u128::from(u64::MAX) + 1);
        assert!(nanos(&past).starts_with("this timeout is longer than a `Duration` can hold"));
        assert!(nanos("1e30min").starts_with("this timeout is longer"));
        assert!(nanos("1e400s").starts_with("this timeout is longer"));
        assert!(nanos("250").starts_with("this duration has no unit"));
        assert!(nanos("3h").starts_with("unknown unit `h`"));
    }
}

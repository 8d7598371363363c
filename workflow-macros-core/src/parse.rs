//! Syntax: the macro's input parsed into an AST that keeps every span.
//!
//! The grammar, the same as in the README:
//!
//! ```text
//! input      := '(' CRATE_PATH ')' workflow          -- the path is added by `workflow!`
//! workflow   := attribute* visibility? 'async' 'fn' signature '{' statement* '}'
//! statement  := '#[spawn]'? ('let' PAT '=')? fork ';' | any Rust statement
//! fork       := 'fork' '<' branch (',' branch)* ','? '>' join
//! branch     := modifier* IDENT ':' ('for' PAT 'in' EXPR '=>')? step ('->' step)*
//! step       := fork | modifier* EXPR '?'?
//! modifier   := '#[optional]' | '#[timeout(' DURATION ')]' | '#[limit(' COUNT ')]'
//!             | '#[retry(' COUNT (',' 'backoff' '=' DURATION)? ')]'
//! join       := ('join' | 'first') '(' names ')' | 'quorum' '(' INT ',' names ')'
//!               followed by any of: '?'  'settled'  'background' '(' IDENT (',' IDENT)* ')'
//! names      := 'mut'? IDENT (',' 'mut'? IDENT)* ','?
//! ```
//!
//! `<` and `>` are not delimiters in Rust's token trees, so a step's expression cannot
//! simply be cut at the next `>` or `,`: `Vec::<u8>::new()`, `HashMap::<K, V>::new()`,
//! `a > b` and `|x: Vec<u8>| -> usize { .. }` all hold them. A step therefore ends at the
//! first place where a step may end (`,`, `->`, or a `>` followed by `join`, `,`, `;` or
//! nothing) *and* the tokens before it form a whole expression. A `,` or `->` inside an
//! unclosed `<...>` never ends a step, because the tokens before it are not an
//! expression. One spelling stays ambiguous and is read as the end of the fork: a
//! comparison with a call of a function named `join` (`a > join(b)`); write `(a > join(b))`.

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::parse::discouraged::Speculative as _;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, Ident, Signature, Token, Visibility, braced, parenthesized};

use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::diag::error;
use crate::modifiers::{self, Modifiers};

pub mod kw {
    syn::custom_keyword!(fork);
    syn::custom_keyword!(join);
    syn::custom_keyword!(background);
    syn::custom_keyword!(settled);
    syn::custom_keyword!(first);
    syn::custom_keyword!(quorum);
}

/// The whole macro input.
pub struct Input {
    /// The runtime crate's path, as `workflow!` passed it (`$crate`).
    pub krate: TokenStream,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    /// `#![...]` at the top of the body.
    pub inner_attrs: Vec<Attribute>,
    pub body: Vec<Item>,
    /// Errors of statements that could not be parsed; the parser skips to the next
    /// statement so that one build shows every mistake.
    pub errors: Vec<syn::Error>,
}

/// A statement of the workflow body.
#[allow(clippy::large_enum_variant)] // one per statement, never moved in a hot loop
pub enum Item {
    /// Ordinary Rust, passed through untouched. `item` is set for an item (`fn`,
    /// `struct`, `use`, ...), which stays visible to the whole body however the
    /// statements around it are wrapped; `item_macro` for a macro that defines items
    /// (`macro_rules!`, or called with braces: `thread_local! { .. }`).
    Rust {
        tokens: TokenStream,
        item: bool,
        item_macro: bool,
    },
    /// `fork < ... > join(...);`
    Fork(Fork),
    /// `join(a, b);` as a statement of its own: a join cut off from its fork, or a call
    /// of the user's own function `join` (the validator tells which).
    StrayJoin {
        at: Span,
        names: Vec<String>,
        tokens: TokenStream,
    },
}

pub struct Fork {
    /// `#[spawn]`: every branch runs as a task on tokio's runtime.
    pub spawn: Option<Span>,
    /// `let PAT =` before a fork statement: binds what the join hands on.
    pub binding: Option<syn::Pat>,
    pub keyword: kw::fork,
    pub branches: Vec<Branch>,
    pub join: Option<Join>,
}

pub struct Branch {
    pub modifiers: Modifiers,
    pub name: Ident,
    /// The `if` of a guard (`name if cond: ...`), which is an error.
    pub guard: Option<Token![if]>,
    /// `for item in items =>`: the steps run once per item.
    pub fan_out: Option<FanOut>,
    /// Never empty.
    pub steps: Vec<Step>,
}

pub struct FanOut {
    pub for_token: Token![for],
    pub pat: syn::Pat,
    pub items: Expr,
}

#[allow(clippy::large_enum_variant)] // a few per workflow, never moved in a hot loop
pub enum Step {
    /// An expression.
    Expr(Task),
    Fork(Box<Fork>),
}

/// A step that is an expression; a trailing `?` is kept out of `expr` and recorded in
/// `question`.
pub struct Task {
    pub modifiers: Modifiers,
    pub expr: Expr,
    pub question: Option<Token![?]>,
}

pub use crate::grammar::Policy;

pub struct Join {
    /// `join`, `first` or `quorum`.
    pub keyword: kw::join,
    pub policy: Policy<Span>,
    pub names: Vec<JoinName>,
    pub question: Option<Token![?]>,
    pub background: Vec<Ident>,
}

pub struct JoinName {
    pub mutability: Option<Token![mut]>,
    pub name: Ident,
}

pub fn parse_input(tokens: TokenStream) -> syn::Result<Input> {
    Parser::parse2(input, tokens)
}

fn input(input: ParseStream<'_>) -> syn::Result<Input> {
    let krate;
    parenthesized!(krate in input);
    let krate: TokenStream = krate.parse()?;
    // `workflow!` passes `$crate`; anything but a path (`::a::b`) would be pasted into
    // every path of the expansion.
    if let Some(token) = krate.clone().into_iter().find(|token| {
        !matches!(token, TokenTree::Ident(_))
            && !matches!(token, TokenTree::Punct(p) if matches!(p.as_char(), ':' | '$'))
    }) {
        return Err(error(
            token.span(),
            "expected the path of `workflow_runtime` here, before the workflow",
            "call `workflow_runtime::workflow! { .. }`, which passes it: this macro is not called directly",
        ));
    }
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let sig: Signature = input.parse()?;
    if sig.asyncness.is_none() {
        return Err(error(
            sig.fn_token.span,
            "a workflow must be an `async fn`",
            "write `async fn`: the branches of its forks are awaited",
        ));
    }
    let content;
    braced!(content in input);
    let inner_attrs = content.call(Attribute::parse_inner)?;
    let mut body = Vec::new();
    let mut errors = Vec::new();
    while !content.is_empty() {
        match statement(&content) {
            Ok(item) => body.push(item),
            Err(err) => {
                errors.push(misplaced_fork(&content).unwrap_or(err));
                skip_statement(&content)?;
            }
        }
    }
    if !input.is_empty() {
        return Err(input.error("unexpected tokens after the workflow's body"));
    }
    Ok(Input {
        krate,
        attrs,
        vis,
        sig,
        inner_attrs,
        body,
        errors,
    })
}

/// An error at the next token of `content` (a parenthesized group), which is then
/// skipped: syn would otherwise replace the error with its own "unexpected token".
fn fail_in(
    content: ParseStream<'_>,
    message: impl core::fmt::Display,
    help: impl core::fmt::Display,
) -> syn::Error {
    let span = content.cursor().span();
    let _ = content.parse::<TokenStream>();
    error(span, message, help)
}

/// `let PAT = fork < ...`.
fn is_let_fork(input: ParseStream<'_>) -> bool {
    let ahead = input.fork();
    ahead.parse::<Token![let]>().is_ok()
        && syn::Pat::parse_single(&ahead).is_ok()
        && ahead.parse::<Token![=]>().is_ok()
        && is_fork_start(&ahead)
}

/// The token trees from `cursor` up to the next `;` at this level (not included).
fn until_semicolon(mut rest: syn::buffer::Cursor<'_>) -> Vec<TokenTree> {
    let mut tokens = Vec::new();
    while let Some((tt, next)) = rest.token_tree() {
        if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';') {
            break;
        }
        tokens.push(tt);
        rest = next;
    }
    read_ahead::count(tokens.len());
    tokens
}

/// How many tokens the parser reads ahead of where it is, in tests: a fork must cost
/// linear work in its number of branches (`should::parse_a_fork_in_linear_time`).
mod read_ahead {
    #[cfg(test)]
    thread_local! {
        pub(super) static TOKENS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    #[inline]
    pub(super) fn count(tokens: usize) {
        #[cfg(test)]
        TOKENS.with(|read| read.set(read.get() + tokens));
        #[cfg(not(test))]
        let _ = tokens;
    }
}

/// Skips to just after the next `;` at this level, or to the end.
fn skip_statement(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';') {
                break;
            }
        }
        Ok(((), rest))
    })
}

/// `fork < name :` or `fork < >`: a variable named `fork` compared with `<` or `<=` is
/// ordinary Rust.
/// A malformed fork that still closes with `> join` counts too, so that it gets the
/// fork's own errors (such as a missing branch name).
fn is_fork_start(input: ParseStream<'_>) -> bool {
    // Most steps and statements do not start with `fork`: say so without reading the
    // rest of the statement, which made every step cost as much as the whole fork.
    if !matches!(input.cursor().ident(), Some((ident, _)) if ident == "fork") {
        return false;
    }
    let tokens = until_semicolon(input.cursor());
    let lone_lt = matches!(tokens.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '<' && p.spacing() == Spacing::Alone);
    let closes_with_join = tokens.windows(2).any(|pair| {
        matches!(&pair[0], TokenTree::Punct(p) if p.as_char() == '>')
            && matches!(&pair[1], TokenTree::Ident(ident) if ident == "join" || ident == "first" || ident == "quorum")
    });
    fork_at(&tokens, 0)
        || (lone_lt
            && closes_with_join
            && matches!(tokens.first(), Some(TokenTree::Ident(i)) if i == "fork"))
}

/// Whether `tokens[i..]` starts a fork: `fork < name :` (not `::`) or `fork < >`. The
/// first branch may have attributes (`#[optional] name:`) or a guard (`name if`), so
/// that such a fork without its join still gets the fork's own errors.
fn fork_at(tokens: &[TokenTree], i: usize) -> bool {
    let punct =
        |j: usize, c: char| matches!(tokens.get(j), Some(TokenTree::Punct(p)) if p.as_char() == c);
    let is_fork = matches!(tokens.get(i), Some(TokenTree::Ident(ident)) if ident == "fork");
    let mut name = i + 2;
    while punct(name, '#')
        && matches!(tokens.get(name + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Bracket)
    {
        name += 2;
    }
    let guarded = matches!(tokens.get(name + 1), Some(TokenTree::Ident(word)) if word == "if");
    let named = matches!(tokens.get(name), Some(TokenTree::Ident(_)))
        && (guarded || (punct(name + 1, ':') && !punct(name + 2, ':')));
    is_fork && punct(i + 1, '<') && (named || punct(i + 2, '>'))
}

fn statement(input: ParseStream<'_>) -> syn::Result<Item> {
    let ahead = input.fork();
    let attrs = ahead.call(Attribute::parse_outer)?;
    let mut spawn = None;
    if !attrs.is_empty() && (is_fork_start(&ahead) || is_let_fork(&ahead)) {
        for attr in &attrs {
            if attr.path().is_ident("spawn")
                && matches!(attr.meta, syn::Meta::Path(_))
                && spawn.is_none()
            {
                spawn = Some(attr.path().span());
            } else {
                return Err(error(
                    attr.pound_token.span,
                    "the only attribute a fork takes is `#[spawn]`",
                    "`#[spawn]` runs the branches as tokio tasks; put other attributes on the workflow `fn` or on a step's `async` block",
                ));
            }
        }
        input.advance_to(&ahead);
    }
    let binding = {
        if is_let_fork(input) {
            input.parse::<Token![let]>()?;
            let pat = syn::Pat::parse_single(input)?;
            input.parse::<Token![=]>()?;
            Some(pat)
        } else {
            None
        }
    };
    if binding.is_some() || is_fork_start(input) {
        let mut fork = fork(input)?;
        fork.binding = binding;
        fork.spawn = spawn;
        if !input.peek(Token![;]) {
            let at = match &fork.join {
                Some(join) => join.keyword.span,
                None => fork.keyword.span,
            };
            return Err(error(
                if input.is_empty() {
                    at
                } else {
                    input.cursor().span()
                },
                "expected `;` after the fork's join",
                "a fork is a statement: end it with `;`, and use the joined branches' values in the statements after it",
            ));
        }
        input.parse::<Token![;]>()?;
        return Ok(Item::Fork(fork));
    }
    if let Some(stray) = stray_join(input) {
        return Ok(stray);
    }
    let ahead = input.fork();
    match ahead.parse::<syn::Stmt>() {
        Ok(stmt) => {
            input.advance_to(&ahead);
            let item =
                matches!(&stmt, syn::Stmt::Item(item) if !matches!(item, syn::Item::Macro(_)));
            let braces = |mac: &syn::Macro| matches!(mac.delimiter, syn::MacroDelimiter::Brace(_));
            let item_macro = match &stmt {
                syn::Stmt::Item(syn::Item::Macro(item)) => {
                    item.ident.is_some() || braces(&item.mac)
                }
                syn::Stmt::Macro(stmt) => braces(&stmt.mac),
                _ => false,
            };
            let tokens = quote::ToTokens::into_token_stream(stmt);
            Ok(Item::Rust {
                tokens,
                item,
                item_macro,
            })
        }
        Err(err) => {
            // The body's tail expression, which `Stmt` does not accept without a `;`.
            let ahead = input.fork();
            match ahead.parse::<Expr>() {
                Ok(tail) if ahead.is_empty() => {
                    input.advance_to(&ahead);
                    let tokens = quote::ToTokens::into_token_stream(tail);
                    Ok(Item::Rust {
                        tokens,
                        item: false,
                        item_macro: false,
                    })
                }
                _ => Err(err),
            }
        }
    }
}

/// `join(a, b);` or `join(a, b)?;` as a statement of its own, with only names inside.
/// Whether it is a join cut off from its fork or a call of the user's own `join`
/// function is for the validator to say; the tokens are kept for the latter.
fn stray_join(input: ParseStream<'_>) -> Option<Item> {
    let ahead = input.fork();
    let keyword: kw::join = ahead.parse().ok()?;
    let args = ahead
        .step(
            |cursor| match cursor.group(proc_macro2::Delimiter::Parenthesis) {
                Some((args, _, rest)) => Ok((args.token_stream(), rest)),
                None => Err(cursor.error("expected parentheses")),
            },
        )
        .ok()?;
    let list = syn::punctuated::Punctuated::<Ident, Token![,]>::parse_terminated;
    let names = Parser::parse2(list, args).ok()?;
    let _ = ahead.parse::<Option<Token![?]>>();
    ahead.parse::<Token![;]>().ok()?;
    let mut tokens = TokenStream::new();
    let mut rest = input.cursor();
    while let Some((tt, next)) = rest.token_tree() {
        if rest == ahead.cursor() {
            break;
        }
        tokens.extend(core::iter::once(tt));
        rest = next;
    }
    input.advance_to(&ahead);
    Some(Item::StrayJoin {
        at: keyword.span,
        names: names.iter().map(|n| n.unraw().to_string()).collect(),
        tokens,
    })
}

fn fork(input: ParseStream<'_>) -> syn::Result<Fork> {
    let keyword: kw::fork = input.parse()?;
    input.parse::<Token![<]>()?;
    let mut branches = Vec::new();
    loop {
        if input.peek(Token![>]) {
            input.parse::<Token![>]>()?;
            break;
        }
        if input.is_empty() || input.peek(Token![;]) {
            return Err(error(
                keyword.span,
                "this fork's `<` is never closed",
                "close the branch list with `>` and join it: `fork < a: ..., b: ... > join(a, b)`",
            ));
        }
        branches.push(branch(input)?);
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        } else if !input.peek(Token![>]) {
            return Err(error(
                input.cursor().span(),
                "expected `,` or `>` after the branch",
                "separate branches with `,` and close the fork with `>`",
            ));
        }
    }
    let join = if input.peek(kw::join) || input.peek(kw::first) || input.peek(kw::quorum) {
        Some(join(input)?)
    } else {
        None
    };
    Ok(Fork {
        spawn: None,
        binding: None,
        keyword,
        branches,
        join,
    })
}

fn branch(input: ParseStream<'_>) -> syn::Result<Branch> {
    let attrs = modifiers::attributes(input)?;
    let modifiers = Modifiers::parse(&attrs)?;
    if let Some(attr) = attrs.first()
        && (input.peek(Token![,]) || input.peek(Token![>]) || input.is_empty())
    {
        return Err(error(
            attr.pound_token.span,
            "these attributes are on nothing: no branch follows them",
            "write the branch after its attributes: `#[timeout(2s)] name: step`",
        ));
    }
    if !input.peek(Ident::peek_any) || input.peek(Token![if]) {
        return Err(error(
            input.cursor().span(),
            "expected the name of a branch",
            "every branch of a fork has a name: `name: step`; the join waits on it by that name",
        ));
    }
    let name = Ident::parse_any(input)?;
    if !input.peek(Token![:]) && !input.peek(Token![if]) || input.peek(Token![::]) {
        return Err(error(
            name.span(),
            "expected `name: step`, found a step without a branch name",
            "every branch of a fork has a name the join waits on: write `name: step`",
        ));
    }
    let guard = if input.peek(Token![if]) {
        let guard: Token![if] = input.parse()?;
        // Skip the condition: the validator reports the guard itself.
        input.step(|cursor| {
            let mut rest = *cursor;
            let mut after_colon = false;
            while let Some((tt, next)) = rest.token_tree() {
                let colon = matches!(&tt, TokenTree::Punct(p) if p.as_char() == ':');
                let joint = matches!(&tt, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
                // The `:` before the step, not one of a `::` path separator.
                if colon && !joint && !after_colon {
                    break;
                }
                after_colon = colon && joint;
                rest = next;
            }
            Ok(((), rest))
        })?;
        Some(guard)
    } else {
        None
    };
    if !input.peek(Token![:]) || input.peek(Token![::]) {
        return Err(error(
            input.cursor().span(),
            format!("expected `:` after the branch name `{name}`"),
            format!("write the branch as `{name}: step`"),
        ));
    }
    input.parse::<Token![:]>()?;
    let fan_out = if input.peek(Token![for]) {
        Some(fan_out(input)?)
    } else {
        None
    };
    let mut steps = vec![step(input)?];
    while input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        steps.push(step(input)?);
    }
    Ok(Branch {
        modifiers,
        name,
        guard,
        fan_out,
        steps,
    })
}

/// `for PAT in EXPR =>`, before the steps of a fan-out branch.
fn fan_out(input: ParseStream<'_>) -> syn::Result<FanOut> {
    let for_token: Token![for] = input.parse()?;
    let pat = syn::Pat::parse_single(input)?;
    if !input.peek(Token![in]) {
        return Err(error(
            input.cursor().span(),
            "expected `in` in a fan-out branch",
            "write `name: for item in items => step(item)`",
        ));
    }
    input.parse::<Token![in]>()?;
    let items = Expr::parse_without_eager_brace(input)?;
    if !input.peek(Token![=>]) {
        return Err(error(
            input.cursor().span(),
            "expected `=>` after the items of a fan-out branch",
            "write `name: for item in items => step(item)`",
        ));
    }
    input.parse::<Token![=>]>()?;
    Ok(FanOut {
        for_token,
        pat,
        items,
    })
}

fn step(input: ParseStream<'_>) -> syn::Result<Step> {
    let attrs = modifiers::attributes(input)?;
    let modifiers = Modifiers::parse(&attrs)?;
    if is_fork_start(input) {
        if let Some(attr) = attrs.first() {
            return Err(error(
                attr.pound_token.span,
                "attributes on a nested fork are not supported",
                "put `#[timeout]` on the branch that holds the fork, or on the fork's own steps",
            ));
        }
        return Ok(Step::Fork(Box::new(fork(input)?)));
    }
    let mut expr = step_expr(input)?;
    // A `$step:expr` of a user's `macro_rules!` arrives in an invisible group.
    while let Expr::Group(group) = expr {
        expr = *group.expr;
    }
    let (expr, question) = match expr {
        Expr::Try(tried) if tried.attrs.is_empty() => (*tried.expr, Some(tried.question_token)),
        // `|x| fetch(x)?` reads as a fallible step: a closure body is never a future
        // that `?` applies to. An `async` closure keeps its `?`, which is ordinary Rust
        // on its output.
        Expr::Closure(mut closure) if closure.asyncness.is_none() => match *closure.body {
            Expr::Try(tried) if tried.attrs.is_empty() => {
                closure.body = tried.expr;
                (Expr::Closure(closure), Some(tried.question_token))
            }
            body => {
                closure.body = Box::new(body);
                (Expr::Closure(closure), None)
            }
        },
        expr => (expr, None),
    };
    Ok(Step::Expr(Task {
        modifiers,
        expr,
        question,
    }))
}

/// Parses the expression of a step: the shortest run of tokens that ends where a step
/// may end and forms a whole expression (see the module docs).
fn step_expr(input: ParseStream<'_>) -> syn::Result<Expr> {
    // Nothing is consumed here; the tokens of the expression are skipped below. They are
    // read up to the `;` only as far as needed: reading the whole rest of the statement
    // for every step made a fork of n branches cost n² (1,000 branches took seconds).
    let mut tokens: Vec<TokenTree> = Vec::new();
    let mut unread = Some(input.cursor());
    let mut read = |tokens: &mut Vec<TokenTree>, up_to: usize| {
        while tokens.len() < up_to {
            match unread.and_then(syn::buffer::Cursor::token_tree) {
                Some((tt, next)) if !matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';') => {
                    tokens.push(tt);
                    read_ahead::count(1);
                    unread = Some(next);
                }
                _ => {
                    unread = None;
                    break;
                }
            }
        }
    };
    // The places where a step may end, shortest first; `may_end_step` looks one token on.
    for end in 1.. {
        read(&mut tokens, end + 2);
        if end > tokens.len() {
            break;
        }
        if end < tokens.len() && !may_end_step(&tokens, end) {
            continue;
        }
        let run: TokenStream = tokens.iter().take(end).cloned().collect();
        // A run's error is not kept: it is often at the run's own end, which is no token.
        if let Ok(expr) = syn::parse2::<Expr>(run) {
            input.step(|cursor| {
                let mut rest = *cursor;
                for _ in 0..end {
                    match rest.token_tree() {
                        Some((_, next)) => rest = next,
                        None => break,
                    }
                }
                Ok(((), rest))
            })?;
            return Ok(expr);
        }
    }
    read(&mut tokens, usize::MAX);
    let mut rest = input.cursor();
    for _ in 0..tokens.len() {
        rest = rest.token_tree().map_or(rest, |(_, next)| next);
    }
    // The `;` after the statement, or the body's closing brace.
    let statement_end = rest.span();
    if tokens.is_empty() {
        return Err(error(
            statement_end,
            "expected a step",
            "a step is a future (`fetch(id)`, `async { ... }`) or a nested `fork < ... > join(...)`",
        ));
    }
    // No place where a step may end follows a whole expression. If an expression does
    // start here, what follows it is the mistake: a missing `,`, `->` or `>`; if not,
    // syn's error says what is wrong. The tokens are parsed in a group that ends where
    // the statement does: an error at their end then points at the `;` (a shorter,
    // detached run of tokens ends nowhere, and its error would point at the macro call).
    let mut statement = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        tokens.into_iter().collect(),
    );
    statement.set_span(statement_end);
    let after_expression = |stream: ParseStream<'_>| {
        let content;
        parenthesized!(content in stream);
        content.parse::<Expr>()?;
        let span = (!content.is_empty()).then(|| content.cursor().span());
        content.parse::<TokenStream>()?;
        Ok(span)
    };
    let span = Parser::parse2(after_expression, TokenTree::Group(statement).into())?;
    Err(error(
        span.unwrap_or(statement_end),
        "expected `,`, `->` or `>` after this step",
        "separate branches with `,`, chain a branch's steps with `->`, and close the fork with `> join(...)`",
    ))
}

/// Whether a step may end just before `tokens[i]`.
fn may_end_step(tokens: &[TokenTree], i: usize) -> bool {
    let punct = |j: usize| match tokens.get(j) {
        Some(TokenTree::Punct(p)) => Some((p.as_char(), p.spacing())),
        _ => None,
    };
    match punct(i) {
        Some((',', _)) => true,
        Some(('-', Spacing::Joint)) => matches!(punct(i + 1), Some(('>', _))),
        Some(('>', spacing)) => match tokens.get(i + 1) {
            None => true,
            Some(TokenTree::Ident(ident)) => {
                ident == "join" || ident == "first" || ident == "quorum"
            }
            Some(TokenTree::Punct(p)) => match p.as_char() {
                ',' | ';' => true,
                // `> >` closes two forks; `>>` is a shift.
                '>' => spacing == Spacing::Alone,
                _ => false,
            },
            Some(TokenTree::Group(_) | TokenTree::Literal(_)) => false,
        },
        _ => false,
    }
}

fn join(input: ParseStream<'_>) -> syn::Result<Join> {
    let word = Ident::parse_any(input)?;
    let keyword = kw::join { span: word.span() };
    if !input.peek(syn::token::Paren) {
        return Err(error(
            keyword.span,
            format!("expected the joined branches in parentheses after `{word}`"),
            "list the branches to wait for: `join(a, b)`",
        ));
    }
    let content;
    parenthesized!(content in input);
    let mut policy = match word.to_string().as_str() {
        "first" => Policy::First,
        "quorum" => {
            let k: syn::LitInt = content.parse().map_err(|_| {
                fail_in(
                    &content,
                    "expected how many branches make the quorum",
                    "write `quorum(2, a, b, c)`: the first 2 of a, b and c to succeed",
                )
            })?;
            content.parse::<Token![,]>().map_err(|_| {
                fail_in(
                    &content,
                    "expected `,` after the quorum's count",
                    format!("write `quorum({k}, a, b, c)`: the first {k} of the listed branches to succeed"),
                )
            })?;
            Policy::Quorum {
                k: k.base10_parse()?,
                at: k.span(),
            }
        }
        _ => Policy::All,
    };
    let mut names = Vec::new();
    while !content.is_empty() {
        let mutability: Option<Token![mut]> = content.parse()?;
        if !content.peek(Ident::peek_any) {
            return Err(fail_in(
                &content,
                format!("expected the name of a branch in `{word}(...)`"),
                "a join lists branch names, such as `join(a, b)`; compute other values after the join",
            ));
        }
        let name = Ident::parse_any(&content)?;
        names.push(JoinName { mutability, name });
        if !content.is_empty() {
            content.parse::<Token![,]>().map_err(|_| {
                fail_in(
                    &content,
                    "expected `,` between the joined branch names",
                    "a join lists branch names, such as `join(a, b)`",
                )
            })?;
        }
    }
    let mut question: Option<Token![?]> = None;
    let mut background = Vec::new();
    loop {
        if input.peek(Token![?]) && question.is_none() {
            question = Some(input.parse()?);
        } else if input.peek(kw::settled) && matches!(policy, Policy::All) {
            let settled: kw::settled = input.parse()?;
            policy = Policy::Settled(settled.span);
        } else if input.peek(kw::background) && background.is_empty() {
            let background_keyword: kw::background = input.parse()?;
            if !input.peek(syn::token::Paren) {
                return Err(error(
                    background_keyword.span,
                    "expected the background branches in parentheses after `background`",
                    "list the branches that run on past the join: `background(c)`",
                ));
            }
            let content;
            parenthesized!(content in input);
            for name in content.parse_terminated(Ident::parse_any, Token![,])? {
                background.push(name);
            }
        } else {
            break;
        }
    }
    Ok(Join {
        keyword,
        policy,
        names,
        question,
        background,
    })
}

/// A statement that failed to parse may hold a fork inside an expression (`if x { fork
/// < ... > join(...); }`): say so rather than show syn's "expected `}`".
fn misplaced_fork(input: ParseStream<'_>) -> Option<syn::Error> {
    let statement = until_semicolon(input.cursor());
    let span = statement.iter().find_map(|tt| match tt {
        TokenTree::Group(group) => fork_in(group.stream()),
        _ => None,
    })?;
    Some(error(
        span,
        "a fork must be a statement of the workflow's body or a step of a branch",
        "write `fork < ... > join(...);` as a statement of the body; its joined branches are in scope after it",
    ))
}

/// The `fork` of the first `fork < name :` or `fork < >` in `tokens`, at any depth.
fn fork_in(tokens: TokenStream) -> Option<Span> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let punct =
        |i: usize, c: char| matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
    tokens.iter().enumerate().find_map(|(i, tt)| match tt {
        TokenTree::Group(group) => fork_in(group.stream()),
        TokenTree::Ident(ident) if ident == "fork" && punct(i + 1, '<') => {
            let named = matches!(tokens.get(i + 2), Some(TokenTree::Ident(_)))
                && punct(i + 3, ':')
                && !punct(i + 4, ':');
            (named || punct(i + 2, '>')).then(|| ident.span())
        }
        _ => None,
    })
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    fn parse_fork(source: &str) -> Fork {
        let tokens = TokenStream::from_str(source).expect("test input lexes");
        Parser::parse2(fork, tokens).expect("test input parses")
    }

    fn step_sources(fork: &Fork) -> Vec<Vec<String>> {
        fork.branches
            .iter()
            .map(|b| {
                b.steps
                    .iter()
                    .map(|s| match s {
                        Step::Expr(Task { expr, question, .. }) => format!(
                            "{}{}",
                            quote::ToTokens::to_token_stream(expr),
                            if question.is_some() { " ?" } else { "" }
                        ),
                        Step::Fork(_) => "fork".to_owned(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn end_steps_only_where_a_whole_expression_ends() {
        let fork = parse_fork(
            "fork <
                a: f::<HashMap<K, V>>(x > y, z),
                b: HashMap::<K, V>::new() -> |v: Vec<u8>| -> usize { v.len() },
                c: async { a >> 1 },
                d: g(x)? -> h?,
            > join(a, b, c, d)",
        );
        assert_eq!(
            step_sources(&fork),
            [
                vec!["f :: < HashMap < K , V > > (x > y , z)"],
                vec![
                    "HashMap :: < K , V > :: new ()",
                    "| v : Vec < u8 > | -> usize { v . len () }"
                ],
                vec!["async { a >> 1 }"],
                vec!["g (x) ?", "h ?"],
            ]
        );
    }

    #[test]
    fn read_a_trailing_question_mark_of_a_closure_step_as_the_steps() {
        let fork = parse_fork("fork < a: x -> |v| send(v)?, b: y > join(a, b)");
        assert_eq!(step_sources(&fork)[0], ["x", "| v | send (v) ?"]);
    }

    #[test]
    fn parse_nested_forks_joins_and_background() {
        let fork = parse_fork(
            "fork < a: fork < p: x, q: y > join(q, p)? -> m, b: z, c: w, > join(mut a, b) background(c)",
        );
        let Some(Step::Fork(inner)) = fork.branches[0].steps.first() else {
            panic!("the first step of `a` is a fork");
        };
        let inner_join = inner.join.as_ref().expect("the nested fork is joined");
        assert!(inner_join.question.is_some());
        assert_eq!(
            inner_join
                .names
                .iter()
                .map(|n| n.name.to_string())
                .collect::<Vec<_>>(),
            ["q", "p"]
        );
        let join = fork.join.as_ref().expect("joined");
        assert!(join.names[0].mutability.is_some());
        assert_eq!(join.background.len(), 1);
        assert_eq!(fork.branches.len(), 3);
    }

    #[test]
    fn leave_a_fork_without_join_to_the_validator() {
        let fork = parse_fork("fork < a: x, b: y >");
        assert!(fork.join.is_none());
    }

    fn errors_of(body: &str) -> Vec<String> {
        let source = format!("(::workflow_runtime) async fn w() {{ {body} }}");
        let tokens = TokenStream::from_str(&source).expect("test input lexes");
        let input = parse_input(tokens).expect("test input parses");
        let model = crate::model::Workflow::from_ast(&input, &crate::diag::Ctxt::new());
        let problems = crate::validate::validate(&model);
        let errors = input.errors.iter().map(ToString::to_string);
        let problems = problems.into_iter().map(|p| p.message);
        errors.chain(problems).collect()
    }

    /// Found by the property tests: `fork < #[optional] a: ..., b: ... >;` read as an
    /// expression ("expected `,`, `->` or `>`") instead of a fork without a join.
    #[test]
    fn recognise_a_fork_without_join_whose_first_branch_has_an_attribute_or_a_guard() {
        assert_eq!(
            errors_of("fork < #[optional] #[timeout(1s)] a: f()?, b: g() >;"),
            ["this fork is never joined"]
        );
        assert_eq!(
            errors_of("fork < a if ready: f(), b: g() >;"),
            [
                "parallel branch `a` has a condition, but parallel flows are unconditional",
                "this fork is never joined"
            ]
        );
        assert_eq!(
            errors_of("fork < x: fork < #[timeout(1s)] a: f(), b: g() >, y: h() > join(x, y)?;"),
            ["this fork is never joined"]
        );
    }

    /// Found by the property tests: a step that is not an expression got the error of
    /// its shortest run of tokens, at that run's end: no token, so rustc showed it on
    /// the whole macro call (`|p` of `|p, q| merge(fork p, q)`, or a `;` inside a
    /// turbofish). It is now syn's error on the whole statement, on the input's token.
    #[test]
    fn point_the_error_of_a_broken_step_at_a_token() {
        let at = |body: &str| {
            let source = format!("(::workflow_runtime) async fn w() {{ {body} }}");
            let input =
                parse_input(TokenStream::from_str(&source).expect("lexes")).expect("parses");
            let error = input.errors.first().expect("an error").clone();
            (error.to_string(), error.span().source_text())
        };
        assert_eq!(
            at("fork < a: x -> |p, q| merge(fork p, q), b: y > join(a, b);"),
            ("expected `,`".to_owned(), Some("p".to_owned()))
        );
        assert_eq!(
            at("fork < a: f::<Vec<u8 ; >, b: y > join(a, b);"),
            ("expected `,`".to_owned(), Some(";".to_owned()))
        );
        assert_eq!(
            at("fork < a: x +, b: y > join(a, b);"),
            ("expected an expression".to_owned(), Some(",".to_owned()))
        );
    }

    /// Property tests found it: every step read the rest of its statement (twice), so a
    /// fork of n branches cost n² (800 branches: 458 ms in release). The tokens read
    /// ahead must grow as the fork does, not as its square.
    #[test]
    fn parse_a_fork_in_linear_time() {
        let tokens_read = |width: usize| {
            let branches: Vec<String> = (0..width).map(|i| format!("b{i}: leaf({i})")).collect();
            let names: Vec<String> = (0..width).map(|i| format!("b{i}")).collect();
            let source = format!(
                "(::workflow_runtime) async fn wide() {{ fork < {} > join({}); }}",
                branches.join(", "),
                names.join(", ")
            );
            let tokens = TokenStream::from_str(&source).expect("lexes");
            read_ahead::TOKENS.with(|read| read.set(0));
            let input = parse_input(tokens).expect("parses");
            assert!(input.errors.is_empty());
            read_ahead::TOKENS.with(core::cell::Cell::get)
        };
        let (small, large) = (tokens_read(100), tokens_read(1_000));
        assert!(
            large < 15 * small,
            "100 branches read {small} tokens ahead, 1,000 read {large}"
        );
    }

    /// Fuzzing found it (crash-b50b76da): the runtime's path before the workflow,
    /// `(::workfloRw_ruinti<join>)`, was pasted into every path of the expansion, which
    /// then was not Rust. `workflow!` always passes `$crate`; anything else is an error.
    #[test]
    fn reject_a_runtime_path_that_is_not_a_path() {
        let error = |source: &str| {
            parse_input(TokenStream::from_str(source).expect("lexes"))
                .err()
                .map(|error| (error.span().source_text(), error.to_string()))
        };
        let body = "async fn w() { fork < a: f(), b: g() > join(a, b); }";
        assert!(error(&format!("(::workflow_runtime) {body}")).is_none());
        assert!(error(&format!("(crate::reexport::workflow_runtime) {body}")).is_none());
        assert!(error(&format!("($crate) {body}")).is_none());
        let (at, message) = error(&format!("(::workflow_runtime<join>) {body}")).expect("an error");
        assert_eq!(at.as_deref(), Some("<"));
        assert!(
            message.starts_with("expected the path of `workflow_runtime`"),
            "{message}"
        );
    }

    #[test]
    fn point_at_a_fork_hidden_in_an_expression() {
        let tokens =
            TokenStream::from_str("if x { fork < a: f(), b: g() > join(a, b); }").expect("lexes");
        assert!(fork_in(tokens).is_some());
        let tokens = TokenStream::from_str("if fork < limit { g() }").expect("lexes");
        assert!(
            fork_in(tokens).is_none(),
            "a comparison with a variable named fork is Rust"
        );
    }
}

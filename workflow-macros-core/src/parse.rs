//! Syntax: the macro's input parsed into an AST that keeps every span.
//!
//! The grammar is [`grammar::GRAMMAR`], the same text as in the README.
//!
//! `<` and `>` are not delimiters in Rust's token trees, so a step's expression cannot
//! simply be cut at the next `>` or `,`: `Vec::<u8>::new()`, `HashMap::<K, V>::new()`,
//! `a > b` and `|x: Vec<u8>| -> usize { .. }` all hold them. A step therefore ends at the
//! first place where a step may end (`,`, `->`, or a `>` followed by `join`, `,`, `;` or
//! nothing) *and* the tokens before it form a whole expression. A `,` or `->` inside an
//! unclosed `<...>` never ends a step, because the tokens before it are not an
//! expression. One spelling stays ambiguous and is read as the end of the fork: a
//! comparison with a call of a function named `join` (`a > join(b)`); write `(a > join(b))`.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use syn::buffer::Cursor;
use syn::parse::discouraged::Speculative as _;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Expr, Ident, Signature, Token, Visibility, braced, parenthesized};

use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::diag::{error, with_help};
use crate::grammar::{self, Ahead, MAX_FORK_DEPTH, MAX_NESTING};
use crate::modifiers::{self, Modifiers};

/// The types of the `fork` keyword and of a join's keyword (`join`, `first` or
/// `quorum`, all kept as `kw::join`); the words themselves are in [`grammar`].
pub mod kw {
    syn::custom_keyword!(fork);
    syn::custom_keyword!(join);
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
    /// The body's tokens as written, kept for a `#[durable]` workflow only (it reads
    /// its signal names from them); empty otherwise.
    pub body_tokens: TokenStream,
    /// Errors of statements that could not be parsed; the parser skips to the next
    /// statement so that one build shows every mistake.
    pub errors: Vec<syn::Error>,
    /// How many of `body`'s statements come before the first one that could not be
    /// parsed (all of them when every statement was read): the names that one binds are
    /// unknown, so the statements after it cannot be checked on their own.
    pub read: usize,
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
    Parser::parse2(input, tokens).map_err(|err| {
        with_help(
            err,
            "write one workflow: `workflow_runtime::workflow! { async fn name(arg: T) -> R { .. } }`",
        )
    })
}

/// What to write instead of a signature syn could not read.
const SIGNATURE_HELP: &str =
    "a workflow is an `async fn` with a body: `workflow! { async fn name(arg: T) -> R { .. } }`";

/// Errors that do not stop the statement's parse (a keyword as a branch name): the
/// statement is still read, so that its other mistakes are reported too.
#[derive(Default)]
struct Later(core::cell::RefCell<Vec<syn::Error>>);

impl Later {
    fn add(&self, err: syn::Error) {
        self.0.borrow_mut().push(err);
    }

    fn take(&self) -> Vec<syn::Error> {
        core::mem::take(&mut *self.0.borrow_mut())
    }
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
    // syn reads the signature by recursion: refuse what would overflow the stack.
    let head: TokenStream = tokens_of(input.cursor())
        .take_while(|tt| !matches!(tt, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        .collect();
    if let Some(at) = grammar::too_deep(head) {
        return Err(too_deep(at));
    }
    let attrs = input.call(Attribute::parse_outer).map_err(|err| {
        with_help(
            err,
            "write the workflow's attributes as `#[name]` or `#[name(..)]`, before `async fn`",
        )
    })?;
    let vis: Visibility = input
        .parse()
        .map_err(|err| with_help(err, SIGNATURE_HELP))?;
    let sig: Signature = input
        .parse()
        .map_err(|err| with_help(err, SIGNATURE_HELP))?;
    // From here on the signature is known: a mistake is reported with the fallback
    // function (`expand::fallback`), so code calling the workflow sees no cascade.
    let mut errors = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(error(
            sig.fn_token.span,
            "a workflow must be an `async fn`",
            "write `async fn`: the branches of its forks are awaited",
        ));
    }
    let partial = |errors: Vec<syn::Error>| Input {
        krate: krate.clone(),
        attrs: attrs.clone(),
        vis: vis.clone(),
        sig: sig.clone(),
        inner_attrs: Vec::new(),
        body: Vec::new(),
        body_tokens: TokenStream::new(),
        errors,
        read: 0,
    };
    if !input.peek(syn::token::Brace) {
        errors.push(error(
            input.cursor().span(),
            "expected the workflow's body in `{ .. }` after its signature",
            SIGNATURE_HELP,
        ));
        // The rest is not the workflow's: skipped, as the body's statements are.
        let _ = input.parse::<TokenStream>();
        return Ok(partial(errors));
    }
    let content;
    braced!(content in input);
    let body_tokens = if attrs.iter().any(|attr| attr.path().is_ident("durable")) {
        content.fork().parse::<TokenStream>().unwrap_or_default()
    } else {
        TokenStream::new()
    };
    let inner_attrs = match content.call(Attribute::parse_inner) {
        Ok(attrs) => attrs,
        Err(err) => {
            errors.push(with_help(
                err,
                "write an inner attribute as `#![name]` at the top of the body",
            ));
            let _ = content.parse::<TokenStream>();
            let _ = input.parse::<TokenStream>();
            return Ok(partial(errors));
        }
    };
    let mut body = Vec::new();
    let mut read = None;
    let later = Later::default();
    // How many token trees after the statement's start were checked by `too_deep` (up to
    // and with a `;`): a statement that ends before its `;` (an item) is not checked again.
    let mut checked = 0;
    while !content.is_empty() {
        if checked == 0 {
            let mut statement = Ahead::new(tokens_of(content.cursor()));
            checked = statement.read_all() + 1;
            let tokens: TokenStream = statement.first(usize::MAX).cloned().collect();
            if let Some(at) = grammar::too_deep(tokens) {
                errors.push(too_deep(at));
                read.get_or_insert(body.len());
                skip_statement(&content);
                checked = 0;
                continue;
            }
        }
        // Each statement is parsed on a fork of the body: syn's "unexpected token" of a
        // group left half read in a failed statement (`background(a b)`) must not stay
        // behind and replace every error of the workflow.
        let ahead = content.fork();
        let start = content.cursor();
        let parsed = statement(&ahead, &later);
        errors.extend(later.take());
        match parsed {
            Ok(item) => {
                content.advance_to(&ahead);
                body.push(item);
            }
            Err(err) => {
                let help = if is_fork_start(&content) || is_let_fork(&content) {
                    "write a fork as `fork < a: step_a(), b: step_b() > join(a, b);` (the grammar is in the README)"
                } else {
                    "this statement is ordinary Rust, which the workflow must parse before the compiler sees it: fix it at this token"
                };
                errors.push(with_help(
                    misplaced_fork(ahead.cursor()).unwrap_or(err),
                    help,
                ));
                read.get_or_insert(body.len());
                skip_to(&content, ahead.cursor());
                skip_statement(&content);
            }
        }
        checked = checked.saturating_sub(distance(start, content.cursor()));
    }
    if !input.is_empty() {
        errors.push(error(
            input.cursor().span(),
            "unexpected tokens after the workflow's body",
            "one `workflow! { .. }` holds one `async fn`: write the next one in a `workflow!` of its own",
        ));
        let _ = input.parse::<TokenStream>();
    }
    let read = read.unwrap_or(body.len());
    Ok(Input {
        krate,
        attrs,
        vis,
        sig,
        inner_attrs,
        body,
        body_tokens,
        errors,
        read,
    })
}

/// The error on a place nested deeper than [`MAX_NESTING`].
fn too_deep(at: Span) -> syn::Error {
    error(
        at,
        format!(
            "this is nested more than {MAX_NESTING} levels deep, which the workflow macro does not read"
        ),
        "move the inner part into a function or a `let` before this statement, and use its name here",
    )
}

/// The token trees from `cursor` on, at its level.
fn tokens_of(cursor: Cursor<'_>) -> impl Iterator<Item = TokenTree> + '_ {
    let mut rest = Some(cursor);
    core::iter::from_fn(move || {
        let (tt, next) = rest?.token_tree()?;
        rest = Some(next);
        Some(tt)
    })
}

/// How many token trees lie from `from` to `to`, a later cursor at the same level.
fn distance(mut from: Cursor<'_>, to: Cursor<'_>) -> usize {
    let mut n = 0;
    while from != to {
        match from.token_tree() {
            Some((_, next)) => from = next,
            None => break,
        }
        n += 1;
    }
    n
}

/// Moves `input` on to `to`, a cursor of a fork of it that is not advanced into it (its
/// unread groups' errors stay with the fork).
fn skip_to(input: ParseStream<'_>, to: Cursor<'_>) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while rest != to {
            match rest.token_tree() {
                Some((_, next)) => rest = next,
                None => break,
            }
        }
        Ok(((), rest))
    });
}

/// An error at the next token of `content` (a parenthesized group), which is then
/// skipped, so that the group is read to its end.
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

/// Skips to just after the next `;` at this level, or to the end.
fn skip_statement(input: ParseStream<'_>) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';') {
                break;
            }
        }
        Ok(((), rest))
    });
}

/// Whether a fork starts here ([`grammar::fork_start`]).
fn is_fork_start(input: ParseStream<'_>) -> bool {
    grammar::fork_start(&mut Ahead::new(tokens_of(input.cursor())), 0)
}

/// Whether the next token is the word `word` (a keyword of the grammar).
fn peek_word(input: ParseStream<'_>, word: &str) -> bool {
    input
        .cursor()
        .ident()
        .is_some_and(|(ident, _)| ident == word)
}

/// Records an error on a name that cannot name a branch (a keyword, `self`, `_`).
fn check_name(name: &Ident, later: &Later) {
    if let Some((message, help)) = grammar::bad_name(name) {
        later.add(error(name.span(), message, help));
    }
}

fn statement(input: ParseStream<'_>, later: &Later) -> syn::Result<Item> {
    let ahead = input.fork();
    let attrs = ahead.call(Attribute::parse_outer).map_err(|err| {
        with_help(
            err,
            "write an attribute as `#[name]`; the one a fork takes is `#[spawn]`",
        )
    })?;
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
        let mut fork = fork(input, 1, later)?;
        fork.binding = binding;
        fork.spawn = spawn;
        if fork.join.is_none() {
            unjoined_fork_end(input, &fork)?;
        } else if !input.peek(Token![;]) {
            let at = fork
                .join
                .as_ref()
                .map_or(fork.keyword.span, |join| join.keyword.span);
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
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
        }
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

/// What may follow a fork that has no join: the statement's `;` or the end of the body,
/// and the validator says that the fork is never joined. Anything else is the mistake.
fn unjoined_fork_end(input: ParseStream<'_>, fork: &Fork) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![;]) {
        return Ok(());
    }
    let names: Vec<String> = fork.branches.iter().map(|b| b.name.to_string()).collect();
    let list = if names.is_empty() {
        "a, b".to_owned()
    } else {
        names.join(", ")
    };
    if input.peek(Token![>]) {
        return Err(error(
            input.cursor().span(),
            "this `>` closes no fork: the `>` before it already closed the fork's branches",
            "remove this `>`; a fork is `fork < a: ..., b: ... > join(a, b);`, with one `<` and one `>`",
        ));
    }
    if let Some((word, rest)) = input.cursor().ident()
        && rest.group(Delimiter::Parenthesis).is_some()
    {
        return Err(error(
            word.span(),
            format!("expected `join`, `first` or `quorum` after the fork's `>`, found `{word}`"),
            format!("write `join({list})` to wait for the fork's branches"),
        ));
    }
    Err(error(
        input.cursor().span(),
        "expected the fork's join after its closing `>`",
        format!("write `join({list});` after the `>` to wait for the fork's branches"),
    ))
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

/// A fork nested `depth` levels deep (the fork of a statement is at depth 1).
fn fork(input: ParseStream<'_>, depth: usize, later: &Later) -> syn::Result<Fork> {
    let keyword: kw::fork = input.parse()?;
    if depth > MAX_FORK_DEPTH {
        return Err(error(
            keyword.span,
            format!("this fork is nested {depth} levels deep, past the limit of {MAX_FORK_DEPTH}"),
            "split the workflow: move the inner fork into an `async fn` workflow of its own (`workflow! { async fn inner(..) -> T { .. } }`) and call `inner(..)` as this step",
        ));
    }
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
        branches.push(branch(input, depth, later)?);
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        } else if !input.peek(Token![>]) {
            if let Some(err) = misspelt_join(branches.last()) {
                return Err(err);
            }
            return Err(error(
                input.cursor().span(),
                "expected `,` or `>` after the branch",
                "separate branches with `,` and close the fork with `>`",
            ));
        }
    }
    let join = if input
        .cursor()
        .ident()
        .is_some_and(|(word, _)| grammar::is_join_keyword(&word))
    {
        Some(join(input, later)?)
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

/// A fork closed by `> jion(a, b)` reads as a last step comparing with a call of
/// `jion`: the error is on the misspelt word.
fn misspelt_join(branch: Option<&Branch>) -> Option<syn::Error> {
    let Some(Step::Expr(Task {
        expr: Expr::Binary(compared),
        ..
    })) = branch?.steps.last()
    else {
        return None;
    };
    let (syn::BinOp::Gt(_), Expr::Call(call)) = (&compared.op, &*compared.right) else {
        return None;
    };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let word = path.path.get_ident()?;
    let names: Vec<String> = call
        .args
        .iter()
        .map(|arg| quote::ToTokens::to_token_stream(arg).to_string())
        .collect();
    Some(error(
        word.span(),
        format!("expected `join`, `first` or `quorum` after the fork's `>`, found `{word}`"),
        format!(
            "write `join({})` to wait for the fork's branches",
            names.join(", ")
        ),
    ))
}

/// A branch of a fork nested `depth` levels deep.
fn branch(input: ParseStream<'_>, depth: usize, later: &Later) -> syn::Result<Branch> {
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
    check_name(&name, later);
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
    let mut steps = vec![step(input, depth, later)?];
    while input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        steps.push(step(input, depth, later)?);
    }
    Ok(Branch {
        modifiers,
        name,
        guard,
        fan_out,
        steps,
    })
}

/// How a fan-out branch is written.
const FAN_OUT_HELP: &str = "write a fan-out branch as `name: for item in items => step(item)`";

/// `for PAT in EXPR =>`, before the steps of a fan-out branch.
fn fan_out(input: ParseStream<'_>) -> syn::Result<FanOut> {
    let for_token: Token![for] = input.parse()?;
    let pat = syn::Pat::parse_single(input).map_err(|err| with_help(err, FAN_OUT_HELP))?;
    if !input.peek(Token![in]) {
        return Err(error(
            input.cursor().span(),
            "expected `in` in a fan-out branch",
            "write `name: for item in items => step(item)`",
        ));
    }
    input.parse::<Token![in]>()?;
    let items =
        Expr::parse_without_eager_brace(input).map_err(|err| with_help(err, FAN_OUT_HELP))?;
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

/// A step of a branch of a fork nested `depth` levels deep.
fn step(input: ParseStream<'_>, depth: usize, later: &Later) -> syn::Result<Step> {
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
        return Ok(Step::Fork(Box::new(fork(input, depth + 1, later)?)));
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

/// What a step is, for syn's errors on one.
const STEP_HELP: &str = "a step is an expression, a future such as `fetch(id)` or `async { .. }`, that ends at `,`, `->` or the fork's closing `>`";

/// Parses the expression of a step: the shortest run of tokens that ends where a step
/// may end and forms a whole expression (see the module docs).
fn step_expr(input: ParseStream<'_>) -> syn::Result<Expr> {
    // Nothing is consumed here; the tokens of the expression are skipped below. They are
    // read only as far as needed (`grammar::may_end_step` looks one token on): reading
    // the whole rest of the statement for every step made a fork of n branches cost n².
    let mut ahead = Ahead::new(tokens_of(input.cursor()));
    let (end, expr) = step_end(&mut ahead);
    if let Some(expr) = expr {
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
    let tokens: Vec<TokenTree> = ahead.first(end).cloned().collect();
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
    let span = Parser::parse2(after_expression, TokenTree::Group(statement).into())
        .map_err(|err| with_help(err, STEP_HELP))?;
    Err(error(
        span.unwrap_or(statement_end),
        "expected `,`, `->` or `>` after this step",
        "separate branches with `,`, chain a branch's steps with `->`, and close the fork with `> join(...)`",
    ))
}

/// Where the step ahead ends: the number of its token trees and its expression, the
/// shortest run of tokens that ends where a step may end and parses as an expression;
/// or, when there is none, the number of token trees to the statement's end and `None`.
fn step_end<I: Iterator<Item = TokenTree>>(ahead: &mut Ahead<I>) -> (usize, Option<Expr>) {
    for end in 1.. {
        if ahead.get(end - 1).is_none() {
            break;
        }
        if ahead.get(end).is_some() && !grammar::may_end_step(ahead, end) {
            continue;
        }
        let run: TokenStream = ahead.first(end).cloned().collect();
        // A run's error is not kept: it is often at the run's own end, which is no token.
        if let Ok(expr) = syn::parse2::<Expr>(run) {
            return (end, Some(expr));
        }
    }
    (ahead.read_all(), None)
}

fn join(input: ParseStream<'_>, later: &Later) -> syn::Result<Join> {
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
            let count = k.base10_parse().map_err(|_| {
                let _ = content.parse::<TokenStream>();
                error(
                    k.span(),
                    format!("a quorum of {k} is more branches than a fork can have"),
                    "write how many of the listed branches must succeed: `quorum(2, a, b, c)`",
                )
            });
            Policy::Quorum {
                k: count?,
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
        check_name(&name, later);
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
        } else if peek_word(input, grammar::SETTLED) && matches!(policy, Policy::All) {
            let settled = Ident::parse_any(input)?;
            policy = Policy::Settled(settled.span());
        } else if peek_word(input, grammar::BACKGROUND) && background.is_empty() {
            let background_keyword = Ident::parse_any(input)?;
            if !input.peek(syn::token::Paren) {
                return Err(error(
                    background_keyword.span(),
                    "expected the background branches in parentheses after `background`",
                    "list the branches that run on past the join: `background(c)`",
                ));
            }
            let content;
            parenthesized!(content in input);
            let names = content
                .parse_terminated(Ident::parse_any, Token![,])
                .map_err(|err| {
                    with_help(
                        err,
                        "list the names of the branches that run on past the join, separated by `,`: `background(c, d)`",
                    )
                })?;
            for name in names {
                check_name(&name, later);
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

/// A statement that failed to parse at `cursor` may hold a fork inside an expression (`if
/// x { fork < ... > join(...); }`): say so rather than show syn's "expected `}`".
fn misplaced_fork(cursor: Cursor<'_>) -> Option<syn::Error> {
    let mut statement = Ahead::new(tokens_of(cursor));
    let length = statement.read_all();
    let span = statement.first(length).find_map(|tt| match tt {
        TokenTree::Group(group) => fork_in(group.stream(), 1),
        _ => None,
    })?;
    Some(error(
        span,
        "a fork must be a statement of the workflow's body or a step of a branch",
        "write `fork < ... > join(...);` as a statement of the body; its joined branches are in scope after it",
    ))
}

/// The `fork` of the first fork start ([`grammar::fork_start`]) in `tokens`, a group
/// nested `depth` levels deep, at any depth up to [`MAX_NESTING`].
fn fork_in(tokens: TokenStream, depth: usize) -> Option<Span> {
    if depth > MAX_NESTING {
        return None;
    }
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.iter().enumerate().find_map(|(i, tt)| match tt {
        TokenTree::Group(group) => fork_in(group.stream(), depth + 1),
        TokenTree::Ident(ident)
            if grammar::fork_start(&mut Ahead::new(tokens[i..].iter().cloned()), 0) =>
        {
            Some(ident.span())
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
        Parser::parse2(
            |input: ParseStream<'_>| fork(input, 1, &Later::default()),
            tokens,
        )
        .expect("test input parses")
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
            let text = error.to_string();
            assert!(crate::diag::has_help(&text), "{text}");
            let message = text.lines().next().unwrap_or_default().to_owned();
            (message, error.span().source_text())
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
    /// fork of n branches cost n² (800 branches: 458 ms in release). The lookahead of a
    /// step (is it a fork? where does it end?) reads its own tokens and at most two more,
    /// wherever the step is in the fork, so a fork costs linear work in its branches.
    #[test]
    fn look_no_further_ahead_of_a_step_than_its_end() {
        let width = 1_000;
        let branches: Vec<String> = (0..width).map(|i| format!("b{i}: leaf({i})")).collect();
        let names: Vec<String> = (0..width).map(|i| format!("b{i}")).collect();
        let source = format!("{} > join({});", branches.join(", "), names.join(", "));
        let tokens: Vec<TokenTree> = TokenStream::from_str(&source)
            .expect("lexes")
            .into_iter()
            .collect();
        let mut steps = 0;
        for start in 1..tokens.len() {
            if !matches!(&tokens[start - 1], TokenTree::Punct(p) if p.as_char() == ':') {
                continue;
            }
            let mut ahead = Ahead::new(tokens[start..].iter().cloned());
            assert!(!grammar::fork_start(&mut ahead, 0));
            assert_eq!(
                ahead.read(),
                1,
                "a step that is not a fork is told by its first token"
            );
            let (end, expr) = step_end(&mut ahead);
            assert!(expr.is_some());
            assert_eq!(end, 2, "`leaf(i)` is two token trees");
            assert!(
                ahead.read() <= end + 2,
                "step {steps} read {} tokens ahead",
                ahead.read()
            );
            steps += 1;
        }
        assert_eq!(steps, width);
        // And the whole statement parses, with no error.
        let source = format!("(::workflow_runtime) async fn wide() {{ fork < {source} }}");
        let input = parse_input(TokenStream::from_str(&source).expect("lexes")).expect("parses");
        assert!(input.errors.is_empty());
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

    /// The first line of each error: its message without the help.
    fn messages_of(body: &str) -> Vec<String> {
        errors_of(body)
            .iter()
            .map(|e| e.lines().next().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn say_that_a_fork_at_the_end_of_the_body_is_never_joined() {
        assert_eq!(
            messages_of("fork < a: f(), b: g() >"),
            ["this fork is never joined"]
        );
        assert_eq!(
            messages_of("fork < > > join();"),
            ["this `>` closes no fork: the `>` before it already closed the fork's branches"]
        );
        assert_eq!(
            messages_of("fork < a: f(), b: g() > jion(a, b);"),
            ["expected `join`, `first` or `quorum` after the fork's `>`, found `jion`"]
        );
    }

    /// A group left half read in a failed statement (`background(c d)`, a quorum too
    /// large for `usize`) made syn replace every error with its own "unexpected token".
    #[test]
    fn report_the_statements_after_a_syntax_error() {
        for first in [
            "fork < a: f(), b: g(), c: h() > join(a, b) background(c d);",
            "let w = fork < a: f(), b: g() > quorum(99999999999999999999, a, b);",
            "fork < a: f() +, b: g() > join(a, b);",
            "let x = ;",
        ] {
            let body = format!(
                "{first} let x = 1; fork < c: f(), d: g() >; fork < e: #[retry(0)] f()?, g: g() > join(e, g)?;"
            );
            let messages = messages_of(&body);
            assert_eq!(messages.len(), 3, "{body}: {messages:?}");
            assert!(
                messages.contains(&"this fork is never joined".to_owned()),
                "{messages:?}"
            );
            assert!(
                messages.contains(&"`#[retry(0)]` would never retry".to_owned()),
                "{messages:?}"
            );
        }
    }

    #[test]
    fn refuse_keywords_as_branch_names_and_read_on() {
        assert_eq!(
            messages_of(
                "fork < fn: async { 1 }, other: g() > join(fn, other) background(); fork < x: f() > join(x);"
            ),
            [
                "`fn` is a keyword and cannot name a branch",
                "`fn` is a keyword and cannot name a branch",
                "a fork needs at least two branches, and this one has one",
            ]
        );
        assert!(errors_of("fork < r#fn: f(), r#gen: g() > join(r#fn, r#gen);").is_empty());
        assert_eq!(
            messages_of("fork < self: f(), _: g() > join(self, _);").len(),
            4
        );
    }

    #[test]
    fn point_at_a_fork_hidden_in_an_expression() {
        let tokens =
            TokenStream::from_str("if x { fork < a: f(), b: g() > join(a, b); }").expect("lexes");
        assert!(fork_in(tokens, 1).is_some());
        let tokens = TokenStream::from_str("if fork < limit { g() }").expect("lexes");
        assert!(
            fork_in(tokens, 1).is_none(),
            "a comparison with a variable named fork is Rust"
        );
    }
}

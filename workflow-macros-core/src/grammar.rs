//! The grammar of `workflow!` in one place: its text (the README's copy is this one), the
//! words that join a fork, the nesting limits, the names a branch cannot take, and the one
//! lookahead that tells where a fork starts and where a step may end; and the join
//! policies, with what each means to every pass (parse, validate, expand, the graph
//! constant and the runtime's `graph::Policy`).
//!
//! A new policy is a variant of [`Policy`] with its words here, its parse in
//! `parse::join`, its checks in `validate::check_policy`, its code in `expand` (the
//! race or the join it becomes), and its variant in the runtime's `graph::Policy`.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};

/// The grammar, as the README shows it (a unit test checks that the README holds this text).
pub const GRAMMAR: &str = "\
workflow!  := '#[traced]'? attribute* visibility? 'async' 'fn' signature '{' statement* '}'
statement  := '#[spawn]'? ('let' PAT '=')? fork ';' | any Rust statement
fork       := 'fork' '<' branch (',' branch)* ','? '>' join
branch     := modifier* NAME ':' ('for' PAT 'in' EXPR '=>')? step ('->' step)*
step       := fork | modifier* EXPR '?'?
modifier   := '#[optional]' | '#[timeout(' DURATION ')]' | '#[limit(' COUNT ')]'
            | '#[retry(' COUNT (',' retry_key)* ','? ')]'
retry_key  := 'backoff' '=' DURATION | 'max' '=' DURATION | 'jitter' | 'if' '=' PATH
join       := ('join' | 'first') '(' names ')' | 'quorum' '(' INT ',' names ')'
              followed by any of: '?'  'settled'  'background' '(' NAME (',' NAME)* ')'
names      := 'mut'? NAME (',' 'mut'? NAME)* ','?
NAME       := an identifier that is not a keyword (write `r#type` for a keyword), `self`, `Self`, `super`, `crate` or `_`
DURATION   := a literal with its unit (250ms, 2s, 1.5s, 100us, 1min) or a `Duration` expression
COUNT      := a positive integer literal, or an expression evaluated at run time
PATH       := the path of a `fn(&E) -> bool` (`E` the step's error type): whether an error is worth retrying
";

/// The keyword that starts a fork.
pub const FORK: &str = "fork";
/// The words that start a join: `join(...)`, `first(...)` and `quorum(k, ...)`.
pub const JOIN_KEYWORDS: [&str; 3] = ["join", "first", "quorum"];
/// After a join: hand on every branch's outcome.
pub const SETTLED: &str = "settled";
/// After a join: the branches that run on past it.
pub const BACKGROUND: &str = "background";

/// Whether `ident` is `join`, `first` or `quorum`.
pub fn is_join_keyword(ident: &proc_macro2::Ident) -> bool {
    JOIN_KEYWORDS.iter().any(|word| ident == word)
}

/// How a join waits: for all its branches (`join`), for all and hands on every
/// outcome (`join(...) settled`), for the first to succeed (`first`), or for the first
/// k (`quorum(k, ...)`). `S` locates the words that choose it in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy<S> {
    All,
    Settled(S),
    First,
    Quorum { k: usize, at: S },
}

impl<S: Copy> Policy<S> {
    /// The keyword the join starts with.
    pub fn keyword(&self) -> &'static str {
        match self {
            Policy::All | Policy::Settled(_) => "join",
            Policy::First => "first",
            Policy::Quorum { .. } => "quorum",
        }
    }

    /// `first` or `quorum`: the join hands on its winners and drops the rest.
    pub fn races(&self) -> bool {
        matches!(self, Policy::First | Policy::Quorum { .. })
    }

    /// `settled`: the join hands on every outcome, so it cannot fail.
    pub fn settles(&self) -> bool {
        matches!(self, Policy::Settled(_))
    }

    /// How many winners a race waits for: 1 for `first`, k for `quorum(k, ..)`, with
    /// where k is written (or `at`, the join's keyword, for `first`).
    pub fn winners(&self, at: S) -> Option<(usize, S)> {
        match *self {
            Policy::First => Some((1, at)),
            Policy::Quorum { k, at } => Some((k, at)),
            Policy::All | Policy::Settled(_) => None,
        }
    }

    /// The variant of the runtime's `graph::Policy`, and its count.
    pub fn graph_variant(&self) -> (&'static str, Option<usize>) {
        match *self {
            Policy::All => ("All", None),
            Policy::Settled(_) => ("Settled", None),
            Policy::First => ("First", None),
            Policy::Quorum { k, .. } => ("Quorum", Some(k)),
        }
    }

    /// What the join does, in words (the execution log of `#[traced]`). `fails_fast`:
    /// the join is written `join(..)?`.
    pub fn describe(&self, fails_fast: bool) -> String {
        match self {
            Policy::All if fails_fast => {
                "the join waits for all, the first failure cancels the others".to_owned()
            }
            Policy::All => "the join waits for all".to_owned(),
            Policy::Settled(_) => "the join waits for all, failed or not (settled)".to_owned(),
            Policy::First => "the first to succeed wins".to_owned(),
            Policy::Quorum { k, .. } => format!("the first {k} to succeed win (quorum)"),
        }
    }

    /// The same policy located by `f(S)`.
    pub fn map<T>(self, f: impl FnOnce(S) -> T) -> Policy<T> {
        match self {
            Policy::All => Policy::All,
            Policy::Settled(at) => Policy::Settled(f(at)),
            Policy::First => Policy::First,
            Policy::Quorum { k, at } => Policy::Quorum { k, at: f(at) },
        }
    }
}

/// How deeply forks may nest, counting the fork of the statement as 1. The macro's
/// front end recurses once per level (about 25 KiB of stack each in a debug build of the
/// proc macro, which runs on rustc's main thread with its 8 MiB stack): without a limit,
/// about 400 levels crashed rustc. 64 levels take under 2 MiB.
pub const MAX_FORK_DEPTH: usize = 64;

/// How deeply delimiters (`(..)`, `[..]`, `{..}`) and generic arguments (`Vec<..>`) may
/// nest in one statement of the body or in the signature. syn parses steps and
/// statements by recursion, with no limit of its own: in a debug build on an 8 MiB stack
/// it overflows at about 280 nested `async { .. }` blocks (30 KiB each), 600 parentheses
/// or 146 nested `Vec<..>` (57 KiB each). At 64, the deepest expression syn may be given
/// takes under 4 MiB, beside the forks around it.
pub const MAX_NESTING: usize = 64;

/// Rust 2024's strict and reserved keywords, which are not identifiers: a branch named
/// so would be pasted into code that is not Rust. The weak keywords (`union`, `raw`,
/// `safe`, `macro_rules`) are identifiers.
pub const KEYWORDS: [&str; 52] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", // strict
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield", // reserved
];

/// Why a branch cannot be called `ident`, and what to write instead, if it cannot.
pub fn bad_name(ident: &proc_macro2::Ident) -> Option<(String, String)> {
    let text = ident.to_string();
    if text.starts_with("r#") {
        return None;
    }
    match text.as_str() {
        "_" => Some((
            "`_` cannot name a branch: the join waits on branches by name".to_owned(),
            "give the branch a name, such as `unused`, and write `background(unused)` after the join if nothing waits for it".to_owned(),
        )),
        "self" | "Self" | "super" | "crate" => Some((
            format!("`{text}` is a keyword of paths and cannot name a branch"),
            format!(
                "give the branch another name, such as `{}_branch`: `{text}` cannot be a raw identifier either",
                text.to_lowercase()
            ),
        )),
        _ if KEYWORDS.contains(&text.as_str()) => Some((
            format!("`{text}` is a keyword and cannot name a branch"),
            format!("write the name as a raw identifier, `r#{text}`, or choose another name"),
        )),
        _ => None,
    }
}

/// The token trees of one statement, read lazily and counted: the one way the parser
/// looks ahead of where it is. A statement ends at its `;` (at this level of
/// delimiters) or at the end of its tokens.
pub struct Ahead<I> {
    rest: I,
    tokens: Vec<TokenTree>,
    ended: bool,
}

impl<I: Iterator<Item = TokenTree>> Ahead<I> {
    pub fn new(rest: I) -> Self {
        Ahead {
            rest,
            tokens: Vec::new(),
            ended: false,
        }
    }

    /// The `i`-th token tree of the statement, `None` past its end.
    pub fn get(&mut self, i: usize) -> Option<&TokenTree> {
        while !self.ended && self.tokens.len() <= i {
            match self.rest.next() {
                Some(tt) if !matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';') => {
                    self.tokens.push(tt);
                }
                _ => self.ended = true,
            }
        }
        self.tokens.get(i)
    }

    /// How many token trees have been read so far: what the lookahead cost.
    pub fn read(&self) -> usize {
        self.tokens.len()
    }

    /// The first `n` token trees, which must have been read.
    pub fn first(&self, n: usize) -> impl Iterator<Item = &TokenTree> {
        self.tokens.iter().take(n)
    }

    /// Reads the statement to its end; returns how many token trees it has.
    pub fn read_all(&mut self) -> usize {
        while self.get(self.tokens.len()).is_some() {}
        self.tokens.len()
    }

    fn punct(&mut self, i: usize) -> Option<(char, Spacing)> {
        match self.get(i) {
            Some(TokenTree::Punct(p)) => Some((p.as_char(), p.spacing())),
            _ => None,
        }
    }

    fn is(&mut self, i: usize, c: char) -> bool {
        matches!(self.punct(i), Some((found, _)) if found == c)
    }

    fn ident_is(&mut self, i: usize, word: impl Fn(&proc_macro2::Ident) -> bool) -> bool {
        matches!(self.get(i), Some(TokenTree::Ident(ident)) if word(ident))
    }
}

/// Whether a fork starts at token `i`: `fork < name :` (not `::`) or `fork < >`, where the
/// first branch may have attributes (`#[optional] name:`) or a guard (`name if`), so that
/// such a fork without its join still gets the fork's own errors. A malformed fork with
/// a lone `<` that still closes with `> join`, `> first` or `> quorum` counts too (such as
/// one whose branches have no names). A variable named `fork` compared with `<` or `<=`
/// is ordinary Rust.
///
/// Reads a few tokens for most steps (one when it does not start with `fork`); only a
/// malformed start reads on to the join or the statement's end.
pub fn fork_start<I: Iterator<Item = TokenTree>>(ahead: &mut Ahead<I>, i: usize) -> bool {
    if !ahead.ident_is(i, |ident| ident == FORK) || !ahead.is(i + 1, '<') {
        return false;
    }
    if ahead.is(i + 2, '>') {
        return true;
    }
    let mut name = i + 2;
    while ahead.is(name, '#')
        && matches!(ahead.get(name + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
    {
        name += 2;
    }
    if ahead.ident_is(name, |_| true) {
        if ahead.ident_is(name + 1, |word| word == "if") {
            return true;
        }
        if ahead.is(name + 1, ':') && !ahead.is(name + 2, ':') {
            return true;
        }
    }
    if !matches!(ahead.punct(i + 1), Some(('<', Spacing::Alone))) {
        return false;
    }
    let mut j = i + 2;
    while ahead.get(j).is_some() {
        if ahead.is(j, '>') && ahead.ident_is(j + 1, is_join_keyword) {
            return true;
        }
        j += 1;
    }
    false
}

/// Whether a step may end just before token `i`: at `,`, `->`, or a `>` followed by a
/// join keyword, `,`, `;`, another fork's `>` (`> >`; `>>` is a shift) or nothing.
pub fn may_end_step<I: Iterator<Item = TokenTree>>(ahead: &mut Ahead<I>, i: usize) -> bool {
    match ahead.punct(i) {
        Some((',', _)) => true,
        Some(('-', Spacing::Joint)) => ahead.is(i + 1, '>'),
        Some(('>', spacing)) => match ahead.get(i + 1) {
            // The statement's `;`, or the end of the body.
            None => true,
            Some(TokenTree::Ident(ident)) => is_join_keyword(ident),
            Some(TokenTree::Punct(p)) => match p.as_char() {
                ',' => true,
                '>' => spacing == Spacing::Alone,
                _ => false,
            },
            Some(TokenTree::Group(_) | TokenTree::Literal(_)) => false,
        },
        _ => false,
    }
}

/// The first place in `tokens` nested deeper than [`MAX_NESTING`], counting delimiters
/// and the `<` of generic arguments that are still open (an upper bound: a comparison
/// counts as an open `<` until the next `;`, `=`, `&&` or `||`). Walks the tokens with a
/// stack of its own, so that it does not recurse as deeply as the input nests.
pub fn too_deep(tokens: TokenStream) -> Option<Span> {
    // Per open group: its tokens, and the angle brackets open when it was entered.
    let mut stack = vec![(tokens.into_iter(), 0_usize)];
    let mut angles = 0_usize;
    // The punctuation just before, when joint to this token (`-` of `->`).
    let mut joint: Option<char> = None;
    // The `<` after `fork` is a fork's, which `MAX_FORK_DEPTH` limits.
    let mut after_fork = false;
    while let Some((tokens, outer_angles)) = stack.last_mut() {
        let Some(tt) = tokens.next() else {
            angles = *outer_angles;
            stack.pop();
            (joint, after_fork) = (None, false);
            continue;
        };
        let (joined_to, fork_lt) = (joint.take(), core::mem::take(&mut after_fork));
        match &tt {
            TokenTree::Group(group) => {
                if stack.len() + angles > MAX_NESTING {
                    return Some(group.span_open());
                }
                stack.push((group.stream().into_iter(), angles));
            }
            TokenTree::Punct(p) => {
                let alone = p.spacing() == Spacing::Alone;
                match (joined_to, p.as_char()) {
                    // `<=` and `<<` are operators.
                    (None, '<') if alone && !fork_lt => {
                        angles += 1;
                        if stack.len() + angles > MAX_NESTING {
                            return Some(p.span());
                        }
                    }
                    // `->`, `=>` and `>=` are not the end of generic arguments; `>>` is two.
                    (None | Some('>'), '>') => angles = angles.saturating_sub(1),
                    (None, ';' | '=') if alone => angles = 0,
                    (Some('&'), '&') | (Some('|'), '|') => angles = 0,
                    _ => {}
                }
                if !alone {
                    joint = Some(p.as_char());
                }
            }
            TokenTree::Ident(ident) => after_fork = ident == FORK,
            TokenTree::Literal(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod should {
    use super::*;
    use core::str::FromStr as _;

    #[test]
    fn be_the_grammar_the_readme_shows() {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
        )
        .expect("the README is beside the workspace's Cargo.toml");
        assert!(
            readme.contains(&format!("```text\n{GRAMMAR}```")),
            "README.md's grammar block is not `grammar::GRAMMAR`; copy it from workflow-macros-core/src/grammar.rs"
        );
    }

    fn starts_a_fork(source: &str) -> bool {
        let tokens = TokenStream::from_str(source).expect("lexes");
        fork_start(&mut Ahead::new(tokens.into_iter()), 0)
    }

    #[test]
    fn tell_a_fork_from_a_variable_named_fork() {
        assert!(starts_a_fork("fork < a: f(), b: g() > join(a, b)"));
        assert!(starts_a_fork("fork < > join()"));
        assert!(starts_a_fork("fork < #[optional] a: f()?, b: g() >"));
        assert!(starts_a_fork("fork < a if ready: f(), b: g() >"));
        assert!(starts_a_fork("fork < f(), g() > join(a, b)"));
        assert!(!starts_a_fork("fork < limit"));
        assert!(!starts_a_fork("fork <= limit"));
        assert!(!starts_a_fork("fork < a::b"));
        assert!(!starts_a_fork("fork < f(); x > join(a)"));
    }

    #[test]
    fn read_one_token_for_a_step_that_is_no_fork() {
        let tokens =
            TokenStream::from_str("leaf(1), b: fork < p: x, q: y > join(p, q)").expect("lexes");
        let mut ahead = Ahead::new(tokens.into_iter());
        assert!(!fork_start(&mut ahead, 0));
        assert_eq!(ahead.read(), 1);
    }

    #[test]
    fn find_nesting_deeper_than_the_limit() {
        let nested = |open: &str, close: &str, n: usize| {
            TokenStream::from_str(&format!("f({}x{})", open.repeat(n), close.repeat(n)))
                .expect("lexes")
        };
        assert!(too_deep(nested("(", ")", MAX_NESTING - 1)).is_none());
        assert!(too_deep(nested("(", ")", MAX_NESTING)).is_some());
        assert!(too_deep(nested("async { ", " }", 10_000)).is_some());
        assert!(too_deep(nested("Vec<", ">", MAX_NESTING - 2)).is_none());
        assert!(too_deep(nested("Vec<", ">", 10_000)).is_some());
        assert!(too_deep(nested("Vec<", ">>", 10_000)).is_some());
        // Operators and closed generics do not add up.
        let flat = "a -> b => c <= d >= e << f >> g; ".repeat(200);
        assert!(too_deep(TokenStream::from_str(&flat).expect("lexes")).is_none());
        let closed = "let v: Vec<Vec<u8>> = Vec::<HashMap<K, V>>::new(); ".repeat(200);
        assert!(too_deep(TokenStream::from_str(&closed).expect("lexes")).is_none());
        let compared = "if a < b && c < d || e < f { x = y < z; } ".repeat(100);
        assert!(too_deep(TokenStream::from_str(&compared).expect("lexes")).is_none());
    }

    #[test]
    fn refuse_keywords_as_branch_names() {
        let name = |text: &str| {
            let ident = syn::parse::Parser::parse_str(
                <proc_macro2::Ident as syn::ext::IdentExt>::parse_any,
                text,
            )
            .expect("an identifier");
            bad_name(&ident).map(|(_, help)| help)
        };
        for keyword in KEYWORDS {
            let help = name(keyword).unwrap_or_else(|| panic!("`{keyword}` is refused"));
            let raw = !matches!(keyword, "self" | "Self" | "super" | "crate");
            assert_eq!(help.contains(&format!("r#{keyword}")), raw, "{help}");
        }
        assert!(name("_").is_some());
        for fine in [
            "r#type",
            "r#fn",
            "union",
            "raw",
            "safe",
            "macro_rules",
            "email",
            "naïve",
        ] {
            assert!(name(fine).is_none(), "`{fine}` is a name");
        }
    }
}

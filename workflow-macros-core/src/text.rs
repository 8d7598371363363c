//! The text of the user's tokens as they wrote them, for the workflow graph and its
//! exports (a step's code, a modifier's arguments).

use proc_macro2::{Delimiter, LineColumn, TokenStream, TokenTree};

/// The tokens as the user wrote them: a space only where the source had whitespace
/// (known from the tokens' locations), and any run of whitespace, newlines included,
/// as one space. Without locations (tokens made by another macro), tokens are printed
/// with a space between each.
pub fn source_text(tokens: TokenStream) -> String {
    let mut text = Text::default();
    text.stream(tokens);
    text.out
}

/// As [`source_text`], with every string literal (`"..."`, `r#"..."#`, `b"..."`,
/// `c"..."`) written `".."`: a step's code lands in every exported diagram and, where
/// `NAME_GRAPH` is used, in the binary, and a literal may hold a secret
/// (`call("sk_live_..")`). Names, numbers and the shape of the code stay.
pub fn code_text(tokens: TokenStream) -> String {
    let mut text = Text {
        hide_strings: true,
        ..Text::default()
    };
    text.stream(tokens);
    text.out
}

#[derive(Default)]
struct Text {
    out: String,
    end: Option<LineColumn>,
    hide_strings: bool,
}

/// Whether a literal's text is a string of some kind (not a number or a char).
fn is_string(literal: &str) -> bool {
    let body = literal.trim_start_matches(['b', 'c', 'r']);
    body.starts_with('"') || body.starts_with('#')
}

impl Text {
    fn stream(&mut self, tokens: TokenStream) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    // Tokens printed by syn lose their delimiters' own spans (both are
                    // the whole group's), so the delimiters are placed at its two ends.
                    let (start, end) = (group.span().start(), group.span().end());
                    if !open.is_empty() {
                        let after = LineColumn {
                            column: start.column + 1,
                            ..start
                        };
                        self.token(open, start, after);
                    }
                    self.stream(group.stream());
                    if !close.is_empty() {
                        let before = LineColumn {
                            column: end.column.saturating_sub(1),
                            ..end
                        };
                        self.token(close, before, end);
                    }
                }
                TokenTree::Literal(literal) => {
                    let span = literal.span();
                    let written = literal.to_string();
                    let shown = if self.hide_strings && is_string(&written) {
                        "\"..\""
                    } else {
                        &written
                    };
                    self.token(shown, span.start(), span.end());
                }
                other => {
                    let span = other.span();
                    self.token(&other.to_string(), span.start(), span.end());
                }
            }
        }
    }

    fn token(&mut self, token: &str, start: LineColumn, end: LineColumn) {
        let located = start.line > 0;
        if let Some(end) = self.end
            && (!located || end != start)
        {
            self.out.push(' ');
        }
        self.out.push_str(token);
        self.end = Some(end);
    }
}

#[cfg(test)]
mod should {
    use super::{TokenStream, code_text, source_text};

    #[test]
    fn print_steps_as_written() {
        for source in [
            "get_product(order.sku)",
            "async move { x + 1 }",
            "|v: Vec<u8>| -> usize { v.len() }",
            "HashMap::<K, V>::new()",
            "self.product(id + 1)",
            "250ms",
            "3, backoff = 10ms",
        ] {
            let tokens: TokenStream = source.parse().unwrap();
            assert_eq!(source_text(tokens), source);
        }
    }

    #[test]
    fn fold_whitespace_and_newlines_into_one_space() {
        let tokens: TokenStream = "fetch(\n    a,\n    b,\n)".parse().unwrap();
        assert_eq!(source_text(tokens), "fetch( a, b, )");
    }

    #[test]
    fn leave_string_literals_out_of_a_steps_code() {
        let code = |source: &str| code_text(source.parse().unwrap());
        assert_eq!(
            code(r#"charge("sk_live_123", 250, 'x')"#),
            r#"charge("..", 250, 'x')"#
        );
        assert_eq!(
            code(r##"f(r#"secret"#, b"key", br"k", c"k", 1.5e3)"##),
            r#"f("..", "..", "..", "..", 1.5e3)"#
        );
        assert_eq!(code("wait(250ms)"), "wait(250ms)");
    }
}

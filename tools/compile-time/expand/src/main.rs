//! Times `workflow_macros_core::expand::workflow` (and the graph const alone) on a
//! workflow read from a file, and prints the expansion's size; `--print` prints it.
//!
//! `ct-expand FILE [--print]`, FILE holding `(::workflow_runtime) async fn w() { .. }`.
use std::time::Instant;

use proc_macro2::TokenStream;
use workflow_macros_core::{constant, diag, expand, model, parse, validate};

fn count(tokens: TokenStream) -> usize {
    tokens
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Group(g) => 2 + count(g.stream()),
            _ => 1,
        })
        .sum()
}

/// The tokens with a line break after every `,` and `;`: pasted as source, every span then
/// sits on a short line (rustc's debuginfo finds a column by scanning its line, so one
/// line of 800 kB makes codegen take minutes, which the macro's own spans never do).
fn print_lines(tokens: TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                print_lines(g.stream(), out);
                out.push_str(close);
                out.push(' ');
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                if matches!(p.as_char(), ',' | ';') {
                    out.push('\n');
                } else if p.spacing() == Spacing::Alone {
                    out.push(' ');
                }
            }
            other => {
                out.push_str(&other.to_string());
                out.push(' ');
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let source = std::fs::read_to_string(&args[1]).expect("read input");
    let print = args.iter().any(|a| a == "--print");
    let input: TokenStream = source.parse().expect("input lexes");
    let mut best = f64::MAX;
    let mut out = TokenStream::new();
    for _ in 0..3 {
        let t = Instant::now();
        out = expand::workflow(input.clone());
        best = best.min(t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let parsed = parse::parse_input(input.clone()).expect("parses");
    let parse_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cx = diag::Ctxt::new();
    let model = model::Workflow::from_ast(&parsed, &cx);
    let model_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let problems = validate::validate(&model).len();
    let validate_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let g = constant::item(&model);
    let graph_time = t.elapsed().as_secs_f64();
    let text = out.to_string();
    assert!(!text.contains("compile_error"), "the workflow has errors:\n{text}");
    if print {
        let mut lines = String::new();
        print_lines(out, &mut lines);
        println!("{lines}");
    } else {
        println!(
            "expand_s={best:.4} (parse {parse_time:.4} model {model_time:.4} validate {validate_time:.4} problems {problems}) expansion_tokens={} expansion_bytes={} graph_s={graph_time:.4} graph_tokens={} graph_bytes={}",
            count(out.clone()),
            text.len(),
            count(g.clone()),
            g.to_string().len()
        );
    }
}

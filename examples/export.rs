//! Prints an example workflow's graph as Mermaid, BPMN 2.0 XML or Conductor JSON.
//!
//! Every `workflow!` defines beside its function a constant with its graph
//! (`FULFIL_GRAPH` for `fulfil`); this program takes the other examples' constants and
//! prints one with `to_mermaid()`, `to_bpmn()` or `to_conductor_json()`.
//!
//! ```sh
//! cargo run --example export -- list                  # the workflows
//! cargo run --example export -- dropship mermaid      # or bpmn, conductor
//! cargo run --example export -- fulfil bpmn > fulfil.bpmn
//! ```

use std::process::ExitCode;

use workflow_runtime::graph::{Format, Workflow};

#[path = "dropship.rs"]
#[allow(dead_code)]
mod dropship;
#[path = "loan_checks.rs"]
#[allow(dead_code)]
mod loan_checks;
#[path = "notifications.rs"]
#[allow(dead_code)]
mod notifications;
#[path = "resilient_fanout.rs"]
#[allow(dead_code)]
mod resilient_fanout;

/// Each example's name, and its workflow's graph.
const WORKFLOWS: [(&str, Workflow); 4] = [
    ("dropship", dropship::FULFIL_GRAPH),
    ("notifications", notifications::NOTIFY_GRAPH),
    ("loan_checks", loan_checks::REVIEW_GRAPH),
    ("resilient_fanout", resilient_fanout::CHECK_OUT_GRAPH),
];

const USAGE: &str = "usage: cargo run --example export -- WORKFLOW FORMAT
       cargo run --example export -- list
WORKFLOW: an example's name or its workflow function's name (see `list`)
FORMAT:   mermaid | bpmn | conductor";

/// The graph named by an example's name or its workflow function's name.
fn find(name: &str) -> Option<Workflow> {
    WORKFLOWS
        .iter()
        .find(|(example, graph)| *example == name || graph.name == name)
        .map(|(_, graph)| *graph)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [list] if list == "list" => {
            for (example, graph) in WORKFLOWS {
                println!(
                    "{example:<18} {:<10} {} forks, at {}",
                    graph.name,
                    graph.forks.len(),
                    graph.at
                );
            }
            ExitCode::SUCCESS
        }
        [name, format] => {
            let Some(graph) = find(name) else {
                eprintln!("no workflow named `{name}`: try `list`\n{USAGE}");
                return ExitCode::FAILURE;
            };
            match format.parse::<Format>() {
                Ok(format) => {
                    print!("{}", graph.export(format));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}\n{USAGE}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::FAILURE
        }
    }
}

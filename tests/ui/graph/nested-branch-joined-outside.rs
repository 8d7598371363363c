// The nested fork's branches are joined by the outer join: a join that crosses fork levels.
use workflow_runtime::workflow;

async fn check(what: &str) -> bool { !what.is_empty() }

workflow! {
    async fn background_checks() -> bool {
        fork <
            credit: check("credit"),
            documents: fork <
                passport: check("passport"),
                utility: check("utility"),
            > join(credit),
        > join(credit, documents, passport);
        credit
    }
}

fn main() {}

// A branch whose step is a nested fork, followed by a step that takes its outputs.
async fn background_checks(id: u32) -> Result<String, BranchError<String>> {
    fork <
        credit: check("credit", id)?,
        documents: fork <
            passport: check("passport", id)?,
            utility: check("utility", id)?,
        > join(passport, utility)? -> merge,
    > join(credit, documents)?;
    Ok(format!("{credit}, {documents}"))
}

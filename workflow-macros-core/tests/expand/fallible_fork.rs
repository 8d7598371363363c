// Fallible steps (`?`) and a fallible join (`join(..)?`).
async fn checks(id: u32) -> Result<(u32, u32), BranchError<String>> {
    fork <
        credit: check_credit(id)?,
        identity: check_identity(id)?,
    > join(credit, identity)?;
    Ok((credit, identity))
}

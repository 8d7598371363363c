// A fork of more than 8 joined branches: a balanced tree of `try_join5`s, one-step
// fallible branches as `fallible_branch` (no async block per branch).
async fn wide(id: u64) -> Result<u64, BranchError<String>> {
    fork <
        b0: score(id)?, b1: score(id + 1)?, b2: score(id + 2)?, b3: plain(id),
        b4: score(id + 4)?, b5: score(id + 5)?, b6: score(id + 6)?, b7: score(id + 7)?,
        b8: score(id + 8)? -> double?, b9: score(id + 9)?, b10: score(id + 10)?,
    > join(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10)?;
    Ok(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10)
}

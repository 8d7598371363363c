// `#[spawn]` with a join that can fail: the join waits until the aborted tasks have
// ended (`TaskFork::ended`) before it returns the first failure.
async fn checks(id: u64) -> Result<(u64, u64), BranchError<String>> {
    #[spawn]
    fork < fraud: score(id)?, credit: bureau(id)? > join(fraud, credit)?;
    Ok((fraud, credit))
}

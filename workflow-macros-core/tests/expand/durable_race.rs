/// A durable race: the decision journaled under the fork's id (`0`, listed in `STEPS`),
/// the branches pinned and raced by `durable::first`.
#[durable]
pub async fn fastest(ctx: Context, id: u32) -> Result<String, BranchError<String>> {
    let winner = fork <
        eu: replica("eu", id)?,
        us: replica("us", id) -> check,
    > first(eu, us)?;
    Ok(winner.value)
}

/// A durable step's `#[retry]` with a cap, jitter and a predicate: its jittered waits
/// are journaled as the times of the next attempts.
#[durable]
pub async fn jittered(ctx: Context, id: u32) -> Result<(u32, u32), BranchError<CallError>> {
    fork <
        call: #[retry(3, backoff = 2s, max = 5s, jitter, if = is_transient)] call(id)?,
        other: call(id)?,
    > join(call, other)?;
    Ok((call, other))
}

/// A durable workflow's timers: a step's `#[timeout]` and `#[retry]` and a branch's
/// `#[timeout]` journal their deadlines and next attempt times.
#[durable]
pub async fn timers(ctx: Context, id: u32) -> Result<(u32, u32), BranchError<CallError>> {
    fork <
        call: #[retry(3, backoff = 2s)] #[timeout(500ms)] call(id)?,
        #[timeout(30s)]
        slow: fetch(id)? -> check,
    > join(call, slow)?;
    Ok((call, slow))
}

/// A durable workflow's timers: a step's `#[timeout]` and `#[retry]` and a branch's
/// `#[timeout]` journal their deadlines and next attempt times; a timed branch's id
/// (once, also for a fan-out) is in `STEPS`.
#[durable]
pub async fn timers(ctx: Context, id: u32, files: Vec<String>) -> Result<(u32, u32, usize), BranchError<CallError>> {
    fork <
        call: #[retry(3, backoff = 2s)] #[timeout(500ms)] call(id)?,
        #[timeout(30s)]
        slow: fetch(id)? -> check,
        #[timeout(60s)]
        scans: for file in files => #[timeout(5s)] scan(file)?,
    > join(call, slow, scans)?;
    Ok((call, slow, scans.len()))
}

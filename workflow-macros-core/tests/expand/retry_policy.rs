// `#[retry]` with a cap, jitter and a predicate: a `Backoff` and the predicate's path.
async fn retried(service: &Service) -> Result<(u32, u32), BranchError<CallError>> {
    fork <
        value: #[retry(5, backoff = 10ms, max = 1s, jitter, if = is_transient)] service.call(7)?,
        other: #[retry(2, jitter)] service.call(8)?,
    > join(value, other)?;
    Ok((value, other))
}

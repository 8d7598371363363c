// `#[retry(3, backoff = 10ms)]` on a fallible step, alone and with a timeout per attempt.
async fn retried(service: &Service) -> Result<(u32, u32), BranchError<CallError>> {
    fork <
        value: #[retry(3, backoff = 10ms)] service.call(7)?,
        other: #[retry(2, backoff = 5ms)] #[timeout(100ms)] service.call(8)?,
    > join(value, other)?;
    Ok((value, other))
}

// `#[timeout(..)]` on a branch (cuts off the whole branch) and on a fallible step.
async fn deadlines(id: u32) -> Result<(u32, u32), BranchError<CallError>> {
    fork <
        #[timeout(1s)]
        slow: fetch(id)? -> parse_reply,
        stuck: #[timeout(250ms)] never_answers(id)?,
    > join(slow, stuck)?;
    Ok((slow, stuck))
}

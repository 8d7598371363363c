// `#[optional]`: a failing branch becomes `None`, the fork goes on.
async fn notify(id: u32) -> Result<(u32, Option<u32>), BranchError<CallError>> {
    fork <
        email: call_email(id)?,
        #[optional]
        sms: call_sms(id)?,
    > join(email, sms)?;
    Ok((email, sms))
}

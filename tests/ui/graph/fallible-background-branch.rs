use workflow_runtime::{workflow, BranchError};

async fn send(channel: &str) -> Result<String, String> { Ok(channel.to_owned()) }

workflow! {
    async fn notify() -> Result<String, BranchError<String>> {
        fork <
            email: send("email")?,
            sms: send("sms")?,
            http: send("http")?,
        > join(email, sms)? background(http);
        Ok(email + &sms)
    }
}

fn main() {}

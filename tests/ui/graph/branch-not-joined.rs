// Seed 003's "split 3, join 2": the third branch is neither joined nor in background(...).
use workflow_runtime::workflow;

async fn send(channel: &str) -> String { channel.to_owned() }

workflow! {
    async fn notify() -> String {
        fork <
            email: send("email"),
            sms: send("sms"),
            http: send("http"),
        > join(email, sms);
        email + &sms
    }
}

fn main() {}

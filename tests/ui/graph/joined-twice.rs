use workflow_runtime::workflow;

async fn send(channel: &str) -> String { channel.to_owned() }

workflow! {
    async fn notify() -> String {
        fork <
            email: send("email"),
            sms: send("sms"),
        > join(email, sms, email);
        sms
    }
}

fn main() {}

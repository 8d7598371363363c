use workflow_runtime::workflow;

async fn send(channel: &str) -> String { channel.to_owned() }

workflow! {
    async fn notify() -> String {
        fork <
            email: send("email"),
            sms: send("sms"),
            http: send("http"),
        > join(email, sms) background(http);
        email + &sms + &http
    }
}

fn main() {}

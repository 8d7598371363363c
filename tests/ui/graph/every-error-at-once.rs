// One build reports every mistake of the macro call, not only the first.
use workflow_runtime::workflow;

async fn send(channel: &str) -> String { channel.to_owned() }

workflow! {
    async fn notify(urgent: bool) -> String {
        fork <
            email: send("email"),
            sms if urgent: send("sms"),
            sms: send("sms"),
        > join(email, emial);
        fork <
            push: send("push"),
        >;
        email
    }
}

fn main() {}

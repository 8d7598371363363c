// A workflow that does not compile (branch `push` is neither joined nor in background)
// reports that error only: the imports that only its body uses are not reported unused,
// though the body is not compiled, and the code after the join gets no second error.
use std::collections::BTreeMap;

use services::{send, shout, Receipt, LIMIT, SIGNATURE};
use workflow_runtime::workflow;

mod services {
    pub const LIMIT: usize = 2;
    pub const SIGNATURE: &str = "-- the team";
    pub struct Receipt(pub String);
    pub async fn send(channel: &str) -> String { channel.to_owned() }
    pub fn shout(text: String) -> String { text.to_uppercase() }
}

workflow! {
    async fn notify(channels: Vec<String>) -> Receipt {
        fork <
            email: send("email") -> |text| async move { shout(text.trim().to_owned()) },
            sms: fork < text: send("sms"), to: send("to") > join(text, to) -> |text, to| async move { format!("{to}: {text}") },
            #[limit(LIMIT)]
            push: for channel in channels => send(&channel),
        > join(email, mut sms);
        sms.push_str(SIGNATURE);
        let mut sent = BTreeMap::new();
        sent.insert(email, sms);
        Receipt(format!("{sent:?}"))
    }
}

fn main() {}

use workflow_runtime::workflow;

async fn send(to: &str) -> bool { !to.is_empty() }

workflow! {
    async fn notify(to: &str, with_sms: bool) -> bool {
        fork <
            email: send(to),
            sms if with_sms: send(to),
        > join(email, sms);
        email && sms
    }
}

fn main() {}

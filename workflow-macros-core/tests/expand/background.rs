// `background(..)` at the top level: `http` runs on past the join, and ends before the workflow.
async fn notify(log: &RefCell<Vec<&'static str>>) -> bool {
    fork <
        email: send(log, "email"),
        sms: send(log, "sms"),
        http: send(log, "http"),
    > join(email, sms) background(http);
    email && sms
}

// Invalid: a guard on a branch, a duplicate branch, a misspelt join name and a fork of one
// branch. The expansion is the fallback item: the signature with one compile_error! each.
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

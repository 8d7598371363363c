// A fan-out with `#[limit(4)]`: at most four items run at once.
async fn scores(items: Vec<u64>) -> (Vec<u64>, &'static str) {
    fork <
        #[limit(4)]
        scored: for item in items => score(item),
        audit: async { "logged" },
    > join(scored, audit);
    (scored, audit)
}

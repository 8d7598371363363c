// A fan-out branch: one step per item, the outputs in the items' order.
async fn scores(items: Vec<u64>) -> (Vec<u64>, &'static str) {
    fork <
        scored: for item in items => score(item),
        audit: async { "logged" },
    > join(scored, audit);
    (scored, audit)
}

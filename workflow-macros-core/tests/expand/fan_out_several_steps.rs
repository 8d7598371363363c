// A fan-out whose items run several steps each.
async fn shout(items: &[String], suffix: &str) -> (Vec<String>, u32) {
    fork <
        shouted: for item in items.iter() => async move { item.to_uppercase() } -> |s: String| async move { format!("{s}{suffix}") },
        count: count(items),
    > join(shouted, count);
    (shouted, count)
}

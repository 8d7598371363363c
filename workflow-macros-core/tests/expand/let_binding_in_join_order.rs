// `let PAT = fork ... join(b, a)`: the tuple is in join order, not branch order.
async fn reordered() -> (u8, u32) {
    let (second, first) = fork <
        a: load_u32(),
        b: load_u8(),
    > join(b, a);
    (second, first)
}

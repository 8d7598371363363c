// `first(..)`: the first branch to succeed wins, the others are dropped.
async fn fastest() -> Winner<u32> {
    let winner = fork <
        eu: replica("eu"),
        us: replica("us"),
        asia: replica("asia"),
    > first(eu, us, asia);
    winner
}

// `quorum(2, ..)`: the first two branches to succeed, in finishing order.
async fn read_quorum() -> [Winner<&'static str>; 2] {
    let two = fork <
        eu: replica("eu", 30),
        us: replica("us", 10),
        asia: replica("asia", 20),
    > quorum(2, eu, us, asia);
    two
}

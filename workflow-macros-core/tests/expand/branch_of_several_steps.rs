// A branch of several steps: a future, a function path, a closure.
async fn pipeline(id: u32) -> u32 {
    fork <
        a: f(id) -> g -> |x| h(x),
        b: load(id),
    > join(a, b);
    a + b
}

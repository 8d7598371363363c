// Items declared in the body (a `fn`, a `struct` with an impl), before and after the fork.
async fn with_items() -> u8 {
    struct Offset(u8);
    impl Offset {
        fn get(&self) -> u8 {
            self.0
        }
    }
    let x = helper();
    fork < a: id(x), c: id(Offset(3).get()) > join(a) background(c);
    fn helper() -> u8 {
        10
    }
    a + helper()
}

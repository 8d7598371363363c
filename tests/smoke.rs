use workflow_runtime::{BranchError, workflow};

async fn double(x: u32) -> u32 {
    x * 2
}
async fn check(x: u32) -> Result<u32, String> {
    if x > 10 {
        Err(format!("{x} too big"))
    } else {
        Ok(x)
    }
}

workflow! {
    async fn simple(x: u32) -> (u32, u32, u32) {
        let y = x + 1;
        fork <
            a: double(x) -> double,
            b: async { y },
            c: fork <
                p: double(1),
                q: double(2),
            > join(p, q) -> |p: u32, q: u32| async move { p + q },
        > join(a, b, c) background();
        (a, b, c)
    }
}

workflow! {
    async fn fallible(x: u32) -> Result<u32, BranchError<String>> {
        fork <
            a: check(x)?,
            b: double(x) -> check?,
            c: async { 1 },
            d: async { println!("bg") },
        > join(a, b, c)? background(d);
        Ok(a + b + c)
    }
}

#[test]
fn smoke() {
    assert_eq!(futures::executor::block_on(simple(1)), (4, 2, 6));
    assert_eq!(futures::executor::block_on(fallible(1)), Ok(4));
    let e = futures::executor::block_on(fallible(6)).unwrap_err();
    assert_eq!(e.path(), "b");
}

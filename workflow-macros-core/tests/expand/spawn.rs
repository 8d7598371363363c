// `#[spawn]`: every branch runs as a task on tokio's runtime.
async fn parallel(barrier: Arc<Barrier>) -> (u64, u64) {
    let (b1, b2) = (barrier.clone(), barrier);
    #[spawn]
    fork <
        left: async move { crunch(&b1, 1) },
        right: async move { crunch(&b2, 2) },
    > join(left, right);
    (left, right)
}

// A workflow returning `impl Trait`.
async fn displayed() -> impl std::fmt::Display {
    fork < a: after(10, 1), b: after(20, 2) > join(a, b);
    a + b
}

// A workflow as a method (written inside an `impl` block): steps borrow `self`.
/// Two products of this shop at once.
async fn order(&self, id: u32) -> String {
    fork <
        product: self.product(id),
        again: self.product(id + 1),
    > join(product, again);
    format!("{product} {again}")
}

// `background(..)` in a nested fork: `audit` ends before its enclosing branch `order` does.
async fn fulfil(id: u32) -> (u32, u32) {
    fork <
        order: fork <
            reserve: reserve(id),
            audit: audit(id),
        > join(reserve) background(audit) -> ship,
        invoice: invoice(id),
    > join(order, invoice);
    (order, invoice)
}

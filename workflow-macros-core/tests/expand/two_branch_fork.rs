// A fork of two one-step branches, joined by name (README's dropship: public, documented).
/// Fetch what the dropshipper needs at the same time, then send it.
pub async fn dropship(order: u32) -> String {
    fork <
        product: product(order),
        customer: customer(order),
    > join(product, customer);
    format!("send {product} to {customer}")
}

// `#[traced]`: the body is written twice, traced (boxed) and untraced, chosen at run time.
#[traced]
async fn dropship(order: u32) -> String {
    fork <
        product: product(order),
        customer: customer(order),
    > join(product, customer);
    format!("send {product} to {customer}")
}

// `#[traced]`: one body; its fork watches each branch (`Watched`, judged by `Never`/`IsErr`).
// A step that calls nothing (the closure) has the span its branch's name gives it, as in
// the graph.
#[traced]
async fn dropship(order: u32) -> String {
    fork <
        product: product(order),
        customer: customer(order),
        tracking: new_tracking_number() -> |n| async move { format!("#{n}") },
    > join(product, customer, tracking);
    format!("send {product} to {customer}, tracking {tracking}")
}

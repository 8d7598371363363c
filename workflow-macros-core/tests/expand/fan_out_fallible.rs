// A fallible fan-out: the first failing item ends it and is named by its index.
async fn stock(skus: &[&str]) -> Result<Vec<u32>, BranchError<String>> {
    fork <
        levels: for sku in skus.iter() => check_stock(sku)?,
        audit: async { "logged" },
    > join(levels, audit)?;
    Ok(levels)
}

/// A durable workflow: each step journaled under its id, the fan-out's items and each
/// item in its scope.
#[durable]
pub async fn loan(ctx: Context, id: u32, files: Vec<String>) -> Result<String, String> {
    fork <
        credit: check_credit(id)?,
        income: fetch_income(id) -> verify_income,
        review: ctx.signal::<bool>("review"),
        scans: for file in files => scan(file),
    > join(credit, income, review, scans)?;
    Ok(format!("{credit} {income} {review} {}", scans.len()))
}

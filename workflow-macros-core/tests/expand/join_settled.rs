// `join(..) settled`: every outcome handed on as a `Result`, each with its own error type.
async fn settled() -> (Result<u32, BranchError<String>>, Result<u32, BranchError<std::io::Error>>, u32) {
    fork <
        a: fail_after(10, "a failed")?,
        b: io_fail(20)?,
        c: after(30, 3),
    > join(a, b, c) settled;
    (a, b, c)
}

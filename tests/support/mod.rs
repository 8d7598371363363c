//! Steps shared by the integration tests: services that answer after a delay on tokio's
//! (usually paused) clock.
#![allow(dead_code)] // each test file uses some of them

use std::time::Duration;

use tokio::time::sleep;

/// Answers `value` after `ms` milliseconds.
pub(crate) async fn after(ms: u64, value: u32) -> u32 {
    sleep(Duration::from_millis(ms)).await;
    value
}

/// Answers `Ok(value)` after `ms` milliseconds.
pub(crate) async fn ok_after(ms: u64, value: u32) -> Result<u32, String> {
    sleep(Duration::from_millis(ms)).await;
    Ok(value)
}

/// Fails with `message` after `ms` milliseconds.
pub(crate) async fn fail_after(ms: u64, message: &str) -> Result<u32, String> {
    sleep(Duration::from_millis(ms)).await;
    Err(message.to_owned())
}

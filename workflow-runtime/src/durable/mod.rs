//! Durable workflows: `#[durable]` workflows journal every step's result, keyed by the
//! step's compile-time id, and resume after a crash without running a finished step
//! again.

pub mod journal;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use journal::{
    Created, InstanceRow, Journal, JournalError, Record, SignalAdded, SignalRow, Status, Write,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteJournal;

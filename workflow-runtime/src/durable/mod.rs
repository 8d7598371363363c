//! Durable workflows: `#[durable]` workflows journal every step's result, keyed by the
//! step's compile-time id, and resume after a crash without running a finished step
//! again.
//!
//! # Keys
//!
//! A record's key is `<scope><step id>#<occurrence>`, never a sequence number: so a
//! replay finds each step's result whatever order concurrent branches finish in.
//! Inside a fan-out item the scope is `<fan-out key>[<index>]/`
//! (`0.files#0[3]/0.files.0#0`); the occurrence counts how often the step started in
//! this run (a loop, a retry). Values taken through the [`Context`] are keyed
//! `<scope>ctx.now#N` (`ctx.random#N`, `ctx.deadline#N`), or under the step they are
//! taken in (`<step key>/now#N`).
//!
//! Timers are journaled as absolute times (milliseconds since the epoch, by the
//! engine's clock, [`Engine::with_clock`]): a step's `#[timeout]` under the step
//! (`<step key>/timeout#0`), a branch's `#[timeout]` under the branch's id
//! (`<scope>0.slow/timeout#N`, and `….timedout`: whether it was cut off), the next
//! attempt of a `#[retry]` under the attempt that failed (`<attempt key>/retry#0`).
//!
//! # Races
//!
//! A `first(...)` or `quorum(k, ...)` join journals its decision (the winners in the
//! order they finished, or the branch whose failure failed it) under
//! `<scope><fork id>#<occurrence>` before the workflow goes on; a replay waits for
//! exactly those branches and never polls the others. Each racing branch is keyed in a
//! scope of its own, `<race key>[<branch index>]/` (`0#0[1]/0.us.0#0`).
//!
//! # Group commit
//!
//! The writes queued during one poll of an instance's body go to the journal as one
//! batch; with a journal whose commits are not inline, the engine's committer thread
//! merges every queued batch (of every instance) into one `Journal::commit`. A step
//! completes only once its record is committed.
//!
//! # Determinism
//!
//! Code between steps runs again on every replay and must decide the same: take time,
//! randomness, waits and deadlines through the [`Context`], and do I/O in steps.

mod context;
mod engine;
mod error;
mod hash;
mod instance;
pub mod journal;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod race;
#[cfg(feature = "sqlite")]
mod sqlite;
mod step;
#[cfg(test)]
mod tests;
mod timer;

pub use context::{Context, Signal, SignalTimeout, Sleep};
pub use engine::{Engine, Handle, Start, Starter, Workflow};
pub use error::Error;
pub use journal::{
    Created, DoneItems, InstanceRow, ItemClaim, Journal, JournalError, Record, SignalAdded,
    SignalRow, Status, Write,
};
pub use memory::MemoryJournal;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresBuilder, PostgresJournal};
#[doc(hidden)]
pub use race::{Racer, first, quorum, racer};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteJournal;
pub use step::{BoxFuture, Journaled, Scope};
#[doc(hidden)]
pub use step::{Scoped, Step, boxed, failure_of, items, limited_items, scoped, step, try_step};
#[doc(hidden)]
pub use timer::{retry, retry_if, timeout, timeout_branch};

//! A shared fan-out under SIGKILL: the workflow [`fan`] (one `#[limit(16)]` fan-out over
//! `n` items, each a short step), what its items note in the side files, and the checks
//! of `tests/fan_out_killed.rs`.
//!
//! An item's step appends `<worker> item <instance> <index> <unix µs>` when it starts
//! (five words: [`crate::side_lines`] skips it), so that the test can tell a start
//! after the item's record was committed from one that came before.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use workflow_runtime::durable::Context;
use workflow_runtime::workflow;

use crate::{INSTANCE, note};

/// How many of [`fan`]'s items may run at once, in every worker together (its
/// `#[limit(16)]`).
pub const FAN_LIMIT: i64 = 16;

/// How long an item's step sleeps.
const ITEM_SLEEP: Duration = Duration::from_millis(3);

/// The output of item `x`.
pub fn item_value(x: u32) -> u64 {
    u64::from(x) * 7 + 1
}

/// An item's step: notes its start, sleeps [`ITEM_SLEEP`], returns [`item_value`].
async fn item(x: u32) -> u64 {
    let instance = INSTANCE
        .try_with(std::sync::Arc::clone)
        .unwrap_or_else(|_| std::sync::Arc::from("?"));
    note(&format!("item {instance} {x} {}", now_us()));
    tokio::time::sleep(ITEM_SLEEP).await;
    item_value(x)
}

workflow! {
    /// `n` items, at most 16 running at once across the workers, each a step whose
    /// output is [`item_value`], beside a step that says how many there are: the outputs in the
    /// items' order.
    #[durable]
    pub async fn fan(ctx: Context, n: u32) -> (u32, Vec<u64>) {
        fork <
            #[limit(16)]
            xs: for x in 0..n => item(x),
            total: async move { n },
        > join(xs, total);
        (total, xs)
    }
}

/// The Unix time now, in µs.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
        })
}

/// An item's step started: in which worker, instance, item, when (Unix µs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemStart {
    /// The worker.
    pub worker: String,
    /// The instance.
    pub instance: String,
    /// The item's index.
    pub index: u32,
    /// When it started (Unix µs).
    pub at_us: i64,
}

/// Every item start in the side files in `dir`.
pub fn item_starts(dir: &Path) -> Vec<ItemStart> {
    let mut starts = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            if let [worker, "item", instance, index, at] =
                line.split(' ').collect::<Vec<_>>().as_slice()
                && let (Ok(index), Ok(at_us)) = (index.parse(), at.parse())
            {
                starts.push(ItemStart {
                    worker: (*worker).to_owned(),
                    instance: (*instance).to_owned(),
                    index,
                    at_us,
                });
            }
        }
    }
    starts
}

/// The item whose step a record's key is of: `<fan-out>[<index>]/<step>`.
pub fn item_of_key(key: &str) -> Option<u32> {
    let (_, rest) = key.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    rest.starts_with('/').then_some(())?;
    index.parse().ok()
}

/// No item's step started after its record was committed: `committed` holds, per
/// (instance, item), a time (Unix µs) by which its record was in the journal (the end
/// of the first read that saw it). A step killed before its commit may start again; one
/// whose record was there must be replayed, not run. Returns how many starts were
/// checked.
pub fn check_no_item_rerun<S: std::hash::BuildHasher>(
    committed: &HashMap<(String, u32), i64, S>,
    starts: &[ItemStart],
) -> Result<usize, String> {
    for start in starts {
        if let Some(&seen) = committed.get(&(start.instance.clone(), start.index))
            && start.at_us > seen
        {
            return Err(format!(
                "item {} of {} started in {} {} µs after its record was seen committed",
                start.index,
                start.instance,
                start.worker,
                start.at_us - seen
            ));
        }
    }
    Ok(starts.len())
}

#[cfg(test)]
mod tests {
    use super::{ItemStart, check_no_item_rerun, item_of_key};

    #[test]
    fn an_items_key_names_its_index() {
        assert_eq!(item_of_key("0.xs[17]/0.xs.0"), Some(17));
        assert_eq!(item_of_key("0.xs"), None);
        assert_eq!(item_of_key("0.xs[17]"), None);
    }

    #[test]
    fn a_start_after_the_commit_fails_the_check_and_one_before_passes() {
        let committed: std::collections::HashMap<_, _> =
            [(("i".to_owned(), 3), 1_000)].into_iter().collect();
        let start = |at_us| ItemStart {
            worker: "w".to_owned(),
            instance: "i".to_owned(),
            index: 3,
            at_us,
        };
        assert_eq!(check_no_item_rerun(&committed, &[start(900)]), Ok(1));
        let error = check_no_item_rerun(&committed, &[start(900), start(1_200)])
            .expect_err("a start after the commit");
        assert!(error.contains("200 µs after"), "{error}");
    }
}

//! The in-memory journal, for tests.

use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::hash::FastMap;
use super::journal::{
    Created, InstanceRow, Journal, JournalError, Record, SignalAdded, SignalRow, Status, Write,
};

/// A [`Journal`] in memory: nothing survives the process, everything else behaves as a
/// durable store does. Its commits run inline in the workflow's poll
/// ([`Journal::inline`]).
///
/// Clones share one store: an `Engine` built on a clone after another engine stopped
/// sees every instance the first one journaled, as a restarted process sees its
/// database.
///
/// ```
/// use workflow_runtime::durable::{Journal, MemoryJournal};
///
/// let journal = MemoryJournal::new();
/// let same = journal.clone();
/// assert!(journal.inline());
/// assert!(same.unfinished().unwrap().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct MemoryJournal {
    store: Arc<Mutex<Store>>,
}

#[derive(Default)]
struct Store {
    instances: FastMap<String, Stored>,
    /// Every signal stored, in order (`signals_after`'s cursor is an index here).
    log: Vec<SignalRow>,
}

struct Stored {
    row: InstanceRow,
    /// key -> (ok, type name, value): the instance id is not repeated.
    records: FastMap<String, (bool, String, Vec<u8>)>,
    signals: Vec<SignalRow>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemoryJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryJournal")
            .field("instances", &self.store().instances.len())
            .finish()
    }
}

impl Journal for MemoryJournal {
    fn create(&self, instance: &InstanceRow) -> Result<Created, JournalError> {
        match self.store().instances.entry(instance.id.clone()) {
            Entry::Occupied(stored) => Ok(Created::Existing(stored.get().row.clone())),
            Entry::Vacant(slot) => {
                let mut row = instance.clone();
                row.status = Status::Running;
                slot.insert(Stored {
                    row,
                    records: FastMap::default(),
                    signals: Vec::new(),
                });
                Ok(Created::New)
            }
        }
    }

    fn instance(&self, id: &str) -> Result<Option<InstanceRow>, JournalError> {
        Ok(self
            .store()
            .instances
            .get(id)
            .map(|stored| stored.row.clone()))
    }

    fn records(&self, instance: &str) -> Result<Vec<Record>, JournalError> {
        Ok(self
            .store()
            .instances
            .get(instance)
            .map(|stored| {
                let records = stored.records.iter();
                records
                    .map(|(key, (ok, type_name, value))| Record {
                        instance: instance.to_owned(),
                        key: key.clone(),
                        ok: *ok,
                        type_name: type_name.clone(),
                        value: value.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    fn signals(&self, instance: &str) -> Result<Vec<SignalRow>, JournalError> {
        Ok(self
            .store()
            .instances
            .get(instance)
            .map(|stored| stored.signals.clone())
            .unwrap_or_default())
    }

    fn commit(&self, batch: &[Write]) -> Result<(), JournalError> {
        let mut store = self.store();
        // All or nothing: check every write first.
        for write in batch {
            let instance = write.instance();
            if !store.instances.contains_key(instance) {
                return Err(JournalError::new(format!(
                    "commit: no instance has the id `{instance}`"
                )));
            }
        }
        for write in batch {
            match write {
                Write::Record(record) => {
                    let stored = store.instances.get_mut(&record.instance);
                    let records = &mut stored.expect("checked above").records;
                    if !records.contains_key(&record.key) {
                        let value = (record.ok, record.type_name.clone(), record.value.clone());
                        records.insert(record.key.clone(), value);
                    }
                }
                Write::End {
                    instance,
                    status,
                    output,
                    reason,
                } => {
                    let row = &mut store
                        .instances
                        .get_mut(instance)
                        .expect("checked above")
                        .row;
                    row.status = *status;
                    row.output.clone_from(output);
                    row.reason.clone_from(reason);
                }
                // Items run where their instance runs: nothing to keep.
                _ => {}
            }
        }
        Ok(())
    }

    fn unfinished(&self) -> Result<Vec<InstanceRow>, JournalError> {
        let mut rows: Vec<InstanceRow> = self
            .store()
            .instances
            .values()
            .filter(|stored| stored.row.status == Status::Running)
            .map(|stored| stored.row.clone())
            .collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(rows)
    }

    fn signals_after(&self, cursor: Option<u64>) -> Result<(Vec<SignalRow>, u64), JournalError> {
        let store = self.store();
        let end = store.log.len();
        let from = cursor.map_or(end, |cursor| {
            usize::try_from(cursor).unwrap_or(end).min(end)
        });
        Ok((store.log[from..].to_vec(), end as u64))
    }

    fn add_signal(&self, signal: &SignalRow) -> Result<SignalAdded, JournalError> {
        let mut store = self.store();
        let Some(stored) = store.instances.get_mut(&signal.instance) else {
            return Ok(SignalAdded::UnknownInstance);
        };
        if stored.signals.iter().any(|s| s.name == signal.name) {
            return Ok(SignalAdded::Duplicate);
        }
        stored.signals.push(signal.clone());
        store.log.push(signal.clone());
        Ok(SignalAdded::Added)
    }

    fn redrive(&self, instance: &str) -> Result<bool, JournalError> {
        let mut store = self.store();
        let Some(stored) = store.instances.get_mut(instance) else {
            return Ok(false);
        };
        stored.records.retain(|_, (ok, _, _)| *ok);
        stored.row.status = Status::Running;
        stored.row.output = None;
        stored.row.reason = None;
        Ok(true)
    }

    fn inline(&self) -> bool {
        true
    }
}

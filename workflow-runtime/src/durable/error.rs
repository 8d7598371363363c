//! What can go wrong with a durable instance.

use core::fmt;

use super::journal::JournalError;

/// The error of the durable engine: a journal that fails, an instance that is not what
/// the caller thinks it is, a journal that does not fit the code any more.
///
/// ```
/// use workflow_runtime::durable::Error;
///
/// let error = Error::UnknownInstance("loan-42".to_owned());
/// assert_eq!(error.to_string(), "no workflow instance has the id `loan-42`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The journal could not be read or written (a failed commit ends the instance
    /// with this error: nothing is reported done that was not committed).
    Journal(JournalError),
    /// No instance has this id.
    UnknownInstance(String),
    /// The id belongs to an instance of another workflow.
    WrongWorkflow {
        /// The instance id.
        instance: String,
        /// The workflow the caller named.
        expected: String,
        /// The workflow the instance belongs to.
        found: String,
    },
    /// An instance of a workflow that is not registered with this engine
    /// (`Engine::register`): `recover` resumes the others and names these.
    UnknownWorkflow(String),
    /// The journal does not fit the workflow's code (a journaled step was removed or
    /// retyped): the instance is parked, nothing runs.
    Incompatible {
        /// The instance id.
        instance: String,
        /// The journal key of the record that does not fit.
        step: String,
        /// Why, in words.
        reason: String,
    },
    /// A journaled value does not read back (or a value does not serialize).
    Corrupt {
        /// The instance id.
        instance: String,
        /// The record's key.
        key: String,
        /// What serde said.
        message: String,
    },
    /// The instance already has a signal of this name.
    DuplicateSignal {
        /// The instance id.
        instance: String,
        /// The signal's name.
        name: String,
    },
    /// The instance's workflow never waits for a signal of this name (its signals are
    /// known: [`Workflow::SIGNALS`](super::Workflow::SIGNALS)).
    UnknownSignal {
        /// The instance id.
        instance: String,
        /// The instance's workflow.
        workflow: String,
        /// The name that was sent.
        name: String,
        /// The names the workflow waits for.
        known: Vec<String>,
    },
    /// The instance waits for this signal with another payload type.
    WrongPayload {
        /// The instance id.
        instance: String,
        /// The signal's name.
        name: String,
        /// The type the instance waits for.
        expected: String,
        /// The type that was sent.
        found: String,
    },
    /// The instance is parked: it waits for a person (see `reason`), nothing runs
    /// until `Engine::redrive`.
    Parked {
        /// The instance id.
        instance: String,
        /// Why it was parked.
        reason: String,
    },
    /// The workflow's body panicked. The instance stays `Running` in the journal:
    /// `recover`, `start` or `attach` resume it.
    Panicked {
        /// The instance id.
        instance: String,
        /// The panic's message.
        message: String,
    },
    /// Another worker holds the instance now (this one's lease ran out, as when its
    /// process was paused): the journal refused this worker's commits for it, and it
    /// stopped running here. A [`Handle`](super::Handle) does not report it: it waits
    /// for the instance wherever it runs.
    Lost {
        /// The instance id.
        instance: String,
    },
}

impl Error {
    /// Whether this error parks the instance (its journal does not fit the code).
    pub(crate) fn parks(&self) -> bool {
        matches!(
            self,
            Error::Incompatible { .. } | Error::Corrupt { .. } | Error::Parked { .. }
        )
    }
}

impl From<JournalError> for Error {
    fn from(error: JournalError) -> Self {
        Error::Journal(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Journal(error) => write!(f, "journal error: {error}"),
            Error::UnknownInstance(id) => write!(f, "no workflow instance has the id `{id}`"),
            Error::WrongWorkflow {
                instance,
                expected,
                found,
            } => write!(
                f,
                "instance `{instance}` is an instance of workflow `{found}`, not `{expected}`"
            ),
            Error::UnknownWorkflow(what) => write!(
                f,
                "workflow not registered with this engine: {what} (call `Engine::register`)"
            ),
            Error::Incompatible {
                instance,
                step,
                reason,
            } => write!(
                f,
                "instance `{instance}` does not fit the workflow's code at `{step}`: {reason}; it is parked"
            ),
            Error::Corrupt {
                instance,
                key,
                message,
            } => write!(
                f,
                "instance `{instance}`: the journaled value `{key}` does not read: {message}"
            ),
            Error::DuplicateSignal { instance, name } => {
                write!(f, "instance `{instance}` already has a signal `{name}`")
            }
            Error::UnknownSignal {
                instance,
                workflow,
                name,
                known,
            } => {
                write!(
                    f,
                    "instance `{instance}` of workflow `{workflow}` never waits for a signal `{name}`"
                )?;
                match known.as_slice() {
                    [] => write!(f, " (it waits for no signal)"),
                    names => {
                        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        write!(f, "; its signals: {}", names.join(", "))
                    }
                }
            }
            Error::WrongPayload {
                instance,
                name,
                expected,
                found,
            } => write!(
                f,
                "instance `{instance}` waits for signal `{name}` with a `{expected}`, not a `{found}`"
            ),
            Error::Parked { instance, reason } => {
                write!(f, "instance `{instance}` is parked: {reason}")
            }
            Error::Panicked { instance, message } => {
                write!(f, "instance `{instance}` panicked: {message}")
            }
            Error::Lost { instance } => write!(
                f,
                "instance `{instance}` is held by another worker now (this worker's lease ran out): its commits here were refused"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Journal(error) => Some(error),
            _ => None,
        }
    }
}

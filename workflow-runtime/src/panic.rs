//! The payload of a panic in a task branch: it names the branch.

use core::any::Any;

/// The payload of a panic in the branch `path`: a `String` ``branch `path` panicked:
/// message`` for a panic with a message. A payload that already names a branch (from
/// a nested fork's branch, the innermost) and one that is not a message (a value
/// given to `panic_any`, which its catcher may downcast) are kept as they are.
#[cold]
pub(crate) fn branch_panic(path: &str, payload: Box<dyn Any + Send>) -> Box<dyn Any + Send> {
    let message = match payload.downcast_ref::<&str>() {
        Some(message) => *message,
        None => match payload.downcast_ref::<String>() {
            Some(message) => message.as_str(),
            None => return payload,
        },
    };
    if message.starts_with("branch `") {
        return payload;
    }
    Box::new(format!("branch `{path}` panicked: {message}"))
}

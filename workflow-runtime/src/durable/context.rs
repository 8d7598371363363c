//! The workflow's context: its instance id, signals, durable sleeps, and time and
//! random values that replay.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use core::time::Duration;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::timer::{now_ms, until};

use super::instance::{Listening, Shared, current_scope, current_step};
use super::step::Journaled;
use crate::TimedOut;

/// What a durable workflow's body reaches its instance through: the first parameter of
/// a `#[durable]` workflow. Cheap to clone; `Send + Sync`.
///
/// Values taken through the context are journaled, so a replay (after a crash) sees the
/// same: [`now`](Context::now), [`random`](Context::random), the deadlines of
/// [`sleep`](Context::sleep) and [`Signal::timeout`]. Code between steps runs again
/// on replay and must decide the same: take time and randomness from here, not from
/// `SystemTime::now()` or a random generator, and do I/O in steps.
///
/// ```
/// use workflow_runtime::durable::{BoxFuture, Context, Engine, MemoryJournal, Start, Workflow, boxed};
///
/// struct Stamp;
/// impl Workflow for Stamp {
///     const NAME: &'static str = "stamp";
///     const STEPS: &'static [&'static str] = &[];
///     type Args = ();
///     type Output = (String, u64);
///     fn run(ctx: Context, (): ()) -> BoxFuture<(String, u64)> {
///         boxed(async move { (ctx.instance_id().to_owned(), ctx.random()) })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let engine = Engine::new(MemoryJournal::new());
/// let (id, random) = engine.run("s-1", Start::<Stamp>::new(())).await?;
/// assert_eq!(id, "s-1");
/// // Started again, the instance returns its journaled output.
/// assert_eq!(engine.run("s-1", Start::<Stamp>::new(())).await?.1, random);
/// # Ok::<(), workflow_runtime::durable::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) shared: Arc<Shared>,
}

impl core::fmt::Debug for Context {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("instance", &self.shared.id)
            .finish_non_exhaustive()
    }
}

/// A 64-bit FNV-1a hash, from `basis`.
pub(crate) fn fnv(basis: u64, parts: &[&str]) -> u64 {
    let mut hash = basis;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl Context {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Context { shared }
    }

    /// The instance's id, as the caller gave it to `Engine::start`.
    pub fn instance_id(&self) -> &str {
        &self.shared.id
    }

    /// A journaled value: the first run makes it (and journals it under a key taking
    /// the next occurrence of `what`), a replay returns what was journaled. Also
    /// returns the sequence number of the batch its record goes in (0 on replay). A
    /// journaled value that does not read aborts the instance (a fresh one is returned).
    fn journaled<T: Journaled>(&self, what: &str, make: impl FnOnce() -> T) -> (T, u64) {
        let key = Shared::value_key(&mut self.shared.lock(), what);
        match self.shared.replayed(&key) {
            Ok(Some(value)) => (value, 0),
            Ok(None) => {
                let value = make();
                let seq = self.shared.journal_value(key, true, &value);
                (value, seq)
            }
            Err(()) => (make(), 0),
        }
    }

    /// The time, journaled: a replay returns the same time. Read from the engine's
    /// clock (`SystemTime::now`, or the one given to
    /// [`Engine::with_clock`](super::Engine::with_clock)).
    ///
    /// Inside a step it is keyed under the step (`<step key>/now#N`), in the body under
    /// the scope (`ctx.now#N`).
    pub fn now(&self) -> SystemTime {
        let (since, _) = self.journaled("now", || {
            (self.shared.path.clock)()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
        });
        UNIX_EPOCH + since
    }

    /// A random number, journaled: a replay returns the same number.
    pub fn random(&self) -> u64 {
        self.journaled("random", || {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(now_ms(&self.shared));
            hasher.write(self.shared.id.as_bytes());
            hasher.finish()
        })
        .0
    }

    /// A stable key for downstream APIs (a payment provider's idempotency key): a hash
    /// (32 hex digits) of the instance id and the current step's journal key. The same
    /// step of the same instance gets the same key on every run, also after a crash.
    /// Outside a step, the hash of the instance id and the current scope.
    pub fn idempotency_key(&self) -> String {
        let place = current_step().map_or_else(
            || {
                let mut place = current_scope().map(|s| s.to_string()).unwrap_or_default();
                place.push_str("ctx");
                place
            },
            |step| step.to_string(),
        );
        let parts = [self.shared.id.as_str(), place.as_str()];
        let high = fnv(0xcbf2_9ce4_8422_2325, &parts);
        let low = fnv(0x6c62_272e_07bb_0142, &parts);
        format!("{high:016x}{low:016x}")
    }

    /// Waits for the signal `name` with a `T` payload: `Engine::signal` sends it, also
    /// before the wait is reached (it is buffered in the journal) and across restarts.
    /// An instance takes one signal of each name; every wait for that name sees it.
    ///
    /// A payload of another type parks the instance (`Engine::signal` refuses it with
    /// `Error::WrongPayload` while the instance waits for it).
    pub fn signal<T: Journaled>(&self, name: &str) -> Signal<T> {
        Signal {
            ctx: self.clone(),
            name: name.to_owned(),
            listening: false,
            payload: PhantomData,
        }
    }

    /// Sleeps for `after`, durably: the deadline (now + `after`) is journaled, so an
    /// instance resumed after a restart sleeps only for what is left.
    pub fn sleep(&self, after: Duration) -> Sleep {
        Sleep {
            ctx: self.clone(),
            after,
            state: SleepState::Start,
        }
    }

    /// A deadline `after` from now, journaled under the next `deadline` key: its time,
    /// the sequence number of its batch (0 on replay) and its key; `None` when the
    /// journaled one does not read (the instance is aborted: the caller pends).
    fn deadline(&self, after: Duration) -> Option<(u64, u64, String)> {
        let key = Shared::value_key(&mut self.shared.lock(), "deadline");
        let (deadline, seq) = super::timer::deadline(&self.shared, key.clone(), after, true)?;
        Some((deadline, seq, key))
    }
}

/// The wait for a signal: [`Context::signal`].
#[must_use = "a signal is waited for only when polled"]
pub struct Signal<T> {
    ctx: Context,
    name: String,
    listening: bool,
    payload: PhantomData<fn() -> T>,
}

impl<T> core::fmt::Debug for Signal<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signal")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<T: Journaled> Signal<T> {
    /// Waits at most `after` (a deadline journaled the first time this is polled: a
    /// wait of three days survives restarts); then fails with [`TimedOut`].
    pub fn timeout(self, after: Duration) -> SignalTimeout<T> {
        SignalTimeout {
            signal: self,
            after,
            state: TimeoutState::Start,
        }
    }

    fn unlisten(&mut self) {
        if !self.listening {
            return;
        }
        self.listening = false;
        let mut inner = self.ctx.shared.lock();
        if let Some(listening) = inner.listening.get_mut(&self.name) {
            listening.count -= 1;
            if listening.count == 0 {
                inner.listening.remove(&self.name);
            }
        }
    }
}

impl<T> Drop for Signal<T> {
    fn drop(&mut self) {
        if self.listening {
            let mut inner = self.ctx.shared.lock();
            if let Some(listening) = inner.listening.get_mut(&self.name) {
                listening.count -= 1;
                if listening.count == 0 {
                    inner.listening.remove(&self.name);
                }
            }
        }
    }
}

impl<T: Journaled> Future for Signal<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<T> {
        let this = &mut *self;
        let shared = Arc::clone(&this.ctx.shared);
        let mut inner = shared.lock();
        if inner.abort.is_some() {
            return Poll::Pending;
        }
        let expected = core::any::type_name::<T>();
        if let Some((type_name, payload)) = inner.signals.get(&this.name) {
            let result = if type_name == expected {
                serde_json::from_slice(payload).map_err(|error| super::Error::Corrupt {
                    instance: shared.id.clone(),
                    key: format!("signal `{}`", this.name),
                    message: error.to_string(),
                })
            } else {
                Err(super::Error::Parked {
                    instance: shared.id.clone(),
                    reason: format!(
                        "its signal `{}` carries a `{type_name}`, the workflow waits for a `{expected}`",
                        this.name
                    ),
                })
            };
            drop(inner);
            return match result {
                Ok(value) => {
                    this.unlisten();
                    Poll::Ready(value)
                }
                Err(error) => {
                    shared.abort(error);
                    Poll::Pending
                }
            };
        }
        let listening = inner
            .listening
            .entry(this.name.clone())
            .or_insert_with(|| Listening {
                type_name: expected,
                count: 0,
                wakers: Vec::new(),
            });
        if !this.listening {
            listening.count += 1;
            this.listening = true;
        }
        if !listening.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            listening.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

enum TimeoutState {
    Start,
    Wait {
        timer: Pin<Box<tokio::time::Sleep>>,
        marker: String,
    },
    TimedOut(u64),
    Done,
}

/// The wait for a signal with a durable timeout: [`Signal::timeout`].
#[must_use = "a signal is waited for only when polled"]
pub struct SignalTimeout<T> {
    signal: Signal<T>,
    after: Duration,
    state: TimeoutState,
}

impl<T> core::fmt::Debug for SignalTimeout<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignalTimeout")
            .field("name", &self.signal.name)
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl<T: Journaled> Future for SignalTimeout<T> {
    type Output = Result<T, TimedOut>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                TimeoutState::Start => {
                    let Some((deadline, _, key)) = this.signal.ctx.deadline(this.after) else {
                        return Poll::Pending;
                    };
                    // Whether the wait timed out is journaled too: a signal that
                    // arrives after the deadline does not change a replay.
                    let marker = format!("{key}.timedout");
                    match this.signal.ctx.shared.replayed::<bool>(&marker) {
                        Ok(Some(_)) => {
                            this.state = TimeoutState::Done;
                            return Poll::Ready(Err(TimedOut::new(this.after)));
                        }
                        Ok(None) => {}
                        Err(()) => return Poll::Pending,
                    }
                    this.state = TimeoutState::Wait {
                        timer: Box::pin(tokio::time::sleep(until(
                            &this.signal.ctx.shared,
                            deadline,
                        ))),
                        marker,
                    };
                }
                TimeoutState::Wait { timer, marker } => {
                    if let Poll::Ready(value) = Pin::new(&mut this.signal).poll(cx) {
                        this.state = TimeoutState::Done;
                        return Poll::Ready(Ok(value));
                    }
                    if timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.signal.unlisten();
                    let seq =
                        this.signal
                            .ctx
                            .shared
                            .journal_value(core::mem::take(marker), true, &true);
                    this.state = TimeoutState::TimedOut(seq);
                }
                TimeoutState::TimedOut(seq) => {
                    let shared = &this.signal.ctx.shared;
                    if shared.poll_committed(*seq, cx.waker()).is_pending() {
                        return Poll::Pending;
                    }
                    this.state = TimeoutState::Done;
                    return Poll::Ready(Err(TimedOut::new(this.after)));
                }
                TimeoutState::Done => panic!("a signal wait polled after it completed"),
            }
        }
    }
}

enum SleepState {
    Start,
    Wait {
        timer: Pin<Box<tokio::time::Sleep>>,
        seq: u64,
    },
    Done,
}

/// A durable sleep: [`Context::sleep`].
#[must_use = "a sleep does nothing unless polled"]
pub struct Sleep {
    ctx: Context,
    after: Duration,
    state: SleepState,
}

impl core::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sleep")
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                SleepState::Start => {
                    let Some((deadline, seq, _)) = this.ctx.deadline(this.after) else {
                        return Poll::Pending;
                    };
                    this.state = SleepState::Wait {
                        timer: Box::pin(tokio::time::sleep(until(&this.ctx.shared, deadline))),
                        seq,
                    };
                }
                SleepState::Wait { timer, seq } => {
                    if timer.as_mut().poll(cx).is_pending()
                        || this
                            .ctx
                            .shared
                            .poll_committed(*seq, cx.waker())
                            .is_pending()
                    {
                        return Poll::Pending;
                    }
                    this.state = SleepState::Done;
                    return Poll::Ready(());
                }
                SleepState::Done => panic!("a durable sleep polled after it completed"),
            }
        }
    }
}

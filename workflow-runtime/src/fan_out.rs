//! Dynamic forks: one branch fanned out over a collection known only at run time
//! (Conductor's `DYNAMIC_FORK`, Step Functions' `Map`).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, StreamExt as _};

/// Runs `step` on every item at the same time (at most `limit` at once) and returns the
/// outputs in the items' order. The first `Err` ends the fan-out at once: the items
/// still running are dropped, the ones not started never start, and the error comes
/// back with the failing item's index.
///
/// `try_join_all` cannot do this above 30 futures: it collects a `FuturesOrdered` in
/// order, so an error is seen only once every item before it has finished. Here items
/// run in a `FuturesUnordered` and each output is written to its own slot.
///
/// A `limit` of 0 is taken as 1: a fan-out always makes progress.
///
/// ```
/// use workflow_runtime::fan_out::try_fan_out;
///
/// let doubled = futures::executor::block_on(try_fan_out(1..=3, Some(2), |x: u32| async move {
///     if x < 10 { Ok::<_, String>(x * 2) } else { Err(format!("{x} too big")) }
/// }));
/// assert_eq!(doubled, Ok(vec![2, 4, 6]));
/// ```
pub async fn try_fan_out<I, F, Fut, T, E>(
    items: I,
    limit: Option<usize>,
    mut step: F,
) -> Result<Vec<T>, (usize, E)>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut items = items.into_iter().enumerate();
    let limit = limit.unwrap_or(usize::MAX).max(1);
    let mut running = FuturesUnordered::new();
    let mut outputs: Vec<Option<T>> = Vec::with_capacity(items.size_hint().0);
    let mut exhausted = false;
    loop {
        while !exhausted && running.len() < limit {
            match items.next() {
                Some((index, item)) => {
                    outputs.push(None);
                    running.push(Indexed {
                        index,
                        future: step(item),
                    });
                }
                None => exhausted = true,
            }
        }
        match running.next().await {
            Some((index, Ok(output))) => {
                if let Some(slot) = outputs.get_mut(index) {
                    *slot = Some(output);
                }
            }
            Some((index, Err(error))) => return Err((index, error)),
            None => break,
        }
    }
    Ok(outputs.into_iter().flatten().collect())
}

/// [`try_fan_out`] for steps that cannot fail.
///
/// ```
/// use workflow_runtime::fan_out::fan_out;
///
/// let lengths = futures::executor::block_on(fan_out(["a", "bcd"], None, |s: &str| async move { s.len() }));
/// assert_eq!(lengths, [1, 3]);
/// ```
pub async fn fan_out<I, F, Fut, T>(items: I, limit: Option<usize>, mut step: F) -> Vec<T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    let never_fails = try_fan_out(items, limit, |item| Infallibly { future: step(item) });
    match never_fails.await {
        Ok(outputs) => outputs,
        Err((_, never)) => match never {},
    }
}

pin_project_lite::pin_project! {
    /// A future with its item's index.
    struct Indexed<Fut> {
        index: usize,
        #[pin]
        future: Fut,
    }
}

impl<Fut: Future> Future for Indexed<Fut> {
    type Output = (usize, Fut::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let index = *this.index;
        this.future.poll(cx).map(|output| (index, output))
    }
}

pin_project_lite::pin_project! {
    /// A future that cannot fail, as one whose error type is uninhabited.
    struct Infallibly<Fut> {
        #[pin]
        future: Fut,
    }
}

impl<Fut: Future> Future for Infallibly<Fut> {
    type Output = Result<Fut::Output, core::convert::Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Ok)
    }
}

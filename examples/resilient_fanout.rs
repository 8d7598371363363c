//! Resilient order checkout: a limited fan-out, a retried step and an optional branch.
//!
//! An order of 12 line items is checked out in one fork of three branches:
//!
//! - `stock`: one stock check per line item (`for item in ... =>`), at most 4 at a
//!   time (`#[limit(4)]`); the outputs come back in the items' order.
//! - `payment`: the payment provider answers HTTP 503 twice before it authorises.
//!   `#[retry(3, backoff = 20ms)] #[timeout(200ms)]` runs the step again after 20 ms,
//!   then 40 ms, each attempt with its own 200 ms timeout.
//! - `loyalty`: the loyalty-points service never answers. `#[timeout(100ms)]` on its
//!   step cuts it off, and the branch is `#[optional]`, so its output is `None` and the
//!   order goes through without points instead of failing.
//!
//! Every step shares one error type, `ServiceError`, with a `From<TimedOut>` impl for
//! the timeouts. The whole checkout costs its slowest branch, the payment's three
//! attempts and two waits (~150 ms).
//!
//! ```sh
//! cargo run --example resilient_fanout
//! ```

use std::error::Error;
use std::fmt;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::time::sleep;
use workflow_runtime::{BranchError, TimedOut, workflow};

/// How many stock checks may run at once.
const STOCK_LIMIT: usize = 4;
/// How long the payment provider takes to answer, success or failure.
const PAYMENT_MS: u64 = 30;
/// How many times the payment provider answers 503 before it authorises.
const PAYMENT_FAILURES: u32 = 2;

/// When the order was placed; every log line shows the milliseconds since.
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints a line stamped with the milliseconds since the order was placed.
macro_rules! log {
    ($($arg:tt)*) => {
        println!("[{:>3} ms] {}", START.elapsed().as_millis(), format_args!($($arg)*))
    };
}

struct LineItem {
    sku: &'static str,
    quantity: u32,
}

struct Order {
    id: u32,
    customer_id: u32,
    total_cents: u32,
    items: Vec<LineItem>,
}

/// What a checked-out order comes to.
struct Checkout {
    reserved: Vec<u32>,
    authorisation: String,
    points: Option<u32>,
}

/// A failed call to one of the services.
#[derive(Debug)]
enum ServiceError {
    Unavailable { service: &'static str, status: u16 },
    OutOfStock(&'static str),
    TimedOut(Duration),
}

impl From<TimedOut> for ServiceError {
    fn from(timed_out: TimedOut) -> Self {
        Self::TimedOut(timed_out.after())
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { service, status } => write!(f, "{service} answered HTTP {status}"),
            Self::OutOfStock(sku) => write!(f, "{sku} is out of stock"),
            Self::TimedOut(after) => write!(f, "no answer within {after:?}"),
        }
    }
}

impl Error for ServiceError {}

/// The warehouse's stock service; counts the checks running at once.
struct Warehouse {
    /// How many checks the order needs, to log when the last one is done.
    items: usize,
    running: AtomicUsize,
    most: AtomicUsize,
    done: AtomicUsize,
    busy_ms: AtomicU64,
}

/// Counts a stock check out when it ends or is dropped.
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Warehouse {
    fn new(items: usize) -> Self {
        Warehouse {
            items,
            running: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            busy_ms: AtomicU64::new(0),
        }
    }

    /// Reserves `item` and returns the quantity reserved; takes 20 to 50 ms.
    async fn check_stock(&self, index: usize, item: &LineItem) -> Result<u32, ServiceError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let _running = Running(&self.running);
        // 20 to 50 ms, varying from item to item.
        let ms = 20 + u64::try_from(index * 7 % 31).unwrap_or(0);
        self.busy_ms.fetch_add(ms, Ordering::SeqCst);
        sleep(Duration::from_millis(ms)).await;
        if item.quantity == 0 {
            return Err(ServiceError::OutOfStock(item.sku));
        }
        if self.done.fetch_add(1, Ordering::SeqCst) + 1 == self.items {
            log!("stock: all {} checks done", self.items);
        }
        Ok(item.quantity)
    }
}

/// A payment provider that answers 503 to its first `failures` requests.
struct PaymentProvider {
    failures: u32,
    attempts: AtomicU32,
}

impl PaymentProvider {
    async fn authorise(&self, order_id: u32, cents: u32) -> Result<String, ServiceError> {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        log!(
            "payment: attempt {attempt}, authorise {}.{:02} EUR",
            cents / 100,
            cents % 100
        );
        sleep(Duration::from_millis(PAYMENT_MS)).await;
        if attempt <= self.failures {
            let error = ServiceError::Unavailable {
                service: "payment provider",
                status: 503,
            };
            log!("payment: attempt {attempt} failed: {error}");
            return Err(error);
        }
        let authorisation = format!("AUTH-{order_id}-{attempt}");
        log!("payment: attempt {attempt} authorised: {authorisation}");
        Ok(authorisation)
    }
}

/// Logs when the loyalty request is dropped before it was answered.
struct Unanswered;

impl Drop for Unanswered {
    fn drop(&mut self) {
        log!("loyalty: request dropped, the service never answered");
    }
}

/// The loyalty-points service, which hangs: the request never gets an answer.
async fn loyalty_points(customer_id: u32, cents: u32) -> Result<u32, ServiceError> {
    log!("loyalty: GET /customers/{customer_id}/points?spent={cents}");
    let _unanswered = Unanswered;
    std::future::pending().await
}

workflow! {
    /// Checks stock, authorises the payment and adds loyalty points, all at once.
    pub(crate) async fn check_out(
        order: &Order,
        warehouse: &Warehouse,
        payments: &PaymentProvider,
    ) -> Result<Checkout, BranchError<ServiceError>> {
        fork <
            #[limit(STOCK_LIMIT)]
            stock: for (index, item) in order.items.iter().enumerate() => warehouse.check_stock(index, item)?,
            payment: #[retry(3, backoff = 20ms)] #[timeout(200ms)] payments.authorise(order.id, order.total_cents)?,
            #[optional]
            loyalty: #[timeout(100ms)] loyalty_points(order.customer_id, order.total_cents)?,
        > join(stock, payment, loyalty)?;
        log!("joined stock, payment and loyalty");
        Ok(Checkout { reserved: stock, authorisation: payment, points: loyalty })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let skus = [
        "KB-87", "MS-12", "HD-40", "CB-03", "UC-55", "MN-27", "LS-09", "WC-31", "SP-64", "DK-18",
        "PD-72", "HB-06",
    ];
    let order = Order {
        id: 1042,
        customer_id: 311,
        total_cents: 84_950,
        items: (1..)
            .zip(skus)
            .map(|(quantity, sku)| LineItem {
                sku,
                quantity: quantity % 3 + 1,
            })
            .collect(),
    };
    let warehouse = Warehouse::new(order.items.len());
    let payments = PaymentProvider {
        failures: PAYMENT_FAILURES,
        attempts: AtomicU32::new(0),
    };

    LazyLock::force(&START);
    log!(
        "order #{}: {} line items for customer {}",
        order.id,
        order.items.len(),
        order.customer_id
    );
    let checkout = check_out(&order, &warehouse, &payments).await?;

    log!(
        "stock: {} items reserved ({} units), at most {} checks at once (limit {STOCK_LIMIT}), {} ms of checks in all",
        checkout.reserved.len(),
        checkout.reserved.iter().sum::<u32>(),
        warehouse.most.load(Ordering::SeqCst),
        warehouse.busy_ms.load(Ordering::SeqCst)
    );
    log!(
        "payment: {} after {} attempts",
        checkout.authorisation,
        payments.attempts.load(Ordering::SeqCst)
    );
    match checkout.points {
        Some(points) => log!("loyalty: {points} points added"),
        None => log!("loyalty: timed out after 100 ms, skipped (None); the order goes through"),
    }
    println!(
        "total {} ms: the payment's 3 x {PAYMENT_MS} ms attempts + 20 and 40 ms backoff; stock and loyalty ran alongside",
        START.elapsed().as_millis()
    );
    Ok(())
}

//! Dropship order: a parallel gateway (a BPMN fork and join) written inline.
//!
//! An order arrives from a webhook with neither product nor customer details and without
//! a tracking number. The workflow fetches the product and the customer and creates a
//! tracking number at the same time, joins the three, and sends everything to the
//! dropshipper.
//!
//! It shows a three-branch fork of fallible HTTP calls (a trailing `?` on each step, so
//! the join is written `join(...)?` and a failure names its branch), the joined outputs
//! as typed locals, and that the fork takes as long as its slowest branch (120 ms), not
//! the sum of the three (300 ms).
//!
//! ```sh
//! cargo run --example dropship
//! ```

use std::error::Error;
use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use tokio::time::sleep;
use workflow_runtime::workflow;

/// Simulated latency of each HTTP call.
const PRODUCT_MS: u64 = 120;
const CUSTOMER_MS: u64 = 80;
const TRACKING_MS: u64 = 100;
const DROPSHIPPER_MS: u64 = 20;

/// When the webhook arrived; every log line shows the milliseconds since.
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints a line stamped with the milliseconds since the webhook arrived.
macro_rules! log {
    ($($arg:tt)*) => {
        println!("[{:>3} ms] {}", START.elapsed().as_millis(), format_args!($($arg)*))
    };
}

/// The webhook's payload: ids only.
struct Order {
    id: u32,
    sku: &'static str,
    customer_id: u32,
    carrier: &'static str,
}

struct Product {
    sku: &'static str,
    name: &'static str,
}

struct Customer {
    name: &'static str,
    address: &'static str,
}

/// What the dropshipper receives.
struct Shipment {
    order_id: u32,
    product: Product,
    customer: Customer,
    tracking: String,
}

/// The dropshipper's reference for an accepted shipment.
struct Receipt(String);

/// A failed call to one of the HTTP services.
#[derive(Debug)]
struct FetchError {
    request: String,
    status: u16,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` answered HTTP {}", self.request, self.status)
    }
}

impl Error for FetchError {}

/// Sends a request and waits for the answer.
async fn call(request: &str, latency_ms: u64) {
    log!("→ {request}");
    sleep(Duration::from_millis(latency_ms)).await;
}

async fn get_product(sku: &'static str) -> Result<Product, FetchError> {
    let request = format!("GET /products/{sku}");
    call(&request, PRODUCT_MS).await;
    let name = match sku {
        "KB-87" => "Mechanical keyboard",
        "MS-12" => "Wireless mouse",
        _ => {
            return Err(FetchError {
                request,
                status: 404,
            });
        }
    };
    log!("← product: {name}");
    Ok(Product { sku, name })
}

async fn get_customer(id: u32) -> Result<Customer, FetchError> {
    let request = format!("GET /customers/{id}");
    call(&request, CUSTOMER_MS).await;
    if id != 311 {
        return Err(FetchError {
            request,
            status: 404,
        });
    }
    let customer = Customer {
        name: "Ada Lovelace",
        address: "12 St James's Square, London",
    };
    log!("← customer: {}, {}", customer.name, customer.address);
    Ok(customer)
}

async fn create_tracking_number(order_id: u32, carrier: &str) -> Result<String, FetchError> {
    let request = format!("POST /tracking-numbers ({carrier})");
    call(&request, TRACKING_MS).await;
    if carrier != "DHL" {
        return Err(FetchError {
            request,
            status: 422,
        });
    }
    let tracking = format!("DHL-00340434{order_id:06}");
    log!("← tracking: {tracking}");
    Ok(tracking)
}

async fn send_to_dropshipper(shipment: &Shipment) -> Result<Receipt, FetchError> {
    let request = format!("POST /dropshipper/orders/{}", shipment.order_id);
    call(&request, DROPSHIPPER_MS).await;
    if shipment.tracking.is_empty() {
        return Err(FetchError {
            request,
            status: 400,
        });
    }
    Ok(Receipt(format!("DS-{}", shipment.order_id)))
}

workflow! {
    /// Fetches what the dropshipper needs, all at the same time, then sends it.
    pub(crate) async fn fulfil(order: &Order) -> Result<(Shipment, Receipt), Box<dyn Error + Send + Sync>> {
        fork <
            product:  get_product(order.sku)?,
            customer: get_customer(order.customer_id)?,
            tracking: create_tracking_number(order.id, order.carrier)?,
        > join(product, customer, tracking)?;
        log!("joined product, customer and tracking");
        let shipment = Shipment { order_id: order.id, product, customer, tracking };
        let receipt = send_to_dropshipper(&shipment).await?;
        Ok((shipment, receipt))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let order = Order {
        id: 1042,
        sku: "KB-87",
        customer_id: 311,
        carrier: "DHL",
    };
    LazyLock::force(&START);
    log!(
        "webhook: order #{}, {} for customer {}",
        order.id,
        order.sku,
        order.customer_id
    );

    let (shipment, Receipt(reference)) = fulfil(&order).await?;
    log!(
        "← dropshipper: {reference}, {} ({}) to {}",
        shipment.product.name,
        shipment.product.sku,
        shipment.customer.name
    );
    println!(
        "total {} ms = {PRODUCT_MS} ms fork (its slowest branch, not the {} ms sum) + {DROPSHIPPER_MS} ms send",
        START.elapsed().as_millis(),
        PRODUCT_MS + CUSTOMER_MS + TRACKING_MS
    );
    Ok(())
}

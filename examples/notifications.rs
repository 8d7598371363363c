//! Shipping notifications (Conductor's `FORK_JOIN` with a `joinOn` that leaves a branch out).
//!
//! Three channels, each a branch of two steps: `process_notification_payload`, then
//! `email_notification`, `sms_notification` or `http_notification` (`-> step` hands
//! the payload on). As a Conductor definition with `joinOn: [email, sms]` would, the workflow joins only
//! email and SMS and goes on while the slow HTTP call is still running:
//! `join(email, sms) background(http)`. The HTTP branch still finishes before the
//! workflow returns.
//!
//! ```sh
//! cargo run --example notifications
//! ```

use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use tokio::time::sleep;
use workflow_runtime::workflow;

/// When the order shipped; every log line shows the milliseconds since.
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

fn elapsed_ms() -> u128 {
    START.elapsed().as_millis()
}

/// Prints a line stamped with the milliseconds since the order shipped.
macro_rules! log {
    ($($arg:tt)*) => {
        println!("[{:>3} ms] {}", elapsed_ms(), format_args!($($arg)*))
    };
}

/// The event to notify about, with the customer's contact details.
struct OrderShipped {
    order_id: u32,
    email: &'static str,
    phone: &'static str,
    webhook: &'static str,
}

#[derive(Clone, Copy)]
enum Channel {
    Email,
    Sms,
    Http,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Http => "http",
        })
    }
}

/// A payload rendered for one channel.
struct Notification {
    channel: Channel,
    to: &'static str,
    body: String,
}

/// The output of a `<channel>_notification` step, like a Conductor task's
/// `email_sent_to` / `email_sent_at` outputs.
struct Sent {
    to: &'static str,
    at_ms: u128,
}

async fn process_notification_payload(event: &OrderShipped, channel: Channel) -> Notification {
    sleep(Duration::from_millis(10)).await;
    let (to, body) = match channel {
        Channel::Email => (
            event.email,
            format!("Your order #{} is on its way", event.order_id),
        ),
        Channel::Sms => (event.phone, format!("Order #{} shipped", event.order_id)),
        Channel::Http => (
            event.webhook,
            format!(r#"{{"order":{},"status":"shipped"}}"#, event.order_id),
        ),
    };
    log!("{channel}: payload processed ({} bytes)", body.len());
    Notification { channel, to, body }
}

/// Delivers a notification through a provider that answers after `latency_ms`.
async fn deliver(notification: Notification, latency_ms: u64) -> Sent {
    sleep(Duration::from_millis(latency_ms)).await;
    let Notification { channel, to, body } = notification;
    log!("{channel} sent to {to}: {body}");
    Sent {
        to,
        at_ms: elapsed_ms(),
    }
}

async fn email_notification(notification: Notification) -> Sent {
    deliver(notification, 50).await
}

async fn sms_notification(notification: Notification) -> Sent {
    deliver(notification, 30).await
}

async fn http_notification(notification: Notification) -> Sent {
    deliver(notification, 140).await
}

async fn mark_customer_notified(order_id: u32) {
    sleep(Duration::from_millis(20)).await;
    log!("order #{order_id} marked as notified");
}

workflow! {
    /// Notifies the customer on every channel; waits for email and SMS only.
    pub(crate) async fn notify(event: &OrderShipped) -> (Sent, Sent) {
        fork <
            email: process_notification_payload(event, Channel::Email) -> email_notification,
            sms: process_notification_payload(event, Channel::Sms) -> sms_notification,
            http: process_notification_payload(event, Channel::Http) -> http_notification,
        > join(email, sms) background(http);
        log!("joined email+sms; http runs on in the background");
        mark_customer_notified(event.order_id).await;
        (email, sms)
    }
}

#[tokio::main]
async fn main() {
    let event = OrderShipped {
        order_id: 1042,
        email: "test@example.com",
        phone: "+1-425-555-0189",
        webhook: "https://hooks.example.com/shipping",
    };
    LazyLock::force(&START);
    log!(
        "order #{} shipped: notifying by email, sms and http",
        event.order_id
    );

    let (email, sms) = notify(&event).await;
    log!(
        "workflow returned: email to {} at {} ms, sms to {} at {} ms",
        email.to,
        email.at_ms,
        sms.to,
        sms.at_ms
    );
}

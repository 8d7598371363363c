//! Hand-built graphs for the exporters' unit tests: the examples' workflows and the
//! shapes they do not have (sequential forks, join-then-fork, policies, nested
//! background branches, a fan-out of several steps).

use super::{Branch, FanOut, Fork, Join, Location, Modifiers, Policy, Step, Task, Workflow};

const AT: Location = Location::new("src/orders.rs", 10, 5);
const PLAIN: Modifiers = Modifiers::new(false, None, None);

const fn task(name: &'static str, code: &'static str) -> Step {
    Step::Task(Task::new(name, code, AT, false, PLAIN))
}

const fn fallible(name: &'static str, code: &'static str) -> Step {
    Step::Task(Task::new(name, code, AT, true, PLAIN))
}

const fn branch(name: &'static str, path: &'static str, steps: &'static [Step]) -> Branch {
    Branch::new(name, path, AT, None, PLAIN, steps)
}

const fn join(joined: &'static [&'static str]) -> Join {
    Join::new(AT, Policy::All, joined, &[], false)
}

/// The dropship order: three fallible calls joined with `join(...)?`.
pub(super) const DROPSHIP: Workflow = Workflow::new(
    "fulfil",
    AT,
    &[Fork::new(
        AT,
        false,
        &[
            branch(
                "product",
                "product",
                &[fallible("get_product", "get_product(order.sku)")],
            ),
            branch(
                "customer",
                "customer",
                &[fallible("get_customer", "get_customer(order.customer_id)")],
            ),
            branch(
                "tracking",
                "tracking",
                &[fallible(
                    "create_tracking_number",
                    "create_tracking_number(order.id, order.carrier)",
                )],
            ),
        ],
        Join::new(
            AT,
            Policy::All,
            &["product", "customer", "tracking"],
            &[],
            true,
        ),
    )],
);

/// The shipping notifications: two-step branches, `join(email, sms) background(http)`.
pub(super) const NOTIFY: Workflow = Workflow::new(
    "notify",
    AT,
    &[Fork::new(
        AT,
        false,
        &[
            branch(
                "email",
                "email",
                &[
                    task(
                        "process_notification_payload",
                        "process_notification_payload(event, Channel::Email)",
                    ),
                    task("email_notification", "email_notification"),
                ],
            ),
            branch(
                "sms",
                "sms",
                &[
                    task(
                        "process_notification_payload",
                        "process_notification_payload(event, Channel::Sms)",
                    ),
                    task("sms_notification", "sms_notification"),
                ],
            ),
            branch(
                "http",
                "http",
                &[
                    task(
                        "process_notification_payload",
                        "process_notification_payload(event, Channel::Http)",
                    ),
                    task("http_notification", "http_notification"),
                ],
            ),
        ],
        Join::new(AT, Policy::All, &["email", "sms"], &["http"], false),
    )],
);

/// The loan application: a nested fork whose join hands both outputs to a merge step.
pub(super) const LOAN: Workflow = Workflow::new(
    "review",
    AT,
    &[Fork::new(
        AT,
        false,
        &[
            branch(
                "credit",
                "credit",
                &[fallible("credit_bureau_check", "credit_bureau_check(app)")],
            ),
            branch(
                "employment",
                "employment",
                &[
                    task("verify_employment", "verify_employment(app)"),
                    task("score_employment", "score_employment"),
                ],
            ),
            branch(
                "documents",
                "documents",
                &[
                    Step::Fork(Fork::new(
                        AT,
                        false,
                        &[
                            branch(
                                "passport",
                                "documents.passport",
                                &[fallible("check_passport", "check_passport(app)")],
                            ),
                            branch(
                                "utility",
                                "documents.utility",
                                &[task("check_utility_bill", "check_utility_bill(app)")],
                            ),
                        ],
                        Join::new(AT, Policy::All, &["passport", "utility"], &[], true),
                    )),
                    task("merge_documents", "merge_documents"),
                ],
            ),
        ],
        Join::new(
            AT,
            Policy::All,
            &["credit", "employment", "documents"],
            &[],
            true,
        ),
    )],
);

/// A limited fan-out, a retried step with a timeout, an optional branch.
pub(super) const CHECKOUT: Workflow = Workflow::new(
    "check_out",
    AT,
    &[Fork::new(
        AT,
        false,
        &[
            Branch::new(
                "stock",
                "stock",
                AT,
                Some(FanOut::new(
                    "(index, item)",
                    "order.items.iter().enumerate()",
                    Some("STOCK_LIMIT"),
                )),
                PLAIN,
                &[fallible(
                    "check_stock",
                    "warehouse.check_stock(index, item)",
                )],
            ),
            branch(
                "payment",
                "payment",
                &[Step::Task(Task::new(
                    "authorise",
                    "payments.authorise(order.id, order.total_cents)",
                    AT,
                    true,
                    Modifiers::new(false, Some("200ms"), Some("3, backoff = 20ms")),
                ))],
            ),
            Branch::new(
                "loyalty",
                "loyalty",
                AT,
                None,
                Modifiers::new(true, None, None),
                &[Step::Task(Task::new(
                    "loyalty_points",
                    "loyalty_points(order.customer_id, order.total_cents)",
                    AT,
                    true,
                    Modifiers::new(false, Some("100ms"), None),
                ))],
            ),
        ],
        Join::new(AT, Policy::All, &["stock", "payment", "loyalty"], &[], true),
    )],
);

/// Everything else: two forks in a row, join-then-fork, `first`, `quorum`, `settled`,
/// `#[spawn]`, a background branch inside a nested fork, a join of one branch beside a
/// background one, a fan-out of two steps with a nested fork, names to escape.
pub(super) const KITCHEN_SINK: Workflow = Workflow::new(
    "kitchen_sink",
    AT,
    &[
        Fork::new(
            AT,
            true,
            &[
                branch("eu", "eu", &[task("replica", "replica(\"eu\", 30)")]),
                branch("us", "us", &[task("replica", "replica(\"us\", 10)")]),
                branch("asia", "asia", &[task("replica", "replica(\"asia\", 20)")]),
            ],
            Join::new(AT, Policy::Quorum(2), &["eu", "us", "asia"], &[], false),
        ),
        Fork::new(
            AT,
            false,
            &[
                branch(
                    "a",
                    "a",
                    &[
                        task("load", "load(1)"),
                        task("a", "|s| async move { s < 2 && s > 0 }"),
                    ],
                ),
                branch(
                    "b",
                    "b",
                    &[
                        Step::Fork(Fork::new(
                            AT,
                            false,
                            &[
                                branch("x", "b.x", &[task("load", "load(1)")]),
                                branch("y", "b.y", &[task("load", "load(2)")]),
                                branch("log", "b.log", &[task("audit", "audit(\"<b>\")")]),
                            ],
                            Join::new(AT, Policy::All, &["x", "y"], &["log"], false),
                        )),
                        Step::Fork(Fork::new(
                            AT,
                            false,
                            &[
                                branch("sum", "b.sum", &[task("sum", "async { x + y }")]),
                                branch("diff", "b.diff", &[task("diff", "async { y - x }")]),
                            ],
                            Join::new(AT, Policy::Settled, &["sum", "diff"], &[], false),
                        )),
                    ],
                ),
            ],
            join(&["a", "b"]),
        ),
        Fork::new(
            AT,
            false,
            &[
                branch("fast", "fast", &[task("ping", "ping()")]),
                branch("slow", "slow", &[task("ping", "ping()")]),
            ],
            Join::new(AT, Policy::First, &["fast", "slow"], &[], false),
        ),
        Fork::new(
            AT,
            false,
            &[
                Branch::new(
                    "pages",
                    "pages",
                    AT,
                    Some(FanOut::new("url", "urls", None)),
                    Modifiers::new(false, Some("5s"), None),
                    &[
                        // A timer inside a sub-process, before a nested fork.
                        Step::Task(Task::new(
                            "fetch",
                            "fetch(url)",
                            AT,
                            true,
                            Modifiers::new(false, Some("2s"), Some("2")),
                        )),
                        Step::Fork(Fork::new(
                            AT,
                            false,
                            &[
                                branch("text", "pages.text", &[task("index", "index")]),
                                branch("links", "pages.links", &[task("crawl", "crawl")]),
                            ],
                            join(&["text", "links"]),
                        )),
                    ],
                ),
                branch("metrics", "metrics", &[task("record", "record()")]),
            ],
            Join::new(AT, Policy::All, &["pages"], &["metrics"], false),
        ),
    ],
);

/// A workflow without a fork.
pub(super) const EMPTY: Workflow = Workflow::new("plain", AT, &[]);

/// Every sample.
pub(super) const ALL: [Workflow; 6] = [DROPSHIP, NOTIFY, LOAN, CHECKOUT, KITCHEN_SINK, EMPTY];

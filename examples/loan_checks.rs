//! Loan application background checks (a BPMN parallel gateway, as a Camunda process would
//! model them).
//!
//! The application is validated, then three checks run at the same time: the credit
//! bureau check, the employment verification (verify, then score), and the document
//! review, itself a nested fork of the passport and the utility bill whose join hands
//! both to `merge_documents(passport, utility)`. After the outer join the loan is
//! decided. Checks that would take 5 s, 3 s and 4 s take 50, 30 and 40 ms here: the total is
//! the slowest check (~50 ms), not the sum (120 ms).
//!
//! It also shows a workflow's own error type: a failing check reaches the join as a
//! `BranchError` naming its path (`documents.passport`), converted by `From`.
//!
//! ```sh
//! cargo run --example loan_checks
//! ```

use std::error::Error;
use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use tokio::time::sleep;
use workflow_runtime::{BranchError, workflow};

/// 5 s, 3 s and 4 s, scaled down to milliseconds.
const CREDIT_MS: u64 = 50;
const EMPLOYMENT_MS: u64 = 30;
const DOCUMENTS_MS: u64 = 40;

/// When the application arrived; every log line shows the milliseconds since.
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Prints a line stamped with the milliseconds since the application arrived.
macro_rules! log {
    ($($arg:tt)*) => {
        println!("[{:>3} ms] {}", START.elapsed().as_millis(), format_args!($($arg)*))
    };
}

async fn work(ms: u64) {
    sleep(Duration::from_millis(ms)).await;
}

struct Application {
    id: &'static str,
    applicant: &'static str,
    amount_eur: u32,
    term_months: u32,
    employer: &'static str,
    passport_expires: u16,
    address: &'static str,
}

struct Employment {
    employer: &'static str,
    years: u32,
}

struct Passport {
    expires: u16,
}

struct Documents {
    passport_expires: u16,
    address_verified: bool,
}

enum Decision {
    Approved,
    Declined(&'static str),
}

/// A check that could not be completed.
#[derive(Debug)]
enum CheckError {
    NoCreditFile,
    PassportExpired(u16),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCreditFile => f.write_str("the credit bureau has no file on the applicant"),
            Self::PassportExpired(year) => write!(f, "the passport expired in {year}"),
        }
    }
}

impl Error for CheckError {}

/// Why an application could not be decided.
#[derive(Debug)]
enum LoanError {
    Invalid(&'static str),
    Check(BranchError<CheckError>),
}

impl From<BranchError<CheckError>> for LoanError {
    fn from(error: BranchError<CheckError>) -> Self {
        Self::Check(error)
    }
}

impl fmt::Display for LoanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(reason) => write!(f, "invalid application: {reason}"),
            Self::Check(error) => write!(f, "check `{}` failed: {}", error.path(), error.error()),
        }
    }
}

impl Error for LoanError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Invalid(_) => None,
            Self::Check(error) => Some(error),
        }
    }
}

fn validate(app: &Application) -> Result<(), LoanError> {
    if app.amount_eur == 0 || app.amount_eur > 500_000 {
        return Err(LoanError::Invalid("amount out of range"));
    }
    if !(6..=360).contains(&app.term_months) {
        return Err(LoanError::Invalid("term out of range"));
    }
    log!(
        "application {} valid: {} EUR over {} months for {}",
        app.id,
        app.amount_eur,
        app.term_months,
        app.applicant
    );
    Ok(())
}

async fn credit_bureau_check(app: &Application) -> Result<u16, CheckError> {
    work(CREDIT_MS).await;
    if app.applicant.is_empty() {
        return Err(CheckError::NoCreditFile);
    }
    let score = 742;
    log!("credit: bureau score {score}");
    Ok(score)
}

async fn verify_employment(app: &Application) -> Employment {
    work(EMPLOYMENT_MS - 10).await;
    log!("employment: verified at {}", app.employer);
    Employment {
        employer: app.employer,
        years: 6,
    }
}

async fn score_employment(employment: Employment) -> u8 {
    work(10).await;
    let score = if employment.years >= 2 { 9 } else { 5 };
    log!(
        "employment: {} years at {}, scored {score}/10",
        employment.years,
        employment.employer
    );
    score
}

async fn check_passport(app: &Application) -> Result<Passport, CheckError> {
    work(25).await;
    if app.passport_expires < 2026 {
        return Err(CheckError::PassportExpired(app.passport_expires));
    }
    log!("documents: passport valid until {}", app.passport_expires);
    Ok(Passport {
        expires: app.passport_expires,
    })
}

async fn check_utility_bill(app: &Application) -> bool {
    work(DOCUMENTS_MS - 5).await;
    let matches = !app.address.is_empty();
    log!("documents: utility bill checked");
    matches
}

async fn merge_documents(passport: Passport, utility: bool) -> Documents {
    work(5).await;
    let documents = Documents {
        passport_expires: passport.expires,
        address_verified: utility,
    };
    log!(
        "documents: reviewed (passport to {}, address verified: {})",
        documents.passport_expires,
        documents.address_verified
    );
    documents
}

fn decide(credit: u16, employment: u8, documents: &Documents) -> Decision {
    if !documents.address_verified {
        Decision::Declined("address not verified")
    } else if credit < 650 || employment < 5 {
        Decision::Declined("risk too high")
    } else {
        Decision::Approved
    }
}

workflow! {
    /// Validates the application, runs the background checks at the same time, decides.
    pub(crate) async fn review(app: &Application) -> Result<Decision, LoanError> {
        validate(app)?;
        fork <
            credit: credit_bureau_check(app)?,
            employment: verify_employment(app) -> score_employment,
            documents: fork <
                passport: check_passport(app)?,
                utility: check_utility_bill(app),
            > join(passport, utility)? -> merge_documents,
        > join(credit, employment, documents)?;
        log!("joined credit, employment and documents");
        Ok(decide(credit, employment, &documents))
    }
}

#[tokio::main]
async fn main() -> Result<(), LoanError> {
    let app = Application {
        id: "LN-2024-0117",
        applicant: "Grace Hopper",
        amount_eur: 25_000,
        term_months: 36,
        employer: "Eckert-Mauchly Computer Corp.",
        passport_expires: 2031,
        address: "221 Arlington St, Arlington VA",
    };
    LazyLock::force(&START);

    let decision = review(&app).await?;
    match decision {
        Decision::Approved => log!("decision: approved"),
        Decision::Declined(reason) => log!("decision: declined, {reason}"),
    }
    println!(
        "total {} ms: the slowest check ({CREDIT_MS} ms), not the sum ({} ms)",
        START.elapsed().as_millis(),
        CREDIT_MS + EMPLOYMENT_MS + DOCUMENTS_MS
    );
    Ok(())
}

//! # dealer-portal-mobile
//!
//! The uniffi binding of the `dealer-portal` core for mobile apps: Kotlin (Android, through
//! JNA) and Swift (iOS), generated from this library by the workspace's `uniffi-bindgen`.
//! It exposes the contract of `../shared/API.md` (snake_case names, the object `Portal`), the
//! menu helper [`visible_sections`], the phone field's [`calling_codes`] and the list of
//! [`error_codes`].
//!
//! The binding only translates: strings and records in, the core's calls, records out, and
//! every core error as one [`PortalError`] carrying its stable code.

uniffi::setup_scaffolding!("dealer_portal");

mod convert;
mod error;
mod menu;
mod portal;
mod pure;
mod tokens;
mod types;

pub use error::PortalError;
pub use menu::{Section, visible_sections};
pub use portal::Portal;
pub use portal::access::{Session, SessionInfo, SessionSummary, TokenStatus};
pub use portal::accounts::{AccountPage, AccountSummary, ImportOutcome, UserImport};
pub use portal::documents::{Document, DocumentPage, StoredDocument};
pub use portal::outbox::{AuditEvent, Notification};
pub use portal::profiles::AccountDetail;
pub use pure::{
    calling_codes, error_codes, evaluate_password, expected_debits, parse_reference, reconcile,
    support_directory,
};
pub use tokens::{LinkToken, SessionToken};
pub use types::*;

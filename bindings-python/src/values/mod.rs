//! Enums and frozen value classes: thin wrappers around the core's types.
//!
//! Each class holds the core value and reads its fields on access; codes and labels come from
//! the core's [`Coded`](dealer_portal::Coded) implementations. No rule lives here.
//!
//! One module per concept: [`accounts`] (rights, establishments, sessions, notifications, the
//! account list, the audit log, bulk import), [`documents`] (documents and the quick-search
//! reference), [`regimes`] (regimes, expected debits, reconciliation), [`password`] (the
//! evaluation of a candidate password) and [`support`]. Everything is re-exported here.

mod accounts;
mod documents;
mod host;
mod lifecycle;
mod password;
mod regimes;
mod support;

pub(crate) use accounts::{
    AccountPage, AccountSummary, AuditEvent, Establishment, Notification, PyRight, Session,
    TokenStatus, UserImport, matrix_dict, rights_arg,
};
pub(crate) use documents::{Document, DocumentPage, Reference};
pub(crate) use host::{
    AccountDetail, CallingCode, PySection, ScreenLabel, SessionInfo, SessionSummary, calling_codes,
    screen_labels, visible_sections,
};
pub(crate) use lifecycle::MaintenanceReport;
pub(crate) use password::{Check, Evaluation};
pub(crate) use regimes::{DebitLine, ExpectedDebit, PyRegime, ReconciledDebit, Reconciliation};
pub(crate) use support::{SupportChannel, SupportDirectory};

//! The one error type of the library, with a stable code per variant.
//!
//! Every binding maps [`Error`] once: Python to `dealer_portal.PortalError` subclasses, Node to
//! `Error`s with `.code`, uniffi to an error enum. Callers branch on [`Error::code`], which never
//! changes between releases; the message ([`std::fmt::Display`]) says what was wrong and what is
//! accepted, and never contains a password, a token or a hash.
//!
//! This module depends on no other module of the crate: the values its variants carry are
//! codes and text (a right's or a criterion's stable code), so every module can return an
//! [`Error`] without a circle of imports.

use std::sync::Arc;

/// A `Result` whose error is the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, by what the caller can do about it.
///
/// ```
/// use dealer_portal::{Email, Error};
/// let err = "not-an-email".parse::<Email>().unwrap_err();
/// assert_eq!(err.code(), "INVALID_EMAIL");
/// assert!(matches!(err, Error::InvalidEmail { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An email address that cannot be a login identifier.
    #[error("invalid email: {reason}; expected an address like name@example.fr, at most 254 bytes")]
    InvalidEmail {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A last or first name that is empty, too long or holds control characters.
    #[error("invalid name: {reason}; expected 1 to 100 characters, without control characters")]
    InvalidName {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A phone number that does not parse, or is of the wrong type for its field.
    #[error("invalid phone number: {reason}")]
    InvalidPhone {
        /// What is wrong with it, and what is accepted.
        reason: String,
    },
    /// An establishment code that is not one (e.g. `T99999`).
    #[error(
        "invalid establishment code: {reason}; expected 1 to 16 letters and digits such as T99999"
    )]
    InvalidEstablishmentCode {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value that should be one of a fixed set of codes (a right, a regime, a kind...).
    #[error("unknown {what} {value:?}; accepted: {accepted}")]
    UnknownCode {
        /// What kind of value it is (`"right"`, `"regime"`, ...).
        what: &'static str,
        /// The value given (never a secret).
        value: String,
        /// The accepted codes, comma-separated.
        accepted: &'static str,
    },
    /// A value that is malformed for its field (a date, an amount, a document field).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field.
        field: &'static str,
        /// What is wrong with it and what is accepted.
        reason: String,
    },
    /// The email already belongs to an account.
    #[error("this email already belongs to an account")]
    EmailTaken,
    /// The password fails the policy; `failed` lists the codes of the criteria that are not
    /// met, in the policy's order (`min_length`, `digit`...: see `password::Criterion`).
    #[error("the password does not meet the policy; unmet criteria: {}", criteria_list(.failed))]
    PasswordPolicy {
        /// The criteria that are not met, in the policy's order.
        failed: Vec<&'static str>,
    },
    /// The password is the current one or one of the previous ones kept in history.
    #[error("the password must differ from the current and the previous passwords")]
    PasswordReused,
    /// The confirmation differs from the password (which itself meets the policy).
    #[error("the confirmation does not match the password")]
    ConfirmationMismatch,
    /// The token is unknown, malformed, expired, consumed, revoked or superseded.
    #[error("this link is invalid or has expired; ask for a new one")]
    TokenInvalid,
    /// The email typed on the form is not the one of the token's account; the token stays usable.
    #[error("the email does not match the account of this link")]
    EmailMismatch,
    /// Unknown email, wrong password, account not active or locked: deliberately one answer.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The session token is unknown, expired or revoked.
    #[error("the session is invalid or has expired; log in again")]
    SessionInvalid,
    /// The actor lacks the right needed for this operation on this establishment.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// Which right is missing where.
        reason: Forbidden,
    },
    /// The rights to grant include rights the grantor does not hold there.
    #[error("cannot grant rights you do not hold on this establishment: {}", .missing.join(", "))]
    RightsEscalation {
        /// Codes of the rights the grantor lacks.
        missing: Vec<&'static str>,
    },
    /// A user must be given at least one right.
    #[error("select at least one right for this establishment")]
    NoRightsSelected,
    /// The operation would leave an establishment without an active account managing accounts.
    #[error(
        "establishment {establishment} must keep at least one active account with the right to manage accounts"
    )]
    LastManager {
        /// The establishment's code.
        establishment: String,
    },
    /// No establishment has this code.
    #[error("unknown establishment {code}")]
    UnknownEstablishment {
        /// The code given.
        code: String,
    },
    /// No account has this id (or it is not visible to the actor).
    #[error("unknown account{}", shown_id(.id, "an account id: 32 hexadecimal digits"))]
    UnknownAccount {
        /// The id, when it was a well-formed one; empty when what was given is no account id
        /// at all (it is never repeated: it may be a token passed by mistake).
        id: String,
    },
    /// No session of the caller has this id.
    #[error("unknown session: not one of your sessions")]
    UnknownSession,
    /// No pending notification has this id.
    #[error("unknown notification{}", shown_id(.id, "a notification id: a whole number"))]
    UnknownNotification {
        /// The id, when it was a well-formed one; empty when what was given is no notification
        /// id at all (it is never repeated).
        id: String,
    },
    /// The account is not in a state that allows this operation.
    #[error("account is {state}: {reason}")]
    InvalidState {
        /// The account's state code.
        state: &'static str,
        /// Which operation needs which state.
        reason: &'static str,
    },
    /// A month or a period that is not valid.
    #[error(
        "invalid period: {reason}; expected M/YYYY with a month 1-12 and a year 1-9999, from <= to"
    )]
    InvalidPeriod {
        /// What is wrong with it.
        reason: String,
    },
    /// A search query that cannot be run.
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// What is wrong with it and what is accepted.
        reason: String,
    },
    /// The password was right, and the account has a second factor: call again with its
    /// current code (or a recovery code).
    #[error("a code from your authenticator app (or a recovery code) is needed to log in")]
    MfaRequired,
    /// The code given to confirm or disable a second factor is not the current one.
    #[error("invalid code: expected the 6 digits your authenticator app shows now")]
    MfaInvalid,
    /// The session may only enrol a second factor (the deployment requires one), authenticate
    /// and log out.
    #[error("a second factor is required: enrol an authenticator app first")]
    MfaEnrollmentRequired,
    /// The configuration is inconsistent.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What is wrong with it.
        reason: String,
    },
    /// The actor has had as many answers of this kind as the configuration allows in its window
    /// (e.g. `EMAIL_TAKEN`, see `EmailTakenLimit`); it may try again later.
    #[error(
        "too many {what} answers for this account in the last {window_hours} hours; try again later"
    )]
    RateLimited {
        /// Which answer is rationed (`"email taken"`).
        what: &'static str,
        /// The window, in whole hours (rounded up).
        window_hours: i64,
    },
    /// The audit log does not verify: an event was edited, removed or re-chained, its tail was
    /// cut (against a recorded head), or the portal's audit key is missing or not the one that
    /// chained it.
    #[error("the audit chain is broken: {reason}")]
    AuditChainBroken {
        /// Which event, and what is wrong with it (never a key or a hash of a secret).
        reason: String,
    },
    /// The store failed (I/O, corruption, a foreign file). The message holds no secret; the
    /// driver's error, when there is one, is its [`source`](std::error::Error::source).
    #[error("storage error: {0}")]
    Storage(#[source] StorageError),
}

/// Why an actor may not do something: the reason of [`Error::Forbidden`], one variant per rule,
/// so a caller can branch on it and a host can word it its own way.
///
/// ```
/// use dealer_portal::error::Forbidden;
/// let why = Forbidden::MissingRight {
///     right: "accounting_documents",
///     establishment: "T99999".into(),
/// };
/// assert_eq!(why.to_string(), "you need accounting_documents on T99999");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forbidden {
    /// The actor lacks `right` on `establishment`.
    MissingRight {
        /// The code of the right the operation needs (`accounting_documents`...).
        right: &'static str,
        /// The establishment's code.
        establishment: String,
    },
    /// The actor manages accounts on no establishment at all.
    NoManagedEstablishment,
    /// The actor holds no right at all on `establishment` (to connect to it, or to search it).
    NoRightOn {
        /// The establishment's code.
        establishment: String,
    },
    /// The session is connected to no establishment (the account holds no right anywhere) and
    /// the call named none.
    NoConnectedEstablishment,
    /// The account also holds rights on establishments the actor does not manage: the actor can
    /// only remove its rights on `removable` (the disable rule).
    NotEveryEstablishment {
        /// The codes of the establishments where the actor may remove the account's rights.
        removable: Vec<String>,
    },
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Forbidden::MissingRight {
                right,
                establishment,
            } => write!(f, "you need {right} on {establishment}"),
            Forbidden::NoManagedEstablishment => {
                f.write_str("you need manage_accounts on at least one establishment")
            }
            Forbidden::NoRightOn { establishment } => {
                write!(f, "you hold no right on {establishment}")
            }
            Forbidden::NoConnectedEstablishment => f.write_str(
                "your session is connected to no establishment; name one where you hold a right",
            ),
            Forbidden::NotEveryEstablishment { removable } => {
                f.write_str(
                    "the account also holds rights on establishments you do not manage; \
                     you can only remove its rights on ",
                )?;
                for (i, code) in removable.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(code)?;
                }
                Ok(())
            }
        }
    }
}

/// A store failure: what the store was doing, and the driver's error when there is one (kept as
/// the [`source`](std::error::Error::source), so a host's error report shows the whole chain).
///
/// ```
/// use dealer_portal::error::StorageError;
/// let io = std::io::Error::new(std::io::ErrorKind::Other, "disk full");
/// let e = StorageError::with_source("cannot write the outbox", io);
/// assert_eq!(e.to_string(), "cannot write the outbox: disk full");
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Debug, Clone)]
pub struct StorageError {
    context: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StorageError {
    /// A failure described by `context` alone (an inconsistency the store found itself).
    pub fn new(context: impl Into<String>) -> Self {
        StorageError {
            context: context.into(),
            source: None,
        }
    }

    /// A failure of the driver or the OS while the store was doing `context`.
    pub fn with_source(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StorageError {
            context: context.into(),
            source: Some(Arc::new(source)),
        }
    }

    /// What the store was doing.
    pub fn context(&self) -> &str {
        &self.context
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.context),
            None => f.write_str(&self.context),
        }
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Two storage errors are equal when they say the same thing (the driver's error types have no
/// equality of their own).
impl PartialEq for StorageError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}
impl Eq for StorageError {}

/// ` {id}` for a well-formed id; for input that was no id at all, what an id looks like.
fn shown_id(id: &str, expected: &str) -> String {
    if id.is_empty() {
        format!(": what was given is not {expected}")
    } else {
        format!(" {id}")
    }
}

fn criteria_list(failed: &[&str]) -> String {
    failed.join(", ")
}

impl Error {
    /// Every code [`Error::code`] can return, for bindings to check their typings against.
    ///
    /// ```
    /// assert!(dealer_portal::Error::CODES.contains(&"TOKEN_INVALID"));
    /// ```
    pub const CODES: &'static [&'static str] = &[
        "INVALID_EMAIL",
        "INVALID_NAME",
        "INVALID_PHONE",
        "INVALID_ESTABLISHMENT_CODE",
        "UNKNOWN_CODE",
        "INVALID_INPUT",
        "EMAIL_TAKEN",
        "PASSWORD_POLICY",
        "PASSWORD_REUSED",
        "CONFIRMATION_MISMATCH",
        "TOKEN_INVALID",
        "EMAIL_MISMATCH",
        "INVALID_CREDENTIALS",
        "SESSION_INVALID",
        "FORBIDDEN",
        "RIGHTS_ESCALATION",
        "NO_RIGHTS_SELECTED",
        "LAST_MANAGER",
        "UNKNOWN_ESTABLISHMENT",
        "UNKNOWN_ACCOUNT",
        "UNKNOWN_SESSION",
        "UNKNOWN_NOTIFICATION",
        "INVALID_STATE",
        "INVALID_PERIOD",
        "INVALID_QUERY",
        "INVALID_CONFIG",
        "RATE_LIMITED",
        "AUDIT_CHAIN_BROKEN",
        "STORAGE",
        "MFA_REQUIRED",
        "MFA_INVALID",
        "MFA_ENROLLMENT_REQUIRED",
    ];

    /// The stable code of this error, for programs to branch on.
    ///
    /// ```
    /// assert_eq!(dealer_portal::Error::TokenInvalid.code(), "TOKEN_INVALID");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidEmail { .. } => "INVALID_EMAIL",
            Error::InvalidName { .. } => "INVALID_NAME",
            Error::InvalidPhone { .. } => "INVALID_PHONE",
            Error::InvalidEstablishmentCode { .. } => "INVALID_ESTABLISHMENT_CODE",
            Error::UnknownCode { .. } => "UNKNOWN_CODE",
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::EmailTaken => "EMAIL_TAKEN",
            Error::PasswordPolicy { .. } => "PASSWORD_POLICY",
            Error::PasswordReused => "PASSWORD_REUSED",
            Error::ConfirmationMismatch => "CONFIRMATION_MISMATCH",
            Error::TokenInvalid => "TOKEN_INVALID",
            Error::EmailMismatch => "EMAIL_MISMATCH",
            Error::InvalidCredentials => "INVALID_CREDENTIALS",
            Error::SessionInvalid => "SESSION_INVALID",
            Error::Forbidden { .. } => "FORBIDDEN",
            Error::RightsEscalation { .. } => "RIGHTS_ESCALATION",
            Error::NoRightsSelected => "NO_RIGHTS_SELECTED",
            Error::LastManager { .. } => "LAST_MANAGER",
            Error::UnknownEstablishment { .. } => "UNKNOWN_ESTABLISHMENT",
            Error::UnknownAccount { .. } => "UNKNOWN_ACCOUNT",
            Error::UnknownSession => "UNKNOWN_SESSION",
            Error::UnknownNotification { .. } => "UNKNOWN_NOTIFICATION",
            Error::InvalidState { .. } => "INVALID_STATE",
            Error::InvalidPeriod { .. } => "INVALID_PERIOD",
            Error::InvalidQuery { .. } => "INVALID_QUERY",
            Error::InvalidConfig { .. } => "INVALID_CONFIG",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::AuditChainBroken { .. } => "AUDIT_CHAIN_BROKEN",
            Error::Storage(_) => "STORAGE",
            Error::MfaRequired => "MFA_REQUIRED",
            Error::MfaInvalid => "MFA_INVALID",
            Error::MfaEnrollmentRequired => "MFA_ENROLLMENT_REQUIRED",
        }
    }

    /// The family of this error, which the bindings map to exception classes.
    ///
    /// ```
    /// use dealer_portal::{Error, ErrorFamily};
    /// assert_eq!(Error::EmailTaken.family(), ErrorFamily::Validation);
    /// ```
    pub fn family(&self) -> ErrorFamily {
        match self {
            Error::InvalidCredentials
            | Error::SessionInvalid
            | Error::MfaRequired
            | Error::MfaInvalid
            | Error::MfaEnrollmentRequired => ErrorFamily::Auth,
            Error::TokenInvalid | Error::EmailMismatch => ErrorFamily::Token,
            Error::Forbidden { .. }
            | Error::RightsEscalation { .. }
            | Error::LastManager { .. } => ErrorFamily::Forbidden,
            Error::UnknownEstablishment { .. }
            | Error::UnknownAccount { .. }
            | Error::UnknownSession
            | Error::UnknownNotification { .. } => ErrorFamily::NotFound,
            Error::Storage(_) | Error::AuditChainBroken { .. } => ErrorFamily::Storage,
            _ => ErrorFamily::Validation,
        }
    }

    /// For [`Error::PasswordPolicy`], the codes of the unmet criteria; empty otherwise.
    pub fn failed_criteria(&self) -> Vec<&'static str> {
        match self {
            Error::PasswordPolicy { failed } => failed.clone(),
            _ => Vec::new(),
        }
    }

    /// A [`Error::Storage`] described by `context` alone.
    pub(crate) fn storage(context: impl Into<String>) -> Self {
        Error::Storage(StorageError::new(context))
    }

    /// A [`Error::Storage`] for a driver's failure while doing `context`.
    // Only the SQL stores use it: the core without them (the browser build) leaves it unused.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn storage_from(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Storage(StorageError::with_source(context, source))
    }
}

/// Families of errors, one exception class each in the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// Bad input: values, policy, state, periods, queries.
    Validation,
    /// Credentials and sessions.
    Auth,
    /// Reset and activation links.
    Token,
    /// Missing rights, escalation, last-manager rule.
    Forbidden,
    /// Unknown establishment, account or notification.
    NotFound,
    /// The store failed, or its audit chain does not verify.
    Storage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let all = [
            Error::InvalidEmail { reason: "x" },
            Error::InvalidName { reason: "x" },
            Error::InvalidPhone { reason: "x".into() },
            Error::InvalidEstablishmentCode { reason: "x" },
            Error::UnknownCode {
                what: "right",
                value: "x".into(),
                accepted: "y",
            },
            Error::InvalidInput {
                field: "f",
                reason: "x".into(),
            },
            Error::UnknownNotification { id: "1".into() },
            Error::UnknownSession,
            Error::InvalidState {
                state: "active",
                reason: "x",
            },
            Error::InvalidConfig { reason: "x".into() },
            Error::RateLimited {
                what: "email taken",
                window_hours: 24,
            },
            Error::EmailTaken,
            Error::PasswordPolicy {
                failed: vec!["min_length"],
            },
            Error::PasswordReused,
            Error::ConfirmationMismatch,
            Error::TokenInvalid,
            Error::EmailMismatch,
            Error::InvalidCredentials,
            Error::SessionInvalid,
            Error::Forbidden {
                reason: Forbidden::NoManagedEstablishment,
            },
            Error::RightsEscalation {
                missing: vec!["manage_accounts"],
            },
            Error::NoRightsSelected,
            Error::LastManager {
                establishment: "T1".into(),
            },
            Error::UnknownEstablishment { code: "T1".into() },
            Error::UnknownAccount { id: "a".into() },
            Error::InvalidPeriod { reason: "x".into() },
            Error::InvalidQuery { reason: "x".into() },
            Error::AuditChainBroken { reason: "x".into() },
            Error::storage("x"),
            Error::MfaRequired,
            Error::MfaInvalid,
            Error::MfaEnrollmentRequired,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(Error::code).collect();
        assert_eq!(codes.len(), all.len());
        for c in &codes {
            assert!(Error::CODES.contains(c), "{c} missing from Error::CODES");
        }
        assert_eq!(
            Error::CODES.len(),
            all.len(),
            "every variant is in the list above"
        );
        for e in &all {
            assert!(e.code().chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn policy_error_lists_failed_criteria() {
        let e = Error::PasswordPolicy {
            failed: vec!["min_length", "digit"],
        };
        assert_eq!(e.failed_criteria(), vec!["min_length", "digit"]);
        assert!(e.to_string().contains("min_length, digit"));
        assert_eq!(Error::TokenInvalid.failed_criteria(), Vec::<&str>::new());
    }

    #[test]
    fn families() {
        assert_eq!(Error::InvalidCredentials.family(), ErrorFamily::Auth);
        assert_eq!(Error::TokenInvalid.family(), ErrorFamily::Token);
        assert_eq!(Error::NoRightsSelected.family(), ErrorFamily::Validation);
        assert_eq!(Error::storage("disk").family(), ErrorFamily::Storage);
    }

    #[test]
    fn storage_keeps_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "read-only file");
        let e = Error::storage_from("cannot open portal.db", io);
        assert_eq!(
            e.to_string(),
            "storage error: cannot open portal.db: read-only file"
        );
        let inner = std::error::Error::source(&e).and_then(std::error::Error::source);
        assert_eq!(
            inner.map(|s| s.to_string()).as_deref(),
            Some("read-only file")
        );
    }
}

//! Data lifecycle (RGPD): what the store keeps and for how long ([`RetentionConfig`]), what a
//! maintenance run removed ([`MaintenanceReport`]), and the document a person gets of what the
//! store holds about their account ([`AccountExport`]).
//!
//! Retention never removes what a rule still needs: the mail rate limits count the mails queued
//! for an address in the last [`MAIL_RATE_WINDOW`] (acknowledged or not), so acknowledged mails
//! are kept at least that long — [`RetentionConfig::validate`] refuses less. An ended or expired
//! link token and an ended or expired session answer exactly like an unknown one in every flow,
//! so they go as soon as they end.

use crate::account::{AccountDetail, AccountId, Role};
use crate::audit::AuditAction;
use crate::email::Email;
use crate::establishment::EstablishmentCode;
use crate::locale::Locale;
use crate::notification::{NotificationId, NotificationKind};
use crate::session::SessionId;
use crate::token::{TokenPurpose, TokenState};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The window over which the mail rate limits count the mails queued for an address ("Mot de
/// passe oublié", activation and "account exists" mails: at most
/// [`TokenConfig::max_reset_mails_per_hour`](crate::token::TokenConfig::max_reset_mails_per_hour)
/// per window). Acknowledged mails are kept at least this long.
///
/// ```
/// assert_eq!(dealer_portal::lifecycle::MAIL_RATE_WINDOW, time::Duration::hours(1));
/// ```
pub const MAIL_RATE_WINDOW: Duration = Duration::hours(1);

/// How long acknowledged mails are kept, and how `run_maintenance` batches its deletions.
///
/// Serialized with durations in seconds: `{"acknowledged_mails": 2592000, "batch": 1000}`.
///
/// ```
/// use dealer_portal::lifecycle::RetentionConfig;
/// use time::Duration;
/// let r = RetentionConfig::default();
/// assert_eq!(r.acknowledged_mails, Duration::days(30));
/// assert!(r.validate().is_ok());
/// // Below the mail rate-limit window, the limit would stop counting: refused.
/// let short = RetentionConfig { acknowledged_mails: Duration::minutes(59), ..r };
/// assert_eq!(short.validate().unwrap_err().code(), "INVALID_CONFIG");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// How long an acknowledged mail stays in the outbox after it was queued; 30 days by
    /// default, at least [`MAIL_RATE_WINDOW`], at most 10 years.
    #[serde(with = "seconds")]
    pub acknowledged_mails: Duration,
    /// How many rows one maintenance transaction examines at most (it holds the write lock
    /// meanwhile); 1,000 by default, from 1 to 100,000.
    pub batch: usize,
}

impl RetentionConfig {
    /// The longest retention accepted.
    pub const MAX_RETENTION: Duration = Duration::days(3653);
    /// The largest batch accepted.
    pub const MAX_BATCH: usize = 100_000;

    /// Checks that no rule loses what it counts and that a batch is bounded.
    pub fn validate(&self) -> Result<()> {
        if self.acknowledged_mails < MAIL_RATE_WINDOW
            || self.acknowledged_mails > Self::MAX_RETENTION
        {
            return Err(Error::InvalidConfig {
                reason: format!(
                    "retention.acknowledged_mails is from {} to {} seconds: the mail rate limits \
                     count the mails of the last hour",
                    MAIL_RATE_WINDOW.whole_seconds(),
                    Self::MAX_RETENTION.whole_seconds()
                ),
            });
        }
        if self.batch == 0 || self.batch > Self::MAX_BATCH {
            return Err(Error::InvalidConfig {
                reason: format!("retention.batch is from 1 to {}", Self::MAX_BATCH),
            });
        }
        Ok(())
    }
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            acknowledged_mails: Duration::days(30),
            batch: 1000,
        }
    }
}

/// What one `run_maintenance` removed.
///
/// ```
/// use dealer_portal::lifecycle::MaintenanceReport;
/// let r = MaintenanceReport { notifications_purged: 2, tokens_purged: 1, ..Default::default() };
/// assert_eq!(r.total(), 3);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MaintenanceReport {
    /// Acknowledged mails past their retention.
    pub notifications_purged: u64,
    /// Link tokens used, superseded, revoked or expired.
    pub tokens_purged: u64,
    /// Sessions past their expiry or idle timeout.
    pub sessions_purged: u64,
    /// Write transactions it took (one per batch).
    #[serde(skip)]
    pub batches: u64,
    /// The longest of them, start to commit: how long other writers waited at most.
    #[serde(skip)]
    pub longest_batch: std::time::Duration,
}

impl MaintenanceReport {
    /// Rows removed in all.
    pub fn total(&self) -> u64 {
        self.notifications_purged + self.tokens_purged + self.sessions_purged
    }
}

/// One batch of a purge: how many rows it removed and where the next batch starts (`None`:
/// the purge is done). Positions are the store's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeBatch {
    /// Rows removed.
    pub removed: usize,
    /// Where to resume, or `None` when nothing is left to examine.
    pub next: Option<PurgeCursor>,
}

/// Where a purge resumes: opaque, store-specific (a key or a row id). [`PurgeCursor::START`]
/// starts from the beginning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeCursor(pub Vec<u8>);

impl PurgeCursor {
    /// The beginning.
    pub const START: PurgeCursor = PurgeCursor(Vec::new());
}

/// A link token of the account as the export shows it: never its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkExport {
    /// `password_reset`, `activation` or `email_change`.
    pub purpose: TokenPurpose,
    /// `issued`, `consumed`, `expired`, `revoked` or `superseded`.
    pub state: TokenState,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// When it stops (or stopped) being usable.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// For an email change, the address it confirms.
    pub new_email: Option<Email>,
}

/// A session of the account as the export shows it: its opaque id, never its token or digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionExport {
    /// The opaque id `list_sessions` shows.
    pub id: SessionId,
    /// When it was opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (recorded coarsely).
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// When it ends if not used again.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Opened with "Enregistrer mes identifiants".
    pub remembered: bool,
    /// The establishment it is connected to.
    pub establishment: Option<EstablishmentCode>,
}

/// A mail queued for the account's address as the export shows it: never its link token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationExport {
    /// Its id in the outbox.
    pub id: NotificationId,
    /// What it says.
    pub kind: NotificationKind,
    /// To whom.
    pub email: Email,
    /// The name it greets.
    pub name: String,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When its link stops being usable, if it carries one.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Whether the host has sent it.
    pub acknowledged: bool,
}

/// An audit event about the account (done by it or to it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEventExport {
    /// Its position in the log.
    pub seq: u64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What (`login_failed`, `rights_changed`...).
    pub action: AuditAction,
    /// Who did it, if anyone.
    pub actor: Option<AccountId>,
    /// To whom.
    pub subject: Option<AccountId>,
    /// Which establishments it concerns.
    pub establishments: Vec<EstablishmentCode>,
    /// Its details (never a secret).
    pub details: serde_json::Value,
}

/// The security state of the account, without any hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityExport {
    /// Whether a password is set (its hash is never exported).
    pub password_set: bool,
    /// How many earlier passwords' hashes are kept to refuse their reuse.
    pub previous_passwords_kept: usize,
    /// Failed logins in a row.
    pub failed_logins: u32,
    /// Lockouts since the last success.
    pub lockouts: u32,
    /// Locked until then.
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    /// The language of its mails.
    pub locale: Locale,
    /// Administrator, user or repairer.
    pub role: Role,
}

/// Everything the store holds about one account, as `export_account` gives it (JSON, these
/// field names; `format` is 1 and changes only if a field changes meaning).
///
/// Left out on purpose: tokens, token digests, password hashes, and link tokens of queued
/// mails. `notifications` are the mails queued for the account's current address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountExport {
    /// The document's format version: 1.
    pub format: u32,
    /// When it was produced.
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    /// The profile and the rights on every establishment.
    pub profile: AccountDetail,
    /// Password and lockout state, without hashes.
    pub security: SecurityExport,
    /// Sessions still in the store.
    pub sessions: Vec<SessionExport>,
    /// Reset, activation and email-change links still in the store.
    pub links: Vec<LinkExport>,
    /// Mails queued for the account's address still in the store.
    pub notifications: Vec<NotificationExport>,
    /// Audit events by or about the account, in log order.
    pub audit: Vec<AuditEventExport>,
}

impl AccountExport {
    /// The current format version.
    pub const FORMAT: u32 = 1;

    /// The JSON text.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::storage(format!("cannot write the export: {e}")))
    }
}

mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_refuses_less_than_the_rate_limit_window_and_empty_batches() {
        let ok = RetentionConfig::default();
        assert!(ok.validate().is_ok());
        let at_window = RetentionConfig {
            acknowledged_mails: MAIL_RATE_WINDOW,
            ..ok
        };
        assert!(at_window.validate().is_ok());
        for bad in [
            RetentionConfig {
                acknowledged_mails: MAIL_RATE_WINDOW - Duration::SECOND,
                ..ok
            },
            RetentionConfig {
                acknowledged_mails: Duration::seconds(-5),
                ..ok
            },
            RetentionConfig {
                acknowledged_mails: RetentionConfig::MAX_RETENTION + Duration::SECOND,
                ..ok
            },
            RetentionConfig { batch: 0, ..ok },
            RetentionConfig {
                batch: RetentionConfig::MAX_BATCH + 1,
                ..ok
            },
        ] {
            assert_eq!(bad.validate().unwrap_err().code(), "INVALID_CONFIG");
        }
    }

    #[test]
    fn retention_reads_seconds() {
        let r: RetentionConfig = serde_json::from_str(r#"{"acknowledged_mails": 86400}"#).unwrap();
        assert_eq!(r.acknowledged_mails, Duration::days(1));
        assert_eq!(r.batch, 1000);
        assert!(serde_json::from_str::<RetentionConfig>(r#"{"other": 1}"#).is_err());
    }
}

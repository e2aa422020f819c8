//! A store chosen at run time: what the bindings hold, so one `Portal` type serves every store.

use super::{
    AccountRepo, AttemptRepo, AuditRepo, DocumentRepo, ErasureRepo, MemoryStore, MfaRepo,
    OutboxRepo, SessionRepo, SessionSnapshot, Store, TokenRecord, TokenRepo, Tx,
};
use crate::Result;
use crate::account::{Account, AccountId, AccountPage, AccountQuery};
use crate::audit::{AuditAction, AuditKey, NewAuditEvent, StoredAuditEvent};
use crate::document::{DocumentId, DocumentPage, DocumentQuery, NewDocument};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::period::YearMonth;
use crate::regime::DebitLine;
use crate::rights::{Rights, RightsMatrix};
use crate::session::SessionRecord;
use crate::token::{TokenDigest, TokenPurpose, TokenState};
use crate::totp::TotpRecord;
use time::OffsetDateTime;

/// One of the stores, chosen at run time.
///
/// ```
/// use dealer_portal::store::{AnyStore, Store, AccountRepo};
/// let store = AnyStore::open(":memory:").unwrap();
/// assert!(matches!(store, AnyStore::Memory(_)));
/// assert_eq!(store.write(|tx| tx.next_repairer_code()).unwrap().as_str(), "R000001");
/// ```
#[derive(Debug)]
// One per portal, never moved in a loop: boxing would only add an indirection to every call.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore {
    /// In memory.
    Memory(MemoryStore),
    /// A SQLite file.
    #[cfg(feature = "sqlite")]
    Sqlite(super::SqliteStore),
    /// A PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(super::PostgresStore),
}

impl AnyStore {
    /// Opens a store from a location: `:memory:` for a [`MemoryStore`], a `postgres://` or
    /// `postgresql://` URL for a PostgreSQL database (with the `postgres` feature; migrated if
    /// needed), anything else a SQLite file path (created and migrated if needed).
    pub fn open(location: &str) -> Result<Self> {
        if location == ":memory:" {
            return Ok(AnyStore::Memory(MemoryStore::new()));
        }
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            return Ok(AnyStore::Postgres(super::PostgresStore::connect(location)?));
            #[cfg(not(feature = "postgres"))]
            return Err(crate::Error::InvalidConfig {
                reason: "a PostgreSQL URL, but this build has no PostgreSQL support \
                         (the core's `postgres` feature)"
                    .into(),
            });
        }
        #[cfg(feature = "sqlite")]
        {
            Ok(AnyStore::Sqlite(super::SqliteStore::open(
                location,
                super::SqliteOptions::default(),
            )?))
        }
        #[cfg(not(feature = "sqlite"))]
        Err(crate::Error::InvalidConfig {
            reason: format!("no store for {location:?}: built without the sqlite feature"),
        })
    }
}

/// A transaction of an [`AnyStore`]: the chosen store's transaction behind a trait object.
pub struct DynTx<'a>(&'a mut (dyn Tx + 'a));

impl Store for AnyStore {
    type Tx<'a> = DynTx<'a>;

    fn write<R>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<R>) -> Result<R> {
        match self {
            AnyStore::Memory(s) => s.write(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.write(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.write(|tx| f(&mut DynTx(tx))),
        }
    }

    fn read<R>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<R>) -> Result<R> {
        match self {
            AnyStore::Memory(s) => s.read(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.read(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.read(|tx| f(&mut DynTx(tx))),
        }
    }

    fn write_purge<R>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<R>) -> Result<R> {
        match self {
            AnyStore::Memory(s) => s.write_purge(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.write_purge(|tx| f(&mut DynTx(tx))),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.write_purge(|tx| f(&mut DynTx(tx))),
        }
    }

    fn purge_checkpoint(&self, finished: bool) -> Result<()> {
        match self {
            AnyStore::Memory(s) => s.purge_checkpoint(finished),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.purge_checkpoint(finished),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.purge_checkpoint(finished),
        }
    }

    fn set_audit_key(&self, key: Option<AuditKey>) {
        match self {
            AnyStore::Memory(s) => s.set_audit_key(key),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.set_audit_key(key),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.set_audit_key(key),
        }
    }

    fn session_snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        match self {
            AnyStore::Memory(s) => s.session_snapshot(digest),
            #[cfg(feature = "sqlite")]
            AnyStore::Sqlite(s) => s.session_snapshot(digest),
            #[cfg(feature = "postgres")]
            AnyStore::Postgres(s) => s.session_snapshot(digest),
        }
    }
}

macro_rules! forward {
    ($($trait:ident { $(fn $m:ident(&mut self $(, $a:ident : $t:ty)*) -> $r:ty;)* })*) => {
        $(impl $trait for DynTx<'_> {
            $(fn $m(&mut self $(, $a: $t)*) -> $r { self.0.$m($($a),*) })*
        })*
    };
}

forward! {
    AccountRepo {
        fn put_establishment(&mut self, e: &Establishment) -> Result<()>;
        fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>>;
        fn next_repairer_code(&mut self) -> Result<EstablishmentCode>;
        fn insert_account(&mut self, a: &Account) -> Result<()>;
        fn insert_account_with_rights(&mut self, a: &Account, establishment: &EstablishmentCode, rights: Rights) -> Result<()>;
        fn update_account(&mut self, a: &Account) -> Result<()>;
        fn account(&mut self, id: AccountId) -> Result<Option<Account>>;
        fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>>;
        fn rights(&mut self, id: AccountId) -> Result<RightsMatrix>;
        fn set_rights(&mut self, id: AccountId, establishment: &EstablishmentCode, rights: Rights) -> Result<()>;
        fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize>;
        fn list_accounts(&mut self, scope: &[EstablishmentCode], q: &AccountQuery) -> Result<AccountPage>;
    }
    TokenRepo {
        fn insert_token(&mut self, t: &TokenRecord) -> Result<()>;
        fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>>;
        fn consume_token(&mut self, digest: &TokenDigest, purpose: TokenPurpose, now: OffsetDateTime) -> Result<Option<TokenRecord>>;
        fn end_tokens(&mut self, account: AccountId, purposes: &[TokenPurpose], to: TokenState) -> Result<usize>;
        fn expire_token(&mut self, digest: &TokenDigest) -> Result<()>;
    }
    SessionRepo {
        fn insert_session(&mut self, s: &SessionRecord) -> Result<()>;
        fn session(&mut self, digest: &TokenDigest) -> Result<Option<SessionRecord>>;
        fn touch_session(&mut self, digest: &TokenDigest, last_seen: OffsetDateTime) -> Result<()>;
        fn delete_session(&mut self, digest: &TokenDigest) -> Result<bool>;
        fn delete_sessions(&mut self, account: AccountId) -> Result<usize>;
        fn sessions_of(&mut self, account: AccountId) -> Result<Vec<SessionRecord>>;
        fn set_session_establishment(&mut self, digest: &TokenDigest, establishment: Option<&EstablishmentCode>) -> Result<bool>;
        fn delete_expired_sessions(&mut self, account: AccountId, now: OffsetDateTime) -> Result<usize>;
    }
    OutboxRepo {
        fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId>;
        fn pending(&mut self, limit: usize) -> Result<Vec<Notification>>;
        fn count_queued_since(&mut self, email: &Email, kind: NotificationKind, since: OffsetDateTime) -> Result<usize>;
        fn acknowledge(&mut self, id: NotificationId) -> Result<()>;
    }
    AuditRepo {
        fn append(&mut self, e: &NewAuditEvent) -> Result<u64>;
        fn audit_for(&mut self, establishment: &EstablishmentCode, offset: usize, limit: usize) -> Result<Vec<StoredAuditEvent>>;
        fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>>;
        fn audit_last(&mut self) -> Result<Option<StoredAuditEvent>>;
    }
    ErasureRepo {
        fn erase_account(&mut self, id: AccountId) -> Result<bool>;
    }
    AttemptRepo {
        fn attempts_in_flight(&mut self, account: AccountId, now: OffsetDateTime) -> Result<u32>;
        fn set_attempts_in_flight(&mut self, account: AccountId, n: u32, lease_until: OffsetDateTime) -> Result<()>;
        fn count_actions_since(&mut self, actor: AccountId, action: AuditAction, since: OffsetDateTime) -> Result<usize>;
    }
    MfaRepo {
        fn totp(&mut self, account: AccountId) -> Result<Option<TotpRecord>>;
        fn put_pending_totp(&mut self, r: &TotpRecord) -> Result<bool>;
        fn confirm_totp(&mut self, account: AccountId, step: i64, recovery: &[TokenDigest]) -> Result<bool>;
        fn advance_totp_step(&mut self, account: AccountId, step: i64) -> Result<bool>;
        fn use_recovery_code(&mut self, account: AccountId, digest: &TokenDigest) -> Result<bool>;
        fn recovery_codes_left(&mut self, account: AccountId) -> Result<usize>;
        fn delete_totp(&mut self, account: AccountId) -> Result<bool>;
    }
    DocumentRepo {
        fn insert_document(&mut self, establishment: &EstablishmentCode, d: &NewDocument) -> Result<DocumentId>;
        fn search_documents(&mut self, establishment: &EstablishmentCode, q: &DocumentQuery) -> Result<DocumentPage>;
        fn insert_debit_line(&mut self, establishment: &EstablishmentCode, month: YearMonth, line: &DebitLine) -> Result<()>;
        fn debit_lines(&mut self, establishment: &EstablishmentCode, month: YearMonth) -> Result<Vec<DebitLine>>;
    }
}

/// The lifecycle repository, forwarded apart from the flows' repositories.
mod lifecycle_forward {
    use super::DynTx;
    use crate::Result;
    use crate::account::AccountId;
    use crate::audit::StoredAuditEvent;
    use crate::email::Email;
    use crate::lifecycle::{PurgeBatch, PurgeCursor};
    use crate::notification::Notification;
    use crate::store::{LifecycleRepo, TokenRecord};
    use time::OffsetDateTime;

    forward! {
        LifecycleRepo {
            fn purge_notifications(&mut self, before: OffsetDateTime, from: &PurgeCursor, limit: usize) -> Result<PurgeBatch>;
            fn purge_tokens(&mut self, now: OffsetDateTime, from: &PurgeCursor, limit: usize) -> Result<PurgeBatch>;
            fn purge_sessions(&mut self, now: OffsetDateTime, from: &PurgeCursor, limit: usize) -> Result<PurgeBatch>;
            fn tokens_of(&mut self, account: AccountId) -> Result<Vec<TokenRecord>>;
            fn notifications_to(&mut self, email: &Email) -> Result<Vec<(Notification, bool)>>;
            fn audit_about(&mut self, account: AccountId) -> Result<Vec<StoredAuditEvent>>;
        }
    }
}

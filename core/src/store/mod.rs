//! Storage: the traits every store implements, split by aggregate, and the stores.
//!
//! A service runs its reads and writes inside one [`Store::write`] (or [`Store::read`])
//! transaction: everything the closure did is committed together when it returns `Ok`, and
//! nothing when it returns `Err`. Writers are serialised, which is what makes the atomic rules
//! hold: a token is consumed by a compare-and-set ([`TokenRepo::consume_token`]), an email is
//! unique ([`AccountRepo::insert_account`] answers [`Error::EmailTaken`](crate::Error::EmailTaken)),
//! and an outbox row commits with the change that queued it.
//!
//! The stores keep token digests only, never plaintext tokens or passwords; the one exception is
//! a queued notification's link token, which the host needs to send the mail and which is erased
//! when the notification is acknowledged, or as soon as its token is no longer usable (consumed,
//! superseded, revoked, expired): [`TokenRepo`] erases it in the same transaction.
//!
//! Every store passes the same conformance suite (`core/tests/conformance.rs`).

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
use crate::token::{TokenDigest, TokenLifecycle, TokenPurpose, TokenState};
use time::OffsetDateTime;

mod any;
mod lifecycle;
mod memory;
mod mfa;
pub use mfa::MfaRepo;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod row;
pub use any::{AnyStore, DynTx};
pub use lifecycle::LifecycleRepo;
pub use memory::{MemoryStore, MemoryTx};
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore, SqliteTx, Synchronous};
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use self::postgres::{PostgresOptions, PostgresStore, PostgresTx};

/// A store: opens transactions over every aggregate.
pub trait Store: Send + Sync {
    /// A transaction's handle.
    type Tx<'a>: Tx
    where
        Self: 'a;

    /// Runs `f` in a read-write transaction, committed if it returns `Ok`, rolled back if `Err`.
    /// Write transactions are serialised.
    fn write<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R>;

    /// Runs `f` over a consistent snapshot; writes inside it fail.
    fn read<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R>;

    /// One batch of a maintenance purge (`Portal::run_maintenance`): a write transaction like
    /// [`write`](Self::write), whose commit a store may make cheaper than other writes'. Losing
    /// a purge batch to a crash changes no answer (the rows it removed are ones no flow
    /// distinguishes from absent ones) and the next run removes them again, so a store may
    /// commit it without waiting for the disk, provided a crash can never corrupt the store.
    /// By default, [`write`](Self::write).
    ///
    /// ```
    /// use dealer_portal::store::{AccountRepo, MemoryStore, Store};
    /// let store = MemoryStore::new();
    /// let code = store.write_purge(|tx| tx.next_repairer_code())?;
    /// assert_eq!(code.as_str(), "R000001");
    /// store.purge_checkpoint(true)?;
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    fn write_purge<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R> {
        self.write(f)
    }

    /// Called by a maintenance run outside any transaction: between its batches
    /// (`finished == false`), and once after its last one (`finished == true`, also when a
    /// batch failed). A store that commits [`write_purge`](Self::write_purge) batches lazily
    /// makes them durable here (at the latest when `finished`), and erases any trace of the
    /// removed rows it still holds (a log of old page images). By default, nothing.
    ///
    /// ```
    /// use dealer_portal::store::{MemoryStore, Store};
    /// MemoryStore::new().purge_checkpoint(true)?;
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    fn purge_checkpoint(&self, finished: bool) -> Result<()> {
        let _ = finished;
        Ok(())
    }

    /// The key [`AuditRepo::append`] chains new events with (HMAC-SHA-256), or `None` for plain
    /// SHA-256. Held in memory only, never written to the store; the portal sets it from its
    /// configuration when it opens.
    fn set_audit_key(&self, key: Option<AuditKey>);

    /// The session with this digest, its account and the account's rights, read together:
    /// what checking a session on every request needs. The default reads them in one
    /// [`read`](Self::read) transaction; a store may do it in fewer round trips (PostgreSQL:
    /// one statement).
    fn session_snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        self.read(|tx| {
            let Some(session) = tx.session(digest)? else {
                return Ok(None);
            };
            let Some(account) = tx.account(session.account)? else {
                return Ok(None);
            };
            let rights = tx.rights(account.id)?;
            let mfa_enrolled = tx.totp(account.id)?.is_some_and(|t| t.confirmed);
            Ok(Some(SessionSnapshot {
                session,
                account,
                rights,
                mfa_enrolled,
            }))
        })
    }
}

/// A session with its account and the account's rights, as [`Store::session_snapshot`] reads
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSnapshot {
    /// The session.
    pub session: SessionRecord,
    /// Its account.
    pub account: Account,
    /// The account's rights on every establishment.
    pub rights: RightsMatrix,
    /// Whether the account has a confirmed second factor.
    pub mfa_enrolled: bool,
}

impl<S: Store + 'static> Store for std::sync::Arc<S> {
    type Tx<'a>
        = S::Tx<'a>
    where
        Self: 'a;
    fn write<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R> {
        (**self).write(f)
    }
    fn read<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R> {
        (**self).read(f)
    }
    fn write_purge<R>(&self, f: impl FnOnce(&mut Self::Tx<'_>) -> Result<R>) -> Result<R> {
        (**self).write_purge(f)
    }
    fn purge_checkpoint(&self, finished: bool) -> Result<()> {
        (**self).purge_checkpoint(finished)
    }
    fn set_audit_key(&self, key: Option<AuditKey>) {
        (**self).set_audit_key(key)
    }
    fn session_snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        (**self).session_snapshot(digest)
    }
}

/// Everything a transaction can do.
pub trait Tx:
    AccountRepo
    + TokenRepo
    + SessionRepo
    + OutboxRepo
    + AuditRepo
    + DocumentRepo
    + LifecycleRepo
    + ErasureRepo
    + AttemptRepo
    + MfaRepo
{
}
impl<
    T: AccountRepo
        + TokenRepo
        + SessionRepo
        + OutboxRepo
        + AuditRepo
        + DocumentRepo
        + LifecycleRepo
        + ErasureRepo
        + AttemptRepo
        + MfaRepo,
> Tx for T
{
}

/// A token as stored: its digest, its account, its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// SHA-256 of the token.
    pub digest: TokenDigest,
    /// Whose.
    pub account: AccountId,
    /// Purpose, times and state.
    pub lifecycle: TokenLifecycle,
    /// For an email-change link, the new address it confirms; `None` for other purposes.
    pub email: Option<Email>,
}

/// Establishments, accounts and the rights matrix.
pub trait AccountRepo {
    /// Inserts an establishment, or updates its name, city and regime.
    fn put_establishment(&mut self, e: &Establishment) -> Result<()>;
    /// The establishment with this code.
    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>>;
    /// The next code for a self-registered repairer (`R000001`, `R000002`...).
    fn next_repairer_code(&mut self) -> Result<EstablishmentCode>;
    /// Inserts an account; [`Error::EmailTaken`](crate::Error::EmailTaken) if its email is.
    fn insert_account(&mut self, a: &Account) -> Result<()>;
    /// Inserts a new account holding `rights` (not empty) on one establishment: what creating a
    /// user writes. The same as [`insert_account`](Self::insert_account) then
    /// [`set_rights`](Self::set_rights), which is the default; a store may do it in fewer steps
    /// (the SQLite store writes the rights row from the account in hand, without reading it
    /// back).
    fn insert_account_with_rights(
        &mut self,
        a: &Account,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.insert_account(a)?;
        self.set_rights(a.id, establishment, rights)
    }
    /// Replaces an account's row; `UnknownAccount` if absent, `EmailTaken` if its new email is.
    fn update_account(&mut self, a: &Account) -> Result<()>;
    /// The account with this id.
    fn account(&mut self, id: AccountId) -> Result<Option<Account>>;
    /// The account with this email.
    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>>;
    /// The account's rights on every establishment.
    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix>;
    /// Sets the account's rights on one establishment (empty removes them).
    fn set_rights(
        &mut self,
        id: AccountId,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()>;
    /// How many active accounts hold `ManageAccounts` on the establishment.
    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize>;
    /// Accounts holding rights on any establishment of `scope`, filtered, sorted by
    /// [`crate::names::sort_key`], paginated. `AccountSummary::establishments` lists only codes
    /// in `scope`.
    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage>;
}

/// Reset, activation and email-change tokens.
///
/// A token that leaves [`TokenState::Issued`] takes its link with it: the pending notification
/// that carries its plaintext (matched by digest) keeps its row, as the mail may still be sent,
/// but its `token` becomes `None` in the same transaction.
pub trait TokenRepo {
    /// Inserts a token.
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()>;
    /// The token with this digest.
    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>>;
    /// Compare-and-set: if the token exists, has this purpose, is `Issued` and `now` is before
    /// its expiry, marks it `Consumed` and returns it; otherwise returns `None` and changes
    /// nothing. Of two concurrent calls on one token, exactly one gets `Some`. A consumed token's
    /// link is erased from pending notifications (see [`TokenRepo`]).
    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>>;
    /// Moves every `Issued` token of the account with one of `purposes` to `to` (revoked or
    /// superseded) and erases their links from pending notifications. Returns how many.
    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize>;
    /// Marks one token expired (when it was seen past its expiry), erasing its link.
    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()>;
}

/// Login sessions.
pub trait SessionRepo {
    /// Inserts a session.
    fn insert_session(&mut self, s: &SessionRecord) -> Result<()>;
    /// The session with this digest.
    fn session(&mut self, digest: &TokenDigest) -> Result<Option<SessionRecord>>;
    /// Records the session's last use.
    fn touch_session(&mut self, digest: &TokenDigest, last_seen: OffsetDateTime) -> Result<()>;
    /// Deletes a session; whether it existed.
    fn delete_session(&mut self, digest: &TokenDigest) -> Result<bool>;
    /// Deletes every session of the account; how many.
    fn delete_sessions(&mut self, account: AccountId) -> Result<usize>;
    /// Every session of the account still in the store, oldest first (by `created_at`, then
    /// digest).
    fn sessions_of(&mut self, account: AccountId) -> Result<Vec<SessionRecord>>;
    /// Connects the session to another establishment (or none); whether the session exists.
    fn set_session_establishment(
        &mut self,
        digest: &TokenDigest,
        establishment: Option<&EstablishmentCode>,
    ) -> Result<bool>;
    /// Deletes the account's sessions that have ended at `now` (past their absolute expiry, or
    /// idle since `last_seen + idle`); how many.
    fn delete_expired_sessions(&mut self, account: AccountId, now: OffsetDateTime)
    -> Result<usize>;
}

/// The notification outbox.
pub trait OutboxRepo {
    /// Queues a notification.
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId>;
    /// Pending (unacknowledged) notifications, oldest first, at most `limit`.
    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>>;
    /// How many notifications of this kind were queued for this email at or after `since`,
    /// acknowledged or not (rate limits count mails, not tokens).
    fn count_queued_since(
        &mut self,
        email: &Email,
        kind: NotificationKind,
        since: OffsetDateTime,
    ) -> Result<usize>;
    /// Marks a pending notification sent and erases its token;
    /// [`Error::UnknownNotification`](crate::Error::UnknownNotification) if it is not pending.
    fn acknowledge(&mut self, id: NotificationId) -> Result<()>;
}

/// The audit log.
pub trait AuditRepo {
    /// Appends an event, chaining its hash to the last one; returns its position.
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64>;
    /// Events concerning the establishment, newest first.
    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>>;
    /// The whole log in order, for verification.
    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>>;
    /// The last event, if any: the chain's head.
    fn audit_last(&mut self) -> Result<Option<StoredAuditEvent>>;
}

/// Erasing a person (the right to erasure).
pub trait ErasureRepo {
    /// Deletes the account and everything personal the store holds about it: its row (email,
    /// names, phones, function, password hash and history), its rights, sessions and tokens,
    /// and every mail queued to its email or to an address one of its email-change links
    /// named, pending or sent. Its audit events stay (they name it by id only). Whether the
    /// account existed. A store that keeps deleted bytes (SQLite's WAL) wipes them as it does
    /// an acknowledged link.
    fn erase_account(&mut self, id: AccountId) -> Result<bool>;
}

/// What the lockout and the rate limits count: the password checks of an account under way,
/// and an actor's audited answers of one kind.
///
/// A password check is *reserved* in a write transaction before argon2 runs and *settled* in
/// another after it: the reservations in flight count toward the lockout's budget, so however
/// many servers check one account at once, no more than `max_failures` checks are spent before
/// the lock (see `Account::reserve_attempt`). Reservations lapse at their expiry, so a server
/// that dies between the two transactions does not hold the budget for ever.
pub trait AttemptRepo {
    /// How many password checks of the account are reserved and not settled; 0 once their
    /// lease (see [`set_attempts_in_flight`](Self::set_attempts_in_flight)) has passed at `now`.
    fn attempts_in_flight(&mut self, account: AccountId, now: OffsetDateTime) -> Result<u32>;
    /// Records `n` checks of the account in flight, all lapsing at `lease_until` (0 forgets them).
    fn set_attempts_in_flight(
        &mut self,
        account: AccountId,
        n: u32,
        lease_until: OffsetDateTime,
    ) -> Result<()>;
    /// How many audit events of `action` by `actor` were recorded at or after `since` (the
    /// stores answer from an index on the audit log by actor, action and time).
    fn count_actions_since(
        &mut self,
        actor: AccountId,
        action: AuditAction,
        since: OffsetDateTime,
    ) -> Result<usize>;
}

/// Documents and debit lines.
pub trait DocumentRepo {
    /// Inserts a document of the establishment.
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId>;
    /// The establishment's documents matching the query, newest first, with the total.
    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage>;
    /// Records a direct-debit line of the establishment for a month.
    fn insert_debit_line(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()>;
    /// The establishment's debit lines for a month, in insertion order.
    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>>;
}

//! The portal's flows: every rule of the spec, over any [`Store`].
//!
//! [`Portal`] is generic over the store and the clock. Expensive work (argon2) is always done
//! outside the store's write transaction, so a slow hash never holds the write lock; what must
//! be atomic (consuming a token, unique emails, queuing a mail with the change it announces) is
//! done inside one transaction.

use crate::account::{
    Account, AccountId, AccountPage, AccountQuery, AccountState, Declaration, NewUser, Role,
};
use crate::audit::{AuditAction, AuditEvent, NewAuditEvent, verify_chain};
use crate::clock::{Clock, SystemClock};
use crate::document::{DocumentId, DocumentPage, DocumentQuery, NewDocument};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::locale::{Coded, Locale};
use crate::names::PersonName;
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::password::{
    Evaluation, HashParams, Identity, PasswordHash, PasswordHasher, PasswordPolicy,
};
use crate::period::YearMonth;
use crate::regime::{DebitLine, Reconciliation, reconcile};
use crate::rights::{self, DisableScope, Right, Rights, RightsMatrix};
use crate::secret::SecretString;
use crate::session::{Session, SessionRecord};
use crate::store::{
    AccountRepo, AuditRepo, DocumentRepo, MemoryStore, OutboxRepo, SessionRepo, Store, TokenRecord,
    TokenRepo, Tx,
};
use crate::token::{
    TokenConfig, TokenDigest, TokenLifecycle, TokenPurpose, TokenSecret, TokenState,
};
use crate::{Error, Result};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Lockout after repeated failed logins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    /// Failures in a row that lock the account (5).
    pub max_failures: u32,
    /// First lock's length (15 minutes); each further lock doubles it.
    #[serde(with = "secs")]
    pub base: Duration,
    /// Longest lock (24 hours).
    #[serde(with = "secs")]
    pub max: Duration,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig {
            max_failures: 5,
            base: Duration::minutes(15),
            max: Duration::hours(24),
        }
    }
}

impl LockoutConfig {
    /// How long the `n`th lock in a row lasts (n from 1): base × 2^(n-1), at most `max`.
    ///
    /// ```
    /// use dealer_portal::service::LockoutConfig;
    /// use time::Duration;
    /// let c = LockoutConfig::default();
    /// assert_eq!(c.lock_for(1), Duration::minutes(15));
    /// assert_eq!(c.lock_for(3), Duration::minutes(60));
    /// assert_eq!(c.lock_for(40), Duration::hours(24));
    /// ```
    pub fn lock_for(&self, n: u32) -> Duration {
        let factor = 1i32
            .checked_shl(n.saturating_sub(1).min(30))
            .unwrap_or(i32::MAX);
        self.base
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

fn pepper<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<String>::deserialize(d)?
        .filter(|p| !p.is_empty())
        .map(SecretString::from))
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
    }
}

/// Everything configurable about a portal. `Default` is the seed's portal with OWASP's argon2
/// parameters.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The password policy.
    pub policy: PasswordPolicy,
    /// argon2id parameters for new hashes.
    pub hash: HashParams,
    /// An optional server-side pepper (argon2's secret input). Changing it invalidates every
    /// password. Read from a config (so hosts and bindings can pass it), never written out.
    #[serde(skip_serializing, deserialize_with = "pepper")]
    pub pepper: Option<SecretString>,
    /// Token lifetimes and mail rate limit.
    pub tokens: TokenConfig,
    /// Lockout after failed logins.
    pub lockout: LockoutConfig,
    /// Language of the mails.
    pub locale: Locale,
    /// The least time (milliseconds) an anonymous request takes — "Mot de passe oublié" and a
    /// repairer's registration — whether or not the email has an account: the known path does
    /// more writes than the unknown one, and the difference alone would tell who has an
    /// account. 10 ms by default, above either path on an ordinary disk; 0 turns it off.
    pub anonymous_response_floor_ms: u64,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            policy: PasswordPolicy::default(),
            hash: HashParams::default(),
            pepper: None,
            tokens: TokenConfig::default(),
            lockout: LockoutConfig::default(),
            locale: Locale::default(),
            anonymous_response_floor_ms: 10,
        }
    }
}

impl PortalConfig {
    /// Checks every part.
    pub fn validate(&self) -> Result<()> {
        self.policy.validate_config()?;
        self.hash.validate()?;
        self.tokens.validate()?;
        if self.anonymous_response_floor_ms > 10_000 {
            return Err(Error::InvalidConfig {
                reason: "anonymous_response_floor_ms is at most 10000".into(),
            });
        }
        if self.lockout.max_failures == 0
            || self.lockout.base <= Duration::ZERO
            || self.lockout.max < self.lockout.base
        {
            return Err(Error::InvalidConfig {
                reason: "lockout needs max_failures >= 1 and 0 < base <= max".into(),
            });
        }
        Ok(())
    }

    /// Cheap argon2 parameters and no response floor, for tests and examples only.
    pub fn for_tests() -> Self {
        PortalConfig {
            hash: HashParams::testing(),
            anonymous_response_floor_ms: 0,
            ..PortalConfig::default()
        }
    }
}

/// What [`Portal::inspect_token`] says of a link: the form page shows itself or "link expired".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenStatus {
    /// Whether the link can still be used.
    pub usable: bool,
    /// Its purpose, when the token is known.
    pub kind: Option<TokenPurpose>,
    /// When it expires, when usable.
    pub expires_at: Option<OffsetDateTime>,
}

/// The authenticated person behind a session, with their rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their account.
    pub account: Account,
    /// Their rights.
    pub rights: RightsMatrix,
}

/// What a user creation checks about its actor, read once per transaction: the actor's rights
/// (read inside the transaction, so they are the ones the write commits against) and the
/// establishments already found to exist.
struct Grantor {
    rights: RightsMatrix,
    known: Vec<EstablishmentCode>,
}

impl Grantor {
    fn new<T: Tx + ?Sized>(tx: &mut T, actor: &Actor) -> Result<Self> {
        Ok(Grantor {
            rights: tx.rights(actor.account.id)?,
            known: Vec::new(),
        })
    }

    /// The establishment exists ([`Error::UnknownEstablishment`]) and the actor may grant
    /// `rights` there ([`rights::check_grant`]).
    fn check<T: Tx + ?Sized>(
        &mut self,
        tx: &mut T,
        code: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        if !self.known.contains(code) {
            if tx.establishment(code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            self.known.push(code.clone());
        }
        rights::check_grant(&self.rights, code, rights)
    }
}

/// One row of a bulk import.
#[derive(Debug, Clone)]
pub struct UserImport {
    /// Where the user gets rights.
    pub establishment: EstablishmentCode,
    /// Who.
    pub user: NewUser,
    /// Which rights.
    pub rights: Rights,
}

/// The portal over a store `S` and a clock `C`.
///
/// ```
/// use dealer_portal::service::{Portal, PortalConfig};
/// use dealer_portal::account::Declaration;
/// use dealer_portal::establishment::Establishment;
/// use dealer_portal::regime::Regime;
///
/// let portal = Portal::in_memory(PortalConfig::for_tests()).unwrap();
/// let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap();
/// let decl = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant").unwrap();
/// let admin = portal.declare_administrator(&decl, &[garage]).unwrap();
/// portal.request_password_reset("admin@garage-xyz.fr").unwrap();
/// let mail = portal.pending_notifications().unwrap().pop().unwrap();
/// let token = mail.body.token.clone().unwrap();
/// portal.complete_password_reset(token.expose(), "admin@garage-xyz.fr",
///     "Garage-XYZ-2026!", "Garage-XYZ-2026!").unwrap();
/// let session = portal.login("admin@garage-xyz.fr", "Garage-XYZ-2026!", false).unwrap();
/// assert_eq!(session.account_id, admin);
/// ```
pub struct Portal<S, C = SystemClock> {
    store: S,
    clock: C,
    config: PortalConfig,
    hasher: PasswordHasher,
}

impl<S, C> std::fmt::Debug for Portal<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Portal<MemoryStore> {
    /// A portal over a fresh [`MemoryStore`] and the system clock.
    pub fn in_memory(config: PortalConfig) -> Result<Self> {
        Portal::new(MemoryStore::new(), SystemClock, config)
    }
}

impl Portal<crate::store::AnyStore> {
    /// A portal over the store at `location` (see [`crate::store::AnyStore::open`]): what the
    /// bindings open.
    pub fn open_any(location: &str, config: PortalConfig) -> Result<Self> {
        Portal::new(crate::store::AnyStore::open(location)?, SystemClock, config)
    }
}

#[cfg(feature = "sqlite")]
impl Portal<crate::store::SqliteStore> {
    /// A portal over a SQLite file, created and migrated if needed.
    pub fn open(path: impl AsRef<std::path::Path>, config: PortalConfig) -> Result<Self> {
        let store = crate::store::SqliteStore::open(path, crate::store::SqliteOptions::default())?;
        Portal::new(store, SystemClock, config)
    }
}

/// The establishments where the account holds rights (who may read its audit events).
fn establishments_of<T: AccountRepo + ?Sized>(
    tx: &mut T,
    id: AccountId,
) -> Result<Vec<EstablishmentCode>> {
    Ok(tx.rights(id)?.establishments().cloned().collect())
}

fn identity_names(a: &Account) -> [&str; 2] {
    [a.last_name.as_str(), a.first_name.as_str()]
}

impl<S: Store, C: Clock> Portal<S, C> {
    /// A portal over `store`, reading time from `clock`.
    pub fn new(store: S, clock: C, config: PortalConfig) -> Result<Self> {
        config.validate()?;
        let hasher = match &config.pepper {
            Some(p) => PasswordHasher::with_pepper(config.hash, p.clone()),
            None => PasswordHasher::new(config.hash),
        };
        Ok(Portal {
            store,
            clock,
            config,
            hasher,
        })
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &PortalConfig {
        &self.config
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Evaluates a candidate password against the portal's policy, criterion by criterion;
    /// pure and cheap, for live feedback at every keystroke.
    pub fn evaluate_password(&self, candidate: &str, confirmation: Option<&str>) -> Evaluation {
        self.config.policy.evaluate(candidate, confirmation)
    }

    // ----- establishments and the administrator (seed §1) -----

    /// Records (or updates) an establishment.
    pub fn add_establishment(&self, e: &Establishment) -> Result<()> {
        self.store.write(|tx| tx.put_establishment(e))
    }

    /// Records the administrator declared via the manager's extranet as `Declared`, holding all
    /// six rights on `establishments` (which are recorded too). Declaring again adds
    /// establishments to the same account; it never duplicates it.
    pub fn declare_administrator(
        &self,
        decl: &Declaration,
        establishments: &[Establishment],
    ) -> Result<AccountId> {
        if establishments.is_empty() {
            return Err(Error::InvalidInput {
                field: "establishments",
                reason: "declare at least one establishment".into(),
            });
        }
        let now = self.now();
        self.store.write(|tx| {
            for e in establishments {
                tx.put_establishment(e)?;
            }
            let (id, new) = match tx.account_by_email(&decl.email)? {
                Some(a) => (a.id, false),
                None => {
                    let mut a = Account::new(
                        decl.email.clone(),
                        decl.last_name.clone(),
                        decl.first_name.clone(),
                        Role::Administrator,
                        AccountState::Declared,
                        self.config.locale,
                        now,
                    );
                    a.function = decl.function.clone();
                    tx.insert_account(&a)?;
                    (a.id, true)
                }
            };
            for e in establishments {
                tx.set_rights(id, &e.code, Rights::all())?;
            }
            tx.append(
                &NewAuditEvent::new(now, AuditAction::AdministratorDeclared)
                    .on(id)
                    .at_establishments(establishments.iter().map(|e| e.code.clone()))
                    .with(json!({ "new_account": new })),
            )?;
            Ok(id)
        })
    }

    // ----- password reset ("Mot de passe oublié") -----

    /// "Mot de passe oublié": always answers `Ok(())` for a well-formed email, known or not, in
    /// the same time (each path does one write transaction, and the answer waits for
    /// [`PortalConfig::anonymous_response_floor_ms`]), so it reveals nothing.
    /// A `Declared` or `Active` account gets a reset link; an `Invited` one its activation link
    /// again; unknown or `Disabled` emails nothing. At most
    /// [`TokenConfig::max_reset_mails_per_hour`] mails per account per hour.
    pub fn request_password_reset(&self, email: &str) -> Result<()> {
        let email = Email::parse(email)?;
        let started = std::time::Instant::now();
        let answer = self.request_password_reset_now(&email);
        self.pad_anonymous(started);
        answer
    }

    /// Waits until an anonymous request has taken the configured floor.
    fn pad_anonymous(&self, started: std::time::Instant) {
        let floor = std::time::Duration::from_millis(self.config.anonymous_response_floor_ms);
        if let Some(rest) = floor.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }

    fn request_password_reset_now(&self, email: &Email) -> Result<()> {
        let email = email.clone();
        let now = self.now();
        // Generated on every path, so the known and unknown paths cost the same.
        let secret = TokenSecret::generate();
        self.store.write(|tx| {
            let account = tx.account_by_email(&email)?;
            let ignored = |tx: &mut S::Tx<'_>, reason: &str, subject: Option<AccountId>| {
                let mut e = NewAuditEvent::new(now, AuditAction::ResetRequestIgnored)
                    .with(json!({ "reason": reason }));
                e.subject = subject;
                tx.append(&e).map(|_| ())
            };
            let Some(a) = account else {
                return ignored(tx, "unknown_email", None);
            };
            let (purpose, kind) = match a.state {
                AccountState::Declared | AccountState::Active => {
                    (TokenPurpose::PasswordReset, NotificationKind::PasswordReset)
                }
                AccountState::Invited => (TokenPurpose::Activation, NotificationKind::Activation),
                AccountState::Disabled => return ignored(tx, "disabled", Some(a.id)),
            };
            if self.rate_limited(tx, &a.email, now)? {
                return ignored(tx, "rate_limited", Some(a.id));
            }
            let establishments = establishments_of(tx, a.id)?;
            self.issue_link(tx, &a, purpose, kind, secret, now)?;
            let action = if purpose == TokenPurpose::Activation {
                AuditAction::ActivationSent
            } else {
                AuditAction::ResetRequested
            };
            tx.append(
                &NewAuditEvent::new(now, action)
                    .on(a.id)
                    .at_establishments(establishments),
            )?;
            Ok(())
        })
    }

    fn rate_limited(&self, tx: &mut S::Tx<'_>, email: &Email, now: OffsetDateTime) -> Result<bool> {
        let since = now - Duration::hours(1);
        let sent = tx.count_queued_since(email, NotificationKind::PasswordReset, since)?
            + tx.count_queued_since(email, NotificationKind::Activation, since)?;
        Ok(sent >= self.config.tokens.max_reset_mails_per_hour as usize)
    }

    /// Supersedes the account's live token of this purpose, issues a new one, queues its mail.
    fn issue_link(
        &self,
        tx: &mut S::Tx<'_>,
        a: &Account,
        purpose: TokenPurpose,
        kind: NotificationKind,
        secret: TokenSecret,
        now: OffsetDateTime,
    ) -> Result<()> {
        tx.end_tokens(a.id, &[purpose], TokenState::Superseded)?;
        self.queue_link(tx, a, purpose, kind, secret, now)
    }

    /// Issues a link token to an account that has no live one of this purpose, queues its mail.
    fn queue_link(
        &self,
        tx: &mut S::Tx<'_>,
        a: &Account,
        purpose: TokenPurpose,
        kind: NotificationKind,
        secret: TokenSecret,
        now: OffsetDateTime,
    ) -> Result<()> {
        let lifecycle = TokenLifecycle::issue(purpose, now, self.config.tokens.ttl(purpose));
        let expires_at = lifecycle.expires_at;
        tx.insert_token(&TokenRecord {
            digest: secret.digest(),
            account: a.id,
            lifecycle,
        })?;
        tx.queue(
            &NewNotification {
                kind,
                email: a.email.clone(),
                name: a.display_name(),
                token: Some(SecretString::from(secret.expose())),
                expires_at: Some(expires_at),
                locale: a.locale,
            },
            now,
        )?;
        Ok(())
    }

    /// Says whether a reset or activation link can still be used, without consuming it (mail
    /// scanners open links). A malformed or unknown token is simply not usable.
    pub fn inspect_token(&self, token: &str) -> Result<TokenStatus> {
        let unusable = TokenStatus {
            usable: false,
            kind: None,
            expires_at: None,
        };
        let Ok(secret) = TokenSecret::parse(token) else {
            return Ok(unusable);
        };
        let now = self.now();
        let rec = self.store.read(|tx| tx.token(&secret.digest()))?;
        if let Some(r) = &rec
            && r.lifecycle.purpose != TokenPurpose::Session
            && r.lifecycle.state == TokenState::Issued
            && r.lifecycle.effective_state(now) == TokenState::Expired
        {
            // Shown as expired: record it, so a clock going back cannot revive the link.
            self.store.write(|tx| tx.expire_token(&r.digest))?;
        }
        Ok(match rec {
            Some(r) if r.lifecycle.purpose != TokenPurpose::Session => TokenStatus {
                usable: r.lifecycle.is_usable(now),
                kind: Some(r.lifecycle.purpose),
                expires_at: r.lifecycle.is_usable(now).then_some(r.lifecycle.expires_at),
            },
            _ => unusable,
        })
    }

    /// The reset form: the email typed again and the new password twice. The email must be the
    /// token's account's; the password must pass the policy and differ from the history; then
    /// the token is consumed, every other link and every session of the account is revoked, a
    /// lockout is lifted, and a `Declared` account becomes `Active`.
    pub fn complete_password_reset(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        self.redeem(
            token,
            email,
            password,
            confirmation,
            TokenPurpose::PasswordReset,
        )
    }

    /// The activation form ("Première connexion"): same checks as the reset; an `Invited`
    /// account becomes `Active`.
    pub fn activate_account(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        self.redeem(
            token,
            email,
            password,
            confirmation,
            TokenPurpose::Activation,
        )
    }

    fn reject_token(
        &self,
        digest: TokenDigest,
        reason: &'static str,
        subject: Option<AccountId>,
        expire: bool,
    ) -> Error {
        let now = self.now();
        let logged = self.store.write(|tx| {
            if expire {
                tx.expire_token(&digest)?;
            }
            let mut e = NewAuditEvent::new(now, AuditAction::TokenRejected)
                .with(json!({ "reason": reason }));
            e.subject = subject;
            tx.append(&e)
        });
        match logged {
            Ok(_) => Error::TokenInvalid,
            Err(e) => e,
        }
    }

    fn redeem(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
        purpose: TokenPurpose,
    ) -> Result<()> {
        let secret = TokenSecret::parse(token).map_err(|_| Error::TokenInvalid)?;
        let digest = secret.digest();
        let now = self.now();
        let found = self.store.read(|tx| match tx.token(&digest)? {
            Some(r) => Ok(Some((tx.account(r.account)?, r))),
            None => Ok(None),
        })?;
        let Some((Some(account), rec)) = found else {
            return Err(self.reject_token(digest, "unknown", None, false));
        };
        if rec.lifecycle.purpose != purpose {
            return Err(self.reject_token(digest, "wrong_purpose", Some(account.id), false));
        }
        if !rec.lifecycle.is_usable(now) {
            let state = rec.lifecycle.effective_state(now);
            return Err(self.reject_token(
                digest,
                state.code(),
                Some(account.id),
                state == TokenState::Expired,
            ));
        }
        if Email::parse(email).ok().as_ref() != Some(&account.email) {
            return Err(Error::EmailMismatch);
        }
        let hash = self.new_password_hash(&account, password, confirmation)?;
        let keep = self.config.policy.history;
        self.store.write(|tx| {
            if tx.consume_token(&digest, purpose, now)?.is_none() {
                return Err(Error::TokenInvalid);
            }
            let mut a = tx.account(account.id)?.ok_or(Error::TokenInvalid)?;
            let action = match (purpose, a.state) {
                (TokenPurpose::PasswordReset, AccountState::Declared | AccountState::Active) => {
                    AuditAction::ResetCompleted
                }
                (TokenPurpose::Activation, AccountState::Invited) => AuditAction::AccountActivated,
                _ => return Err(Error::TokenInvalid),
            };
            a.set_password(hash, keep);
            a.state = AccountState::Active;
            a.failed_logins = 0;
            a.lockouts = 0;
            a.locked_until = None;
            Self::save_new_password(tx, &a, action, now)
        })
    }

    /// Saves an account whose password just changed, with what the spec ties to any change of
    /// password: every reset and activation link and every session of the account end; then
    /// the change is audited.
    fn save_new_password(
        tx: &mut S::Tx<'_>,
        a: &Account,
        action: AuditAction,
        now: OffsetDateTime,
    ) -> Result<()> {
        tx.update_account(a)?;
        tx.end_tokens(
            a.id,
            &[TokenPurpose::PasswordReset, TokenPurpose::Activation],
            TokenState::Revoked,
        )?;
        tx.delete_sessions(a.id)?;
        let establishments = establishments_of(tx, a.id)?;
        tx.append(
            &NewAuditEvent::new(now, action)
                .by(a.id)
                .on(a.id)
                .at_establishments(establishments),
        )?;
        Ok(())
    }

    /// The hash of a new password for `account`: the policy (with the account's email and names
    /// as identity), then the history, then argon2 — in that order, so the cheap checks answer
    /// first. Runs outside any store transaction.
    fn new_password_hash(
        &self,
        account: &Account,
        password: &str,
        confirmation: &str,
    ) -> Result<PasswordHash> {
        let names = identity_names(account);
        let identity = Identity {
            email: Some(account.email.as_str()),
            names: &names,
        };
        let normalized = self
            .config
            .policy
            .check(password, confirmation, &identity)?;
        self.check_history(&normalized, account)?;
        self.hasher.hash(&normalized)
    }

    fn check_history(&self, normalized: &SecretString, account: &Account) -> Result<()> {
        let history = account.password_history();
        let n = (self.config.policy.history + 1).min(history.len());
        if self.config.policy.history > 0 && self.hasher.matches_any(normalized, &history[..n]) {
            return Err(Error::PasswordReused);
        }
        Ok(())
    }

    // ----- login and sessions -----

    /// Logs in. Unknown email, wrong password, an account not active, a locked account: all
    /// answer [`Error::InvalidCredentials`], in about the same time (a dummy argon2 run for
    /// unknown emails). After `lockout.max_failures` failures in a row the account is locked
    /// for `lockout.base`, doubling at each further lock; its owner gets a mail. A hash made
    /// with older parameters is re-hashed.
    pub fn login(&self, email: &str, password: &str, remember: bool) -> Result<Session> {
        let normalized = crate::password::normalize(password);
        let now = self.now();
        let account = match Email::parse(email) {
            Ok(e) => self.store.read(|tx| tx.account_by_email(&e))?,
            Err(_) => None,
        };
        let Some(account) = account else {
            self.hasher.dummy_verify(&normalized);
            self.store.write(|tx| {
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::LoginFailed)
                        .with(json!({ "reason": "unknown_email" })),
                )
            })?;
            return Err(Error::InvalidCredentials);
        };
        let verified = match &account.password {
            Some(h) => self.hasher.verify(&normalized, h),
            None => {
                self.hasher.dummy_verify(&normalized);
                false
            }
        };
        let locked = account.is_locked(now);
        let active = account.state == AccountState::Active;
        if !(verified && active && !locked) {
            let reason = if locked {
                "locked"
            } else if !active {
                account.state.code()
            } else {
                "wrong_password"
            };
            self.store.write(|tx| {
                let Some(mut a) = tx.account(account.id)? else {
                    return Ok(());
                };
                let establishments = establishments_of(tx, a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::LoginFailed)
                        .on(a.id)
                        .at_establishments(establishments.clone())
                        .with(json!({ "reason": reason })),
                )?;
                if reason != "wrong_password" {
                    return Ok(());
                }
                a.failed_logins += 1;
                if a.failed_logins >= self.config.lockout.max_failures {
                    a.failed_logins = 0;
                    a.lockouts += 1;
                    let until = now + self.config.lockout.lock_for(a.lockouts);
                    a.locked_until = Some(until);
                    tx.queue(
                        &NewNotification {
                            kind: NotificationKind::AccountLocked,
                            email: a.email.clone(),
                            name: a.display_name(),
                            token: None,
                            expires_at: Some(until),
                            locale: a.locale,
                        },
                        now,
                    )?;
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::AccountLocked)
                            .on(a.id)
                            .at_establishments(establishments)
                            .with(json!({ "until": until.unix_timestamp(), "lock": a.lockouts })),
                    )?;
                }
                tx.update_account(&a)
            })?;
            return Err(Error::InvalidCredentials);
        }
        let rehash = match &account.password {
            Some(h) if self.hasher.needs_rehash(h) => Some(self.hasher.hash(&normalized)?),
            _ => None,
        };
        let secret = TokenSecret::generate();
        let record = SessionRecord::open(
            secret.digest(),
            account.id,
            now,
            remember,
            &self.config.tokens,
        );
        self.store.write(|tx| {
            let mut a = tx.account(account.id)?.ok_or(Error::InvalidCredentials)?;
            if a.state != AccountState::Active {
                return Err(Error::InvalidCredentials);
            }
            a.failed_logins = 0;
            a.lockouts = 0;
            a.locked_until = None;
            if let Some(h) = rehash {
                a.password = Some(h);
            }
            tx.update_account(&a)?;
            tx.insert_session(&record)?;
            let establishments = establishments_of(tx, a.id)?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::LoginSucceeded)
                    .by(a.id)
                    .on(a.id)
                    .at_establishments(establishments)
                    .with(json!({ "remember": remember })),
            )?;
            Ok(())
        })?;
        Ok(Session {
            token: SecretString::from(secret.expose()),
            account_id: account.id,
            expires_at: record.expiry(),
        })
    }

    /// The account behind a session token, if the session is valid and the account active.
    /// Refreshes the idle timer (coarsely: see [`SessionRecord::needs_touch`]).
    pub fn authenticate(&self, session_token: &str) -> Result<Account> {
        self.session_account(session_token, |_, _| Ok(()))
            .map(|(account, ())| account)
    }

    /// The actor behind a session, with their rights.
    pub fn actor(&self, session_token: &str) -> Result<Actor> {
        let (account, rights) = self.session_account(session_token, |tx, a| tx.rights(a.id))?;
        Ok(Actor { account, rights })
    }

    /// [`authenticate`](Self::authenticate), with what `also` reads about the account in the
    /// same read transaction.
    fn session_account<R>(
        &self,
        session_token: &str,
        also: impl FnOnce(&mut S::Tx<'_>, &Account) -> Result<R>,
    ) -> Result<(Account, R)> {
        let secret = TokenSecret::parse(session_token).map_err(|_| Error::SessionInvalid)?;
        let digest = secret.digest();
        let now = self.now();
        let (session, account, also) = self.store.read(|tx| {
            let Some(s) = tx.session(&digest)? else {
                return Err(Error::SessionInvalid);
            };
            let a = tx.account(s.account)?.ok_or(Error::SessionInvalid)?;
            let also = also(tx, &a)?;
            Ok((s, a, also))
        })?;
        if !session.is_valid(now) {
            // Seen expired: end it, so a clock going back cannot revive it.
            self.store.write(|tx| tx.delete_session(&digest))?;
            return Err(Error::SessionInvalid);
        }
        if account.state != AccountState::Active {
            return Err(Error::SessionInvalid);
        }
        if session.needs_touch(now) {
            self.store.write(|tx| tx.touch_session(&digest, now))?;
        }
        Ok((account, also))
    }

    /// Ends a session. Ending an unknown or already ended session is not an error.
    pub fn logout(&self, session_token: &str) -> Result<()> {
        let Ok(secret) = TokenSecret::parse(session_token) else {
            return Ok(());
        };
        let now = self.now();
        self.store.write(|tx| {
            let Some(s) = tx.session(&secret.digest())? else {
                return Ok(());
            };
            tx.delete_session(&s.digest)?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::Logout)
                    .by(s.account)
                    .on(s.account),
            )?;
            Ok(())
        })
    }

    /// Changes the password of the session's account: the current password, then the new one
    /// twice. Every session of the account (this one included) and every link is revoked: the
    /// person logs in again with the new password.
    pub fn change_password(
        &self,
        session_token: &str,
        current: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        let account = self.authenticate(session_token)?;
        let current = crate::password::normalize(current);
        if !account
            .password
            .as_ref()
            .is_some_and(|h| self.hasher.verify(&current, h))
        {
            return Err(Error::InvalidCredentials);
        }
        let hash = self.new_password_hash(&account, password, confirmation)?;
        let now = self.now();
        let keep = self.config.policy.history;
        self.store.write(|tx| {
            let mut a = tx.account(account.id)?.ok_or(Error::SessionInvalid)?;
            if a.password != account.password {
                // Changed concurrently: make the person try again with the password now in force.
                return Err(Error::InvalidCredentials);
            }
            a.set_password(hash, keep);
            Self::save_new_password(tx, &a, AuditAction::PasswordChanged, now)
        })
    }

    // ----- users and rights (seed §2) -----

    /// The establishments where the session's account holds `ManageAccounts` ("Gestion des
    /// comptes"). With one only, a UI shows "Vous n'avez pas de droits de gestion de compte sur
    /// d'autres établissements".
    pub fn manageable_establishments(&self, session_token: &str) -> Result<Vec<Establishment>> {
        let actor = self.actor(session_token)?;
        self.store.read(|tx| {
            actor
                .rights
                .manageable()
                .into_iter()
                .map(|code| {
                    tx.establishment(code)?
                        .ok_or_else(|| Error::UnknownEstablishment {
                            code: code.to_string(),
                        })
                })
                .collect()
        })
    }

    /// Creates a user on an establishment the actor manages, with rights the actor holds there
    /// (at least one). The user is `Invited` and gets an activation mail ("Activez votre
    /// compte").
    pub fn create_user(
        &self,
        session_token: &str,
        establishment: &str,
        user: &NewUser,
        rights: Rights,
    ) -> Result<AccountId> {
        let code = EstablishmentCode::parse(establishment)?;
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            let mut grantor = Grantor::new(tx, &actor)?;
            self.create_user_in(tx, &actor, &mut grantor, &code, user, rights, now)
        })
    }

    /// Creates many users in one transaction (bulk import). Each row gets its own result; a bad
    /// row (unknown establishment, rights the actor may not grant, a taken email) does not stop
    /// the others. A storage failure fails the whole call and writes none of the batch.
    pub fn create_users(
        &self,
        session_token: &str,
        rows: &[UserImport],
    ) -> Result<Vec<Result<AccountId>>> {
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            // The actor's rights and the establishments are read once for the whole batch:
            // nothing in the batch changes them.
            let mut grantor = Grantor::new(tx, &actor)?;
            let mut results = Vec::with_capacity(rows.len());
            for r in rows {
                let created = self.create_user_in(
                    tx,
                    &actor,
                    &mut grantor,
                    &r.establishment,
                    &r.user,
                    r.rights,
                    now,
                );
                // A bad row is refused before anything of it is written; a storage failure may
                // come halfway through one, so it ends the whole batch (rolled back).
                if let Err(e @ Error::Storage(_)) = created {
                    return Err(e);
                }
                results.push(created);
            }
            Ok(results)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn create_user_in(
        &self,
        tx: &mut S::Tx<'_>,
        actor: &Actor,
        grantor: &mut Grantor,
        code: &EstablishmentCode,
        user: &NewUser,
        rights: Rights,
        now: OffsetDateTime,
    ) -> Result<AccountId> {
        grantor.check(tx, code, rights)?;
        let mut a = Account::new(
            user.email.clone(),
            user.last_name.clone(),
            user.first_name.clone(),
            Role::User,
            AccountState::Invited,
            self.config.locale,
            now,
        );
        a.mobile = user.mobile.clone();
        a.landline = user.landline.clone();
        tx.insert_account_with_rights(&a, code, rights)?;
        // A new account has no link to supersede.
        self.queue_link(
            tx,
            &a,
            TokenPurpose::Activation,
            NotificationKind::Activation,
            TokenSecret::generate(),
            now,
        )?;
        tx.append(
            &NewAuditEvent::new(now, AuditAction::UserCreated)
                .by(actor.account.id)
                .on(a.id)
                .at_establishments([code.clone()])
                .with(json!({ "rights": rights })),
        )?;
        Ok(a.id)
    }

    /// "Vous êtes réparateur ? Créer un compte": creates a repairer establishment (no regime,
    /// code `R000001`...) and an `Invited` account holding `SubmitClaims`, `SearchClaims` and
    /// `ManageAccounts` there, and queues its activation mail. When the email is taken it
    /// answers the same way and the owner gets an "account exists" mail instead. Rate-limited
    /// like resets.
    pub fn register_repairer(
        &self,
        email: &str,
        last_name: &str,
        first_name: &str,
        company: &str,
        city: &str,
    ) -> Result<()> {
        let email = Email::parse(email)?;
        let last_name = PersonName::parse(last_name)?;
        let first_name = PersonName::parse(first_name)?;
        // Validates company and city with a placeholder code; the real code is assigned below.
        Establishment::new("R0", company, city, None)?;
        let started = std::time::Instant::now();
        let now = self.now();
        let secret = TokenSecret::generate();
        let answer = self.store.write(|tx| {
            if let Some(owner) = tx.account_by_email(&email)? {
                let sent = tx.count_queued_since(
                    &email,
                    NotificationKind::AccountExists,
                    now - Duration::hours(1),
                )?;
                let reason = if owner.state == AccountState::Disabled {
                    "disabled"
                } else if sent >= self.config.tokens.max_reset_mails_per_hour as usize {
                    "rate_limited"
                } else {
                    tx.queue(
                        &NewNotification {
                            kind: NotificationKind::AccountExists,
                            email: owner.email.clone(),
                            name: owner.display_name(),
                            token: None,
                            expires_at: None,
                            locale: owner.locale,
                        },
                        now,
                    )?;
                    "email_taken"
                };
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::RegistrationIgnored)
                        .on(owner.id)
                        .with(json!({ "reason": reason })),
                )?;
                return Ok(());
            }
            let code = tx.next_repairer_code()?;
            let e = Establishment::new(code.as_str(), company, city, None)?;
            tx.put_establishment(&e)?;
            let a = Account::new(
                email.clone(),
                last_name.clone(),
                first_name.clone(),
                Role::Administrator,
                AccountState::Invited,
                self.config.locale,
                now,
            );
            tx.insert_account(&a)?;
            let rights: Rights = [
                Right::SubmitClaims,
                Right::SearchClaims,
                Right::ManageAccounts,
            ]
            .into_iter()
            .collect();
            tx.set_rights(a.id, &code, rights)?;
            self.issue_link(
                tx,
                &a,
                TokenPurpose::Activation,
                NotificationKind::Activation,
                secret,
                now,
            )?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::RepairerRegistered)
                    .on(a.id)
                    .at_establishments([code]),
            )?;
            Ok(())
        });
        self.pad_anonymous(started);
        answer
    }

    /// Loads the target and checks the actor may act on it (it holds rights on an
    /// establishment the actor manages). Invisible accounts are `UnknownAccount`.
    fn target(
        &self,
        tx: &mut S::Tx<'_>,
        actor_rights: &RightsMatrix,
        id: AccountId,
    ) -> Result<(Account, RightsMatrix)> {
        let unknown = || Error::UnknownAccount { id: id.to_string() };
        let a = tx.account(id)?.ok_or_else(unknown)?;
        let r = tx.rights(id)?;
        if !rights::visible_to(actor_rights, &r) {
            return Err(unknown());
        }
        Ok((a, r))
    }

    /// Sends a new activation link to an `Invited` account the actor manages; the earlier link
    /// stops working.
    pub fn resend_activation(&self, session_token: &str, account_id: &str) -> Result<()> {
        let id: AccountId = account_id.parse()?;
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            let actor_rights = tx.rights(actor.account.id)?;
            let (a, r) = self.target(tx, &actor_rights, id)?;
            if a.state != AccountState::Invited {
                return Err(Error::InvalidState {
                    state: a.state.code(),
                    reason: "only an invited account can be sent an activation link",
                });
            }
            self.issue_link(
                tx,
                &a,
                TokenPurpose::Activation,
                NotificationKind::Activation,
                TokenSecret::generate(),
                now,
            )?;
            let shared: Vec<_> = r
                .establishments()
                .filter(|c| actor_rights.rights_on(c).contains(Right::ManageAccounts))
                .cloned()
                .collect();
            tx.append(
                &NewAuditEvent::new(now, AuditAction::ActivationSent)
                    .by(actor.account.id)
                    .on(a.id)
                    .at_establishments(shared),
            )?;
            Ok(())
        })
    }

    /// Sets an account's rights on one establishment: granting on a new establishment follows
    /// the creation rules (at least one right, none the actor lacks); changing existing rights
    /// may remove any right but add only rights the actor holds; an empty set removes the
    /// account from the establishment. The last active manager of an establishment cannot lose
    /// `ManageAccounts`.
    pub fn set_rights(
        &self,
        session_token: &str,
        account_id: &str,
        establishment: &str,
        requested: Rights,
    ) -> Result<()> {
        let code = EstablishmentCode::parse(establishment)?;
        let id: AccountId = account_id.parse()?;
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            let actor_rights = tx.rights(actor.account.id)?;
            let unknown = || Error::UnknownAccount { id: id.to_string() };
            let a = tx.account(id)?.ok_or_else(unknown)?;
            let before = tx.rights(id)?;
            // Granting on a new establishment is allowed to a manager of that establishment
            // even when the account is not yet visible to them elsewhere.
            let current = before.rights_on(&code);
            if current.is_empty() {
                rights::check_grant(&actor_rights, &code, requested)?;
            } else {
                rights::check_set_rights(&actor_rights, &code, current, requested)?;
            }
            if a.state == AccountState::Active
                && current.contains(Right::ManageAccounts)
                && !requested.contains(Right::ManageAccounts)
            {
                let managers = tx.active_managers(&code)?;
                rights::check_last_manager(&code, managers.saturating_sub(1))?;
            }
            tx.set_rights(id, &code, requested)?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::RightsChanged)
                    .by(actor.account.id)
                    .on(id)
                    .at_establishments([code.clone()])
                    .with(json!({ "before": current, "after": requested })),
            )?;
            Ok(())
        })
    }

    /// An account's rights, on the establishments the actor manages (all of them for the
    /// actor's own account); only establishments where it holds at least one right.
    pub fn rights_matrix(&self, session_token: &str, account_id: &str) -> Result<RightsMatrix> {
        let id: AccountId = account_id.parse()?;
        let actor = self.actor(session_token)?;
        if id == actor.account.id {
            return Ok(actor.rights);
        }
        self.store.read(|tx| {
            let (_, r) = self.target(tx, &actor.rights, id)?;
            let mut visible = RightsMatrix::new();
            for (code, rights) in r.iter() {
                if actor.rights.rights_on(code).contains(Right::ManageAccounts) {
                    visible.set(code.clone(), rights);
                }
            }
            Ok(visible)
        })
    }

    /// Disables an account: it can no longer log in, its sessions and links are revoked. Needs
    /// `ManageAccounts` on every establishment where the account holds rights; otherwise
    /// [`Error::Forbidden`] says so, and the actor can only remove its rights on the
    /// establishments it manages ([`Portal::set_rights`] with no rights).
    pub fn disable_account(&self, session_token: &str, account_id: &str) -> Result<()> {
        self.set_enabled(session_token, account_id, false)
    }

    /// Re-enables a disabled account (back to `Active`, or to `Invited`/`Declared` if it never
    /// chose a password). Same rights as [`Portal::disable_account`].
    pub fn enable_account(&self, session_token: &str, account_id: &str) -> Result<()> {
        self.set_enabled(session_token, account_id, true)
    }

    fn set_enabled(&self, session_token: &str, account_id: &str, enable: bool) -> Result<()> {
        let id: AccountId = account_id.parse()?;
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            let actor_rights = tx.rights(actor.account.id)?;
            let (mut a, r) = self.target(tx, &actor_rights, id)?;
            match rights::disable_scope(&actor_rights, &r) {
                DisableScope::Whole => {}
                DisableScope::Partial(codes) => {
                    return Err(Error::Forbidden {
                        reason: crate::error::Forbidden::NotEveryEstablishment {
                            removable: codes.to_vec(),
                        },
                    });
                }
                DisableScope::None => return Err(Error::UnknownAccount { id: id.to_string() }),
            }
            if enable {
                if a.state != AccountState::Disabled {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "only a disabled account can be enabled",
                    });
                }
                // Without a password yet it goes back to waiting for one: a user to its
                // activation, an administrator to "Mot de passe oublié".
                a.state = match (a.password.is_some(), a.role) {
                    (true, _) => AccountState::Active,
                    (false, Role::Administrator) => AccountState::Declared,
                    (false, Role::User) => AccountState::Invited,
                };
            } else {
                if a.state == AccountState::Disabled {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "the account is already disabled",
                    });
                }
                if a.state == AccountState::Active {
                    for (code, rights) in r.iter() {
                        if rights.contains(Right::ManageAccounts) {
                            rights::check_last_manager(
                                code,
                                tx.active_managers(code)?.saturating_sub(1),
                            )?;
                        }
                    }
                }
                a.state = AccountState::Disabled;
                tx.end_tokens(
                    a.id,
                    &[TokenPurpose::PasswordReset, TokenPurpose::Activation],
                    TokenState::Revoked,
                )?;
                tx.delete_sessions(a.id)?;
            }
            tx.update_account(&a)?;
            let action = if enable {
                AuditAction::AccountEnabled
            } else {
                AuditAction::AccountDisabled
            };
            tx.append(
                &NewAuditEvent::new(now, action)
                    .by(actor.account.id)
                    .on(a.id)
                    .at_establishments(r.establishments().cloned()),
            )?;
            Ok(())
        })
    }

    /// Accounts with rights on establishments the actor manages (the actor included, in every
    /// state unless filtered), searched case- and accent-insensitively in names and email,
    /// sorted in French order by last then first name, paginated with the total.
    pub fn list_accounts(&self, session_token: &str, q: &AccountQuery) -> Result<AccountPage> {
        let q = &q.normalized();
        q.validate()?;
        let actor = self.actor(session_token)?;
        let scope: Vec<EstablishmentCode> =
            actor.rights.manageable().into_iter().cloned().collect();
        if scope.is_empty() {
            return Err(Error::Forbidden {
                reason: crate::error::Forbidden::NoManagedEstablishment,
            });
        }
        self.store.read(|tx| {
            if let Some(code) = &q.establishment {
                if tx.establishment(code)?.is_none() {
                    return Err(Error::UnknownEstablishment {
                        code: code.to_string(),
                    });
                }
                if !scope.contains(code) {
                    return Err(Error::missing_right(Right::ManageAccounts, code));
                }
            }
            tx.list_accounts(&scope, q)
        })
    }

    // ----- outbox and audit -----

    /// Notifications waiting to be sent, oldest first (at most 1,000 at a time).
    pub fn pending_notifications(&self) -> Result<Vec<Notification>> {
        self.store.read(|tx| tx.pending(1000))
    }

    /// Marks a notification sent; its link token is erased from the store.
    pub fn acknowledge_notification(&self, id: NotificationId) -> Result<()> {
        self.store.write(|tx| tx.acknowledge(id))
    }

    /// The audit log of an establishment the actor manages, newest first.
    pub fn audit_log(
        &self,
        session_token: &str,
        establishment: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
        let code = EstablishmentCode::parse(establishment)?;
        let actor = self.actor(session_token)?;
        if limit == 0 || limit > 500 {
            return Err(Error::InvalidQuery {
                reason: format!("limit must be 1 to 500, got {limit}"),
            });
        }
        self.store.read(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            if !actor
                .rights
                .rights_on(&code)
                .contains(Right::ManageAccounts)
            {
                return Err(Error::missing_right(Right::ManageAccounts, &code));
            }
            Ok(tx
                .audit_for(&code, offset, limit)?
                .iter()
                .map(|e| e.to_public())
                .collect())
        })
    }

    /// Proves the audit log was not edited: recomputes the chain; returns the number of events.
    pub fn verify_audit_chain(&self) -> Result<usize> {
        let all = self.store.read(|tx| tx.audit_all())?;
        verify_chain(&all)?;
        Ok(all.len())
    }

    // ----- documents (seed §3) -----

    /// Adds a document of an establishment (the host's import; no session).
    pub fn add_document(&self, establishment: &str, doc: &NewDocument) -> Result<DocumentId> {
        let code = EstablishmentCode::parse(establishment)?;
        self.store.write(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            tx.insert_document(&code, doc)
        })
    }

    /// Adds many documents of one establishment in one transaction.
    pub fn add_documents(
        &self,
        establishment: &str,
        docs: &[NewDocument],
    ) -> Result<Vec<DocumentId>> {
        let code = EstablishmentCode::parse(establishment)?;
        self.store.write(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            docs.iter().map(|d| tx.insert_document(&code, d)).collect()
        })
    }

    /// Searches the documents of the establishment the user is connected to: accounting
    /// documents need `AccountingDocuments` there, contracts and quotes
    /// `SearchQuotesAndContracts`, workshop claims `SearchClaims`.
    pub fn search_documents(
        &self,
        session_token: &str,
        establishment: &str,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        let code = EstablishmentCode::parse(establishment)?;
        let actor = self.actor(session_token)?;
        self.store.read(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            let needed = q.category.required_right();
            if !actor.rights.rights_on(&code).contains(needed) {
                return Err(Error::missing_right(needed, &code));
            }
            tx.search_documents(&code, q)
        })
    }

    /// Records a direct-debit line of an establishment for a month (the host's import).
    pub fn record_debit_line(
        &self,
        establishment: &str,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        let code = EstablishmentCode::parse(establishment)?;
        self.store.write(|tx| {
            if tx.establishment(&code)?.is_none() {
                return Err(Error::UnknownEstablishment {
                    code: code.to_string(),
                });
            }
            tx.insert_debit_line(&code, month, line)
        })
    }

    /// The month's statement of an establishment: its regime's expected debits filled from the
    /// recorded lines, what is missing and what is unexpected. Needs `AccountingDocuments`.
    pub fn monthly_statement(
        &self,
        session_token: &str,
        establishment: &str,
        month: YearMonth,
    ) -> Result<Reconciliation> {
        let code = EstablishmentCode::parse(establishment)?;
        let actor = self.actor(session_token)?;
        let (e, lines) = self.store.read(|tx| {
            let e = tx
                .establishment(&code)?
                .ok_or_else(|| Error::UnknownEstablishment {
                    code: code.to_string(),
                })?;
            if !actor
                .rights
                .rights_on(&code)
                .contains(Right::AccountingDocuments)
            {
                return Err(Error::missing_right(Right::AccountingDocuments, &code));
            }
            Ok((e, tx.debit_lines(&code, month)?))
        })?;
        let regime = e.regime.ok_or(Error::InvalidState {
            state: "repairer",
            reason: "a repairer's establishment has no insurance regime",
        })?;
        reconcile(regime, month, &lines)
    }
}

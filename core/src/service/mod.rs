//! The portal's flows: every rule of the spec, over any [`Store`].
//!
//! [`Portal`] is generic over the store and the clock. Expensive work (argon2) is always done
//! outside the store's write transaction, so a slow hash never holds the write lock; what must
//! be atomic (consuming a token, unique emails, queuing a mail with the change it announces) is
//! done inside one transaction.

// First, so that `traced!` is in scope in every module below.
#[macro_use]
mod trace;

mod administrator;
#[cfg(feature = "tokio")]
mod async_portal;
mod budgets;
mod config;
mod documents;
mod erasure;
mod lifecycle;
mod notifications;
mod profiles;
mod reset;
mod sessions;
mod totp;
mod users;

pub use crate::account::LockoutConfig;
#[cfg(feature = "tokio")]
pub use async_portal::AsyncPortal;
pub use config::PortalConfig;
pub use reset::TokenStatus;
pub use sessions::{Actor, SessionInfo};
pub use totp::TotpEnrollment;
pub use users::UserImport;

use crate::account::{Account, AccountId};
use crate::clock::{Clock, SystemClock};
use crate::establishment::{Establishment, EstablishmentCode};
use crate::password::{Evaluation, PasswordHasher};
use crate::store::{AccountRepo, MemoryStore, Store};
use crate::{Error, Result};
use time::OffsetDateTime;

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
/// portal.request_password_reset(&"admin@garage-xyz.fr".parse().unwrap()).unwrap();
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
pub(super) fn establishments_of<T: AccountRepo + ?Sized>(
    tx: &mut T,
    id: AccountId,
) -> Result<Vec<EstablishmentCode>> {
    Ok(tx.rights(id)?.establishments().cloned().collect())
}

/// The establishment with this code, or [`Error::UnknownEstablishment`]: checked before any
/// right, so a code that names nothing says so whoever asks.
pub(super) fn existing_establishment<T: AccountRepo + ?Sized>(
    tx: &mut T,
    code: &EstablishmentCode,
) -> Result<Establishment> {
    tx.establishment(code)?
        .ok_or_else(|| Error::UnknownEstablishment {
            code: code.to_string(),
        })
}

pub(super) fn identity_names(a: &Account) -> [&str; 2] {
    [a.last_name.as_str(), a.first_name.as_str()]
}

impl<S: Store, C: Clock> Portal<S, C> {
    /// A portal over `store`, reading time from `clock`.
    pub fn new(store: S, clock: C, config: PortalConfig) -> Result<Self> {
        traced!("new", || {
            config.validate()?;
            let hasher = match &config.pepper {
                Some(p) => PasswordHasher::with_pepper(config.hash, p.clone()),
                None => PasswordHasher::new(config.hash),
            };
            let portal = Portal {
                store,
                clock,
                config,
                hasher,
            };
            portal.key_audit_chain()?;
            Ok(portal)
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

    pub(super) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Evaluates a candidate password against the portal's policy, criterion by criterion;
    /// pure and cheap, for live feedback at every keystroke.
    pub fn evaluate_password(&self, candidate: &str, confirmation: Option<&str>) -> Evaluation {
        self.config.policy.evaluate(candidate, confirmation)
    }
}

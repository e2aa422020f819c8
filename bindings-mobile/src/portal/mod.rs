//! The object `Portal` of the contract: the core's portal over a SQLite file, PostgreSQL or
//! memory. Its methods live beside the records they answer, one file per concept:
//! [`access`] (links, login, sessions), [`accounts`] (users and rights), [`profiles`]
//! (a person's profile and email), [`documents`] (documents and debits), [`outbox`] (mails and
//! the audit log).
//!
//! Each method parses nothing itself: it hands the strings to the core's constructors
//! (`EstablishmentCode::parse`, `NewUser::from_fields`, `DocumentQuery::parse`...) and
//! translates the answer.

pub(crate) mod access;
pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod documents;
pub(crate) mod lifecycle;
pub(crate) mod outbox;
pub(crate) mod profiles;

use crate::error::{Result, bad_json};
use crate::types::{Establishment, Evaluation};
use dealer_portal::SecretString;
use dealer_portal::account::Declaration;
use dealer_portal::service::{self, PortalConfig};
use dealer_portal::store::AnyStore;
use std::sync::Arc;

/// The portal over a store: a SQLite file (created and migrated), a PostgreSQL database or
/// memory.
///
/// Thread-safe: one instance can serve the whole app. Calls that hash a password (login,
/// reset, activation, change of password, email change) take tens of milliseconds: call them
/// off the UI thread.
#[derive(Debug, uniffi::Object)]
pub struct Portal {
    inner: service::Portal<AnyStore>,
}

fn config(config_json: Option<String>) -> Result<PortalConfig> {
    match config_json {
        Some(json) => serde_json::from_str(&json).map_err(|e| bad_json("config_json", e)),
        None => Ok(PortalConfig::default()),
    }
}

#[uniffi::export]
impl Portal {
    /// The portal over a SQLite file at `path`, created and migrated if needed (`":memory:"`
    /// for a store in memory, a `postgres://` URL for PostgreSQL). `config_json` is a (partial)
    /// `PortalConfig` as JSON, e.g. `{"policy": {"min_length": 12}, "tokens": {...}}`; the
    /// seed's defaults when absent.
    #[uniffi::constructor(default(config_json = None))]
    pub fn open(path: String, config_json: Option<String>) -> Result<Arc<Self>> {
        let inner = service::Portal::open_any(&path, config(config_json)?)?;
        Ok(Arc::new(Portal { inner }))
    }

    /// A portal over a fresh store in memory.
    #[uniffi::constructor(default(config_json = None))]
    pub fn in_memory(config_json: Option<String>) -> Result<Arc<Self>> {
        Self::open(":memory:".to_owned(), config_json)
    }

    /// Evaluates a candidate password against this portal's policy (see the free function
    /// `evaluate_password`).
    #[uniffi::method(default(confirmation = None))]
    pub fn evaluate_password(&self, password: String, confirmation: Option<String>) -> Evaluation {
        // Wiped when they drop, after the evaluation.
        let password = SecretString::from(password);
        let confirmation = confirmation.map(SecretString::from);
        self.inner
            .evaluate_password(
                password.expose(),
                confirmation.as_ref().map(SecretString::expose),
            )
            .into()
    }

    // ----- establishments and the administrator (seed §1) -----

    /// Records (or updates) an establishment (the host's import).
    pub fn add_establishment(&self, establishment: Establishment) -> Result<()> {
        let e = dealer_portal::Establishment::try_from(&establishment)?;
        Ok(self.inner.add_establishment(&e)?)
    }

    /// Records the administrator declared via the manager's extranet (Nom, Prénom, Fonction,
    /// Mail; every field required) with all six rights on `establishments`; declaring again
    /// adds establishments. Returns the account id.
    pub fn declare_administrator(
        &self,
        email: String,
        last_name: String,
        first_name: String,
        function: String,
        establishments: Vec<Establishment>,
    ) -> Result<String> {
        let decl = Declaration::new(&email, &last_name, &first_name, &function)?;
        let establishments = establishments
            .iter()
            .map(TryFrom::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .inner
            .declare_administrator(&decl, &establishments)?
            .to_string())
    }
}

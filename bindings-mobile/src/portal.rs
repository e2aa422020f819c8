//! The object `Portal` of the contract: the core's portal over a SQLite file or memory.
//!
//! Each method parses nothing the core does not parse itself: it hands the strings to the
//! core's constructors (`NewUser::new`, `DocumentQuery::parse`...) and translates the result.

use crate::error::{Result, bad_json};
use crate::types::{Establishment, Evaluation, Right, from_rights, to_rights};
use dealer_portal::account::{AccountQuery, AccountState, Declaration, NewUser};
use dealer_portal::document::{DocumentQuery, NewDocument};
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::phone::PhoneNumber;
use dealer_portal::service::{self, PortalConfig};
use dealer_portal::store::AnyStore;
use dealer_portal::{Coded, Locale, account, audit, document, notification, session};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// ISO 8601 / RFC 3339 in UTC (`2026-01-01T08:00:00Z`).
fn iso(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|_| utc.to_string())
}

/// Sizes cross the FFI as `u32`; the core counts in `usize`.
fn size(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

// ----- records of the portal -----

/// A session handed to the person who logged in: keep `token` in the keychain/keystore.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Session {
    /// The session token (secret).
    pub token: String,
    /// Whose session.
    pub account_id: String,
    /// When it expires if not used, ISO 8601 UTC.
    pub expires_at: String,
}

impl From<session::Session> for Session {
    fn from(s: session::Session) -> Self {
        Session {
            token: s.token.expose().to_owned(),
            account_id: s.account_id.to_string(),
            expires_at: iso(s.expires_at),
        }
    }
}

/// Whether a reset or activation link can still be used (opening it never consumes it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenStatus {
    /// Whether the form can be shown.
    pub usable: bool,
    /// `password_reset` or `activation`, when the token is known.
    pub kind: Option<String>,
    /// When it expires, ISO 8601 UTC, when usable.
    pub expires_at: Option<String>,
}

impl From<service::TokenStatus> for TokenStatus {
    fn from(s: service::TokenStatus) -> Self {
        TokenStatus {
            usable: s.usable,
            kind: s.kind.map(|k| k.code().to_owned()),
            expires_at: s.expires_at.map(iso),
        }
    }
}

/// A mail the host must send (the library sends none), then acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Notification {
    /// Its id, for `acknowledge_notification`.
    pub id: String,
    /// `password_reset`, `activation`, `account_locked` or `account_exists`.
    pub kind: String,
    /// The recipient, normalised (trimmed, lower case).
    pub email: String,
    /// The recipient's name, for the greeting.
    pub name: String,
    /// The link's token, when the mail carries a link.
    pub token: Option<String>,
    /// When the link (or the lock) expires, ISO 8601 UTC.
    pub expires_at: Option<String>,
    /// The mail's language, `fr` or `en`.
    pub locale: String,
    /// The mail's subject in its language ("Activez votre compte").
    pub subject: String,
    /// When it was queued, ISO 8601 UTC.
    pub created_at: String,
}

impl From<notification::Notification> for Notification {
    fn from(n: notification::Notification) -> Self {
        Notification {
            id: n.id.to_string(),
            subject: n.subject().to_owned(),
            kind: n.body.kind.code().to_owned(),
            email: n.body.email.as_str().to_owned(),
            name: n.body.name.clone(),
            token: n.body.token.as_ref().map(|t| t.expose().to_owned()),
            expires_at: n.body.expires_at.map(iso),
            locale: n.body.locale.code().to_owned(),
            created_at: iso(n.created_at),
        }
    }
}

/// One line of the account list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountSummary {
    /// Its id.
    pub id: String,
    /// Its email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// `declared`, `invited`, `active` or `disabled`.
    pub state: String,
    /// The establishments (that the actor manages) where it holds rights.
    pub establishments: Vec<String>,
}

/// A page of accounts with the number of matches in all.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountPage {
    /// This page.
    pub items: Vec<AccountSummary>,
    /// How many match in all.
    pub total: u64,
}

impl From<account::AccountPage> for AccountPage {
    fn from(p: account::AccountPage) -> Self {
        AccountPage {
            total: count(p.total),
            items: p
                .items
                .into_iter()
                .map(|a| AccountSummary {
                    id: a.id.to_string(),
                    email: a.email.as_str().to_owned(),
                    last_name: a.last_name.to_string(),
                    first_name: a.first_name.to_string(),
                    state: a.state.code().to_owned(),
                    establishments: a
                        .establishments
                        .iter()
                        .map(|c| c.as_str().to_owned())
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A document to add (the host's import). Files stay with the host: `file_ref` is a key or URI.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Document {
    /// `accounting`, `contract`, `quote` or `workshop_claim`.
    pub category: String,
    /// Its number (`2204003143`).
    pub number: String,
    /// Issue date, `YYYY-MM-DD`.
    pub issued_on: String,
    /// Accounting only: `maintenance_invoice`, `warranty_invoice`, `deduction_letter`,
    /// `credit_note`, `debit_note` or `carence_debit_note`.
    #[uniffi(default)]
    pub kind: Option<String>,
    /// A title.
    #[uniffi(default)]
    pub title: Option<String>,
    /// Amount in cents.
    #[uniffi(default)]
    pub amount_cents: Option<i64>,
    /// The vehicle's plate.
    #[uniffi(default)]
    pub registration: Option<String>,
    /// The contract number.
    #[uniffi(default)]
    pub contract_number: Option<String>,
    /// The workshop claim's agreement number.
    #[uniffi(default)]
    pub agreement_number: Option<String>,
    /// Where the host keeps the file.
    #[uniffi(default)]
    pub file_ref: Option<String>,
}

impl TryFrom<&Document> for NewDocument {
    type Error = dealer_portal::Error;
    fn try_from(d: &Document) -> Result<Self, Self::Error> {
        let mut doc = NewDocument::new(&d.category, &d.number, &d.issued_on)?
            .with_amount_cents(d.amount_cents);
        if let Some(v) = &d.kind {
            doc = doc.with_kind(v)?;
        }
        if let Some(v) = &d.title {
            doc = doc.with_title(v)?;
        }
        if let Some(v) = &d.registration {
            doc = doc.with_registration(v)?;
        }
        if let Some(v) = &d.contract_number {
            doc = doc.with_contract_number(v)?;
        }
        if let Some(v) = &d.agreement_number {
            doc = doc.with_agreement_number(v)?;
        }
        if let Some(v) = &d.file_ref {
            doc = doc.with_file_ref(v)?;
        }
        Ok(doc)
    }
}

/// A document found by a search.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoredDocument {
    /// Its id.
    pub id: String,
    /// Its establishment's code.
    pub establishment: String,
    /// The category's code.
    pub category: String,
    /// The kind's code (accounting documents).
    pub kind: Option<String>,
    /// The kind's French label ("Facture Entretien").
    pub kind_label_fr: Option<String>,
    /// Its number, normalised.
    pub number: String,
    /// Issue date, `YYYY-MM-DD`.
    pub issued_on: String,
    /// A title.
    pub title: Option<String>,
    /// Amount in cents.
    pub amount_cents: Option<i64>,
    /// The vehicle's plate, normalised.
    pub registration: Option<String>,
    /// The contract number, normalised.
    pub contract_number: Option<String>,
    /// The agreement number, normalised.
    pub agreement_number: Option<String>,
    /// Where the host keeps the file.
    pub file_ref: Option<String>,
}

/// A page of documents, newest first, with the number of matches in all.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DocumentPage {
    /// This page.
    pub items: Vec<StoredDocument>,
    /// How many match in all.
    pub total: u64,
}

impl From<document::DocumentPage> for DocumentPage {
    fn from(p: document::DocumentPage) -> Self {
        DocumentPage {
            total: count(p.total),
            items: p
                .items
                .into_iter()
                .map(|d| StoredDocument {
                    id: d.id.to_string(),
                    establishment: d.establishment.as_str().to_owned(),
                    category: d.doc.category.code().to_owned(),
                    kind: d.doc.kind.map(|k| k.code().to_owned()),
                    kind_label_fr: d.doc.kind.map(|k| k.label(Locale::Fr).to_owned()),
                    number: d.doc.number,
                    issued_on: d.doc.issued_on.to_string(),
                    title: d.doc.title,
                    amount_cents: d.doc.amount_cents,
                    registration: d.doc.registration,
                    contract_number: d.doc.contract_number,
                    agreement_number: d.doc.agreement_number,
                    file_ref: d.doc.file_ref,
                })
                .collect(),
        }
    }
}

/// An entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEvent {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When, ISO 8601 UTC.
    pub at: String,
    /// Who (an account id).
    pub actor: Option<String>,
    /// What: `administrator_declared`, `user_created`, `rights_changed`, `login_succeeded`...
    pub action: String,
    /// The action's French label.
    pub action_label_fr: String,
    /// To whom (an account id).
    pub subject: Option<String>,
    /// Where.
    pub establishments: Vec<String>,
    /// Details, as JSON (rights before/after, reasons...).
    pub details_json: String,
    /// SHA-256 of the previous entry, hex.
    pub prev_hash: String,
    /// SHA-256 of this entry chained to the previous one, hex.
    pub hash: String,
}

impl From<audit::AuditEvent> for AuditEvent {
    fn from(e: audit::AuditEvent) -> Self {
        AuditEvent {
            seq: e.seq,
            at: iso(e.event.at),
            actor: e.event.actor.map(|a| a.to_string()),
            action: e.event.action.code().to_owned(),
            action_label_fr: e.event.action.label(Locale::Fr).to_owned(),
            subject: e.event.subject.map(|a| a.to_string()),
            establishments: e
                .event
                .establishments
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            details_json: e.event.details.to_string(),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

// ----- the object -----

/// The portal over a store: a SQLite file (created and migrated) or memory.
///
/// Thread-safe: one instance can serve the whole app. Calls that hash a password (login,
/// reset, activation, change of password) take tens of milliseconds: call them off the UI
/// thread.
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
    /// for a store in memory). `config_json` is a (partial) `PortalConfig` as JSON, e.g.
    /// `{"policy": {"min_length": 12}, "tokens": {...}}`; the seed's defaults when absent.
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
        self.inner
            .evaluate_password(&password, confirmation.as_deref())
            .into()
    }

    // ----- the administrator (seed §1) -----

    /// Records the administrator declared via the manager's extranet (Nom, Prénom, Fonction,
    /// Mail) with all six rights on `establishments`; declaring again adds establishments.
    /// Returns the account id.
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

    /// "Mot de passe oublié": the same answer whether the email is known or not.
    pub fn request_password_reset(&self, email: String) -> Result<()> {
        Ok(self.inner.request_password_reset(&email)?)
    }

    /// The reset form: the email typed again and the new password twice.
    pub fn complete_password_reset(
        &self,
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        Ok(self
            .inner
            .complete_password_reset(&token, &email, &password, &confirmation)?)
    }

    /// Whether a link can still be used; never consumes it.
    pub fn inspect_token(&self, token: String) -> Result<TokenStatus> {
        Ok(self.inner.inspect_token(&token)?.into())
    }

    // ----- the outbox -----

    /// The mails waiting to be sent, oldest first.
    pub fn pending_notifications(&self) -> Result<Vec<Notification>> {
        Ok(self
            .inner
            .pending_notifications()?
            .into_iter()
            .map(Notification::from)
            .collect())
    }

    /// Marks a mail sent; its link token is erased from the store.
    pub fn acknowledge_notification(&self, notification_id: String) -> Result<()> {
        Ok(self
            .inner
            .acknowledge_notification(notification_id.parse()?)?)
    }

    // ----- sessions -----

    /// Logs in ("Enregistrer mes identifiants" = `remember`). Unknown email, wrong password,
    /// inactive or locked account: `INVALID_CREDENTIALS`.
    #[uniffi::method(default(remember = false))]
    pub fn login(&self, email: String, password: String, remember: bool) -> Result<Session> {
        Ok(self.inner.login(&email, &password, remember)?.into())
    }

    /// Ends a session; an unknown one is not an error.
    pub fn logout(&self, session_token: String) -> Result<()> {
        Ok(self.inner.logout(&session_token)?)
    }

    /// Changes the password: the current one, then the new one twice. Every session ends.
    pub fn change_password(
        &self,
        session_token: String,
        current: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        Ok(self
            .inner
            .change_password(&session_token, &current, &password, &confirmation)?)
    }

    // ----- users and rights (seed §2) -----

    /// The establishments where the session's account manages accounts.
    pub fn manageable_establishments(&self, session_token: String) -> Result<Vec<Establishment>> {
        Ok(self
            .inner
            .manageable_establishments(&session_token)?
            .into_iter()
            .map(Establishment::from)
            .collect())
    }

    /// Creates a user (`Invited`, activation mail queued) with rights the actor holds there.
    /// Phones are typed as people type them (`06 23 42 54 55`, France by default, or
    /// `+44 7400 123456`). Returns the account id.
    #[allow(clippy::too_many_arguments)] // the contract's signature
    #[uniffi::method(default(mobile = None, landline = None))]
    pub fn create_user(
        &self,
        session_token: String,
        establishment_code: String,
        last_name: String,
        first_name: String,
        email: String,
        rights: Vec<Right>,
        mobile: Option<String>,
        landline: Option<String>,
    ) -> Result<String> {
        let mut user = NewUser::new(&last_name, &first_name, &email)?;
        if let Some(m) = mobile {
            user = user.with_mobile(PhoneNumber::DEFAULT_CALLING_CODE, &m)?;
        }
        if let Some(l) = landline {
            user = user.with_landline(PhoneNumber::DEFAULT_CALLING_CODE, &l)?;
        }
        Ok(self
            .inner
            .create_user(
                &session_token,
                &establishment_code,
                &user,
                to_rights(&rights),
            )?
            .to_string())
    }

    /// The activation form ("Première connexion"): email and the new password twice.
    pub fn activate_account(
        &self,
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        Ok(self
            .inner
            .activate_account(&token, &email, &password, &confirmation)?)
    }

    /// "Vous êtes réparateur ? Créer un compte": the same answer when the email is taken.
    pub fn register_repairer(
        &self,
        email: String,
        last_name: String,
        first_name: String,
        company: String,
        city: String,
    ) -> Result<()> {
        Ok(self
            .inner
            .register_repairer(&email, &last_name, &first_name, &company, &city)?)
    }

    /// Sends a new activation link to an invited account; the earlier one stops working.
    pub fn resend_activation(&self, session_token: String, account_id: String) -> Result<()> {
        Ok(self.inner.resend_activation(&session_token, &account_id)?)
    }

    /// Sets an account's rights on one establishment (an empty list removes them).
    pub fn set_rights(
        &self,
        session_token: String,
        account_id: String,
        establishment_code: String,
        rights: Vec<Right>,
    ) -> Result<()> {
        Ok(self.inner.set_rights(
            &session_token,
            &account_id,
            &establishment_code,
            to_rights(&rights),
        )?)
    }

    /// An account's rights: establishment code → rights, only where it holds at least one
    /// (the actor's own account: all of them; another: on the establishments the actor manages).
    pub fn rights_matrix(
        &self,
        session_token: String,
        account_id: String,
    ) -> Result<HashMap<String, Vec<Right>>> {
        Ok(self
            .inner
            .rights_matrix(&session_token, &account_id)?
            .iter()
            .map(|(code, rights)| (code.as_str().to_owned(), from_rights(rights)))
            .collect())
    }

    /// Disables an account: no more login, its sessions and links end.
    pub fn disable_account(&self, session_token: String, account_id: String) -> Result<()> {
        Ok(self.inner.disable_account(&session_token, &account_id)?)
    }

    /// Re-enables a disabled account.
    pub fn enable_account(&self, session_token: String, account_id: String) -> Result<()> {
        Ok(self.inner.enable_account(&session_token, &account_id)?)
    }

    /// Accounts with rights on the establishments the actor manages (the actor included, in
    /// every state unless filtered), searched case- and accent-insensitively, in French order.
    /// `state`: `declared`, `invited`, `active` or `disabled`.
    #[allow(clippy::too_many_arguments)] // one argument per filter of the screen
    #[uniffi::method(default(
        text = None,
        establishment_code = None,
        descending = false,
        offset = 0,
        limit = 50,
        right = None,
        state = None
    ))]
    pub fn list_accounts(
        &self,
        session_token: String,
        text: Option<String>,
        establishment_code: Option<String>,
        descending: bool,
        offset: u32,
        limit: u32,
        right: Option<Right>,
        state: Option<String>,
    ) -> Result<AccountPage> {
        let q = AccountQuery {
            text,
            establishment: establishment_code
                .as_deref()
                .map(EstablishmentCode::parse)
                .transpose()?,
            right: right.map(Into::into),
            state: state.as_deref().map(AccountState::from_code).transpose()?,
            descending,
            offset: size(offset),
            limit: size(limit),
        };
        Ok(self.inner.list_accounts(&session_token, &q)?.into())
    }

    // ----- documents (seed §3) -----

    /// Adds a document of an establishment (the host's import). Returns its id.
    pub fn add_document(&self, establishment_code: String, document: Document) -> Result<String> {
        let doc = NewDocument::try_from(&document)?;
        Ok(self
            .inner
            .add_document(&establishment_code, &doc)?
            .to_string())
    }

    /// Searches the documents of the establishment the user is connected to ("Je recherche"):
    /// category, kind, number, period `M/YYYY`–`M/YYYY`, quick reference; newest first.
    #[allow(clippy::too_many_arguments)] // one argument per field of the search form
    #[uniffi::method(default(
        kind = None,
        number = None,
        period_from = None,
        period_to = None,
        reference = None,
        offset = 0,
        limit = 50
    ))]
    pub fn search_documents(
        &self,
        session_token: String,
        establishment_code: String,
        category: String,
        kind: Option<String>,
        number: Option<String>,
        period_from: Option<String>,
        period_to: Option<String>,
        reference: Option<String>,
        offset: u32,
        limit: u32,
    ) -> Result<DocumentPage> {
        let q = DocumentQuery::parse(
            &category,
            kind.as_deref(),
            number.as_deref(),
            period_from.as_deref(),
            period_to.as_deref(),
            reference.as_deref(),
            size(offset),
            size(limit),
        )?;
        Ok(self
            .inner
            .search_documents(&session_token, &establishment_code, &q)?
            .into())
    }

    // ----- audit -----

    /// The audit log of an establishment the actor manages, newest first.
    #[uniffi::method(default(offset = 0, limit = 50))]
    pub fn audit_log(
        &self,
        session_token: String,
        establishment_code: String,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        Ok(self
            .inner
            .audit_log(
                &session_token,
                &establishment_code,
                size(offset),
                size(limit),
            )?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }
}

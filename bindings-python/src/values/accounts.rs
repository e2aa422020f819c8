//! Accounts and what surrounds them: the rights (`Right`), establishments, login sessions, the
//! notifications of the outbox and the state of their links, the account list, the audit log and
//! the rows of a bulk import.

use super::regimes::PyRegime;
use crate::convert::{iso, json_to_py, r, r_list, r_opt};
use crate::errors::Res;
use dealer_portal::account::AccountSummary as CoreAccountSummary;
use dealer_portal::audit::AuditEvent as CoreAuditEvent;
use dealer_portal::establishment::Establishment as CoreEstablishment;
use dealer_portal::notification::Notification as CoreNotification;
use dealer_portal::rights::{Right as CoreRight, Rights, RightsMatrix};
use dealer_portal::{Coded, Locale, SecretString};
use pyo3::prelude::*;
use pyo3::types::PyDict;

// ----- rights -----

/// One of the six rights of an account on an establishment.
#[pyclass(
    module = "dealer_portal",
    name = "Right",
    frozen,
    eq,
    ord,
    hash,
    from_py_object
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum PyRight {
    #[pyo3(name = "QUOTES_AND_SUBSCRIPTIONS")]
    QuotesAndSubscriptions,
    #[pyo3(name = "SEARCH_QUOTES_AND_CONTRACTS")]
    SearchQuotesAndContracts,
    #[pyo3(name = "SUBMIT_CLAIMS")]
    SubmitClaims,
    #[pyo3(name = "SEARCH_CLAIMS")]
    SearchClaims,
    #[pyo3(name = "ACCOUNTING_DOCUMENTS")]
    AccountingDocuments,
    #[pyo3(name = "MANAGE_ACCOUNTS")]
    ManageAccounts,
}

impl From<PyRight> for CoreRight {
    fn from(r: PyRight) -> CoreRight {
        match r {
            PyRight::QuotesAndSubscriptions => CoreRight::QuotesAndSubscriptions,
            PyRight::SearchQuotesAndContracts => CoreRight::SearchQuotesAndContracts,
            PyRight::SubmitClaims => CoreRight::SubmitClaims,
            PyRight::SearchClaims => CoreRight::SearchClaims,
            PyRight::AccountingDocuments => CoreRight::AccountingDocuments,
            PyRight::ManageAccounts => CoreRight::ManageAccounts,
        }
    }
}

impl From<CoreRight> for PyRight {
    fn from(r: CoreRight) -> PyRight {
        match r {
            CoreRight::QuotesAndSubscriptions => PyRight::QuotesAndSubscriptions,
            CoreRight::SearchQuotesAndContracts => PyRight::SearchQuotesAndContracts,
            CoreRight::SubmitClaims => PyRight::SubmitClaims,
            CoreRight::SearchClaims => PyRight::SearchClaims,
            CoreRight::AccountingDocuments => PyRight::AccountingDocuments,
            CoreRight::ManageAccounts => PyRight::ManageAccounts,
        }
    }
}

/// A right set as a list in canonical order.
pub(crate) fn rights_list(rights: Rights) -> Vec<PyRight> {
    rights.iter().map(PyRight::from).collect()
}

/// A rights matrix as `{establishment code: [Right, ...]}`, in code order: the core's matrix
/// holds only establishments where some right is held, so every list is non-empty.
pub(crate) fn matrix_dict<'py>(py: Python<'py>, m: &RightsMatrix) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (code, rights) in m.iter() {
        d.set_item(code.as_str(), rights_list(rights))?;
    }
    Ok(d)
}

/// Any iterable of `Right`s as a core right set.
pub(crate) fn rights_arg(obj: &Bound<'_, PyAny>) -> PyResult<Rights> {
    let mut set = Rights::EMPTY;
    for item in obj.try_iter()? {
        set.insert(item?.extract::<PyRight>()?.into());
    }
    Ok(set)
}

#[pymethods]
impl PyRight {
    /// The stable snake_case code (`"manage_accounts"`).
    #[getter]
    fn code(&self) -> &'static str {
        CoreRight::from(*self).code()
    }
    /// The same as `code`, as `enum.Enum.value`.
    #[getter]
    fn value(&self) -> &'static str {
        self.code()
    }
    /// The member's name (`"MANAGE_ACCOUNTS"`).
    #[getter]
    fn name(&self) -> &'static str {
        match self {
            PyRight::QuotesAndSubscriptions => "QUOTES_AND_SUBSCRIPTIONS",
            PyRight::SearchQuotesAndContracts => "SEARCH_QUOTES_AND_CONTRACTS",
            PyRight::SubmitClaims => "SUBMIT_CLAIMS",
            PyRight::SearchClaims => "SEARCH_CLAIMS",
            PyRight::AccountingDocuments => "ACCOUNTING_DOCUMENTS",
            PyRight::ManageAccounts => "MANAGE_ACCOUNTS",
        }
    }
    /// The French label ("Gérer les comptes").
    #[getter]
    fn label_fr(&self) -> &'static str {
        CoreRight::from(*self).label(Locale::Fr)
    }
    /// The English label ("Manage accounts").
    #[getter]
    fn label_en(&self) -> &'static str {
        CoreRight::from(*self).label(Locale::En)
    }
    /// The seed's explanation in French ("Permet de créer des devis et des souscriptions de
    /// contrats"), shown beside the check-box.
    #[getter]
    fn description_fr(&self) -> &'static str {
        CoreRight::from(*self).description(Locale::Fr)
    }
    /// The seed's explanation in English ("Lets you create quotes and contract subscriptions").
    #[getter]
    fn description_en(&self) -> &'static str {
        CoreRight::from(*self).description(Locale::En)
    }
    /// The right with this code (case-insensitive); ValidationError UNKNOWN_CODE otherwise.
    #[staticmethod]
    fn from_code(code: String) -> Res<PyRight> {
        Ok(CoreRight::from_code(&code)?.into())
    }
    /// Every right, in canonical order.
    #[staticmethod]
    fn all() -> Vec<PyRight> {
        CoreRight::ALL.iter().map(|r| PyRight::from(*r)).collect()
    }
    fn __repr__(&self) -> String {
        format!("Right.{}", self.name())
    }
    fn __str__(&self) -> &'static str {
        self.code()
    }
}

// ----- establishments -----

/// An establishment (point de vente): code, name, city and regime (none for a repairer's).
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Establishment {
    pub(crate) inner: CoreEstablishment,
}

#[pymethods]
impl Establishment {
    #[new]
    #[pyo3(signature = (code, name, city, regime=None))]
    fn new(code: String, name: String, city: String, regime: Option<PyRegime>) -> Res<Self> {
        Ok(Establishment {
            inner: CoreEstablishment::new(&code, &name, &city, regime.map(Into::into))?,
        })
    }
    #[getter]
    fn code(&self) -> &str {
        self.inner.code.as_str()
    }
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn city(&self) -> &str {
        &self.inner.city
    }
    #[getter]
    fn regime(&self) -> Option<PyRegime> {
        self.inner.regime.map(Into::into)
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            self.inner.code.as_str(),
            &self.inner.name,
            &self.inner.city,
            self.inner.regime.map(|x| x.code()),
        )
            .hash(&mut h);
        h.finish()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Establishment(code={}, name={}, city={}, regime={})",
            r(py, self.code()),
            r(py, &self.inner.name),
            r(py, &self.inner.city),
            self.regime()
                .map_or_else(|| "None".to_owned(), |x| x.__repr__())
        )
    }
}

// ----- tokens, sessions, notifications -----

/// A login session. The token is a secret: it never appears in `repr`.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) token: SecretString,
    pub(crate) account_id: String,
    pub(crate) expires_at: String,
}

#[pymethods]
impl Session {
    /// The session token, for a cookie or a keychain.
    #[getter]
    fn token(&self) -> &str {
        self.token.expose()
    }
    #[getter]
    fn account_id(&self) -> &str {
        &self.account_id
    }
    /// When it expires if not used (ISO 8601, UTC).
    #[getter]
    fn expires_at(&self) -> &str {
        &self.expires_at
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Session(account_id={}, expires_at={}, token=<redacted>)",
            r(py, &self.account_id),
            r(py, &self.expires_at)
        )
    }
}

/// A queued mail the host must send, then acknowledge. The token is a secret: it never appears
/// in `repr`.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct Notification {
    pub(crate) inner: CoreNotification,
}

#[pymethods]
impl Notification {
    /// Its id in the outbox, for `acknowledge_notification`.
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id.0
    }
    /// password_reset, activation, account_locked, account_exists, email_change or
    /// email_change_requested (the core's notification kinds).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.body.kind.code()
    }
    /// The recipient (normalised: trimmed, lower case).
    #[getter]
    fn email(&self) -> &str {
        self.inner.body.email.as_str()
    }
    /// The recipient's name, for the greeting.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.body.name
    }
    /// The link's token, for mails that carry a link.
    #[getter]
    fn token(&self) -> Option<&str> {
        self.inner.body.token.as_ref().map(|t| t.expose())
    }
    /// When the link (or the lock) expires (ISO 8601, UTC).
    #[getter]
    fn expires_at(&self) -> Option<String> {
        self.inner.body.expires_at.map(iso)
    }
    /// When it was queued (ISO 8601, UTC).
    #[getter]
    fn created_at(&self) -> String {
        iso(self.inner.created_at)
    }
    /// The mail's language: "fr" or "en".
    #[getter]
    fn locale(&self) -> &'static str {
        self.inner.body.locale.code()
    }
    /// The mail's subject in its language.
    #[getter]
    fn subject(&self) -> &'static str {
        self.inner.subject()
    }
    /// The link to put in the mail, given the form's base URL; None for mails without a link.
    fn link(&self, base: String) -> Option<String> {
        self.inner.link(&base)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Notification(id={}, kind={}, email={}, token={}, expires_at={})",
            self.id(),
            r(py, self.kind()),
            r(py, self.email()),
            if self.inner.body.token.is_some() {
                "<redacted>"
            } else {
                "None"
            },
            r_opt(py, self.expires_at().as_deref())
        )
    }
}

/// Whether a reset or activation link can still be used (inspecting never consumes it).
#[pyclass(module = "dealer_portal", frozen, eq, get_all)]
#[derive(PartialEq, Eq)]
pub(crate) struct TokenStatus {
    pub(crate) usable: bool,
    /// password_reset or activation, when the token is known.
    pub(crate) kind: Option<&'static str>,
    /// When it expires, when usable (ISO 8601, UTC).
    pub(crate) expires_at: Option<String>,
}

#[pymethods]
impl TokenStatus {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "TokenStatus(usable={}, kind={}, expires_at={})",
            if self.usable { "True" } else { "False" },
            r_opt(py, self.kind),
            r_opt(py, self.expires_at.as_deref())
        )
    }
}

// ----- accounts -----

/// One line of the account list.
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccountSummary {
    pub(crate) inner: CoreAccountSummary,
}

#[pymethods]
impl AccountSummary {
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }
    #[getter]
    fn email(&self) -> &str {
        self.inner.email.as_str()
    }
    #[getter]
    fn last_name(&self) -> &str {
        self.inner.last_name.as_str()
    }
    #[getter]
    fn first_name(&self) -> &str {
        self.inner.first_name.as_str()
    }
    /// declared, invited, active or disabled.
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.state.code()
    }
    /// The codes of the establishments (visible to the actor) where it holds rights.
    #[getter]
    fn establishments(&self) -> Vec<&str> {
        self.inner
            .establishments
            .iter()
            .map(|c| c.as_str())
            .collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AccountSummary(id={}, email={}, last_name={}, first_name={}, state={}, establishments={})",
            r(py, &self.id()),
            r(py, self.email()),
            r(py, self.last_name()),
            r(py, self.first_name()),
            r(py, self.state()),
            r_list(py, self.establishments())
        )
    }
}

/// A page of accounts with the total number of matches.
#[pyclass(module = "dealer_portal", frozen, eq, get_all)]
#[derive(PartialEq, Eq)]
pub(crate) struct AccountPage {
    pub(crate) items: Vec<AccountSummary>,
    pub(crate) total: usize,
}

#[pymethods]
impl AccountPage {
    fn __repr__(&self) -> String {
        format!(
            "AccountPage(total={}, items=<{} accounts>)",
            self.total,
            self.items.len()
        )
    }
}

// ----- audit -----

/// One entry of the audit log, chained to the previous one by SHA-256.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct AuditEvent {
    pub(crate) inner: CoreAuditEvent,
}

#[pymethods]
impl AuditEvent {
    /// Its position in the log, from 1.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }
    /// When (ISO 8601, UTC).
    #[getter]
    fn at(&self) -> String {
        iso(self.inner.event.at)
    }
    /// Who did it (an account id), None for anonymous requests.
    #[getter]
    fn actor(&self) -> Option<String> {
        self.inner.event.actor.map(|a| a.to_string())
    }
    /// What happened (user_created, rights_changed, ...).
    #[getter]
    fn action(&self) -> &'static str {
        self.inner.event.action.code()
    }
    /// The action in French ("Utilisateur créé").
    #[getter]
    fn action_label_fr(&self) -> &'static str {
        self.inner.event.action.label(Locale::Fr)
    }
    /// To whom (an account id).
    #[getter]
    fn subject(&self) -> Option<String> {
        self.inner.event.subject.map(|a| a.to_string())
    }
    /// The establishments concerned.
    #[getter]
    fn establishments(&self) -> Vec<&str> {
        self.inner
            .event
            .establishments
            .iter()
            .map(|c| c.as_str())
            .collect()
    }
    /// Details (rights before and after, reasons...), as JSON-like Python values.
    #[getter]
    fn details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.event.details)
    }
    /// The previous entry's hash, hex.
    #[getter]
    fn prev_hash(&self) -> &str {
        &self.inner.prev_hash
    }
    /// This entry's hash, hex.
    #[getter]
    fn hash(&self) -> &str {
        &self.inner.hash
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AuditEvent(seq={}, at={}, action={}, actor={}, subject={}, establishments={})",
            self.inner.seq,
            r(py, &self.at()),
            r(py, self.action()),
            r_opt(py, self.actor().as_deref()),
            r_opt(py, self.subject().as_deref()),
            r_list(py, self.establishments())
        )
    }
}

// ----- bulk import -----

/// One row of a bulk user import (`Portal.create_users`). Holds the text as given: each row is
/// validated by the core when imported, and a bad row gets its own error.
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UserImport {
    pub(crate) establishment_code: String,
    pub(crate) last_name: String,
    pub(crate) first_name: String,
    pub(crate) email: String,
    pub(crate) rights: Vec<PyRight>,
    pub(crate) mobile: Option<String>,
    pub(crate) landline: Option<String>,
}

#[pymethods]
impl UserImport {
    #[new]
    #[pyo3(signature = (establishment_code, last_name, first_name, email, rights, mobile=None, landline=None))]
    fn new(
        establishment_code: String,
        last_name: String,
        first_name: String,
        email: String,
        rights: &Bound<'_, PyAny>,
        mobile: Option<String>,
        landline: Option<String>,
    ) -> PyResult<Self> {
        let rights = rights_list(rights_arg(rights)?);
        Ok(UserImport {
            establishment_code,
            last_name,
            first_name,
            email,
            rights,
            mobile,
            landline,
        })
    }
    #[getter]
    fn establishment_code(&self) -> &str {
        &self.establishment_code
    }
    #[getter]
    fn last_name(&self) -> &str {
        &self.last_name
    }
    #[getter]
    fn first_name(&self) -> &str {
        &self.first_name
    }
    #[getter]
    fn email(&self) -> &str {
        &self.email
    }
    #[getter]
    fn rights(&self) -> Vec<PyRight> {
        self.rights.clone()
    }
    #[getter]
    fn mobile(&self) -> Option<&str> {
        self.mobile.as_deref()
    }
    #[getter]
    fn landline(&self) -> Option<&str> {
        self.landline.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let rights: Vec<String> = self.rights.iter().map(|x| x.__repr__()).collect();
        format!(
            "UserImport(establishment_code={}, last_name={}, first_name={}, email={}, rights=[{}], mobile={}, landline={})",
            r(py, &self.establishment_code),
            r(py, &self.last_name),
            r(py, &self.first_name),
            r(py, &self.email),
            rights.join(", "),
            r_opt(py, self.mobile.as_deref()),
            r_opt(py, self.landline.as_deref())
        )
    }
}

//! Enums and frozen value classes: thin wrappers around the core's types.
//!
//! Each class holds the core value and reads its fields on access; codes and labels come from
//! the core's [`Coded`] implementations. No rule lives here.

use crate::convert::{iso, json_to_py, r, r_list, r_opt};
use crate::errors::Res;
use dealer_portal::account::AccountSummary as CoreAccountSummary;
use dealer_portal::audit::AuditEvent as CoreAuditEvent;
use dealer_portal::document::{Document as CoreDocument, NewDocument};
use dealer_portal::establishment::Establishment as CoreEstablishment;
use dealer_portal::notification::Notification as CoreNotification;
use dealer_portal::password::{Check as CoreCheck, Evaluation as CoreEvaluation};
use dealer_portal::reference::Reference as CoreReference;
use dealer_portal::regime::{
    DebitLine as CoreDebitLine, ExpectedDebit as CoreExpectedDebit,
    ReconciledDebit as CoreReconciledDebit, Reconciliation as CoreReconciliation,
    Regime as CoreRegime,
};
use dealer_portal::rights::{Right as CoreRight, Rights};
use dealer_portal::support::{
    SupportChannel as CoreSupportChannel, SupportDirectory as CoreSupportDirectory,
};
use dealer_portal::{Coded, Locale, SecretString};
use pyo3::prelude::*;

// ----- enums -----

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

/// The insurance regime of an establishment.
#[pyclass(
    module = "dealer_portal",
    name = "Regime",
    frozen,
    eq,
    ord,
    hash,
    from_py_object
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum PyRegime {
    #[pyo3(name = "INSURANCE")]
    Insurance,
    #[pyo3(name = "DELEGATED_MANAGEMENT")]
    DelegatedManagement,
    #[pyo3(name = "SELF_INSURANCE")]
    SelfInsurance,
}

impl From<PyRegime> for CoreRegime {
    fn from(r: PyRegime) -> CoreRegime {
        match r {
            PyRegime::Insurance => CoreRegime::Insurance,
            PyRegime::DelegatedManagement => CoreRegime::DelegatedManagement,
            PyRegime::SelfInsurance => CoreRegime::SelfInsurance,
        }
    }
}

impl From<CoreRegime> for PyRegime {
    fn from(r: CoreRegime) -> PyRegime {
        match r {
            CoreRegime::Insurance => PyRegime::Insurance,
            CoreRegime::DelegatedManagement => PyRegime::DelegatedManagement,
            CoreRegime::SelfInsurance => PyRegime::SelfInsurance,
        }
    }
}

#[pymethods]
impl PyRegime {
    /// The stable snake_case code (`"delegated_management"`).
    #[getter]
    fn code(&self) -> &'static str {
        CoreRegime::from(*self).code()
    }
    /// The same as `code`, as `enum.Enum.value`.
    #[getter]
    fn value(&self) -> &'static str {
        self.code()
    }
    /// The member's name (`"DELEGATED_MANAGEMENT"`).
    #[getter]
    fn name(&self) -> &'static str {
        match self {
            PyRegime::Insurance => "INSURANCE",
            PyRegime::DelegatedManagement => "DELEGATED_MANAGEMENT",
            PyRegime::SelfInsurance => "SELF_INSURANCE",
        }
    }
    /// The French label ("Gestion déléguée").
    #[getter]
    fn label_fr(&self) -> &'static str {
        CoreRegime::from(*self).label(Locale::Fr)
    }
    /// The English label ("Delegated management").
    #[getter]
    fn label_en(&self) -> &'static str {
        CoreRegime::from(*self).label(Locale::En)
    }
    /// The regime with this code (case-insensitive); ValidationError UNKNOWN_CODE otherwise.
    #[staticmethod]
    fn from_code(code: String) -> Res<PyRegime> {
        Ok(CoreRegime::from_code(&code)?.into())
    }
    /// Every regime, in canonical order.
    #[staticmethod]
    fn all() -> Vec<PyRegime> {
        CoreRegime::ALL.iter().map(|r| PyRegime::from(*r)).collect()
    }
    fn __repr__(&self) -> String {
        format!("Regime.{}", self.name())
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

// ----- password evaluation -----

/// The result of one password criterion.
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Check {
    pub(crate) inner: CoreCheck,
}

#[pymethods]
impl Check {
    /// The criterion's code: min_length, uppercase, lowercase, digit, special, confirmation, ...
    #[getter]
    fn criterion(&self) -> &'static str {
        self.inner.criterion.code()
    }
    #[getter]
    fn met(&self) -> bool {
        self.inner.met
    }
    /// The number shown in the label (the minimum, or the maximum for max_length; else 0).
    #[getter]
    fn threshold(&self) -> usize {
        self.inner.threshold
    }
    /// The bullet in French ("15 caractères").
    #[getter]
    fn label_fr(&self) -> String {
        self.inner.label(Locale::Fr)
    }
    /// The bullet in English ("15 characters").
    #[getter]
    fn label_en(&self) -> String {
        self.inner.label(Locale::En)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Check(criterion={}, met={})",
            r(py, self.criterion()),
            if self.inner.met { "True" } else { "False" }
        )
    }
}

/// The evaluation of a candidate password, criterion by criterion.
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Evaluation {
    pub(crate) inner: CoreEvaluation,
}

#[pymethods]
impl Evaluation {
    /// Whether every reported criterion is met.
    #[getter]
    fn acceptable(&self) -> bool {
        self.inner.acceptable()
    }
    /// The checks, in the policy's order.
    #[getter]
    fn checks(&self) -> Vec<Check> {
        self.inner
            .checks
            .iter()
            .map(|c| Check { inner: c.clone() })
            .collect()
    }
    /// The codes of the unmet criteria, in order.
    #[getter]
    fn failed(&self) -> Vec<&'static str> {
        self.inner.failed().into_iter().map(Coded::code).collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Evaluation(acceptable={}, failed={})",
            if self.acceptable() { "True" } else { "False" },
            r_list(py, self.failed())
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
    /// password_reset, activation, account_locked or account_exists.
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

// ----- documents -----

/// A document of an establishment: built to be added (`id` and `establishment` None), or found
/// by a search. Its file stays with the host: `file_ref` is a reference, not bytes.
#[pyclass(module = "dealer_portal", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Document {
    pub(crate) id: Option<String>,
    pub(crate) establishment: Option<String>,
    pub(crate) inner: NewDocument,
}

impl From<CoreDocument> for Document {
    fn from(d: CoreDocument) -> Self {
        Document {
            id: Some(d.id.to_string()),
            establishment: Some(d.establishment.as_str().to_owned()),
            inner: d.doc,
        }
    }
}

#[pymethods]
impl Document {
    #[new]
    #[pyo3(signature = (category, number, issued_on, kind=None, title=None, amount_cents=None,
        registration=None, contract_number=None, agreement_number=None, file_ref=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        category: String,
        number: String,
        issued_on: String,
        kind: Option<String>,
        title: Option<String>,
        amount_cents: Option<i64>,
        registration: Option<String>,
        contract_number: Option<String>,
        agreement_number: Option<String>,
        file_ref: Option<String>,
    ) -> Res<Self> {
        let mut d = NewDocument::new(&category, &number, &issued_on)?;
        if let Some(k) = kind {
            d = d.with_kind(&k)?;
        }
        if let Some(t) = title {
            d = d.with_title(&t)?;
        }
        d = d.with_amount_cents(amount_cents);
        if let Some(x) = registration {
            d = d.with_registration(&x)?;
        }
        if let Some(x) = contract_number {
            d = d.with_contract_number(&x)?;
        }
        if let Some(x) = agreement_number {
            d = d.with_agreement_number(&x)?;
        }
        if let Some(x) = file_ref {
            d = d.with_file_ref(&x)?;
        }
        Ok(Document {
            id: None,
            establishment: None,
            inner: d,
        })
    }
    /// The id the store gave it (None before it is added).
    #[getter]
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The code of its establishment (None before it is added).
    #[getter]
    fn establishment(&self) -> Option<&str> {
        self.establishment.as_deref()
    }
    /// accounting, contract, quote or workshop_claim.
    #[getter]
    fn category(&self) -> &'static str {
        self.inner.category.code()
    }
    /// The accounting document's kind (maintenance_invoice, ...), None for other categories.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.inner.kind.map(|k| k.code())
    }
    #[getter]
    fn number(&self) -> &str {
        &self.inner.number
    }
    /// The issue date, YYYY-MM-DD.
    #[getter]
    fn issued_on(&self) -> String {
        self.inner.issued_on.to_string()
    }
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }
    #[getter]
    fn amount_cents(&self) -> Option<i64> {
        self.inner.amount_cents
    }
    #[getter]
    fn registration(&self) -> Option<&str> {
        self.inner.registration.as_deref()
    }
    #[getter]
    fn contract_number(&self) -> Option<&str> {
        self.inner.contract_number.as_deref()
    }
    #[getter]
    fn agreement_number(&self) -> Option<&str> {
        self.inner.agreement_number.as_deref()
    }
    #[getter]
    fn file_ref(&self) -> Option<&str> {
        self.inner.file_ref.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let mut s = format!(
            "Document(id={}, establishment={}, category={}, number={}, issued_on={}",
            r_opt(py, self.id.as_deref()),
            r_opt(py, self.establishment.as_deref()),
            r(py, self.category()),
            r(py, &self.inner.number),
            r(py, &self.issued_on())
        );
        let optional = [
            ("kind", self.kind()),
            ("title", self.title()),
            ("registration", self.registration()),
            ("contract_number", self.contract_number()),
            ("agreement_number", self.agreement_number()),
            ("file_ref", self.file_ref()),
        ];
        for (name, v) in optional {
            if let Some(v) = v {
                s.push_str(&format!(", {name}={}", r(py, v)));
            }
        }
        if let Some(a) = self.inner.amount_cents {
            s.push_str(&format!(", amount_cents={a}"));
        }
        s.push(')');
        s
    }
}

/// A page of documents, newest first, with the total number of matches.
#[pyclass(module = "dealer_portal", frozen, eq, get_all)]
#[derive(PartialEq, Eq)]
pub(crate) struct DocumentPage {
    pub(crate) items: Vec<Document>,
    pub(crate) total: usize,
}

#[pymethods]
impl DocumentPage {
    fn __repr__(&self) -> String {
        format!(
            "DocumentPage(total={}, items=<{} documents>)",
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

// ----- regimes and debits -----

/// A line of a direct debit: issuer, nature and amount in cents.
#[pyclass(module = "dealer_portal", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct DebitLine {
    pub(crate) inner: CoreDebitLine,
}

#[pymethods]
impl DebitLine {
    #[new]
    #[pyo3(signature = (issuer, nature, amount_cents, label=None))]
    fn new(issuer: String, nature: String, amount_cents: i64, label: Option<String>) -> Res<Self> {
        let mut line = CoreDebitLine::new(&issuer, &nature, amount_cents)?;
        if let Some(l) = label {
            line = line.with_label(&l)?;
        }
        Ok(DebitLine { inner: line })
    }
    /// stellantis_insurance or stellantis_services.
    #[getter]
    fn issuer(&self) -> &'static str {
        self.inner.issuer.code()
    }
    /// premium, claims_settled, management_fees or npo.
    #[getter]
    fn nature(&self) -> &'static str {
        self.inner.nature.code()
    }
    #[getter]
    fn amount_cents(&self) -> i64 {
        self.inner.amount_cents
    }
    #[getter]
    fn label(&self) -> Option<&str> {
        self.inner.label.as_deref()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let label = self
            .inner
            .label
            .as_deref()
            .map(|l| format!(", label={}", r(py, l)))
            .unwrap_or_default();
        format!(
            "DebitLine(issuer={}, nature={}, amount_cents={}{label})",
            r(py, self.issuer()),
            r(py, self.nature()),
            self.inner.amount_cents
        )
    }
}

/// A monthly debit a regime expects.
#[pyclass(module = "dealer_portal", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct ExpectedDebit {
    pub(crate) inner: CoreExpectedDebit,
}

#[pymethods]
impl ExpectedDebit {
    /// The debit's code (insurance_monthly, claims_settled, ...).
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.code()
    }
    /// Who collects it.
    #[getter]
    fn issuer(&self) -> &'static str {
        self.inner.issuer.code()
    }
    /// The (issuer, nature) pairs of the lines it gathers.
    #[getter]
    fn accepted(&self) -> Vec<(&'static str, &'static str)> {
        self.inner
            .accepted
            .iter()
            .map(|(i, n)| (i.code(), n.code()))
            .collect()
    }
    #[getter]
    fn label_fr(&self) -> &'static str {
        self.inner.label(Locale::Fr)
    }
    #[getter]
    fn label_en(&self) -> &'static str {
        self.inner.label(Locale::En)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ExpectedDebit(code={}, issuer={})",
            r(py, self.code()),
            r(py, self.issuer())
        )
    }
}

/// An expected debit with its lines and total.
#[pyclass(module = "dealer_portal", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ReconciledDebit {
    pub(crate) inner: CoreReconciledDebit,
}

#[pymethods]
impl ReconciledDebit {
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.code()
    }
    #[getter]
    fn issuer(&self) -> &'static str {
        self.inner.issuer.code()
    }
    #[getter]
    fn lines(&self) -> Vec<DebitLine> {
        self.inner
            .lines
            .iter()
            .map(|l| DebitLine { inner: l.clone() })
            .collect()
    }
    #[getter]
    fn total_cents(&self) -> i64 {
        self.inner.total_cents
    }
    #[getter]
    fn label_fr(&self) -> &'static str {
        self.inner.code.label(Locale::Fr)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ReconciledDebit(code={}, issuer={}, lines=<{} lines>, total_cents={})",
            r(py, self.code()),
            r(py, self.issuer()),
            self.inner.lines.len(),
            self.inner.total_cents
        )
    }
}

/// A month's debit lines reconciled against a regime's expected debits.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct Reconciliation {
    pub(crate) inner: CoreReconciliation,
}

#[pymethods]
impl Reconciliation {
    #[getter]
    fn regime(&self) -> PyRegime {
        self.inner.regime.into()
    }
    /// The month, M/YYYY.
    #[getter]
    fn month(&self) -> String {
        self.inner.month.to_string()
    }
    /// Each expected debit with its lines and total, in the regime's order.
    #[getter]
    fn debits(&self) -> Vec<ReconciledDebit> {
        self.inner
            .debits
            .iter()
            .map(|d| ReconciledDebit { inner: d.clone() })
            .collect()
    }
    /// Codes of the expected debits with no line.
    #[getter]
    fn missing(&self) -> Vec<&'static str> {
        self.inner.missing.iter().map(|c| c.code()).collect()
    }
    /// The lines that belong to no debit of the regime.
    #[getter]
    fn unexpected(&self) -> Vec<DebitLine> {
        self.inner
            .unexpected
            .iter()
            .map(|l| DebitLine { inner: l.clone() })
            .collect()
    }
    /// Nothing missing and nothing unexpected.
    #[getter]
    fn complete(&self) -> bool {
        self.inner.is_complete()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Reconciliation(regime={}, month={}, debits=<{} debits>, missing={}, unexpected=<{} lines>)",
            self.regime().__repr__(),
            r(py, &self.month()),
            self.inner.debits.len(),
            r_list(py, self.missing()),
            self.inner.unexpected.len()
        )
    }
}

// ----- references and support -----

/// A quick-search reference: a registration plate, a contract number or an agreement number.
#[pyclass(module = "dealer_portal", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct Reference {
    pub(crate) inner: CoreReference,
}

#[pymethods]
impl Reference {
    /// registration_plate, contract_number or agreement_number.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().code()
    }
    /// The normalised text ("AB-123-CD", "1234 AB 56", upper-case numbers without separators).
    #[getter]
    fn normalized(&self) -> &str {
        self.inner.normalized()
    }
    /// For a plate, its format (siv or fni); None otherwise.
    #[getter]
    fn plate_format(&self) -> Option<&'static str> {
        self.inner.plate_format().map(|p| p.code())
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Reference(kind={}, normalized={})",
            r(py, self.kind()),
            r(py, self.normalized())
        )
    }
}

/// A support contact channel and the topics it serves.
#[pyclass(module = "dealer_portal", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct SupportChannel {
    pub(crate) inner: CoreSupportChannel,
}

#[pymethods]
impl SupportChannel {
    /// email or phone.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.code()
    }
    #[getter]
    fn value(&self) -> &str {
        &self.inner.value
    }
    /// Codes of the topics it serves (subscription, billing, contract_changes, ...).
    #[getter]
    fn topics(&self) -> Vec<&'static str> {
        self.inner.topics.iter().map(|t| t.code()).collect()
    }
    /// The topics in French.
    #[getter]
    fn topic_labels_fr(&self) -> Vec<&'static str> {
        self.inner
            .topics
            .iter()
            .map(|t| t.label(Locale::Fr))
            .collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SupportChannel(kind={}, value={}, topics={})",
            r(py, self.kind()),
            r(py, &self.inner.value),
            r_list(py, self.topics())
        )
    }
}

/// The support contacts (seed §4).
#[pyclass(module = "dealer_portal", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct SupportDirectory {
    pub(crate) inner: CoreSupportDirectory,
}

#[pymethods]
impl SupportDirectory {
    #[getter]
    fn channels(&self) -> Vec<SupportChannel> {
        self.inner
            .channels
            .iter()
            .map(|c| SupportChannel { inner: c.clone() })
            .collect()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let parts: Vec<String> = self.channels().iter().map(|c| c.__repr__(py)).collect();
        format!("SupportDirectory(channels=[{}])", parts.join(", "))
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

//! What a host shows on every request and every screen (the second release): the session
//! behind a request (`SessionInfo`), the menu's sections, one's sessions (`SessionSummary`), an
//! account's profile (`AccountDetail`) and the calling codes of the phone fields.

use super::accounts::{matrix_dict, rights_arg};
use crate::convert::{iso, r, r_opt};
use crate::errors::Res;
use dealer_portal::account::AccountDetail as CoreAccountDetail;
use dealer_portal::menu::{self, Section as CoreSection};
use dealer_portal::phone::{self, CallingCode as CoreCallingCode, PhoneNumber};
use dealer_portal::service::SessionInfo as CoreSessionInfo;
use dealer_portal::session::SessionSummary as CoreSessionSummary;
use dealer_portal::{Coded, Locale};
use pyo3::prelude::*;
use pyo3::types::PyDict;

// ----- the menu -----

/// A tab of the portal's menu (ACCUEIL, LISTE DEVIS ET CONTRATS, ...), in the seed's order.
#[pyclass(
    module = "dealer_portal",
    name = "Section",
    frozen,
    eq,
    ord,
    hash,
    from_py_object
)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum PySection {
    #[pyo3(name = "HOME")]
    Home,
    #[pyo3(name = "QUOTES_AND_CONTRACTS")]
    QuotesAndContracts,
    #[pyo3(name = "WORKSHOP_CLAIMS")]
    WorkshopClaims,
    #[pyo3(name = "EASICARE")]
    Easicare,
    #[pyo3(name = "DOCUMENTS")]
    Documents,
    #[pyo3(name = "ACCOUNT_MANAGEMENT")]
    AccountManagement,
}

impl From<CoreSection> for PySection {
    fn from(s: CoreSection) -> PySection {
        match s {
            CoreSection::Home => PySection::Home,
            CoreSection::QuotesAndContracts => PySection::QuotesAndContracts,
            CoreSection::WorkshopClaims => PySection::WorkshopClaims,
            CoreSection::Easicare => PySection::Easicare,
            CoreSection::Documents => PySection::Documents,
            CoreSection::AccountManagement => PySection::AccountManagement,
        }
    }
}

impl From<PySection> for CoreSection {
    fn from(s: PySection) -> CoreSection {
        match s {
            PySection::Home => CoreSection::Home,
            PySection::QuotesAndContracts => CoreSection::QuotesAndContracts,
            PySection::WorkshopClaims => CoreSection::WorkshopClaims,
            PySection::Easicare => CoreSection::Easicare,
            PySection::Documents => CoreSection::Documents,
            PySection::AccountManagement => CoreSection::AccountManagement,
        }
    }
}

fn sections_list(sections: &[CoreSection]) -> Vec<PySection> {
    sections.iter().map(|s| PySection::from(*s)).collect()
}

#[pymethods]
impl PySection {
    /// The stable snake_case code (`"workshop_claims"`).
    #[getter]
    fn code(&self) -> &'static str {
        CoreSection::from(*self).code()
    }
    /// The same as `code`, as `enum.Enum.value`.
    #[getter]
    fn value(&self) -> &'static str {
        self.code()
    }
    /// The member's name (`"WORKSHOP_CLAIMS"`).
    #[getter]
    fn name(&self) -> &'static str {
        match self {
            PySection::Home => "HOME",
            PySection::QuotesAndContracts => "QUOTES_AND_CONTRACTS",
            PySection::WorkshopClaims => "WORKSHOP_CLAIMS",
            PySection::Easicare => "EASICARE",
            PySection::Documents => "DOCUMENTS",
            PySection::AccountManagement => "ACCOUNT_MANAGEMENT",
        }
    }
    /// The tab as the seed writes it ("PRISE EN CHARGE ATELIER").
    #[getter]
    fn label_fr(&self) -> &'static str {
        CoreSection::from(*self).label(Locale::Fr)
    }
    /// The tab in English ("WORKSHOP CLAIMS").
    #[getter]
    fn label_en(&self) -> &'static str {
        CoreSection::from(*self).label(Locale::En)
    }
    /// The section with this code (case-insensitive); ValidationError UNKNOWN_CODE otherwise.
    #[staticmethod]
    fn from_code(code: String) -> Res<PySection> {
        Ok(CoreSection::from_code(&code)?.into())
    }
    /// Every section, in the seed's menu order.
    #[staticmethod]
    fn all() -> Vec<PySection> {
        sections_list(CoreSection::ALL)
    }
    fn __repr__(&self) -> String {
        format!("Section.{}", self.name())
    }
    fn __str__(&self) -> &'static str {
        self.code()
    }
}

/// The menu's tabs to show for the rights held on the connected establishment, in the seed's
/// order (the core's `menu::visible_sections`).
#[pyfunction]
pub(crate) fn visible_sections(rights: &Bound<'_, PyAny>) -> PyResult<Vec<PySection>> {
    Ok(sections_list(&menu::visible_sections(rights_arg(rights)?)))
}

// ----- phones -----

/// One entry of the "+33 ▾" list beside a phone field.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct CallingCode {
    pub(crate) inner: CoreCallingCode,
}

#[pymethods]
impl CallingCode {
    /// The region (ISO 3166-1 alpha-2: "FR").
    #[getter]
    fn region(&self) -> &str {
        &self.inner.region
    }
    /// The calling code with its plus ("+33").
    #[getter]
    fn code(&self) -> &str {
        &self.inner.code
    }
    /// What the list shows ("🇫🇷 FR +33"): the core's one label, the same in every language.
    #[getter]
    fn label_fr(&self) -> &str {
        &self.inner.label
    }
    /// The same label as `label_fr` (the core holds no country names).
    #[getter]
    fn label_en(&self) -> &str {
        &self.inner.label
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&self.inner.region, &self.inner.code, &self.inner.label).hash(&mut h);
        h.finish()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "CallingCode(region={}, code={})",
            r(py, &self.inner.region),
            r(py, &self.inner.code)
        )
    }
}

/// Every region with its calling code, France (the default) first.
#[pyfunction]
pub(crate) fn calling_codes() -> Vec<CallingCode> {
    phone::calling_codes()
        .into_iter()
        .map(|c| CallingCode { inner: c })
        .collect()
}

// ----- screen texts -----

/// One text of the seed's screens in both languages (`menu::screen_labels` in the core).
#[pyclass(module = "dealer_portal", frozen, get_all)]
pub(crate) struct ScreenLabel {
    /// What kind of value it labels ("right", "account state", "notice"...).
    group: &'static str,
    /// The value's stable code.
    code: &'static str,
    /// The French text.
    label_fr: &'static str,
    /// The English text.
    label_en: &'static str,
}

#[pymethods]
impl ScreenLabel {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ScreenLabel(group={}, code={}, label_fr={})",
            r(py, self.group),
            r(py, self.code),
            r(py, self.label_fr)
        )
    }
}

/// Every text a host needs for the seed's screens: criteria, rights, states, roles, sections,
/// sort orders, notices, document categories and kinds, regimes, phone fields, mails, topics.
#[pyfunction]
pub(crate) fn screen_labels() -> Vec<ScreenLabel> {
    menu::screen_labels()
        .into_iter()
        .map(|l| ScreenLabel {
            group: l.group,
            code: l.code,
            label_fr: l.label_fr,
            label_en: l.label_en,
        })
        .collect()
}

// ----- sessions -----

/// What `Portal.authenticate` answers: who is connected, until when, where, with which rights
/// and which menu.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct SessionInfo {
    pub(crate) inner: CoreSessionInfo,
}

#[pymethods]
impl SessionInfo {
    #[getter]
    fn account_id(&self) -> String {
        self.inner.account_id.to_string()
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
    /// administrator, user or repairer.
    #[getter]
    fn role(&self) -> &'static str {
        self.inner.role.code()
    }
    /// When the session ends if not used again (ISO 8601, UTC).
    #[getter]
    fn expires_at(&self) -> String {
        iso(self.inner.expires_at)
    }
    /// The code of the establishment the session is connected to (None without any right).
    #[getter]
    fn establishment(&self) -> Option<&str> {
        self.inner.establishment.as_ref().map(|c| c.as_str())
    }
    /// The account's rights by establishment code (only where it holds some).
    #[getter]
    fn rights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        matrix_dict(py, &self.inner.rights)
    }
    /// The menu's tabs visible on the connected establishment, in the seed's order.
    #[getter]
    fn sections(&self) -> Vec<PySection> {
        sections_list(&self.inner.sections)
    }
    #[getter]
    fn mfa_enrolled(&self) -> bool {
        self.inner.mfa_enrolled
    }
    /// Whether the session may only enrol a second factor.
    #[getter]
    fn restricted(&self) -> bool {
        self.inner.restricted
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SessionInfo(account_id={}, email={}, role={}, establishment={}, expires_at={})",
            r(py, &self.account_id()),
            r(py, self.email()),
            r(py, self.role()),
            r_opt(py, self.establishment()),
            r(py, &self.expires_at())
        )
    }
}

/// One of a person's live sessions, as `Portal.list_sessions` shows it: never its token.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct SessionSummary {
    pub(crate) inner: CoreSessionSummary,
}

#[pymethods]
impl SessionSummary {
    /// Its opaque id, for `Portal.revoke_session` (not the token).
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }
    /// When it was opened (ISO 8601, UTC).
    #[getter]
    fn created_at(&self) -> String {
        iso(self.inner.created_at)
    }
    /// When it was last used, recorded coarsely (ISO 8601, UTC).
    #[getter]
    fn last_seen_at(&self) -> String {
        iso(self.inner.last_seen_at)
    }
    /// When it ends if not used again (ISO 8601, UTC).
    #[getter]
    fn expires_at(&self) -> String {
        iso(self.inner.expires_at)
    }
    /// Opened with "Enregistrer mes identifiants".
    #[getter]
    fn remembered(&self) -> bool {
        self.inner.remembered
    }
    /// Whether it is the session asking.
    #[getter]
    fn current(&self) -> bool {
        self.inner.current
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let yes = |b: bool| if b { "True" } else { "False" };
        format!(
            "SessionSummary(id={}, created_at={}, expires_at={}, remembered={}, current={})",
            r(py, &self.id()),
            r(py, &self.created_at()),
            r(py, &self.expires_at()),
            yes(self.inner.remembered),
            yes(self.inner.current)
        )
    }
}

// ----- profiles -----

/// An account as its profile page shows it: `Portal.account` and `Portal.update_profile`.
#[pyclass(module = "dealer_portal", frozen, eq)]
#[derive(PartialEq, Eq)]
pub(crate) struct AccountDetail {
    pub(crate) inner: CoreAccountDetail,
}

#[pymethods]
impl AccountDetail {
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
    /// Fonction.
    #[getter]
    fn function(&self) -> &str {
        &self.inner.function
    }
    /// The mobile phone in E.164 ("+33623425455"), or None.
    #[getter]
    fn mobile(&self) -> Option<&str> {
        self.inner.mobile.as_ref().map(PhoneNumber::e164)
    }
    /// The landline in E.164, or None.
    #[getter]
    fn landline(&self) -> Option<&str> {
        self.inner.landline.as_ref().map(PhoneNumber::e164)
    }
    /// The mobile phone in its country's national format ("06 23 42 54 55"), or None.
    #[getter]
    fn mobile_display(&self) -> Option<&str> {
        self.inner
            .mobile
            .as_ref()
            .map(PhoneNumber::national_display)
    }
    /// The landline in its country's national format, or None.
    #[getter]
    fn landline_display(&self) -> Option<&str> {
        self.inner
            .landline
            .as_ref()
            .map(PhoneNumber::national_display)
    }
    /// declared, invited, active or disabled.
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.state.code()
    }
    /// administrator, user or repairer.
    #[getter]
    fn role(&self) -> &'static str {
        self.inner.role.code()
    }
    /// When it was created (ISO 8601, UTC).
    #[getter]
    fn created_at(&self) -> String {
        iso(self.inner.created_at)
    }
    /// Its last successful login (ISO 8601, UTC), or None.
    #[getter]
    fn last_login_at(&self) -> Option<String> {
        self.inner.last_login_at.map(iso)
    }
    /// Its rights by establishment code: all of them for oneself; for a manager, those on
    /// the establishments the manager manages.
    #[getter]
    fn rights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        matrix_dict(py, &self.inner.rights)
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AccountDetail(id={}, email={}, last_name={}, first_name={}, state={}, role={})",
            r(py, &self.id()),
            r(py, self.email()),
            r(py, self.last_name()),
            r(py, self.first_name()),
            r(py, self.state()),
            r(py, self.role())
        )
    }
}

//! Insurance regimes and the reconciliation of a month's bank statement: the direct debits a
//! regime expects, the lines of a statement, and what matched.

use crate::convert::{r, r_list};
use crate::errors::Res;
use dealer_portal::regime::{
    DebitLine as CoreDebitLine, ExpectedDebit as CoreExpectedDebit,
    ReconciledDebit as CoreReconciledDebit, Reconciliation as CoreReconciliation,
    Regime as CoreRegime,
};
use dealer_portal::{Coded, Locale};
use pyo3::prelude::*;

// ----- regimes -----

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
    // pub(super): an Establishment's repr shows its regime's.
    pub(super) fn __repr__(&self) -> String {
        format!("Regime.{}", self.name())
    }
    fn __str__(&self) -> &'static str {
        self.code()
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

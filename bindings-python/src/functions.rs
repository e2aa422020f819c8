//! The pure functions of the contract (no store), and the password hasher for interoperability.

use crate::convert::py_to_json;
use crate::errors::Res;
use crate::values::{
    DebitLine, Evaluation, ExpectedDebit, PyRegime, Reconciliation, Reference, SupportDirectory,
};
use dealer_portal::Error;
use dealer_portal::password::{
    HashParams, PasswordHash, PasswordHasher as CoreHasher, PasswordPolicy, normalize,
};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{self, DebitLine as CoreDebitLine};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::sync::LazyLock;

/// The default policy, built once: `evaluate_password` runs at every keystroke.
static DEFAULT_POLICY: LazyLock<PasswordPolicy> = LazyLock::new(PasswordPolicy::default);

/// A JSON-like Python value deserialised into a core configuration type; a mismatch is the
/// core's `INVALID_CONFIG`.
pub(crate) fn from_config<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>) -> Res<T> {
    let json = py_to_json(obj)?;
    Ok(
        serde_json::from_value(json).map_err(|e| Error::InvalidConfig {
            reason: e.to_string(),
        })?,
    )
}

/// A policy given as a dict (the fields of the core's `PasswordPolicy`), checked.
pub(crate) fn policy_arg(obj: &Bound<'_, PyAny>) -> Res<PasswordPolicy> {
    let policy: PasswordPolicy = from_config(obj)?;
    policy.validate_config()?;
    Ok(policy)
}

/// Evaluates a candidate password criterion by criterion; pure and cheap (no hashing).
#[pyfunction]
#[pyo3(signature = (password, confirmation=None, policy=None))]
pub(crate) fn evaluate_password(
    password: PyBackedStr,
    confirmation: Option<PyBackedStr>,
    policy: Option<&Bound<'_, PyAny>>,
) -> Res<Evaluation> {
    let inner = match policy {
        None => DEFAULT_POLICY.evaluate(&password, confirmation.as_deref()),
        Some(p) => policy_arg(p)?.evaluate(&password, confirmation.as_deref()),
    };
    Ok(Evaluation { inner })
}

/// The monthly debits a regime expects, in order.
#[pyfunction]
pub(crate) fn expected_debits(regime: PyRegime) -> Vec<ExpectedDebit> {
    regime::expected_debits(regime.into())
        .iter()
        .map(|d| ExpectedDebit { inner: *d })
        .collect()
}

/// Reconciles a month's debit lines against the regime's expected debits.
#[pyfunction]
pub(crate) fn reconcile(
    regime: PyRegime,
    month: String,
    lines: Vec<DebitLine>,
) -> Res<Reconciliation> {
    let month = YearMonth::parse(&month)?;
    let lines: Vec<CoreDebitLine> = lines.into_iter().map(|l| l.inner).collect();
    Ok(Reconciliation {
        inner: regime::reconcile(regime.into(), month, &lines)?,
    })
}

/// Recognises a quick-search reference: a registration plate, a contract or agreement number.
#[pyfunction]
pub(crate) fn parse_reference(text: String) -> Res<Reference> {
    Ok(Reference {
        inner: dealer_portal::reference::parse_reference(&text)?,
    })
}

/// The support contacts (the seed's by default).
#[pyfunction]
pub(crate) fn support_directory() -> SupportDirectory {
    SupportDirectory {
        inner: dealer_portal::support::support_directory(),
    }
}

/// The core's argon2id hasher (PHC strings), for interoperability and migrations. Passwords are
/// NFKC-normalised as the portal does before hashing. The GIL is released while it hashes.
#[pyclass(module = "dealer_portal", frozen)]
pub(crate) struct PasswordHasher {
    inner: CoreHasher,
}

#[pymethods]
impl PasswordHasher {
    /// A hasher with these argon2id parameters; omitted ones take the core's defaults.
    #[new]
    #[pyo3(signature = (m_cost_kib=None, t_cost=None, p_cost=None))]
    fn new(m_cost_kib: Option<u32>, t_cost: Option<u32>, p_cost: Option<u32>) -> Res<Self> {
        let d = HashParams::default();
        let params = HashParams {
            m_cost_kib: m_cost_kib.unwrap_or(d.m_cost_kib),
            t_cost: t_cost.unwrap_or(d.t_cost),
            p_cost: p_cost.unwrap_or(d.p_cost),
        };
        params.validate()?;
        Ok(PasswordHasher {
            inner: CoreHasher::new(params),
        })
    }
    #[getter]
    fn m_cost_kib(&self) -> u32 {
        self.inner.params().m_cost_kib
    }
    #[getter]
    fn t_cost(&self) -> u32 {
        self.inner.params().t_cost
    }
    #[getter]
    fn p_cost(&self) -> u32 {
        self.inner.params().p_cost
    }
    /// The PHC string of a new argon2id hash of the password.
    fn hash(&self, py: Python<'_>, password: PyBackedStr) -> Res<String> {
        let hash = py.detach(|| self.inner.hash(&normalize(&password)))?;
        Ok(hash.as_phc().to_owned())
    }
    /// Whether the password is the one the PHC string was made from (its own parameters).
    fn verify(&self, py: Python<'_>, password: PyBackedStr, phc: String) -> Res<bool> {
        let hash = PasswordHash::from_phc(phc)?;
        Ok(py.detach(|| self.inner.verify(&normalize(&password), &hash)))
    }
    /// Whether a hash should be replaced (other parameters or algorithm than this hasher's).
    fn needs_rehash(&self, phc: String) -> Res<bool> {
        Ok(self.inner.needs_rehash(&PasswordHash::from_phc(phc)?))
    }
    fn __repr__(&self) -> String {
        let p = self.inner.params();
        format!(
            "PasswordHasher(m_cost_kib={}, t_cost={}, p_cost={})",
            p.m_cost_kib, p.t_cost, p.p_cost
        )
    }
}

//! The evaluation of a candidate password, criterion by criterion.

use crate::convert::{r, r_list};
use dealer_portal::password::{Check as CoreCheck, Evaluation as CoreEvaluation};
use dealer_portal::{Coded, Locale};
use pyo3::prelude::*;

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

//! The support contacts (seed §4).

use crate::convert::{r, r_list};
use dealer_portal::support::{
    SupportChannel as CoreSupportChannel, SupportDirectory as CoreSupportDirectory,
};
use dealer_portal::{Coded, Locale};
use pyo3::prelude::*;

// ----- support -----

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

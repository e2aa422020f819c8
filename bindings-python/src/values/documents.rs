//! Accounting documents and pages of them, and the quick-search reference (plate, contract or
//! agreement number) a document search takes.

use crate::convert::{r, r_opt};
use crate::errors::Res;
use dealer_portal::Coded;
use dealer_portal::document::{Document as CoreDocument, DocumentFields, NewDocument};
use dealer_portal::reference::Reference as CoreReference;
use pyo3::prelude::*;

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
        let inner = NewDocument::from_fields(&DocumentFields {
            category: &category,
            number: &number,
            issued_on: &issued_on,
            kind: kind.as_deref(),
            title: title.as_deref(),
            amount_cents,
            registration: registration.as_deref(),
            contract_number: contract_number.as_deref(),
            agreement_number: agreement_number.as_deref(),
            file_ref: file_ref.as_deref(),
        })?;
        Ok(Document {
            id: None,
            establishment: None,
            inner,
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

// ----- references -----

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

//! Documents (seed §3): the host's import, the search form, the header's quick search, and the
//! monthly statements of direct debits.

use super::Portal;
use crate::convert::{code, code_opt, count, size};
use crate::error::Result;
use crate::types::{DebitLine, Reconciliation};
use dealer_portal::document::{self, DocumentFields, DocumentQuery, NewDocument};
use dealer_portal::period::YearMonth;
use dealer_portal::{Coded, Locale, regime};

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
        NewDocument::from_fields(&DocumentFields {
            category: &d.category,
            number: &d.number,
            issued_on: &d.issued_on,
            kind: d.kind.as_deref(),
            title: d.title.as_deref(),
            amount_cents: d.amount_cents,
            registration: d.registration.as_deref(),
            contract_number: d.contract_number.as_deref(),
            agreement_number: d.agreement_number.as_deref(),
            file_ref: d.file_ref.as_deref(),
        })
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

#[uniffi::export]
impl Portal {
    /// Adds a document of an establishment (the host's import). Returns its id.
    pub fn add_document(&self, establishment_code: String, document: Document) -> Result<String> {
        let code = code(&establishment_code)?;
        let doc = NewDocument::try_from(&document)?;
        Ok(self.inner.add_document(&code, &doc)?.to_string())
    }

    /// Adds many documents of one establishment in one transaction (all or none). Returns
    /// their ids, in order.
    pub fn add_documents(
        &self,
        establishment_code: String,
        documents: Vec<Document>,
    ) -> Result<Vec<String>> {
        let code = code(&establishment_code)?;
        let docs = documents
            .iter()
            .map(NewDocument::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .inner
            .add_documents(&code, &docs)?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    /// Searches the documents of an establishment (`None`: the one the session is connected
    /// to) ("Je recherche"): category, kind, number, period `M/YYYY`–`M/YYYY`, quick
    /// reference; newest first.
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
        establishment_code: Option<String>,
        category: String,
        kind: Option<String>,
        number: Option<String>,
        period_from: Option<String>,
        period_to: Option<String>,
        reference: Option<String>,
        offset: u32,
        limit: u32,
    ) -> Result<DocumentPage> {
        let code = code_opt(establishment_code.as_deref())?;
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
            .search_documents(&session_token, code.as_ref(), &q)?
            .into())
    }

    /// The header's quick search ("Immatriculation, n° contrat, n° accord"): the documents of
    /// every category the actor may read on the establishment (`None`: the connected one)
    /// whose plate, contract or agreement number is `text`, newest first. Text that is none of
    /// the three: `INVALID_QUERY`; an establishment where the actor may read nothing:
    /// `FORBIDDEN`.
    #[uniffi::method(default(establishment_code = None, offset = 0, limit = 50))]
    pub fn search_reference(
        &self,
        session_token: String,
        text: String,
        establishment_code: Option<String>,
        offset: u32,
        limit: u32,
    ) -> Result<DocumentPage> {
        let code = code_opt(establishment_code.as_deref())?;
        Ok(self
            .inner
            .search_reference(
                &session_token,
                &text,
                code.as_ref(),
                size(offset),
                size(limit),
            )?
            .into())
    }

    /// Records a direct-debit line of an establishment for a month (`M/YYYY`; the host's
    /// import).
    pub fn record_debit_line(
        &self,
        establishment_code: String,
        month: String,
        line: DebitLine,
    ) -> Result<()> {
        let code = code(&establishment_code)?;
        let month = YearMonth::parse(&month)?;
        let line = regime::DebitLine::try_from(&line)?;
        Ok(self.inner.record_debit_line(&code, month, &line)?)
    }

    /// The month's statement (`M/YYYY`) of an establishment (`None`: the connected one): its
    /// regime's expected debits filled from the recorded lines, what is missing and what is
    /// unexpected. Needs `accounting_documents` there.
    pub fn monthly_statement(
        &self,
        session_token: String,
        establishment_code: Option<String>,
        month: String,
    ) -> Result<Reconciliation> {
        let code = code_opt(establishment_code.as_deref())?;
        let month = YearMonth::parse(&month)?;
        Ok(self
            .inner
            .monthly_statement(&session_token, code.as_ref(), month)?
            .into())
    }
}

//! The document search ("moteur de recherche de document", seed §3): [`DocumentQuery`], valid
//! by construction, its reference semantics ([`DocumentQuery::matches`], [`DocumentQuery::run`])
//! and the page it answers.

use super::{Document, DocumentCategory, DocumentKind, newest_first, normalize_number};
use crate::locale::Coded;
use crate::period::Period;
use crate::reference::{self, Reference, ReferenceKind};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A search for documents of one establishment (the store scopes it; the query does not name
/// the establishment).
///
/// Valid by construction: build it with [`DocumentQuery::parse`] (the search form's fields) or
/// [`DocumentQuery::new`] and the `with_` methods, each of which checks what it sets; serde
/// checks the same. Read it through its getters.
///
/// ```
/// use dealer_portal::document::{DocumentCategory, DocumentKind, DocumentQuery};
/// let q = DocumentQuery::new(DocumentCategory::Accounting)
///     .with_kind(DocumentKind::CreditNote).unwrap()
///     .with_page(0, 10).unwrap();
/// assert_eq!(q.kind(), Some(DocumentKind::CreditNote));
/// let e = DocumentQuery::new(DocumentCategory::Quote).with_kind(DocumentKind::CreditNote);
/// assert_eq!(e.unwrap_err().code(), "INVALID_QUERY");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DocumentQueryRepr")]
pub struct DocumentQuery {
    pub(crate) category: DocumentCategory,
    pub(crate) kind: Option<DocumentKind>,
    pub(crate) number: Option<String>,
    pub(crate) period: Period,
    pub(crate) reference: Option<Reference>,
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

#[derive(Deserialize)]
struct DocumentQueryRepr {
    category: DocumentCategory,
    #[serde(default)]
    kind: Option<DocumentKind>,
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    period: Period,
    #[serde(default)]
    reference: Option<Reference>,
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    DocumentQuery::DEFAULT_LIMIT
}

impl TryFrom<DocumentQueryRepr> for DocumentQuery {
    type Error = Error;
    fn try_from(r: DocumentQueryRepr) -> Result<Self> {
        DocumentQuery {
            category: r.category,
            kind: r.kind,
            number: r.number,
            period: r.period,
            reference: r.reference,
            offset: r.offset,
            limit: r.limit,
        }
        .validate()
    }
}

fn query_error(reason: impl Into<String>) -> Error {
    Error::InvalidQuery {
        reason: reason.into(),
    }
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

impl DocumentQuery {
    /// The page size when none is given.
    pub const DEFAULT_LIMIT: usize = 50;
    /// The largest page size.
    pub const MAX_LIMIT: usize = 500;

    /// Every document of a category, first page of [`DocumentQuery::DEFAULT_LIMIT`].
    pub fn new(category: DocumentCategory) -> Self {
        DocumentQuery {
            category,
            kind: None,
            number: None,
            period: Period::ALL,
            reference: None,
            offset: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }

    /// Parses the search form's fields; blank optional strings count as absent.
    ///
    /// An unknown category or kind, a kind with a category other than accounting, a malformed
    /// number or reference, or a `limit` outside 1–500 is [`Error::InvalidQuery`]; a bad
    /// month or period is [`Error::InvalidPeriod`].
    ///
    /// ```
    /// use dealer_portal::document::DocumentQuery;
    /// let q = DocumentQuery::parse("accounting", Some("maintenance_invoice"), Some("2204003143"),
    ///     Some("1/2024"), None, Some("ab-123-cd"), 0, 50).unwrap();
    /// assert_eq!(q.reference().unwrap().normalized(), "AB-123-CD");
    /// let e = DocumentQuery::parse("accounting", None, None, Some("13/2024"), None, None, 0, 50);
    /// assert_eq!(e.unwrap_err().code(), "INVALID_PERIOD");
    /// let e = DocumentQuery::parse("invoice", None, None, None, None, None, 0, 50);
    /// assert_eq!(e.unwrap_err().code(), "INVALID_QUERY");
    /// ```
    #[allow(clippy::too_many_arguments)] // one argument per field of the form and the bindings
    pub fn parse(
        category: &str,
        kind: Option<&str>,
        number: Option<&str>,
        period_from: Option<&str>,
        period_to: Option<&str>,
        reference: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<Self> {
        let category = DocumentCategory::from_code(category).map_err(|_| {
            query_error(format!(
                "unknown document category {:?}; accepted: {}",
                category.chars().take(40).collect::<String>(),
                DocumentCategory::ACCEPTED
            ))
        })?;
        let kind = non_blank(kind)
            .map(|k| {
                DocumentKind::from_code(k).map_err(|_| {
                    query_error(format!(
                        "unknown document kind {:?}; accepted: {}",
                        k.chars().take(40).collect::<String>(),
                        DocumentKind::ACCEPTED
                    ))
                })
            })
            .transpose()?;
        let number = non_blank(number)
            .map(|n| {
                normalize_number(n).map_err(|why| query_error(format!("invoice number: {why}")))
            })
            .transpose()?;
        let period = Period::parse(period_from, period_to)?;
        let reference = non_blank(reference)
            .map(reference::parse_reference)
            .transpose()?;
        DocumentQuery {
            category,
            kind,
            number,
            period,
            reference,
            offset,
            limit,
        }
        .validate()
    }

    /// Only documents of this kind; a kind is only searched among accounting documents
    /// ([`Error::InvalidQuery`] otherwise).
    pub fn with_kind(mut self, kind: DocumentKind) -> Result<Self> {
        self.kind = Some(kind);
        self.validate()
    }

    /// Only the document with this number (`2204003143`, normalised as stored).
    pub fn with_number(mut self, number: &str) -> Result<Self> {
        self.number = Some(number.to_owned());
        self.validate()
    }

    /// Only documents issued in this period.
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// Only documents with this plate, contract number or agreement number.
    pub fn with_reference(mut self, reference: Reference) -> Self {
        self.reference = Some(reference);
        self
    }

    /// Skips `offset` documents and returns at most `limit`, 1 to [`Self::MAX_LIMIT`].
    pub fn with_page(mut self, offset: usize, limit: usize) -> Result<Self> {
        self.offset = offset;
        self.limit = limit;
        self.validate()
    }

    /// The category searched.
    pub fn category(&self) -> DocumentCategory {
        self.category
    }
    /// The kind searched, if any.
    pub fn kind(&self) -> Option<DocumentKind> {
        self.kind
    }
    /// The number searched, normalised, if any.
    pub fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
    /// The period searched ([`Period::ALL`] when none).
    pub fn period(&self) -> Period {
        self.period
    }
    /// The reference searched, if any.
    pub fn reference(&self) -> Option<&Reference> {
        self.reference.as_ref()
    }
    /// How many matching documents to skip, newest first.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// How many to return at most.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Checks the query (kind only with accounting, limit 1–500) and normalises its number;
    /// [`Error::InvalidQuery`] otherwise. Every way of building one ends here.
    fn validate(mut self) -> Result<Self> {
        if let Some(kind) = self.kind
            && kind.category() != self.category
        {
            return Err(query_error(format!(
                "a document kind ({}) can only be searched among accounting documents, not {}",
                kind.code(),
                self.category.code()
            )));
        }
        if !(1..=Self::MAX_LIMIT).contains(&self.limit) {
            return Err(query_error(format!(
                "limit {} is out of range; expected 1 to {}",
                self.limit,
                Self::MAX_LIMIT
            )));
        }
        if let Some(n) = self.number.take() {
            self.number = Some(
                normalize_number(&n)
                    .map_err(|why| query_error(format!("invoice number: {why}")))?,
            );
        }
        Ok(self)
    }

    /// Whether a document matches every criterion (category, kind, number, period, reference).
    ///
    /// A plate reference matches the document's `registration`, a contract number its
    /// `contract_number`, an agreement number its `agreement_number`; all compare normalised
    /// forms exactly. The establishment, offset and limit play no part.
    pub fn matches(&self, doc: &Document) -> bool {
        let d = &doc.doc;
        d.category == self.category
            && self.kind.is_none_or(|k| d.kind == Some(k))
            && self.number.as_ref().is_none_or(|n| *n == d.number)
            && self.period.contains(d.issued_on)
            && self.reference.as_ref().is_none_or(|r| {
                let field = match r.kind() {
                    ReferenceKind::RegistrationPlate => &d.registration,
                    ReferenceKind::ContractNumber => &d.contract_number,
                    ReferenceKind::AgreementNumber => &d.agreement_number,
                };
                field.as_deref() == Some(r.normalized())
            })
    }

    /// Runs the query over documents in memory: the matching ones, newest first, the page
    /// `offset..offset + limit`, and how many match in all.
    ///
    /// ```
    /// use dealer_portal::document::{Document, DocumentCategory, DocumentId, DocumentQuery, NewDocument};
    /// let docs: Vec<Document> = (1..=3).map(|i| Document {
    ///     id: DocumentId(i),
    ///     establishment: "T99999".parse().unwrap(),
    ///     doc: NewDocument::new("contract", &format!("C{i}"), "2024-01-15").unwrap(),
    /// }).collect();
    /// let q = DocumentQuery::new(DocumentCategory::Contract).with_page(0, 2).unwrap();
    /// let page = q.run(&docs);
    /// assert_eq!(page.total, 3);
    /// assert_eq!(page.items.iter().map(|d| d.id.0).collect::<Vec<_>>(), [3, 2]);
    /// ```
    pub fn run<'a>(&self, docs: impl IntoIterator<Item = &'a Document>) -> DocumentPage {
        let mut hits: Vec<&Document> = docs.into_iter().filter(|d| self.matches(d)).collect();
        hits.sort_by(|a, b| newest_first(a, b));
        DocumentPage {
            total: hits.len(),
            items: hits
                .into_iter()
                .skip(self.offset)
                .take(self.limit)
                .cloned()
                .collect(),
        }
    }
}

/// A page of search results, newest first, with the number of matches in all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentPage {
    /// The documents of this page.
    pub items: Vec<Document>,
    /// How many documents match the query, across all pages.
    pub total: usize,
}

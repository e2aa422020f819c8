//! Documents of an establishment and their search ("moteur de recherche de document", seed §3).
//!
//! A document is metadata plus a reference to its file, which stays with the host
//! ([`NewDocument::file_ref`]: a URI or a key, never bytes). The search form asks for a category
//! ("Je recherche : un document comptable, un contrat, un devis, une demande de prise en
//! charge"), then optionally a document kind (accounting only), an invoice number
//! (`2204003143`), a period `M/YYYY`–`M/YYYY` and a quick reference (plate, contract number or
//! agreement number, see [`crate::reference`]). Results are newest first
//! ([`newest_first`]), paginated with a total ([`DocumentPage`]).
//!
//! [`DocumentQuery::matches`] and [`DocumentQuery::run`] are the reference semantics: the
//! in-memory store uses them and the other stores are tested against them.

mod query;
pub use query::{DocumentPage, DocumentQuery};

use crate::establishment::EstablishmentCode;
use crate::locale::{Coded, Locale, coded_serde};
use crate::reference::{self, ReferenceKind};
use crate::rights::Right;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use time::Date;

/// What is searched for ("Je recherche : ...").
///
/// ```
/// use dealer_portal::{Coded, Locale, document::DocumentCategory, rights::Right};
/// let c = DocumentCategory::from_code("workshop_claim").unwrap();
/// assert_eq!(c.label(Locale::Fr), "Une demande de prise en charge");
/// assert_eq!(c.required_right(), Right::SearchClaims);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentCategory {
    /// "Un document comptable": invoices, notes, letters.
    Accounting,
    /// "Un contrat": a warranty contract.
    Contract,
    /// "Un devis": a quote.
    Quote,
    /// "Une demande de prise en charge": a workshop claim.
    WorkshopClaim,
}

impl DocumentCategory {
    /// The right needed on the establishment to read documents of this category.
    pub fn required_right(self) -> Right {
        match self {
            DocumentCategory::Accounting => Right::AccountingDocuments,
            DocumentCategory::Contract | DocumentCategory::Quote => Right::SearchQuotesAndContracts,
            DocumentCategory::WorkshopClaim => Right::SearchClaims,
        }
    }
}

impl Coded for DocumentCategory {
    const ALL: &'static [Self] = &[
        DocumentCategory::Accounting,
        DocumentCategory::Contract,
        DocumentCategory::Quote,
        DocumentCategory::WorkshopClaim,
    ];
    const WHAT: &'static str = "document category";
    const ACCEPTED: &'static str = "accounting, contract, quote, workshop_claim";
    fn code(self) -> &'static str {
        match self {
            DocumentCategory::Accounting => "accounting",
            DocumentCategory::Contract => "contract",
            DocumentCategory::Quote => "quote",
            DocumentCategory::WorkshopClaim => "workshop_claim",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (DocumentCategory::Accounting, Locale::Fr) => "Un document comptable",
            (DocumentCategory::Accounting, Locale::En) => "An accounting document",
            (DocumentCategory::Contract, Locale::Fr) => "Un contrat",
            (DocumentCategory::Contract, Locale::En) => "A contract",
            (DocumentCategory::Quote, Locale::Fr) => "Un devis",
            (DocumentCategory::Quote, Locale::En) => "A quote",
            (DocumentCategory::WorkshopClaim, Locale::Fr) => "Une demande de prise en charge",
            (DocumentCategory::WorkshopClaim, Locale::En) => "A workshop claim",
        }
    }
}
coded_serde!(DocumentCategory);

/// The kind of an accounting document ("Type de document").
///
/// ```
/// use dealer_portal::{Coded, Locale, document::DocumentKind};
/// assert_eq!(DocumentKind::CarenceDebitNote.label(Locale::Fr), "Note de Débit Carence");
/// assert_eq!(DocumentKind::from_code("credit_note").unwrap(), DocumentKind::CreditNote);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// "Facture Entretien": a maintenance invoice.
    MaintenanceInvoice,
    /// "Facture Garantie": a warranty invoice.
    WarrantyInvoice,
    /// "Lettre de déduction": a deduction letter.
    DeductionLetter,
    /// "Note de Crédit": a credit note.
    CreditNote,
    /// "Note de Débit": a debit note.
    DebitNote,
    /// "Note de Débit Carence": a debit note for the waiting period.
    CarenceDebitNote,
}

impl DocumentKind {
    /// The category documents of this kind belong to (all kinds are accounting documents).
    pub fn category(self) -> DocumentCategory {
        DocumentCategory::Accounting
    }
}

impl Coded for DocumentKind {
    const ALL: &'static [Self] = &[
        DocumentKind::MaintenanceInvoice,
        DocumentKind::WarrantyInvoice,
        DocumentKind::DeductionLetter,
        DocumentKind::CreditNote,
        DocumentKind::DebitNote,
        DocumentKind::CarenceDebitNote,
    ];
    const WHAT: &'static str = "document kind";
    const ACCEPTED: &'static str = "maintenance_invoice, warranty_invoice, deduction_letter, credit_note, debit_note, carence_debit_note";
    fn code(self) -> &'static str {
        match self {
            DocumentKind::MaintenanceInvoice => "maintenance_invoice",
            DocumentKind::WarrantyInvoice => "warranty_invoice",
            DocumentKind::DeductionLetter => "deduction_letter",
            DocumentKind::CreditNote => "credit_note",
            DocumentKind::DebitNote => "debit_note",
            DocumentKind::CarenceDebitNote => "carence_debit_note",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (DocumentKind::MaintenanceInvoice, Locale::Fr) => "Facture Entretien",
            (DocumentKind::MaintenanceInvoice, Locale::En) => "Maintenance invoice",
            (DocumentKind::WarrantyInvoice, Locale::Fr) => "Facture Garantie",
            (DocumentKind::WarrantyInvoice, Locale::En) => "Warranty invoice",
            (DocumentKind::DeductionLetter, Locale::Fr) => "Lettre de déduction",
            (DocumentKind::DeductionLetter, Locale::En) => "Deduction letter",
            (DocumentKind::CreditNote, Locale::Fr) => "Note de Crédit",
            (DocumentKind::CreditNote, Locale::En) => "Credit note",
            (DocumentKind::DebitNote, Locale::Fr) => "Note de Débit",
            (DocumentKind::DebitNote, Locale::En) => "Debit note",
            (DocumentKind::CarenceDebitNote, Locale::Fr) => "Note de Débit Carence",
            (DocumentKind::CarenceDebitNote, Locale::En) => "Waiting-period debit note",
        }
    }
}
coded_serde!(DocumentKind);

/// A document's id, assigned by the store.
///
/// ```
/// use dealer_portal::document::DocumentId;
/// let id: DocumentId = "42".parse().unwrap();
/// assert_eq!(id, DocumentId(42));
/// assert_eq!(id.to_string(), "42");
/// assert_eq!("x".parse::<DocumentId>().unwrap_err().code(), "INVALID_INPUT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentId(pub u64);

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for DocumentId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        s.trim()
            .parse::<u64>()
            .map(DocumentId)
            .map_err(|_| Error::InvalidInput {
                field: "document id",
                reason: "expected a non-negative integer".into(),
            })
    }
}

/// Longest document number, in characters.
pub const MAX_NUMBER: usize = 32;
/// Longest title or file reference, in characters.
pub const MAX_TEXT: usize = 500;

/// Normalises a document number: whitespace removed, upper case; then 1 to 32 of `A-Z`, `0-9`,
/// `-`, `/`. The reason on failure.
fn normalize_number(input: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(input.len().min(MAX_NUMBER));
    for c in input.chars() {
        if c.is_whitespace() {
            continue;
        }
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '/') {
            return Err(format!(
                "unexpected character {c:?}; expected 1 to {MAX_NUMBER} letters, digits, '-' or '/' (e.g. 2204003143)"
            ));
        }
        if out.len() == MAX_NUMBER {
            return Err(format!(
                "longer than {MAX_NUMBER} characters; expected 1 to {MAX_NUMBER} letters, digits, '-' or '/'"
            ));
        }
        out.push(c.to_ascii_uppercase());
    }
    if out.is_empty() {
        return Err(format!(
            "empty; expected 1 to {MAX_NUMBER} letters, digits, '-' or '/' (e.g. 2204003143)"
        ));
    }
    Ok(out)
}

/// Parses `YYYY-MM-DD` (a real date, year 0001–9999), surrounding whitespace ignored.
fn parse_date(input: &str) -> Result<Date> {
    let bad = |why: &str| Error::InvalidInput {
        field: "issued_on",
        reason: format!("{why}; expected YYYY-MM-DD, e.g. 2024-05-31"),
    };
    let s = input.trim().as_bytes();
    let shaped = s.len() == 10
        && s[4] == b'-'
        && s[7] == b'-'
        && s.iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(bad("not a date"));
    }
    let num = |r: std::ops::Range<usize>| {
        s[r].iter()
            .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    if year == 0 {
        return Err(bad("year 0 does not exist"));
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| bad("the month is not 01-12"))?;
    let day = u8::try_from(day).unwrap_or(0);
    Date::from_calendar_date(i32::from(year), month, day)
        .map_err(|_| bad("no such day in that month"))
}

/// `YYYY-MM-DD` serde for dates.
mod iso_date {
    use time::Date;

    pub(super) fn serialize<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        ))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        super::parse_date(&s).map_err(serde::de::Error::custom)
    }
}

fn optional_text(field: &'static str, input: &str) -> Result<Option<String>> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Error::InvalidInput {
            field,
            reason: format!("expected at most {MAX_TEXT} characters"),
        });
    }
    if t.chars().any(char::is_control) {
        return Err(Error::InvalidInput {
            field,
            reason: "control characters are not allowed".into(),
        });
    }
    Ok(Some(t.to_owned()))
}

fn optional_reference(
    field: &'static str,
    kind: ReferenceKind,
    input: &str,
) -> Result<Option<String>> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    let r = reference::recognise(input).map_err(|reason| Error::InvalidInput { field, reason })?;
    if r.kind() != kind {
        return Err(Error::InvalidInput {
            field,
            reason: format!(
                "expected a {} but this reads as a {} ({})",
                kind.label(Locale::En).to_lowercase(),
                r.kind().label(Locale::En).to_lowercase(),
                reference::ACCEPTED
            ),
        });
    }
    Ok(Some(r.into_normalized()))
}

/// A document to add to an establishment, validated and normalised.
///
/// Build it with [`NewDocument::new`] and the `with_*` setters, which validate as they go; a
/// value built field by field must go through [`NewDocument::validate`] (stores do). Blank
/// optional strings are `None`. Deserialisation validates.
///
/// ```
/// use dealer_portal::document::{DocumentKind, NewDocument};
/// let doc = NewDocument::new("accounting", " 2204003143 ", "2024-05-31").unwrap()
///     .with_kind("maintenance_invoice").unwrap()
///     .with_registration("ab 123 cd").unwrap()
///     .with_amount_cents(Some(15_000))
///     .with_file_ref("s3://docs/2204003143.pdf").unwrap();
/// assert_eq!(doc.number, "2204003143");
/// assert_eq!(doc.kind, Some(DocumentKind::MaintenanceInvoice));
/// assert_eq!(doc.registration.as_deref(), Some("AB-123-CD"));
///
/// let err = NewDocument::new("contract", "C1", "2024-05-31").unwrap().with_kind("credit_note");
/// assert_eq!(err.unwrap_err().code(), "INVALID_INPUT");
/// assert_eq!(NewDocument::new("quote", "D1", "31/05/2024").unwrap_err().code(), "INVALID_INPUT");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "NewDocumentRepr")]
pub struct NewDocument {
    /// Its category.
    pub category: DocumentCategory,
    /// Its kind; only accounting documents have one (optional even then).
    pub kind: Option<DocumentKind>,
    /// Its number (`2204003143`): upper case, no spaces, 1–32 of `A-Z 0-9 - /`.
    pub number: String,
    /// The day it was issued (`YYYY-MM-DD` in serde).
    #[serde(with = "iso_date")]
    pub issued_on: Date,
    /// A title, at most 500 characters.
    pub title: Option<String>,
    /// Its amount in cents, if it has one (negative for a credit).
    pub amount_cents: Option<i64>,
    /// The vehicle's plate, normalised (`AB-123-CD` or `1234 AB 56`).
    pub registration: Option<String>,
    /// The warranty contract number, normalised as the quick search does.
    pub contract_number: Option<String>,
    /// The workshop claim's agreement number, normalised as the quick search does.
    pub agreement_number: Option<String>,
    /// Where the host keeps the file (URI or key), at most 500 characters.
    pub file_ref: Option<String>,
}

#[derive(Deserialize)]
struct NewDocumentRepr {
    category: DocumentCategory,
    #[serde(default)]
    kind: Option<DocumentKind>,
    number: String,
    #[serde(with = "iso_date")]
    issued_on: Date,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    amount_cents: Option<i64>,
    #[serde(default)]
    registration: Option<String>,
    #[serde(default)]
    contract_number: Option<String>,
    #[serde(default)]
    agreement_number: Option<String>,
    #[serde(default)]
    file_ref: Option<String>,
}

impl TryFrom<NewDocumentRepr> for NewDocument {
    type Error = Error;
    fn try_from(r: NewDocumentRepr) -> Result<Self> {
        NewDocument {
            category: r.category,
            kind: r.kind,
            number: r.number,
            issued_on: r.issued_on,
            title: r.title,
            amount_cents: r.amount_cents,
            registration: r.registration,
            contract_number: r.contract_number,
            agreement_number: r.agreement_number,
            file_ref: r.file_ref,
        }
        .validate()
    }
}

impl NewDocument {
    /// A document of a category (its code), number and issue date (`YYYY-MM-DD`).
    ///
    /// An unknown category is [`Error::UnknownCode`]; a bad number or date is
    /// [`Error::InvalidInput`].
    pub fn new(category: &str, number: &str, issued_on: &str) -> Result<Self> {
        Ok(NewDocument {
            category: DocumentCategory::from_code(category)?,
            kind: None,
            number: normalize_number(number).map_err(|reason| Error::InvalidInput {
                field: "number",
                reason,
            })?,
            issued_on: parse_date(issued_on)?,
            title: None,
            amount_cents: None,
            registration: None,
            contract_number: None,
            agreement_number: None,
            file_ref: None,
        })
    }

    /// Sets the kind (its code; blank for none); only accounting documents have one.
    pub fn with_kind(mut self, kind: &str) -> Result<Self> {
        self.kind = if kind.trim().is_empty() {
            None
        } else {
            Some(DocumentKind::from_code(kind)?)
        };
        self.check_kind()?;
        Ok(self)
    }

    /// Sets the title (trimmed; blank for none).
    pub fn with_title(mut self, title: &str) -> Result<Self> {
        self.title = optional_text("title", title)?;
        Ok(self)
    }

    /// Sets the amount in cents.
    pub fn with_amount_cents(mut self, amount_cents: Option<i64>) -> Self {
        self.amount_cents = amount_cents;
        self
    }

    /// Sets the vehicle's plate, in any spacing or case; it must read as a plate.
    pub fn with_registration(mut self, plate: &str) -> Result<Self> {
        self.registration =
            optional_reference("registration", ReferenceKind::RegistrationPlate, plate)?;
        Ok(self)
    }

    /// Sets the contract number; it must read as one in the quick search (not as a plate).
    pub fn with_contract_number(mut self, number: &str) -> Result<Self> {
        self.contract_number =
            optional_reference("contract_number", ReferenceKind::ContractNumber, number)?;
        Ok(self)
    }

    /// Sets the agreement number (6 to 15 digits, separators ignored).
    pub fn with_agreement_number(mut self, number: &str) -> Result<Self> {
        self.agreement_number =
            optional_reference("agreement_number", ReferenceKind::AgreementNumber, number)?;
        Ok(self)
    }

    /// Sets where the host keeps the file (trimmed; blank for none).
    pub fn with_file_ref(mut self, file_ref: &str) -> Result<Self> {
        self.file_ref = optional_text("file_ref", file_ref)?;
        Ok(self)
    }

    fn check_kind(&self) -> Result<()> {
        match self.kind {
            Some(kind) if self.category != kind.category() => Err(Error::InvalidInput {
                field: "kind",
                reason: format!(
                    "a document kind ({}) is only for accounting documents, not {}",
                    kind.code(),
                    self.category.code()
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Checks and normalises every field, as the constructor and setters do; idempotent.
    pub fn validate(self) -> Result<Self> {
        fn opt<T>(
            v: Option<String>,
            f: impl FnOnce(&str) -> Result<Option<T>>,
        ) -> Result<Option<T>> {
            match v {
                Some(s) => f(&s),
                None => Ok(None),
            }
        }
        let doc = NewDocument {
            category: self.category,
            kind: self.kind,
            number: normalize_number(&self.number).map_err(|reason| Error::InvalidInput {
                field: "number",
                reason,
            })?,
            issued_on: self.issued_on,
            title: opt(self.title, |s| optional_text("title", s))?,
            amount_cents: self.amount_cents,
            registration: opt(self.registration, |s| {
                optional_reference("registration", ReferenceKind::RegistrationPlate, s)
            })?,
            contract_number: opt(self.contract_number, |s| {
                optional_reference("contract_number", ReferenceKind::ContractNumber, s)
            })?,
            agreement_number: opt(self.agreement_number, |s| {
                optional_reference("agreement_number", ReferenceKind::AgreementNumber, s)
            })?,
            file_ref: opt(self.file_ref, |s| optional_text("file_ref", s))?,
        };
        doc.check_kind()?;
        Ok(doc)
    }
}

/// A document's fields as text, as a form, an import file or a binding has them: what
/// [`NewDocument::from_fields`] parses. Blank optional fields count as absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentFields<'a> {
    /// Its category's code (`accounting`, `contract`, `quote`, `workshop_claim`).
    pub category: &'a str,
    /// Its number (`2204003143`).
    pub number: &'a str,
    /// The day it was issued, `YYYY-MM-DD`.
    pub issued_on: &'a str,
    /// Its kind's code (accounting documents only).
    pub kind: Option<&'a str>,
    /// A title.
    pub title: Option<&'a str>,
    /// Its amount in cents.
    pub amount_cents: Option<i64>,
    /// The vehicle's plate, as typed.
    pub registration: Option<&'a str>,
    /// The warranty contract number.
    pub contract_number: Option<&'a str>,
    /// The workshop claim's agreement number.
    pub agreement_number: Option<&'a str>,
    /// Where the host keeps the file.
    pub file_ref: Option<&'a str>,
}

impl NewDocument {
    /// Parses every field of a document given as text; the errors are those of
    /// [`NewDocument::new`] and its `with_` methods, checked in the fields' order.
    ///
    /// ```
    /// use dealer_portal::document::{DocumentFields, NewDocument};
    /// let doc = NewDocument::from_fields(&DocumentFields {
    ///     category: "accounting",
    ///     number: "2204003143",
    ///     issued_on: "2024-05-31",
    ///     kind: Some("credit_note"),
    ///     registration: Some("ab 123 cd"),
    ///     ..DocumentFields::default()
    /// }).unwrap();
    /// assert_eq!(doc.registration.as_deref(), Some("AB-123-CD"));
    /// ```
    pub fn from_fields(f: &DocumentFields<'_>) -> Result<Self> {
        let mut d = NewDocument::new(f.category, f.number, f.issued_on)?;
        if let Some(k) = f.kind {
            d = d.with_kind(k)?;
        }
        if let Some(t) = f.title {
            d = d.with_title(t)?;
        }
        d = d.with_amount_cents(f.amount_cents);
        if let Some(x) = f.registration {
            d = d.with_registration(x)?;
        }
        if let Some(x) = f.contract_number {
            d = d.with_contract_number(x)?;
        }
        if let Some(x) = f.agreement_number {
            d = d.with_agreement_number(x)?;
        }
        if let Some(x) = f.file_ref {
            d = d.with_file_ref(x)?;
        }
        Ok(d)
    }
}

/// A stored document of an establishment. Serialised flat: `id`, `establishment`, then the
/// fields of [`NewDocument`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Document {
    /// Its id, assigned by the store.
    pub id: DocumentId,
    /// The establishment it belongs to.
    pub establishment: EstablishmentCode,
    /// Its content.
    #[serde(flatten)]
    pub doc: NewDocument,
}

/// Newest first: issue date descending, then id descending (later additions first on the same
/// day). A total order on documents with distinct ids.
///
/// ```
/// use dealer_portal::document::{newest_first, Document, DocumentId, NewDocument};
/// let doc = |id, day: &str| Document {
///     id: DocumentId(id),
///     establishment: "T99999".parse().unwrap(),
///     doc: NewDocument::new("quote", "D1", day).unwrap(),
/// };
/// let mut docs = vec![doc(1, "2024-01-02"), doc(2, "2024-03-01"), doc(3, "2024-01-02")];
/// docs.sort_by(newest_first);
/// assert_eq!(docs.iter().map(|d| d.id.0).collect::<Vec<_>>(), [2, 3, 1]);
/// ```
pub fn newest_first(a: &Document, b: &Document) -> Ordering {
    b.doc
        .issued_on
        .cmp(&a.doc.issued_on)
        .then_with(|| b.id.cmp(&a.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn doc(id: u64, d: NewDocument) -> Document {
        Document {
            id: DocumentId(id),
            establishment: "T99999".parse().unwrap(),
            doc: d,
        }
    }

    fn invoice(number: &str, day: &str) -> NewDocument {
        NewDocument::new("accounting", number, day)
            .unwrap()
            .with_kind("maintenance_invoice")
            .unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn q(
        category: &str,
        kind: Option<&str>,
        number: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        reference: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<DocumentQuery> {
        DocumentQuery::parse(category, kind, number, from, to, reference, offset, limit)
    }

    #[test]
    fn seed_labels() {
        let fr: Vec<_> = DocumentKind::ALL
            .iter()
            .map(|k| k.label(Locale::Fr))
            .collect();
        assert_eq!(
            fr,
            [
                "Facture Entretien",
                "Facture Garantie",
                "Lettre de déduction",
                "Note de Crédit",
                "Note de Débit",
                "Note de Débit Carence"
            ]
        );
        let fr: Vec<_> = DocumentCategory::ALL
            .iter()
            .map(|c| c.label(Locale::Fr))
            .collect();
        assert_eq!(
            fr,
            [
                "Un document comptable",
                "Un contrat",
                "Un devis",
                "Une demande de prise en charge"
            ]
        );
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(k.code()).unwrap(), *k);
            assert_eq!(k.category(), DocumentCategory::Accounting);
        }
    }

    #[test]
    fn required_rights() {
        use DocumentCategory as C;
        assert_eq!(C::Accounting.required_right(), Right::AccountingDocuments);
        assert_eq!(
            C::Contract.required_right(),
            Right::SearchQuotesAndContracts
        );
        assert_eq!(C::Quote.required_right(), Right::SearchQuotesAndContracts);
        assert_eq!(C::WorkshopClaim.required_right(), Right::SearchClaims);
    }

    #[test]
    fn new_document_normalises() {
        let d = NewDocument::new(" Accounting ", " 2204 003143 ", " 2024-05-31 ")
            .unwrap()
            .with_kind("warranty_invoice")
            .unwrap()
            .with_title("  Facture mai  ")
            .unwrap()
            .with_contract_number("gv-2024-000123")
            .unwrap()
            .with_agreement_number("1234 5678")
            .unwrap()
            .with_registration("1234 ab 56")
            .unwrap()
            .with_file_ref("")
            .unwrap();
        assert_eq!(d.number, "2204003143");
        assert_eq!(d.issued_on, date!(2024 - 05 - 31));
        assert_eq!(d.title.as_deref(), Some("Facture mai"));
        assert_eq!(d.contract_number.as_deref(), Some("GV2024000123"));
        assert_eq!(d.agreement_number.as_deref(), Some("12345678"));
        assert_eq!(d.registration.as_deref(), Some("1234 AB 56"));
        assert_eq!(d.file_ref, None);
        assert_eq!(d.clone().validate().unwrap(), d);
        assert_eq!(invoice("fa-2024/001", "2024-01-01").number, "FA-2024/001");
    }

    #[test]
    fn new_document_errors() {
        let e = NewDocument::new("invoice", "1", "2024-01-01").unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_CODE");
        for n in ["", "  ", "22_04", "2204.003143", &"1".repeat(33), "№1"] {
            let e = NewDocument::new("quote", n, "2024-01-01").unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        field: "number",
                        ..
                    }
                ),
                "{n:?}"
            );
        }
        for day in [
            "",
            "2024-02-30",
            "2023-02-29",
            "0000-01-01",
            "2024-13-01",
            "2024-1-5",
            "31/05/2024",
            "2024-05-31T00:00",
        ] {
            let e = NewDocument::new("quote", "D1", day).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        field: "issued_on",
                        ..
                    }
                ),
                "{day:?}"
            );
            assert!(e.to_string().contains("expected YYYY-MM-DD"), "{e}");
        }
        let base = NewDocument::new("workshop_claim", "W1", "2024-02-29").unwrap();
        let field = |r: Result<NewDocument>| match r.unwrap_err() {
            Error::InvalidInput { field, .. } => field,
            e => panic!("{e:?}"),
        };
        assert_eq!(field(base.clone().with_kind("debit_note")), "kind");
        assert_eq!(
            base.clone().with_kind("bill").unwrap_err().code(),
            "UNKNOWN_CODE"
        );
        assert_eq!(
            field(base.clone().with_registration("GV2024000123")),
            "registration"
        );
        assert_eq!(
            field(base.clone().with_registration("AI-123-CD")),
            "registration"
        );
        assert_eq!(
            field(base.clone().with_contract_number("AB-123-CD")),
            "contract_number"
        );
        assert_eq!(
            field(base.clone().with_contract_number("12345678")),
            "contract_number"
        );
        assert_eq!(
            field(base.clone().with_agreement_number("A1234567")),
            "agreement_number"
        );
        assert_eq!(field(base.clone().with_title(&"é".repeat(501))), "title");
        assert_eq!(field(base.clone().with_file_ref("a\u{0}b")), "file_ref");
        assert!(base.clone().with_title(&"é".repeat(500)).is_ok());
        assert_eq!(base.clone().with_kind(" ").unwrap().kind, None);
    }

    #[test]
    fn validate_catches_hand_built_documents() {
        let mut d = NewDocument::new("contract", "c1", "2024-01-01").unwrap();
        d.kind = Some(DocumentKind::CreditNote);
        assert_eq!(d.clone().validate().unwrap_err().code(), "INVALID_INPUT");
        d.kind = None;
        d.registration = Some("ab123cd".into());
        d.number = " c 1 ".into();
        d.title = Some("   ".into());
        let v = d.validate().unwrap();
        assert_eq!(v.registration.as_deref(), Some("AB-123-CD"));
        assert_eq!(v.number, "C1");
        assert_eq!(v.title, None);
    }

    #[test]
    fn serde_is_flat_and_validating() {
        let d = doc(
            7,
            invoice("2204003143", "2024-05-31")
                .with_registration("ab123cd")
                .unwrap()
                .with_amount_cents(Some(-1_500)),
        );
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["establishment"], "T99999");
        assert_eq!(v["issued_on"], "2024-05-31");
        assert_eq!(v["kind"], "maintenance_invoice");
        assert_eq!(v["amount_cents"], -1_500);
        let back: Document = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
        let minimal = r#"{"category":"quote","number":"d 1","issued_on":"2024-01-01"}"#;
        let n: NewDocument = serde_json::from_str(minimal).unwrap();
        assert_eq!(n.number, "D1");
        for bad in [
            r#"{"category":"quote","number":"d1","issued_on":"2024-02-30"}"#,
            r#"{"category":"quote","kind":"credit_note","number":"d1","issued_on":"2024-01-01"}"#,
            r#"{"category":"quote","number":"","issued_on":"2024-01-01"}"#,
            r#"{"category":"quote","number":"d1","issued_on":"2024-01-01","registration":"x"}"#,
        ] {
            assert!(serde_json::from_str::<NewDocument>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn document_ids() {
        assert_eq!(" 7 ".parse::<DocumentId>().unwrap(), DocumentId(7));
        assert!("-1".parse::<DocumentId>().is_err());
        assert_eq!(serde_json::to_string(&DocumentId(9)).unwrap(), "9");
    }

    #[test]
    fn query_parse_and_errors() {
        let q0 = q(
            "accounting",
            Some(" "),
            Some(""),
            Some(""),
            None,
            Some("  "),
            0,
            50,
        )
        .unwrap();
        assert_eq!(q0, DocumentQuery::new(DocumentCategory::Accounting));
        let e = q("bill", None, None, None, None, None, 0, 50).unwrap_err();
        assert_eq!(e.code(), "INVALID_QUERY");
        assert!(e.to_string().contains("workshop_claim"), "{e}");
        let e = q("accounting", Some("invoice"), None, None, None, None, 0, 50).unwrap_err();
        assert_eq!(e.code(), "INVALID_QUERY");
        assert!(e.to_string().contains("carence_debit_note"), "{e}");
        let e = q("quote", Some("credit_note"), None, None, None, None, 0, 50).unwrap_err();
        assert_eq!(e.code(), "INVALID_QUERY");
        for limit in [0, 501, usize::MAX] {
            let e = q("quote", None, None, None, None, None, 0, limit).unwrap_err();
            assert_eq!(e.code(), "INVALID_QUERY", "{limit}");
        }
        assert!(q("quote", None, None, None, None, None, usize::MAX, 500).is_ok());
        for (from, to) in [
            (Some("13/2024"), None),
            (Some("1/0000"), None),
            (Some("1/AAAA"), Some("fin")),
            (Some("3/2024"), Some("1/2024")),
        ] {
            let e = q("accounting", None, None, from, to, None, 0, 50).unwrap_err();
            assert_eq!(e.code(), "INVALID_PERIOD");
        }
        let e = q("accounting", None, Some("22#04"), None, None, None, 0, 50).unwrap_err();
        assert_eq!(e.code(), "INVALID_QUERY");
        let e = q(
            "accounting",
            None,
            None,
            None,
            None,
            Some("AI-123-CD"),
            0,
            50,
        )
        .unwrap_err();
        assert_eq!(e.code(), "INVALID_QUERY");
        let ok = q(
            "accounting",
            None,
            Some(" 2204 003143 "),
            None,
            None,
            None,
            0,
            1,
        )
        .unwrap();
        assert_eq!(ok.number.as_deref(), Some("2204003143"));
    }

    #[test]
    fn query_serde() {
        let q1 = q(
            "accounting",
            Some("credit_note"),
            Some("N1"),
            Some("1/2024"),
            Some("2/2024"),
            Some("ab123cd"),
            10,
            20,
        )
        .unwrap();
        let json = serde_json::to_string(&q1).unwrap();
        assert_eq!(serde_json::from_str::<DocumentQuery>(&json).unwrap(), q1);
        let d: DocumentQuery = serde_json::from_str(r#"{"category":"quote"}"#).unwrap();
        assert_eq!(d, DocumentQuery::new(DocumentCategory::Quote));
        assert!(
            serde_json::from_str::<DocumentQuery>(r#"{"category":"quote","limit":0}"#).is_err()
        );
        assert!(
            serde_json::from_str::<DocumentQuery>(r#"{"category":"quote","kind":"debit_note"}"#)
                .is_err()
        );
    }

    fn corpus() -> Vec<Document> {
        vec![
            doc(1, invoice("2204003143", "2024-01-31")),
            doc(
                2,
                NewDocument::new("accounting", "2204003144", "2024-02-01")
                    .unwrap()
                    .with_kind("credit_note")
                    .unwrap()
                    .with_registration("AB-123-CD")
                    .unwrap(),
            ),
            doc(
                3,
                NewDocument::new("contract", "C-1", "2024-02-15")
                    .unwrap()
                    .with_contract_number("GV2024000123")
                    .unwrap()
                    .with_registration("1234 AB 56")
                    .unwrap(),
            ),
            doc(
                4,
                NewDocument::new("workshop_claim", "W-1", "2024-03-01")
                    .unwrap()
                    .with_agreement_number("987654")
                    .unwrap()
                    .with_registration("ab123cd")
                    .unwrap(),
            ),
            doc(5, invoice("2204003145", "2024-02-01")),
        ]
    }

    fn ids(p: &DocumentPage) -> Vec<u64> {
        p.items.iter().map(|d| d.id.0).collect()
    }

    #[test]
    fn search_semantics() {
        let docs = corpus();
        let run = |q: DocumentQuery| q.run(&docs);
        let all = run(q("accounting", None, None, None, None, None, 0, 50).unwrap());
        assert_eq!((ids(&all), all.total), (vec![5, 2, 1], 3));
        let seed = run(q(
            "accounting",
            None,
            Some("2204003143"),
            None,
            None,
            None,
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&seed), [1]);
        let kind = run(q(
            "accounting",
            Some("credit_note"),
            None,
            None,
            None,
            None,
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&kind), [2]);
        let jan = run(q(
            "accounting",
            None,
            None,
            Some("1/2024"),
            Some("1/2024"),
            None,
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&jan), [1]);
        let from_feb = run(q("accounting", None, None, Some("2/2024"), None, None, 0, 50).unwrap());
        assert_eq!(ids(&from_feb), [5, 2]);
        let plate = run(q(
            "accounting",
            None,
            None,
            None,
            None,
            Some("ab 123 cd"),
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&plate), [2]);
        let plate = run(q(
            "workshop_claim",
            None,
            None,
            None,
            None,
            Some("AB123CD"),
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&plate), [4]);
        let fni = run(q("contract", None, None, None, None, Some("1234AB56"), 0, 50).unwrap());
        assert_eq!(ids(&fni), [3]);
        let contract = run(q(
            "contract",
            None,
            None,
            None,
            None,
            Some("gv 2024 000123"),
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&contract), [3]);
        let agreement = run(q(
            "workshop_claim",
            None,
            None,
            None,
            None,
            Some("987 654"),
            0,
            50,
        )
        .unwrap());
        assert_eq!(ids(&agreement), [4]);
        // The agreement number does not match a contract number or a plate field.
        let none = run(q("contract", None, None, None, None, Some("987654"), 0, 50).unwrap());
        assert_eq!((none.total, none.items.len()), (0, 0));
        // Pagination keeps the total.
        let p2 = run(q("accounting", None, None, None, None, None, 1, 1).unwrap());
        assert_eq!((ids(&p2), p2.total), (vec![2], 3));
        let past = run(q("accounting", None, None, None, None, None, 10, 5).unwrap());
        assert_eq!((ids(&past), past.total), (vec![], 3));
    }

    fn any_doc() -> impl Strategy<Value = Document> {
        (
            0u64..50,
            proptest::sample::select(DocumentCategory::ALL),
            proptest::option::of(proptest::sample::select(DocumentKind::ALL)),
            proptest::sample::select(vec!["N1", "N2", "2204003143"]),
            0u32..800,
            proptest::option::of(proptest::sample::select(vec!["AB-123-CD", "1234 AB 56"])),
            proptest::option::of(proptest::sample::select(vec!["987654", "123456"])),
        )
            .prop_map(|(id, category, kind, number, day, reg, agr)| {
                let mut d = NewDocument::new(category.code(), number, "2023-01-01").unwrap();
                d.issued_on = date!(2023 - 01 - 01) + time::Duration::days(i64::from(day));
                d.kind = kind.filter(|_| category == DocumentCategory::Accounting);
                d.registration = reg.map(str::to_owned);
                d.agreement_number = agr.map(str::to_owned);
                doc(id, d.validate().unwrap())
            })
    }

    proptest! {
        #[test]
        fn run_agrees_with_matches(
            docs in proptest::collection::vec(any_doc(), 0..30),
            category in proptest::sample::select(DocumentCategory::ALL),
            from in proptest::option::of(1u8..=12),
            reference in proptest::option::of(proptest::sample::select(vec!["ab123cd", "987 654", "1234AB56"])),
            offset in 0usize..10,
            limit in 1usize..10,
        ) {
            let from = from.map(|m| format!("{m}/2024"));
            let query = q(category.code(), None, None, from.as_deref(), None, reference, offset, limit).unwrap();
            let page = query.run(&docs);
            let mut expected: Vec<&Document> = docs.iter().filter(|d| query.matches(d)).collect();
            prop_assert_eq!(page.total, expected.len());
            expected.sort_by(|a, b| newest_first(a, b));
            prop_assert!(page.items.len() <= limit);
            for (i, d) in page.items.iter().enumerate() {
                prop_assert_eq!(d, expected[offset + i]);
            }
            for w in page.items.windows(2) {
                prop_assert_ne!(newest_first(&w[0], &w[1]), Ordering::Greater);
            }
        }

        #[test]
        fn document_serde_roundtrip(d in any_doc()) {
            let json = serde_json::to_string(&d).unwrap();
            prop_assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), d);
        }

        #[test]
        fn parsing_never_panics(a in "\\PC{0,24}", b in "\\PC{0,12}", c in "\\PC{0,12}") {
            let _ = NewDocument::new(&a, &b, &c);
            let _ = NewDocument::new("quote", &a, "2024-01-01");
            let _ = NewDocument::new("quote", "n", &a);
            let _ = q(&a, Some(&b), Some(&c), Some(&b), Some(&c), Some(&a), 0, 50);
            let _ = q("accounting", Some(&b), Some(&c), Some(&b), Some(&c), Some(&a), 0, 50);
        }
    }
}

//! Documents and the audit log.

use super::iso;
use dealer_portal::audit::AuditEvent as CoreAuditEvent;
use dealer_portal::document::{Document as CoreDocument, DocumentFields, NewDocument};
use dealer_portal::{Coded, Error, Locale};
use napi_derive::napi;

/// A document: given to `addDocument` (without `id` and `establishment`), or found by a search.
/// Its file stays with the host: `fileRef` is a reference (URI, key), not bytes.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Document {
    /// The id the store gave it (set on search results, ignored by `addDocument`).
    pub id: Option<String>,
    /// The code of its establishment (set on search results, ignored by `addDocument`).
    pub establishment: Option<String>,
    /// accounting, contract, quote or workshop_claim.
    #[napi(ts_type = "DocumentCategory")]
    pub category: String,
    /// Its number (invoice number `2204003143`, ...).
    pub number: String,
    /// The issue date, YYYY-MM-DD.
    pub issued_on: String,
    /// For accounting documents: maintenance_invoice, warranty_invoice, deduction_letter,
    /// credit_note, debit_note or carence_debit_note.
    #[napi(ts_type = "DocumentKind")]
    pub kind: Option<String>,
    /// A title to show.
    pub title: Option<String>,
    /// An amount in integer cents.
    pub amount_cents: Option<i64>,
    /// The vehicle's registration plate, any spacing or case.
    pub registration: Option<String>,
    /// A contract number.
    pub contract_number: Option<String>,
    /// An agreement number.
    pub agreement_number: Option<String>,
    /// Where the host keeps the file.
    pub file_ref: Option<String>,
}

impl Document {
    /// The document as the core parses it (`id` and `establishment` are not part of it).
    pub(crate) fn to_core(&self) -> Result<NewDocument, Error> {
        NewDocument::from_fields(&DocumentFields {
            category: &self.category,
            number: &self.number,
            issued_on: &self.issued_on,
            kind: self.kind.as_deref(),
            title: self.title.as_deref(),
            amount_cents: self.amount_cents,
            registration: self.registration.as_deref(),
            contract_number: self.contract_number.as_deref(),
            agreement_number: self.agreement_number.as_deref(),
            file_ref: self.file_ref.as_deref(),
        })
    }
}

impl From<CoreDocument> for Document {
    fn from(d: CoreDocument) -> Self {
        let doc = d.doc;
        Document {
            id: Some(d.id.to_string()),
            establishment: Some(d.establishment.as_str().to_owned()),
            category: doc.category.code().to_owned(),
            number: doc.number,
            issued_on: doc.issued_on.to_string(),
            kind: doc.kind.map(|k| k.code().to_owned()),
            title: doc.title,
            amount_cents: doc.amount_cents,
            registration: doc.registration,
            contract_number: doc.contract_number,
            agreement_number: doc.agreement_number,
            file_ref: doc.file_ref,
        }
    }
}

/// A page of documents, newest first, with the total number of matches.
#[napi(object, object_from_js = false)]
pub struct DocumentPage {
    /// This page, newest first.
    pub items: Vec<Document>,
    /// Matches in all pages.
    pub total: u32,
}

/// One entry of the audit log, chained to the previous one by SHA-256.
#[napi(object, object_from_js = false)]
pub struct AuditEvent {
    /// Its position in the log, from 1.
    pub seq: i64,
    /// When (ISO 8601, UTC).
    pub at: String,
    /// Who did it (an account id); none for anonymous requests.
    pub actor: Option<String>,
    /// What happened (user_created, rights_changed, ...).
    pub action: &'static str,
    /// The action in French ("Utilisateur créé").
    pub action_label_fr: &'static str,
    /// To whom (an account id).
    pub subject: Option<String>,
    /// The establishments concerned.
    pub establishments: Vec<String>,
    /// Details (rights before and after, reasons...), as JSON.
    #[napi(ts_type = "unknown")]
    pub details: serde_json::Value,
    /// The previous entry's hash, hex.
    pub prev_hash: String,
    /// This entry's hash, hex.
    pub hash: String,
}

impl From<CoreAuditEvent> for AuditEvent {
    fn from(e: CoreAuditEvent) -> Self {
        let ev = e.event;
        AuditEvent {
            seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
            at: iso(ev.at),
            actor: ev.actor.map(|a| a.to_string()),
            action: ev.action.code(),
            action_label_fr: ev.action.label(Locale::Fr),
            subject: ev.subject.map(|a| a.to_string()),
            establishments: ev
                .establishments
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            details: ev.details,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

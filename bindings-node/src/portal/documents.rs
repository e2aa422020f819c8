//! Documents and their search, direct debits and monthly statements, the audit log.

use super::{Core, Job, Portal};
use super::{page, parse_code, parse_optional_code};
use crate::values::{AuditEvent, DebitLine, Document, DocumentPage, Reconciliation, count};
use dealer_portal::Error;
use dealer_portal::audit;
use dealer_portal::document::DocumentQuery;
use dealer_portal::period::YearMonth;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// The optional arguments of `searchDocuments`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct SearchDocumentsOptions {
    /// For accounting documents: maintenance_invoice, warranty_invoice, ...
    #[napi(ts_type = "DocumentKind")]
    pub kind: Option<String>,
    /// The document's number.
    pub number: Option<String>,
    /// First month, M/YYYY.
    pub period_from: Option<String>,
    /// Last month, M/YYYY (inclusive).
    pub period_to: Option<String>,
    /// A plate, contract number or agreement number.
    pub reference: Option<String>,
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

/// The optional arguments of `searchReference`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct SearchReferenceOptions {
    /// The establishment to search (by default the one the session is connected to).
    pub establishment_code: Option<String>,
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

/// The optional arguments of `auditLog`.
#[napi(object, object_to_js = false)]
pub struct PageOptions {
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

portal_methods! {
    #[doc = "The audit log of an establishment the actor manages (undefined or null: the one the"]
    #[doc = "session is connected to), newest first."]
    fn audit_log / audit_log_async(session_token: String, establishment_code: Option<String>, options: Option<PageOptions>) -> Vec<AuditEvent> as "Promise<Array<AuditEvent>>"
    |p| {
        let (offset, limit) = options
            .map_or((0, audit::DEFAULT_LIMIT), |o| page(o.offset, o.limit, audit::DEFAULT_LIMIT));
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        Ok(p.audit_log(&session_token, establishment.as_ref(), offset, limit)?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }

    #[doc = "Adds a document of an establishment (the host's import); returns its id."]
    fn add_document / add_document_async(establishment_code: String, document: Document) -> String as "Promise<string>"
    |p| { Ok(p.add_document(&parse_code(&establishment_code)?, &document.to_core()?)?.to_string()) }

    #[doc = "Adds many documents of one establishment in one transaction; returns their ids."]
    fn add_documents / add_documents_async(establishment_code: String, documents: Vec<Document>) -> Vec<String> as "Promise<Array<string>>"
    |p| {
        let docs = documents.iter().map(Document::to_core).collect::<Result<Vec<_>, _>>()?;
        Ok(p.add_documents(&parse_code(&establishment_code)?, &docs)?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    #[doc = "Searches the documents of an establishment (undefined or null: the one the session is"]
    #[doc = "connected to) (\"moteur de recherche de document\"), newest first, paginated."]
    fn search_documents / search_documents_async(
        session_token: String,
        establishment_code: Option<String>,
        category: String as "DocumentCategory",
        options: Option<SearchDocumentsOptions>,
    ) -> DocumentPage as "Promise<DocumentPage>"
    |p| {
        let o = options.unwrap_or_default();
        let (offset, limit) = page(o.offset, o.limit, DocumentQuery::DEFAULT_LIMIT);
        let q = DocumentQuery::parse(
            &category,
            o.kind.as_deref(),
            o.number.as_deref(),
            o.period_from.as_deref(),
            o.period_to.as_deref(),
            o.reference.as_deref(),
            offset,
            limit,
        )?;
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        let page = p.search_documents(&session_token, establishment.as_ref(), &q)?;
        Ok(DocumentPage {
            items: page.items.into_iter().map(Document::from).collect(),
            total: count(page.total),
        })
    }

    #[doc = "The header's quick search (\"Immatriculation, n° contrat, n° accord\"): the documents of"]
    #[doc = "every category the actor may read on the establishment whose plate, contract number or"]
    #[doc = "agreement number is `text`, newest first, paginated. INVALID_QUERY if `text` is none of"]
    #[doc = "the three."]
    fn search_reference / search_reference_async(
        session_token: String,
        text: String,
        options: Option<SearchReferenceOptions>,
    ) -> DocumentPage as "Promise<DocumentPage>"
    |p| {
        let o = options.unwrap_or_default();
        let (offset, limit) = page(o.offset, o.limit, DocumentQuery::DEFAULT_LIMIT);
        let establishment = parse_optional_code(o.establishment_code.as_deref())?;
        let page = p.search_reference(&session_token, &text, establishment.as_ref(), offset, limit)?;
        Ok(DocumentPage {
            items: page.items.into_iter().map(Document::from).collect(),
            total: count(page.total),
        })
    }

    #[doc = "Records a direct-debit line of an establishment for a month (M/YYYY)."]
    fn record_debit_line / record_debit_line_async(establishment_code: String, month: String, line: DebitLine) -> () as "Promise<void>"
    |p| { p.record_debit_line(&parse_code(&establishment_code)?, YearMonth::parse(&month)?, &line.to_core()?) }

    #[doc = "The month's (M/YYYY) statement of an establishment (undefined or null: the one the"]
    #[doc = "session is connected to), reconciled against its regime."]
    fn monthly_statement / monthly_statement_async(session_token: String, establishment_code: Option<String>, month: String) -> Reconciliation as "Promise<Reconciliation>"
    |p| {
        let month = YearMonth::parse(&month)?;
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        p.monthly_statement(&session_token, establishment.as_ref(), month).map(Reconciliation::from)
    }
}

//! The contract's values as plain JS objects (`#[napi(object)]`, camelCase fields) and string
//! enums, with their conversions from and to the core's types. Codes and labels come from the
//! core's [`Coded`] implementations; no rule lives here.

use dealer_portal::account::AccountSummary as CoreAccountSummary;
use dealer_portal::audit::AuditEvent as CoreAuditEvent;
use dealer_portal::document::{Document as CoreDocument, DocumentFields, NewDocument};
use dealer_portal::establishment::Establishment as CoreEstablishment;
use dealer_portal::notification::Notification as CoreNotification;
use dealer_portal::password::{Check as CoreCheck, Evaluation as CoreEvaluation};
use dealer_portal::reference::Reference as CoreReference;
use dealer_portal::regime::{
    DebitLine as CoreDebitLine, ExpectedDebit as CoreExpectedDebit,
    ReconciledDebit as CoreReconciledDebit, Reconciliation as CoreReconciliation,
    Regime as CoreRegime,
};
use dealer_portal::rights::{Right as CoreRight, Rights, RightsMatrix};
use dealer_portal::service::TokenStatus as CoreTokenStatus;
use dealer_portal::session::Session as CoreSession;
use dealer_portal::support::{
    SupportChannel as CoreSupportChannel, SupportDirectory as CoreSupportDirectory,
};
use dealer_portal::{Coded, Error, Locale};
use napi_derive::napi;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An instant as ISO 8601 in UTC (`2026-01-15T09:00:00Z`), as the contract says.
pub(crate) fn iso(t: OffsetDateTime) -> String {
    let utc = t.to_offset(UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|_| utc.to_string())
}

/// A count as a JS number (counts and totals never reach 2^32 in a portal).
pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ----- enums -----

/// One of the six rights of an account on an establishment; the value is the stable code.
// The members are named as in the contract (`Right.MANAGE_ACCOUNTS`), not in Rust's style.
#[napi(string_enum)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Réaliser des devis & souscriptions.
    #[napi(value = "quotes_and_subscriptions")]
    QUOTES_AND_SUBSCRIPTIONS,
    /// Rechercher des devis et contrats.
    #[napi(value = "search_quotes_and_contracts")]
    SEARCH_QUOTES_AND_CONTRACTS,
    /// Déposer des demandes de prise en charge.
    #[napi(value = "submit_claims")]
    SUBMIT_CLAIMS,
    /// Rechercher des demandes de prise en charge.
    #[napi(value = "search_claims")]
    SEARCH_CLAIMS,
    /// Accéder aux documents comptables.
    #[napi(value = "accounting_documents")]
    ACCOUNTING_DOCUMENTS,
    /// Gérer les comptes.
    #[napi(value = "manage_accounts")]
    MANAGE_ACCOUNTS,
}

impl From<Right> for CoreRight {
    fn from(r: Right) -> CoreRight {
        match r {
            Right::QUOTES_AND_SUBSCRIPTIONS => CoreRight::QuotesAndSubscriptions,
            Right::SEARCH_QUOTES_AND_CONTRACTS => CoreRight::SearchQuotesAndContracts,
            Right::SUBMIT_CLAIMS => CoreRight::SubmitClaims,
            Right::SEARCH_CLAIMS => CoreRight::SearchClaims,
            Right::ACCOUNTING_DOCUMENTS => CoreRight::AccountingDocuments,
            Right::MANAGE_ACCOUNTS => CoreRight::ManageAccounts,
        }
    }
}

impl From<CoreRight> for Right {
    fn from(r: CoreRight) -> Right {
        match r {
            CoreRight::QuotesAndSubscriptions => Right::QUOTES_AND_SUBSCRIPTIONS,
            CoreRight::SearchQuotesAndContracts => Right::SEARCH_QUOTES_AND_CONTRACTS,
            CoreRight::SubmitClaims => Right::SUBMIT_CLAIMS,
            CoreRight::SearchClaims => Right::SEARCH_CLAIMS,
            CoreRight::AccountingDocuments => Right::ACCOUNTING_DOCUMENTS,
            CoreRight::ManageAccounts => Right::MANAGE_ACCOUNTS,
        }
    }
}

/// A right set as a list in canonical order.
pub(crate) fn rights_list(rights: Rights) -> Vec<Right> {
    rights.iter().map(Right::from).collect()
}

/// A rights matrix as a record from establishment code to rights, as the core holds it (only
/// establishments where at least one right is held).
pub(crate) fn rights_by_code(matrix: &RightsMatrix) -> BTreeMap<String, Vec<Right>> {
    matrix
        .iter()
        .map(|(code, rights)| (code.as_str().to_owned(), rights_list(rights)))
        .collect()
}

/// A list of rights as a core right set (duplicates collapse).
pub(crate) fn rights_set(rights: &[Right]) -> Rights {
    let mut set = Rights::EMPTY;
    for r in rights {
        set.insert((*r).into());
    }
    set
}

/// The insurance regime of an establishment; the value is the stable code.
// The members are named as in the contract (`Right.MANAGE_ACCOUNTS`), not in Rust's style.
#[napi(string_enum)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// En mode assurance.
    #[napi(value = "insurance")]
    INSURANCE,
    /// Gestion déléguée.
    #[napi(value = "delegated_management")]
    DELEGATED_MANAGEMENT,
    /// Auto-assurance.
    #[napi(value = "self_insurance")]
    SELF_INSURANCE,
}

impl From<Regime> for CoreRegime {
    fn from(r: Regime) -> CoreRegime {
        match r {
            Regime::INSURANCE => CoreRegime::Insurance,
            Regime::DELEGATED_MANAGEMENT => CoreRegime::DelegatedManagement,
            Regime::SELF_INSURANCE => CoreRegime::SelfInsurance,
        }
    }
}

impl From<CoreRegime> for Regime {
    fn from(r: CoreRegime) -> Regime {
        match r {
            CoreRegime::Insurance => Regime::INSURANCE,
            CoreRegime::DelegatedManagement => Regime::DELEGATED_MANAGEMENT,
            CoreRegime::SelfInsurance => Regime::SELF_INSURANCE,
        }
    }
}

// ----- establishments -----

/// An establishment (point de vente): code, name, city and regime (none for a repairer's).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Establishment {
    /// e.g. `T99999`.
    pub code: String,
    /// e.g. `GARAGE XYZ`.
    pub name: String,
    /// e.g. `VILLE 1`.
    pub city: String,
    /// None for a repairer's establishment.
    pub regime: Option<Regime>,
}

impl Establishment {
    pub(crate) fn to_core(&self) -> Result<CoreEstablishment, Error> {
        CoreEstablishment::new(
            &self.code,
            &self.name,
            &self.city,
            self.regime.map(Into::into),
        )
    }
}

impl From<CoreEstablishment> for Establishment {
    fn from(e: CoreEstablishment) -> Self {
        Establishment {
            code: e.code.as_str().to_owned(),
            name: e.name,
            city: e.city,
            regime: e.regime.map(Into::into),
        }
    }
}

// ----- password evaluation -----

/// The result of one password criterion (frozen: shared between equal evaluations).
#[napi(object, object_from_js = false)]
pub struct Check {
    /// min_length, uppercase, lowercase, digit, special, confirmation, then optional criteria.
    #[napi(readonly, ts_type = "Criterion")]
    pub criterion: &'static str,
    /// Whether the candidate meets it: the bullet is green.
    #[napi(readonly)]
    pub met: bool,
    /// The number shown in the label (the minimum, or the maximum for max_length; else 0).
    #[napi(readonly)]
    pub threshold: u32,
    /// The bullet in French ("15 caractères").
    #[napi(readonly)]
    pub label_fr: String,
    /// The bullet in English ("15 characters").
    #[napi(readonly)]
    pub label_en: String,
}

impl From<&CoreCheck> for Check {
    fn from(c: &CoreCheck) -> Self {
        Check {
            criterion: c.criterion.code(),
            met: c.met,
            threshold: count(c.threshold),
            label_fr: c.label(Locale::Fr),
            label_en: c.label(Locale::En),
        }
    }
}

/// The evaluation of a candidate password, criterion by criterion. An immutable (frozen) value:
/// equal evaluations are the same object.
#[napi(object, object_from_js = false)]
pub struct Evaluation {
    /// Whether every reported criterion is met.
    #[napi(readonly)]
    pub acceptable: bool,
    /// The checks, in the policy's order.
    #[napi(readonly, ts_type = "ReadonlyArray<Check>")]
    pub checks: Vec<Check>,
}

impl From<&CoreEvaluation> for Evaluation {
    fn from(e: &CoreEvaluation) -> Self {
        Evaluation {
            acceptable: e.acceptable(),
            checks: e.checks.iter().map(Check::from).collect(),
        }
    }
}

// ----- tokens, sessions, notifications -----

/// A login session. `token` is a secret: keep it in an HttpOnly cookie or a keychain.
#[napi(object, object_from_js = false)]
pub struct Session {
    /// The session token.
    pub token: String,
    /// The account logged in.
    pub account_id: String,
    /// When it expires if not used (ISO 8601, UTC).
    pub expires_at: String,
}

impl From<CoreSession> for Session {
    fn from(s: CoreSession) -> Self {
        Session {
            token: s.token.expose().to_owned(),
            account_id: s.account_id.to_string(),
            expires_at: iso(s.expires_at),
        }
    }
}

/// A queued mail the host must send, then acknowledge.
#[napi(object, object_from_js = false)]
pub struct Notification {
    /// Its id in the outbox, for `acknowledgeNotification`.
    pub id: i64,
    /// password_reset, activation, account_locked or account_exists.
    #[napi(ts_type = "NotificationKind")]
    pub kind: &'static str,
    /// The recipient (normalised: trimmed, lower case).
    pub email: String,
    /// The recipient's name, for the greeting.
    pub name: String,
    /// The link's token, for mails that carry a link (a secret).
    pub token: Option<String>,
    /// When the link (or the lock) expires (ISO 8601, UTC).
    pub expires_at: Option<String>,
    /// When it was queued (ISO 8601, UTC).
    pub created_at: String,
    /// The mail's language: "fr" or "en".
    #[napi(ts_type = "Locale")]
    pub locale: &'static str,
    /// The mail's subject in its language.
    pub subject: &'static str,
}

impl From<CoreNotification> for Notification {
    fn from(n: CoreNotification) -> Self {
        Notification {
            id: i64::try_from(n.id.0).unwrap_or(i64::MAX),
            kind: n.body.kind.code(),
            subject: n.subject(),
            email: n.body.email.as_str().to_owned(),
            name: n.body.name,
            token: n.body.token.as_ref().map(|t| t.expose().to_owned()),
            expires_at: n.body.expires_at.map(iso),
            created_at: iso(n.created_at),
            locale: n.body.locale.code(),
        }
    }
}

/// Whether a reset or activation link can still be used (inspecting never consumes it).
#[napi(object, object_from_js = false)]
pub struct TokenStatus {
    /// Whether the form can be shown.
    pub usable: bool,
    /// password_reset or activation, when the token is known.
    #[napi(ts_type = "TokenKind")]
    pub kind: Option<&'static str>,
    /// When it expires, when usable (ISO 8601, UTC).
    pub expires_at: Option<String>,
}

impl From<CoreTokenStatus> for TokenStatus {
    fn from(s: CoreTokenStatus) -> Self {
        TokenStatus {
            usable: s.usable,
            kind: s.kind.map(|k| k.code()),
            expires_at: s.expires_at.map(iso),
        }
    }
}

// ----- accounts -----

/// One line of the account list.
#[napi(object, object_from_js = false)]
pub struct AccountSummary {
    /// The account id.
    pub id: String,
    /// The login email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// declared, invited, active or disabled.
    #[napi(ts_type = "AccountState")]
    pub state: &'static str,
    /// The codes of the establishments (visible to the actor) where it holds rights.
    pub establishments: Vec<String>,
}

impl From<CoreAccountSummary> for AccountSummary {
    fn from(a: CoreAccountSummary) -> Self {
        AccountSummary {
            id: a.id.to_string(),
            email: a.email.as_str().to_owned(),
            last_name: a.last_name.as_str().to_owned(),
            first_name: a.first_name.as_str().to_owned(),
            state: a.state.code(),
            establishments: a
                .establishments
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        }
    }
}

/// A page of accounts with the total number of matches.
#[napi(object, object_from_js = false)]
pub struct AccountPage {
    /// This page, in French alphabetical order.
    pub items: Vec<AccountSummary>,
    /// Matches in all pages.
    pub total: u32,
}

/// One row of a bulk user import (`createUsers`), as given: the core validates each row.
#[napi(object, object_to_js = false)]
pub struct UserImport {
    /// Where the user gets rights.
    pub establishment_code: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// The login email.
    pub email: String,
    /// At least one, among the importer's own rights there.
    pub rights: Vec<Right>,
    /// A mobile number as typed (`06 23 42 54 55`, or `+32 …` for another country); the core
    /// reads it.
    pub mobile: Option<String>,
    /// A landline number as typed; the core reads it.
    pub landline: Option<String>,
}

/// The outcome of one row of `createUsers`: the new account id, or the row's error.
#[napi(object, object_from_js = false)]
pub struct ImportOutcome {
    /// The new account's id when the row was imported.
    pub account_id: Option<String>,
    /// The error code when it was not (same codes as thrown errors).
    #[napi(ts_type = "ErrorCode")]
    pub code: Option<&'static str>,
    /// What was wrong with the row.
    pub message: Option<String>,
    /// Unmet password criteria (always empty for imports; kept for the error's shape).
    #[napi(ts_type = "Array<Criterion>")]
    pub criteria: Option<Vec<&'static str>>,
}

// ----- documents -----

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

// ----- audit -----

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

// ----- regimes and debits -----

/// A line of a direct debit: issuer, nature and amount in integer cents.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DebitLine {
    /// stellantis_insurance or stellantis_services.
    #[napi(ts_type = "Issuer")]
    pub issuer: String,
    /// premium, claims_settled, management_fees or npo.
    #[napi(ts_type = "DebitNature")]
    pub nature: String,
    /// The amount in integer cents.
    pub amount_cents: i64,
    /// The bank statement's wording.
    pub label: Option<String>,
}

impl DebitLine {
    pub(crate) fn to_core(&self) -> Result<CoreDebitLine, Error> {
        let mut line = CoreDebitLine::new(&self.issuer, &self.nature, self.amount_cents)?;
        if let Some(l) = &self.label {
            line = line.with_label(l)?;
        }
        Ok(line)
    }
}

impl From<&CoreDebitLine> for DebitLine {
    fn from(l: &CoreDebitLine) -> Self {
        DebitLine {
            issuer: l.issuer.code().to_owned(),
            nature: l.nature.code().to_owned(),
            amount_cents: l.amount_cents,
            label: l.label.clone(),
        }
    }
}

/// A list of debit lines as core lines.
pub(crate) fn debit_lines(lines: &[DebitLine]) -> Result<Vec<CoreDebitLine>, Error> {
    lines.iter().map(DebitLine::to_core).collect()
}

/// A monthly debit a regime expects.
#[napi(object, object_from_js = false)]
pub struct ExpectedDebit {
    /// The debit's code (insurance_monthly, claims_settled, ...).
    #[napi(ts_type = "DebitCode")]
    pub code: &'static str,
    /// Who collects it.
    #[napi(ts_type = "Issuer")]
    pub issuer: &'static str,
    /// The `[issuer, nature]` pairs of the lines it gathers.
    #[napi(ts_type = "Array<[Issuer, DebitNature]>")]
    pub accepted: Vec<Vec<&'static str>>,
    /// In French.
    pub label_fr: &'static str,
    /// In English.
    pub label_en: &'static str,
}

impl From<&CoreExpectedDebit> for ExpectedDebit {
    fn from(d: &CoreExpectedDebit) -> Self {
        ExpectedDebit {
            code: d.code.code(),
            issuer: d.issuer.code(),
            accepted: d
                .accepted
                .iter()
                .map(|(i, n)| vec![i.code(), n.code()])
                .collect(),
            label_fr: d.label(Locale::Fr),
            label_en: d.label(Locale::En),
        }
    }
}

/// An expected debit with its lines and total.
#[napi(object, object_from_js = false)]
pub struct ReconciledDebit {
    /// The debit's code.
    #[napi(ts_type = "DebitCode")]
    pub code: &'static str,
    /// Who collects it.
    #[napi(ts_type = "Issuer")]
    pub issuer: &'static str,
    /// Its lines.
    pub lines: Vec<DebitLine>,
    /// Their total in integer cents.
    pub total_cents: i64,
    /// In French.
    pub label_fr: &'static str,
}

impl From<&CoreReconciledDebit> for ReconciledDebit {
    fn from(d: &CoreReconciledDebit) -> Self {
        ReconciledDebit {
            code: d.code.code(),
            issuer: d.issuer.code(),
            lines: d.lines.iter().map(DebitLine::from).collect(),
            total_cents: d.total_cents,
            label_fr: d.code.label(Locale::Fr),
        }
    }
}

/// A month's debit lines reconciled against a regime's expected debits.
#[napi(object, object_from_js = false)]
pub struct Reconciliation {
    /// The regime.
    pub regime: Regime,
    /// The month, M/YYYY.
    pub month: String,
    /// Each expected debit with its lines and total, in the regime's order.
    pub debits: Vec<ReconciledDebit>,
    /// Codes of the expected debits with no line.
    #[napi(ts_type = "Array<DebitCode>")]
    pub missing: Vec<&'static str>,
    /// The lines that belong to no debit of the regime.
    pub unexpected: Vec<DebitLine>,
    /// Nothing missing and nothing unexpected.
    pub complete: bool,
}

impl From<CoreReconciliation> for Reconciliation {
    fn from(r: CoreReconciliation) -> Self {
        Reconciliation {
            regime: r.regime.into(),
            month: r.month.to_string(),
            debits: r.debits.iter().map(ReconciledDebit::from).collect(),
            missing: r.missing.iter().map(|c| c.code()).collect(),
            unexpected: r.unexpected.iter().map(DebitLine::from).collect(),
            complete: r.is_complete(),
        }
    }
}

// ----- references and support -----

/// A quick-search reference: a registration plate, a contract number or an agreement number.
#[napi(object, object_from_js = false)]
pub struct Reference {
    /// registration_plate, contract_number or agreement_number.
    #[napi(ts_type = "ReferenceKind")]
    pub kind: &'static str,
    /// "AB-123-CD", "1234 AB 56", or an upper-case number without separators.
    pub normalized: String,
    /// For a plate, its format (siv or fni).
    #[napi(ts_type = "PlateFormat")]
    pub plate_format: Option<&'static str>,
}

impl From<CoreReference> for Reference {
    fn from(r: CoreReference) -> Self {
        Reference {
            kind: r.kind().code(),
            plate_format: r.plate_format().map(|p| p.code()),
            normalized: r.into_normalized(),
        }
    }
}

/// A support contact channel and the topics it serves.
#[napi(object, object_from_js = false)]
pub struct SupportChannel {
    /// email or phone.
    #[napi(ts_type = "ChannelKind")]
    pub kind: &'static str,
    /// The address or number.
    pub value: String,
    /// Codes of the topics it serves (subscription, billing, contract_changes, ...).
    #[napi(ts_type = "Array<SupportTopic>")]
    pub topics: Vec<&'static str>,
    /// The topics in French.
    pub topic_labels_fr: Vec<&'static str>,
}

/// The support contacts (seed §4).
#[napi(object, object_from_js = false)]
pub struct SupportDirectory {
    /// Every channel.
    pub channels: Vec<SupportChannel>,
}

impl From<CoreSupportDirectory> for SupportDirectory {
    fn from(d: CoreSupportDirectory) -> Self {
        SupportDirectory {
            channels: d.channels.iter().map(channel).collect(),
        }
    }
}

fn channel(c: &CoreSupportChannel) -> SupportChannel {
    SupportChannel {
        kind: c.kind.code(),
        value: c.value.clone(),
        topics: c.topics.iter().map(|t| t.code()).collect(),
        topic_labels_fr: c.topics.iter().map(|t| t.label(Locale::Fr)).collect(),
    }
}

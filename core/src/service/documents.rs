//! Documents, their search and the monthly statements of direct debits (seed §3).

use super::{Portal, existing_establishment};
use crate::clock::Clock;
use crate::document::{DocumentId, DocumentPage, DocumentQuery, NewDocument};
use crate::establishment::EstablishmentCode;
use crate::period::YearMonth;
use crate::regime::{DebitLine, Reconciliation, reconcile};
use crate::rights::Right;
use crate::store::{DocumentRepo, Store};
use crate::{Error, Result};

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- documents (seed §3) -----

    /// Adds a document of an establishment (the host's import; no session).
    pub fn add_document(&self, code: &EstablishmentCode, doc: &NewDocument) -> Result<DocumentId> {
        self.store.write(|tx| {
            existing_establishment(tx, &code)?;
            tx.insert_document(&code, doc)
        })
    }

    /// Adds many documents of one establishment in one transaction.
    pub fn add_documents(
        &self,
        code: &EstablishmentCode,
        docs: &[NewDocument],
    ) -> Result<Vec<DocumentId>> {
        self.store.write(|tx| {
            existing_establishment(tx, &code)?;
            docs.iter().map(|d| tx.insert_document(&code, d)).collect()
        })
    }

    /// Searches the documents of the establishment the user is connected to: accounting
    /// documents need `AccountingDocuments` there, contracts and quotes
    /// `SearchQuotesAndContracts`, workshop claims `SearchClaims`.
    pub fn search_documents(
        &self,
        session_token: &str,
        code: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        let actor = self.actor(session_token)?;
        self.store.read(|tx| {
            existing_establishment(tx, &code)?;
            let needed = q.category.required_right();
            if !actor.rights.rights_on(&code).contains(needed) {
                return Err(needed.missing_on(&code));
            }
            tx.search_documents(&code, q)
        })
    }

    /// Records a direct-debit line of an establishment for a month (the host's import).
    pub fn record_debit_line(
        &self,
        code: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        self.store.write(|tx| {
            existing_establishment(tx, &code)?;
            tx.insert_debit_line(&code, month, line)
        })
    }

    /// The month's statement of an establishment: its regime's expected debits filled from the
    /// recorded lines, what is missing and what is unexpected. Needs `AccountingDocuments`.
    pub fn monthly_statement(
        &self,
        session_token: &str,
        code: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Reconciliation> {
        let actor = self.actor(session_token)?;
        let (e, lines) = self.store.read(|tx| {
            let e = existing_establishment(tx, code)?;
            if !actor
                .rights
                .rights_on(&code)
                .contains(Right::AccountingDocuments)
            {
                return Err(Right::AccountingDocuments.missing_on(&code));
            }
            Ok((e, tx.debit_lines(&code, month)?))
        })?;
        let regime = e.regime.ok_or(Error::InvalidState {
            state: "repairer",
            reason: "a repairer's establishment has no insurance regime",
        })?;
        reconcile(regime, month, &lines)
    }
}

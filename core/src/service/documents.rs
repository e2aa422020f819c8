//! Documents, their search and the monthly statements of direct debits (seed §3).

use super::{Portal, existing_establishment};
use crate::clock::Clock;
use crate::document::{
    DocumentCategory, DocumentId, DocumentPage, DocumentQuery, NewDocument, newest_first,
};
use crate::establishment::EstablishmentCode;
use crate::locale::Coded;
use crate::period::YearMonth;
use crate::regime::{DebitLine, Reconciliation, reconcile};
use crate::rights::Right;
use crate::store::{DocumentRepo, Store};
use crate::{Error, Result};

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- documents (seed §3) -----

    /// Adds a document of an establishment (the host's import; no session).
    pub fn add_document(&self, code: &EstablishmentCode, doc: &NewDocument) -> Result<DocumentId> {
        traced!("add_document", || {
            super::trace::establishment(Some(code));
            self.store.write(|tx| {
                existing_establishment(tx, code)?;
                tx.insert_document(code, doc)
            })
        })
    }

    /// Adds many documents of one establishment in one transaction.
    pub fn add_documents(
        &self,
        code: &EstablishmentCode,
        docs: &[NewDocument],
    ) -> Result<Vec<DocumentId>> {
        traced!("add_documents", || {
            super::trace::establishment(Some(code));
            self.store.write(|tx| {
                existing_establishment(tx, code)?;
                docs.iter().map(|d| tx.insert_document(code, d)).collect()
            })
        })
    }

    /// Searches the documents of an establishment — `None`: the one the session is connected
    /// to. Accounting documents need `AccountingDocuments` there, contracts and quotes
    /// `SearchQuotesAndContracts`, workshop claims `SearchClaims`.
    pub fn search_documents<'a>(
        &self,
        session_token: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        traced!("search_documents", || {
            let actor = self.actor(session_token)?;
            let code = &actor.establishment_or_connected(establishment.into())?;
            self.store.read(|tx| {
                existing_establishment(tx, code)?;
                let needed = q.category.required_right();
                if !actor.rights.rights_on(code).contains(needed) {
                    return Err(needed.missing_on(code));
                }
                tx.search_documents(code, q)
            })
        })
    }

    /// The header's quick search ("Immatriculation, n° contrat, n° accord"): the documents of
    /// every category the actor may read on the establishment (`None`: the connected one)
    /// whose plate, contract number or agreement number is `text`, newest first, paginated
    /// with the total. Text that is none of the three is [`Error::InvalidQuery`]; an
    /// establishment where the actor may read no category, [`Error::Forbidden`].
    pub fn search_reference<'a>(
        &self,
        session_token: &str,
        text: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        offset: usize,
        limit: usize,
    ) -> Result<DocumentPage> {
        traced!("search_reference", || {
            let reference = crate::reference::parse_reference(text)?;
            // Checks the page bounds once, as every search does.
            DocumentQuery::new(DocumentCategory::Accounting).with_page(offset, limit)?;
            let actor = self.actor(session_token)?;
            let code = &actor.establishment_or_connected(establishment.into())?;
            let held = actor.rights.rights_on(code);
            let readable: Vec<DocumentCategory> = DocumentCategory::ALL
                .iter()
                .copied()
                .filter(|c| held.contains(c.required_right()))
                .collect();
            self.store.read(|tx| {
                existing_establishment(tx, code)?;
                if readable.is_empty() {
                    return Err(Error::Forbidden {
                        reason: crate::error::Forbidden::NoRightOn {
                            establishment: code.to_string(),
                        },
                    });
                }
                // Each category's first `offset + limit` matches, newest first, merged.
                let wanted = offset.saturating_add(limit);
                let mut total = 0;
                let mut hits = Vec::new();
                for category in readable {
                    let mut from = 0;
                    loop {
                        let page = tx.search_documents(
                            code,
                            &DocumentQuery::new(category)
                                .with_reference(reference.clone())
                                .with_page(from, DocumentQuery::MAX_LIMIT)?,
                        )?;
                        let got = page.items.len();
                        if from == 0 {
                            total += page.total;
                        }
                        hits.extend(page.items);
                        from += got;
                        if got == 0 || from >= page.total || from >= wanted {
                            break;
                        }
                    }
                }
                hits.sort_by(newest_first);
                Ok(DocumentPage {
                    items: hits.into_iter().skip(offset).take(limit).collect(),
                    total,
                })
            })
        })
    }

    /// Records a direct-debit line of an establishment for a month (the host's import).
    pub fn record_debit_line(
        &self,
        code: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        traced!("record_debit_line", || {
            super::trace::establishment(Some(code));
            self.store.write(|tx| {
                existing_establishment(tx, code)?;
                tx.insert_debit_line(code, month, line)
            })
        })
    }

    /// The month's statement of an establishment: its regime's expected debits filled from the
    /// recorded lines, what is missing and what is unexpected. Needs `AccountingDocuments`.
    pub fn monthly_statement<'a>(
        &self,
        session_token: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        month: YearMonth,
    ) -> Result<Reconciliation> {
        traced!("monthly_statement", || {
            let actor = self.actor(session_token)?;
            let code = &actor.establishment_or_connected(establishment.into())?;
            let (e, lines) = self.store.read(|tx| {
                let e = existing_establishment(tx, code)?;
                if !actor
                    .rights
                    .rights_on(code)
                    .contains(Right::AccountingDocuments)
                {
                    return Err(Right::AccountingDocuments.missing_on(code));
                }
                Ok((e, tx.debit_lines(code, month)?))
            })?;
            let regime = e.regime.ok_or(Error::InvalidState {
                state: "repairer",
                reason: "a repairer's establishment has no insurance regime",
            })?;
            reconcile(regime, month, &lines)
        })
    }
}

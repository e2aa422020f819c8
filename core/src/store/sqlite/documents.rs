//! [`DocumentRepo`] on SQLite: an establishment's documents and its monthly direct-debit
//! lines.
//!
//! A search is the criteria of `DocumentQuery::matches` as SQL over indexed columns: each exact
//! search has an index on the equality then the results' order (newest first), so neither the
//! count nor the page needs a sort (`schema`'s tests check the plans).

use super::{SqliteTx, col, storage};
use crate::Result;
use crate::document::{
    Document, DocumentCategory, DocumentId, DocumentKind, DocumentPage, DocumentQuery, NewDocument,
};
use crate::establishment::EstablishmentCode;
use crate::locale::Coded;
use crate::period::YearMonth;
use crate::reference::ReferenceKind;
use crate::regime::{DebitLine, DebitNature, Issuer};
use crate::store::DocumentRepo;
use crate::store::row::{coded, corrupt};
use rusqlite::{Row, params};
use time::Date;

const DOCUMENT_COLUMNS: &str = "id, establishment, category, kind, number, issued_on, title, amount_cents, registration, \
     contract_number, agreement_number, file_ref";

fn document_from_row(row: &Row<'_>) -> Result<Document> {
    const T: &str = "documents";
    let id: i64 = col(row, 0, T, "id")?;
    let establishment: String = col(row, 1, T, "establishment")?;
    let category: String = col(row, 2, T, "category")?;
    let kind: Option<String> = col(row, 3, T, "kind")?;
    let doc = NewDocument {
        category: coded::<DocumentCategory>(&category, T, "category")?,
        kind: kind
            .map(|k| coded::<DocumentKind>(&k, T, "kind"))
            .transpose()?,
        number: col(row, 4, T, "number")?,
        issued_on: Date::from_julian_day(col(row, 5, T, "issued_on")?)
            .map_err(|_| corrupt(T, "issued_on"))?,
        title: col(row, 6, T, "title")?,
        amount_cents: col(row, 7, T, "amount_cents")?,
        registration: col(row, 8, T, "registration")?,
        contract_number: col(row, 9, T, "contract_number")?,
        agreement_number: col(row, 10, T, "agreement_number")?,
        file_ref: col(row, 11, T, "file_ref")?,
    };
    Ok(Document {
        id: DocumentId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
        establishment: EstablishmentCode::parse(&establishment)
            .map_err(|_| corrupt(T, "establishment"))?,
        doc: doc
            .validate()
            .map_err(|_| corrupt(T, "number, title or references"))?,
    })
}

impl DocumentRepo for SqliteTx<'_> {
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId> {
        self.writable()?;
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO documents (establishment, category, kind, number, issued_on, title, amount_cents,
                     registration, contract_number, agreement_number, file_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        establishment.as_str(),
                        d.category.code(),
                        d.kind.map(DocumentKind::code),
                        d.number,
                        d.issued_on.to_julian_day(),
                        d.title,
                        d.amount_cents,
                        d.registration,
                        d.contract_number,
                        d.agreement_number,
                        d.file_ref
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot insert a document"))?;
        Ok(DocumentId(id as u64))
    }

    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        // The same criteria as `DocumentQuery::matches`, as SQL over indexed columns.
        let mut sql = String::from("FROM documents WHERE establishment = ?1 AND category = ?2");
        let mut args: Vec<rusqlite::types::Value> = vec![
            establishment.as_str().to_owned().into(),
            q.category.code().to_owned().into(),
        ];
        let mut and = |sql: &mut String, cond: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&format!(" AND {cond} ?{}", args.len()));
        };
        if let Some(k) = q.kind {
            and(&mut sql, "kind =", k.code().to_owned().into());
        }
        if let Some(n) = &q.number {
            and(&mut sql, "number =", n.clone().into());
        }
        let (lo, hi) = q.period.bounds();
        if let Some(lo) = lo {
            and(
                &mut sql,
                "issued_on >=",
                i64::from(lo.to_julian_day()).into(),
            );
        }
        if let Some(hi) = hi {
            and(
                &mut sql,
                "issued_on <=",
                i64::from(hi.to_julian_day()).into(),
            );
        }
        if let Some(r) = &q.reference {
            let column = match r.kind() {
                ReferenceKind::RegistrationPlate => "registration =",
                ReferenceKind::ContractNumber => "contract_number =",
                ReferenceKind::AgreementNumber => "agreement_number =",
            };
            and(&mut sql, column, r.normalized().to_owned().into());
        }
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) {sql}"))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(&args), |r| r.get(0)))
            .map_err(storage("cannot count documents"))?;
        let total = total as usize;
        let mut items = Vec::new();
        if q.offset < total {
            let n = args.len();
            args.push(i64::try_from(q.limit).unwrap_or(i64::MAX).into());
            args.push(i64::try_from(q.offset).unwrap_or(i64::MAX).into());
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {DOCUMENT_COLUMNS} {sql} ORDER BY issued_on DESC, id DESC LIMIT ?{} OFFSET ?{}",
                    n + 1,
                    n + 2
                ))
                .map_err(storage("cannot search documents"))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(&args))
                .map_err(storage("cannot search documents"))?;
            while let Some(row) = rows.next().map_err(storage("cannot search documents"))? {
                items.push(document_from_row(row)?);
            }
        }
        Ok(DocumentPage { items, total })
    }

    fn insert_debit_line(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        self.writable()?;
        self.conn
            .prepare_cached(
                "INSERT INTO debit_lines (establishment, year, month, issuer, nature, amount_cents, label)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    establishment.as_str(),
                    month.year(),
                    month.month(),
                    line.issuer.code(),
                    line.nature.code(),
                    line.amount_cents,
                    line.label
                ])
            })
            .map_err(storage("cannot insert a debit line"))?;
        Ok(())
    }

    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>> {
        const T: &str = "debit_lines";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT issuer, nature, amount_cents, label FROM debit_lines
                 WHERE establishment = ?1 AND year = ?2 AND month = ?3 ORDER BY id",
            )
            .map_err(storage("cannot read debit lines"))?;
        let mut rows = stmt
            .query(params![establishment.as_str(), month.year(), month.month()])
            .map_err(storage("cannot read debit lines"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read debit lines"))? {
            let issuer: String = col(row, 0, T, "issuer")?;
            let nature: String = col(row, 1, T, "nature")?;
            out.push(DebitLine {
                issuer: coded::<Issuer>(&issuer, T, "issuer")?,
                nature: coded::<DebitNature>(&nature, T, "nature")?,
                amount_cents: col(row, 2, T, "amount_cents")?,
                label: col(row, 3, T, "label")?,
            });
        }
        Ok(out)
    }
}

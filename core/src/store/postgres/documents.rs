//! [`DocumentRepo`] on PostgreSQL: an establishment's documents and its monthly direct-debit
//! lines.
//!
//! A search is the criteria of `DocumentQuery::matches` as SQL over indexed columns: each exact
//! search has an index on the equality then the results' order (newest first).

use super::{PostgresTx, col};
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
use ::postgres::Row;
use ::postgres::types::ToSql;

const DOCUMENT_COLUMNS: &str = "id, establishment, category, kind, number, issued_on, title, amount_cents, registration, \
     contract_number, agreement_number, file_ref";

fn document_from_row(row: &Row) -> Result<Document> {
    const T: &str = "documents";
    let id: i64 = col(row, 0, T, "id")?;
    let establishment: &str = col(row, 1, T, "establishment")?;
    let category: &str = col(row, 2, T, "category")?;
    let kind: Option<&str> = col(row, 3, T, "kind")?;
    let doc = NewDocument {
        category: coded::<DocumentCategory>(category, T, "category")?,
        kind: kind
            .map(|k| coded::<DocumentKind>(k, T, "kind"))
            .transpose()?,
        number: col(row, 4, T, "number")?,
        issued_on: col(row, 5, T, "issued_on")?,
        title: col(row, 6, T, "title")?,
        amount_cents: col(row, 7, T, "amount_cents")?,
        registration: col(row, 8, T, "registration")?,
        contract_number: col(row, 9, T, "contract_number")?,
        agreement_number: col(row, 10, T, "agreement_number")?,
        file_ref: col(row, 11, T, "file_ref")?,
    };
    Ok(Document {
        id: DocumentId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
        establishment: EstablishmentCode::parse(establishment)
            .map_err(|_| corrupt(T, "establishment"))?,
        doc: doc
            .validate()
            .map_err(|_| corrupt(T, "number, title or references"))?,
    })
}

impl DocumentRepo for PostgresTx<'_> {
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId> {
        self.writable()?;
        self.serialise()?;
        let row = self.query_one(
            "INSERT INTO documents (establishment, category, kind, number, issued_on, title,
                 amount_cents, registration, contract_number, agreement_number, file_ref)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                &establishment.as_str(),
                &d.category.code(),
                &d.kind.map(DocumentKind::code),
                &d.number,
                &d.issued_on,
                &d.title,
                &d.amount_cents,
                &d.registration,
                &d.contract_number,
                &d.agreement_number,
                &d.file_ref,
            ],
            "cannot insert a document",
        )?;
        let id: i64 = col(&row, 0, "documents", "id")?;
        Ok(DocumentId(
            u64::try_from(id).map_err(|_| corrupt("documents", "id"))?,
        ))
    }

    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        self.serialise()?;
        // The same criteria as `DocumentQuery::matches`, as SQL over indexed columns.
        let establishment = establishment.as_str();
        let category = q.category.code();
        let kind = q.kind.map(DocumentKind::code);
        let (lo, hi) = q.period.bounds();
        let reference = q.reference.as_ref().map(|r| {
            let column = match r.kind() {
                ReferenceKind::RegistrationPlate => "registration",
                ReferenceKind::ContractNumber => "contract_number",
                ReferenceKind::AgreementNumber => "agreement_number",
            };
            (column, r.normalized().to_owned())
        });
        let mut sql = String::from("FROM documents WHERE establishment = $1 AND category = $2");
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&establishment, &category];
        let mut and = |args: &mut Vec<&(dyn ToSql + Sync)>, cond: &str| {
            sql.push_str(&format!(" AND {cond} ${}", args.len()));
        };
        if let Some(k) = &kind {
            args.push(k);
            and(&mut args, "kind =");
        }
        if let Some(n) = &q.number {
            args.push(n);
            and(&mut args, "number =");
        }
        if let Some(lo) = &lo {
            args.push(lo);
            and(&mut args, "issued_on >=");
        }
        if let Some(hi) = &hi {
            args.push(hi);
            and(&mut args, "issued_on <=");
        }
        if let Some((column, value)) = &reference {
            args.push(value);
            and(&mut args, &format!("{column} ="));
        }
        let total = self.count(
            &format!("SELECT count(*) {sql}"),
            &args,
            "cannot count documents",
        )?;
        let mut items = Vec::new();
        if q.offset < total {
            let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let k = args.len();
            args.push(&limit);
            args.push(&offset);
            let rows = self.query(
                &format!(
                    "SELECT {DOCUMENT_COLUMNS} {sql} ORDER BY issued_on DESC, id DESC LIMIT ${} OFFSET ${}",
                    k + 1,
                    k + 2
                ),
                &args,
                "cannot search documents",
            )?;
            items = rows
                .iter()
                .map(document_from_row)
                .collect::<Result<Vec<_>>>()?;
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
        self.serialise()?;
        self.execute(
            "INSERT INTO debit_lines (establishment, year, month, issuer, nature, amount_cents, label)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &establishment.as_str(),
                &i32::from(month.year()),
                &i32::from(month.month()),
                &line.issuer.code(),
                &line.nature.code(),
                &line.amount_cents,
                &line.label,
            ],
            "cannot insert a debit line",
        )?;
        Ok(())
    }

    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>> {
        self.serialise()?;
        const T: &str = "debit_lines";
        let rows = self.query(
            "SELECT issuer, nature, amount_cents, label FROM debit_lines
             WHERE establishment = $1 AND year = $2 AND month = $3 ORDER BY id",
            &[
                &establishment.as_str(),
                &i32::from(month.year()),
                &i32::from(month.month()),
            ],
            "cannot read debit lines",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let issuer: &str = col(row, 0, T, "issuer")?;
            let nature: &str = col(row, 1, T, "nature")?;
            out.push(DebitLine {
                issuer: coded::<Issuer>(issuer, T, "issuer")?,
                nature: coded::<DebitNature>(nature, T, "nature")?,
                amount_cents: col(row, 2, T, "amount_cents")?,
                label: col(row, 3, T, "label")?,
            });
        }
        Ok(out)
    }
}

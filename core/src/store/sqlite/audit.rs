//! [`AuditRepo`] on SQLite: the append-only audit log, each event chained to the previous one by
//! SHA-256 or, under the store's key, HMAC-SHA-256 (`scheme` says which), and its index by
//! establishment (`audit_establishments`).
//!
//! The JSON columns are stored exactly as hashed. The writer is alone, so a write transaction
//! keeps the chain's tip once it has read or written it (`SqliteTx::audit_tip`): a bulk import
//! appends thousands of events without reading the log back.

use super::{SqliteTx, col, storage};
use crate::audit::{
    AuditAction, AuditScheme, GENESIS, NewAuditEvent, StoredAuditEvent, scheme_hash_encoded,
};
use crate::establishment::EstablishmentCode;
use crate::locale::Coded;
use crate::store::AuditRepo;
use crate::store::row::{account_id, coded, corrupt, from_ns, hash32, ns};
use crate::{Error, Result};
use rusqlite::{OptionalExtension, Row, params};

pub(super) fn audit_from_row(row: &Row<'_>) -> Result<StoredAuditEvent> {
    const T: &str = "audit";
    let seq: i64 = col(row, 0, T, "seq")?;
    let actor: Option<Vec<u8>> = col(row, 2, T, "actor")?;
    let action: String = col(row, 3, T, "action")?;
    let subject: Option<Vec<u8>> = col(row, 4, T, "subject")?;
    let establishments: String = col(row, 5, T, "establishments")?;
    let details: String = col(row, 6, T, "details")?;
    let prev: Vec<u8> = col(row, 7, T, "prev_hash")?;
    let hash: Vec<u8> = col(row, 8, T, "hash")?;
    let scheme: i64 = col(row, 9, T, "scheme")?;
    Ok(StoredAuditEvent {
        seq: u64::try_from(seq).map_err(|_| corrupt(T, "seq"))?,
        event: NewAuditEvent {
            at: from_ns(col(row, 1, T, "at")?, T, "at")?,
            actor: actor.map(|b| account_id(&b, T, "actor")).transpose()?,
            action: coded::<AuditAction>(&action, T, "action")?,
            subject: subject.map(|b| account_id(&b, T, "subject")).transpose()?,
            establishments: serde_json::from_str(&establishments)
                .map_err(|_| corrupt(T, "establishments"))?,
            details: serde_json::from_str(&details).map_err(|_| corrupt(T, "details"))?,
        },
        prev_hash: hash32(&prev, "prev_hash")?,
        hash: hash32(&hash, "hash")?,
        scheme: AuditScheme::from_code(scheme).ok_or_else(|| corrupt(T, "scheme"))?,
    })
}

pub(super) const AUDIT_COLUMNS: &str = "a.seq, a.at, a.actor, a.action, a.subject, \
     a.establishments, a.details, a.prev_hash, a.hash, a.scheme";

impl AuditRepo for SqliteTx<'_> {
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64> {
        self.writable()?;
        let (last, prev) = match self.audit_tip {
            Some(tip) => tip,
            None => {
                let last: Option<(i64, Vec<u8>)> = self
                    .conn
                    .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                    .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                    .map_err(storage("cannot read the audit log"))?;
                match last {
                    Some((seq, hash)) => (
                        u64::try_from(seq).map_err(|_| corrupt("audit", "seq"))?,
                        hash32(&hash, "hash")?,
                    ),
                    None => (0, GENESIS),
                }
            }
        };
        let seq = last + 1;
        let at = ns(e.at)?;
        let establishments = serde_json::to_string(&e.establishments)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let details = serde_json::to_string(&e.details)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let key = self.audit_key.as_deref();
        let scheme = key.map_or(AuditScheme::Sha256, |_| AuditScheme::HmacSha256);
        let hash = scheme_hash_encoded(scheme, key, &prev, seq, e, &establishments, &details)
            .expect("a key for a keyed scheme");
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, actor, action, subject, establishments, details, prev_hash, hash, scheme)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    seq as i64,
                    at,
                    e.actor.as_ref().map(|a| &a.as_bytes()[..]),
                    e.action.code(),
                    e.subject.as_ref().map(|a| &a.as_bytes()[..]),
                    establishments,
                    details,
                    &prev[..],
                    &hash[..],
                    scheme.code()
                ])
            })
            .map_err(storage("cannot append to the audit log"))?;
        self.audit_tip = Some((seq, hash));
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO audit_establishments (code, seq) VALUES (?1, ?2)",
            )
            .map_err(storage("cannot append to the audit log"))?;
        for code in &e.establishments {
            stmt.execute(params![code.as_str(), seq as i64])
                .map_err(storage("cannot append to the audit log"))?;
        }
        Ok(seq)
    }

    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_establishments e JOIN audit a ON a.seq = e.seq
                 WHERE e.code = ?1 ORDER BY e.seq DESC LIMIT ?2 OFFSET ?3"
            ))
            .map_err(storage("cannot read the audit log"))?;
        let mut rows = stmt
            .query(params![
                establishment.as_str(),
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ])
            .map_err(storage("cannot read the audit log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the audit log"))? {
            out.push(audit_from_row(row)?);
        }
        Ok(out)
    }

    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq"
            ))
            .map_err(storage("cannot read the audit log"))?;
        let mut rows = stmt
            .query([])
            .map_err(storage("cannot read the audit log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the audit log"))? {
            out.push(audit_from_row(row)?);
        }
        Ok(out)
    }

    fn audit_last(&mut self) -> Result<Option<StoredAuditEvent>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq DESC LIMIT 1"
            ))
            .map_err(storage("cannot read the audit log"))?
            .query([])
            .map_err(storage("cannot read the audit log"))?
            .next()
            .map_err(storage("cannot read the audit log"))?
            .map(audit_from_row)
            .transpose()
    }
}

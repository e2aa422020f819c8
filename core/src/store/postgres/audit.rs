//! [`AuditRepo`] on PostgreSQL: the append-only audit log, each event chained to the previous
//! one by SHA-256 or, under the store's key, HMAC-SHA-256 (`scheme` says which), and its index
//! by establishment (`audit_establishments`).
//!
//! The chain's end is the one row of `audit_head`: appending locks it (`SELECT … FOR UPDATE`)
//! until the commit, so two servers never chain from the same hash. The JSON columns are
//! `TEXT`, stored exactly as hashed.

use super::{PostgresTx, col};
use crate::audit::{
    AuditAction, AuditScheme, GENESIS, NewAuditEvent, StoredAuditEvent, scheme_hash,
};
use crate::establishment::EstablishmentCode;
use crate::locale::Coded;
use crate::store::AuditRepo;
use crate::store::row::{account_id, coded, corrupt, from_ns, hash32, ns_clamped};
use crate::{Error, Result};
use ::postgres::Row;

pub(super) const AUDIT_COLUMNS: &str = "a.seq, a.at, a.actor, a.action, a.subject, \
     a.establishments, a.details, a.prev_hash, a.hash, a.scheme";

pub(super) fn audit_from_row(row: &Row) -> Result<StoredAuditEvent> {
    const T: &str = "audit";
    let seq: i64 = col(row, 0, T, "seq")?;
    let actor: Option<&[u8]> = col(row, 2, T, "actor")?;
    let action: &str = col(row, 3, T, "action")?;
    let subject: Option<&[u8]> = col(row, 4, T, "subject")?;
    let establishments: &str = col(row, 5, T, "establishments")?;
    let details: &str = col(row, 6, T, "details")?;
    let prev: &[u8] = col(row, 7, T, "prev_hash")?;
    let hash: &[u8] = col(row, 8, T, "hash")?;
    let scheme: i16 = col(row, 9, T, "scheme")?;
    Ok(StoredAuditEvent {
        seq: u64::try_from(seq).map_err(|_| corrupt(T, "seq"))?,
        event: NewAuditEvent {
            at: from_ns(col(row, 1, T, "at")?, T, "at")?,
            actor: actor.map(|b| account_id(b, T, "actor")).transpose()?,
            action: coded::<AuditAction>(action, T, "action")?,
            subject: subject.map(|b| account_id(b, T, "subject")).transpose()?,
            establishments: serde_json::from_str(establishments)
                .map_err(|_| corrupt(T, "establishments"))?,
            details: serde_json::from_str(details).map_err(|_| corrupt(T, "details"))?,
        },
        prev_hash: hash32(prev, "prev_hash")?,
        hash: hash32(hash, "hash")?,
        scheme: AuditScheme::from_code(scheme.into()).ok_or_else(|| corrupt(T, "scheme"))?,
    })
}

impl AuditRepo for PostgresTx<'_> {
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64> {
        self.writable()?;
        self.serialise()?;
        // The row lock on the chain's end is held until the commit: another server appending
        // waits, then reads the end this transaction wrote.
        let head = self.query_one(
            "SELECT seq, hash FROM audit_head FOR UPDATE",
            &[],
            "cannot read the audit log",
        )?;
        let last: i64 = col(&head, 0, "audit_head", "seq")?;
        let prev = match col::<Option<&[u8]>>(&head, 1, "audit_head", "hash")? {
            Some(h) => hash32(h, "hash")?,
            None => GENESIS,
        };
        let seq = u64::try_from(last).map_err(|_| corrupt("audit_head", "seq"))? + 1;
        let key = self.audit_key.as_deref();
        let scheme = key.map_or(AuditScheme::Sha256, |_| AuditScheme::HmacSha256);
        let hash = scheme_hash(scheme, key, &prev, seq, e).expect("a key for a keyed scheme");
        let establishments = serde_json::to_string(&e.establishments)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let details = serde_json::to_string(&e.details)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let codes: Vec<&str> = e.establishments.iter().map(|c| c.as_str()).collect();
        let seq_i = seq as i64;
        self.execute(
            "WITH head AS (UPDATE audit_head SET seq = $1, hash = $9),
                  event AS (
                      INSERT INTO audit (seq, at, actor, action, subject, establishments, details,
                                         prev_hash, hash, scheme)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11) RETURNING seq)
             INSERT INTO audit_establishments (code, seq)
             SELECT DISTINCT code, (SELECT seq FROM event) FROM unnest($10::text[]) AS code",
            &[
                &seq_i,
                &ns_clamped(e.at),
                &e.actor.as_ref().map(|a| &a.as_bytes()[..]),
                &e.action.code(),
                &e.subject.as_ref().map(|a| &a.as_bytes()[..]),
                &establishments,
                &details,
                &&prev[..],
                &&hash[..],
                &codes,
                &(scheme.code() as i16),
            ],
            "cannot append to the audit log",
        )?;
        Ok(seq)
    }

    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_establishments e JOIN audit a ON a.seq = e.seq
                 WHERE e.code = $1 ORDER BY e.seq DESC LIMIT $2 OFFSET $3"
            ),
            &[
                &establishment.as_str(),
                &i64::try_from(limit).unwrap_or(i64::MAX),
                &i64::try_from(offset).unwrap_or(i64::MAX),
            ],
            "cannot read the audit log",
        )?;
        rows.iter().map(audit_from_row).collect()
    }

    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq"),
            &[],
            "cannot read the audit log",
        )?;
        rows.iter().map(audit_from_row).collect()
    }

    fn audit_last(&mut self) -> Result<Option<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq DESC LIMIT 1"),
            &[],
            "cannot read the audit log",
        )?;
        rows.first().map(audit_from_row).transpose()
    }
}

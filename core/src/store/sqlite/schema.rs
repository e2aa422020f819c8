//! The SQLite schema, one script per version, and the migrations that apply them.
//!
//! `PRAGMA user_version` counts the scripts applied, and `PRAGMA application_id`
//! ([`APPLICATION_ID`]) marks the file as a dealer-portal database (`pool::check_identity`
//! refuses any other). [`migrate`] applies the missing scripts when a store opens, each in its
//! own transaction.
//!
//! The schema (version 8):
//! - `accounts`: id `BLOB(16)`, email (normalised, `UNIQUE`), names, role and state codes,
//!   phones as E.164 with their kind, PHC password hash and a JSON array of earlier ones,
//!   lockout counters, times as Unix nanoseconds (`last_login_at` NULL before the first login),
//!   the French `sort_key` and the folded `search_text`;
//! - `rights` (account, establishment) → bits, with copies of the account's sort key, state and
//!   search text (a trigger keeps them in step) under the covering index `rights_listing` (per
//!   establishment, in French order), from which `list_accounts` counts and pages without
//!   reading an account row before the page is known (several establishments: their slices
//!   merged);
//! - `tokens` (with the new `email` an email-change link confirms, NULL for other purposes)
//!   and `sessions` (with the `establishment` the session is connected to, or NULL), keyed by
//!   the 32-byte SHA-256 digest, an account's sessions found by `sessions_account`; `outbox`
//!   (the link token in clear until acknowledged or no longer usable, beside its digest, by
//!   which `outbox_link` finds the mail of a token that ends); `audit` (with the `scheme` that
//!   chained each event: 0 SHA-256, 1 HMAC-SHA-256) + `audit_establishments`; `documents` and
//!   `debit_lines`; `establishments`; `counters` (repairer codes); `login_attempts` (password
//!   checks in flight per account) and `audit_by_actor` (an actor's answers counted by kind).
//!
//! Version 6 changes no table: its data step (`emails.rs`) rewrites stored emails in the
//! normal form of IDNA domains.
//!
//! The tests here check that an old file is upgraded in place and that each search runs on its
//! index.

use super::pool::check_identity;
use super::{Rollback, storage};
use crate::Result;
use crate::locale::Coded;
use crate::secret::SecretString;
use crate::token::{TokenDigest, TokenState};
use rusqlite::{Connection, params};

/// `PRAGMA application_id` of a dealer-portal database: "DPRT".
pub(super) const APPLICATION_ID: i32 = 0x4450_5254;

/// The schema, one script per version: script `i` takes `user_version` from `i` to `i + 1`.
/// Scripts are never edited once released; a change is a new script.
pub(super) const MIGRATIONS: &[&str] = &[
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_V4,
    SCHEMA_V5,
    SCHEMA_V6_EMAILS,
    SCHEMA_V7_AUDIT,
    SCHEMA_V8_ATTEMPTS,
];

const SCHEMA_V1: &str = r#"
CREATE TABLE establishments (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    city   TEXT NOT NULL,
    regime TEXT
) WITHOUT ROWID;

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
    id                 BLOB PRIMARY KEY CHECK (length(id) = 16),
    email              TEXT NOT NULL UNIQUE,
    last_name          TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    function           TEXT NOT NULL,
    role               TEXT NOT NULL,
    state              TEXT NOT NULL,
    mobile             TEXT,
    mobile_kind        TEXT,
    landline           TEXT,
    landline_kind      TEXT,
    password           TEXT,
    previous_passwords TEXT NOT NULL DEFAULT '[]',
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    lockouts           INTEGER NOT NULL DEFAULT 0,
    locked_until       INTEGER,
    locale             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    sort_key           BLOB NOT NULL,
    search_text        TEXT NOT NULL
);

-- The rights matrix. Each row also carries copies of its account's sort key, state and
-- search text (kept in step by `set_rights` and the trigger below), so that accounts are
-- listed, filtered, counted and paginated from one covering index, in French order:
-- `rights_listing` for the accounts of one establishment, `rights_sorted` across many.
CREATE TABLE rights (
    account       BLOB NOT NULL REFERENCES accounts (id),
    establishment TEXT NOT NULL,
    bits          INTEGER NOT NULL CHECK (bits > 0),
    sort_key      BLOB NOT NULL,
    state         TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    PRIMARY KEY (account, establishment)
) WITHOUT ROWID;
CREATE INDEX rights_listing ON rights (establishment, sort_key, account, bits, state, search_text);
CREATE INDEX rights_sorted ON rights (sort_key, account, establishment, bits, state, search_text);
-- How many rights rows there are, to choose how to list accounts.
INSERT INTO counters (name, value) VALUES ('rights', 0);
CREATE TRIGGER rights_added AFTER INSERT ON rights
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'rights';
END;
CREATE TRIGGER rights_removed AFTER DELETE ON rights
BEGIN
    UPDATE counters SET value = value - 1 WHERE name = 'rights';
END;
CREATE TRIGGER accounts_listing AFTER UPDATE OF sort_key, state, search_text ON accounts
WHEN OLD.sort_key IS NOT NEW.sort_key OR OLD.state IS NOT NEW.state
    OR OLD.search_text IS NOT NEW.search_text
BEGIN
    UPDATE rights SET sort_key = NEW.sort_key, state = NEW.state, search_text = NEW.search_text
    WHERE account = NEW.id;
END;

CREATE TABLE tokens (
    digest     BLOB PRIMARY KEY CHECK (length(digest) = 32),
    account    BLOB NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_account ON tokens (account, purpose, issued_at);

CREATE TABLE sessions (
    digest     BLOB PRIMARY KEY CHECK (length(digest) = 32),
    account    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    idle_ns    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remembered INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The link token's plaintext until acknowledged. First in the row, so that without
    -- secure_delete its old bytes would survive in the page: the tests would notice.
    token      TEXT,
    kind       TEXT NOT NULL,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    expires_at INTEGER,
    locale     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (id) WHERE acked = 0;
CREATE INDEX outbox_recipient ON outbox (email, kind, created_at);

CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor          BLOB,
    action         TEXT NOT NULL,
    subject        BLOB,
    establishments TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      BLOB NOT NULL,
    hash           BLOB NOT NULL
);
CREATE TABLE audit_establishments (
    code TEXT NOT NULL,
    seq  INTEGER NOT NULL REFERENCES audit (seq),
    PRIMARY KEY (code, seq)
) WITHOUT ROWID;

CREATE TABLE debit_lines (
    id            INTEGER PRIMARY KEY,
    establishment TEXT NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    nature        TEXT NOT NULL,
    amount_cents  INTEGER NOT NULL,
    label         TEXT
);
CREATE INDEX debit_lines_month ON debit_lines (establishment, year, month, id);

CREATE TABLE documents (
    id               INTEGER PRIMARY KEY,
    establishment    TEXT NOT NULL,
    category         TEXT NOT NULL,
    kind             TEXT,
    number           TEXT NOT NULL,
    issued_on        INTEGER NOT NULL, -- Julian day number
    title            TEXT,
    amount_cents     INTEGER,
    registration     TEXT,
    contract_number  TEXT,
    agreement_number TEXT,
    file_ref         TEXT
);
CREATE INDEX documents_newest ON documents (establishment, category, issued_on DESC, id DESC);
-- Exact searches: the equality, then the order of the results, so no sort is needed.
CREATE INDEX documents_number ON documents (establishment, number, issued_on DESC, id DESC);
CREATE INDEX documents_registration ON documents (establishment, registration, issued_on DESC, id DESC)
    WHERE registration IS NOT NULL;
CREATE INDEX documents_contract ON documents (establishment, contract_number, issued_on DESC, id DESC)
    WHERE contract_number IS NOT NULL;
CREATE INDEX documents_agreement ON documents (establishment, agreement_number, issued_on DESC, id DESC)
    WHERE agreement_number IS NOT NULL;
"#;

/// Version 2: no more triggers counting the rights rows. A trigger makes SQLite keep a
/// statement journal (a copy of every page the statement touches) for each rights row written,
/// which was the largest single cost of creating users; `list_accounts` now sizes the store by
/// its accounts instead (see `SqliteTx::gathers`).
const SCHEMA_V2: &str = r#"
DROP TRIGGER rights_added;
DROP TRIGGER rights_removed;
DELETE FROM counters WHERE name = 'rights';
"#;

/// Version 3: no more `rights_sorted`. Listing several establishments merges their slices of
/// `rights_listing` instead (see `SqliteTx::merge_slices`), which reads only the scope's rows.
/// The index held a third copy of every rights row (sort key, search text) under a key that
/// puts each new row at a random place: it was the largest single cost of creating users, in
/// bulk and one by one, and about a tenth of the file.
const SCHEMA_V3: &str = r#"
DROP INDEX rights_sorted;
"#;

/// Version 4: sessions hold the establishment they are connected to, accounts their last
/// login (Unix nanoseconds), and email-change links the new address they confirm. Every new
/// column is NULL in existing rows (a session connected nowhere, no login recorded, a link of
/// another purpose), so no row is rewritten.
const SCHEMA_V4: &str = r#"
ALTER TABLE sessions ADD COLUMN establishment TEXT;
ALTER TABLE accounts ADD COLUMN last_login_at INTEGER;
ALTER TABLE tokens ADD COLUMN email TEXT;
"#;

/// Version 5: a queued mail's link token has its digest beside it (NULL without a token), so
/// that the link is erased as soon as its token is consumed, superseded, revoked or expired.
/// SQL has no SHA-256: [`digest_links`] fills the column of existing rows, in the same
/// transaction.
const SCHEMA_V5: &str = r#"
ALTER TABLE outbox ADD COLUMN token_digest BLOB;
CREATE INDEX outbox_link ON outbox (token_digest) WHERE token_digest IS NOT NULL;
"#;

// ---- Version 6 (branch `values`, issue 16 item 9): emails re-normalised, data only. ----
/// No change of tables: the data step is `emails::renormalise` (IDNA domains).
const SCHEMA_V6_EMAILS: &str = "";
/// The schema version whose data step re-normalises the emails.
const EMAILS_VERSION: i64 = 6;
// ---- end of version 6 ----

// ----- version 7 (branch `audit`): the keyed audit chain -----

/// Version 7: each audit event records the scheme that chained it (0: SHA-256, as every event
/// before; 1: HMAC-SHA-256 under the portal's key), so a log begun unkeyed still verifies once
/// the portal is given a key. Existing rows are SHA-256 (the default), and are not rewritten.
const SCHEMA_V7_AUDIT: &str = r#"
ALTER TABLE audit ADD COLUMN scheme INTEGER NOT NULL DEFAULT 0;
"#;

// ----- end of version 7 -----

// ---- Version 8 (branch `lockout`, issue 16 items 1 and 3) ----
/// Version 8 (lockout under concurrency, issue 16): the password checks in flight per account
/// (`login_attempts`, see `AttemptRepo`), and the audit log by actor, action and time
/// (`audit_by_actor`), from which the `EMAIL_TAKEN` budget of an actor is counted. `IF NOT
/// EXISTS`: a test (or a renumbering at merge) may replay it over a schema that has it.
const SCHEMA_V8_ATTEMPTS: &str = r#"
CREATE TABLE IF NOT EXISTS login_attempts (
    account     BLOB PRIMARY KEY,
    in_flight   INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, action, at);
"#;
// ---- end of version 8 ----

/// Version 5's data: the digest of every link token still in the outbox; then the links whose
/// token is no longer issued are erased.
fn digest_links(conn: &Connection) -> Result<()> {
    let links = conn
        .prepare("SELECT id, token FROM outbox WHERE token IS NOT NULL")
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, SecretString::new(r.get(1)?)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(storage("migration failed"))?;
    for (id, token) in links {
        let digest = TokenDigest::of_text(token.expose());
        conn.execute(
            "UPDATE outbox SET token_digest = ?2 WHERE id = ?1",
            params![id, &digest.as_bytes()[..]],
        )
        .map_err(storage("migration failed"))?;
    }
    conn.execute(
        "UPDATE outbox SET token = NULL, token_digest = NULL
         WHERE token_digest IN (SELECT digest FROM tokens WHERE state <> ?1)",
        [TokenState::Issued.code()],
    )
    .map_err(storage("migration failed"))?;
    Ok(())
}

/// Applies the missing migrations, each in its own `BEGIN IMMEDIATE` transaction (so two
/// processes opening a new file at once do not both apply one).
pub(super) fn migrate(conn: &Connection, location: &str) -> Result<()> {
    for (i, script) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(storage("cannot start a migration"))?;
        let guard = Rollback(conn);
        check_identity(conn, location)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(storage("cannot read the schema version"))?;
        if version < target {
            conn.execute_batch(script)
                .map_err(storage("migration failed"))?;
            if target == 5 {
                digest_links(conn)?;
            }
            if target == EMAILS_VERSION {
                super::emails::renormalise(conn)?;
            }
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {target};"
            ))
            .map_err(storage("migration failed"))?;
        }
        conn.execute_batch("COMMIT")
            .map_err(storage("cannot commit a migration"))?;
        guard.disarm();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Account, AccountQuery, AccountState};
    use crate::establishment::Establishment;
    use crate::rights::Rights;
    use crate::session::SessionRecord;
    use crate::store::row::{ACCOUNT_COLUMNS, AccountRow, ns};
    use crate::store::sqlite::SqliteStore;
    use crate::store::sqlite::tests::{TempPath, fast, user};
    use crate::store::{AccountRepo, SessionRepo, Store, TokenRecord, TokenRepo};
    use crate::token::{TokenConfig, TokenLifecycle, TokenPurpose, TokenSecret};
    use rusqlite::params;
    use time::{Duration, OffsetDateTime};

    /// Inserts an account as scripts 1 to 3 made the table: without `last_login_at`.
    fn insert_account_before_v4(conn: &Connection, a: &Account) {
        let row = AccountRow::new(a).unwrap();
        let all = row.sqlite_params();
        let bound: Vec<&dyn rusqlite::ToSql> =
            all[..18].iter().chain(&all[19..]).copied().collect();
        let columns = ACCOUNT_COLUMNS.replace(", last_login_at", "");
        let slots: Vec<String> = (1..=bound.len()).map(|i| format!("?{i}")).collect();
        conn.execute(
            &format!(
                "INSERT INTO accounts ({columns}, sort_key, search_text) VALUES ({})",
                slots.join(", ")
            ),
            bound.as_slice(),
        )
        .unwrap();
    }

    #[test]
    fn a_version_1_file_is_upgraded_in_place() {
        let path = TempPath::new("v1");
        let a = user("anne@garage.fr", "Abel", "Anne", AccountState::Active);
        {
            // A file as the first release left it: schema 1, its rights counted by triggers.
            let conn = Connection::open(&path.0).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 1;
                 INSERT INTO establishments (code, name, city) VALUES ('T1', 'G', 'V');"
            ))
            .unwrap();
            insert_account_before_v4(&conn, &a);
            conn.execute(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 SELECT id, 'T1', 3, sort_key, state, search_text FROM accounts",
                [],
            )
            .unwrap();
            let counted: i64 = conn
                .query_row(
                    "SELECT value FROM counters WHERE name = 'rights'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(counted, 1, "the v1 trigger counted the row");
        }
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        {
            let conn = store.writer();
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
            let leftovers: i64 = conn
                .query_row(
                    "SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'rights_%')
                          + (SELECT count(*) FROM counters WHERE name = 'rights')",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(leftovers, 0, "the rights triggers and counter are gone");
            let indexes: Vec<String> = conn
                .prepare(
                    "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'rights'",
                )
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(
                indexes,
                ["rights_listing"],
                "version 3 dropped rights_sorted"
            );
        }
        // Everything written before is still there and listed.
        let m = store.read(|tx| tx.rights(a.id)).unwrap();
        assert_eq!(m.rights_on(&"T1".parse().unwrap()).bits(), 3);
        let page = store
            .read(|tx| tx.list_accounts(&["T1".parse().unwrap()], &AccountQuery::default()))
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].id, a.id);
        // And new rights rows are written without the triggers.
        let b = user("bea@garage.fr", "Blanc", "Bea", AccountState::Invited);
        store
            .write(|tx| {
                tx.insert_account_with_rights(
                    &b,
                    &"T1".parse().unwrap(),
                    Rights::from_bits(1).unwrap(),
                )
            })
            .unwrap();
        let page = store
            .read(|tx| tx.list_accounts(&["T1".parse().unwrap()], &AccountQuery::default()))
            .unwrap();
        assert_eq!(page.total, 2);
        // Several establishments, by each plan: Abel before Blanc, once each.
        store
            .write(|tx| {
                tx.put_establishment(&Establishment::new("T2", "G", "V", None).unwrap())?;
                tx.set_rights(a.id, &"T2".parse().unwrap(), Rights::from_bits(1).unwrap())
            })
            .unwrap();
        let mut store = store;
        for limit in [Some(usize::MAX), Some(0)] {
            store.gather_limit = limit;
            let page = store
                .read(|tx| {
                    tx.list_accounts(
                        &["T1".parse().unwrap(), "T2".parse().unwrap()],
                        &AccountQuery::default(),
                    )
                })
                .unwrap();
            let ids: Vec<_> = page.items.iter().map(|i| i.id).collect();
            assert_eq!((page.total, ids), (2, vec![a.id, b.id]), "{limit:?}");
            assert_eq!(page.items[0].establishments.len(), 2);
        }
    }

    #[test]
    fn a_version_3_file_is_upgraded_in_place() {
        let path = TempPath::new("v3");
        let a = user("anne@garage.fr", "Abel", "Anne", AccountState::Active);
        let now = OffsetDateTime::from_unix_timestamp_nanos(1_768_467_600_123_456_789).unwrap();
        let (session, token) = (
            TokenSecret::generate().digest(),
            TokenSecret::generate().digest(),
        );
        let expires = now + Duration::hours(12);
        {
            // A file as the release before sessions held their establishment: scripts 1 to 3.
            let conn = Connection::open(&path.0).unwrap();
            for script in &MIGRATIONS[..3] {
                conn.execute_batch(script).unwrap();
            }
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 3;
                 INSERT INTO establishments (code, name, city) VALUES ('T1', 'G', 'V');"
            ))
            .unwrap();
            insert_account_before_v4(&conn, &a);
            conn.execute(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 SELECT id, 'T1', 3, sort_key, state, search_text FROM accounts",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO sessions (digest, account, created_at, last_seen, idle_ns, expires_at, remembered)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5, 0)",
                params![
                    &session.as_bytes()[..],
                    &a.id.as_bytes()[..],
                    ns(now).unwrap(),
                    Duration::minutes(30).whole_nanoseconds() as i64,
                    ns(expires).unwrap()
                ],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO tokens (digest, account, purpose, state, issued_at, expires_at)
                 VALUES (?1, ?2, 'password_reset', 'issued', ?3, ?4)",
                params![
                    &token.as_bytes()[..],
                    &a.id.as_bytes()[..],
                    ns(now).unwrap(),
                    ns(expires).unwrap()
                ],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        let version: i64 = store
            .writer()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        // The rows written before read back, the new columns empty.
        let back = store.read(|tx| tx.account(a.id)).unwrap().unwrap();
        assert_eq!(back, a);
        assert_eq!(back.last_login_at, None);
        let s = store.read(|tx| tx.session(&session)).unwrap().unwrap();
        assert_eq!(
            (s.account, s.created_at, s.expires_at),
            (a.id, now, expires)
        );
        assert_eq!(s.establishment, None);
        let t = store.read(|tx| tx.token(&token)).unwrap().unwrap();
        assert_eq!(t.lifecycle.purpose, TokenPurpose::PasswordReset);
        assert_eq!(t.email, None);
        let snap = store.session_snapshot(&session).unwrap().unwrap();
        assert_eq!((snap.session, snap.account), (s.clone(), a.clone()));
        assert_eq!(snap.rights.rights_on(&"T1".parse().unwrap()).bits(), 3);
        // And the new columns are written.
        let t1 = "T1".parse().unwrap();
        let mut logged = a.clone();
        logged.record_login(now);
        let change = TokenRecord {
            digest: TokenSecret::generate().digest(),
            account: a.id,
            lifecycle: TokenLifecycle::issue(TokenPurpose::EmailChange, now, Duration::hours(24)),
            email: Some("anne.abel@garage.fr".parse().unwrap()),
        };
        let opened = SessionRecord::open(
            TokenSecret::generate().digest(),
            a.id,
            now + Duration::seconds(1),
            true,
            Some("T1".parse().unwrap()),
            &TokenConfig::default(),
        );
        store
            .write(|tx| {
                tx.update_account(&logged)?;
                tx.insert_token(&change)?;
                tx.insert_session(&opened)?;
                assert!(tx.set_session_establishment(&session, Some(&t1))?);
                Ok(())
            })
            .unwrap();
        assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(logged));
        assert_eq!(
            store.read(|tx| tx.token(&change.digest)).unwrap(),
            Some(change)
        );
        let sessions = store.read(|tx| tx.sessions_of(a.id)).unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].digest, session);
        assert_eq!(sessions[0].establishment, Some(t1.clone()));
        assert_eq!(sessions[1], opened);
    }

    #[test]
    fn a_version_4_file_gets_the_digests_of_its_links_and_loses_its_dead_ones() {
        use crate::store::OutboxRepo;
        let path = TempPath::new("v4");
        let (dead, live) = (TokenSecret::generate(), TokenSecret::generate());
        let now = OffsetDateTime::from_unix_timestamp_nanos(1_768_467_600_123_456_789).unwrap();
        {
            // A file as the release before links had their digest: scripts 1 to 4.
            let conn = Connection::open(&path.0).unwrap();
            for script in &MIGRATIONS[..4] {
                conn.execute_batch(script).unwrap();
            }
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 4;"
            ))
            .unwrap();
            for (secret, state) in [(&dead, TokenState::Superseded), (&live, TokenState::Issued)] {
                conn.execute(
                    "INSERT INTO tokens (digest, account, purpose, state, issued_at, expires_at)
                     VALUES (?1, ?2, 'password_reset', ?3, ?4, ?5)",
                    params![
                        &secret.digest().as_bytes()[..],
                        &[7u8; 16][..],
                        state.code(),
                        ns(now).unwrap(),
                        ns(now + Duration::hours(1)).unwrap()
                    ],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO outbox (kind, email, name, token, locale, created_at)
                     VALUES ('password_reset', 'a@garage.fr', 'A', ?1, 'fr', ?2)",
                    params![secret.expose(), ns(now).unwrap()],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        let links = || -> Vec<Option<String>> {
            let pending = store.read(|tx| tx.pending(10)).unwrap();
            (pending.iter())
                .map(|n| n.body.token.as_ref().map(|t| t.expose().to_owned()))
                .collect()
        };
        assert_eq!(links(), [None, Some(live.expose().to_owned())]);
        // The live link has its digest: consuming its token erases it.
        store
            .write(|tx| tx.consume_token(&live.digest(), TokenPurpose::PasswordReset, now))
            .unwrap()
            .unwrap();
        assert_eq!(links(), [None, None]);
    }

    fn plan(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(p, |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn searches_use_their_indexes() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.writer();
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND issued_on >= ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "accounting", 1],
        );
        assert!(
            p.contains("documents_newest") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND registration = ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "contract", "AB-123-CD"],
        );
        assert!(
            p.contains("documents_registration") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND number = ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "accounting", "2204003143"],
        );
        assert!(
            p.contains("documents_number") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        // Listing accounts: the slice of one establishment (paged, or read whole for a merge)
        // needs no temporary table, neither to sort nor to remove duplicates.
        for dir in ["ASC", "DESC"] {
            let p = plan(
                &conn,
                &format!(
                    "SELECT DISTINCT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
                     WHERE r.establishment = ?1 AND (r.bits & 1) = 1
                     ORDER BY r.sort_key {dir}, r.account {dir} LIMIT 5 OFFSET 5"
                ),
                ["T1"],
            );
            assert!(
                !p.contains("TEMP B-TREE") && p.contains("establishment=?"),
                "{p}"
            );
            let p = plan(
                &conn,
                &format!(
                    "SELECT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
                     WHERE r.establishment = ?1 AND (r.bits & 1) = 1 AND instr(r.search_text, ?2) > 0
                     ORDER BY r.sort_key {dir}, r.account {dir}"
                ),
                ["T1", "eric"],
            );
            assert!(
                !p.contains("TEMP B-TREE") && p.contains("establishment=?"),
                "{p}"
            );
        }
        // Ending an account's tokens (`end_tokens`).
        let p = plan(
            &conn,
            "UPDATE tokens SET state = ?3 WHERE account = ?1 AND state = ?2 AND purpose IN (?4, ?5, ?6)",
            params![
                vec![0u8; 16],
                "issued",
                "revoked",
                "password_reset",
                "activation",
                "activation"
            ],
        );
        assert!(p.contains("tokens_account"), "{p}");
        // An account's sessions: listed, and the ended ones deleted at login.
        let p = plan(
            &conn,
            "SELECT digest FROM sessions WHERE account = ?1 ORDER BY created_at, digest",
            [vec![0u8; 16]],
        );
        assert!(p.contains("sessions_account"), "{p}");
        let p = plan(
            &conn,
            "DELETE FROM sessions
             WHERE account = ?1 AND (expires_at <= ?2 OR last_seen + idle_ns <= ?2)",
            params![vec![0u8; 16], 0],
        );
        assert!(p.contains("sessions_account"), "{p}");
        // Checking a session: every table read by its key, none scanned.
        let p = plan(
            &conn,
            &crate::store::sqlite::sessions::SNAPSHOT,
            [vec![0u8; 32]],
        );
        assert!(!p.contains("SCAN") && !p.contains("TEMP B-TREE"), "{p}");
        assert_eq!(p.matches("SEARCH").count(), 3, "{p}");
    }
}

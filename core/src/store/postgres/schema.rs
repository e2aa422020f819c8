//! The PostgreSQL schema, one script per version, and the migration that applies them.
//!
//! A `schema_version` table records the version and that the schema is dealer-portal's
//! ([`APPLICATION`]); a schema holding other tables, another application's, or a newer version
//! is refused untouched. [`migrate`] runs on connect, in one transaction holding an advisory
//! lock on the schema ([`schema_key`]), so servers starting together apply each script once;
//! DDL is transactional, so a failed migration leaves the schema as it was.
//!
//! The schema (version 6): the tables of the SQLite store (see its `schema`), with
//! PostgreSQL's types: ids, digests, hashes and sort keys `BYTEA`, times `BIGINT` nanoseconds
//! (`accounts.last_login_at` NULL before the first login), codes and emails `COLLATE "C"`,
//! `documents.issued_on` a `DATE`; `rights` without the listing copies (the listing reads
//! `accounts_sort`); `sessions.establishment` (the establishment a session is connected to)
//! and `tokens.email` (the new address of an email-change link) NULL when none;
//! `outbox.token_digest` beside a queued link token, by which `outbox_link` finds the mail of a
//! token that ends; the audit chain's end in the one-row `audit_head`.

use super::{LOCK_CLASS, count, pg};
use crate::{Error, Result};
use ::postgres::{Client, IsolationLevel};
use sha2::{Digest, Sha256};

/// The name recorded in `schema_version.application`: a schema of another application is refused.
const APPLICATION: &str = "dealer-portal";

/// Added to the schema's key for the migration lock (the writer lock uses the key itself).
const MIGRATION_LOCK_OFFSET: i32 = 1;

/// The schema, one script per version: script `i` takes the schema from version `i` to `i + 1`.
/// Scripts are never edited once released; a change is a new script.
const MIGRATIONS: &[&str] = &[
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_V4_EMAILS,
    SCHEMA_V5_AUDIT,
    SCHEMA_V6_ATTEMPTS,
];

const SCHEMA_V1: &str = r#"
CREATE TABLE establishments (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT NOT NULL,
    city   TEXT NOT NULL,
    regime TEXT
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE accounts (
    id                 BYTEA PRIMARY KEY CHECK (length(id) = 16),
    email              TEXT COLLATE "C" NOT NULL CONSTRAINT accounts_email_key UNIQUE,
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
    failed_logins      BIGINT NOT NULL DEFAULT 0,
    lockouts           BIGINT NOT NULL DEFAULT 0,
    locked_until       BIGINT,
    locale             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    sort_key           BYTEA NOT NULL,
    search_text        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX accounts_sort ON accounts (sort_key, id);

CREATE TABLE rights (
    account       BYTEA NOT NULL REFERENCES accounts (id),
    establishment TEXT COLLATE "C" NOT NULL,
    bits          INTEGER NOT NULL CHECK (bits > 0),
    PRIMARY KEY (account, establishment)
);
CREATE INDEX rights_establishment ON rights (establishment, account);

CREATE TABLE tokens (
    digest     BYTEA PRIMARY KEY CHECK (length(digest) = 32),
    account    BYTEA NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX tokens_account ON tokens (account, purpose, issued_at);

CREATE TABLE sessions (
    digest     BYTEA PRIMARY KEY CHECK (length(digest) = 32),
    account    BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    idle_ns    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    remembered BOOLEAN NOT NULL
);
CREATE INDEX sessions_account ON sessions (account);

CREATE TABLE outbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The link token's plaintext until acknowledged, then NULL.
    token      TEXT,
    kind       TEXT NOT NULL,
    email      TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    expires_at BIGINT,
    locale     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acked      BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX outbox_pending ON outbox (id) WHERE NOT acked;
CREATE INDEX outbox_recipient ON outbox (email, kind, created_at);

-- The chain's end, one row: appending locks it, so appends are serial across servers.
CREATE TABLE audit_head (
    one  BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    seq  BIGINT NOT NULL,
    hash BYTEA -- NULL before the first event (the genesis hash)
);
INSERT INTO audit_head (one, seq, hash) VALUES (true, 0, NULL);

CREATE TABLE audit (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor          BYTEA,
    action         TEXT NOT NULL,
    subject        BYTEA,
    -- JSON text exactly as hashed (not JSONB, which would reformat numbers).
    establishments TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      BYTEA NOT NULL,
    hash           BYTEA NOT NULL
);
CREATE TABLE audit_establishments (
    code TEXT COLLATE "C" NOT NULL,
    seq  BIGINT NOT NULL REFERENCES audit (seq),
    PRIMARY KEY (code, seq)
);

CREATE TABLE debit_lines (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    establishment TEXT COLLATE "C" NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    nature        TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL,
    label         TEXT
);
CREATE INDEX debit_lines_month ON debit_lines (establishment, year, month, id);

CREATE TABLE documents (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    establishment    TEXT COLLATE "C" NOT NULL,
    category         TEXT NOT NULL,
    kind             TEXT,
    number           TEXT COLLATE "C" NOT NULL,
    issued_on        DATE NOT NULL,
    title            TEXT,
    amount_cents     BIGINT,
    registration     TEXT COLLATE "C",
    contract_number  TEXT COLLATE "C",
    agreement_number TEXT COLLATE "C",
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

/// Version 2: sessions hold the establishment they are connected to, accounts their last
/// login, and email-change links the new address they confirm. Nullable columns without a
/// default: adding them rewrites no row.
const SCHEMA_V2: &str = r#"
ALTER TABLE sessions ADD COLUMN establishment TEXT COLLATE "C";
ALTER TABLE accounts ADD COLUMN last_login_at BIGINT;
ALTER TABLE tokens ADD COLUMN email TEXT COLLATE "C";
"#;

/// Version 3: a queued mail's link token has its digest beside it (NULL without a token), so
/// that the link is erased as soon as its token is consumed, superseded, revoked or expired.
/// Existing links get their digest, and those whose token is no longer issued are erased.
const SCHEMA_V3: &str = r#"
ALTER TABLE outbox ADD COLUMN token_digest BYTEA;
CREATE INDEX outbox_link ON outbox (token_digest) WHERE token_digest IS NOT NULL;
UPDATE outbox SET token_digest = sha256(convert_to(token, 'UTF8')) WHERE token IS NOT NULL;
UPDATE outbox SET token = NULL, token_digest = NULL
 WHERE token_digest IN (SELECT digest FROM tokens WHERE state <> 'issued');
"#;

// ---- Version 4 (branch `values`, issue 16 item 9): emails re-normalised, data only. ----
/// No change of tables: the data step is `emails::renormalise` (IDNA domains).
const SCHEMA_V4_EMAILS: &str = "";
/// The schema version whose data step re-normalises the emails.
const EMAILS_VERSION: usize = 4;
// ---- end of version 4 ----

// ----- version 5 (branch `audit`): the keyed audit chain -----

/// Version 5: each audit event records the scheme that chained it (0: SHA-256, as every event
/// before; 1: HMAC-SHA-256 under the portal's key). Existing rows are SHA-256 (the default).
/// `IF NOT EXISTS`: a schema whose version was set back by hand (the tests of the earlier data
/// migrations do) keeps its column.
const SCHEMA_V5_AUDIT: &str = r#"
ALTER TABLE audit ADD COLUMN IF NOT EXISTS scheme SMALLINT NOT NULL DEFAULT 0;
"#;

// ----- end of version 5 -----

// ---- Version 6 (branch `lockout`, issue 16 items 1 and 3) ----
/// Version 6 (lockout under concurrency, issue 16): the password checks in flight per account
/// (`login_attempts`, see `AttemptRepo`), and the audit log by actor, action and time
/// (`audit_by_actor`), from which the `EMAIL_TAKEN` budget of an actor is counted. `IF NOT
/// EXISTS`: a test (or a renumbering at merge) may replay it over a schema that has it.
const SCHEMA_V6_ATTEMPTS: &str = r#"
CREATE TABLE IF NOT EXISTS login_attempts (
    account     BYTEA PRIMARY KEY,
    in_flight   BIGINT NOT NULL,
    lease_until BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, action, at);
"#;
// ---- end of version 6 ----

/// The advisory lock key of a schema: the first four bytes of SHA-256 of its name, so every
/// server computes the same key, and portals in different schemas do not serialise each other.
fn schema_key(schema: &str) -> i32 {
    let h = Sha256::digest(schema.as_bytes());
    i32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// Applies the missing migrations in one transaction under an advisory lock: a second server
/// starting at the same time waits, then finds the schema up to date. Returns the schema's lock
/// key.
pub(super) fn migrate(client: &mut Client, location: &str) -> Result<i32> {
    let schema: Option<String> = client
        .query_one("SELECT current_schema()::text", &[])
        .map_err(pg("cannot read the current schema"))?
        .get(0);
    let Some(schema) = schema else {
        return Err(Error::InvalidConfig {
            reason: format!(
                "{location}: no schema of the search_path exists; create it or fix the search_path"
            ),
        });
    };
    let key = schema_key(&schema);
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .map_err(pg("cannot start a migration"))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&LOCK_CLASS, &key.wrapping_add(MIGRATION_LOCK_OFFSET)],
    )
    .map_err(pg("cannot lock the schema for a migration"))?;
    let has_version_table: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                            WHERE schemaname = current_schema() AND tablename = 'schema_version')",
            &[],
        )
        .map_err(pg("cannot read the schema version"))?
        .get(0);
    let version: i32 = if has_version_table {
        let row = tx
            .query_opt("SELECT application, version FROM schema_version", &[])
            .map_err(pg("cannot read the schema version"))?;
        let Some(row) = row else {
            return Err(not_ours(
                location,
                &schema,
                "its schema_version table is empty",
            ));
        };
        let application: String = row
            .try_get(0)
            .map_err(|_| not_ours(location, &schema, "unreadable schema_version"))?;
        if application != APPLICATION {
            return Err(not_ours(
                location,
                &schema,
                "it belongs to another application",
            ));
        }
        row.try_get(1)
            .map_err(|_| not_ours(location, &schema, "unreadable schema_version"))?
    } else {
        let ours: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .map_err(pg("cannot read the schema"))?
            .get(0);
        if ours > 0 {
            return Err(not_ours(
                location,
                &schema,
                "it holds tables but no schema_version",
            ));
        }
        tx.batch_execute(
            "CREATE TABLE schema_version (
                 one         BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
                 application TEXT NOT NULL,
                 version     INTEGER NOT NULL
             )",
        )
        .map_err(pg("migration failed"))?;
        tx.execute(
            "INSERT INTO schema_version (application, version) VALUES ($1, 0)",
            &[&APPLICATION],
        )
        .map_err(pg("migration failed"))?;
        0
    };
    let latest = MIGRATIONS.len() as i32;
    if version > latest {
        return Err(Error::storage(format!(
            "{location}, schema {schema:?}, has schema version {version}, newer than this library's {latest}; upgrade the library"
        )));
    }
    for (i, script) in MIGRATIONS.iter().enumerate().skip(count(version.into())) {
        tx.batch_execute(script).map_err(pg("migration failed"))?;
        if i + 1 == EMAILS_VERSION {
            super::emails::renormalise(&mut tx)?;
        }
        tx.execute("UPDATE schema_version SET version = $1", &[&(i as i32 + 1)])
            .map_err(pg("migration failed"))?;
    }
    tx.commit().map_err(pg("cannot commit a migration"))?;
    Ok(key)
}

fn not_ours(location: &str, schema: &str, why: &str) -> Error {
    Error::storage(format!(
        "schema {schema:?} of {location} is not a dealer-portal schema ({why}); it was left untouched"
    ))
}

//! The floor under `create_users` on SQLite: the rows a bulk import must write (account, rights,
//! activation token, outbox mail, audit event and its establishment), prebuilt in memory, then
//! inserted with the store's schema and pragmas and nothing else (no validation, no collation,
//! no token generation, no hashing, no rule).
//! `cargo run --release -p dealer-portal-benches --example import_floor -- [users]`
//!
//! What `create_users` adds on top of this floor is the library's own work; what this floor
//! costs is SQLite's B-tree work for the schema (indexes that make `list_accounts`, token
//! lookups, rate limits and the audit log fast).

use dealer_portal::account::AccountId;
use dealer_portal::establishment::Establishment;
use dealer_portal::names::{PersonName, fold, sort_key};
use dealer_portal::regime::Regime;
use dealer_portal::store::{AccountRepo, SqliteOptions, SqliteStore, Store};
use dealer_portal_benches::{establishment_code, person};
use rusqlite::{Connection, params};
use std::time::Instant;

struct Rows {
    id: [u8; 16],
    email: String,
    last: String,
    first: String,
    sort_key: Vec<u8>,
    search_text: String,
    establishment: String,
    digest: [u8; 32],
    token: String,
    prev: [u8; 32],
    hash: [u8; 32],
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).unwrap();
    b
}

fn build(n: usize) -> Vec<Rows> {
    (0..n)
        .map(|k| {
            let (last, first) = person(k);
            let email = format!("user{k}@bench.fr");
            let (l, f) = (
                PersonName::parse(last).unwrap(),
                PersonName::parse(first).unwrap(),
            );
            Rows {
                id: *AccountId::generate().as_bytes(),
                sort_key: sort_key(&l, &f, &email),
                search_text: fold(&format!("{last} {first} {email}")),
                email,
                last: last.to_owned(),
                first: first.to_owned(),
                establishment: establishment_code(k % 10),
                digest: random(),
                token: format!("{:x?}", random::<24>()),
                prev: random(),
                hash: random(),
            }
        })
        .collect()
}

fn insert(conn: &Connection, rows: &[Rows], seq0: i64) {
    let mut account = conn
        .prepare_cached(
            "INSERT INTO accounts (id, email, last_name, first_name, function, role, state, mobile,
             mobile_kind, landline, landline_kind, password, previous_passwords, failed_logins,
             lockouts, locked_until, locale, created_at, sort_key, search_text)
             VALUES (?1, ?2, ?3, ?4, '', 'user', 'invited', NULL, NULL, NULL, NULL, NULL, '[]', 0, 0,
             NULL, 'fr', ?5, ?6, ?7)",
        )
        .unwrap();
    let mut rights = conn
        .prepare_cached(
            "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
             VALUES (?1, ?2, 1, ?3, 'invited', ?4)",
        )
        .unwrap();
    let mut token = conn
        .prepare_cached(
            "INSERT INTO tokens (digest, account, purpose, state, issued_at, expires_at)
             VALUES (?1, ?2, 'activation', 'issued', ?3, ?4)",
        )
        .unwrap();
    let mut outbox = conn
        .prepare_cached(
            "INSERT INTO outbox (kind, email, name, token, expires_at, locale, created_at)
             VALUES ('activation', ?1, ?2, ?3, ?4, 'fr', ?5)",
        )
        .unwrap();
    let mut audit = conn
        .prepare_cached(
            "INSERT INTO audit (seq, at, actor, action, subject, establishments, details, prev_hash, hash)
             VALUES (?1, ?2, NULL, 'user_created', ?3, ?4, '{\"rights\":[\"submit_claims\"]}', ?5, ?6)",
        )
        .unwrap();
    let mut audit_est = conn
        .prepare_cached("INSERT OR IGNORE INTO audit_establishments (code, seq) VALUES (?1, ?2)")
        .unwrap();
    let now = 1_790_000_000_000_000_000i64;
    for (i, r) in rows.iter().enumerate() {
        let seq = seq0 + i as i64;
        account
            .execute(params![
                &r.id[..],
                r.email,
                r.last,
                r.first,
                now,
                r.sort_key,
                r.search_text
            ])
            .unwrap();
        rights
            .execute(params![
                &r.id[..],
                r.establishment,
                r.sort_key,
                r.search_text
            ])
            .unwrap();
        token
            .execute(params![&r.digest[..], &r.id[..], now, now + 1])
            .unwrap();
        outbox
            .execute(params![
                r.email,
                format!("{} {}", r.first, r.last),
                r.token,
                now + 1,
                now
            ])
            .unwrap();
        audit
            .execute(params![
                seq,
                now,
                &r.id[..],
                format!("[\"{}\"]", r.establishment),
                &r.prev[..],
                &r.hash[..]
            ])
            .unwrap();
        audit_est.execute(params![r.establishment, seq]).unwrap();
    }
}

/// The same rows with multi-row `INSERT ... VALUES (...), (...)` statements, `k` rows each: what
/// is left once the per-statement overhead is shared.
fn insert_multi(conn: &Connection, rows: &[Rows], seq0: i64, k: usize) {
    use rusqlite::ToSql;
    let now = 1_790_000_000_000_000_000i64;
    let tables: [(&str, &str); 6] = [
        (
            "accounts (id, email, last_name, first_name, function, role, state, mobile,
             mobile_kind, landline, landline_kind, password, previous_passwords, failed_logins,
             lockouts, locked_until, locale, created_at, sort_key, search_text)",
            "(?, ?, ?, ?, '', 'user', 'invited', NULL, NULL, NULL, NULL, NULL, '[]', 0, 0, NULL, 'fr', ?, ?, ?)",
        ),
        (
            "rights (account, establishment, bits, sort_key, state, search_text)",
            "(?, ?, 1, ?, 'invited', ?)",
        ),
        (
            "tokens (digest, account, purpose, state, issued_at, expires_at)",
            "(?, ?, 'activation', 'issued', ?, ?)",
        ),
        (
            "outbox (kind, email, name, token, expires_at, locale, created_at)",
            "('activation', ?, ?, ?, ?, 'fr', ?)",
        ),
        (
            "audit (seq, at, actor, action, subject, establishments, details, prev_hash, hash)",
            "(?, ?, NULL, 'user_created', ?, ?, '{\"rights\":[\"submit_claims\"]}', ?, ?)",
        ),
        ("audit_establishments (code, seq)", "(?, ?)"),
    ];
    for (c, chunk) in rows.chunks(k).enumerate() {
        let names: Vec<String> = chunk
            .iter()
            .map(|r| format!("{} {}", r.first, r.last))
            .collect();
        let codes: Vec<String> = chunk
            .iter()
            .map(|r| format!("[\"{}\"]", r.establishment))
            .collect();
        let seqs: Vec<i64> = (0..chunk.len())
            .map(|i| seq0 + (c * k + i) as i64)
            .collect();
        let (expires, zero) = (now + 1, now);
        for (t, (table, tuple)) in tables.iter().enumerate() {
            let mut p: Vec<&dyn ToSql> = Vec::new();
            for (i, r) in chunk.iter().enumerate() {
                match t {
                    0 => p.extend([
                        &r.id as &dyn ToSql,
                        &r.email,
                        &r.last,
                        &r.first,
                        &zero,
                        &r.sort_key,
                        &r.search_text,
                    ]),
                    1 => p.extend([
                        &r.id as &dyn ToSql,
                        &r.establishment,
                        &r.sort_key,
                        &r.search_text,
                    ]),
                    2 => p.extend([&r.digest as &dyn ToSql, &r.id, &zero, &expires]),
                    3 => p.extend([&r.email as &dyn ToSql, &names[i], &r.token, &expires, &zero]),
                    4 => p.extend([
                        &seqs[i] as &dyn ToSql,
                        &zero,
                        &r.id,
                        &codes[i],
                        &r.prev,
                        &r.hash,
                    ]),
                    _ => p.extend([&r.establishment as &dyn ToSql, &seqs[i]]),
                }
            }
            let or_ignore = if t == 5 { "OR IGNORE " } else { "" };
            let sql = format!(
                "INSERT {or_ignore}INTO {table} VALUES {}",
                vec![*tuple; chunk.len()].join(", ")
            );
            conn.prepare_cached(&sql)
                .unwrap()
                .execute(rusqlite::params_from_iter(p))
                .unwrap();
        }
    }
}

/// What a run changes from the store's own schema and settings.
#[derive(Default, Clone, Copy)]
struct Variant {
    /// Without `rights_listing`, the index `list_accounts` reads.
    drop_listing: bool,
    /// Multi-row `INSERT`s of this many rows.
    multi: Option<usize>,
    /// A page size other than SQLite's default 4 KiB, set before the store creates the file.
    page_size: Option<u32>,
}

fn run(label: &str, total: usize, batch: usize, v: Variant) {
    let dir = std::env::temp_dir().join("dealer-portal-import-floor");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("floor.db");
    let opts = SqliteOptions::default();
    if let Some(size) = v.page_size {
        Connection::open(&path)
            .unwrap()
            .execute_batch(&format!(
                "PRAGMA page_size = {size}; PRAGMA journal_mode = WAL;"
            ))
            .unwrap();
    }
    {
        // The store creates the file: its schema, its application id, WAL.
        let store = SqliteStore::open(&path, opts.clone()).unwrap();
        store
            .write(|tx| {
                for i in 0..10 {
                    let code = establishment_code(i);
                    let e = Establishment::new(&code, "GARAGE", "VILLE", Some(Regime::Insurance));
                    tx.put_establishment(&e.unwrap())?;
                }
                Ok(())
            })
            .unwrap();
    }
    let conn = Connection::open(&path).unwrap();
    // The store's writer settings (see SqliteStore::open), its bulk page cache for transactions
    // of 256 accounts or more, SQLite's default cache for the others.
    let cache_kib = if batch >= 256 {
        opts.bulk_cache_kib
    } else {
        2000
    };
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
    ))
    .unwrap();
    if v.drop_listing {
        conn.execute_batch("DROP INDEX rights_listing;").unwrap();
    }
    let rows = build(total);
    let t = Instant::now();
    for (b, chunk) in rows.chunks(batch).enumerate() {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        match v.multi {
            Some(k) => insert_multi(&conn, chunk, 1 + (b * batch) as i64, k),
            None => insert(&conn, chunk, 1 + (b * batch) as i64),
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    let e = t.elapsed();
    println!(
        "floor, {label}: {total} users' rows in batches of {batch}: {:.2} s, {:.0} users/s",
        e.as_secs_f64(),
        total as f64 / e.as_secs_f64()
    );
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |a| a.parse().unwrap());
    let store = Variant::default();
    for batch in [1000, 10_000, total] {
        run("the store's schema", total, batch, store);
    }
    let drop_listing = Variant {
        drop_listing: true,
        ..store
    };
    run("without the listing index", total, total, drop_listing);
    let multi = Variant {
        multi: Some(50),
        ..store
    };
    run(
        "the store's schema, 50 rows per INSERT",
        total,
        total,
        multi,
    );
    // Larger pages: fewer B-tree levels and splits for a bulk transaction, but every commit
    // writes whole pages to the WAL, so each small transaction writes (and syncs) more.
    let big_pages = Variant {
        page_size: Some(16_384),
        ..store
    };
    run("16 KiB pages", total, total, big_pages);
    let one_by_one = 3000.min(total);
    run(
        "the store's schema, one commit per user",
        one_by_one,
        1,
        store,
    );
    run(
        "16 KiB pages, one commit per user",
        one_by_one,
        1,
        big_pages,
    );
}

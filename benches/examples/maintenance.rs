//! `run_maintenance` on a SQLite store of many accounts holding a year of expired rows: how long
//! the whole run takes, and how long its longest batch held the write lock (goals: under 2 s,
//! no batch over 50 ms).
//! `cargo run --release -p dealer-portal-benches --example maintenance -- [accounts] [batch]`
//!
//! The store is built fast, with SQLite alone in one transaction on the store's own schema:
//! per account, its row and rights, and over the year before "now" 3 ended links (consumed,
//! superseded, issued and expired unseen), 4 ended sessions (past their idle or absolute
//! expiry) and 3 acknowledged mails older than the 30-day retention; every tenth account also
//! holds what must stay (a live link, a live session, a mail acknowledged yesterday, a pending
//! mail). Then a portal on the file (default options: synchronous=FULL) runs maintenance once,
//! on a manual clock at "now", and the rows left are counted.

use dealer_portal::ManualClock;
use dealer_portal::account::AccountId;
use dealer_portal::lifecycle::RetentionConfig;
use dealer_portal::names::{PersonName, fold, sort_key};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{SqliteOptions, SqliteStore};
use dealer_portal_benches::{establishment_code, person};
use rusqlite::{Connection, params};
use std::time::Instant;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).unwrap();
    b
}

fn ns(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap()
}

/// Per account: (ended links, ended sessions, old acknowledged mails).
const PER_ACCOUNT: (usize, usize, usize) = (3, 4, 3);

fn build(conn: &mut Connection, accounts: usize, now: OffsetDateTime) {
    let tx = conn.transaction().unwrap();
    {
        let mut account = tx
            .prepare(
                "INSERT INTO accounts (id, email, last_name, first_name, function, role, state,
                 previous_passwords, failed_logins, lockouts, locale, created_at, sort_key,
                 search_text)
                 VALUES (?1, ?2, ?3, ?4, '', 'user', 'active', '[]', 0, 0, 'fr', ?5, ?6, ?7)",
            )
            .unwrap();
        let mut rights = tx
            .prepare(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 VALUES (?1, ?2, 1, ?3, 'active', ?4)",
            )
            .unwrap();
        let mut token = tx
            .prepare(
                "INSERT INTO tokens (digest, account, purpose, state, issued_at, expires_at)
                 VALUES (?1, ?2, 'password_reset', ?3, ?4, ?5)",
            )
            .unwrap();
        let mut session = tx
            .prepare(
                "INSERT INTO sessions (digest, account, created_at, last_seen, idle_ns, expires_at,
                 remembered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            )
            .unwrap();
        let mut mail = tx
            .prepare(
                "INSERT INTO outbox (kind, email, name, token, expires_at, locale, created_at, acked)
                 VALUES ('password_reset', ?1, ?2, NULL, ?3, 'fr', ?4, ?5)",
            )
            .unwrap();
        let year_ago = now - Duration::days(365);
        let idle = Duration::minutes(30);
        for k in 0..accounts {
            let (last, first) = person(k);
            let email = format!("user{k}@bench.fr");
            let (l, f) = (
                PersonName::parse(last).unwrap(),
                PersonName::parse(first).unwrap(),
            );
            let (key, text) = (
                sort_key(&l, &f, &email),
                fold(&format!("{last} {first} {email}")),
            );
            let id = *AccountId::generate().as_bytes();
            let name = format!("{first} {last}");
            // Spread over the year (but past the retention for the mails).
            let at = |i: usize| {
                year_ago + Duration::minutes(((k * 7 + i * 1931) % (330 * 24 * 60)) as i64)
            };
            account
                .execute(params![
                    &id[..],
                    email,
                    last,
                    first,
                    ns(year_ago),
                    key,
                    text
                ])
                .unwrap();
            rights
                .execute(params![&id[..], establishment_code(k % 10), key, text])
                .unwrap();
            for (i, state) in ["consumed", "superseded", "issued"].iter().enumerate() {
                let t = at(i);
                token
                    .execute(params![
                        &random::<32>()[..],
                        &id[..],
                        state,
                        ns(t),
                        ns(t + Duration::hours(1))
                    ])
                    .unwrap();
            }
            for i in 0..PER_ACCOUNT.1 {
                let t = at(10 + i);
                session
                    .execute(params![
                        &random::<32>()[..],
                        &id[..],
                        ns(t),
                        ns(t + Duration::minutes(5)),
                        idle.whole_nanoseconds() as i64,
                        ns(t + Duration::hours(12))
                    ])
                    .unwrap();
            }
            for i in 0..PER_ACCOUNT.2 {
                let t = at(20 + i);
                mail.execute(params![email, name, ns(t + Duration::hours(1)), ns(t), 1])
                    .unwrap();
            }
            if k % 10 == 0 {
                let t = now - Duration::minutes(10);
                token
                    .execute(params![
                        &random::<32>()[..],
                        &id[..],
                        "issued",
                        ns(t),
                        ns(t + Duration::hours(1))
                    ])
                    .unwrap();
                session
                    .execute(params![
                        &random::<32>()[..],
                        &id[..],
                        ns(t),
                        ns(t),
                        idle.whole_nanoseconds() as i64,
                        ns(t + Duration::hours(12))
                    ])
                    .unwrap();
                let yesterday = now - Duration::days(1);
                mail.execute(params![email, name, ns(yesterday), ns(yesterday), 1])
                    .unwrap();
                mail.execute(params![email, name, ns(t), ns(t), 0]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let accounts: usize = args.next().map_or(100_000, |a| a.parse().unwrap());
    let batch: usize = args
        .next()
        .map_or(RetentionConfig::default().batch, |a| a.parse().unwrap());
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-maintenance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("portal.db");
    let now = datetime!(2027-01-15 09:00 UTC);

    drop(SqliteStore::open(&path, SqliteOptions::default()).unwrap()); // the schema
    let started = Instant::now();
    let mut conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144",
    )
    .unwrap();
    build(&mut conn, accounts, now);
    let before = ["tokens", "sessions", "outbox"].map(|t| count(&conn, t));
    drop(conn);
    eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());

    let config = PortalConfig {
        retention: RetentionConfig {
            batch,
            ..RetentionConfig::default()
        },
        ..PortalConfig::default()
    };
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let portal = Portal::new(store, ManualClock::new(now), config).unwrap();
    let started = Instant::now();
    let report = portal.run_maintenance().unwrap();
    let took = started.elapsed();
    drop(portal);

    let conn = Connection::open(&path).unwrap();
    let after = ["tokens", "sessions", "outbox"].map(|t| count(&conn, t));
    let live = accounts.div_ceil(10) as i64;
    assert_eq!(
        after,
        [live, live, 2 * live],
        "exactly what must stay is left"
    );
    let removed = report.total();
    println!(
        "{accounts} accounts, batches of {batch}: removed {} links, {} sessions, {} mails \
         ({removed} rows of {} before) in {:.2} s ({:.0} rows/s); {} batches, the longest held \
         the write lock {:.1} ms; left {} links, {} sessions, {} mails",
        report.tokens_purged,
        report.sessions_purged,
        report.notifications_purged,
        before.iter().sum::<i64>(),
        took.as_secs_f64(),
        removed as f64 / took.as_secs_f64(),
        report.batches,
        report.longest_batch.as_secs_f64() * 1e3,
        after[0],
        after[1],
        after[2],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

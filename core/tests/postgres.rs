//! `PostgresStore` against a real PostgreSQL: the store conformance suite, the portal's flows,
//! and two OS processes (two portals on one database) racing on one token and on one email.
//!
//! Run by `core/tests/postgres.sh`, which starts a throwaway cluster on loopback and sets
//! `DEALER_PORTAL_PG_URL`; or by hand, against a database you may scribble on:
//!
//! ```sh
//! DEALER_PORTAL_PG_URL=postgresql://postgres@127.0.0.1:5432/scratch \
//!     cargo test -p dealer-portal --features postgres --test postgres
//! ```
//!
//! Each test works in a schema of its own (created, then dropped), so tests run in parallel.
//!
//! The checks and flows are those of `suite/conformance.rs` and `suite/flows.rs`, which
//! `conformance.rs` and `flows.rs` run on the other stores; the lists come from the suites.
#![cfg(feature = "postgres")]

// The suites' fixtures serve the own tests of some includers only.
#[path = "suite/audit.rs"]
mod audit_checks;
#[allow(dead_code)]
#[path = "suite/conformance.rs"]
mod checks;
#[allow(dead_code)]
#[path = "suite/flows.rs"]
mod flows;
#[allow(dead_code)]
#[path = "suite/hardening.rs"]
mod hardening;
#[path = "suite/host.rs"]
mod host;
#[allow(dead_code)]
#[path = "suite/lifecycle.rs"]
mod lifecycle;
#[allow(dead_code)]
#[path = "suite/sessions.rs"]
mod sessions;

use dealer_portal::account::{AccountState, Declaration, NewUser};
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{AccountRepo, AnyStore, PostgresStore, Store, TokenRecord, TokenRepo};
use dealer_portal::token::{TokenLifecycle, TokenPurpose, TokenSecret};
use dealer_portal::{AccountId, SystemClock};
use flows::{email, est};
use postgres::{Client, NoTls};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const URL_VAR: &str = "DEALER_PORTAL_PG_URL";
const PLAIN_URL_VAR: &str = "DEALER_PORTAL_PG_PLAIN_URL";

/// The database the tests may scribble on. Missing: the test fails, saying how to get one.
fn base_url() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => url,
        Ok(_) => panic!("{URL_VAR} must be a postgres:// or postgresql:// URL"),
        Err(_) => panic!(
            "{URL_VAR} is not set. These tests need a PostgreSQL database they may scribble on: \
             run core/tests/postgres.sh (it installs PostgreSQL from Debian's packages if needed \
             and starts a throwaway cluster), or set {URL_VAR}=postgresql://user@host:port/db"
        ),
    }
}

/// The tests' own client (creating and dropping schemas, gates): rust-postgres without TLS, so
/// on `DEALER_PORTAL_PG_PLAIN_URL` when set (core/tests/postgres.sh sets it: a role the server
/// lets in without TLS, while the store goes through `DEALER_PORTAL_PG_URL` over TLS), else on
/// `DEALER_PORTAL_PG_URL`.
fn admin_client() -> Client {
    Client::connect(&admin_url(), NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to the database: {e}"))
}

fn admin_url() -> String {
    std::env::var(PLAIN_URL_VAR).unwrap_or_else(|_| base_url())
}

/// The URL with the schema first in the `search_path`.
fn url_in_schema(schema: &str) -> String {
    let base = base_url();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// A schema of its own for one test, dropped (with everything in it) at the end.
struct TestDb {
    schema: String,
    url: String,
}

impl TestDb {
    fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let mut schema = format!(
            "t{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            name.to_ascii_lowercase()
        );
        schema.truncate(63);
        admin_client()
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
            ))
            .unwrap();
        let url = url_in_schema(&schema);
        TestDb { schema, url }
    }

    fn store(&self) -> PostgresStore {
        PostgresStore::connect(&self.url).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&admin_url(), NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The conformance suite and the flows, on PostgreSQL
// ---------------------------------------------------------------------------------------------

/// One `#[test]` per check of the conformance suite, each on a fresh schema.
macro_rules! conformance_on_postgres {
    ($($check:ident),* $(,)?) => {
        mod conformance {
            $(#[test]
            fn $check() {
                let db = super::TestDb::new(stringify!($check));
                super::checks::$check(&db.store());
            })*
        }
    };
}

checks::every_check!(conformance_on_postgres);

/// One `#[test]` per flow of the flows suite, each on a fresh schema.
macro_rules! flows_on_postgres {
    ($($flow:ident),* $(,)?) => {
        mod portal_flows {
            $(#[test]
            fn $flow() {
                let db = super::TestDb::new(stringify!($flow));
                super::flows::$flow(db.store());
            })*
        }
    };
}

flows::every_flow!(flows_on_postgres);

/// One `#[test]` per check of the sessions suite, each on a fresh schema.
macro_rules! sessions_on_postgres {
    ($($check:ident),* $(,)?) => {
        mod session_checks {
            $(#[test]
            fn $check() {
                let db = super::TestDb::new(stringify!($check));
                super::sessions::$check(&db.store());
            })*
        }
    };
}

sessions::every_session_check!(sessions_on_postgres);

/// One `#[test]` per flow of the host-surface suite, each on a fresh schema.
macro_rules! host_on_postgres {
    ($($flow:ident),* $(,)?) => {
        mod host_flows {
            $(#[test]
            fn $flow() {
                let db = super::TestDb::new(stringify!($flow));
                super::host::$flow(db.store());
            })*
        }
    };
}

host::every_host_flow!(host_on_postgres);

/// PostgreSQL's intruder: SQL on the test's schema, and `pg_dump` of it for the bytes.
struct InSchema<'a>(&'a TestDb);

impl InSchema<'_> {
    /// The tests' own client (see `admin_client`), in the test's schema.
    fn client(&self) -> Client {
        let mut c = admin_client();
        c.batch_execute(&format!("SET search_path TO {}", self.0.schema))
            .unwrap();
        c
    }
}

impl audit_checks::Intruder for InSchema<'_> {
    fn overwrite(&self, e: &dealer_portal::audit::StoredAuditEvent) {
        let n = self
            .client()
            .execute(
                "UPDATE audit SET details = $2, prev_hash = $3, hash = $4, scheme = $5
                 WHERE seq = $1",
                &[
                    &(e.seq as i64),
                    &serde_json::to_string(&e.event.details).unwrap(),
                    &&e.prev_hash[..],
                    &&e.hash[..],
                    &(e.scheme.code() as i16),
                ],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    fn cut_from(&self, seq: u64) {
        let seq = seq as i64;
        let mut c = self.client();
        c.execute("DELETE FROM audit_establishments WHERE seq >= $1", &[&seq])
            .unwrap();
        c.execute("DELETE FROM audit WHERE seq >= $1", &[&seq])
            .unwrap();
        // The one-row head too, as an intruder covering its tracks would.
        c.execute(
            "UPDATE audit_head SET seq = $1::bigint - 1, hash = (SELECT hash FROM audit WHERE seq = $1::bigint - 1)",
            &[&seq],
        )
        .unwrap();
    }
    fn bytes(&self) -> Option<Vec<u8>> {
        Some(pg_dump(&self.0.schema))
    }
}

/// `pg_dump` of one schema (data and definitions), from `DEALER_PORTAL_PG_BIN` (set by
/// postgres.sh), the PATH, or Debian's /usr/lib/postgresql/*/bin.
fn pg_dump(schema: &str) -> Vec<u8> {
    let mut candidates: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("DEALER_PORTAL_PG_BIN") {
        candidates.push(std::path::Path::new(&dir).join("pg_dump"));
    }
    candidates.push("pg_dump".into());
    let mut debian: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin/pg_dump")).collect())
        .unwrap_or_default();
    debian.sort();
    candidates.extend(debian.into_iter().rev());
    for bin in candidates {
        match Command::new(&bin)
            .args(["--schema", schema, "--dbname", &admin_url()])
            .stderr(Stdio::inherit())
            .output()
        {
            Ok(out) if out.status.success() => return out.stdout,
            Ok(out) => panic!("{} failed: {}", bin.display(), out.status),
            Err(_) => continue,
        }
    }
    panic!("no pg_dump found (set DEALER_PORTAL_PG_BIN to the server's bin directory)")
}

/// One `#[test]` per check of the audit suite, each on a fresh schema.
macro_rules! audit_on_postgres {
    ($($check:ident),* $(,)?) => {
        mod audit {
            $(#[test]
            fn $check() {
                let db = super::TestDb::new(stringify!($check));
                super::audit_checks::$check(std::sync::Arc::new(db.store()), &super::InSchema(&db));
            })*
        }
    };
}

audit_checks::every_audit_check!(audit_on_postgres);

/// One `#[test]` per check and flow of the lifecycle suite, each on a fresh schema.
macro_rules! lifecycle_checks_on_postgres {
    ($($check:ident),* $(,)?) => {
        mod lifecycle_checks {
            $(#[test]
            fn $check() {
                let db = super::TestDb::new(stringify!($check));
                super::lifecycle::$check(&db.store());
            })*
        }
    };
}

lifecycle::every_lifecycle_check!(lifecycle_checks_on_postgres);

macro_rules! lifecycle_flows_on_postgres {
    ($($flow:ident),* $(,)?) => {
        mod lifecycle_flows {
            $(#[test]
            fn $flow() {
                let db = super::TestDb::new(stringify!($flow));
                super::lifecycle::$flow(db.store());
            })*
        }
    };
}

lifecycle::every_lifecycle_flow!(lifecycle_flows_on_postgres);

#[test]
fn maintenance_changes_no_answer() {
    let (a, b) = (TestDb::new("no_answer_a"), TestDb::new("no_answer_b"));
    lifecycle::maintenance_changes_no_answer(a.store(), b.store());
}

/// One `#[test]` per check of the hardening suite (issue 16), each on a fresh schema.
macro_rules! hardening_on_postgres {
    ($($check:ident),* $(,)?) => {
        mod hardening_checks {
            $(#[test]
            fn $check() {
                let db = super::TestDb::new(stringify!($check));
                super::hardening::$check(db.store());
            })*
        }
    };
}

hardening::every_hardening_check!(hardening_on_postgres);

// ---------------------------------------------------------------------------------------------
// PostgreSQL only
// ---------------------------------------------------------------------------------------------

#[test]
fn any_store_opens_postgres_urls() {
    let db = TestDb::new("any_store");
    let store = AnyStore::open(&db.url).unwrap();
    assert!(matches!(store, AnyStore::Postgres(_)));
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000001"
    );
    // postgresql:// too, and the same data through it.
    let other = db.url.replacen("postgres://", "postgresql://", 1);
    let store = AnyStore::open(&other).unwrap();
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000002"
    );
    // A bad URL is a configuration error that does not repeat the password.
    let err = AnyStore::open("postgres://u:s3cret@127.0.0.1:99999/x").unwrap_err();
    assert!(matches!(err.code(), "INVALID_CONFIG" | "STORAGE"), "{err}");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

#[test]
fn reconnecting_keeps_everything_and_migrations_run_once() {
    let db = TestDb::new("reconnect");
    // Servers starting together: every one migrates, or finds the schema up to date.
    let stores: Vec<PostgresStore> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4).map(|_| s.spawn(|| db.store())).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let a = checks_account("keep@garage.fr");
    stores[0].write(|tx| tx.insert_account(&a)).unwrap();
    for s in &stores {
        assert_eq!(s.read(|tx| tx.account(a.id)).unwrap(), Some(a.clone()));
    }
    drop(stores);
    let store = db.store();
    assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(a));
    let mut c = admin_client();
    let v: i32 = c
        .query_one(
            &format!("SELECT version FROM {}.schema_version", db.schema),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(v, 6, "the schema's six migrations, each applied once");
}

/// Schema version 4 (issue 16, item 9): emails stored before the IDNA normalisation are
/// rewritten in the new normal form, except a form another account holds and a now-invalid one.
#[test]
fn a_version_3_schema_gets_its_emails_in_the_new_normal_form() {
    let db = TestDb::new("emails");
    let (jean, max, twin, odd) = (
        checks_account("jean@garagé.fr"),
        checks_account("max@garagé.fr"),
        checks_account("twin@garage.fr"),
        checks_account("odd@garage.fr"),
    );
    let store = db.store();
    for a in [&jean, &max, &twin, &odd] {
        store.write(|tx| tx.insert_account(a)).unwrap();
    }
    drop(store);
    // As the release before the fix stored them.
    let mut c = admin_client();
    c.batch_execute(&format!(
        "UPDATE {0}.accounts SET email = 'jean@xn--garag-fsa.fr' WHERE email = 'jean@garagé.fr';
         UPDATE {0}.accounts SET email = 'max@xn--garag-fsa.fr' WHERE email = 'twin@garage.fr';
         UPDATE {0}.accounts SET email = 'je;an@garage.fr' WHERE email = 'odd@garage.fr';
         UPDATE {0}.schema_version SET version = 3;",
        db.schema
    ))
    .unwrap();
    let store = db.store();
    let stored = |id: AccountId| -> String {
        admin_client()
            .query_one(
                &format!("SELECT email FROM {}.accounts WHERE id = $1", db.schema),
                &[&id.as_bytes().to_vec()],
            )
            .unwrap()
            .get(0)
    };
    assert_eq!(stored(jean.id), "jean@garagé.fr");
    assert_eq!(stored(max.id), "max@garagé.fr");
    assert_eq!(
        stored(twin.id),
        "max@xn--garag-fsa.fr",
        "Max holds its new form"
    );
    assert_eq!(
        stored(odd.id),
        "je;an@garage.fr",
        "refused by the new rules"
    );
    let owner = |email: &str| {
        let email = email.parse().unwrap();
        store
            .read(|tx| tx.account_by_email(&email))
            .unwrap()
            .map(|a| a.id)
    };
    assert_eq!(owner("JEAN@xn--garag-fsa.fr"), Some(jean.id));
    assert_eq!(owner("max@ｇａｒａｇé.fr"), Some(max.id));
}

#[test]
fn foreign_and_newer_schemas_are_refused_untouched() {
    // Another application's tables.
    let db = TestDb::new("foreign");
    let mut c = admin_client();
    c.batch_execute(&format!(
        "CREATE TABLE {0}.notes (body TEXT); INSERT INTO {0}.notes VALUES ('keep me');",
        db.schema
    ))
    .unwrap();
    let err = PostgresStore::connect(&db.url).unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    assert!(
        err.to_string().contains("not a dealer-portal schema"),
        "{err}"
    );
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&db.schema],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created");

    // A newer schema version.
    let db = TestDb::new("newer");
    drop(db.store());
    c.batch_execute(&format!(
        "UPDATE {}.schema_version SET version = 999",
        db.schema
    ))
    .unwrap();
    let err = PostgresStore::connect(&db.url).unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    assert!(err.to_string().contains("newer"), "{err}");
}

/// Every message of an error's chain, from the error down.
fn chain(err: &dyn std::error::Error) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}

#[test]
fn storage_errors_show_the_servers_message_never_its_detail() {
    use dealer_portal::notification::NewNotification;
    use dealer_portal::{Email, Locale, SecretString};
    let db = TestDb::new("errors");
    let store = db.store();
    // A rule of the database's own refuses queued mails, with a DETAIL that quotes the row.
    admin_client()
        .batch_execute(&format!(
            "CREATE FUNCTION {0}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 RAISE EXCEPTION 'the outbox is closed' USING DETAIL = 'row: ' || NEW.token;
             END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON {0}.outbox
                 FOR EACH ROW EXECUTE FUNCTION {0}.refuse();",
            db.schema
        ))
        .unwrap();
    let secret = "a-link-token-no-message-may-show";
    let n = NewNotification {
        kind: NotificationKind::PasswordReset,
        email: Email::parse("a@garage.fr").unwrap(),
        name: "A".into(),
        token: Some(SecretString::from(secret)),
        expires_at: None,
        locale: Locale::Fr,
    };
    let err = store
        .write(|tx| {
            use dealer_portal::store::OutboxRepo;
            tx.queue(&n, time::OffsetDateTime::now_utc())
        })
        .unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    // The message is what it was before the driver's error became the source.
    assert_eq!(
        err.to_string(),
        "storage error: cannot queue a notification: the outbox is closed (SQLSTATE P0001)"
    );
    let messages = chain(&err);
    assert_eq!(
        messages[1..],
        [
            "cannot queue a notification: the outbox is closed (SQLSTATE P0001)",
            "the outbox is closed (SQLSTATE P0001)",
        ],
        "the server's report (and its DETAIL) is not in the chain"
    );
    assert!(!format!("{err:?}").contains(secret), "{err:?}");

    // The client's own failure keeps the driver's error, and the I/O error below it.
    let err = PostgresStore::connect("postgresql://postgres@127.0.0.1:1/nowhere").unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    assert_eq!(
        err.to_string(),
        "storage error: cannot connect to PostgreSQL: error connecting to server"
    );
    let mut driver = None;
    let mut next = std::error::Error::source(&err);
    while let Some(e) = next {
        driver = driver.or(e.downcast_ref::<postgres::Error>());
        next = e.source();
    }
    assert!(driver.is_some(), "{:?}", chain(&err));
    assert!(chain(&err).len() > 4, "{:?}", chain(&err));
}

#[test]
fn reads_run_beside_a_write_and_see_one_snapshot() {
    use std::sync::Barrier;
    let db = TestDb::new("parallel");
    let store = db.store();
    let a = checks_account("p@garage.fr");
    store.write(|tx| tx.insert_account(&a)).unwrap();
    let (inside, done) = (Barrier::new(2), Barrier::new(2));
    std::thread::scope(|s| {
        s.spawn(|| {
            store
                .write(|tx| {
                    let mut b = a.clone();
                    b.failed_logins = 9;
                    tx.update_account(&b)?;
                    inside.wait();
                    done.wait();
                    Ok(())
                })
                .unwrap();
        });
        inside.wait();
        // The write is open and uncommitted: a read sees the last committed state, at once.
        let seen = store.read(|tx| tx.account(a.id)).unwrap().unwrap();
        assert_eq!(seen.failed_logins, 0);
        done.wait();
    });
    assert_eq!(
        store
            .read(|tx| tx.account(a.id))
            .unwrap()
            .unwrap()
            .failed_logins,
        9
    );
}

#[test]
fn a_broken_connection_is_replaced() {
    let db = TestDb::new("broken");
    let name = format!("dealer-portal-broken-{}", std::process::id());
    let store = PostgresStore::connect_with(
        &format!("{}&application_name={name}", db.url),
        dealer_portal::store::PostgresOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .unwrap();
    store.write(|tx| tx.next_repairer_code()).unwrap();
    // The administrator ends the store's connection (as a server restart or a proxy would).
    let mut admin = admin_client();
    let killed: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                   WHERE application_name = $1) AS t",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(killed, 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            &[&name],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }
    // The store notices, drops the dead connection and carries on with a new one.
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000002"
    );
}

#[test]
fn failed_logins_are_not_lost_across_servers() {
    // Two portals (two servers) counting wrong passwords for one account at once: each count is
    // a read-modify-write of the account row, which the writer lock keeps whole.
    let db = TestDb::new("lost_updates");
    let mut cfg = PortalConfig::for_tests();
    cfg.lockout.max_failures = 1000;
    let portals: Vec<_> = (0..2)
        .map(|_| Portal::new(db.store(), SystemClock, cfg.clone()).unwrap())
        .collect();
    let p = &portals[0];
    p.declare_administrator(
        &Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap(),
        &[Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap()],
    )
    .unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let t = link(p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&t, ADMIN, PW, PW).unwrap();
    const THREADS: usize = 4;
    const ATTEMPTS: usize = 5;
    std::thread::scope(|s| {
        for i in 0..2 * THREADS {
            let p = &portals[i % 2];
            s.spawn(move || {
                for _ in 0..ATTEMPTS {
                    assert_eq!(
                        code(p.login(ADMIN, "Wrong-Password-2026!", false)),
                        "INVALID_CREDENTIALS"
                    );
                }
            });
        }
    });
    let a = p
        .store()
        .read(|tx| tx.account_by_email(&ADMIN.parse().unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(a.failed_logins as usize, 2 * THREADS * ATTEMPTS);
    assert!(p.verify_audit_chain(None).is_ok());
}

fn checks_account(mail: &str) -> dealer_portal::account::Account {
    dealer_portal::account::Account {
        id: AccountId::generate(),
        email: mail.parse().unwrap(),
        last_name: "Keep".parse().unwrap(),
        first_name: "Ing".parse().unwrap(),
        function: String::new(),
        role: dealer_portal::Role::User,
        state: AccountState::Active,
        mobile: None,
        landline: None,
        password: None,
        previous_passwords: Vec::new(),
        failed_logins: 0,
        lockouts: 0,
        locked_until: None,
        locale: dealer_portal::Locale::Fr,
        created_at: time::macros::datetime!(2026-01-15 09:00:00.123_456_789 UTC),
        last_login_at: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Two OS processes on one database
// ---------------------------------------------------------------------------------------------

const ADMIN: &str = "admin@race.fr";
const PW: &str = "Race-Password-2026!";
/// Races through two portals (argon2 and all), then bare store transactions (tighter races).
const PORTAL_ROUNDS: usize = 4;
const STORE_ROUNDS: usize = 40;
const CHILD_VAR: &str = "DEALER_PORTAL_RACE_CHILD";

fn race_portal(url: &str) -> Portal<PostgresStore, SystemClock> {
    Portal::new(
        PostgresStore::connect(url).unwrap(),
        SystemClock,
        PortalConfig::for_tests(),
    )
    .unwrap()
}

fn link(p: &Portal<PostgresStore, SystemClock>, kind: NotificationKind, email: &str) -> String {
    let n = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .rfind(|n| n.body.kind == kind && n.body.email.as_str() == email)
        .unwrap_or_else(|| panic!("no {kind} mail for {email}"));
    n.body.token.as_ref().unwrap().expose().to_owned()
}

fn code<T>(r: dealer_portal::Result<T>) -> &'static str {
    r.map_or_else(|e| e.code(), |_| "OK")
}

#[test]
fn two_processes_race_on_one_token_and_one_email() {
    let db = TestDb::new("race");
    let p = race_portal(&db.url);
    let garage =
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap();
    p.declare_administrator(
        &Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap(),
        &[garage],
    )
    .unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let t = link(&p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&t, ADMIN, PW, PW).unwrap();
    let admin = p.login(ADMIN, PW, false).unwrap().token.expose().to_owned();
    // One active user per portal round, each with a reset link to race on.
    let mut resets = Vec::new();
    for i in 0..PORTAL_ROUNDS {
        let address = format!("user{i}@race.fr");
        let u = NewUser::new("Race", &format!("User{i}"), &address).unwrap();
        p.create_user(
            &admin,
            &est("T99999"),
            &u,
            Rights::from(Right::SubmitClaims),
        )
        .unwrap();
        let t = link(&p, NotificationKind::Activation, &address);
        p.activate_account(&t, &address, PW, PW).unwrap();
        p.request_password_reset(&email(&address)).unwrap();
        resets.push(link(&p, NotificationKind::PasswordReset, &address));
    }
    // Bare tokens for the store rounds.
    let tokens: Vec<TokenSecret> = (0..STORE_ROUNDS).map(|_| TokenSecret::generate()).collect();
    p.store()
        .write(|tx| {
            for t in &tokens {
                tx.insert_token(&TokenRecord {
                    digest: t.digest(),
                    account: AccountId::generate(),
                    lifecycle: TokenLifecycle::issue(
                        TokenPurpose::Activation,
                        time::OffsetDateTime::now_utc(),
                        time::Duration::hours(1),
                    ),
                    email: None,
                })?;
            }
            Ok(())
        })
        .unwrap();

    // The start line: a lock the children wait on, released once both wait.
    let barrier_key = i64::from(std::process::id());
    let mut gate = admin_client();
    gate.execute("SELECT pg_advisory_lock($1)", &[&barrier_key])
        .unwrap();
    let spec = [
        db.url.clone(),
        barrier_key.to_string(),
        admin.clone(),
        resets.join(","),
        tokens
            .iter()
            .map(|t| t.expose().to_owned())
            .collect::<Vec<_>>()
            .join(","),
    ]
    .join("\n");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|who| {
            Command::new(&exe)
                .args(["--exact", "race_child", "--ignored", "--nocapture"])
                .env(CHILD_VAR, format!("{who}\n{spec}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waiting: i64 = gate
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                 AND classid = 0 AND objid = $1 AND objsubid = 1",
                &[&(barrier_key as u32)],
            )
            .unwrap()
            .get(0);
        if waiting == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child processes did not reach the start line"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    gate.execute("SELECT pg_advisory_unlock($1)", &[&barrier_key])
        .unwrap();

    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "a child failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            stdout
        })
        .collect();
    // Lines "RACE <kind> <round> <outcome>", one per round and kind from each child.
    let outcome = |kind: &str, round: usize| -> Vec<String> {
        outputs
            .iter()
            .map(|o| {
                o.lines()
                    .find_map(|l| {
                        let mut w = l.split_whitespace();
                        (w.next() == Some("RACE")
                            && w.next() == Some(kind)
                            && w.next() == Some(&round.to_string()))
                        .then(|| w.next().unwrap_or("").to_owned())
                    })
                    .unwrap_or_else(|| panic!("no {kind} {round} line in:\n{o}"))
            })
            .collect()
    };
    let one_wins = |kind: &str, rounds: usize, loser: &str| {
        for round in 0..rounds {
            let mut got = outcome(kind, round);
            got.sort();
            let mut want = vec!["OK".to_owned(), loser.to_owned()];
            want.sort();
            assert_eq!(got, want, "{kind} round {round}");
        }
    };
    for kind in ["token", "email"] {
        let wins: Vec<usize> = (0..2)
            .map(|who| {
                (0..STORE_ROUNDS)
                    .filter(|&r| outcome(kind, r)[who] == "OK")
                    .count()
            })
            .collect();
        eprintln!("{kind} rounds won by each process: {wins:?}");
    }
    one_wins("reset", PORTAL_ROUNDS, "TOKEN_INVALID");
    one_wins("user", PORTAL_ROUNDS, "EMAIL_TAKEN");
    one_wins("token", STORE_ROUNDS, "NONE");
    one_wins("email", STORE_ROUNDS, "EMAIL_TAKEN");
    // One account per raced email, and the audit chain is whole.
    p.store()
        .read(|tx| {
            for i in 0..STORE_ROUNDS {
                assert!(
                    tx.account_by_email(&format!("email{i}@race.fr").parse().unwrap())?
                        .is_some()
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(p.verify_audit_chain(None).unwrap() > 0);
}

/// One of the two processes of `two_processes_race_on_one_token_and_one_email`.
#[test]
#[ignore = "a child process of two_processes_race_on_one_token_and_one_email"]
fn race_child() {
    let spec = std::env::var(CHILD_VAR)
        .unwrap_or_else(|_| panic!("run by two_processes_race_on_one_token_and_one_email only"));
    let mut lines = spec.lines();
    let mut next = || lines.next().unwrap().to_owned();
    let (who, url, key, admin, resets, tokens) = (next(), next(), next(), next(), next(), next());
    let key: i64 = key.parse().unwrap();
    let p = race_portal(&url);
    let store = PostgresStore::connect(&url).unwrap();
    // Warm both pools, then wait at the start line.
    p.authenticate(&admin).unwrap();
    store.read(|tx| tx.account(AccountId::generate())).unwrap();
    let mut gate = admin_client();
    gate.execute("SELECT pg_advisory_lock_shared($1)", &[&key])
        .unwrap();
    gate.execute("SELECT pg_advisory_unlock_shared($1)", &[&key])
        .unwrap();

    for (i, token) in resets.split(',').enumerate() {
        let email = format!("user{i}@race.fr");
        let pw = format!("Race-{who}-Password-2026!");
        println!(
            "RACE reset {i} {}",
            code(p.complete_password_reset(token, &email, &pw, &pw))
        );
        let u = NewUser::new(
            "Même",
            &format!("Personne{who}"),
            &format!("new{i}@race.fr"),
        )
        .unwrap();
        println!(
            "RACE user {i} {}",
            code(p.create_user(
                &admin,
                &est("T99999"),
                &u,
                Rights::from(Right::SubmitClaims)
            ))
        );
    }
    for (i, token) in tokens.split(',').enumerate() {
        let digest = TokenSecret::parse(token).unwrap().digest();
        let won = store
            .write(|tx| {
                tx.consume_token(
                    &digest,
                    TokenPurpose::Activation,
                    time::OffsetDateTime::now_utc(),
                )
            })
            .unwrap();
        println!(
            "RACE token {i} {}",
            if won.is_some() { "OK" } else { "NONE" }
        );
        let mut a = checks_account(&format!("email{i}@race.fr"));
        a.first_name = format!("N{who}").parse().unwrap();
        println!(
            "RACE email {i} {}",
            code(store.write(|tx| tx.insert_account(&a)))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The lockout with two OS processes on one database (issue 16 item 1)
// ---------------------------------------------------------------------------------------------

const LOCKOUT_CHILD_VAR: &str = "DEALER_PORTAL_LOCKOUT_CHILD";
/// Guessing threads in each of the two processes.
const LOCKOUT_THREADS: usize = 12;

#[test]
fn two_processes_guessing_at_once_lock_once() {
    use dealer_portal::audit::AuditAction;
    use dealer_portal::store::AuditRepo;
    let db = TestDb::new("lockout_procs");
    let p = race_portal(&db.url);
    let (account, _) = hardening::admin(&p);
    let before = p.store().read(|tx| tx.audit_all()).unwrap().len();
    let barrier_key = i64::from(std::process::id()) + (1 << 40);
    let mut gate = admin_client();
    gate.execute("SELECT pg_advisory_lock($1)", &[&barrier_key])
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "lockout_child", "--ignored", "--nocapture"])
                .env(LOCKOUT_CHILD_VAR, format!("{}\n{barrier_key}", db.url))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waiting: i64 = gate
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                 AND classid = $1 AND objid = $2 AND objsubid = 1",
                &[&((barrier_key >> 32) as u32), &(barrier_key as u32)],
            )
            .unwrap()
            .get(0);
        if waiting == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the children did not reach the start line"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    gate.execute("SELECT pg_advisory_unlock($1)", &[&barrier_key])
        .unwrap();
    let mut answers = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "a child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        answers.extend(
            stdout
                .lines()
                .filter_map(|l| l.strip_prefix("LOCKOUT "))
                .map(str::to_owned),
        );
    }
    assert_eq!(answers.len(), 2 * LOCKOUT_THREADS);
    assert!(
        answers.iter().all(|a| a == "INVALID_CREDENTIALS"),
        "{answers:?}"
    );
    let log = p.store().read(|tx| tx.audit_all()).unwrap();
    let after: Vec<_> = log[before..].to_vec();
    let of =
        |action: AuditAction, reason: Option<&str>| hardening::count(&after, 0, action, reason);
    assert_eq!(of(AuditAction::LoginFailed, None), 2 * LOCKOUT_THREADS);
    assert_eq!(
        of(AuditAction::LoginFailed, Some("wrong_password")),
        PortalConfig::for_tests().lockout.max_failures as usize,
        "password checks spent by the two processes"
    );
    assert_eq!(of(AuditAction::AccountLocked, None), 1, "one lock");
    // The right password during the lock: refused, from either process.
    assert_eq!(
        code(p.login(hardening::ADMIN, hardening::ADMIN_PW, false)),
        "INVALID_CREDENTIALS"
    );
    let a = p.store().read(|tx| tx.account(account)).unwrap().unwrap();
    assert_eq!(a.lockouts, 1);
    assert!(p.verify_audit_chain(None).is_ok());
}

/// One of the two processes of `two_processes_guessing_at_once_lock_once`.
#[test]
#[ignore = "a child process of two_processes_guessing_at_once_lock_once"]
fn lockout_child() {
    let spec = std::env::var(LOCKOUT_CHILD_VAR)
        .unwrap_or_else(|_| panic!("run by two_processes_guessing_at_once_lock_once only"));
    let (url, key) = spec.split_once('\n').unwrap();
    let key: i64 = key.parse().unwrap();
    let p = race_portal(url);
    // Warm the pool, then wait at the start line.
    p.store()
        .read(|tx| tx.account(AccountId::generate()))
        .unwrap();
    let mut gate = admin_client();
    gate.execute("SELECT pg_advisory_lock_shared($1)", &[&key])
        .unwrap();
    gate.execute("SELECT pg_advisory_unlock_shared($1)", &[&key])
        .unwrap();
    let start = std::sync::Barrier::new(LOCKOUT_THREADS);
    let answers: Vec<&str> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..LOCKOUT_THREADS)
            .map(|_| {
                let (p, start) = (&p, &start);
                s.spawn(move || {
                    start.wait();
                    code(p.login(hardening::ADMIN, hardening::WRONG_PW, false))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for a in answers {
        println!("LOCKOUT {a}");
    }
}

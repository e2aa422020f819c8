//! TLS to PostgreSQL (issue 16, item 4) against a real server: libpq's `sslmode` and
//! `sslrootcert`, in both URL forms.
//!
//! Run by `core/tests/postgres.sh`, which starts a throwaway cluster with `ssl=on`, a CA and a
//! server certificate for `localhost` and `127.0.0.1` made for the run, and a pg_hba.conf that
//! takes TCP connections over TLS only (`hostssl`) but for the role `dealer_plain`. It sets
//! `DEALER_PORTAL_PG_TLS_DIR` (`ca.crt`, `wrong-ca.crt`), `DEALER_PORTAL_PG_PORT`,
//! `DEALER_PORTAL_PG_DB` and `DEALER_PORTAL_PG_PLAIN_URL` (that role, `sslmode=disable`).
//!
//! Each connection that succeeds is looked up in `pg_stat_ssl` by its `application_name`, so a
//! test sees whether the link really is TLS, not only that it connected.
#![cfg(feature = "postgres")]

use dealer_portal::Error;
use dealer_portal::store::{PostgresOptions, PostgresStore};
use postgres::{Client, NoTls};
use std::sync::atomic::{AtomicUsize, Ordering};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: these tests need the TLS-enabled throwaway server that \
             core/tests/postgres.sh starts (run it; it installs PostgreSQL and openssl if needed)"
        )
    })
}

fn port() -> String {
    var("DEALER_PORTAL_PG_PORT")
}

fn db() -> String {
    var("DEALER_PORTAL_PG_DB")
}

fn cert(name: &str) -> String {
    format!("{}/{name}", var("DEALER_PORTAL_PG_TLS_DIR"))
}

/// A name for one connection, to find it in `pg_stat_ssl`.
fn app(test: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "tls_{}_{}_{test}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn one_connection() -> PostgresOptions {
    PostgresOptions {
        max_connections: 1,
        ..PostgresOptions::default()
    }
}

/// Connects a store (keeping its one connection open) and answers whether that connection is
/// TLS, and with which protocol, as the server sees it.
fn connect(url: &str, app: &str) -> Result<(PostgresStore, Option<String>), Error> {
    let store = PostgresStore::connect_with(url, one_connection())?;
    store.ping()?;
    let mut admin = Client::connect(&var("DEALER_PORTAL_PG_PLAIN_URL"), NoTls).unwrap();
    let row = admin
        .query_one(
            "SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.application_name = $1",
            &[&app],
        )
        .unwrap();
    let ssl: bool = row.get(0);
    let version: Option<String> = row.get(1);
    Ok((store, ssl.then(|| version.unwrap_or_default())))
}

fn url(host: &str, user: &str, app: &str, tls: &str) -> String {
    format!(
        "postgresql://{user}@{host}:{}/{}?application_name={app}{tls}",
        port(),
        db()
    )
}

fn refused(url: &str, says: &[&str]) -> String {
    let err = match PostgresStore::connect_with(url, one_connection()) {
        Ok(_) => panic!("connected: {url}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), "STORAGE", "{err}");
    let msg = err.to_string();
    for s in says {
        assert!(msg.contains(s), "{msg:?} does not say {s:?}");
    }
    msg
}

#[test]
fn verify_full_connects_over_tls_in_both_url_forms() {
    let a = app("full_url");
    let tls = format!("&sslmode=verify-full&sslrootcert={}", cert("ca.crt"));
    let (_store, ssl) = connect(&url("127.0.0.1", "postgres", &a, &tls), &a).unwrap();
    assert!(
        ssl.as_deref().is_some_and(|v| v.starts_with("TLS")),
        "{ssl:?}"
    );
    // The name form, in key=value pairs, with the path quoted.
    let a = app("full_pairs");
    let pairs = format!(
        "host=localhost port={} dbname={} user=postgres application_name={a} \
         sslrootcert='{}' sslmode=verify-full",
        port(),
        db(),
        cert("ca.crt")
    );
    let (_store, ssl) = connect(&pairs, &a).unwrap();
    assert!(ssl.is_some());
}

#[test]
fn the_default_path_of_the_other_tests_is_tls_with_verification() {
    // DEALER_PORTAL_PG_URL, which every other PostgreSQL test uses, is the deployment's path.
    let base = var("DEALER_PORTAL_PG_URL");
    assert!(base.contains("sslmode=verify-full"), "{base}");
    let a = app("base");
    let (_store, ssl) = connect(&format!("{base}&application_name={a}"), &a).unwrap();
    assert!(ssl.is_some());
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    for mode in ["verify-full", "verify-ca", "require", "prefer"] {
        // With a root certificate, require and prefer check the chain too, as libpq does.
        let tls = format!("&sslmode={mode}&sslrootcert={}", cert("wrong-ca.crt"));
        refused(
            &url("127.0.0.1", "postgres", &app("wrong_ca"), &tls),
            &["cannot connect to PostgreSQL", "certificate"],
        );
    }
}

#[test]
fn the_system_roots_do_not_trust_the_test_ca() {
    // sslrootcert=system (and verify-full without sslrootcert): the operating system's CAs,
    // which never signed this run's certificate. Either refused at the handshake, or, on a
    // machine with no system CAs at all, before it.
    for tls in ["&sslrootcert=system", "&sslmode=verify-full"] {
        let url = url("127.0.0.1", "postgres", &app("system"), tls);
        match PostgresStore::connect_with(&url, one_connection()) {
            Ok(_) => panic!("connected with the system's roots: {url}"),
            Err(e) => assert!(
                e.code() == "STORAGE" && e.to_string().contains("certificate")
                    || e.code() == "INVALID_CONFIG" && e.to_string().contains("sslrootcert"),
                "{e}"
            ),
        }
    }
}

#[test]
fn a_wrong_host_name_is_refused_by_verify_full_only() {
    // The server's certificate names localhost and 127.0.0.1; `hostaddr` reaches the same
    // server while the name checked is another one.
    let pairs = |mode: &str, a: &str| {
        format!(
            "host=db.example.invalid hostaddr=127.0.0.1 port={} dbname={} user=postgres \
             application_name={a} sslmode={mode} sslrootcert={}",
            port(),
            db(),
            cert("ca.crt")
        )
    };
    let msg = refused(
        &pairs("verify-full", &app("wrong_name")),
        &["cannot connect to PostgreSQL", "certificate"],
    );
    assert!(
        msg.contains("not valid for name \"db.example.invalid\""),
        "{msg}"
    );
    // verify-ca checks the chain, not the name.
    let a = app("wrong_name_ca");
    let (_store, ssl) = connect(&pairs("verify-ca", &a), &a).unwrap();
    assert!(ssl.is_some());
}

#[test]
fn require_without_a_ca_connects_without_verification() {
    let a = app("require");
    let (_store, ssl) = connect(&url("127.0.0.1", "postgres", &a, "&sslmode=require"), &a).unwrap();
    assert!(ssl.is_some());
    // As does the default, prefer, when the server offers TLS.
    let a = app("prefer");
    let (_store, ssl) = connect(&url("localhost", "postgres", &a, ""), &a).unwrap();
    assert!(ssl.is_some());
}

#[test]
fn a_hostssl_only_server_refuses_plaintext() {
    refused(
        &url(
            "127.0.0.1",
            "postgres",
            &app("plain_refused"),
            "&sslmode=disable",
        ),
        &["no encryption", "SQLSTATE 28000"],
    );
}

#[test]
fn disable_to_loopback_still_works() {
    let a = app("disable");
    let (_store, ssl) = connect(
        &url("127.0.0.1", "dealer_plain", &a, "&sslmode=disable"),
        &a,
    )
    .unwrap();
    assert_eq!(ssl, None);
}

#[test]
fn a_refusal_never_shows_the_password() {
    // A password in the URL never appears in a refusal.
    let tls = format!("&sslmode=verify-full&sslrootcert={}", cert("wrong-ca.crt"));
    let url = url("127.0.0.1", "postgres:S3cret-Pass", &app("pw"), &tls);
    let msg = refused(&url, &["certificate"]);
    assert!(!msg.contains("S3cret-Pass"), "{msg}");
}

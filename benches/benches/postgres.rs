//! login, authenticate and create_user on PostgreSQL (loopback) beside SQLite, in one run.
//!
//! Needs a database it may scribble on in `DEALER_PORTAL_PG_URL`; `core/tests/postgres.sh`
//! starts a throwaway cluster and sets it:
//!
//! ```sh
//! core/tests/postgres.sh cargo bench -p dealer-portal-benches --features postgres --bench postgres
//! ```
//!
//! The PostgreSQL link is the deployment's: TLS with the certificate and host name checked
//! (`sslmode=verify-full`, from `DEALER_PORTAL_PG_URL`). The `postgres_tls` group measures
//! `select_1` and `authenticate` over plaintext (`DEALER_PORTAL_PG_PLAIN_URL`,
//! `sslmode=disable`) and over that TLS link, set up alike, one after the other: the cost of TLS
//! on loopback is their ratio (issue 16: goal ≤ 1.5×).
//!
//! Both stores are durable (SQLite `synchronous=FULL`; PostgreSQL's defaults, `fsync` and
//! `synchronous_commit` on) and hash with the test parameters, so the figures are the stores',
//! not argon2's. `*_4_threads` runs four threads on one portal: the throughput of one server
//! under concurrent requests.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dealer_portal::account::{Declaration, NewUser};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{PostgresStore, SqliteOptions, SqliteStore, Store, Synchronous};
use dealer_portal::{Clock, SystemClock};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PW: &str = "Bench-Password-2026!";
const THREADS: u64 = 4;
static SEQ: AtomicU64 = AtomicU64::new(0);

/// A per-run prefix, so runs against one database do not collide.
fn run_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn postgres() -> PostgresStore {
    let url = std::env::var("DEALER_PORTAL_PG_URL").unwrap_or_else(|_| {
        panic!(
            "DEALER_PORTAL_PG_URL is not set: run core/tests/postgres.sh cargo bench \
             -p dealer-portal-benches --features postgres --bench postgres"
        )
    });
    PostgresStore::connect(&url).unwrap()
}

/// The same database in plaintext (a role postgres.sh lets in without TLS).
fn postgres_plain() -> PostgresStore {
    let url = std::env::var("DEALER_PORTAL_PG_PLAIN_URL").unwrap_or_else(|_| {
        panic!(
            "DEALER_PORTAL_PG_PLAIN_URL is not set: run core/tests/postgres.sh cargo bench \
             -p dealer-portal-benches --features postgres --bench postgres"
        )
    });
    PostgresStore::connect(&url).unwrap()
}

/// `select_1` and `authenticate` over TLS and over plaintext, each on a portal set up the same
/// way just before (one administrator, one session), one after the other in one group.
fn tls_beside_plaintext(c: &mut Criterion) {
    let mut g = c.benchmark_group("postgres_tls");
    g.sample_size(30);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(5));
    let run = run_id();
    let mut portals = Vec::new();
    for (k, (link, store)) in [("plain", postgres_plain()), ("tls", postgres())]
        .into_iter()
        .enumerate()
    {
        g.bench_function(format!("select_1_{link}"), |b| {
            b.iter(|| store.ping().unwrap())
        });
        let p = Portal::new(store, SystemClock, PortalConfig::for_tests()).unwrap();
        // Another administrator and garage each, in the same database.
        let (email, _) = admin(&p, run + 1 + k as u64);
        let token = p
            .login(&email, PW, false)
            .unwrap()
            .token
            .expose()
            .to_owned();
        portals.push((link, p, token));
    }
    for (link, p, token) in &portals {
        g.bench_function(format!("authenticate_{link}"), |b| {
            b.iter(|| p.authenticate(black_box(token)).unwrap())
        });
    }
    g.finish();
    interleaved(&portals);
}

/// `authenticate` on each link in turn, round after round (which goes first alternates), so
/// both see the same load: steadier than criterion's one-after-the-other on a busy machine.
fn interleaved<S: Store>(portals: &[(&str, Portal<S, SystemClock>, String)]) {
    const ROUNDS: usize = 4000;
    let mut times = vec![Vec::with_capacity(ROUNDS); portals.len()];
    for round in 0..ROUNDS {
        for k in 0..portals.len() {
            let k = (k + round) % portals.len();
            let (_, p, token) = &portals[k];
            let start = Instant::now();
            p.authenticate(black_box(token)).unwrap();
            times[k].push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    let ratios: Vec<f64> = (0..ROUNDS).map(|i| times[1][i] / times[0][i]).collect();
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (plain, tls) = (median(&times[0]), median(&times[1]));
    println!(
        "authenticate interleaved ({ROUNDS} rounds): plaintext median {plain:.1} µs, TLS median \
         {tls:.1} µs, TLS/plaintext ratio of medians {:.2}, per-round ratios median {:.2}",
        tls / plain,
        median(&ratios)
    );
}

fn sqlite() -> SqliteStore {
    let dir = std::env::temp_dir().join("dealer-portal-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("postgres-peer.db");
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    SqliteStore::open(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Full,
            ..SqliteOptions::default()
        },
    )
    .unwrap()
}

/// An administrator of one garage with a password; returns (email, establishment code).
fn admin<S: Store, C: Clock>(p: &Portal<S, C>, run: u64) -> (String, EstablishmentCode) {
    let email = format!("admin{run}@bench.fr");
    let code: EstablishmentCode = format!("T{:05}", run % 100_000).parse().unwrap();
    let garage =
        Establishment::new(code.as_str(), "GARAGE", "VILLE", Some(Regime::Insurance)).unwrap();
    p.declare_administrator(
        &Declaration::new(&email, "Admin", "Bench", "Gérant").unwrap(),
        &[garage],
    )
    .unwrap();
    p.request_password_reset(&email.parse().unwrap()).unwrap();
    let n = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .rfind(|n| n.body.kind == NotificationKind::PasswordReset && n.body.email.as_str() == email)
        .unwrap();
    p.complete_password_reset(n.body.token.as_ref().unwrap().expose(), &email, PW, PW)
        .unwrap();
    (email, code)
}

fn new_user(run: u64) -> NewUser {
    let k = SEQ.fetch_add(1, Ordering::Relaxed);
    NewUser::new("Martin", "Éric", &format!("user{run}-{k}@bench.fr")).unwrap()
}

/// `op` on `THREADS` threads at once, `iters` times in all; the wall time.
fn parallel(iters: u64, op: impl Fn() + Sync) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let op = &op;
            s.spawn(move || {
                for _ in 0..iters / THREADS + u64::from(t < iters % THREADS) {
                    op();
                }
            });
        }
    });
    start.elapsed()
}

fn on<S: Store>(c: &mut Criterion, name: &str, store: S) {
    let p = Portal::new(store, SystemClock, PortalConfig::for_tests()).unwrap();
    let run = run_id();
    let (email, code) = admin(&p, run);
    let token = p
        .login(&email, PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let mut g = c.benchmark_group(name);
    g.sample_size(20);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("login", |b| {
        b.iter(|| p.login(black_box(&email), PW, false).unwrap())
    });
    g.bench_function("authenticate", |b| {
        b.iter(|| p.authenticate(black_box(&token)).unwrap())
    });
    dealer_portal_benches::add_phones(&p, &token);
    g.bench_function("authenticate_with_phones", |b| {
        b.iter(|| p.authenticate(black_box(&token)).unwrap())
    });
    g.bench_function("authenticate_4_threads", |b| {
        b.iter_custom(|iters| {
            parallel(iters, || {
                p.authenticate(black_box(&token)).unwrap();
            })
        })
    });
    g.bench_function("create_user", |b| {
        b.iter_batched(
            || new_user(run),
            |u| {
                p.create_user(&token, &code, &u, Rights::from(Right::SubmitClaims))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("create_user_4_threads", |b| {
        b.iter_custom(|iters| {
            parallel(iters, || {
                p.create_user(
                    &token,
                    &code,
                    &new_user(run),
                    Rights::from(Right::SubmitClaims),
                )
                .unwrap();
            })
        })
    });
    g.finish();
}

fn stores(c: &mut Criterion) {
    // First, while the outbox is short (`admin` looks for its reset mail in the pending ones).
    tls_beside_plaintext(c);
    let pg = postgres();
    // The floor of one round trip through the same pool: what authenticate is measured against.
    {
        let mut g = c.benchmark_group("postgres");
        g.sample_size(20);
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(5));
        g.bench_function("select_1", |b| b.iter(|| pg.ping().unwrap()));
        g.finish();
    }
    on(c, "postgres", pg);
    on(c, "sqlite", sqlite());
}

criterion_group!(benches, stores);
criterion_main!(benches);

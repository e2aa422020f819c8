//! Timing (no enumeration): `login` with an unknown email vs a known email and a wrong password,
//! and `request_password_reset` for an unknown vs a known email, must take about the same time
//! (goal: medians within ±15%). On SQLite (default options: synchronous FULL) with the DEFAULT
//! argon2 parameters, the two kinds of calls interleaved in a random order, one sample per call.
//!
//! `cargo bench -p dealer-portal-benches --bench timing` (arguments such as `--noplot` are
//! ignored). Known accounts get at most 4 wrong passwords each (the lockout is at 5), and the
//! clock moves an hour between rounds of reset requests (3 mails an hour per account).

use dealer_portal::account::Declaration;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{SqliteOptions, SqliteStore, Synchronous};
use dealer_portal::token::TokenSecret;
use dealer_portal::{Email, ManualClock};
use dealer_portal_benches::set_password_by_reset;
use std::time::{Duration, Instant};
use time::macros::datetime;

const ACCOUNTS: usize = 100;
/// Rounds over the known accounts: ROUNDS × ACCOUNTS samples of each kind.
const ROUNDS: usize = 4;
const WRONG: &str = "Wrong-Password-2026!";

type P = Portal<SqliteStore, ManualClock>;

fn known(i: usize) -> String {
    format!("known{i}@garage-timing.fr")
}

/// An email as a form's host parses it before calling the portal.
fn email(address: &str) -> Email {
    address.parse().unwrap()
}

/// xorshift, seeded by the OS: the order of each pair of calls.
struct Coin(u64);

impl Coin {
    fn flip(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 1
    }
}

fn setup() -> (P, ManualClock, std::path::PathBuf) {
    let dir = std::env::temp_dir().join("dealer-portal-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("timing.db");
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(SqliteOptions::default().synchronous, Synchronous::Full);
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    let p = Portal::new(store, clock.clone(), PortalConfig::default()).unwrap();
    let garage =
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap();
    for i in 0..ACCOUNTS {
        let email = known(i);
        let decl = Declaration::new(&email, "Timing", &format!("N{i}"), "Gérant").unwrap();
        p.declare_administrator(&decl, std::slice::from_ref(&garage))
            .unwrap();
        set_password_by_reset(&p, &email);
    }
    // The rate limit counts the setup mails: start the measures an hour later.
    clock.advance(time::Duration::minutes(61));
    (p, clock, path)
}

fn time_it(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

struct Stats {
    median: Duration,
    p10: Duration,
    p90: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Stats {
        median: at(0.5),
        p10: at(0.1),
        p90: at(0.9),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(what: &str, unknown: Vec<Duration>, known: Vec<Duration>) -> f64 {
    let n = unknown.len();
    let (u, k) = (stats(unknown), stats(known));
    let ratio = u.median.as_secs_f64() / k.median.as_secs_f64();
    println!(
        "{what}, unknown email: median {:8.3} ms  (p10 {:8.3}, p90 {:8.3}; {n} samples)",
        ms(u.median),
        ms(u.p10),
        ms(u.p90)
    );
    println!(
        "{what}, known email{}: median {:8.3} ms  (p10 {:8.3}, p90 {:8.3}; {n} samples)",
        if what == "login" {
            ", wrong password"
        } else {
            ""
        },
        ms(k.median),
        ms(k.p10),
        ms(k.p90)
    );
    let verdict = if (0.85..=1.15).contains(&ratio) {
        "within ±15%"
    } else {
        "OUTSIDE ±15%"
    };
    println!("{what}: ratio unknown/known {ratio:.3} ({verdict})");
    ratio
}

fn main() {
    let started = Instant::now();
    let (p, clock, path) = setup();
    let seed = TokenSecret::generate().digest();
    let mut coin = Coin(u64::from_le_bytes(seed.as_bytes()[..8].try_into().unwrap()) | 1);
    println!(
        "timing: SQLite file {} (synchronous FULL), argon2id m=19456 KiB t=2 p=1, {ACCOUNTS} known \
         accounts, {} s of setup",
        path.display(),
        started.elapsed().as_secs()
    );

    // Warm-up (caches, the argon2 buffer of this thread).
    for i in 0..5 {
        let _ = p.login(&format!("warm{i}@garage-timing.fr"), WRONG, false);
        let _ = p.request_password_reset(&email(&format!("warm{i}@garage-timing.fr")));
    }

    let (mut unknown, mut known_wrong) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        for i in 0..ACCOUNTS {
            let nobody = format!("nobody-{round}-{i}@garage-timing.fr");
            let u = || {
                time_it(|| {
                    assert!(p.login(&nobody, WRONG, false).is_err());
                })
            };
            let k = || {
                time_it(|| {
                    assert!(p.login(&known(i), WRONG, false).is_err());
                })
            };
            if coin.flip() {
                unknown.push(u());
                known_wrong.push(k());
            } else {
                known_wrong.push(k());
                unknown.push(u());
            }
        }
    }
    let login = report("login", unknown, known_wrong);

    let (mut unknown, mut known_reset) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        for i in 0..ACCOUNTS {
            // Parsed before the clock starts, both alike: what is timed is the portal's call.
            let nobody = email(&format!("nobody-{round}-{i}@garage-timing.fr"));
            let somebody = email(&known(i));
            let u = || time_it(|| p.request_password_reset(&nobody).unwrap());
            let k = || time_it(|| p.request_password_reset(&somebody).unwrap());
            if coin.flip() {
                unknown.push(u());
                known_reset.push(k());
            } else {
                known_reset.push(k());
                unknown.push(u());
            }
        }
        // One request per account per round: an hour later, none is rate-limited.
        clock.advance(time::Duration::minutes(61));
    }
    let queued = p
        .pending_notifications()
        .unwrap()
        .iter()
        .filter(|n| n.body.kind == NotificationKind::PasswordReset)
        .count();
    assert_eq!(
        queued,
        ROUNDS * ACCOUNTS,
        "every known request queued a mail"
    );
    let reset = report("request_password_reset", unknown, known_reset);
    println!(
        "timing: {:.0} s in all; login {}, request_password_reset {}",
        started.elapsed().as_secs_f64(),
        if (0.85..=1.15).contains(&login) {
            "ok"
        } else {
            "FAILS the ±15% goal"
        },
        if (0.85..=1.15).contains(&reset) {
            "ok"
        } else {
            "FAILS the ±15% goal"
        },
    );
    drop(p);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

//! `erase_account` at scale: `cargo run --release -p dealer-portal-benches --example erase_scale -- [total] [erasures]`
//! (default 100,000 users imported in batches of 10,000 over 10 establishments, on a fresh
//! SQLite file with the default options, synchronous=FULL; then `erasures` (default 50) users
//! are disabled and erased one by one). Prints the median, the 90th percentile and the
//! largest `erase_account` time (goal, issue 18: under 50 ms), the disabling excluded.

use dealer_portal::SystemClock;
use dealer_portal::account::AccountQuery;
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{SqliteOptions, SqliteStore};
use dealer_portal_benches::{import_row, logged_in_admin};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(100_000, |a| a.parse().unwrap());
    let erasures: usize = args.next().map_or(50, |a| a.parse().unwrap());
    let dir = std::env::temp_dir().join("dealer-portal-erase-scale");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("p.db"), SqliteOptions::default()).unwrap();
    let p = Portal::new(store, SystemClock, PortalConfig::for_tests()).unwrap();
    let s = logged_in_admin(&p, 10);
    let mut ids = Vec::with_capacity(total);
    let mut k = 0usize;
    while k < total {
        let rows: Vec<UserImport> = (0..10_000.min(total - k))
            .map(|_| {
                k += 1;
                import_row(k, k as u64, 10)
            })
            .collect();
        for r in p.create_users(&s, &rows).unwrap() {
            ids.push(r.unwrap());
        }
    }
    let accounts = p.list_accounts(&s, &AccountQuery::default()).unwrap().total;
    let mut times: Vec<Duration> = Vec::with_capacity(erasures);
    for i in 0..erasures {
        // Spread over the store: the first, the last and between.
        let id = ids[i * (ids.len() - 1) / (erasures - 1).max(1)];
        p.disable_account(&s, id).unwrap();
        let t = Instant::now();
        p.erase_account(&s, id).unwrap();
        times.push(t.elapsed());
    }
    assert!(p.verify_audit_chain(None).unwrap() > total);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "erase_account on a SQLite store of {accounts} accounts (synchronous=FULL), {erasures} erasures: \
         median {:.2} ms, p90 {:.2} ms, max {:.2} ms (goal < 50 ms)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(*times.last().unwrap()),
    );
}

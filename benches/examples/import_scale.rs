//! Bulk import at scale: `cargo run --release -p dealer-portal-benches --example import_scale -- [total] [batch] [bulk cache KiB]`
//! (default 100,000 users in batches of 10,000, varied French names over 10 establishments, on
//! a fresh SQLite file with the default options, synchronous=FULL); prints the rate per batch
//! (stderr) and overall, then the rate of 500 `create_user` calls one by one on the filled store.

use dealer_portal::SystemClock;
use dealer_portal::account::NewUser;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{SqliteOptions, SqliteStore};
use dealer_portal_benches::{establishment, import_row, logged_in_admin};

fn main() {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(100_000, |a| a.parse().unwrap());
    let batch: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let defaults = SqliteOptions::default();
    let opts = SqliteOptions {
        bulk_cache_kib: args
            .next()
            .map_or(defaults.bulk_cache_kib, |a| a.parse().unwrap()),
        ..defaults
    };
    let dir = std::env::temp_dir().join("dealer-portal-import-scale");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("p.db"), opts).unwrap();
    let p = Portal::new(store, SystemClock, PortalConfig::for_tests()).unwrap();
    let s = logged_in_admin(&p, 10);
    let mut k = 0usize;
    let mut build = std::time::Duration::ZERO;
    let t = std::time::Instant::now();
    while k < total {
        let tb = std::time::Instant::now();
        let rows: Vec<UserImport> = (0..batch.min(total - k))
            .map(|_| {
                k += 1;
                import_row(k, k as u64, 10)
            })
            .collect();
        build += tb.elapsed();
        let t1 = std::time::Instant::now();
        let r = p.create_users(&s, &rows).unwrap();
        assert!(r.iter().all(|r| r.is_ok()));
        let e = t1.elapsed();
        eprintln!(
            "{k:>8}: {:>8.0} users/s",
            rows.len() as f64 / e.as_secs_f64()
        );
    }
    let e = t.elapsed() - build;
    println!(
        "{total} users in batches of {batch}: {:.2} s in create_users, {:.0} users/s",
        e.as_secs_f64(),
        total as f64 / e.as_secs_f64()
    );
    // Then one by one on the store as it now is (each call its own durable commit).
    let n = 500;
    let users: Vec<NewUser> = (0..n)
        .map(|i| NewUser::new("Durand", "Anne", &format!("one{i}@bench.fr")).unwrap())
        .collect();
    let first = establishment(0);
    let t = std::time::Instant::now();
    for u in &users {
        p.create_user(&s, &first, u, Rights::from(Right::SubmitClaims))
            .unwrap();
    }
    let e = t.elapsed();
    println!(
        "{n} users one by one after them: {:.2} s, {:.0} users/s",
        e.as_secs_f64(),
        f64::from(n) / e.as_secs_f64()
    );
}

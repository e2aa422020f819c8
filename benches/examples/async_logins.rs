//! `AsyncPortal::login` with 8 logins in flight (a tokio multi-thread runtime, 8 tasks each
//! logging in `count` times in a row) beside the same logins on 8 plain OS threads calling
//! `Portal::login` (long-lived, started together by a barrier), on one SQLite file with the
//! seed's argon2 parameters (m=19456 KiB, t=2, p=1).
//! Rounds are interleaved (threads, async, async, threads) so a change of the machine's load
//! hits both. Prints each one's throughput (median of the rounds), the per-round ratio
//! async ÷ threads (goal ≥ 0.9×) and the load average before and after.
//!
//! `cargo run --release -p dealer-portal-benches --features tokio --example async_logins [rounds] [count]`

use dealer_portal::account::Declaration;
use dealer_portal::establishment::Establishment;
use dealer_portal::regime::Regime;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{SqliteOptions, SqliteStore};
use dealer_portal::{AsyncPortal, SystemClock};
use dealer_portal_benches::{PW, establishment_code, set_password_by_reset};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

/// Logins in flight.
const IN_FLIGHT: usize = 8;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The process's CPU time so far (all threads, user + system), in seconds; 0 if unknown.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's closing parenthesis: state is field 3, utime and stime 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // USER_HZ is 100 on Linux.
    (ticks(14) + ticks(15)) / 100.0
}

/// Measures one run: logins per second, and the process's CPU seconds per wall second (how
/// much of the machine the scheduler gave it: above 1.0 only if both cores worked at once).
fn measure(logins: usize, run: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    run();
    let wall = t.elapsed().as_secs_f64();
    (logins as f64 / wall, (cpu_seconds() - c) / wall)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = match args.next().as_deref() {
        Some("quick") => 4,
        Some(n) => n.parse().expect("rounds: a number, or `quick`"),
        None => 20,
    };
    let count: usize = args
        .next()
        .map_or(4, |n| n.parse().expect("count: a number"));

    let dir =
        std::env::temp_dir().join(format!("dealer-portal-async-logins-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("portal.db"), SqliteOptions::default()).unwrap();
    // The default configuration: the seed's argon2 parameters (OWASP).
    let portal = Portal::new(store, SystemClock, PortalConfig::default()).unwrap();
    // One account per login in flight (each has its own budget of password checks).
    let emails: Vec<String> = (0..IN_FLIGHT)
        .map(|i| format!("admin{i}@bench.fr"))
        .collect();
    for (i, e) in emails.iter().enumerate() {
        let garage = Establishment::new(
            &establishment_code(i),
            &format!("GARAGE {i}"),
            "VILLE",
            Some(Regime::Insurance),
        )
        .unwrap();
        let decl = Declaration::new(e, "Admin", "Bench", "Gérant").unwrap();
        portal.declare_administrator(&decl, &[garage]).unwrap();
        set_password_by_reset(&portal, e);
    }
    let portal = Arc::new(portal);
    let runtime = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    let async_portal = AsyncPortal::from_arc(Arc::clone(&portal));

    // Logins per second, 8 in flight on OS threads: 8 long-lived threads (as a host's own pool
    // would be, and as tokio's blocking pool keeps its threads), started together by a barrier.
    let start = Barrier::new(IN_FLIGHT + 1);
    let end = Barrier::new(IN_FLIGHT + 1);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for e in &emails {
            let (p, start, end, stop) = (&portal, &start, &end, &stop);
            s.spawn(move || {
                loop {
                    start.wait();
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    for _ in 0..count {
                        p.login(e, PW, false).unwrap();
                    }
                    end.wait();
                }
            });
        }
        let threads = || {
            measure(IN_FLIGHT * count, || {
                start.wait();
                end.wait();
            })
        };
        // Logins per second, 8 in flight as tasks awaiting AsyncPortal::login.
        let tasks = || {
            measure(IN_FLIGHT * count, || {
                runtime.block_on(async {
                    let handles: Vec<_> = emails
                        .iter()
                        .map(|e| {
                            let (p, e) = (async_portal.clone(), e.clone());
                            tokio::spawn(async move {
                                for _ in 0..count {
                                    p.login(e.clone(), PW.into(), false).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    for h in handles {
                        h.await.unwrap();
                    }
                })
            })
        };

        let load_before = loadavg();
        // Warm-up (the blocking pool's threads, the page cache, the CPU's clocks).
        threads();
        tasks();
        let (mut a, mut b, mut r) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ca, mut cb, mut rc) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let (t1, a1, a2, t2) = (threads(), tasks(), tasks(), threads());
            a.extend([t1.0, t2.0]);
            b.extend([a1.0, a2.0]);
            ca.extend([t1.1, t2.1]);
            cb.extend([a1.1, a2.1]);
            r.push((a1.0 + a2.0) / (t1.0 + t2.0));
            // Logins per CPU second: what each way costs, whatever share the machine gave it.
            rc.push((a1.0 / a1.1 + a2.0 / a2.1) / (t1.0 / t1.1 + t2.0 / t2.1));
        }
        let load_after = loadavg();
        stop.store(true, Ordering::SeqCst);
        start.wait();
        let (ma, mb) = (median(&mut a), median(&mut b));
        let mut rr = r.clone();
        rr.sort_by(|x, y| x.total_cmp(y));
        let p = |q: f64| rr[((rr.len() - 1) as f64 * q) as usize];
        println!(
            "login, {IN_FLIGHT} in flight on SQLite (argon2id m=19456 KiB, t=2, p=1), {rounds} interleaved \
         rounds of {} logins each way: OS threads {ma:.1} logins/s, AsyncPortal (tokio multi-thread, \
         {} workers) {mb:.1} logins/s (medians); AsyncPortal ÷ threads per round: median {:.3}× \
         (p10 {:.3}×, p90 {:.3}×; goal ≥ 0.9×); CPU ÷ wall: threads {:.2}, AsyncPortal {:.2} \
         (medians); logins per CPU second, AsyncPortal ÷ threads: median {:.3}×; load average {load_before} before, {load_after} after",
            IN_FLIGHT * count,
            runtime.metrics().num_workers(),
            p(0.5),
            p(0.1),
            p(0.9),
            median(&mut ca),
            median(&mut cb),
            median(&mut rc),
        );
    });
    drop(runtime);
    let _ = std::fs::remove_dir_all(&dir);
}

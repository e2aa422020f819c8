//! A login with a TOTP code beside one without, interleaved call by call (each round times
//! without, with, with, without), so a change of the machine's load hits both: criterion runs
//! them one after the other, and on a shared 2-core machine its two medians can differ by more
//! than the code's few microseconds. Prints the medians and the per-round ratio.
//!
//! `cargo run --release -p dealer-portal-benches --example totp_interleaved [rounds]`

use dealer_portal::Clock;
use dealer_portal_benches::{PW, totp_portal};
use std::time::Instant;
use time::Duration;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(60);
    let (plain, plain_clock, _) = totp_portal("plain@garage-xyz.fr", false);
    let (mfa, clock, secret) = totp_portal("mfa@garage-xyz.fr", true);
    let secret = secret.unwrap();
    let without = || {
        plain_clock.advance(Duration::seconds(30));
        let t = Instant::now();
        plain.login("plain@garage-xyz.fr", PW, false).unwrap();
        t.elapsed().as_secs_f64() * 1e3
    };
    let with = || {
        clock.advance(Duration::seconds(30));
        let code = secret.code_at(clock.now());
        let t = Instant::now();
        mfa.login_with_otp("mfa@garage-xyz.fr", PW, false, Some(&code))
            .unwrap();
        t.elapsed().as_secs_f64() * 1e3
    };
    // Warm-up.
    without();
    with();
    let (mut a, mut b, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (w1, c1, c2, w2) = (without(), with(), with(), without());
        a.extend([w1, w2]);
        b.extend([c1, c2]);
        r.push((c1 + c2) / (w1 + w2));
    }
    let (ma, mb) = (median(&mut a), median(&mut b));
    let mut rr = r.clone();
    rr.sort_by(|x, y| x.total_cmp(y));
    let p = |q: f64| rr[((rr.len() - 1) as f64 * q) as usize];
    println!(
        "login interleaved, {rounds} rounds: without a code {ma:.2} ms, with a code {mb:.2} ms \
         (medians); with ÷ without per round: median {:.3}× (p10 {:.3}×, p90 {:.3}×)",
        p(0.5),
        p(0.1),
        p(0.9)
    );
}

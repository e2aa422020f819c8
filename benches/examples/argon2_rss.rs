//! Peak memory of hashing at the default parameters, without a benchmark harness around it:
//! `cargo run --release -p dealer-portal-benches --example argon2_rss`.

use dealer_portal::SecretString;
use dealer_portal::password::{HashParams, PasswordHasher};

fn status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let before = status("VmHWM:");
    let hasher = PasswordHasher::new(HashParams::default());
    let pw = SecretString::from("Garage XYZ, 2026 !");
    let mut last = None;
    for _ in 0..100 {
        last = Some(hasher.hash(&pw).unwrap());
    }
    assert!(hasher.verify(&pw, last.as_ref().unwrap()));
    println!(
        "argon2id m=19456 KiB: peak RSS {} KiB after 100 hashes and a verify (process baseline {} KiB, now {} KiB)",
        status("VmHWM:"),
        before,
        status("VmRSS:")
    );
}

//! argon2id at the default parameters (m=19456 KiB, t=2, p=1): ours vs the C reference
//! implementation (argon2-kdf builds it), hash and verify, side by side; and our RSS after 100
//! hashes (printed).

use criterion::{Criterion, criterion_group, criterion_main};
use dealer_portal::SecretString;
use dealer_portal::password::{HashParams, PasswordHasher};
use std::hint::black_box;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn argon2(c: &mut Criterion) {
    let ours = PasswordHasher::new(HashParams::default());
    let pw = SecretString::from("Garage XYZ, 2026 !");
    let hash = ours.hash(&pw).unwrap();
    let c_cfg = argon2_kdf::Hasher::new()
        .algorithm(argon2_kdf::Algorithm::Argon2id)
        .memory_cost_kib(19456)
        .iterations(2)
        .threads(1)
        .hash_length(32)
        .salt_length(16);
    let c_hash = c_cfg.clone().hash(pw.expose().as_bytes()).unwrap();

    // Measured first, so the peak is ours alone (before the C reference allocates anything).
    for _ in 0..100 {
        black_box(ours.hash(&pw).unwrap());
    }
    println!(
        "RSS after 101 hashes by dealer_portal: VmRSS {} KiB, VmHWM (peak) {} KiB",
        rss_kib("VmRSS:"),
        rss_kib("VmHWM:")
    );

    let mut g = c.benchmark_group("argon2id_owasp");
    g.sample_size(20);
    g.bench_function("hash/dealer_portal", |b| {
        b.iter(|| ours.hash(black_box(&pw)).unwrap())
    });
    g.bench_function("hash/c_reference", |b| {
        b.iter(|| {
            c_cfg
                .clone()
                .hash(black_box(pw.expose().as_bytes()))
                .unwrap()
        })
    });
    g.bench_function("verify/dealer_portal", |b| {
        b.iter(|| assert!(ours.verify(black_box(&pw), &hash)))
    });
    g.bench_function("verify/c_reference", |b| {
        b.iter(|| assert!(c_hash.verify(black_box(pw.expose().as_bytes()))))
    });
    g.finish();
}

criterion_group!(benches, argon2);
criterion_main!(benches);

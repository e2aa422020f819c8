//! argon2id at the default parameters (m=19456 KiB, t=2, p=1), hash and verify, side by side in
//! one run: ours (`PasswordHasher`), the two pure-Rust candidates called directly (RustCrypto's
//! `argon2` and `argon2-rust`, each with its memory kept from one hash to the next, as a server
//! would), and the C reference implementation (argon2-kdf builds it; `benches/run.sh` sets
//! `-march=native`). Also prints our RSS after 100 hashes.

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

/// A fresh 16-byte salt, as every candidate's hash draws one.
fn salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).unwrap();
    salt
}

fn argon2(c: &mut Criterion) {
    let ours = PasswordHasher::new(HashParams::default());
    let pw = SecretString::from("Garage XYZ, 2026 !");
    let pw_bytes = pw.expose().as_bytes();
    let hash = ours.hash(&pw).unwrap();

    // Measured first, so the peak is ours alone (before any other candidate allocates anything).
    for _ in 0..100 {
        black_box(ours.hash(&pw).unwrap());
    }
    println!(
        "RSS after 101 hashes by dealer_portal: VmRSS {} KiB, VmHWM (peak) {} KiB",
        rss_kib("VmRSS:"),
        rss_kib("VmHWM:")
    );

    // RustCrypto argon2 0.6, over a block buffer kept across hashes.
    let rc = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19456, 2, 1, Some(32)).unwrap(),
    );
    let mut rc_blocks = vec![argon2::Block::new(); rc.params().block_count()];
    let rc_salt = salt();
    let mut rc_tag = [0u8; 32];
    rc.hash_password_into_with_memory(pw_bytes, &rc_salt, &mut rc_tag, &mut rc_blocks[..])
        .unwrap();

    // argon2-rust 1.1, through its `Hasher`, which keeps (and wipes) its arena across hashes.
    let ar = argon2_rust::Argon2::new(
        argon2_rust::Algorithm::Argon2id,
        argon2_rust::Version::V0x13,
        argon2_rust::Params::OWASP,
    );
    let mut ar_hasher = ar.hasher();
    let ar_phc = ar_hasher.hash_password_with_random_salt(pw_bytes).unwrap();
    println!(
        "argon2-rust backends: fill {}, blake2b {}",
        argon2_rust::detected_backend(),
        argon2_rust::detected_blake2b_backend()
    );

    let c_cfg = argon2_kdf::Hasher::new()
        .algorithm(argon2_kdf::Algorithm::Argon2id)
        .memory_cost_kib(19456)
        .iterations(2)
        .threads(1)
        .hash_length(32)
        .salt_length(16);
    let c_hash = c_cfg.clone().hash(pw_bytes).unwrap();

    let mut g = c.benchmark_group("argon2id_owasp");
    g.sample_size(20);
    g.bench_function("hash/dealer_portal", |b| {
        b.iter(|| ours.hash(black_box(&pw)).unwrap())
    });
    g.bench_function("hash/rustcrypto", |b| {
        b.iter(|| {
            let mut tag = [0u8; 32];
            rc.hash_password_into_with_memory(
                black_box(pw_bytes),
                &salt(),
                &mut tag,
                &mut rc_blocks[..],
            )
            .unwrap();
            tag
        })
    });
    g.bench_function("hash/argon2_rust", |b| {
        b.iter(|| {
            ar_hasher
                .hash_password_with_random_salt(black_box(pw_bytes))
                .unwrap()
        })
    });
    g.bench_function("hash/c_reference", |b| {
        b.iter(|| c_cfg.clone().hash(black_box(pw_bytes)).unwrap())
    });
    g.bench_function("verify/dealer_portal", |b| {
        b.iter(|| assert!(ours.verify(black_box(&pw), &hash)))
    });
    g.bench_function("verify/rustcrypto", |b| {
        b.iter(|| {
            let mut tag = [0u8; 32];
            rc.hash_password_into_with_memory(
                black_box(pw_bytes),
                &rc_salt,
                &mut tag,
                &mut rc_blocks[..],
            )
            .unwrap();
            assert_eq!(tag, rc_tag);
        })
    });
    g.bench_function("verify/argon2_rust", |b| {
        b.iter(|| {
            ar_hasher
                .verify_encoded(
                    &ar_phc,
                    black_box(pw_bytes),
                    argon2_rust::Algorithm::Argon2id,
                )
                .unwrap()
        })
    });
    g.bench_function("verify/c_reference", |b| {
        b.iter(|| assert!(c_hash.verify(black_box(pw_bytes))))
    });
    g.finish();
}

criterion_group!(benches, argon2);
criterion_main!(benches);

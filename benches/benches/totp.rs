//! Two-factor login: verifying a code in the core (issue 17: under 10 µs), and a login with a
//! code beside one without (within 1.05×: argon2 dominates both).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dealer_portal::totp::{TotpKey, TotpSecret};
use dealer_portal::{AccountId, Clock};
use dealer_portal_benches::{PW, totp_portal};
use std::hint::black_box;
use time::Duration;
use time::macros::datetime;

fn verify(c: &mut Criterion) {
    let secret = TotpSecret::generate();
    let key = TotpKey::from_hex(&"4b".repeat(32)).unwrap();
    let account = AccountId::generate();
    let sealed = secret.seal(&key, account);
    let now = datetime!(2026-06-01 12:00:10 UTC);
    let code = secret.code_at(now);
    let mut g = c.benchmark_group("totp");
    g.bench_function("verify_code", |b| {
        b.iter(|| black_box(secret.verify(black_box(&code), now)))
    });
    g.bench_function("unseal_and_verify_code", |b| {
        b.iter(|| {
            let s = TotpSecret::unseal(black_box(&sealed), &key, account).unwrap();
            black_box(s.verify(black_box(&code), now))
        })
    });
    g.bench_function("verify_wrong_code", |b| {
        b.iter(|| black_box(secret.verify(black_box("000000"), now)))
    });
    g.finish();
}

fn login(c: &mut Criterion) {
    let mut g = c.benchmark_group("login");
    g.sample_size(30);
    let (plain, plain_clock, _) = totp_portal("plain@garage-xyz.fr", false);
    g.bench_function("without_code", |b| {
        b.iter_batched(
            || plain_clock.advance(Duration::seconds(30)),
            |()| black_box(plain.login("plain@garage-xyz.fr", PW, false).unwrap()),
            BatchSize::PerIteration,
        )
    });
    let (mfa, clock, secret) = totp_portal("mfa@garage-xyz.fr", true);
    let secret = secret.unwrap();
    g.bench_function("with_code", |b| {
        b.iter_batched(
            || {
                // A fresh step each time: a step is accepted once.
                clock.advance(Duration::seconds(30));
                secret.code_at(clock.now())
            },
            |code| {
                black_box(
                    mfa.login_with_otp("mfa@garage-xyz.fr", PW, false, Some(&code))
                        .unwrap(),
                )
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, verify, login);
criterion_main!(benches);

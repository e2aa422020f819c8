//! Two-factor login: verifying a code in the core (issue 17: under 10 µs), and a login with a
//! code beside one without (within 1.05×: argon2 dominates both).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dealer_portal::account::Declaration;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::MemoryStore;
use dealer_portal::totp::{TotpKey, TotpSecret};
use dealer_portal::{AccountId, Clock, ManualClock};
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

/// A portal (OWASP argon2 parameters, as deployed) with one administrator; with `enrol`, it
/// has a second factor, whose secret is returned.
fn portal(
    email: &str,
    enrol: bool,
) -> (
    Portal<MemoryStore, ManualClock>,
    ManualClock,
    Option<TotpSecret>,
) {
    const PW: &str = "Garage XYZ 2026!";
    let clock = ManualClock::new(datetime!(2026-06-01 12:00:10 UTC));
    let config = PortalConfig {
        totp_key: Some(TotpKey::from_hex(&"4b".repeat(32)).unwrap()),
        anonymous_response_floor_ms: 0,
        ..PortalConfig::default()
    };
    let p = Portal::new(MemoryStore::new(), clock.clone(), config).unwrap();
    let g = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap();
    let decl = Declaration::new(email, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &[g]).unwrap();
    p.request_password_reset(&decl.email).unwrap();
    let mail = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .find(|n| n.body.kind == NotificationKind::PasswordReset)
        .unwrap();
    let token = mail.body.token.unwrap();
    p.complete_password_reset(token.expose(), email, PW, PW)
        .unwrap();
    let secret = enrol.then(|| {
        let s = p.login(email, PW, false).unwrap();
        let e = p.begin_totp_enrollment(s.token.expose(), PW).unwrap();
        let secret = TotpSecret::from_base32(e.secret.expose()).unwrap();
        p.confirm_totp_enrollment(s.token.expose(), &secret.code_at(clock.now()))
            .unwrap();
        secret
    });
    (p, clock, secret)
}

fn login(c: &mut Criterion) {
    const PW: &str = "Garage XYZ 2026!";
    let mut g = c.benchmark_group("login");
    g.sample_size(30);
    let (plain, plain_clock, _) = portal("plain@garage-xyz.fr", false);
    g.bench_function("without_code", |b| {
        b.iter_batched(
            || plain_clock.advance(Duration::seconds(30)),
            |()| black_box(plain.login("plain@garage-xyz.fr", PW, false).unwrap()),
            BatchSize::PerIteration,
        )
    });
    let (mfa, clock, secret) = portal("mfa@garage-xyz.fr", true);
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

//! Benchmarks of dealer-portal: `cargo bench -p dealer-portal-benches`, or `benches/run.sh`
//! for every figure with its peer, written to `benches/RESULTS.md`.
//!
//! This library holds the fixtures the benches and examples share: an administrator logged in
//! on establishments `T10000`, `T10001`…, and the rows of a bulk import.

use dealer_portal::Clock;
use dealer_portal::account::{Declaration, NewUser};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, UserImport};
use dealer_portal::store::Store;

/// The password of every account the fixtures log in.
pub const PW: &str = "Bench-Password-2026!";

/// Last names of imported users (accented ones included: the French order is measured).
pub const LAST: [&str; 12] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Émile",
];
/// First names of imported users.
pub const FIRST: [&str; 8] = ["Éric", "Anne", "Luc", "Zoé", "Paul", "Léa", "Hugo", "Chloé"];

/// The code of the `i`-th establishment of the fixtures: `T10000`, `T10001`…
///
/// ```
/// assert_eq!(dealer_portal_benches::establishment_code(3), "T10003");
/// ```
pub fn establishment_code(i: usize) -> String {
    format!("T{:05}", 10_000 + i)
}

/// The `i`-th establishment's code, parsed, as the portal's flows take it.
///
/// ```
/// assert_eq!(dealer_portal_benches::establishment(3).as_str(), "T10003");
/// ```
pub fn establishment(i: usize) -> EstablishmentCode {
    establishment_code(i).parse().unwrap()
}

/// Sets the password of `email`'s account to [`PW`] through the reset flow, as its owner
/// would ("Mot de passe oublié", the mail's link, the form), and acknowledges the reset mail.
/// The account's other pending mails are left as they are.
pub fn set_password_by_reset<S: Store, C: Clock>(p: &Portal<S, C>, email: &str) {
    p.request_password_reset(&email.parse().unwrap()).unwrap();
    let n = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .find(|n| n.body.kind == NotificationKind::PasswordReset)
        .unwrap();
    p.complete_password_reset(n.body.token.as_ref().unwrap().expose(), email, PW, PW)
        .unwrap();
    p.acknowledge_notification(n.id).unwrap();
}

/// Gives the session's account both phones (a mobile and a landline), as most people have:
/// what `authenticate` reads back on every request.
///
/// ```
/// use dealer_portal::service::{Portal, PortalConfig};
/// let p = Portal::in_memory(PortalConfig::for_tests()).unwrap();
/// let token = dealer_portal_benches::logged_in_admin(&p, 1);
/// dealer_portal_benches::add_phones(&p, &token);
/// let me = p.authenticate(&token).unwrap().account_id;
/// assert!(p.account(&token, me).unwrap().mobile.is_some());
/// ```
pub fn add_phones<S: Store, C: Clock>(p: &Portal<S, C>, token: &str) {
    let me = p.authenticate(token).unwrap().account_id;
    let phones = dealer_portal::account::ProfileUpdate::from_fields(
        None,
        None,
        None,
        Some("06 23 42 54 55"),
        Some("01 34 34 67 88"),
    )
    .unwrap();
    p.update_profile(token, me, &phones).unwrap();
}

/// `admin@bench.fr`, administrator of `n` establishments (see [`establishment_code`]), its
/// password set through the reset flow and its mails acknowledged, logged in: its session token.
pub fn logged_in_admin<S: Store, C: Clock>(p: &Portal<S, C>, n: usize) -> String {
    let est: Vec<Establishment> = (0..n)
        .map(|i| {
            Establishment::new(
                &establishment_code(i),
                &format!("GARAGE {i}"),
                "VILLE",
                Some(Regime::Insurance),
            )
            .unwrap()
        })
        .collect();
    p.declare_administrator(
        &Declaration::new("admin@bench.fr", "Admin", "Bench", "Gérant").unwrap(),
        &est,
    )
    .unwrap();
    set_password_by_reset(p, "admin@bench.fr");
    for n in p.pending_notifications().unwrap() {
        p.acknowledge_notification(n.id).unwrap();
    }
    p.login("admin@bench.fr", PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned()
}

/// The `i`-th person of an import: a last and a first name, cycling through [`LAST`] and
/// [`FIRST`].
pub fn person(i: usize) -> (&'static str, &'static str) {
    (LAST[i % LAST.len()], FIRST[(i / LAST.len()) % FIRST.len()])
}

/// The `i`-th row of a bulk import over `establishments` establishments, for the email
/// `user{serial}@bench.fr`, holding `SubmitClaims`.
pub fn import_row(i: usize, serial: u64, establishments: usize) -> UserImport {
    let (last, first) = person(i);
    UserImport {
        establishment: establishment(i % establishments),
        user: NewUser::new(last, first, &format!("user{serial}@bench.fr")).unwrap(),
        rights: Rights::from(Right::SubmitClaims),
    }
}

/// A portal on memory (OWASP argon2 parameters, as deployed; no response floor) with one
/// administrator, `email`, whose password is [`PW`]; with `enrol`, it has a second factor,
/// whose secret is returned. The clock stands 10 s into a 30 s step.
///
/// ```
/// let (p, _, secret) = dealer_portal_benches::totp_portal("a@bench.fr", true);
/// assert!(secret.is_some());
/// assert_eq!(p.login("a@bench.fr", dealer_portal_benches::PW, false).unwrap_err().code(), "MFA_REQUIRED");
/// ```
pub fn totp_portal(
    email: &str,
    enrol: bool,
) -> (
    Portal<dealer_portal::store::MemoryStore, dealer_portal::ManualClock>,
    dealer_portal::ManualClock,
    Option<dealer_portal::totp::TotpSecret>,
) {
    use dealer_portal::totp::{TotpKey, TotpSecret};
    let clock = dealer_portal::ManualClock::new(time::macros::datetime!(2026-06-01 12:00:10 UTC));
    let config = dealer_portal::service::PortalConfig {
        totp_key: Some(TotpKey::from_hex(&"4b".repeat(32)).unwrap()),
        anonymous_response_floor_ms: 0,
        ..Default::default()
    };
    let p = Portal::new(
        dealer_portal::store::MemoryStore::new(),
        clock.clone(),
        config,
    )
    .unwrap();
    let g = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap();
    let decl = Declaration::new(email, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &[g]).unwrap();
    set_password_by_reset(&p, email);
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

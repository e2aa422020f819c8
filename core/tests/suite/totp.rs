//! Two-factor login (TOTP), generic over [`Store`]: enrolment, login with a code, drift,
//! replay (also from two threads at once), recovery codes (also raced), the lockout, the
//! policy's restricted sessions, a manager's reset and a password reset. Run on every store by
//! `totp.rs` (in memory, SQLite) and `postgres.rs` (PostgreSQL), from [`every_totp_flow!`].
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{AccountQuery, Declaration, NewUser};
use dealer_portal::email::Email;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::Store;
use dealer_portal::totp::{MfaPolicy, TotpKey, TotpSecret};
use dealer_portal::{AccountId, Clock, ManualClock};
use time::Duration;
use time::macros::datetime;

pub const ADMIN: &str = "admin@garage-xyz.fr";
pub const ADMIN_PW: &str = "Garage XYZ 2026!";
pub const USER: &str = "lea.martin@garage-xyz.fr";
pub const USER_PW: &str = "Premiere-Connexion-1";

pub type P<S> = Portal<S, ManualClock>;

pub fn config(mfa: MfaPolicy) -> PortalConfig {
    PortalConfig {
        mfa,
        totp_key: Some(TotpKey::from_hex(&"5a".repeat(32)).unwrap()),
        ..PortalConfig::for_tests()
    }
}

pub fn portal<S: Store>(store: S, mfa: MfaPolicy) -> (P<S>, ManualClock) {
    // 10 s into a step, so ±30 s stays within the neighbouring steps.
    let clock = ManualClock::new(datetime!(2026-01-15 09:00:10 UTC));
    (
        Portal::new(store, clock.clone(), config(mfa)).unwrap(),
        clock,
    )
}

fn email(s: &str) -> Email {
    s.parse().unwrap()
}

fn link<S: Store>(p: &P<S>, kind: NotificationKind, to: &str) -> String {
    p.pending_notifications()
        .unwrap()
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == to)
        .and_then(|n| n.body.token.map(|t| t.expose().to_owned()))
        .unwrap_or_else(|| panic!("no {kind} link for {to}"))
}

fn err<T>(r: dealer_portal::Result<T>) -> &'static str {
    r.map(|_| ()).map_err(|e| e.code()).err().unwrap_or("OK")
}

/// Declares the administrator of two garages and gives it a password (no session).
pub fn admin<S: Store>(p: &P<S>) -> AccountId {
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    let garages = [
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap(),
        Establishment::new("T88888", "GARAGE UVW", "VILLE 2", None).unwrap(),
    ];
    let id = p.declare_administrator(&decl, &garages).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let token = link(p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&token, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    id
}

fn login<S: Store>(p: &P<S>, who: &str, pw: &str) -> String {
    p.login(who, pw, false).unwrap().token.expose().to_owned()
}

fn login_otp<S: Store>(p: &P<S>, who: &str, pw: &str, otp: &str) -> dealer_portal::Result<String> {
    p.login_with_otp(who, pw, false, Some(otp))
        .map(|s| s.token.expose().to_owned())
}

/// Enrols the session's account; returns its secret and recovery codes. The confirming code
/// uses the current step, so the clock is moved one step on afterwards.
pub fn enrol<S: Store>(
    p: &P<S>,
    clock: &ManualClock,
    session: &str,
    pw: &str,
) -> (TotpSecret, Vec<String>) {
    let e = p.begin_totp_enrollment(session, pw).unwrap();
    let uri = e.uri.expose();
    assert!(uri.starts_with("otpauth://totp/Dealer%20Portal:"), "{uri}");
    assert!(uri.contains(&format!("secret={}", e.secret.expose())));
    let secret = TotpSecret::from_base32(e.secret.expose()).unwrap();
    let codes = p
        .confirm_totp_enrollment(session, &secret.code_at(clock.now()))
        .unwrap();
    clock.advance(Duration::seconds(30));
    (
        secret,
        codes.iter().map(|c| c.expose().to_owned()).collect(),
    )
}

/// A user with `rights` on T99999, activated; returns its id.
fn user<S: Store>(p: &P<S>, admin_session: &str, r: &[Right]) -> AccountId {
    let u = NewUser::from_fields("Martin", "Léa", USER, None, None).unwrap();
    let rights: Rights = r.iter().copied().collect();
    let id = p
        .create_user(
            admin_session,
            &"T99999"
                .parse::<dealer_portal::EstablishmentCode>()
                .unwrap(),
            &u,
            rights,
        )
        .unwrap();
    let token = link(p, NotificationKind::Activation, USER);
    p.activate_account(&token, USER, USER_PW, USER_PW).unwrap();
    id
}

/// Enrolment needs the password and a first code; then login needs a code: missing (only after
/// a right password) is MFA_REQUIRED, a code works once per step, ±1 step of drift is
/// accepted, ±2 is not, and `authenticate` says the account is enrolled.
pub fn totp_enrol_and_log_in_with_codes<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    assert!(!p.authenticate(&s).unwrap().mfa_enrolled);
    assert_eq!(
        err(p.begin_totp_enrollment(&s, "wrong")),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        err(p.confirm_totp_enrollment(&s, "123456")),
        "INVALID_STATE"
    );
    let e = p.begin_totp_enrollment(&s, ADMIN_PW).unwrap();
    assert!(!format!("{e:?}").contains(e.secret.expose()));
    let secret = TotpSecret::from_base32(e.secret.expose()).unwrap();
    // Not active before confirmation.
    assert!(!p.authenticate(&s).unwrap().mfa_enrolled);
    login(&p, ADMIN, ADMIN_PW);
    let wrong = secret.code_at(clock.now() + Duration::minutes(5));
    assert_eq!(err(p.confirm_totp_enrollment(&s, &wrong)), "MFA_INVALID");
    assert_eq!(err(p.confirm_totp_enrollment(&s, "abc")), "MFA_INVALID");
    let codes = p
        .confirm_totp_enrollment(&s, &secret.code_at(clock.now()))
        .unwrap();
    assert_eq!(codes.len(), 10);
    assert!(p.authenticate(&s).unwrap().mfa_enrolled);
    assert_eq!(err(p.begin_totp_enrollment(&s, ADMIN_PW)), "INVALID_STATE");

    // Password first.
    assert_eq!(err(p.login(ADMIN, ADMIN_PW, false)), "MFA_REQUIRED");
    assert_eq!(err(p.login(ADMIN, "wrong", false)), "INVALID_CREDENTIALS");
    let now_code = secret.code_at(clock.now());
    assert_eq!(
        err(login_otp(&p, ADMIN, "wrong", &now_code)),
        "INVALID_CREDENTIALS"
    );
    // The confirming code's step is spent.
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &now_code)),
        "INVALID_CREDENTIALS"
    );
    clock.advance(Duration::seconds(30));
    let code = secret.code_at(clock.now());
    let s2 = login_otp(&p, ADMIN, ADMIN_PW, &code).unwrap();
    assert!(p.authenticate(&s2).unwrap().mfa_enrolled);
    assert!(!p.authenticate(&s2).unwrap().restricted);
    // Replay of the same step.
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &code)),
        "INVALID_CREDENTIALS"
    );

    // Drift: move well past the steps used so far, then ±2 refused, -1 and +1 accepted.
    clock.advance(Duration::minutes(10));
    let at = |steps: i64| secret.code_at(clock.now() + Duration::seconds(30 * steps));
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &at(-2))),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &at(2))),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(err(login_otp(&p, ADMIN, ADMIN_PW, &at(-1))), "OK");
    // A step before the last accepted one is refused even within the window.
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &at(-1))),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(err(login_otp(&p, ADMIN, ADMIN_PW, &at(1))), "OK");
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &at(0))),
        "INVALID_CREDENTIALS"
    );
    // Fuzzed strings: refused, never a panic.
    for junk in [
        "",
        " ",
        "１２３４５６",
        "12345678901234567890",
        "\u{0}",
        "é",
        "--------",
    ] {
        assert_eq!(
            err(login_otp(&p, ADMIN, ADMIN_PW, junk)),
            "INVALID_CREDENTIALS"
        );
        clock.advance(Duration::minutes(20)); // past any lock the failures above set
    }
}

/// Two logins with the same code at once: exactly one session.
pub fn totp_replay_from_two_threads_one_wins<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let (secret, _) = enrol(&p, &clock, &s, ADMIN_PW);
    for round in 0..3 {
        clock.advance(Duration::seconds(30));
        let code = secret.code_at(clock.now());
        let results: Vec<_> = std::thread::scope(|t| {
            let hs: Vec<_> = (0..2)
                .map(|_| t.spawn(|| err(login_otp(&p, ADMIN, ADMIN_PW, &code))))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok = results.iter().filter(|r| **r == "OK").count();
        assert_eq!(ok, 1, "round {round}: {results:?}");
        assert!(results.contains(&"INVALID_CREDENTIALS"), "{results:?}");
    }
}

/// A recovery code logs in once (case and dashes ignored), also when two logins race with it;
/// a used one is refused like a wrong code.
pub fn totp_recovery_codes_are_single_use<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let (_, codes) = enrol(&p, &clock, &s, ADMIN_PW);
    assert_eq!(codes.len(), 10);
    assert_eq!(
        codes.iter().collect::<std::collections::HashSet<_>>().len(),
        10
    );
    let typed = codes[0].to_uppercase().replace('-', " ");
    assert_eq!(err(login_otp(&p, ADMIN, ADMIN_PW, &typed)), "OK");
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &codes[0])),
        "INVALID_CREDENTIALS"
    );
    for code in &codes[1..4] {
        let results: Vec<_> = std::thread::scope(|t| {
            let hs: Vec<_> = (0..3)
                .map(|_| t.spawn(|| err(login_otp(&p, ADMIN, ADMIN_PW, code))))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            results.iter().filter(|r| **r == "OK").count(),
            1,
            "{results:?}"
        );
    }
    assert_eq!(err(login_otp(&p, ADMIN, ADMIN_PW, &codes[9])), "OK");
    // Audited without the code.
    let log = p.audit_log(&s, Some(&"T99999".parse().unwrap()), 0, 200);
    if let Ok(events) = log {
        let text = format!("{events:?}");
        for c in &codes {
            assert!(!text.contains(c.as_str()));
        }
    }
}

/// Wrong codes after a right password count toward the lockout; once locked, even the right
/// code is refused, and the owner is mailed.
pub fn totp_wrong_codes_count_toward_lockout<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let (secret, _) = enrol(&p, &clock, &s, ADMIN_PW);
    let max = p.config().lockout.max_failures;
    for _ in 0..max {
        assert_eq!(
            err(login_otp(&p, ADMIN, ADMIN_PW, "000000")),
            "INVALID_CREDENTIALS"
        );
    }
    let locked = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .filter(|n| n.body.kind == NotificationKind::AccountLocked)
        .count();
    assert_eq!(locked, 1);
    clock.advance(Duration::seconds(30));
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &secret.code_at(clock.now()))),
        "INVALID_CREDENTIALS"
    );
    // MFA_REQUIRED is not a failure, but a locked account does not even say that.
    assert_eq!(err(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    clock.advance(Duration::hours(1));
    assert_eq!(err(p.login(ADMIN, ADMIN_PW, false)), "MFA_REQUIRED");
    assert_eq!(
        err(login_otp(&p, ADMIN, ADMIN_PW, &secret.code_at(clock.now()))),
        "OK"
    );
}

/// Policy "required": a session of an account without a second factor is restricted: it may
/// authenticate, enrol and log out, and every other flow answers MFA_ENROLLMENT_REQUIRED; after
/// enrolment the same session is a full one. "required_for_administrators" leaves users alone.
pub fn totp_restricted_sessions_may_only_enrol<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Required);
    let admin_id = admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let info = p.authenticate(&s).unwrap();
    assert!(info.restricted && !info.mfa_enrolled);
    let t = "T99999".parse().unwrap();
    let refused = [
        err(p.list_sessions(&s)),
        err(p.revoke_other_sessions(&s)),
        err(p.select_establishment(&s, &t)),
        err(p.list_accounts(&s, &AccountQuery::default())),
        err(p.account(&s, admin_id)),
        err(p.change_password(&s, ADMIN_PW, "Autre-Mot-2026!", "Autre-Mot-2026!")),
        err(p.audit_log(&s, Some(&t), 0, 10)),
        err(p.reset_totp(&s, admin_id)),
        err(p.disable_totp(&s, ADMIN_PW, "123456")),
        err(p.create_user(
            &s,
            &t,
            &NewUser::from_fields("Martin", "Léa", USER, None, None).unwrap(),
            [Right::SubmitClaims].into_iter().collect(),
        )),
    ];
    for (i, r) in refused.iter().enumerate() {
        assert_eq!(*r, "MFA_ENROLLMENT_REQUIRED", "call {i}");
    }
    // Logging out works; so does enrolling, after which the session is a full one.
    let other = login(&p, ADMIN, ADMIN_PW);
    p.logout(&other).unwrap();
    assert_eq!(err(p.authenticate(&other)), "SESSION_INVALID");
    let (secret, _) = enrol(&p, &clock, &s, ADMIN_PW);
    let info = p.authenticate(&s).unwrap();
    assert!(!info.restricted && info.mfa_enrolled);
    assert_eq!(err(p.list_sessions(&s)), "OK");
    // Disabling the factor makes the sessions restricted again.
    clock.advance(Duration::seconds(30));
    p.disable_totp(&s, ADMIN_PW, &secret.code_at(clock.now()))
        .unwrap();
    assert!(p.authenticate(&s).unwrap().restricted);
    assert_eq!(err(p.list_sessions(&s)), "MFA_ENROLLMENT_REQUIRED");
}

/// "required_for_administrators": a user's session is not restricted, the administrator's is.
pub fn totp_policy_for_administrators_only<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::RequiredForAdministrators);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    assert!(p.authenticate(&s).unwrap().restricted);
    enrol(&p, &clock, &s, ADMIN_PW);
    user(&p, &s, &[Right::SubmitClaims]);
    let u = login(&p, USER, USER_PW);
    let info = p.authenticate(&u).unwrap();
    assert!(!info.restricted && !info.mfa_enrolled);
    assert_eq!(err(p.list_sessions(&u)), "OK");
}

/// A manager of all the account's establishments resets its second factor: the owner is mailed
/// and logs in with the password alone. A password reset never removes the factor; disabling
/// needs the password and a code; one cannot reset one's own.
pub fn totp_reset_by_a_manager_notifies_the_owner<S: Store>(store: S) {
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let user_id = user(&p, &s, &[Right::SubmitClaims]);
    let u = login(&p, USER, USER_PW);
    let (secret, _) = enrol(&p, &clock, &u, USER_PW);
    assert_eq!(err(p.login(USER, USER_PW, false)), "MFA_REQUIRED");

    // A password reset keeps the factor.
    p.request_password_reset(&email(USER)).unwrap();
    let token = link(&p, NotificationKind::PasswordReset, USER);
    p.complete_password_reset(&token, USER, "Nouveau-Passe-2026", "Nouveau-Passe-2026")
        .unwrap();
    assert_eq!(
        err(p.login(USER, "Nouveau-Passe-2026", false)),
        "MFA_REQUIRED"
    );
    let u = login_otp(&p, USER, "Nouveau-Passe-2026", &secret.code_at(clock.now())).unwrap();

    // The user manages no one (so sees no account to reset); the admin cannot reset its own.
    assert_eq!(err(p.reset_totp(&u, user_id)), "UNKNOWN_ACCOUNT");
    assert_eq!(
        err(p.reset_totp(&s, p.authenticate(&s).unwrap().account_id)),
        "INVALID_STATE"
    );
    assert_eq!(
        err(p.disable_totp(&u, "Nouveau-Passe-2026", "000000")),
        "MFA_INVALID"
    );

    p.reset_totp(&s, user_id).unwrap();
    let mails: Vec<_> = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .filter(|n| n.body.kind == NotificationKind::TotpReset)
        .collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].body.email.as_str(), USER);
    assert!(mails[0].body.token.is_none());
    assert_eq!(err(p.reset_totp(&s, user_id)), "INVALID_STATE");
    assert!(!p.authenticate(&u).unwrap().mfa_enrolled);
    login(&p, USER, "Nouveau-Passe-2026");
    // Enrolling again works; the old secret is gone.
    let (fresh, _) = enrol(&p, &clock, &u, "Nouveau-Passe-2026");
    assert_eq!(
        err(login_otp(
            &p,
            USER,
            "Nouveau-Passe-2026",
            &secret.code_at(clock.now())
        )),
        "INVALID_CREDENTIALS"
    );
    clock.advance(Duration::seconds(30));
    p.disable_totp(&u, "Nouveau-Passe-2026", &fresh.code_at(clock.now()))
        .unwrap();
    assert!(!p.authenticate(&u).unwrap().mfa_enrolled);
    login(&p, USER, "Nouveau-Passe-2026");
}

/// Without `totp_key`, enrolment is refused and a policy other than optional does not open.
pub fn totp_needs_a_key<S: Store>(store: S) {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00:10 UTC));
    let no_key = PortalConfig {
        mfa: MfaPolicy::Required,
        ..PortalConfig::for_tests()
    };
    assert_eq!(no_key.validate().unwrap_err().code(), "INVALID_CONFIG");
    let p = Portal::new(store, clock, PortalConfig::for_tests()).unwrap();
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    assert_eq!(err(p.begin_totp_enrollment(&s, ADMIN_PW)), "INVALID_CONFIG");
}

/// A missing code spends nothing: however often a right password comes without its code, the
/// login's reserved check is released (the lockout's budget stays whole). Erasing the account
/// takes its second factor (sealed secret and recovery codes) with it.
pub fn totp_missing_codes_spend_nothing_and_erasure_takes_the_factor<S: Store>(store: S) {
    use dealer_portal::store::MfaRepo;
    let (p, clock) = portal(store, MfaPolicy::Optional);
    admin(&p);
    let s = login(&p, ADMIN, ADMIN_PW);
    let user_id = user(&p, &s, &[Right::SubmitClaims]);
    let u = login(&p, USER, USER_PW);
    let (secret, codes) = enrol(&p, &clock, &u, USER_PW);
    let max = PortalConfig::for_tests().lockout.max_failures;
    for _ in 0..2 * max + 1 {
        assert_eq!(err(p.login(USER, USER_PW, false)), "MFA_REQUIRED");
    }
    login_otp(&p, USER, USER_PW, &secret.code_at(clock.now())).unwrap();
    assert_eq!(codes.len(), 10);

    let enrolled = |p: &P<S>| {
        p.store()
            .read(|tx| {
                Ok((
                    tx.totp(user_id)?.is_some(),
                    tx.recovery_codes_left(user_id)?,
                ))
            })
            .unwrap()
    };
    assert_eq!(enrolled(&p), (true, 10));
    p.disable_account(&s, user_id).unwrap();
    p.erase_account(&s, user_id).unwrap();
    assert_eq!(enrolled(&p), (false, 0));
    assert_eq!(err(p.login(USER, USER_PW, false)), "INVALID_CREDENTIALS");
}

/// The list of flows, for the includers' macros.
macro_rules! every_totp_flow {
    ($m:ident) => {
        $m!(
            totp_enrol_and_log_in_with_codes,
            totp_replay_from_two_threads_one_wins,
            totp_recovery_codes_are_single_use,
            totp_wrong_codes_count_toward_lockout,
            totp_restricted_sessions_may_only_enrol,
            totp_policy_for_administrators_only,
            totp_reset_by_a_manager_notifies_the_owner,
            totp_needs_a_key,
            totp_missing_codes_spend_nothing_and_erasure_takes_the_factor,
        );
    };
}
pub(crate) use every_totp_flow;

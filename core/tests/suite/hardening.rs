//! Issue 16, items 1 and 3, generic over [`Store`]: the lockout holds under concurrency (a
//! burst of guesses spends at most `max_failures` password checks and locks once; no login
//! succeeds while the account is locked; `change_password` draws on the same budget), and an
//! actor's `EMAIL_TAKEN` answers are rationed (then `RATE_LIMITED`, both audited). Run on every
//! store by the test crates that include this file: `hardening.rs` (in memory, SQLite in a file
//! and in memory) and `postgres.rs` (PostgreSQL). They take the list from
//! [`every_hardening_check!`].
//!
//! The password checks spent are counted by the audit log: each check that ran argon2 against
//! the account's hash is one `login_failed` / `password_check_failed` event with the reason
//! `wrong_password`, or one `login_succeeded`; a refusal without a check has another reason.
//!
//! Self-contained (its own fixtures). Not a test crate of its own (it is in a subdirectory of
//! `tests/`).

use dealer_portal::account::{AccountId, Declaration, NewUser};
use dealer_portal::audit::{AuditAction, StoredAuditEvent};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::NotificationKind;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{AttemptRepo, AuditRepo, Store};
use dealer_portal::{Clock, ManualClock};
use std::sync::{Arc, Barrier};
use time::Duration;
use time::macros::datetime;

pub const ADMIN: &str = "admin@lockout.fr";
pub const ADMIN_PW: &str = "Lockout-Garage-2026!";
pub const WRONG_PW: &str = "Wrong-Password-2026!";
/// Concurrent guesses in a burst (the number of the review that found the flaw).
pub const BURST: usize = 24;

pub type P<S> = Portal<S, ManualClock>;

pub fn portal_with<S: Store>(store: S, config: PortalConfig) -> (P<S>, ManualClock) {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    (Portal::new(store, clock.clone(), config).unwrap(), clock)
}

pub fn code<T>(r: dealer_portal::Result<T>) -> &'static str {
    r.map_or_else(|e| e.code(), |_| "OK")
}

pub fn est(code: &str) -> EstablishmentCode {
    code.parse().unwrap()
}

/// Declares the administrator of T99999, gives it its password; its account id and a session.
pub fn admin<S: Store, C: Clock>(p: &Portal<S, C>) -> (AccountId, String) {
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap();
    p.declare_administrator(&decl, &[garage]).unwrap();
    p.request_password_reset(&ADMIN.parse().unwrap()).unwrap();
    let token = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .rfind(|n| n.body.kind == NotificationKind::PasswordReset)
        .unwrap()
        .body
        .token
        .unwrap()
        .expose()
        .to_owned();
    p.complete_password_reset(&token, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    let s = p.login(ADMIN, ADMIN_PW, false).unwrap();
    (s.account_id, s.token.expose().to_owned())
}

pub fn audit<S: Store, C: Clock>(p: &Portal<S, C>) -> Vec<StoredAuditEvent> {
    p.store().read(|tx| tx.audit_all()).unwrap()
}

/// How many events of `action` the log holds after position `after`, with `reason` if given.
pub fn count(
    log: &[StoredAuditEvent],
    after: u64,
    action: AuditAction,
    reason: Option<&str>,
) -> usize {
    log.iter()
        .filter(|e| e.seq > after && e.event.action == action)
        .filter(|e| reason.is_none_or(|r| e.event.details["reason"] == r))
        .count()
}

pub fn last_seq<S: Store>(p: &P<S>) -> u64 {
    audit(p).last().map_or(0, |e| e.seq)
}

/// `n` calls of `f` at once (from one start line), their answers' codes.
pub fn burst<S: Store>(
    p: &P<S>,
    n: usize,
    f: impl Fn(&P<S>, usize) -> &'static str + Sync,
) -> Vec<&'static str> {
    let start = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (start, f) = (&start, &f);
                s.spawn(move || {
                    start.wait();
                    f(p, i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// A burst of 24 wrong passwords: exactly `max_failures` checks spent, exactly one lock of the
/// first length, one mail; the right password is refused afterwards without a check.
pub fn a_burst_of_guesses_locks_once<S: Store>(s: S) {
    let (p, clock) = portal_with(s, PortalConfig::for_tests());
    let (id, _) = admin(&p);
    let before = last_seq(&p);
    let got = burst(&p, BURST, |p, _| code(p.login(ADMIN, WRONG_PW, false)));
    assert!(got.iter().all(|c| *c == "INVALID_CREDENTIALS"), "{got:?}");
    let log = audit(&p);
    let max = PortalConfig::for_tests().lockout.max_failures as usize;
    assert_eq!(
        count(
            &log,
            before,
            AuditAction::LoginFailed,
            Some("wrong_password")
        ),
        max,
        "checks spent"
    );
    assert_eq!(
        count(&log, before, AuditAction::AccountLocked, None),
        1,
        "one lock"
    );
    assert_eq!(
        count(&log, before, AuditAction::LoginFailed, None),
        BURST,
        "every guess is audited"
    );
    let locked = log
        .iter()
        .find(|e| e.seq > before && e.event.action == AuditAction::AccountLocked)
        .unwrap();
    assert_eq!(
        locked.event.details["lock"], 1,
        "the first lock, 15 minutes"
    );
    let mails = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .filter(|n| n.body.kind == NotificationKind::AccountLocked)
        .count();
    assert_eq!(mails, 1);
    // The right password during the lock: refused, without a check.
    let before = last_seq(&p);
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    let log = audit(&p);
    assert_eq!(
        count(&log, before, AuditAction::LoginFailed, Some("locked")),
        1
    );
    assert_eq!(count(&log, before, AuditAction::LoginSucceeded, None), 0);
    // Nothing left in flight; after the lock, the budget is whole again.
    assert_eq!(
        p.store()
            .read(|tx| tx.attempts_in_flight(id, clock.now()))
            .unwrap(),
        0
    );
    clock.advance(Duration::minutes(16));
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
}

/// Wrong and right passwords at once, in rounds: never more than one lock per round, no login
/// succeeds once the lock is there (the success transaction re-checks it), and no more checks
/// than the budget between two successes.
pub fn right_passwords_in_a_burst_never_pass_a_lock<S: Store>(s: S) {
    let (p, clock) = portal_with(s, PortalConfig::for_tests());
    admin(&p);
    for round in 0..3 {
        let before = last_seq(&p);
        let got = burst(&p, BURST, |p, i| {
            let pw = if i % 6 == 5 { ADMIN_PW } else { WRONG_PW };
            code(p.login(ADMIN, pw, false))
        });
        let log: Vec<_> = audit(&p).into_iter().filter(|e| e.seq > before).collect();
        let locks: Vec<u64> = log
            .iter()
            .filter(|e| e.event.action == AuditAction::AccountLocked)
            .map(|e| e.seq)
            .collect();
        assert!(locks.len() <= 1, "round {round}: {} locks", locks.len());
        if let Some(&at) = locks.first() {
            assert_eq!(
                count(&log, at, AuditAction::LoginSucceeded, None),
                0,
                "round {round}: a login succeeded while the account was locked"
            );
        }
        let successes = got.iter().filter(|c| **c == "OK").count();
        assert_eq!(successes, count(&log, 0, AuditAction::LoginSucceeded, None));
        let max = PortalConfig::for_tests().lockout.max_failures as usize;
        assert!(
            count(&log, 0, AuditAction::LoginFailed, Some("wrong_password"))
                <= max * (successes + 1),
            "round {round}: more checks than the budget"
        );
        clock.advance(Duration::hours(25));
        assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK", "round {round}");
    }
}

/// Checks reserved and not settled (another server is running them) hold the budget: the
/// right password is refused without a check while they fill it, and they lapse after
/// their lease (a server that died does not lock anyone out for good).
pub fn checks_in_flight_hold_the_budget<S: Store>(s: S) {
    let (p, clock) = portal_with(s, PortalConfig::for_tests());
    let (id, _) = admin(&p);
    let now = clock.now();
    p.store()
        .write(|tx| tx.set_attempts_in_flight(id, 5, now + Duration::minutes(2)))
        .unwrap();
    let before = last_seq(&p);
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    let log = audit(&p);
    assert_eq!(
        count(
            &log,
            before,
            AuditAction::LoginFailed,
            Some("checks_in_flight")
        ),
        1
    );
    assert_eq!(
        p.store().read(|tx| tx.attempts_in_flight(id, now)).unwrap(),
        5
    );
    // Four in flight: one more check may run, and settles (the count goes back to four).
    p.store()
        .write(|tx| tx.set_attempts_in_flight(id, 4, now + Duration::minutes(2)))
        .unwrap();
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
    assert_eq!(
        p.store().read(|tx| tx.attempts_in_flight(id, now)).unwrap(),
        4
    );
    // A failure while four are in flight: counted, and the budget is then spent.
    assert_eq!(code(p.login(ADMIN, WRONG_PW, false)), "INVALID_CREDENTIALS");
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    // The lease passes: the lost checks no longer count.
    clock.advance(Duration::minutes(3));
    let later = clock.now();
    assert_eq!(
        p.store()
            .read(|tx| tx.attempts_in_flight(id, later))
            .unwrap(),
        0
    );
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
}

/// `change_password` (and so `request_email_change`) with a wrong current password draws on
/// the same budget, under concurrency too: one lock, `max_failures` checks; then even the
/// right current password is refused, and so is a login.
pub fn wrong_current_passwords_share_the_budget<S: Store>(s: S) {
    let (p, _clock) = portal_with(s, PortalConfig::for_tests());
    let (_, session) = admin(&p);
    let before = last_seq(&p);
    let got = burst(&p, BURST, |p, _| {
        code(p.change_password(
            &session,
            WRONG_PW,
            "Another-Passw0rd-26",
            "Another-Passw0rd-26",
        ))
    });
    assert!(got.iter().all(|c| *c == "INVALID_CREDENTIALS"), "{got:?}");
    let log = audit(&p);
    let max = PortalConfig::for_tests().lockout.max_failures as usize;
    assert_eq!(
        count(
            &log,
            before,
            AuditAction::PasswordCheckFailed,
            Some("wrong_password")
        ),
        max
    );
    assert_eq!(count(&log, before, AuditAction::AccountLocked, None), 1);
    assert_eq!(
        code(p.change_password(
            &session,
            ADMIN_PW,
            "Another-Passw0rd-26",
            "Another-Passw0rd-26"
        )),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
}

fn taken_row(i: usize) -> UserImport {
    UserImport {
        establishment: est("T99999"),
        user: NewUser::new("Pris", &format!("Numéro{}", i % 10), ADMIN).unwrap(),
        rights: Rights::from(Right::SubmitClaims),
    }
}

/// An actor gets 20 `EMAIL_TAKEN` answers in 24 hours (the default), through `create_user` and
/// `create_users` alike, then `RATE_LIMITED`; both audited (by whom, where, never the email);
/// another actor has its own ration; the window slides.
pub fn email_taken_answers_are_rationed<S: Store + 'static>(s: S) {
    let store = Arc::new(s);
    let (p, clock) = portal_with(store.clone(), PortalConfig::for_tests());
    let (admin_id, session) = admin(&p);
    // A second server on the same store counts the same answers.
    let other_server = Portal::new(store, clock.clone(), PortalConfig::for_tests()).unwrap();
    let taken = NewUser::new("Pris", "Déjà", ADMIN).unwrap();
    let one = |portal: &P<Arc<S>>| {
        portal.create_user(
            &session,
            &est("T99999"),
            &taken,
            Rights::from(Right::SubmitClaims),
        )
    };
    for i in 0..5 {
        let portal = if i % 2 == 0 { &p } else { &other_server };
        assert_eq!(code(one(portal)), "EMAIL_TAKEN");
    }
    // 15 more in a batch of 17: the last two are rationed; a free email is still created.
    let mut rows: Vec<UserImport> = (0..17).map(taken_row).collect();
    rows.push(UserImport {
        establishment: est("T99999"),
        user: NewUser::new("Libre", "Nouveau", "libre@lockout.fr").unwrap(),
        rights: Rights::from(Right::SubmitClaims),
    });
    let results = other_server.create_users(&session, &rows).unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.code(), |_| "OK"))
        .collect();
    assert_eq!(codes[..15], ["EMAIL_TAKEN"; 15]);
    assert_eq!(codes[15..], ["RATE_LIMITED", "RATE_LIMITED", "OK"]);
    let err = one(&p).unwrap_err();
    assert_eq!(err.code(), "RATE_LIMITED");
    assert_eq!(err.family(), dealer_portal::ErrorFamily::Validation);
    assert!(!err.to_string().contains(ADMIN), "never the email: {err}");
    assert!(err.to_string().contains("24 hours"), "{err}");
    // Audited: 20 answers given, 3 refused, by the actor, on the establishment, no email.
    let log = audit(&p);
    let by_admin = |action| {
        log.iter()
            .filter(|e| e.event.action == action && e.event.actor == Some(admin_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(by_admin(AuditAction::EmailTakenAnswered).len(), 20);
    assert_eq!(by_admin(AuditAction::RateLimited).len(), 3);
    for e in by_admin(AuditAction::RateLimited) {
        assert_eq!(e.event.establishments, vec![est("T99999")]);
        assert!(!e.event.details.to_string().contains("lockout.fr"));
    }
    // A day later the window has slid past them.
    clock.advance(Duration::hours(24) + Duration::seconds(1));
    let session = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let r = p.create_user(
        &session,
        &est("T99999"),
        &taken,
        Rights::from(Right::SubmitClaims),
    );
    assert_eq!(code(r), "EMAIL_TAKEN");
}

/// A configured ration: 2 answers per hour; another manager has its own.
pub fn the_ration_is_configurable_and_per_actor<S: Store>(s: S) {
    let mut config = PortalConfig::for_tests();
    config.email_taken.max_answers = 2;
    config.email_taken.window = Duration::hours(1);
    let (p, clock) = portal_with(s, config);
    let (_, session) = admin(&p);
    let manager = "manager@lockout.fr";
    let user = NewUser::new("Gestion", "Naire", manager).unwrap();
    p.create_user(
        &session,
        &est("T99999"),
        &user,
        [Right::ManageAccounts, Right::SubmitClaims]
            .into_iter()
            .collect(),
    )
    .unwrap();
    let token = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .rfind(|n| n.body.kind == NotificationKind::Activation)
        .unwrap()
        .body
        .token
        .unwrap()
        .expose()
        .to_owned();
    p.activate_account(&token, manager, ADMIN_PW, ADMIN_PW)
        .unwrap();
    let other = p
        .login(manager, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let taken = NewUser::new("Pris", "Déjà", manager).unwrap();
    let try_as =
        |s: &str| code(p.create_user(s, &est("T99999"), &taken, Rights::from(Right::SubmitClaims)));
    assert_eq!(try_as(&session), "EMAIL_TAKEN");
    assert_eq!(try_as(&session), "EMAIL_TAKEN");
    assert_eq!(try_as(&session), "RATE_LIMITED");
    assert_eq!(
        try_as(&other),
        "EMAIL_TAKEN",
        "another actor, another ration"
    );
    clock.advance(Duration::minutes(61));
    let session = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    assert_eq!(try_as(&session), "EMAIL_TAKEN");
}

macro_rules! every_hardening_check {
    ($m:ident) => {
        $m!(
            a_burst_of_guesses_locks_once,
            right_passwords_in_a_burst_never_pass_a_lock,
            checks_in_flight_hold_the_budget,
            wrong_current_passwords_share_the_budget,
            email_taken_answers_are_rationed,
            the_ration_is_configurable_and_per_actor,
        );
    };
}
pub(crate) use every_hardening_check;

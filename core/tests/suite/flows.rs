//! The portal's flows end to end, generic over [`Store`]: the seed scenario, every error code of
//! the flows, and the adversarial cases (reused, expired, superseded tokens; escalation; the last
//! manager; concurrency). Run on every store by the test crates that include this file:
//! `flows.rs` (in memory, SQLite) and `postgres.rs` (PostgreSQL). They take the list of flows from
//! [`every_flow!`], so a new flow runs everywhere; the fixtures are `pub` for their own tests.
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{
    AccountId, AccountQuery, AccountState, Declaration, NewUser, RepairerRegistration,
};
use dealer_portal::audit::AuditAction;
use dealer_portal::email::Email;
use dealer_portal::error::Forbidden;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::{Notification, NotificationKind};
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::Store;
use dealer_portal::{Coded, ManualClock};
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

pub const ADMIN: &str = "admin@garage-xyz.fr";
pub const ADMIN_PW: &str = "Garage XYZ 2026!";
pub const USER_PW: &str = "Premiere-Connexion-1";

/// An establishment code written in a test (`"T99999"`), parsed.
pub fn est(code: &str) -> EstablishmentCode {
    code.parse().unwrap()
}

/// An email written in a test, parsed (and so normalised, as a form's input would be).
pub fn email(address: &str) -> Email {
    address.parse().unwrap()
}

/// A valid repairer's registration written in a test.
pub fn repairer(
    email: &str,
    last: &str,
    first: &str,
    company: &str,
    city: &str,
) -> RepairerRegistration {
    RepairerRegistration::new(email, last, first, company, city).unwrap()
}

pub type P<S> = Portal<S, ManualClock>;

pub fn portal<S: Store>(store: S) -> (P<S>, ManualClock) {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    (
        Portal::new(store, clock.clone(), PortalConfig::for_tests()).unwrap(),
        clock,
    )
}

pub fn garages() -> [Establishment; 2] {
    [
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap(),
        Establishment::new(
            "T88888",
            "GARAGE UVW",
            "VILLE 2",
            Some(Regime::DelegatedManagement),
        )
        .unwrap(),
    ]
}

pub fn mails<S: Store>(p: &P<S>, kind: NotificationKind, email: &str) -> Vec<Notification> {
    p.pending_notifications()
        .unwrap()
        .into_iter()
        .filter(|n| n.body.kind == kind && n.body.email.as_str() == email)
        .collect()
}

pub fn last_link<S: Store>(p: &P<S>, kind: NotificationKind, email: &str) -> String {
    let n = mails(p, kind, email)
        .pop()
        .unwrap_or_else(|| panic!("no {kind} mail for {email}"));
    n.body.token.as_ref().unwrap().expose().to_owned()
}

/// Declares the administrator of both garages, resets its password, logs in.
pub fn admin_session<S: Store>(p: &P<S>) -> String {
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &garages()).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let token = last_link(p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&token, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    p.login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned()
}

pub fn rights(r: &[Right]) -> Rights {
    r.iter().copied().collect()
}

/// Creates and activates a user; returns (id, session).
pub fn active_user<S: Store>(
    p: &P<S>,
    admin: &str,
    code: &str,
    email: &str,
    last: &str,
    r: &[Right],
) -> (AccountId, String) {
    let user = NewUser::new(last, "Test", email).unwrap();
    let id = p.create_user(admin, &est(code), &user, rights(r)).unwrap();
    let token = last_link(p, NotificationKind::Activation, email);
    p.activate_account(&token, email, USER_PW, USER_PW).unwrap();
    (
        id,
        p.login(email, USER_PW, false)
            .unwrap()
            .token
            .expose()
            .to_owned(),
    )
}

pub fn code<T>(r: dealer_portal::Result<T>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// Why `r` was forbidden; panics on anything but [`Error::Forbidden`](dealer_portal::Error).
pub fn forbidden<T>(r: dealer_portal::Result<T>) -> Forbidden {
    match r {
        Err(dealer_portal::Error::Forbidden { reason }) => reason,
        Err(e) => panic!("expected FORBIDDEN, got {}: {e}", e.code()),
        Ok(_) => panic!("expected FORBIDDEN, got OK"),
    }
}

/// The reason of a refusal for lack of `right` on `establishment`.
pub fn missing(right: Right, establishment: &str) -> Forbidden {
    Forbidden::MissingRight {
        right: right.code(),
        establishment: est(establishment).to_string(),
    }
}

pub fn seed_scenario<S: Store>(s: S) {
    let (p, _) = portal(s);
    // §1: the administrator is declared with the convention, then uses "Mot de passe oublié".
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    let admin_id = p.declare_administrator(&decl, &garages()).unwrap();
    assert_eq!(
        code(p.login(ADMIN, ADMIN_PW, false)),
        "INVALID_CREDENTIALS",
        "declared: no password yet"
    );
    p.request_password_reset(&email(ADMIN)).unwrap();
    let token = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    assert!(p.inspect_token(&token).unwrap().usable);
    assert!(
        p.inspect_token(&token).unwrap().usable,
        "opening a link never consumes it"
    );
    // The criteria turn green one by one.
    assert!(!p.evaluate_password("garage", Some("garage")).acceptable());
    assert!(p.evaluate_password(ADMIN_PW, Some(ADMIN_PW)).acceptable());
    p.complete_password_reset(&token, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    assert!(!p.inspect_token(&token).unwrap().usable);
    let session = p.login(ADMIN, ADMIN_PW, false).unwrap();
    assert_eq!(session.account_id, admin_id);
    let admin = session.token.expose().to_owned();
    // §2: "Gestion des comptes".
    let mine: Vec<String> = p
        .manageable_establishments(&admin)
        .unwrap()
        .into_iter()
        .map(|e| e.code.to_string())
        .collect();
    assert_eq!(mine, ["T88888", "T99999"]);
    let user = NewUser::new("GELOEN", "Alexandre", "alexandre@gmail.com")
        .unwrap()
        .with_mobile("+33", "06 23 42 54 55")
        .unwrap()
        .with_landline("+33", "01 34 34 67 88")
        .unwrap();
    let uid = p
        .create_user(
            &admin,
            &est("T99999"),
            &user,
            rights(&[Right::SearchQuotesAndContracts, Right::AccountingDocuments]),
        )
        .unwrap();
    let activation = mails(&p, NotificationKind::Activation, "alexandre@gmail.com");
    assert_eq!(activation.len(), 1);
    assert_eq!(activation[0].subject(), "Activez votre compte");
    let link = activation[0]
        .body
        .token
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    p.activate_account(&link, "Alexandre@Gmail.com", USER_PW, USER_PW)
        .unwrap();
    let us = p.login("alexandre@gmail.com", USER_PW, true).unwrap();
    assert_eq!(us.account_id, uid);
    assert!(
        us.expires_at - datetime!(2026-01-15 09:00 UTC) >= Duration::days(29),
        "remembered session"
    );
    let page = p.list_accounts(&admin, &AccountQuery::default()).unwrap();
    assert_eq!(page.total, 2);
    assert!(
        page.items
            .iter()
            .all(|a| a.last_name.as_str().eq_ignore_ascii_case("geloen"))
    );
    assert!(page.items.iter().all(|a| a.state == AccountState::Active));
    assert!(p.verify_audit_chain(None).unwrap() > 5);
}

pub fn reset_token_rules<S: Store>(s: S) {
    let (p, clock) = portal(s);
    let admin = admin_session(&p);
    drop(admin);
    // Used twice.
    p.request_password_reset(&email(ADMIN)).unwrap();
    let t = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&t, ADMIN, "Another-Passw0rd!", "Another-Passw0rd!")
        .unwrap();
    assert_eq!(
        code(p.complete_password_reset(&t, ADMIN, "Third-Passw0rd!!", "Third-Passw0rd!!")),
        "TOKEN_INVALID"
    );
    // Superseded by a newer one (an hour later: at most 3 mails an hour).
    clock.advance(Duration::minutes(61));
    p.request_password_reset(&email(ADMIN)).unwrap();
    let old = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    clock.advance(Duration::minutes(1));
    p.request_password_reset(&email(ADMIN)).unwrap();
    let new = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    assert_ne!(old, new);
    assert!(!p.inspect_token(&old).unwrap().usable);
    assert_eq!(
        code(p.complete_password_reset(&old, ADMIN, "Third-Passw0rd!!", "Third-Passw0rd!!")),
        "TOKEN_INVALID"
    );
    // Wrong email: EMAIL_MISMATCH, and the token stays usable.
    assert_eq!(
        code(p.complete_password_reset(
            &new,
            "other@garage-xyz.fr",
            "Third-Passw0rd!!",
            "Third-Passw0rd!!"
        )),
        "EMAIL_MISMATCH"
    );
    assert!(p.inspect_token(&new).unwrap().usable);
    // Policy first, then confirmation, then history.
    assert_eq!(
        code(p.complete_password_reset(&new, ADMIN, "short", "different")),
        "PASSWORD_POLICY"
    );
    assert_eq!(
        code(p.complete_password_reset(&new, ADMIN, "Third-Passw0rd!!", "Third-Passw0rd!?")),
        "CONFIRMATION_MISMATCH"
    );
    assert_eq!(
        code(p.complete_password_reset(&new, ADMIN, "Another-Passw0rd!", "Another-Passw0rd!")),
        "PASSWORD_REUSED"
    );
    assert_eq!(
        code(p.complete_password_reset(&new, ADMIN, ADMIN_PW, ADMIN_PW)),
        "PASSWORD_REUSED",
        "history keeps earlier ones"
    );
    assert!(
        p.inspect_token(&new).unwrap().usable,
        "failed submissions do not consume"
    );
    // Expired.
    clock.advance(Duration::minutes(61));
    assert!(!p.inspect_token(&new).unwrap().usable);
    assert_eq!(
        code(p.complete_password_reset(&new, ADMIN, "Third-Passw0rd!!", "Third-Passw0rd!!")),
        "TOKEN_INVALID"
    );
    // Malformed.
    assert_eq!(
        code(p.complete_password_reset(
            "not-a-token",
            ADMIN,
            "Third-Passw0rd!!",
            "Third-Passw0rd!!"
        )),
        "TOKEN_INVALID"
    );
    assert!(!p.inspect_token("").unwrap().usable);
    // A reset token is not an activation token.
    clock.advance(Duration::hours(2));
    p.request_password_reset(&email(ADMIN)).unwrap();
    let t = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    assert_eq!(
        code(p.activate_account(&t, ADMIN, "Third-Passw0rd!!", "Third-Passw0rd!!")),
        "TOKEN_INVALID"
    );
    assert!(p.verify_audit_chain(None).is_ok());
}

/// A link that can no longer be used leaves its pending mail at once (the mail stays queued,
/// without a token): superseded by a newer request, used, revoked by a password change.
pub fn dead_links_leave_the_outbox<S: Store>(s: S) {
    let (p, clock) = portal(s);
    let links = |p: &P<S>| -> Vec<Option<String>> {
        mails(p, NotificationKind::PasswordReset, ADMIN)
            .iter()
            .map(|n| n.body.token.as_ref().map(|t| t.expose().to_owned()))
            .collect()
    };
    admin_session(&p);
    assert_eq!(links(&p), [None], "the used link is gone");
    // Superseded.
    clock.advance(Duration::minutes(61));
    p.request_password_reset(&email(ADMIN)).unwrap();
    let first = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    p.request_password_reset(&email(ADMIN)).unwrap();
    let second = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    assert_ne!(first, second);
    assert_eq!(links(&p), [None, None, Some(second.clone())]);
    // Used.
    p.complete_password_reset(&second, ADMIN, "Another-Passw0rd!", "Another-Passw0rd!")
        .unwrap();
    assert_eq!(links(&p), [None, None, None]);
    // Revoked by a password change.
    clock.advance(Duration::minutes(61));
    let session = p.login(ADMIN, "Another-Passw0rd!", false).unwrap();
    let session = session.token.expose().to_owned();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let third = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    assert_eq!(links(&p), [None, None, None, Some(third)]);
    p.change_password(
        &session,
        "Another-Passw0rd!",
        "Changed-Passw0rd!",
        "Changed-Passw0rd!",
    )
    .unwrap();
    assert_eq!(links(&p), [None, None, None, None]);
    // The mails are still there for the host, which acknowledges them.
    for n in mails(&p, NotificationKind::PasswordReset, ADMIN) {
        p.acknowledge_notification(n.id).unwrap();
    }
}

pub fn reset_requests_reveal_nothing<S: Store>(s: S) {
    let (p, clock) = portal(s);
    admin_session(&p);
    let before = p.pending_notifications().unwrap().len();
    assert_eq!(
        code(p.request_password_reset(&email("nobody@garage-xyz.fr"))),
        "OK"
    );
    assert_eq!(p.pending_notifications().unwrap().len(), before);
    // A malformed email never reaches the flow: it is refused where it is parsed.
    assert_eq!(code("not an email".parse::<Email>()), "INVALID_EMAIL");
    // Rate limit: at most 3 mails an hour, same answer.
    clock.advance(Duration::hours(2));
    for _ in 0..5 {
        p.request_password_reset(&email(ADMIN)).unwrap();
    }
    let recent = mails(&p, NotificationKind::PasswordReset, ADMIN)
        .into_iter()
        .filter(|n| n.created_at >= p_now(&clock) - Duration::minutes(1))
        .count();
    assert_eq!(recent, 3);
    clock.advance(Duration::minutes(61));
    p.request_password_reset(&email(ADMIN)).unwrap();
    // Invited: the activation link is sent again.
    let admin = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let user = NewUser::new("Martin", "Léa", "lea@garage-xyz.fr").unwrap();
    p.create_user(
        &admin,
        &est("T99999"),
        &user,
        rights(&[Right::SubmitClaims]),
    )
    .unwrap();
    let first = last_link(&p, NotificationKind::Activation, "lea@garage-xyz.fr");
    p.request_password_reset(&email("LEA@garage-xyz.fr"))
        .unwrap();
    let second = last_link(&p, NotificationKind::Activation, "lea@garage-xyz.fr");
    assert_ne!(first, second);
    assert!(!p.inspect_token(&first).unwrap().usable);
    assert!(mails(&p, NotificationKind::PasswordReset, "lea@garage-xyz.fr").is_empty());
}

pub fn p_now(c: &ManualClock) -> time::OffsetDateTime {
    use dealer_portal::Clock;
    c.now()
}

pub fn login_and_lockout<S: Store>(s: S) {
    let (p, clock) = portal(s);
    let admin = admin_session(&p);
    assert_eq!(
        code(p.login("nobody@x.fr", ADMIN_PW, false)),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        code(p.login("not an email", ADMIN_PW, false)),
        "INVALID_CREDENTIALS"
    );
    for _ in 0..5 {
        assert_eq!(
            code(p.login(ADMIN, "Wrong-Password-123", false)),
            "INVALID_CREDENTIALS"
        );
    }
    assert_eq!(mails(&p, NotificationKind::AccountLocked, ADMIN).len(), 1);
    assert_eq!(
        code(p.login(ADMIN, ADMIN_PW, false)),
        "INVALID_CREDENTIALS",
        "locked"
    );
    assert!(
        p.authenticate(&admin).is_ok(),
        "existing sessions survive a lock"
    );
    clock.advance(Duration::minutes(16));
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
    // Locks double while failures go on without a success in between.
    for _ in 0..5 {
        let _ = p.login(ADMIN, "Wrong-Password-123", false);
    }
    clock.advance(Duration::minutes(16));
    for _ in 0..5 {
        let _ = p.login(ADMIN, "Wrong-Password-123", false);
    }
    clock.advance(Duration::minutes(16));
    assert_eq!(
        code(p.login(ADMIN, ADMIN_PW, false)),
        "INVALID_CREDENTIALS",
        "second lock is 30 min"
    );
    clock.advance(Duration::minutes(15));
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
    // A completed reset lifts a lock.
    for _ in 0..5 {
        let _ = p.login(ADMIN, "Wrong-Password-123", false);
    }
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    p.request_password_reset(&email(ADMIN)).unwrap();
    let t = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&t, ADMIN, "Brand-New-Passw0rd", "Brand-New-Passw0rd")
        .unwrap();
    assert_eq!(code(p.login(ADMIN, "Brand-New-Passw0rd", false)), "OK");
}

pub fn sessions<S: Store>(s: S) {
    let (p, clock) = portal(s);
    let admin = admin_session(&p);
    assert!(p.authenticate(&admin).is_ok());
    assert_eq!(code(p.authenticate("garbage")), "SESSION_INVALID");
    clock.advance(Duration::minutes(20));
    assert!(p.authenticate(&admin).is_ok());
    clock.advance(Duration::minutes(20));
    assert!(
        p.authenticate(&admin).is_ok(),
        "the idle timer was refreshed"
    );
    clock.advance(Duration::minutes(31));
    assert_eq!(
        code(p.authenticate(&admin)),
        "SESSION_INVALID",
        "idle 30 min"
    );
    let s1 = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let s2 = p
        .login(ADMIN, ADMIN_PW, true)
        .unwrap()
        .token
        .expose()
        .to_owned();
    p.logout(&s1).unwrap();
    p.logout(&s1).unwrap();
    assert_eq!(code(p.authenticate(&s1)), "SESSION_INVALID");
    assert_eq!(
        code(p.change_password(&s2, "wrong", "Changed-Passw0rd!", "Changed-Passw0rd!")),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        code(p.change_password(&s2, ADMIN_PW, ADMIN_PW, ADMIN_PW)),
        "PASSWORD_REUSED"
    );
    p.change_password(&s2, ADMIN_PW, "Changed-Passw0rd!", "Changed-Passw0rd!")
        .unwrap();
    assert_eq!(
        code(p.authenticate(&s2)),
        "SESSION_INVALID",
        "a password change ends every session"
    );
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    let s3 = p
        .login(ADMIN, "Changed-Passw0rd!", false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    clock.advance(Duration::hours(13));
    assert_eq!(code(p.authenticate(&s3)), "SESSION_INVALID");
}

pub fn rights_rules<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let nu = |e: &str| NewUser::new("Durand", "Anne", e).unwrap();
    assert_eq!(
        code(p.create_user(
            &admin,
            &est("T00000"),
            &nu("a@x.fr"),
            rights(&[Right::SubmitClaims])
        )),
        "UNKNOWN_ESTABLISHMENT"
    );
    // A malformed code never reaches the flow: it is refused where it is parsed.
    assert_eq!(
        code("T-0".parse::<EstablishmentCode>()),
        "INVALID_ESTABLISHMENT_CODE"
    );
    assert_eq!(
        code(p.create_user(&admin, &est("T99999"), &nu("a@x.fr"), Rights::EMPTY)),
        "NO_RIGHTS_SELECTED"
    );
    assert_eq!(
        code(p.create_user(
            &admin,
            &est("T99999"),
            &nu("ADMIN@garage-xyz.fr"),
            rights(&[Right::SubmitClaims])
        )),
        "EMAIL_TAKEN"
    );
    assert_eq!(
        code(p.create_user(
            "bad session",
            &est("T99999"),
            &nu("a@x.fr"),
            rights(&[Right::SubmitClaims])
        )),
        "SESSION_INVALID"
    );
    // A manager with some rights on T99999 only.
    let (mid, manager) = active_user(
        &p,
        &admin,
        "T99999",
        "chef@x.fr",
        "Chef",
        &[Right::ManageAccounts, Right::SubmitClaims],
    );
    assert_eq!(
        code(p.create_user(
            &manager,
            &est("T99999"),
            &nu("b@x.fr"),
            rights(&[Right::AccountingDocuments])
        )),
        "RIGHTS_ESCALATION"
    );
    assert_eq!(
        forbidden(p.create_user(
            &manager,
            &est("T88888"),
            &nu("b@x.fr"),
            rights(&[Right::SubmitClaims])
        )),
        missing(Right::ManageAccounts, "T88888")
    );
    let bid = p
        .create_user(
            &manager,
            &est("T99999"),
            &nu("b@x.fr"),
            rights(&[Right::SubmitClaims]),
        )
        .unwrap();
    // set_rights: may add only what it holds, may remove anything.
    assert_eq!(
        code(p.set_rights(
            &manager,
            bid,
            &est("T99999"),
            rights(&[Right::SubmitClaims, Right::SearchClaims])
        )),
        "RIGHTS_ESCALATION"
    );
    assert_eq!(
        forbidden(p.set_rights(
            &manager,
            bid,
            &est("T88888"),
            rights(&[Right::SubmitClaims])
        )),
        missing(Right::ManageAccounts, "T88888")
    );
    p.set_rights(&admin, bid, &est("T88888"), rights(&[Right::SearchClaims]))
        .unwrap();
    let m = p.rights_matrix(&admin, bid).unwrap();
    assert_eq!(m.rights_on(&est("T88888")), rights(&[Right::SearchClaims]));
    let seen_by_manager = p.rights_matrix(&manager, bid).unwrap();
    assert!(
        seen_by_manager.rights_on(&est("T88888")).is_empty(),
        "only establishments the actor manages"
    );
    // Disabling needs every establishment; otherwise only removal on its own.
    assert_eq!(
        forbidden(p.disable_account(&manager, bid)),
        Forbidden::NotEveryEstablishment {
            removable: vec!["T99999".to_owned()]
        }
    );
    p.set_rights(&manager, bid, &est("T99999"), Rights::EMPTY)
        .unwrap();
    assert_eq!(
        code(p.rights_matrix(&manager, bid)),
        "UNKNOWN_ACCOUNT",
        "no longer visible to the manager"
    );
    p.disable_account(&admin, bid).unwrap();
    assert_eq!(code(p.disable_account(&admin, bid)), "INVALID_STATE");
    p.enable_account(&admin, bid).unwrap();
    // The last active manager keeps ManageAccounts.
    let admin_id = p.authenticate(&admin).unwrap().account_id;
    assert_eq!(
        code(p.set_rights(
            &admin,
            admin_id,
            &est("T88888"),
            rights(&[Right::SubmitClaims])
        )),
        "LAST_MANAGER"
    );
    p.set_rights(
        &admin,
        admin_id,
        &est("T99999"),
        rights(&[Right::SubmitClaims]),
    )
    .unwrap();
    assert_eq!(
        code(p.set_rights(
            &manager,
            mid,
            &est("T99999"),
            rights(&[Right::SubmitClaims])
        )),
        "LAST_MANAGER"
    );
    assert_eq!(code(p.disable_account(&manager, mid)), "LAST_MANAGER");
    assert_eq!(
        forbidden(p.list_accounts(
            &admin,
            &AccountQuery::default().with_establishment(est("T99999"))
        )),
        missing(Right::ManageAccounts, "T99999")
    );
    // Audit: readable by managers of the establishment only.
    assert!(
        !p.audit_log(&manager, &est("T99999"), 0, 50)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        forbidden(p.audit_log(&manager, &est("T88888"), 0, 50)),
        missing(Right::ManageAccounts, "T88888")
    );
    assert_eq!(
        code(p.audit_log(&manager, &est("T77777"), 0, 50)),
        "UNKNOWN_ESTABLISHMENT"
    );
    let log = p.audit_log(&admin, &est("T88888"), 0, 500).unwrap();
    assert!(
        log.iter()
            .any(|e| e.event.action.code() == "rights_changed")
    );
    assert!(log.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert!(p.verify_audit_chain(None).is_ok());
}

pub fn users_and_repairers<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let u = NewUser::new("Zoé", "Bernard", "zoe@x.fr").unwrap();
    let id = p
        .create_user(&admin, &est("T99999"), &u, rights(&[Right::SubmitClaims]))
        .unwrap();
    let first = last_link(&p, NotificationKind::Activation, "zoe@x.fr");
    p.resend_activation(&admin, id).unwrap();
    let second = last_link(&p, NotificationKind::Activation, "zoe@x.fr");
    assert!(!p.inspect_token(&first).unwrap().usable);
    assert_eq!(
        code(p.activate_account(&second, "zoe@x.fr", "short", "short")),
        "PASSWORD_POLICY"
    );
    p.activate_account(&second, "zoe@x.fr", USER_PW, USER_PW)
        .unwrap();
    assert_eq!(code(p.resend_activation(&admin, id)), "INVALID_STATE");
    assert_eq!(
        code(p.resend_activation(&admin, "00000000000000000000000000000000".parse().unwrap())),
        "UNKNOWN_ACCOUNT"
    );
    // Repairers.
    p.register_repairer(&repairer(
        "garage@repar.fr",
        "Petit",
        "Jean",
        "Garage du Coin",
        "Lyon",
    ))
    .unwrap();
    let t = last_link(&p, NotificationKind::Activation, "garage@repar.fr");
    p.activate_account(&t, "garage@repar.fr", USER_PW, USER_PW)
        .unwrap();
    let rs = p
        .login("garage@repar.fr", USER_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let est = p.manageable_establishments(&rs).unwrap();
    assert_eq!(est.len(), 1);
    assert_eq!(est[0].code.as_str(), "R000001");
    assert_eq!(est[0].regime, None);
    let m = p
        .rights_matrix(&rs, p.authenticate(&rs).unwrap().account_id)
        .unwrap();
    assert_eq!(
        m.rights_on(&est[0].code),
        rights(&[
            Right::SubmitClaims,
            Right::SearchClaims,
            Right::ManageAccounts
        ])
    );
    assert_eq!(
        code(p.register_repairer(&repairer("GARAGE@repar.fr", "Autre", "Nom", "X", "Y"))),
        "OK",
        "same answer when taken"
    );
    assert_eq!(
        mails(&p, NotificationKind::AccountExists, "garage@repar.fr").len(),
        1
    );
    assert_eq!(
        code(RepairerRegistration::new("bad", "A", "B", "C", "D")),
        "INVALID_EMAIL"
    );
    assert_eq!(
        code(RepairerRegistration::new("new@repar.fr", "", "B", "C", "D")),
        "INVALID_NAME"
    );
    // The outbox.
    let n = p.pending_notifications().unwrap();
    let before = n.len();
    p.acknowledge_notification(n[0].id).unwrap();
    assert_eq!(p.pending_notifications().unwrap().len(), before - 1);
    assert_eq!(
        code(p.acknowledge_notification(n[0].id)),
        "UNKNOWN_NOTIFICATION"
    );
}

/// Bulk import: each row gets its own answer, a bad row writes nothing and stops nothing, the
/// good ones are created as one by one (invited, rights, activation mail, audit event).
pub fn bulk_import<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    // A manager of T99999 holding only SubmitClaims besides ManageAccounts.
    let (_, manager) = active_user(
        &p,
        &admin,
        "T99999",
        "chef@x.fr",
        "Chef",
        &[Right::ManageAccounts, Right::SubmitClaims],
    );
    let row = |at: &str, email: &str, last: &str, r: &[Right]| UserImport {
        establishment: est(at),
        user: NewUser::new(last, "Import", email).unwrap(),
        rights: rights(r),
    };
    let submit = &[Right::SubmitClaims][..];
    let rows = [
        row("T99999", "un@x.fr", "Étienne", submit),
        row("T77777", "deux@x.fr", "Inconnu", submit),
        row(
            "T99999",
            "trois@x.fr",
            "Trop",
            &[Right::AccountingDocuments],
        ),
        row("T88888", "quatre@x.fr", "Ailleurs", submit),
        row("T99999", ADMIN, "Pris", submit),
        row("T99999", "cinq@x.fr", "Abel", submit),
        row("T99999", "CINQ@x.fr", "Double", submit),
        row("T99999", "six@x.fr", "Vide", &[]),
        row("T99999", "sept@x.fr", "Zola", submit),
    ];
    let results = p.create_users(&manager, &rows).unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.code(), |_| "OK"))
        .collect();
    assert_eq!(
        codes,
        [
            "OK",
            "UNKNOWN_ESTABLISHMENT",
            "RIGHTS_ESCALATION",
            "FORBIDDEN",
            "EMAIL_TAKEN",
            "OK",
            "EMAIL_TAKEN",
            "NO_RIGHTS_SELECTED",
            "OK",
        ]
    );
    assert_eq!(
        forbidden(results[3].clone()),
        missing(Right::ManageAccounts, "T88888")
    );
    // The good rows are invited users with their rights and an activation mail.
    for (i, email) in [(0, "un@x.fr"), (5, "cinq@x.fr"), (8, "sept@x.fr")] {
        let id = *results[i].as_ref().unwrap();
        let m = p.rights_matrix(&manager, id).unwrap();
        assert_eq!(m.rights_on(&est("T99999")), rights(submit));
        assert_eq!(mails(&p, NotificationKind::Activation, email).len(), 1);
    }
    // The bad ones left nothing: no mail, no account.
    for email in ["deux@x.fr", "trois@x.fr", "quatre@x.fr", "six@x.fr"] {
        assert!(mails(&p, NotificationKind::Activation, email).is_empty());
    }
    let listed = p
        .list_accounts(
            &admin,
            &AccountQuery::default()
                .with_state(AccountState::Invited)
                .with_page(0, 50)
                .unwrap(),
        )
        .unwrap();
    let names: Vec<&str> = listed.items.iter().map(|a| a.last_name.as_str()).collect();
    assert_eq!(
        names,
        ["Abel", "Étienne", "Zola"],
        "French order, accents folded"
    );
    // One audit event per user created, and the chain still verifies.
    let created = p
        .audit_log(&admin, &est("T99999"), 0, 500)
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::UserCreated)
        .count();
    assert_eq!(created, 1 + 3, "the manager, then the three imported");
    assert!(p.verify_audit_chain(None).is_ok());
    // The imported users activate like any other.
    let t = last_link(&p, NotificationKind::Activation, "un@x.fr");
    p.activate_account(&t, "un@x.fr", USER_PW, USER_PW).unwrap();
    assert!(p.login("un@x.fr", USER_PW, false).is_ok());
}

pub fn list_accounts<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    for (last, first, email) in [
        ("Dupont", "Zoé", "z@x.fr"),
        ("Dupont", "Éric", "e@x.fr"),
        ("Émile", "Paul", "p@x.fr"),
        ("Durand", "Anne", "a@x.fr"),
        ("dupond", "Luc", "l@x.fr"),
    ] {
        p.create_user(
            &admin,
            &est("T99999"),
            &NewUser::new(last, first, email).unwrap(),
            rights(&[Right::SubmitClaims]),
        )
        .unwrap();
    }
    let all = p.list_accounts(&admin, &AccountQuery::default()).unwrap();
    let order: Vec<String> = all
        .items
        .iter()
        .map(|a| format!("{} {}", a.last_name, a.first_name))
        .collect();
    assert_eq!(
        order,
        [
            "dupond Luc",
            "Dupont Éric",
            "Dupont Zoé",
            "Durand Anne",
            "Émile Paul",
            "Geloen Alexandre"
        ]
    );
    let desc = p
        .list_accounts(&admin, &AccountQuery::default().with_descending(true))
        .unwrap();
    assert_eq!(desc.items.first().unwrap().last_name.as_str(), "Geloen");
    let eric = p
        .list_accounts(&admin, &AccountQuery::default().with_text("ERIC").unwrap())
        .unwrap();
    assert_eq!(eric.total, 1);
    assert_eq!(eric.items[0].first_name.as_str(), "Éric");
    let emile = p
        .list_accounts(&admin, &AccountQuery::default().with_text("emile").unwrap())
        .unwrap();
    assert_eq!(emile.total, 1);
    let page = p
        .list_accounts(&admin, &AccountQuery::default().with_page(2, 2).unwrap())
        .unwrap();
    assert_eq!((page.total, page.items.len()), (6, 2));
    assert_eq!(page.items[0].first_name.as_str(), "Zoé");
    let invited = p
        .list_accounts(
            &admin,
            &AccountQuery::default().with_state(AccountState::Invited),
        )
        .unwrap();
    assert_eq!(invited.total, 5);
    let managers = p
        .list_accounts(
            &admin,
            &AccountQuery::default().with_right(Right::ManageAccounts),
        )
        .unwrap();
    assert_eq!(managers.total, 1);
    let t88 = p
        .list_accounts(
            &admin,
            &AccountQuery::default().with_establishment(est("T88888")),
        )
        .unwrap();
    assert_eq!(t88.total, 1);
    assert_eq!(
        code(p.list_accounts(
            &admin,
            &AccountQuery::default().with_establishment(est("T55555"))
        )),
        "UNKNOWN_ESTABLISHMENT"
    );
    // A page of nothing cannot be asked for: the query refuses it when built.
    assert_eq!(
        code(AccountQuery::default().with_page(0, 0)),
        "INVALID_QUERY"
    );
    assert_eq!(all.items.last().unwrap().establishments.len(), 2);
}

pub fn concurrency<S: Store + 'static>(s: S) {
    let (p, _) = portal(s);
    let p = Arc::new(p);
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &garages()).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let token = last_link(&p, NotificationKind::PasswordReset, ADMIN);
    let results: Vec<&'static str> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..8)
            .map(|i| {
                let p = &p;
                let token = &token;
                sc.spawn(move || {
                    let pw = format!("Concurrent-Pass-{i}!");
                    code(p.complete_password_reset(token, ADMIN, &pw, &pw))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|c| **c == "OK").count(),
        1,
        "{results:?}"
    );
    assert!(results.iter().all(|c| *c == "OK" || *c == "TOKEN_INVALID"));
    let winner = results.iter().position(|c| *c == "OK").unwrap();
    let pw = format!("Concurrent-Pass-{winner}!");
    let admin = p
        .login(ADMIN, &pw, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let results: Vec<&'static str> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..8)
            .map(|i| {
                let p = &p;
                let admin = &admin;
                sc.spawn(move || {
                    let u = NewUser::new("Même", &format!("Personne{i}"), "meme@x.fr").unwrap();
                    code(p.create_user(admin, &est("T99999"), &u, rights(&[Right::SubmitClaims])))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|c| **c == "OK").count(),
        1,
        "{results:?}"
    );
    assert_eq!(results.iter().filter(|c| **c == "EMAIL_TAKEN").count(), 7);
    assert!(p.verify_audit_chain(None).is_ok());
}

pub fn documents_and_statements<S: Store>(s: S) {
    use dealer_portal::document::{DocumentQuery, NewDocument};
    use dealer_portal::period::YearMonth;
    use dealer_portal::regime::DebitLine;
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let mut inv = NewDocument::new("accounting", "2204003143", "2022-04-12").unwrap();
    inv.kind = Some(dealer_portal::document::DocumentKind::WarrantyInvoice);
    let inv = inv.validate().unwrap();
    p.add_document(&est("T99999"), &inv).unwrap();
    let mut contract = NewDocument::new("contract", "GV2024000123", "2024-03-01").unwrap();
    contract.registration = Some("ab 123 cd".into());
    let contract = contract.validate().unwrap();
    p.add_document(&est("T99999"), &contract).unwrap();
    assert_eq!(
        code(p.add_document(&est("T00000"), &inv)),
        "UNKNOWN_ESTABLISHMENT"
    );
    let q = DocumentQuery::parse(
        "accounting",
        Some("warranty_invoice"),
        None,
        Some("1/2022"),
        Some("12/2022"),
        None,
        0,
        50,
    )
    .unwrap();
    let page = p.search_documents(&admin, &est("T99999"), &q).unwrap();
    assert_eq!(page.total, 1);
    let by_plate =
        DocumentQuery::parse("contract", None, None, None, None, Some("AB-123-CD"), 0, 50).unwrap();
    assert_eq!(
        p.search_documents(&admin, &est("T99999"), &by_plate)
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        p.search_documents(&admin, &est("T88888"), &by_plate)
            .unwrap()
            .total,
        0,
        "nothing of another establishment"
    );
    let (_, user) = active_user(
        &p,
        &admin,
        "T99999",
        "compta@x.fr",
        "Compta",
        &[Right::SearchClaims],
    );
    assert_eq!(
        forbidden(p.search_documents(&user, &est("T99999"), &q)),
        missing(Right::AccountingDocuments, "T99999")
    );
    // Statements.
    let month: YearMonth = "4/2022".parse().unwrap();
    p.record_debit_line(
        &est("T99999"),
        month,
        &DebitLine::new("stellantis_insurance", "premium", 120_000).unwrap(),
    )
    .unwrap();
    p.record_debit_line(
        &est("T99999"),
        month,
        &DebitLine::new("stellantis_services", "npo", 3_500).unwrap(),
    )
    .unwrap();
    p.record_debit_line(
        &est("T99999"),
        month,
        &DebitLine::new("stellantis_services", "management_fees", 900).unwrap(),
    )
    .unwrap();
    let r = p.monthly_statement(&admin, &est("T99999"), month).unwrap();
    assert_eq!(r.debits.len(), 1);
    assert_eq!(r.debits[0].total_cents, 123_500);
    assert_eq!(r.unexpected.len(), 1);
    assert_eq!(
        forbidden(p.monthly_statement(&user, &est("T99999"), month)),
        missing(Right::AccountingDocuments, "T99999")
    );
}

/// Invokes `$m!` with the name of every flow above: each includer's instantiation takes its list
/// from here.
macro_rules! every_flow {
    ($m:ident) => {
        $m!(
            seed_scenario,
            reset_token_rules,
            dead_links_leave_the_outbox,
            reset_requests_reveal_nothing,
            login_and_lockout,
            sessions,
            rights_rules,
            users_and_repairers,
            bulk_import,
            list_accounts,
            concurrency,
            documents_and_statements,
        );
    };
}
pub(crate) use every_flow;

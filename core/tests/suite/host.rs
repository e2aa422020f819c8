//! What a host needs on every request and every screen (the second release's host surface),
//! generic over [`Store`]: `authenticate`, the connected establishment, one's sessions,
//! profiles, the email change and the header's quick search. Run on every store by the test
//! crates that include this file: `host.rs` (in memory, SQLite) and `postgres.rs`
//! (PostgreSQL), from the list in [`every_host_flow!`].
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{Declaration, NewUser, ProfileUpdate};
use dealer_portal::document::{DocumentFields, NewDocument};
use dealer_portal::email::Email;
use dealer_portal::error::Forbidden;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::menu::Section;
use dealer_portal::notification::{Notification, NotificationKind};
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::session::SessionId;
use dealer_portal::store::{SessionRepo, Store};
use dealer_portal::{Error, ManualClock, Role};
use time::Duration;
use time::macros::datetime;

pub const ADMIN: &str = "admin@garage-xyz.fr";
pub const ADMIN_PW: &str = "Garage XYZ 2026!";
pub const USER_PW: &str = "Premiere-Connexion-1";

pub type P<S> = Portal<S, ManualClock>;

pub fn portal<S: Store>(store: S) -> (P<S>, ManualClock) {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    (
        Portal::new(store, clock.clone(), PortalConfig::for_tests()).unwrap(),
        clock,
    )
}

pub fn code(s: &str) -> EstablishmentCode {
    s.parse().unwrap()
}

pub fn email(s: &str) -> Email {
    s.parse().unwrap()
}

fn garages() -> [Establishment; 2] {
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

fn mails<S: Store>(p: &P<S>, kind: NotificationKind, to: &str) -> Vec<Notification> {
    p.pending_notifications()
        .unwrap()
        .into_iter()
        .filter(|n| n.body.kind == kind && n.body.email.as_str() == to)
        .collect()
}

fn last_link<S: Store>(p: &P<S>, kind: NotificationKind, to: &str) -> String {
    let n = mails(p, kind, to)
        .pop()
        .unwrap_or_else(|| panic!("no {kind} mail for {to}"));
    n.body.token.as_ref().unwrap().expose().to_owned()
}

fn login<S: Store>(p: &P<S>, who: &str, pw: &str) -> String {
    p.login(who, pw, false).unwrap().token.expose().to_owned()
}

/// Declares the administrator of both garages, resets its password, logs in.
fn admin_session<S: Store>(p: &P<S>) -> String {
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &garages()).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let token = last_link(p, NotificationKind::PasswordReset, ADMIN);
    p.complete_password_reset(&token, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    login(p, ADMIN, ADMIN_PW)
}

fn rights(r: &[Right]) -> Rights {
    r.iter().copied().collect()
}

/// Creates and activates a user on `at`; returns (id, session).
fn active_user<S: Store>(
    p: &P<S>,
    admin: &str,
    at: &str,
    to: &str,
    r: &[Right],
) -> (dealer_portal::AccountId, String) {
    let user = NewUser::from_fields("Martin", "Léa", to, None, None).unwrap();
    let id = p.create_user(admin, &code(at), &user, rights(r)).unwrap();
    let token = last_link(p, NotificationKind::Activation, to);
    p.activate_account(&token, to, USER_PW, USER_PW).unwrap();
    (id, login(p, to, USER_PW))
}

fn err<T: std::fmt::Debug>(r: dealer_portal::Result<T>) -> &'static str {
    r.map(|_| ()).map_err(|e| e.code()).err().unwrap_or("OK")
}

pub fn authenticate_says_who_where_and_which_menu<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let info = p.authenticate(&admin).unwrap();
    assert_eq!(info.email.as_str(), ADMIN);
    assert_eq!(info.last_name.as_str(), "Geloen");
    assert_eq!(info.role, Role::Administrator);
    // Connected at login to the first establishment, in code order, where it holds a right.
    assert_eq!(info.establishment, Some(code("T88888")));
    assert_eq!(info.rights.rights_on(&code("T99999")), Rights::all());
    assert_eq!(info.rights.len(), 2);
    assert_eq!(
        info.sections.len(),
        <Section as dealer_portal::Coded>::ALL.len()
    );
    assert!(!info.mfa_enrolled && !info.restricted);
    assert_eq!(err(p.authenticate("not-a-token")), "SESSION_INVALID");
    assert_eq!(
        err(p.authenticate(dealer_portal::token::TokenSecret::generate().expose())),
        "SESSION_INVALID"
    );

    // A user holding one search right sees the menu of that right only.
    let (_, user) = active_user(
        &p,
        &admin,
        "T99999",
        "lea@garage.fr",
        &[Right::SearchClaims],
    );
    let info = p.authenticate(&user).unwrap();
    assert_eq!(info.role, Role::User);
    assert_eq!(info.establishment, Some(code("T99999")));
    let sections: Vec<_> = info.sections.iter().map(|s| s.to_string()).collect();
    assert_eq!(sections, ["home", "workshop_claims", "easicare"]);

    // Logged out: the session is gone.
    p.logout(&user).unwrap();
    assert_eq!(err(p.authenticate(&user)), "SESSION_INVALID");
}

pub fn the_connected_establishment<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let info = p.select_establishment(&admin, &code("T99999")).unwrap();
    assert_eq!(info.establishment, Some(code("T99999")));
    assert_eq!(
        p.authenticate(&admin).unwrap().establishment,
        Some(code("T99999")),
        "held by the session"
    );
    assert_eq!(
        err(p.select_establishment(&admin, &code("T12345"))),
        "UNKNOWN_ESTABLISHMENT"
    );
    // Calls that name no establishment use the connected one.
    let user = NewUser::from_fields("Durand", "Paul", "paul@garage.fr", None, None).unwrap();
    let id = p
        .create_user(&admin, None, &user, rights(&[Right::AccountingDocuments]))
        .unwrap();
    let r = p.rights_matrix(&admin, id).unwrap();
    assert_eq!(
        r.establishments().cloned().collect::<Vec<_>>(),
        [code("T99999")]
    );
    let doc = NewDocument::from_fields(&DocumentFields {
        category: "accounting",
        number: "2204003143",
        issued_on: "2026-01-10",
        ..DocumentFields::default()
    })
    .unwrap();
    p.add_document(&code("T99999"), &doc).unwrap();
    let q = dealer_portal::document::DocumentQuery::new(
        dealer_portal::document::DocumentCategory::Accounting,
    );
    assert_eq!(p.search_documents(&admin, None, &q).unwrap().total, 1);
    assert_eq!(
        p.search_documents(&admin, &code("T88888"), &q)
            .unwrap()
            .total,
        0
    );
    assert_eq!(p.audit_log(&admin, None, 0, 50).unwrap().len(), {
        p.audit_log(&admin, &code("T99999"), 0, 50).unwrap().len()
    });

    // A user with rights on T99999 only cannot connect to T88888, and stays where it was.
    let token = last_link(&p, NotificationKind::Activation, "paul@garage.fr");
    p.activate_account(&token, "paul@garage.fr", USER_PW, USER_PW)
        .unwrap();
    let paul = login(&p, "paul@garage.fr", USER_PW);
    match p.select_establishment(&paul, &code("T88888")) {
        Err(Error::Forbidden {
            reason: Forbidden::NoRightOn { establishment },
        }) => assert_eq!(establishment, "T88888"),
        other => panic!("expected FORBIDDEN, got {other:?}"),
    }
    assert_eq!(
        p.authenticate(&paul).unwrap().establishment,
        Some(code("T99999"))
    );
}

pub fn ones_own_sessions<S: Store>(s: S) {
    let (p, clock) = portal(s);
    let first = admin_session(&p);
    clock.advance(Duration::minutes(1));
    let second = p
        .login(ADMIN, ADMIN_PW, true)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let listed = p.list_sessions(&first).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].current && !listed[1].current, "oldest first");
    assert!(listed[1].remembered && !listed[0].remembered);
    for s in &listed {
        let id = s.id.to_string();
        assert_eq!(id.len(), 32);
        assert!(
            !first.contains(&id) && !second.contains(&id),
            "never the token"
        );
    }
    // Someone else's session id, or none, is UNKNOWN_SESSION and ends nothing.
    let (_, user) = active_user(
        &p,
        &first,
        "T99999",
        "lea@garage.fr",
        &[Right::SearchClaims],
    );
    let user_id = p.list_sessions(&user).unwrap()[0].id;
    assert_eq!(err(p.revoke_session(&first, &user_id)), "UNKNOWN_SESSION");
    assert!(p.authenticate(&user).is_ok());
    assert_eq!(
        err(p.revoke_session(&first, &"0".repeat(32).parse::<SessionId>().unwrap())),
        "UNKNOWN_SESSION"
    );
    assert_eq!(
        "a-session-token-by-mistake"
            .parse::<SessionId>()
            .unwrap_err()
            .to_string(),
        "unknown session: not one of your sessions",
        "an id that does not parse is not repeated"
    );
    // Ending the other one.
    p.revoke_session(&first, &listed[1].id).unwrap();
    assert_eq!(err(p.authenticate(&second)), "SESSION_INVALID");
    assert!(p.authenticate(&first).is_ok());
    // Ending all the others.
    let third = login(&p, ADMIN, ADMIN_PW);
    let fourth = login(&p, ADMIN, ADMIN_PW);
    assert_eq!(p.revoke_other_sessions(&fourth).unwrap(), 2);
    assert_eq!(err(p.authenticate(&first)), "SESSION_INVALID");
    assert_eq!(err(p.authenticate(&third)), "SESSION_INVALID");
    assert_eq!(p.list_sessions(&fourth).unwrap().len(), 1);

    // Ended sessions are removed from the store, not only refused.
    let stale = login(&p, ADMIN, ADMIN_PW);
    clock.advance(Duration::minutes(31));
    let fresh = login(&p, ADMIN, ADMIN_PW);
    let admin_id = p.authenticate(&fresh).unwrap().account_id;
    let stored = p.store().read(|tx| tx.sessions_of(admin_id)).unwrap();
    assert_eq!(
        stored.len(),
        1,
        "login removed the account's ended sessions"
    );
    assert_eq!(err(p.authenticate(&stale)), "SESSION_INVALID");
}

pub fn profiles<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let me = p.authenticate(&admin).unwrap().account_id;
    let mine = p.account(&admin, me).unwrap();
    assert_eq!(mine.function, "Gérant");
    assert_eq!(mine.mobile, None);
    assert!(mine.last_login_at.is_some());
    assert_eq!(mine.rights.len(), 2);

    // Both phones, as typed; "" clears one.
    let update = ProfileUpdate::from_fields(
        None,
        Some("Alexandre-Marie"),
        None,
        Some("06 23 42 54 55"),
        Some("+32 2 555 12 12"),
    )
    .unwrap();
    let edited = p.update_profile(&admin, me, &update).unwrap();
    assert_eq!(edited.first_name.as_str(), "Alexandre-Marie");
    let mobile = edited.mobile.as_ref().unwrap();
    assert_eq!(
        (mobile.e164(), mobile.national_display()),
        ("+33623425455", "06 23 42 54 55")
    );
    assert_eq!(edited.landline.as_ref().unwrap().e164(), "+3225551212");
    assert_eq!(p.account(&admin, me).unwrap(), edited, "stored");
    let cleared = p
        .update_profile(
            &admin,
            me,
            &ProfileUpdate::from_fields(None, None, None, None, Some("")).unwrap(),
        )
        .unwrap();
    assert_eq!(cleared.landline, None);
    assert!(cleared.mobile.is_some());

    // Bad input gets its code; nothing changes.
    assert_eq!(
        err(ProfileUpdate::from_fields(
            None,
            None,
            None,
            Some("01 34 34 67 88"),
            None
        )),
        "INVALID_PHONE"
    );
    assert_eq!(
        err(ProfileUpdate::from_fields(None, None, Some(""), None, None)),
        "INVALID_INPUT"
    );
    assert_eq!(
        err(ProfileUpdate::from_fields(Some(""), None, None, None, None)),
        "INVALID_NAME"
    );

    // A manager edits a user of its establishments; the user cannot see the manager.
    let (lea, user) = active_user(
        &p,
        &admin,
        "T99999",
        "lea@garage.fr",
        &[Right::SearchClaims],
    );
    let detail = p.account(&admin, lea).unwrap();
    assert_eq!(detail.role, Role::User);
    assert_eq!(
        detail.rights.rights_on(&code("T99999")),
        rights(&[Right::SearchClaims])
    );
    let fn_only = ProfileUpdate::from_fields(None, None, Some("Comptable"), None, None).unwrap();
    assert_eq!(
        p.update_profile(&admin, lea, &fn_only).unwrap().function,
        "Comptable"
    );
    assert_eq!(err(p.account(&user, me)), "UNKNOWN_ACCOUNT");
    assert_eq!(
        err(p.update_profile(&user, me, &fn_only)),
        "UNKNOWN_ACCOUNT"
    );
    assert_eq!(
        p.update_profile(&user, lea, &fn_only).unwrap().function,
        "Comptable",
        "oneself"
    );

    // A manager of one of the account's two establishments can read it, not edit it.
    let (_, other) = active_user(
        &p,
        &admin,
        "T88888",
        "chef@garage-uvw.fr",
        &[Right::ManageAccounts, Right::SearchClaims],
    );
    p.set_rights(&admin, lea, &code("T88888"), rights(&[Right::SearchClaims]))
        .unwrap();
    let seen = p.account(&other, lea).unwrap();
    assert_eq!(
        seen.rights.establishments().cloned().collect::<Vec<_>>(),
        [code("T88888")],
        "only the establishments it manages"
    );
    assert_eq!(err(p.update_profile(&other, lea, &fn_only)), "FORBIDDEN");
}

pub fn email_change<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let other_session = login(&p, ADMIN, ADMIN_PW);
    let me = p.authenticate(&admin).unwrap().account_id;
    let new = "alexandre@garage-xyz.fr";

    // A wrong current password is refused and counts toward the lockout.
    assert_eq!(
        err(p.request_email_change(&admin, &email(new), "not my password")),
        "INVALID_CREDENTIALS"
    );
    let a = p.store().read(|tx| {
        use dealer_portal::store::AccountRepo;
        tx.account(me)
    });
    assert_eq!(a.unwrap().unwrap().failed_logins, 1);
    assert!(mails(&p, NotificationKind::EmailChange, new).is_empty());
    assert_eq!(
        err(p.request_email_change(&admin, &email(ADMIN), ADMIN_PW)),
        "INVALID_INPUT",
        "the current address is no change"
    );

    p.request_email_change(&admin, &email(new), ADMIN_PW)
        .unwrap();
    let link = last_link(&p, NotificationKind::EmailChange, new);
    let notice = mails(&p, NotificationKind::EmailChangeRequested, ADMIN);
    assert_eq!(notice.len(), 1);
    assert!(notice[0].body.token.is_none(), "the notice carries no link");
    assert!(p.inspect_token(&link).unwrap().usable);
    // Nothing changed yet.
    assert!(p.authenticate(&admin).is_ok());

    p.confirm_email_change(&link).unwrap();
    assert_eq!(
        err(p.confirm_email_change(&link)),
        "TOKEN_INVALID",
        "used once"
    );
    assert_eq!(err(p.login(ADMIN, ADMIN_PW, false)), "INVALID_CREDENTIALS");
    let s = login(&p, new, ADMIN_PW);
    assert_eq!(p.authenticate(&s).unwrap().email.as_str(), new);
    assert_eq!(
        err(p.authenticate(&admin)),
        "SESSION_INVALID",
        "every session ended"
    );
    assert_eq!(err(p.authenticate(&other_session)), "SESSION_INVALID");

    // A taken address: the same answer, its owner is told, no link is sent.
    let (_, _) = active_user(&p, &s, "T99999", "lea@garage.fr", &[Right::SearchClaims]);
    let before = mails(&p, NotificationKind::AccountExists, "lea@garage.fr").len();
    p.request_email_change(&s, &email("lea@garage.fr"), ADMIN_PW)
        .unwrap();
    assert!(mails(&p, NotificationKind::EmailChange, "lea@garage.fr").is_empty());
    assert_eq!(
        mails(&p, NotificationKind::AccountExists, "lea@garage.fr").len(),
        before + 1
    );
    assert_eq!(err(p.confirm_email_change("garbage")), "TOKEN_INVALID");
}

pub fn quick_search<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let t = code("T99999");
    let doc = |category: &str, number: &str, day: &str, plate: &str| {
        NewDocument::from_fields(&DocumentFields {
            category,
            number,
            issued_on: day,
            kind: None,
            registration: Some(plate),
            ..DocumentFields::default()
        })
        .unwrap()
    };
    p.add_documents(
        &t,
        &[
            doc("contract", "C1", "2026-01-02", "AB-123-CD"),
            doc("workshop_claim", "W1", "2026-01-03", "AB-123-CD"),
            doc("accounting", "2204003143", "2026-01-04", "AB-123-CD"),
            doc("workshop_claim", "W2", "2026-01-05", "XY-999-ZZ"),
        ],
    )
    .unwrap();
    // The administrator reads every category: three documents for the plate, newest first.
    p.select_establishment(&admin, &t).unwrap();
    let page = p
        .search_reference(&admin, "ab 123 cd", None, 0, 50)
        .unwrap();
    assert_eq!(page.total, 3);
    let numbers: Vec<_> = page.items.iter().map(|d| d.doc.number.as_str()).collect();
    assert_eq!(numbers, ["2204003143", "W1", "C1"]);
    let second = p.search_reference(&admin, "AB-123-CD", &t, 1, 1).unwrap();
    assert_eq!(
        (second.total, second.items[0].doc.number.as_str()),
        (3, "W1")
    );
    // A user holding one search right finds the claims only.
    let (_, user) = active_user(
        &p,
        &admin,
        "T99999",
        "lea@garage.fr",
        &[Right::SearchClaims],
    );
    let page = p.search_reference(&user, "AB-123-CD", None, 0, 50).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].doc.number, "W1");
    assert_eq!(
        err(p.search_reference(&user, "not a reference", None, 0, 50)),
        "INVALID_QUERY"
    );
    assert_eq!(
        err(p.search_reference(&user, "AB-123-CD", &code("T88888"), 0, 50)),
        "FORBIDDEN"
    );
    assert_eq!(
        err(p.search_reference(&user, "AB-123-CD", None, 0, 0)),
        "INVALID_QUERY"
    );
}

pub fn passwords_over_1024_bytes_are_refused_unread<S: Store>(s: S) {
    let (p, _) = portal(s);
    let admin = admin_session(&p);
    let me = p.authenticate(&admin).unwrap().account_id;
    let long = format!("{ADMIN_PW}{}", "x".repeat(1025));
    assert_eq!(err(p.login(ADMIN, &long, false)), "INVALID_CREDENTIALS");
    assert_eq!(
        err(p.change_password(
            &admin,
            &long,
            "Another-Password-2026!",
            "Another-Password-2026!"
        )),
        "INVALID_CREDENTIALS"
    );
    assert_eq!(
        err(p.request_email_change(&admin, &email("new@garage-xyz.fr"), &long)),
        "INVALID_CREDENTIALS"
    );
    let a = p.store().read(|tx| {
        use dealer_portal::store::AccountRepo;
        tx.account(me)
    });
    assert_eq!(
        a.unwrap().unwrap().failed_logins,
        3,
        "each counts as a wrong password"
    );
    assert!(p.login(ADMIN, ADMIN_PW, false).is_ok());
}

macro_rules! every_host_flow {
    ($m:ident) => {
        $m!(
            authenticate_says_who_where_and_which_menu,
            the_connected_establishment,
            ones_own_sessions,
            profiles,
            email_change,
            quick_search,
            passwords_over_1024_bytes_are_refused_unread,
        );
    };
}
pub(crate) use every_host_flow;

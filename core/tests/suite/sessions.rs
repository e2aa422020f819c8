//! The store conformance checks of the "host surface" release: a session's establishment, an
//! account's sessions and the deletion of the ended ones, an account's last login, an
//! email-change link's address, the new codes, and [`Store::session_snapshot`]. Written once,
//! generic over [`Store`], and run on every store by the test crates that include this file:
//! `sessions.rs` (in memory, SQLite in a file and in memory) and `postgres.rs` (PostgreSQL).
//! They take the list of checks from [`every_session_check!`], so a new check runs everywhere.
//!
//! Self-contained (its own fixtures), so it does not depend on `conformance.rs`'s. Not a test
//! crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{Account, AccountId, AccountState, Role};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::{NewNotification, NotificationKind};
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use dealer_portal::session::SessionRecord;
use dealer_portal::store::{
    AccountRepo, OutboxRepo, SessionRepo, SessionSnapshot, Store, TokenRecord, TokenRepo,
};
use dealer_portal::token::{
    TokenConfig, TokenDigest, TokenLifecycle, TokenPurpose, TokenSecret, TokenState,
};
use dealer_portal::{Coded, Error, Locale, SecretString};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// A time with nanoseconds, to check that stores keep them.
pub fn t0() -> OffsetDateTime {
    datetime!(2026-01-15 09:00:00.123_456_789 UTC)
}

pub fn code(s: &str) -> EstablishmentCode {
    EstablishmentCode::parse(s).unwrap()
}

pub fn establishment(c: &str) -> Establishment {
    Establishment::new(c, &format!("GARAGE {c}"), "VILLE 1", None).unwrap()
}

/// An active account, created at [`t0`], never logged in.
pub fn account(mail: &str, role: Role) -> Account {
    Account::new(
        mail.parse().unwrap(),
        "Geloen".parse().unwrap(),
        "Alexandre".parse().unwrap(),
        role,
        AccountState::Active,
        Locale::Fr,
        t0(),
    )
}

/// Inserts the account, with `rights` on each establishment (created as needed).
pub fn insert<S: Store>(store: &S, a: &Account, on: &[(&str, Rights)]) {
    store
        .write(|tx| {
            tx.insert_account(a)?;
            for (c, r) in on {
                tx.put_establishment(&establishment(c))?;
                tx.set_rights(a.id, &code(c), *r)?;
            }
            Ok(())
        })
        .unwrap();
}

/// An ordinary session of `who` (30 minutes idle, 12 hours), opened at `at`.
pub fn session(who: AccountId, at: OffsetDateTime, on: Option<&str>) -> SessionRecord {
    SessionRecord::open(
        TokenSecret::generate().digest(),
        who,
        at,
        false,
        on.map(code),
        &TokenConfig::default(),
    )
}

pub fn insert_sessions<S: Store>(store: &S, sessions: &[&SessionRecord]) {
    store
        .write(|tx| {
            for s in sessions {
                tx.insert_session(s)?;
            }
            Ok(())
        })
        .unwrap();
}

pub fn read_session<S: Store>(store: &S, digest: &TokenDigest) -> Option<SessionRecord> {
    store.read(|tx| tx.session(digest)).unwrap()
}

pub fn err_code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.unwrap_err().code()
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// A session keeps its establishment; `set_session_establishment` moves it (or clears it) and
/// says whether the session exists; it is a write, undone with its transaction.
pub fn check_session_establishment<S: Store>(store: &S) {
    let who = AccountId::generate();
    let on_t1 = session(who, t0(), Some("T1"));
    let nowhere = session(who, t0(), None);
    insert_sessions(store, &[&on_t1, &nowhere]);
    assert_eq!(read_session(store, &on_t1.digest), Some(on_t1.clone()));
    assert_eq!(
        read_session(store, &on_t1.digest).unwrap().establishment,
        Some(code("T1"))
    );
    assert_eq!(read_session(store, &nowhere.digest), Some(nowhere.clone()));

    let t2 = code("T2");
    assert!(
        store
            .write(|tx| tx.set_session_establishment(&on_t1.digest, Some(&t2)))
            .unwrap()
    );
    let mut moved = on_t1.clone();
    moved.establishment = Some(t2.clone());
    assert_eq!(read_session(store, &on_t1.digest), Some(moved.clone()));
    // Setting the same one again still finds the session.
    assert!(
        store
            .write(|tx| tx.set_session_establishment(&on_t1.digest, Some(&t2)))
            .unwrap()
    );
    assert!(
        store
            .write(|tx| tx.set_session_establishment(&nowhere.digest, Some(&t2)))
            .unwrap()
    );
    assert!(
        store
            .write(|tx| tx.set_session_establishment(&nowhere.digest, None))
            .unwrap()
    );
    assert_eq!(read_session(store, &nowhere.digest), Some(nowhere.clone()));
    // Unknown session: false, nothing created.
    let unknown = TokenSecret::generate().digest();
    assert!(
        !store
            .write(|tx| tx.set_session_establishment(&unknown, Some(&t2)))
            .unwrap()
    );
    assert_eq!(read_session(store, &unknown), None);
    // Rolled back with its transaction; refused in a read.
    let r: Result<(), Error> = store.write(|tx| {
        assert!(tx.set_session_establishment(&on_t1.digest, None)?);
        assert_eq!(tx.session(&on_t1.digest)?.unwrap().establishment, None);
        Err(Error::TokenInvalid)
    });
    assert!(r.is_err());
    assert_eq!(read_session(store, &on_t1.digest), Some(moved.clone()));
    assert_eq!(
        err_code(store.read(|tx| tx.set_session_establishment(&on_t1.digest, None))),
        "STORAGE"
    );
    assert_eq!(read_session(store, &on_t1.digest), Some(moved));
}

/// `sessions_of`: the account's sessions only, oldest first, then by digest.
pub fn check_sessions_of<S: Store>(store: &S) {
    let (who, other) = (AccountId::generate(), AccountId::generate());
    let late = session(who, t0() + Duration::minutes(5), Some("T1"));
    let early = session(who, t0() - Duration::nanoseconds(1), None);
    let mut remembered = SessionRecord::open(
        TokenSecret::generate().digest(),
        who,
        t0(),
        true,
        Some(code("T2")),
        &TokenConfig::default(),
    );
    let mut same_time = session(who, t0(), None);
    // Two sessions opened at the same instant: ordered by digest, bytewise.
    if same_time.digest.as_bytes() < remembered.digest.as_bytes() {
        std::mem::swap(&mut same_time.digest, &mut remembered.digest);
    }
    let others = session(other, t0() - Duration::hours(1), Some("T1"));
    // Inserted in no particular order.
    insert_sessions(store, &[&late, &same_time, &others, &early, &remembered]);
    let expected = vec![early, remembered, same_time, late.clone()];
    assert_eq!(store.read(|tx| tx.sessions_of(who)).unwrap(), expected);
    assert_eq!(store.write(|tx| tx.sessions_of(who)).unwrap(), expected);
    assert_eq!(
        store.read(|tx| tx.sessions_of(other)).unwrap(),
        vec![others]
    );
    assert_eq!(
        store
            .read(|tx| tx.sessions_of(AccountId::generate()))
            .unwrap(),
        Vec::<SessionRecord>::new()
    );
    // What a transaction did is what it lists.
    store
        .write(|tx| {
            tx.delete_session(&late.digest)?;
            assert_eq!(tx.sessions_of(who)?.len(), 3);
            Ok(())
        })
        .unwrap();
    assert_eq!(store.read(|tx| tx.sessions_of(who)).unwrap(), expected[..3]);
}

/// `delete_expired_sessions`: exactly the account's sessions that `is_valid(now)` refuses
/// (`now >= expires_at` or `now >= last_seen + idle`), and how many.
pub fn check_delete_expired_sessions<S: Store>(store: &S) {
    let (who, other) = (AccountId::generate(), AccountId::generate());
    let cfg = TokenConfig::default();
    let now = t0() + Duration::hours(12);
    // Opened at t0 and used since: past its absolute end exactly at `now`.
    let mut absolute = session(who, t0(), None);
    absolute.last_seen = now - Duration::minutes(1);
    // Idle: last seen exactly 30 minutes before `now`.
    let idle = session(who, now - cfg.session_idle, Some("T1"));
    // Idle for one nanosecond less: still valid.
    let almost_idle = session(who, now - cfg.session_idle + Duration::nanoseconds(1), None);
    // Its absolute end one nanosecond after `now`: still valid.
    let mut almost_over = session(who, t0() + Duration::nanoseconds(1), None);
    almost_over.last_seen = now - Duration::minutes(1);
    // Remembered for 30 days, idle for a week: valid.
    let remembered = SessionRecord::open(
        TokenSecret::generate().digest(),
        who,
        now - Duration::days(7),
        true,
        None,
        &cfg,
    );
    let fresh = session(who, now, Some("T2"));
    // Another account's ended session: kept.
    let others = session(other, t0() - Duration::days(1), None);
    let all = [
        &absolute,
        &idle,
        &almost_idle,
        &almost_over,
        &remembered,
        &fresh,
        &others,
    ];
    insert_sessions(store, &all);
    // The fixtures are what they claim, by the domain's own rule.
    let ended: Vec<bool> = all.iter().map(|s| !s.is_valid(now)).collect();
    assert_eq!(ended, [true, true, false, false, false, false, true]);

    // Refused in a read; undone with its transaction.
    assert_eq!(
        err_code(store.read(|tx| tx.delete_expired_sessions(who, now))),
        "STORAGE"
    );
    let r: Result<(), Error> = store.write(|tx| {
        assert_eq!(tx.delete_expired_sessions(who, now)?, 2);
        Err(Error::TokenInvalid)
    });
    assert!(r.is_err());
    assert_eq!(store.read(|tx| tx.sessions_of(who)).unwrap().len(), 6);

    assert_eq!(
        store
            .write(|tx| tx.delete_expired_sessions(who, now))
            .unwrap(),
        2
    );
    assert_eq!(read_session(store, &absolute.digest), None);
    assert_eq!(read_session(store, &idle.digest), None);
    for kept in [&almost_idle, &almost_over, &remembered, &fresh, &others] {
        assert_eq!(read_session(store, &kept.digest).as_ref(), Some(kept));
    }
    assert_eq!(
        store
            .write(|tx| tx.delete_expired_sessions(who, now))
            .unwrap(),
        0
    );
    // One nanosecond later, the two on the edge have ended too.
    assert_eq!(
        store
            .write(|tx| tx.delete_expired_sessions(who, now + Duration::nanoseconds(1)))
            .unwrap(),
        2
    );
    assert_eq!(
        store.read(|tx| tx.sessions_of(who)).unwrap(),
        vec![remembered, fresh]
    );
    assert_eq!(
        store
            .write(|tx| tx.delete_expired_sessions(other, now))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .write(|tx| tx.delete_expired_sessions(AccountId::generate(), now))
            .unwrap(),
        0
    );
}

/// An account's last login round-trips to the nanosecond, by id and by email, and can be
/// cleared.
pub fn check_last_login_at<S: Store>(store: &S) {
    let mut a = account("alexandre@garage.fr", Role::Administrator);
    assert_eq!(a.last_login_at, None);
    insert(store, &a, &[]);
    assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(a.clone()));

    a.failed_logins = 2;
    a.record_login(t0() + Duration::minutes(3));
    assert_eq!(a.last_login_at, Some(t0() + Duration::minutes(3)));
    store.write(|tx| tx.update_account(&a)).unwrap();
    assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(a.clone()));
    assert_eq!(
        store.read(|tx| tx.account_by_email(&a.email)).unwrap(),
        Some(a.clone())
    );

    a.last_login_at = None;
    store.write(|tx| tx.update_account(&a)).unwrap();
    assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(a.clone()));

    // Inserted with one.
    let mut b = account("bea@garage.fr", Role::User);
    b.last_login_at = Some(t0() - Duration::days(400));
    insert(
        store,
        &b,
        &[("T1", Rights::from(Right::AccountingDocuments))],
    );
    assert_eq!(store.read(|tx| tx.account(b.id)).unwrap(), Some(b));
}

/// An email-change link keeps the address it confirms, through `token`, `consume_token` and
/// `end_tokens`; other links have none.
pub fn check_token_email<S: Store>(store: &S) {
    let who = AccountId::generate();
    let new_address = "nouvelle.adresse@garage-xyz.fr".parse().unwrap();
    let change = TokenRecord {
        digest: TokenSecret::generate().digest(),
        account: who,
        lifecycle: TokenLifecycle::issue(TokenPurpose::EmailChange, t0(), Duration::hours(24)),
        email: Some(new_address),
    };
    let reset = TokenRecord {
        digest: TokenSecret::generate().digest(),
        account: who,
        lifecycle: TokenLifecycle::issue(TokenPurpose::PasswordReset, t0(), Duration::hours(1)),
        email: None,
    };
    store
        .write(|tx| {
            tx.insert_token(&change)?;
            tx.insert_token(&reset)
        })
        .unwrap();
    assert_eq!(
        store.read(|tx| tx.token(&change.digest)).unwrap(),
        Some(change.clone())
    );
    assert_eq!(
        store.read(|tx| tx.token(&reset.digest)).unwrap(),
        Some(reset.clone())
    );
    // Consumed for its own purpose only, returned with its address.
    assert_eq!(
        store
            .write(|tx| tx.consume_token(&change.digest, TokenPurpose::PasswordReset, t0()))
            .unwrap(),
        None
    );
    let mut consumed = change.clone();
    consumed.lifecycle.state = TokenState::Consumed;
    assert_eq!(
        store
            .write(|tx| tx.consume_token(&change.digest, TokenPurpose::EmailChange, t0()))
            .unwrap(),
        Some(consumed.clone())
    );
    assert_eq!(
        store.read(|tx| tx.token(&change.digest)).unwrap(),
        Some(consumed)
    );

    // end_tokens with the new purpose, alone or among all three.
    let second = TokenRecord {
        digest: TokenSecret::generate().digest(),
        ..change.clone()
    };
    store.write(|tx| tx.insert_token(&second)).unwrap();
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(who, &[TokenPurpose::Activation], TokenState::Revoked))
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(who, &[TokenPurpose::EmailChange], TokenState::Superseded))
            .unwrap(),
        1
    );
    let third = TokenRecord {
        digest: TokenSecret::generate().digest(),
        ..change.clone()
    };
    store.write(|tx| tx.insert_token(&third)).unwrap();
    let every = [
        TokenPurpose::Activation,
        TokenPurpose::EmailChange,
        TokenPurpose::PasswordReset,
        TokenPurpose::EmailChange,
    ];
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(who, &every, TokenState::Revoked))
            .unwrap(),
        2,
        "the third email-change link and the reset link"
    );
    let states: Vec<TokenState> = [&second, &third, &reset]
        .iter()
        .map(|t| {
            let back = store.read(|tx| tx.token(&t.digest)).unwrap().unwrap();
            assert_eq!(back.email, t.email);
            back.lifecycle.state
        })
        .collect();
    assert_eq!(
        states,
        [
            TokenState::Superseded,
            TokenState::Revoked,
            TokenState::Revoked
        ]
    );
}

/// The codes added with this release are stored and read back: a repairer's role, the
/// email-change purpose (see [`check_token_email`]) and the two email-change notifications.
pub fn check_new_codes<S: Store>(store: &S) {
    assert!(TokenPurpose::ALL.contains(&TokenPurpose::EmailChange));
    let repairer = account("reparateur@garage.fr", Role::Repairer);
    let r1 = store.write(|tx| tx.next_repairer_code()).unwrap();
    insert(
        store,
        &repairer,
        &[(
            r1.as_str(),
            Rights::of(&[Right::ManageAccounts, Right::AccountingDocuments]),
        )],
    );
    let back = store.read(|tx| tx.account(repairer.id)).unwrap().unwrap();
    assert_eq!(back.role, Role::Repairer);
    assert_eq!(back, repairer);

    let mail = |kind, to: &str, token: Option<&str>| NewNotification {
        kind,
        email: to.parse().unwrap(),
        name: "Alexandre Geloen".into(),
        token: token.map(SecretString::from),
        expires_at: token.map(|_| t0() + Duration::hours(24)),
        locale: Locale::En,
    };
    let confirm = mail(
        NotificationKind::EmailChange,
        "nouvelle@garage.fr",
        Some("link-token"),
    );
    let notice = mail(
        NotificationKind::EmailChangeRequested,
        "ancienne@garage.fr",
        None,
    );
    store
        .write(|tx| {
            tx.queue(&confirm, t0())?;
            tx.queue(&notice, t0() + Duration::seconds(1))
        })
        .unwrap();
    let pending = store.read(|tx| tx.pending(10)).unwrap();
    let kinds: Vec<NotificationKind> = pending.iter().map(|n| n.body.kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::EmailChange,
            NotificationKind::EmailChangeRequested
        ]
    );
    assert_eq!(pending[0].body, confirm);
    assert_eq!(pending[1].body, notice);
    for (n, kind) in [
        (&confirm, NotificationKind::EmailChange),
        (&notice, NotificationKind::EmailChangeRequested),
    ] {
        assert_eq!(
            store
                .read(|tx| tx.count_queued_since(&n.email, kind, t0()))
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .read(|tx| tx.count_queued_since(&n.email, NotificationKind::PasswordReset, t0()))
                .unwrap(),
            0
        );
    }
}

/// `session_snapshot`: the session, its account and the account's rights, as the separate
/// reads give them; `None` for an unknown digest or a session whose account is gone.
pub fn check_session_snapshot<S: Store>(store: &S) {
    let mut a = account("alexandre@garage.fr", Role::Administrator);
    a.record_login(t0());
    let manage = Rights::of(&[Right::ManageAccounts, Right::AccountingDocuments]);
    let docs = Rights::from(Right::AccountingDocuments);
    insert(store, &a, &[("T2", docs), ("T1", manage)]);
    let s = session(a.id, t0(), Some("T1"));
    insert_sessions(store, &[&s]);

    let snap = store.session_snapshot(&s.digest).unwrap().unwrap();
    let mut rights = RightsMatrix::default();
    rights.set(code("T1"), manage);
    rights.set(code("T2"), docs);
    assert_eq!(
        snap,
        SessionSnapshot {
            session: s.clone(),
            account: a.clone(),
            rights: rights.clone(),
            mfa_enrolled: false,
        }
    );
    assert_eq!(store.read(|tx| tx.rights(a.id)).unwrap(), rights);

    // Unknown digest.
    assert_eq!(
        store
            .session_snapshot(&TokenSecret::generate().digest())
            .unwrap(),
        None
    );

    // It follows the store: rights, establishment, last use, account.
    let t3 = code("T3");
    store
        .write(|tx| {
            tx.put_establishment(&establishment("T3"))?;
            tx.set_rights(a.id, &code("T2"), Rights::default())?;
            tx.set_rights(a.id, &t3, docs)?;
            tx.set_session_establishment(&s.digest, Some(&t3))?;
            tx.touch_session(&s.digest, t0() + Duration::minutes(10))
        })
        .unwrap();
    a.record_login(t0() + Duration::minutes(10));
    store.write(|tx| tx.update_account(&a)).unwrap();
    let snap = store.session_snapshot(&s.digest).unwrap().unwrap();
    let mut moved = s.clone();
    moved.establishment = Some(t3.clone());
    moved.last_seen = t0() + Duration::minutes(10);
    let mut rights = RightsMatrix::default();
    rights.set(code("T1"), manage);
    rights.set(t3, docs);
    assert_eq!(
        (snap.session, snap.account, snap.rights),
        (moved, a.clone(), rights)
    );

    // An account holding no right: an empty matrix.
    let b = account("bea@garage.fr", Role::User);
    insert(store, &b, &[]);
    let sb = session(b.id, t0(), None);
    insert_sessions(store, &[&sb]);
    let snap = store.session_snapshot(&sb.digest).unwrap().unwrap();
    assert_eq!(
        (snap.session, snap.account, snap.rights),
        (sb, b, RightsMatrix::default())
    );

    // A session whose account is not in the store: none.
    let orphan = session(AccountId::generate(), t0(), Some("T1"));
    insert_sessions(store, &[&orphan]);
    assert_eq!(store.session_snapshot(&orphan.digest).unwrap(), None);

    // A deleted session: none.
    store.write(|tx| tx.delete_session(&s.digest)).unwrap();
    assert_eq!(store.session_snapshot(&s.digest).unwrap(), None);
}

/// Calls `$m!(check, ...)` with every check of this suite, so the test crates that run it on
/// each store cannot miss one.
macro_rules! every_session_check {
    ($m:ident) => {
        $m!(
            check_session_establishment,
            check_sessions_of,
            check_delete_expired_sessions,
            check_last_login_at,
            check_token_email,
            check_new_codes,
            check_session_snapshot,
        );
    };
}
pub(crate) use every_session_check;

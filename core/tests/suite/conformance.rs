//! The store conformance suite: every check written once, generic over [`Store`], and run on
//! every store by the test crates that include this file: `conformance.rs` (in memory, SQLite)
//! and `postgres.rs` (PostgreSQL). They take the list of checks from [`every_check!`], so a new
//! check runs everywhere; the fixtures are `pub` for their store-specific tests.
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{Account, AccountId, AccountQuery, AccountState, Role};
use dealer_portal::audit::{AuditAction, NewAuditEvent, verify_chain};
use dealer_portal::document::{Document, DocumentCategory, DocumentQuery, NewDocument};
use dealer_portal::email::Email;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::names::PersonName;
use dealer_portal::notification::{NewNotification, NotificationId, NotificationKind};
use dealer_portal::password::PasswordHash;
use dealer_portal::period::{Period, YearMonth};
use dealer_portal::phone::{PhoneKind, PhoneNumber};
use dealer_portal::reference::parse_reference;
use dealer_portal::regime::{DebitLine, Regime};
use dealer_portal::rights::{Right, Rights};
use dealer_portal::session::SessionRecord;
use dealer_portal::store::{
    AccountRepo, AuditRepo, DocumentRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use dealer_portal::token::{TokenConfig, TokenLifecycle, TokenPurpose, TokenSecret, TokenState};
use dealer_portal::{Error, Locale, SecretString};
use serde_json::json;
use std::sync::Barrier;
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

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

pub fn establishment(c: &str) -> Establishment {
    Establishment::new(
        c,
        &format!("GARAGE {c}"),
        "VILLE 1",
        Some(Regime::Insurance),
    )
    .unwrap()
}

pub fn account(mail: &str, last: &str, first: &str, state: AccountState) -> Account {
    Account {
        id: AccountId::generate(),
        email: email(mail),
        last_name: PersonName::parse(last).unwrap(),
        first_name: PersonName::parse(first).unwrap(),
        function: String::new(),
        role: Role::User,
        state,
        mobile: None,
        landline: None,
        password: None,
        previous_passwords: Vec::new(),
        failed_logins: 0,
        lockouts: 0,
        locked_until: None,
        locale: Locale::Fr,
        created_at: t0(),
        last_login_at: None,
    }
}

pub const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$Z3fRtTuKanHfnxrtK4R0Vg$/icOWF4OBsvWNMrBC39vuBFtHGqf91vm6wTsUyfxAOQ";
pub const PHC_OLD: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$KqL1Jm6Ttr3cO9YqC3EoZk4wq5u0mQ3m7i2p0o7cZqY";

/// An account with every optional field set.
pub fn full_account(mail: &str) -> Account {
    let mut a = account(mail, "Geloen", "Alexandre", AccountState::Active);
    a.function = "Gérant".into();
    a.role = Role::Administrator;
    a.mobile = Some(PhoneNumber::parse("+33", "06 23 42 54 55", PhoneKind::Mobile).unwrap());
    a.landline = Some(PhoneNumber::parse("+33", "01 34 34 67 88", PhoneKind::FixedLine).unwrap());
    a.password = Some(PasswordHash::from_phc(PHC.into()).unwrap());
    a.previous_passwords = vec![PasswordHash::from_phc(PHC_OLD.into()).unwrap()];
    a.failed_logins = 3;
    a.lockouts = 2;
    a.locked_until = Some(t0() + Duration::minutes(15));
    a.locale = Locale::En;
    a
}

pub fn rights(rs: &[Right]) -> Rights {
    Rights::of(rs)
}

pub fn token(
    account: AccountId,
    purpose: TokenPurpose,
    issued_at: OffsetDateTime,
    ttl: Duration,
) -> TokenRecord {
    TokenRecord {
        digest: TokenSecret::generate().digest(),
        account,
        lifecycle: TokenLifecycle::issue(purpose, issued_at, ttl),
        email: None,
    }
}

pub fn notification(kind: NotificationKind, to: &str, token: Option<&str>) -> NewNotification {
    NewNotification {
        kind,
        email: email(to),
        name: "Alexandre Geloen".into(),
        token: token.map(SecretString::from),
        expires_at: token.map(|_| t0() + Duration::hours(1)),
        locale: Locale::Fr,
    }
}

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

/// Like [`insert`], but the first establishment's rights go in with the account
/// ([`AccountRepo::insert_account_with_rights`], what creating a user does).
pub fn insert_with_rights<S: Store>(store: &S, a: &Account, on: &[(&str, Rights)]) {
    store
        .write(|tx| {
            for (c, _) in on {
                tx.put_establishment(&establishment(c))?;
            }
            let ((first, r), rest) = on.split_first().expect("one establishment at least");
            tx.insert_account_with_rights(a, &code(first), *r)?;
            for (c, r) in rest {
                tx.set_rights(a.id, &code(c), *r)?;
            }
            Ok(())
        })
        .unwrap();
}

pub fn err_code<T: std::fmt::Debug>(r: dealer_portal::Result<T>) -> &'static str {
    r.unwrap_err().code()
}

// ---------------------------------------------------------------------------------------------
// The checks, once for every store
// ---------------------------------------------------------------------------------------------

pub fn check_establishments<S: Store>(store: &S) {
    let e = establishment("T99999");
    store.write(|tx| tx.put_establishment(&e)).unwrap();
    assert_eq!(
        store.read(|tx| tx.establishment(&code("t99999"))).unwrap(),
        Some(e.clone())
    );
    let renamed = Establishment::new("T99999", "GARAGE UVW", "VILLE 2", None).unwrap();
    store.write(|tx| tx.put_establishment(&renamed)).unwrap();
    assert_eq!(
        store.read(|tx| tx.establishment(&code("T99999"))).unwrap(),
        Some(renamed)
    );
    assert_eq!(
        store.read(|tx| tx.establishment(&code("T00000"))).unwrap(),
        None
    );
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000001"
    );
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000002"
    );
}

pub fn check_accounts<S: Store>(store: &S) {
    let a = full_account("Alexandre@Gmail.com");
    store.write(|tx| tx.insert_account(&a)).unwrap();
    // Every field round-trips, nanoseconds included.
    assert_eq!(store.read(|tx| tx.account(a.id)).unwrap(), Some(a.clone()));
    // Lookup by email is case-insensitive (emails are normalised when parsed).
    assert_eq!(
        store
            .read(|tx| tx.account_by_email(&email(" ALEXANDRE@gmail.COM ")))
            .unwrap(),
        Some(a.clone())
    );
    assert_eq!(
        store
            .read(|tx| tx.account_by_email(&email("nobody@gmail.com")))
            .unwrap(),
        None
    );
    assert_eq!(
        store.read(|tx| tx.account(AccountId::generate())).unwrap(),
        None
    );

    // Unique email, whatever its case.
    let twin = account(
        "alexandre@GMAIL.com",
        "Autre",
        "Personne",
        AccountState::Invited,
    );
    assert_eq!(
        err_code(store.write(|tx| tx.insert_account(&twin))),
        "EMAIL_TAKEN"
    );
    assert_eq!(store.read(|tx| tx.account(twin.id)).unwrap(), None);

    // Update: fields change, the email index follows.
    let b = account("bob@garage.fr", "Martin", "Bob", AccountState::Invited);
    store.write(|tx| tx.insert_account(&b)).unwrap();
    let mut b2 = b.clone();
    b2.email = email("robert@garage.fr");
    b2.state = AccountState::Active;
    b2.last_name = PersonName::parse("Martín").unwrap();
    b2.set_password(PasswordHash::from_phc(PHC.into()).unwrap(), 5);
    store.write(|tx| tx.update_account(&b2)).unwrap();
    assert_eq!(store.read(|tx| tx.account(b.id)).unwrap(), Some(b2.clone()));
    assert_eq!(
        store
            .read(|tx| tx.account_by_email(&email("bob@garage.fr")))
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .read(|tx| tx.account_by_email(&email("robert@garage.fr")))
            .unwrap(),
        Some(b2.clone())
    );
    // The old email is free again.
    let c = account("bob@garage.fr", "Autre", "Bob", AccountState::Invited);
    store.write(|tx| tx.insert_account(&c)).unwrap();

    // Update to a taken email.
    let mut b3 = b2.clone();
    b3.email = email("ALEXANDRE@gmail.com");
    assert_eq!(
        err_code(store.write(|tx| tx.update_account(&b3))),
        "EMAIL_TAKEN"
    );
    assert_eq!(store.read(|tx| tx.account(b.id)).unwrap(), Some(b2));
    // Update of an unknown account.
    let ghost = account("ghost@garage.fr", "Ghost", "G", AccountState::Active);
    assert_eq!(
        err_code(store.write(|tx| tx.update_account(&ghost))),
        "UNKNOWN_ACCOUNT"
    );
}

pub fn check_rights<S: Store>(store: &S) {
    let a = account("a@garage.fr", "Abel", "Anne", AccountState::Active);
    let b = account("b@garage.fr", "Blanc", "Bea", AccountState::Active);
    let c = account("c@garage.fr", "Court", "Cyril", AccountState::Invited);
    let d = account("d@garage.fr", "Dame", "Dora", AccountState::Disabled);
    let manage = rights(&[Right::ManageAccounts, Right::SearchClaims]);
    insert(
        store,
        &a,
        &[("T1", manage), ("T2", rights(&[Right::SearchClaims]))],
    );
    insert(store, &b, &[("T1", rights(&[Right::AccountingDocuments]))]);
    insert(store, &c, &[("T1", Rights::all())]);
    insert(store, &d, &[("T1", Rights::all())]);

    let m = store.read(|tx| tx.rights(a.id)).unwrap();
    assert_eq!(m.rights_on(&code("T1")), manage);
    assert_eq!(m.rights_on(&code("T2")), rights(&[Right::SearchClaims]));
    assert_eq!(m.len(), 2);
    // Only active accounts holding ManageAccounts count.
    assert_eq!(store.read(|tx| tx.active_managers(&code("T1"))).unwrap(), 1);
    assert_eq!(store.read(|tx| tx.active_managers(&code("T2"))).unwrap(), 0);
    assert_eq!(store.read(|tx| tx.active_managers(&code("T9"))).unwrap(), 0);
    store
        .write(|tx| tx.set_rights(b.id, &code("T1"), Rights::all()))
        .unwrap();
    assert_eq!(store.read(|tx| tx.active_managers(&code("T1"))).unwrap(), 2);

    // Setting empty rights removes the entry: a matrix never holds an empty set.
    store
        .write(|tx| tx.set_rights(a.id, &code("T2"), Rights::EMPTY))
        .unwrap();
    let m = store.read(|tx| tx.rights(a.id)).unwrap();
    assert_eq!(m.len(), 1);
    assert!(m.iter().all(|(_, r)| !r.is_empty()));
    store
        .write(|tx| tx.set_rights(a.id, &code("T1"), Rights::EMPTY))
        .unwrap();
    assert!(store.read(|tx| tx.rights(a.id)).unwrap().is_empty());
    // Clearing what is not there is fine.
    store
        .write(|tx| tx.set_rights(a.id, &code("T7"), Rights::EMPTY))
        .unwrap();
    assert!(store.read(|tx| tx.rights(a.id)).unwrap().is_empty());
    assert_eq!(store.read(|tx| tx.active_managers(&code("T1"))).unwrap(), 1);
    // Rights of an unknown account.
    assert_eq!(
        err_code(store.write(|tx| tx.set_rights(AccountId::generate(), &code("T1"), manage))),
        "UNKNOWN_ACCOUNT"
    );
    assert!(
        store
            .read(|tx| tx.rights(AccountId::generate()))
            .unwrap()
            .is_empty()
    );

    // An account inserted with its rights (user creation) holds them like any other.
    let e = account("e@garage.fr", "Émile", "Eve", AccountState::Active);
    insert_with_rights(store, &e, &[("T1", manage)]);
    assert_eq!(
        store
            .read(|tx| tx.rights(e.id))
            .unwrap()
            .rights_on(&code("T1")),
        manage
    );
    assert_eq!(store.read(|tx| tx.active_managers(&code("T1"))).unwrap(), 2);
    // A taken email: nothing of the new account is written, the owner's rights are untouched.
    let twin = account("E@Garage.fr", "Autre", "Eve", AccountState::Active);
    assert_eq!(
        err_code(store.write(|tx| tx.insert_account_with_rights(&twin, &code("T2"), manage))),
        "EMAIL_TAKEN"
    );
    assert!(store.read(|tx| tx.account(twin.id)).unwrap().is_none());
    assert!(store.read(|tx| tx.rights(twin.id)).unwrap().is_empty());
    assert_eq!(store.read(|tx| tx.rights(e.id)).unwrap().len(), 1);
    // No rights: the account alone.
    let f = account("f@garage.fr", "Fabre", "Fanny", AccountState::Invited);
    store
        .write(|tx| tx.insert_account_with_rights(&f, &code("T1"), Rights::EMPTY))
        .unwrap();
    assert!(store.read(|tx| tx.account(f.id)).unwrap().is_some());
    assert!(store.read(|tx| tx.rights(f.id)).unwrap().is_empty());
}

/// The list fixture: five accounts visible from T1 and T2, one only on T3.
struct People {
    abel: Account,
    dupont: Account,
    edgar: Account,
    eric: Account,
    eva: Account,
    zoe: Account,
}

fn people<S: Store>(store: &S) -> People {
    let p = People {
        abel: account("anne.abel@garage.fr", "Abel", "Anne", AccountState::Active),
        dupont: account(
            "eric.dupont@garage.fr",
            "Dupont",
            "Éric",
            AccountState::Active,
        ),
        edgar: account("paul@garage.fr", "Edgar", "Paul", AccountState::Invited),
        eric: account("marc@garage.fr", "Éric", "Marc", AccountState::Active),
        eva: account("luc@garage.fr", "Eva", "Luc", AccountState::Disabled),
        zoe: account("jean@garage.fr", "Zoé", "Jean", AccountState::Active),
    };
    // Inserted out of order.
    // Some with their first rights inserted with the account, as user creation does: the
    // listing must not tell them apart.
    insert_with_rights(store, &p.zoe, &[("T3", Rights::all())]);
    insert(store, &p.eva, &[("T2", rights(&[Right::SearchClaims]))]);
    insert(
        store,
        &p.eric,
        &[
            ("T2", rights(&[Right::SearchClaims])),
            ("T1", rights(&[Right::AccountingDocuments])),
        ],
    );
    insert(
        store,
        &p.abel,
        &[("T1", rights(&[Right::ManageAccounts, Right::SearchClaims]))],
    );
    insert_with_rights(
        store,
        &p.edgar,
        &[
            ("T1", rights(&[Right::SearchClaims])),
            ("T3", Rights::all()),
        ],
    );
    insert_with_rights(
        store,
        &p.dupont,
        &[("T1", rights(&[Right::ManageAccounts]))],
    );
    p
}

pub fn check_list_accounts<S: Store>(store: &S) {
    let p = people(store);
    let scope = [code("T2"), code("T1")];
    let list = |q: AccountQuery| store.read(|tx| tx.list_accounts(&scope, &q)).unwrap();
    let ids = |q: AccountQuery| {
        let page = list(q);
        (
            page.items.iter().map(|s| s.id).collect::<Vec<_>>(),
            page.total,
        )
    };
    let all = vec![p.abel.id, p.dupont.id, p.edgar.id, p.eric.id, p.eva.id];

    // French order: "Éric" among the E's, A→Z and Z→A; T3-only accounts are out of scope.
    assert_eq!(ids(AccountQuery::default()), (all.clone(), 5));
    let mut rev = all.clone();
    rev.reverse();
    assert_eq!(ids(AccountQuery::default().with_descending(true)), (rev, 5));

    // Summaries: fields, and the establishments within the scope, sorted.
    let page = list(AccountQuery::default());
    let eric = &page.items[3];
    assert_eq!(
        (
            eric.email.as_str(),
            eric.last_name.as_str(),
            eric.first_name.as_str()
        ),
        ("marc@garage.fr", "Éric", "Marc")
    );
    assert_eq!(eric.state, AccountState::Active);
    assert_eq!(eric.establishments, vec![code("T1"), code("T2")]);
    assert_eq!(
        page.items[2].establishments,
        vec![code("T1")],
        "T3 is outside the scope"
    );

    // Text: case- and accent-insensitive, on names and email.
    let text = |t: &str| AccountQuery::default().with_text(t).unwrap();
    assert_eq!(ids(text("eric")), (vec![p.dupont.id, p.eric.id], 2));
    assert_eq!(ids(text("ÉRIC")), (vec![p.dupont.id, p.eric.id], 2));
    assert_eq!(ids(text("garage.fr")).1, 5);
    assert_eq!(ids(text("luc@")), (vec![p.eva.id], 1));
    assert_eq!(ids(text("zoe")), (vec![], 0), "out of scope");
    assert_eq!(ids(text("")).1, 5, "empty text is no filter");

    // Filters.
    let on = |c: &str| AccountQuery::default().with_establishment(code(c));
    let page = list(on("T2"));
    assert_eq!(
        page.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![p.eric.id, p.eva.id]
    );
    assert_eq!(page.items[0].establishments, vec![code("T2")]);
    assert_eq!(
        ids(on("T3")),
        (vec![], 0),
        "an establishment outside the scope shows nothing"
    );
    let right = |r: Right| AccountQuery::default().with_right(r);
    assert_eq!(
        ids(right(Right::ManageAccounts)),
        (vec![p.abel.id, p.dupont.id], 2)
    );
    assert_eq!(
        ids(right(Right::SearchClaims)),
        (vec![p.abel.id, p.edgar.id, p.eric.id, p.eva.id], 4)
    );
    assert_eq!(
        ids(right(Right::QuotesAndSubscriptions)),
        (vec![], 0),
        "Edgar holds it on T3 only"
    );
    let page = list(right(Right::SearchClaims));
    assert_eq!(
        page.items[2].establishments,
        vec![code("T1"), code("T2")],
        "all visible establishments are listed"
    );
    let state = |s: AccountState| AccountQuery::default().with_state(s);
    assert_eq!(
        ids(state(AccountState::Active)),
        (vec![p.abel.id, p.dupont.id, p.eric.id], 3)
    );
    assert_eq!(ids(state(AccountState::Disabled)), (vec![p.eva.id], 1));
    assert_eq!(ids(state(AccountState::Declared)), (vec![], 0));
    let combined = AccountQuery::default()
        .with_text("e")
        .unwrap()
        .with_establishment(code("T1"))
        .with_right(Right::SearchClaims)
        .with_state(AccountState::Invited);
    assert_eq!(ids(combined), (vec![p.edgar.id], 1));

    // Pagination with the total.
    let page = |offset, limit, descending| {
        AccountQuery::default()
            .with_descending(descending)
            .with_page(offset, limit)
            .unwrap()
    };
    assert_eq!(ids(page(0, 2, false)), (all[0..2].to_vec(), 5));
    assert_eq!(ids(page(2, 2, false)), (all[2..4].to_vec(), 5));
    assert_eq!(ids(page(4, 2, false)), (all[4..].to_vec(), 5));
    assert_eq!(ids(page(5, 2, false)), (vec![], 5));
    assert_eq!(ids(page(99, 2, false)), (vec![], 5));
    assert_eq!(ids(page(1, 2, true)), (vec![p.eric.id, p.edgar.id], 5));
    assert_eq!(ids(page(3, 50, true)), (vec![p.dupont.id, p.abel.id], 5));

    // Scope edge cases and bad queries.
    assert_eq!(
        store
            .read(|tx| tx.list_accounts(&[], &AccountQuery::default()))
            .unwrap()
            .total,
        0
    );
    let dup = [code("T1"), code("T1")];
    assert_eq!(
        store
            .read(|tx| tx.list_accounts(&dup, &AccountQuery::default()))
            .unwrap()
            .total,
        4
    );
    // A bad page cannot reach a store: the query refuses it when built.
    assert_eq!(
        err_code(AccountQuery::default().with_page(0, 0)),
        "INVALID_QUERY"
    );
    assert_eq!(
        err_code(AccountQuery::default().with_page(0, 501)),
        "INVALID_QUERY"
    );

    // A renamed account moves in the order; one that loses its rights leaves the list.
    let mut zed = p.abel.clone();
    zed.last_name = PersonName::parse("Zed").unwrap();
    store.write(|tx| tx.update_account(&zed)).unwrap();
    assert_eq!(ids(AccountQuery::default()).0.last(), Some(&p.abel.id));
    assert_eq!(
        ids(text("zed")),
        (vec![p.abel.id], 1),
        "the search text follows the rename"
    );
    let mut gone = p.dupont.clone();
    gone.state = AccountState::Disabled;
    store.write(|tx| tx.update_account(&gone)).unwrap();
    assert_eq!(
        ids(state(AccountState::Disabled)),
        (vec![p.dupont.id, p.eva.id], 2),
        "the state filter follows too"
    );
    store
        .write(|tx| tx.set_rights(p.eva.id, &code("T2"), Rights::EMPTY))
        .unwrap();
    assert_eq!(ids(AccountQuery::default()).1, 4);
}

pub fn check_tokens<S: Store>(store: &S) {
    let who = AccountId::generate();
    let reset = token(who, TokenPurpose::PasswordReset, t0(), Duration::hours(1));
    store.write(|tx| tx.insert_token(&reset)).unwrap();
    assert_eq!(
        store.read(|tx| tx.token(&reset.digest)).unwrap(),
        Some(reset.clone())
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&TokenSecret::generate().digest()))
            .unwrap(),
        None
    );
    assert_eq!(
        err_code(store.write(|tx| tx.insert_token(&reset))),
        "STORAGE",
        "digests are unique"
    );

    let consume = |d, p, at| store.write(|tx| tx.consume_token(d, p, at)).unwrap();
    // Wrong purpose, expired (at the expiry instant too): never consumed, and left as issued.
    assert_eq!(consume(&reset.digest, TokenPurpose::Activation, t0()), None);
    assert_eq!(
        consume(
            &reset.digest,
            TokenPurpose::PasswordReset,
            t0() + Duration::hours(1)
        ),
        None
    );
    assert_eq!(
        consume(
            &reset.digest,
            TokenPurpose::PasswordReset,
            t0() + Duration::hours(2)
        ),
        None
    );
    let unknown = TokenSecret::generate().digest();
    assert_eq!(consume(&unknown, TokenPurpose::PasswordReset, t0()), None);
    assert_eq!(
        store
            .read(|tx| tx.token(&reset.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Issued
    );
    // Consumed once.
    let got = consume(
        &reset.digest,
        TokenPurpose::PasswordReset,
        t0() + Duration::minutes(59),
    )
    .unwrap();
    assert_eq!(got.digest, reset.digest);
    assert_eq!(got.account, who);
    assert_eq!(got.lifecycle.state, TokenState::Consumed);
    assert_eq!(got.lifecycle.expires_at, reset.lifecycle.expires_at);
    assert_eq!(
        consume(&reset.digest, TokenPurpose::PasswordReset, t0()),
        None
    );
    assert_eq!(store.read(|tx| tx.token(&reset.digest)).unwrap(), Some(got));

    // end_tokens: only issued tokens of the account with those purposes.
    let r2 = token(
        who,
        TokenPurpose::PasswordReset,
        t0() + Duration::minutes(1),
        Duration::hours(1),
    );
    let act = token(
        who,
        TokenPurpose::Activation,
        t0() + Duration::minutes(2),
        Duration::hours(72),
    );
    let other = token(
        AccountId::generate(),
        TokenPurpose::PasswordReset,
        t0(),
        Duration::hours(1),
    );
    store
        .write(|tx| {
            tx.insert_token(&r2)?;
            tx.insert_token(&act)?;
            tx.insert_token(&other)
        })
        .unwrap();
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(who, &[TokenPurpose::PasswordReset], TokenState::Superseded))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&r2.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Superseded
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&reset.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Consumed
    );
    assert_eq!(
        consume(
            &r2.digest,
            TokenPurpose::PasswordReset,
            t0() + Duration::minutes(5)
        ),
        None,
        "superseded"
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&other.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Issued
    );
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(
                who,
                &[TokenPurpose::PasswordReset, TokenPurpose::Activation],
                TokenState::Revoked
            ))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&act.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Revoked
    );
    assert_eq!(
        store
            .write(|tx| tx.end_tokens(who, &[], TokenState::Revoked))
            .unwrap(),
        0
    );

    // expire_token: an issued token becomes expired; others stay as they are.
    store.write(|tx| tx.expire_token(&other.digest)).unwrap();
    assert_eq!(
        store
            .read(|tx| tx.token(&other.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Expired
    );
    store.write(|tx| tx.expire_token(&reset.digest)).unwrap();
    assert_eq!(
        store
            .read(|tx| tx.token(&reset.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Consumed
    );
    store
        .write(|tx| tx.expire_token(&TokenSecret::generate().digest()))
        .unwrap();
}

pub fn check_sessions<S: Store>(store: &S) {
    let who = AccountId::generate();
    let cfg = TokenConfig::default();
    let s1 = SessionRecord::open(
        TokenSecret::generate().digest(),
        who,
        t0(),
        false,
        None,
        &cfg,
    );
    let s2 = SessionRecord::open(
        TokenSecret::generate().digest(),
        who,
        t0(),
        true,
        None,
        &cfg,
    );
    let s3 = SessionRecord::open(
        TokenSecret::generate().digest(),
        AccountId::generate(),
        t0(),
        false,
        None,
        &cfg,
    );
    store
        .write(|tx| {
            tx.insert_session(&s1)?;
            tx.insert_session(&s2)?;
            tx.insert_session(&s3)
        })
        .unwrap();
    assert_eq!(
        store.read(|tx| tx.session(&s1.digest)).unwrap(),
        Some(s1.clone())
    );
    assert_eq!(
        store.read(|tx| tx.session(&s2.digest)).unwrap(),
        Some(s2.clone())
    );
    assert_eq!(
        store
            .read(|tx| tx.session(&TokenSecret::generate().digest()))
            .unwrap(),
        None
    );
    assert_eq!(
        err_code(store.write(|tx| tx.insert_session(&s1))),
        "STORAGE"
    );

    // last_seen moves forwards only.
    store
        .write(|tx| tx.touch_session(&s1.digest, t0() + Duration::minutes(10)))
        .unwrap();
    store
        .write(|tx| tx.touch_session(&s1.digest, t0() + Duration::minutes(5)))
        .unwrap();
    store
        .write(|tx| tx.touch_session(&TokenSecret::generate().digest(), t0()))
        .unwrap();
    let mut touched = s1.clone();
    touched.last_seen = t0() + Duration::minutes(10);
    assert_eq!(
        store.read(|tx| tx.session(&s1.digest)).unwrap(),
        Some(touched)
    );

    assert!(store.write(|tx| tx.delete_session(&s1.digest)).unwrap());
    assert!(!store.write(|tx| tx.delete_session(&s1.digest)).unwrap());
    assert_eq!(store.read(|tx| tx.session(&s1.digest)).unwrap(), None);
    store.write(|tx| tx.insert_session(&s1)).unwrap();
    assert_eq!(store.write(|tx| tx.delete_sessions(who)).unwrap(), 2);
    assert_eq!(store.write(|tx| tx.delete_sessions(who)).unwrap(), 0);
    assert_eq!(store.read(|tx| tx.session(&s2.digest)).unwrap(), None);
    assert_eq!(store.read(|tx| tx.session(&s3.digest)).unwrap(), Some(s3));
}

pub fn check_outbox<S: Store>(store: &S) {
    let n1 = notification(
        NotificationKind::PasswordReset,
        "a@garage.fr",
        Some("tok-one"),
    );
    let n2 = notification(NotificationKind::AccountLocked, "a@garage.fr", None);
    let n3 = notification(
        NotificationKind::Activation,
        "b@garage.fr",
        Some("tok-three"),
    );
    let id1 = store.write(|tx| tx.queue(&n1, t0())).unwrap();
    let id2 = store
        .write(|tx| tx.queue(&n2, t0() + Duration::minutes(1)))
        .unwrap();
    let id3 = store
        .write(|tx| tx.queue(&n3, t0() + Duration::minutes(2)))
        .unwrap();
    assert!(id1 < id2 && id2 < id3);

    // FIFO, with the limit.
    let pending = store.read(|tx| tx.pending(10)).unwrap();
    assert_eq!(
        pending.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![id1, id2, id3]
    );
    assert_eq!(pending[0].body, n1);
    assert_eq!(pending[0].created_at, t0());
    assert_eq!(pending[1].body, n2);
    assert_eq!(
        pending[2].body.token.as_ref().map(|t| t.expose()),
        Some("tok-three")
    );
    assert_eq!(store.read(|tx| tx.pending(2)).unwrap().len(), 2);
    assert!(store.read(|tx| tx.pending(0)).unwrap().is_empty());

    // Acknowledge: out of the pending list, its token erased; twice or unknown is an error.
    store.write(|tx| tx.acknowledge(id1)).unwrap();
    let pending = store.read(|tx| tx.pending(10)).unwrap();
    assert_eq!(
        pending.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![id2, id3]
    );
    assert_eq!(
        err_code(store.write(|tx| tx.acknowledge(id1))),
        "UNKNOWN_NOTIFICATION"
    );
    assert_eq!(
        err_code(store.write(|tx| tx.acknowledge(NotificationId(9_999)))),
        "UNKNOWN_NOTIFICATION"
    );
    assert_eq!(
        err_code(store.write(|tx| tx.acknowledge(NotificationId(u64::MAX)))),
        "UNKNOWN_NOTIFICATION"
    );
    store.write(|tx| tx.acknowledge(id2)).unwrap();

    // Counting for rate limits counts acknowledged mails too.
    let count = |to: &str, kind, since| {
        store
            .read(|tx| tx.count_queued_since(&email(to), kind, since))
            .unwrap()
    };
    assert_eq!(
        count("a@garage.fr", NotificationKind::PasswordReset, t0()),
        1
    );
    assert_eq!(
        count(
            "A@Garage.fr",
            NotificationKind::PasswordReset,
            t0() - Duration::hours(1)
        ),
        1
    );
    assert_eq!(
        count(
            "a@garage.fr",
            NotificationKind::PasswordReset,
            t0() + Duration::nanoseconds(1)
        ),
        0
    );
    assert_eq!(
        count("a@garage.fr", NotificationKind::AccountLocked, t0()),
        1
    );
    assert_eq!(count("a@garage.fr", NotificationKind::Activation, t0()), 0);
    assert_eq!(count("b@garage.fr", NotificationKind::Activation, t0()), 1);

    // Ids are never reused.
    let id4 = store.write(|tx| tx.queue(&n1, t0())).unwrap();
    assert!(id4 > id3);
}

pub fn check_audit<S: Store>(store: &S) {
    let actor = AccountId::generate();
    let subject = AccountId::generate();
    let events = [
        NewAuditEvent::new(t0(), AuditAction::AdministratorDeclared)
            .on(subject)
            .at_establishments([code("T1"), code("T2")])
            .with(json!({"function": "Gérant", "rights": ["manage_accounts"], "n": 1.5, "big": u64::MAX, "neg": -3})),
        NewAuditEvent::new(t0() + Duration::nanoseconds(1), AuditAction::LoginFailed),
        NewAuditEvent::new(t0() + Duration::seconds(1), AuditAction::RightsChanged)
            .by(actor)
            .on(subject)
            .at_establishments([code("T2")])
            .with(json!({"before": [], "after": ["search_claims"], "nested": {"z": null, "a": [1, {"b": "é\n\"x\""}]}})),
        NewAuditEvent::new(t0() + Duration::seconds(2), AuditAction::AccountDisabled).by(actor).at_establishments([code("T1")]),
    ];
    let mut seqs = Vec::new();
    for e in &events {
        seqs.push(store.write(|tx| tx.append(e)).unwrap());
    }
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    let all = store.read(|tx| tx.audit_all()).unwrap();
    assert_eq!(all.len(), 4);
    for (stored, e) in all.iter().zip(&events) {
        assert_eq!(&stored.event, e);
    }
    verify_chain(&all, None).unwrap();
    assert_eq!(all[1].prev_hash, all[0].hash);

    // Per establishment, newest first, paginated.
    let seq_of = |v: Vec<dealer_portal::audit::StoredAuditEvent>| {
        v.iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    assert_eq!(
        seq_of(store.read(|tx| tx.audit_for(&code("T1"), 0, 10)).unwrap()),
        vec![4, 1]
    );
    assert_eq!(
        seq_of(store.read(|tx| tx.audit_for(&code("T2"), 0, 10)).unwrap()),
        vec![3, 1]
    );
    assert_eq!(
        seq_of(store.read(|tx| tx.audit_for(&code("T2"), 1, 10)).unwrap()),
        vec![1]
    );
    assert_eq!(
        seq_of(store.read(|tx| tx.audit_for(&code("T2"), 0, 1)).unwrap()),
        vec![3]
    );
    assert!(
        store
            .read(|tx| tx.audit_for(&code("T3"), 0, 10))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.read(|tx| tx.audit_for(&code("T1"), 0, 10)).unwrap()[1],
        all[0]
    );
}

pub fn check_rollback<S: Store>(store: &S) {
    let a = full_account("rollback@garage.fr");
    let t = token(a.id, TokenPurpose::Activation, t0(), Duration::hours(72));
    let s = SessionRecord::open(
        TokenSecret::generate().digest(),
        a.id,
        t0(),
        false,
        None,
        &TokenConfig::default(),
    );
    let r: dealer_portal::Result<()> = store.write(|tx| {
        tx.put_establishment(&establishment("T1"))?;
        assert_eq!(tx.next_repairer_code()?.as_str(), "R000001");
        tx.insert_account(&a)?;
        tx.set_rights(a.id, &code("T1"), Rights::all())?;
        tx.insert_token(&t)?;
        tx.insert_session(&s)?;
        tx.queue(
            &notification(
                NotificationKind::Activation,
                "rollback@garage.fr",
                Some("tok"),
            ),
            t0(),
        )?;
        tx.append(
            &NewAuditEvent::new(t0(), AuditAction::UserCreated).at_establishments([code("T1")]),
        )?;
        tx.insert_document(
            &code("T1"),
            &NewDocument::new("quote", "D1", "2024-05-31").unwrap(),
        )?;
        tx.insert_debit_line(
            &code("T1"),
            YearMonth::new(2024, 5).unwrap(),
            &DebitLine::new("stellantis_services", "npo", 100).unwrap(),
        )?;
        // Reads inside the transaction see its own writes.
        assert_eq!(tx.account(a.id)?.as_ref(), Some(&a));
        Err(Error::TokenInvalid)
    });
    assert_eq!(err_code(r), "TOKEN_INVALID");
    store
        .read(|tx| {
            assert_eq!(tx.establishment(&code("T1"))?, None);
            assert_eq!(tx.account(a.id)?, None);
            assert_eq!(tx.account_by_email(&a.email)?, None);
            assert!(tx.rights(a.id)?.is_empty());
            assert_eq!(tx.token(&t.digest)?, None);
            assert_eq!(tx.session(&s.digest)?, None);
            assert!(tx.pending(10)?.is_empty());
            assert!(tx.audit_all()?.is_empty());
            assert_eq!(
                tx.search_documents(&code("T1"), &DocumentQuery::new(DocumentCategory::Quote))?
                    .total,
                0
            );
            assert!(
                tx.debit_lines(&code("T1"), YearMonth::new(2024, 5).unwrap())?
                    .is_empty()
            );
            assert_eq!(
                tx.list_accounts(&[code("T1")], &AccountQuery::default())?
                    .total,
                0
            );
            Ok(())
        })
        .unwrap();
    // Counters and sequences were rolled back too.
    assert_eq!(
        store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
        "R000001"
    );
    assert_eq!(
        store
            .write(|tx| tx.append(&NewAuditEvent::new(t0(), AuditAction::Logout)))
            .unwrap(),
        1
    );
    // And the email is free.
    store.write(|tx| tx.insert_account(&a)).unwrap();
}

pub fn check_read_only<S: Store>(store: &S) {
    let a = account("reader@garage.fr", "Reader", "Rita", AccountState::Active);
    store.write(|tx| tx.insert_account(&a)).unwrap();
    let t = token(a.id, TokenPurpose::PasswordReset, t0(), Duration::hours(1));
    store.write(|tx| tx.insert_token(&t)).unwrap();
    let id = store
        .write(|tx| {
            tx.queue(
                &notification(
                    NotificationKind::PasswordReset,
                    "reader@garage.fr",
                    Some("tok"),
                ),
                t0(),
            )
        })
        .unwrap();
    let b = account("other@garage.fr", "Other", "Otto", AccountState::Active);
    let s = SessionRecord::open(
        TokenSecret::generate().digest(),
        a.id,
        t0(),
        false,
        None,
        &TokenConfig::default(),
    );
    let month = YearMonth::new(2024, 5).unwrap();

    let attempts: Vec<(&str, dealer_portal::Result<()>)> = store
        .read(|tx| {
            Ok(vec![
                (
                    "put_establishment",
                    tx.put_establishment(&establishment("T1")),
                ),
                ("next_repairer_code", tx.next_repairer_code().map(drop)),
                ("insert_account", tx.insert_account(&b)),
                ("update_account", tx.update_account(&a)),
                (
                    "set_rights",
                    tx.set_rights(a.id, &code("T1"), Rights::all()),
                ),
                (
                    "insert_token",
                    tx.insert_token(&token(
                        a.id,
                        TokenPurpose::Activation,
                        t0(),
                        Duration::hours(1),
                    )),
                ),
                (
                    "consume_token",
                    tx.consume_token(&t.digest, TokenPurpose::PasswordReset, t0())
                        .map(drop),
                ),
                (
                    "end_tokens",
                    tx.end_tokens(a.id, &[TokenPurpose::PasswordReset], TokenState::Revoked)
                        .map(drop),
                ),
                ("expire_token", tx.expire_token(&t.digest)),
                ("insert_session", tx.insert_session(&s)),
                ("touch_session", tx.touch_session(&s.digest, t0())),
                ("delete_session", tx.delete_session(&s.digest).map(drop)),
                ("delete_sessions", tx.delete_sessions(a.id).map(drop)),
                (
                    "queue",
                    tx.queue(
                        &notification(NotificationKind::AccountLocked, "x@garage.fr", None),
                        t0(),
                    )
                    .map(drop),
                ),
                ("acknowledge", tx.acknowledge(id)),
                (
                    "append",
                    tx.append(&NewAuditEvent::new(t0(), AuditAction::Logout))
                        .map(drop),
                ),
                (
                    "insert_document",
                    tx.insert_document(
                        &code("T1"),
                        &NewDocument::new("quote", "D1", "2024-05-31").unwrap(),
                    )
                    .map(drop),
                ),
                (
                    "insert_debit_line",
                    tx.insert_debit_line(
                        &code("T1"),
                        month,
                        &DebitLine::new("stellantis_services", "npo", 1).unwrap(),
                    ),
                ),
            ])
        })
        .unwrap();
    for (what, r) in attempts {
        assert_eq!(
            r.map_err(|e| e.code()),
            Err("STORAGE"),
            "{what} inside read()"
        );
    }
    // Nothing changed; reads work.
    store
        .read(|tx| {
            assert_eq!(tx.account(a.id)?, Some(a.clone()));
            assert_eq!(tx.account_by_email(&b.email)?, None);
            assert_eq!(
                tx.token(&t.digest)?.unwrap().lifecycle.state,
                TokenState::Issued
            );
            assert_eq!(tx.pending(10)?.len(), 1);
            assert!(tx.audit_all()?.is_empty());
            Ok(())
        })
        .unwrap();
    // An error from a read closure is returned as is.
    assert_eq!(
        err_code(store.read(|_| Err::<(), _>(Error::SessionInvalid))),
        "SESSION_INVALID"
    );
}

pub fn doc(category: &str, number: &str, day: &str) -> NewDocument {
    NewDocument::new(category, number, day).unwrap()
}

pub fn check_documents<S: Store>(store: &S) {
    let t1 = code("T1");
    let t2 = code("T2");
    let docs = vec![
        doc("accounting", "2204003143", "2024-01-31")
            .with_kind("maintenance_invoice")
            .unwrap()
            .with_amount_cents(Some(12_345)),
        doc("accounting", "2204003144", "2024-03-01")
            .with_kind("warranty_invoice")
            .unwrap(),
        doc("accounting", "2204003145", "2024-03-01")
            .with_kind("credit_note")
            .unwrap()
            .with_amount_cents(Some(-500)),
        doc("accounting", "2204003146", "2023-12-31")
            .with_kind("maintenance_invoice")
            .unwrap()
            .with_title("Décembre")
            .unwrap(),
        doc("contract", "C-1", "2024-02-10")
            .with_registration("ab 123 cd")
            .unwrap()
            .with_contract_number("ctr 001")
            .unwrap(),
        doc("contract", "C-2", "2024-02-11")
            .with_registration("1234 ab 56")
            .unwrap()
            .with_file_ref("s3://docs/c2.pdf")
            .unwrap(),
        doc("workshop_claim", "W-1", "2024-02-12")
            .with_agreement_number("770 012 345")
            .unwrap(),
        doc("quote", "D-1", "2024-02-13"),
    ];
    let mut stored: Vec<Document> = Vec::new();
    for d in &docs {
        let id = store.write(|tx| tx.insert_document(&t1, d)).unwrap();
        stored.push(Document {
            id,
            establishment: t1.clone(),
            doc: d.clone(),
        });
    }
    // Another establishment's documents never show.
    let other = store.write(|tx| tx.insert_document(&t2, &docs[0])).unwrap();
    assert!(stored.iter().all(|d| d.id != other));

    // Every query gives what `DocumentQuery::run` gives over the establishment's documents.
    let q = |category: &str,
             kind: Option<&str>,
             number: Option<&str>,
             from: Option<&str>,
             to: Option<&str>,
             reference: Option<&str>,
             offset,
             limit| {
        DocumentQuery::parse(category, kind, number, from, to, reference, offset, limit).unwrap()
    };
    let queries = vec![
        q("accounting", None, None, None, None, None, 0, 50),
        q("accounting", None, None, None, None, None, 1, 2),
        q("accounting", None, None, None, None, None, 3, 2),
        q("accounting", None, None, None, None, None, 4, 2),
        q(
            "accounting",
            Some("maintenance_invoice"),
            None,
            None,
            None,
            None,
            0,
            50,
        ),
        q(
            "accounting",
            None,
            Some("2204003144"),
            None,
            None,
            None,
            0,
            50,
        ),
        q(
            "accounting",
            None,
            Some(" 2204003199 "),
            None,
            None,
            None,
            0,
            50,
        ),
        q("accounting", None, None, Some("1/2024"), None, None, 0, 50),
        q("accounting", None, None, None, Some("1/2024"), None, 0, 50),
        q(
            "accounting",
            None,
            None,
            Some("1/2024"),
            Some("2/2024"),
            None,
            0,
            50,
        ),
        q(
            "accounting",
            None,
            None,
            Some("3/2024"),
            Some("3/2024"),
            None,
            0,
            50,
        ),
        q(
            "accounting",
            Some("credit_note"),
            None,
            Some("3/2024"),
            None,
            None,
            0,
            50,
        ),
        q("contract", None, None, None, None, Some("AB-123-CD"), 0, 50),
        q("contract", None, None, None, None, Some("1234AB56"), 0, 50),
        q("contract", None, None, None, None, Some("CTR001"), 0, 50),
        q("contract", None, None, None, None, Some("ZZ-999-ZZ"), 0, 50),
        q(
            "contract",
            None,
            None,
            Some("2/2024"),
            Some("2/2024"),
            None,
            0,
            1,
        ),
        q(
            "workshop_claim",
            None,
            None,
            None,
            None,
            Some("770012345"),
            0,
            50,
        ),
        q("quote", None, None, None, None, None, 0, 50),
    ];
    for query in &queries {
        let expected = query.run(&stored);
        let got = store.read(|tx| tx.search_documents(&t1, query)).unwrap();
        assert_eq!(got, expected, "{query:?}");
    }
    // Newest first: day descending, then the later addition first.
    let all = store
        .read(|tx| tx.search_documents(&t1, &queries[0]))
        .unwrap();
    assert_eq!(
        all.items
            .iter()
            .map(|d| d.doc.number.as_str())
            .collect::<Vec<_>>(),
        ["2204003145", "2204003144", "2204003143", "2204003146"]
    );
    assert_eq!(
        store
            .read(|tx| tx.search_documents(&t2, &queries[0]))
            .unwrap()
            .total,
        1
    );
    let period = DocumentQuery::new(DocumentCategory::Accounting)
        .with_period(Period::month(YearMonth::new(2024, 3).unwrap()));
    assert_eq!(
        store
            .read(|tx| tx.search_documents(&t1, &period))
            .unwrap()
            .total,
        2
    );
    let plate = DocumentQuery::new(DocumentCategory::Contract)
        .with_reference(parse_reference("ab-123-cd").unwrap());
    assert_eq!(
        store
            .read(|tx| tx.search_documents(&t1, &plate))
            .unwrap()
            .items,
        vec![stored[4].clone()]
    );
}

pub fn check_debit_lines<S: Store>(store: &S) {
    let t1 = code("T1");
    let may = YearMonth::new(2024, 5).unwrap();
    let june = YearMonth::new(2024, 6).unwrap();
    let lines = [
        DebitLine::new("stellantis_insurance", "premium", 120_000)
            .unwrap()
            .with_label("Primes mai")
            .unwrap(),
        DebitLine::new("stellantis_services", "npo", 3_500).unwrap(),
        DebitLine::new("stellantis_services", "claims_settled", -1_200).unwrap(),
    ];
    for l in &lines {
        store.write(|tx| tx.insert_debit_line(&t1, may, l)).unwrap();
    }
    store
        .write(|tx| tx.insert_debit_line(&t1, june, &lines[1]))
        .unwrap();
    store
        .write(|tx| tx.insert_debit_line(&code("T2"), may, &lines[0]))
        .unwrap();
    assert_eq!(
        store.read(|tx| tx.debit_lines(&t1, may)).unwrap(),
        lines.to_vec()
    );
    assert_eq!(
        store.read(|tx| tx.debit_lines(&t1, june)).unwrap(),
        vec![lines[1].clone()]
    );
    assert!(
        store
            .read(|tx| tx.debit_lines(&t1, YearMonth::new(2024, 7).unwrap()))
            .unwrap()
            .is_empty()
    );
}

pub const RACERS: usize = 8;

pub fn check_concurrent_consume<S: Store>(store: &S) {
    for round in 0..3 {
        let t = token(
            AccountId::generate(),
            TokenPurpose::PasswordReset,
            t0(),
            Duration::hours(1),
        );
        store.write(|tx| tx.insert_token(&t)).unwrap();
        let barrier = Barrier::new(RACERS);
        let wins = std::thread::scope(|s| {
            let handles: Vec<_> = (0..RACERS)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        store
                            .write(|tx| {
                                tx.consume_token(&t.digest, TokenPurpose::PasswordReset, t0())
                            })
                            .unwrap()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(Option::is_some)
                .count()
        });
        assert_eq!(wins, 1, "round {round}");
    }
}

pub fn check_concurrent_email<S: Store>(store: &S) {
    let barrier = Barrier::new(RACERS);
    let results: Vec<dealer_portal::Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let barrier = &barrier;
                s.spawn(move || {
                    let a = account(
                        &format!("Same@Garage.fr{}", if i % 2 == 0 { "" } else { " " }),
                        "Same",
                        &format!("N{i}"),
                        AccountState::Invited,
                    );
                    barrier.wait();
                    store.write(|tx| tx.insert_account(&a))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.as_ref().is_err_and(|e| e.code() == "EMAIL_TAKEN"))
            .count(),
        RACERS - 1
    );
    assert!(
        store
            .read(|tx| tx.account_by_email(&email("same@garage.fr")))
            .unwrap()
            .is_some()
    );
}

/// A token that ends (superseded, revoked, consumed, expired) takes its link with it: the mail
/// carrying its plaintext stays pending, without a token; other mails keep theirs; a rolled
/// back end leaves the link.
pub fn check_dead_links_leave_the_outbox<S: Store>(store: &S) {
    let (who, other) = (AccountId::generate(), AccountId::generate());
    // Issues a token of `purpose` to `account` and queues its mail; returns both.
    let issue = |account, purpose| {
        let secret = TokenSecret::generate();
        let t = TokenRecord {
            digest: secret.digest(),
            ..token(account, purpose, t0(), Duration::hours(1))
        };
        let mail = notification(
            NotificationKind::PasswordReset,
            "a@garage.fr",
            Some(secret.expose()),
        );
        let id = store
            .write(|tx| {
                tx.insert_token(&t)?;
                tx.queue(&mail, t0())
            })
            .unwrap();
        (t, id, secret)
    };
    let link = |id: NotificationId| {
        let pending = store.read(|tx| tx.pending(100)).unwrap();
        let n = pending.iter().find(|n| n.id == id).expect("still pending");
        n.body.token.as_ref().map(|t| t.expose().to_owned())
    };
    let (first, first_mail, _) = issue(who, TokenPurpose::PasswordReset);
    let (_, other_mail, other_secret) = issue(other, TokenPurpose::PasswordReset);
    let (_, activation_mail, activation_secret) = issue(who, TokenPurpose::Activation);

    // Superseded: a second request ends the first link.
    let end = |tx: &mut S::Tx<'_>, purpose, to| tx.end_tokens(who, &[purpose], to);
    let ended = store.write(|tx| end(tx, TokenPurpose::PasswordReset, TokenState::Superseded));
    assert_eq!(ended.unwrap(), 1);
    let (second, second_mail, second_secret) = issue(who, TokenPurpose::PasswordReset);
    assert_eq!(link(first_mail), None, "the superseded link is erased");
    assert_eq!(link(second_mail).as_deref(), Some(second_secret.expose()));
    assert_eq!(link(other_mail).as_deref(), Some(other_secret.expose()));
    assert_eq!(
        link(activation_mail).as_deref(),
        Some(activation_secret.expose())
    );
    assert_eq!(
        store
            .read(|tx| tx.token(&first.digest))
            .unwrap()
            .unwrap()
            .lifecycle
            .state,
        TokenState::Superseded
    );

    // Rolled back: the link stays.
    let r = store.write(|tx| {
        end(tx, TokenPurpose::Activation, TokenState::Revoked)?;
        Err::<(), _>(Error::TokenInvalid)
    });
    assert!(r.is_err());
    assert_eq!(
        link(activation_mail).as_deref(),
        Some(activation_secret.expose())
    );

    // Consumed: the used link is erased.
    let used =
        store.write(|tx| tx.consume_token(&second.digest, TokenPurpose::PasswordReset, t0()));
    assert!(used.unwrap().is_some());
    assert_eq!(link(second_mail), None, "the consumed link is erased");

    // Revoked (a password change, a disabled account): every link of the account goes.
    let ended = store.write(|tx| end(tx, TokenPurpose::Activation, TokenState::Revoked));
    assert_eq!(ended.unwrap(), 1);
    assert_eq!(link(activation_mail), None, "the revoked link is erased");

    // Expired: seen past its expiry.
    assert_eq!(link(other_mail).as_deref(), Some(other_secret.expose()));
    store
        .write(|tx| tx.expire_token(&other_secret.digest()))
        .unwrap();
    assert_eq!(link(other_mail), None, "the expired link is erased");

    // The mails are still there, and can be acknowledged.
    for id in [first_mail, second_mail, other_mail, activation_mail] {
        store.write(|tx| tx.acknowledge(id)).unwrap();
    }
}

/// Invokes `$m!` with the name of every check above: each includer's instantiation takes its
/// list from here.
macro_rules! every_check {
    ($m:ident) => {
        $m!(
            check_establishments,
            check_accounts,
            check_rights,
            check_list_accounts,
            check_tokens,
            check_sessions,
            check_outbox,
            check_dead_links_leave_the_outbox,
            check_audit,
            check_rollback,
            check_read_only,
            check_documents,
            check_debit_lines,
            check_concurrent_consume,
            check_concurrent_email,
        );
    };
}
pub(crate) use every_check;

//! Data lifecycle, generic over [`Store`]: the purges of [`LifecycleRepo`] (what goes, what
//! stays, in batches), `run_maintenance` changing no answer of any flow, and `export_account`.
//! Run on every store by `lifecycle.rs` (in memory, SQLite) and `postgres.rs` (PostgreSQL), with
//! the lists of [`every_lifecycle_check!`] and [`every_lifecycle_flow!`].
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{AccountId, AccountState, Declaration, NewUser};
use dealer_portal::email::Email;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::lifecycle::{MaintenanceReport, PurgeBatch, PurgeCursor, RetentionConfig};
use dealer_portal::notification::{NewNotification, NotificationKind};
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::session::SessionRecord;
use dealer_portal::store::{
    AuditRepo, LifecycleRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use dealer_portal::token::{TokenConfig, TokenLifecycle, TokenPurpose, TokenSecret, TokenState};
use dealer_portal::{Coded, Locale, ManualClock, SecretString};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub const ADMIN: &str = "admin@garage-xyz.fr";
pub const ADMIN_PW: &str = "Garage XYZ 2026!";
pub const USER: &str = "anne.durand@garage-xyz.fr";
pub const USER_PW: &str = "Premiere-Connexion-1";
pub const USER_PW2: &str = "Deuxieme-Connexion-2";

fn t0() -> OffsetDateTime {
    datetime!(2026-01-15 09:00 UTC)
}

fn email(s: &str) -> Email {
    s.parse().unwrap()
}

fn est(s: &str) -> EstablishmentCode {
    s.parse().unwrap()
}

fn garage() -> Establishment {
    Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap()
}

/// Runs a purge to its end, `limit` rows per batch: (removed, batches).
fn purge_all<S: Store>(
    store: &S,
    limit: usize,
    f: impl Fn(&mut S::Tx<'_>, &PurgeCursor, usize) -> dealer_portal::Result<PurgeBatch>,
) -> (usize, usize) {
    let (mut from, mut removed, mut batches) = (PurgeCursor::START, 0, 0);
    loop {
        let b = store.write(|tx| f(tx, &from, limit)).unwrap();
        batches += 1;
        assert!(b.removed <= limit, "a batch removes at most its limit");
        removed += b.removed;
        match b.next {
            Some(next) => from = next,
            None => return (removed, batches),
        }
        assert!(batches < 10_000, "the purge ends");
    }
}

// ---------------------------------------------------------------------------------------------
// Store checks
// ---------------------------------------------------------------------------------------------

/// Tokens: every one that is not usable at `now` goes (ended, or issued past its expiry, whose
/// pending mail loses its link), every usable one stays; in batches of 2, resumed from the
/// cursor.
pub fn check_purge_tokens<S: Store>(store: &S) {
    let a = AccountId::generate();
    let now = t0() + Duration::hours(2);
    let mut keep = Vec::new();
    let mut gone = Vec::new();
    let mut expired_link = None;
    store
        .write(|tx| {
            for i in 0..5 {
                // Live: issued, expiring after `now`.
                let s = TokenSecret::generate();
                tx.insert_token(&TokenRecord {
                    digest: s.digest(),
                    account: a,
                    lifecycle: TokenLifecycle::issue(
                        TokenPurpose::Activation,
                        t0() + Duration::minutes(i),
                        Duration::hours(72),
                    ),
                    email: None,
                })?;
                keep.push(s.digest());
            }
            for (i, state) in [
                TokenState::Consumed,
                TokenState::Revoked,
                TokenState::Superseded,
                TokenState::Expired,
                TokenState::Issued, // past its expiry, never seen
                TokenState::Issued,
            ]
            .into_iter()
            .enumerate()
            {
                let s = TokenSecret::generate();
                let mut l = TokenLifecycle::issue(
                    TokenPurpose::PasswordReset,
                    t0() + Duration::minutes(i as i64),
                    Duration::hours(1),
                );
                l.state = state;
                tx.insert_token(&TokenRecord {
                    digest: s.digest(),
                    account: a,
                    lifecycle: l.clone(),
                    email: None,
                })?;
                if state == TokenState::Issued && expired_link.is_none() {
                    let id = tx.queue(
                        &NewNotification {
                            kind: NotificationKind::PasswordReset,
                            email: email(USER),
                            name: "Anne Durand".into(),
                            token: Some(SecretString::from(s.expose())),
                            expires_at: Some(l.expires_at),
                            locale: Locale::Fr,
                        },
                        t0(),
                    )?;
                    expired_link = Some((id, s.expose().to_owned()));
                }
                gone.push(s.digest());
            }
            Ok(())
        })
        .unwrap();
    let (removed, batches) = purge_all(store, 2, |tx, from, limit| {
        tx.purge_tokens(now, from, limit)
    });
    assert_eq!(removed, gone.len());
    assert!(batches >= 4, "11 rows in batches of 2: {batches} batches");
    store
        .read(|tx| {
            for d in &keep {
                assert!(tx.token(d)?.is_some(), "a usable token stays");
            }
            for d in &gone {
                assert!(tx.token(d)?.is_none(), "an unusable token goes");
            }
            let left = tx.tokens_of(a)?;
            assert_eq!(left.len(), keep.len());
            assert!(
                (left.windows(2)).all(|w| w[0].lifecycle.issued_at <= w[1].lifecycle.issued_at),
                "tokens_of is oldest first"
            );
            Ok(())
        })
        .unwrap();
    // The mail stays queued, without its link.
    let (id, text) = expired_link.unwrap();
    let pending = store.read(|tx| tx.pending(100)).unwrap();
    let mail = pending.iter().find(|n| n.id == id).expect("the mail stays");
    assert!(mail.body.token.is_none(), "its link is erased");
    assert!(!format!("{pending:?}").contains(&text));
    // Nothing left to purge.
    assert_eq!(
        purge_all(store, 2, |tx, from, l| tx.purge_tokens(now, from, l)).0,
        0
    );
}

/// Sessions: past the absolute expiry or the idle timeout go, live ones stay.
pub fn check_purge_sessions<S: Store>(store: &S) {
    let a = AccountId::generate();
    let cfg = TokenConfig::default();
    let now = t0() + Duration::hours(10);
    let open = |at: OffsetDateTime, remembered: bool| {
        SessionRecord::open(
            TokenSecret::generate().digest(),
            a,
            at,
            remembered,
            None,
            &cfg,
        )
    };
    let mut sessions = Vec::new();
    for i in 0..4 {
        // Live: opened a minute ago, or remembered.
        sessions.push((open(now - Duration::minutes(1 + i), false), true));
        sessions.push((open(t0(), true), true));
    }
    for i in 0..3 {
        // Idle for more than 30 minutes, but within the absolute expiry.
        sessions.push((open(now - Duration::minutes(40 + i), false), false));
        // Past the absolute expiry although touched recently.
        let mut s = open(t0() - Duration::hours(20), false);
        s.last_seen = now - Duration::minutes(1);
        sessions.push((s, false));
        // Exactly at its idle end: ended (`is_valid` is strict).
        sessions.push((open(now - cfg.session_idle, false), false));
    }
    for (s, live) in &sessions {
        assert_eq!(s.is_valid(now), *live, "fixture");
    }
    store
        .write(|tx| {
            for (s, _) in &sessions {
                tx.insert_session(s)?;
            }
            Ok(())
        })
        .unwrap();
    let (removed, _) = purge_all(store, 3, |tx, from, l| tx.purge_sessions(now, from, l));
    assert_eq!(removed, sessions.iter().filter(|(_, live)| !live).count());
    store
        .read(|tx| {
            for (s, live) in &sessions {
                assert_eq!(tx.session(&s.digest)?.is_some(), *live);
            }
            Ok(())
        })
        .unwrap();
}

/// Acknowledged mails queued before the cut go; pending mails (however old) and recent
/// acknowledged ones stay, so the rate limits count the same.
pub fn check_purge_notifications<S: Store>(store: &S) {
    let cut = t0() + Duration::days(30);
    let mail = |to: &str| NewNotification {
        kind: NotificationKind::PasswordReset,
        email: email(to),
        name: "Anne Durand".into(),
        token: None,
        expires_at: None,
        locale: Locale::Fr,
    };
    let mut expect = Vec::new();
    store
        .write(|tx| {
            for i in 0..7i64 {
                let old = t0() + Duration::days(i);
                let recent = cut + Duration::minutes(i);
                let a = tx.queue(&mail(USER), old)?;
                tx.acknowledge(a)?;
                expect.push((a, false));
                let b = tx.queue(&mail(USER), old)?; // pending: stays
                expect.push((b, true));
                let c = tx.queue(&mail(ADMIN), recent)?;
                tx.acknowledge(c)?;
                expect.push((c, true));
            }
            Ok(())
        })
        .unwrap();
    let count_before = store
        .read(|tx| tx.count_queued_since(&email(ADMIN), NotificationKind::PasswordReset, cut))
        .unwrap();
    let (removed, _) = purge_all(store, 4, |tx, from, l| tx.purge_notifications(cut, from, l));
    assert_eq!(removed, 7);
    let left: Vec<_> = store
        .read(|tx| {
            let mut all = tx.notifications_to(&email(USER))?;
            all.extend(tx.notifications_to(&email(ADMIN))?);
            Ok(all)
        })
        .unwrap();
    for (id, stays) in &expect {
        assert_eq!(left.iter().any(|(n, _)| n.id == *id), *stays, "{id:?}");
    }
    assert!(left.iter().all(|(n, _)| n.body.token.is_none()));
    assert_eq!(
        left.iter().filter(|(_, acked)| *acked).count(),
        7,
        "the recent acknowledged ones, marked so"
    );
    let count_after = store
        .read(|tx| tx.count_queued_since(&email(ADMIN), NotificationKind::PasswordReset, cut))
        .unwrap();
    assert_eq!(count_before, count_after);
}

/// The export's reads: the audit events done by or to an account, in order, and no other.
pub fn check_audit_about<S: Store>(store: &S) {
    use dealer_portal::audit::{AuditAction, NewAuditEvent};
    let (a, b) = (AccountId::generate(), AccountId::generate());
    store
        .write(|tx| {
            tx.append(
                &NewAuditEvent::new(t0(), AuditAction::LoginSucceeded)
                    .by(a)
                    .on(a),
            )?;
            tx.append(
                &NewAuditEvent::new(t0(), AuditAction::RightsChanged)
                    .by(b)
                    .on(a),
            )?;
            tx.append(
                &NewAuditEvent::new(t0(), AuditAction::LoginSucceeded)
                    .by(b)
                    .on(b),
            )?;
            tx.append(
                &NewAuditEvent::new(t0(), AuditAction::AccountDisabled)
                    .by(a)
                    .on(b),
            )?;
            Ok(())
        })
        .unwrap();
    let about_a: Vec<u64> = store
        .read(|tx| tx.audit_about(a))
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(about_a, [1, 2, 4]);
    assert!(
        store
            .read(|tx| tx.audit_about(AccountId::generate()))
            .unwrap()
            .is_empty()
    );
}

/// Invokes `$m!` with the name of every store check above.
macro_rules! every_lifecycle_check {
    ($m:ident) => {
        $m!(
            check_purge_tokens,
            check_purge_sessions,
            check_purge_notifications,
            check_audit_about,
        );
    };
}
pub(crate) use every_lifecycle_check;

// ---------------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------------

pub type P<S> = Portal<S, ManualClock>;

/// The shortest retention accepted, so maintenance removes as much as it may.
pub fn config() -> PortalConfig {
    PortalConfig {
        retention: RetentionConfig {
            acknowledged_mails: dealer_portal::lifecycle::MAIL_RATE_WINDOW,
            batch: 3,
        },
        ..PortalConfig::for_tests()
    }
}

/// A portal on its own manual clock.
pub fn portal<S: Store>(store: S) -> (P<S>, ManualClock) {
    let clock = ManualClock::new(t0());
    (Portal::new(store, clock.clone(), config()).unwrap(), clock)
}

/// What a flow answered, comparable between two portals: `ok`, the error's code, or the part
/// of the value that does not depend on random tokens.
fn answer<T>(r: dealer_portal::Result<T>, show: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => format!("ok {}", show(v)),
        Err(e) => format!("err {}", e.code()),
    }
}

/// One side of the comparison: a portal, its clock, and the tokens it handed out so far.
struct Side<S: Store> {
    p: P<S>,
    clock: ManualClock,
    maintain: bool,
    purged: MaintenanceReport,
    links: Vec<String>,
    sessions: Vec<String>,
    ids: Vec<dealer_portal::session::SessionId>,
    user: Option<AccountId>,
}

impl<S: Store> Side<S> {
    /// The last link mailed to `to` of this kind, acknowledging every pending mail (as a host
    /// would), so that acknowledged mails pile up for maintenance.
    fn take_link(&mut self, kind: NotificationKind, to: &str) -> String {
        let pending = self.p.pending_notifications().unwrap();
        let mut link = None;
        for n in &pending {
            if n.body.kind == kind && n.body.email.as_str() == to {
                link = n.body.token.as_ref().map(|t| t.expose().to_owned());
            }
            self.p.acknowledge_notification(n.id).unwrap();
        }
        let link = link.unwrap_or_else(|| format!("no-{kind}-link"));
        self.links.push(link.clone());
        link
    }

    fn pending_count(&self, kind: NotificationKind, to: &str) -> usize {
        (self.p.pending_notifications().unwrap().iter())
            .filter(|n| n.body.kind == kind && n.body.email.as_str() == to)
            .count()
    }

    fn login(&mut self, who: &str, pw: &str, remember: bool) -> String {
        let r = self.p.login(who, pw, remember);
        if let Ok(s) = &r {
            self.sessions.push(s.token.expose().to_owned());
        }
        answer(r, |s| format!("{}", s.expires_at))
    }

    fn after_step(&mut self) {
        if self.maintain {
            let r = self.p.run_maintenance().unwrap();
            self.purged.notifications_purged += r.notifications_purged;
            self.purged.tokens_purged += r.tokens_purged;
            self.purged.sessions_purged += r.sessions_purged;
        }
    }
}

/// The steps of the scenario, each answering a string; run on two portals in lockstep.
fn step<S: Store>(s: &mut Side<S>, i: usize) -> Option<String> {
    let user = s.user.unwrap_or_else(AccountId::generate);
    Some(match i {
        0 => {
            let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
            answer(s.p.declare_administrator(&decl, &[garage()]), |_| {
                String::new()
            })
        }
        1 => answer(s.p.request_password_reset(&email(ADMIN)), |_| String::new()),
        2 => {
            let l = s.take_link(NotificationKind::PasswordReset, ADMIN);
            answer(
                s.p.complete_password_reset(&l, ADMIN, ADMIN_PW, ADMIN_PW),
                |_| String::new(),
            )
        }
        3 => {
            // A session nobody uses again: it ends unseen, and only maintenance removes it.
            let forgotten = answer(s.p.login(ADMIN, ADMIN_PW, false), |_| String::new());
            format!("{forgotten} {}", s.login(ADMIN, ADMIN_PW, true))
        }
        4 => {
            let u = NewUser::new("Durand", "Anne", USER).unwrap();
            let r = s.p.create_user(
                &s.sessions[0],
                &est("T99999"),
                &u,
                Rights::of(&[Right::SubmitClaims]),
            );
            if let Ok(id) = &r {
                s.user = Some(*id);
            }
            answer(r, |_| String::new())
        }
        5 => {
            s.take_link(NotificationKind::Activation, USER); // links[1]
            answer(s.p.resend_activation(&s.sessions[0], user), |_| {
                String::new()
            })
        }
        6 => {
            s.take_link(NotificationKind::Activation, USER); // links[2]
            // The superseded first link: unusable, says nothing about itself.
            answer(s.p.inspect_token(&s.links[1]), |t| format!("{t:?}"))
        }
        7 => answer(
            s.p.activate_account(&s.links[1], USER, USER_PW, USER_PW),
            |_| String::new(),
        ),
        8 => {
            s.clock.advance(Duration::hours(73)); // the second link expires, unseen
            answer(s.p.inspect_token(&s.links[2]), |t| format!("{t:?}"))
        }
        9 => answer(
            s.p.activate_account(&s.links[2], USER, USER_PW, USER_PW),
            |_| String::new(),
        ),
        // "Mot de passe oublié" for the invited user, up to the rate limit and past it: the
        // acknowledged mails of the last hour still count.
        10..=14 => {
            s.clock.advance(Duration::minutes(5));
            let r = s.p.request_password_reset(&email(USER));
            let pending = s.pending_count(NotificationKind::Activation, USER);
            s.take_link(NotificationKind::Activation, USER);
            answer(r, |_| format!("pending {pending}"))
        }
        15 => {
            s.clock.advance(Duration::minutes(40)); // 60 min after the first of the three
            let r = s.p.request_password_reset(&email(USER));
            answer(r, |_| {
                format!(
                    "pending {}",
                    s.pending_count(NotificationKind::Activation, USER)
                )
            })
        }
        16 => {
            s.clock.advance(Duration::minutes(1));
            let r = s.p.request_password_reset(&email(USER));
            answer(r, |_| {
                format!(
                    "pending {}",
                    s.pending_count(NotificationKind::Activation, USER)
                )
            })
        }
        17 => {
            let l = s.take_link(NotificationKind::Activation, USER);
            answer(s.p.activate_account(&l, USER, USER_PW, USER_PW), |_| {
                String::new()
            })
        }
        // Lockout: five failures lock, the right password is then refused until the lock ends.
        18..=23 => s.login(USER, "wrong password 123!", false),
        24 => s.login(USER, USER_PW, false),
        25 => {
            s.clock.advance(Duration::minutes(16));
            s.login(USER, USER_PW, false) // sessions[1]
        }
        26 => {
            s.clock.advance(Duration::minutes(1)); // so the list's order is by time
            s.login(USER, USER_PW, false) // sessions[2]
        }
        27 => {
            let r = s.p.list_sessions(&s.sessions[2]);
            if let Ok(list) = &r {
                s.ids = list.iter().map(|x| x.id).collect();
            }
            answer(r, |l| format!("{}", l.len()))
        }
        28 => {
            s.clock.advance(Duration::minutes(20));
            answer(s.p.authenticate(&s.sessions[2]), |i| format!("{}", i.email)) // touched
        }
        29 => {
            // sessions[1], idle for 36 min, ends unseen; sessions[2] was used 15 min ago.
            s.clock.advance(Duration::minutes(15));
            answer(s.p.authenticate(&s.sessions[2]), |i| format!("{}", i.email))
        }
        // An ended session cannot be revoked, whether or not its row is still there.
        30 => answer(s.p.revoke_session(&s.sessions[2], &s.ids[0]), |_| {
            String::new()
        }),
        31 => {
            s.clock.advance(Duration::minutes(31)); // sessions[2] ends unseen
            s.login(USER, USER_PW, false) // sessions[3]
        }
        // Ended sessions are not counted among the others, removed or not.
        32 => answer(s.p.revoke_other_sessions(&s.sessions[3]), |n| {
            format!("{n}")
        }),
        33 => answer(s.p.list_sessions(&s.sessions[3]), |l| {
            format!("{}", l.len())
        }),
        // An email change: the link works once.
        34 => answer(
            s.p.request_email_change(&s.sessions[3], &email("anne@nouveau.fr"), USER_PW),
            |_| String::new(),
        ),
        35 => {
            let l = s.take_link(NotificationKind::EmailChange, "anne@nouveau.fr");
            answer(s.p.confirm_email_change(&l), |_| String::new())
        }
        36 => {
            let l = s.links.last().unwrap().clone();
            answer(s.p.confirm_email_change(&l), |_| String::new())
        }
        37 => {
            let l = s.links.last().unwrap().clone();
            answer(s.p.inspect_token(&l), |t| format!("{t:?}"))
        }
        // A month later: old mails are gone, the limit counts afresh, the admin's remembered
        // session still works, every old link and session is still refused.
        38 => {
            s.clock.advance(Duration::days(31));
            answer(s.p.authenticate(&s.sessions[0]), |i| format!("{}", i.email))
        }
        39 => answer(
            s.p.request_password_reset(&email("anne@nouveau.fr")),
            |_| {
                format!(
                    "pending {}",
                    s.pending_count(NotificationKind::PasswordReset, "anne@nouveau.fr")
                )
            },
        ),
        40 => {
            let links = s.links.clone();
            let mut out = Vec::new();
            for l in &links {
                out.push(answer(s.p.inspect_token(l), |t| format!("{t:?}")));
                out.push(answer(
                    s.p.complete_password_reset(l, USER, USER_PW2, USER_PW2),
                    |_| String::new(),
                ));
            }
            out.join(" / ")
        }
        41 => {
            let sessions = s.sessions.clone();
            let out: Vec<String> = (sessions.iter())
                .map(|t| answer(s.p.authenticate(t), |i| format!("{}", i.email)))
                .collect();
            out.join(" / ")
        }
        42 => answer(s.p.account(&s.sessions[0], user), |d| {
            format!(
                "{} {:?} {}",
                d.email,
                d.state,
                d.rights.establishments().count()
            )
        }),
        43 => answer(s.p.logout(&s.sessions[3]), |_| String::new()),
        44 => answer(s.p.verify_audit_chain(None), |_| String::new()),
        _ => return None,
    })
}

/// The same scenario on two portals, one running `run_maintenance` after every step: every
/// answer is the same, and maintenance did remove mails, links and sessions.
pub fn maintenance_changes_no_answer<S: Store>(plain: S, maintained: S) {
    let side = |store: S, maintain: bool| {
        let (p, clock) = portal(store);
        Side {
            p,
            clock,
            maintain,
            purged: MaintenanceReport::default(),
            links: Vec::new(),
            sessions: Vec::new(),
            ids: Vec::new(),
            user: None,
        }
    };
    let (mut a, mut b) = (side(plain, false), side(maintained, true));
    for i in 0.. {
        let (Some(x), Some(y)) = (step(&mut a, i), step(&mut b, i)) else {
            break;
        };
        assert_eq!(x, y, "step {i} answered differently after maintenance");
        a.after_step();
        b.after_step();
    }
    // The audit logs record the same actions (a rejected link's reason may differ: "consumed"
    // before maintenance, "unknown" after).
    let actions = |p: &P<S>| -> Vec<&'static str> {
        (p.store().read(|tx| tx.audit_all()).unwrap().iter())
            .map(|e| e.event.action.code())
            .collect()
    };
    assert_eq!(actions(&a.p), actions(&b.p));
    // Maintenance did remove something of each kind along the way...
    assert!(b.purged.notifications_purged > 0, "{:?}", b.purged);
    assert!(b.purged.tokens_purged > 0, "{:?}", b.purged);
    assert!(b.purged.sessions_purged > 0, "{:?}", b.purged);
    // ...everything it could: a last run finds nothing more.
    assert_eq!(b.p.run_maintenance().unwrap().total(), 0);
    // The plain portal's first run removes no more than the maintained one removed in all.
    let late = a.p.run_maintenance().unwrap();
    assert!(
        late.total() > 0 && late.total() <= b.purged.total(),
        "{late:?} {:?}",
        b.purged
    );
    assert_eq!(a.p.run_maintenance().unwrap().total(), 0);
}

/// `export_account`: what the account's flows wrote, for oneself and for its manager, never a
/// token, a digest or a hash; refused to anyone who cannot read the account.
pub fn export_holds_what_the_flows_wrote<S: Store>(store: S) {
    let (p, clock) = portal(store);
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &[garage()]).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let mail = p.pending_notifications().unwrap().pop().unwrap();
    let link = mail.body.token.as_ref().unwrap().expose().to_owned();
    p.complete_password_reset(&link, ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    p.acknowledge_notification(mail.id).unwrap();
    let admin = p.login(ADMIN, ADMIN_PW, false).unwrap();
    let admin_token = admin.token.expose().to_owned();
    let u = NewUser::from_fields("Durand", "Anne", USER, Some("06 23 42 54 55"), None).unwrap();
    let id = p
        .create_user(
            &admin_token,
            &est("T99999"),
            &u,
            Rights::of(&[Right::SubmitClaims]),
        )
        .unwrap();
    let activation = p.pending_notifications().unwrap().pop().unwrap();
    let act_link = activation.body.token.as_ref().unwrap().expose().to_owned();
    p.activate_account(&act_link, USER, USER_PW, USER_PW)
        .unwrap();
    clock.advance(Duration::minutes(1));
    assert!(p.login(USER, "wrong password 123!", false).is_err());
    let s1 = p.login(USER, USER_PW, true).unwrap();
    clock.advance(Duration::minutes(1));
    let s2 = p.login(USER, USER_PW, false).unwrap();
    p.request_password_reset(&email(USER)).unwrap();
    let reset_mail = p.pending_notifications().unwrap().pop().unwrap();
    let reset_link = reset_mail.body.token.as_ref().unwrap().expose().to_owned();

    let own = p.export_account(s1.token.expose(), id).unwrap();
    let by_admin = p.export_account(&admin_token, id).unwrap();
    for json in [&own, &by_admin] {
        let doc: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        assert_eq!(doc["format"], 1);
        assert_eq!(doc["profile"]["id"], id.to_string());
        assert_eq!(doc["profile"]["email"], USER);
        assert_eq!(doc["profile"]["last_name"], "Durand");
        assert_eq!(doc["profile"]["mobile"]["e164"], "+33623425455");
        assert_eq!(doc["profile"]["state"], AccountState::Active.code());
        assert_eq!(
            doc["profile"]["rights"]["T99999"],
            serde_json::json!(["submit_claims"])
        );
        assert_eq!(doc["security"]["password_set"], true);
        assert_eq!(
            doc["security"]["failed_logins"], 0,
            "reset by the successful login"
        );
        // Two sessions, by their opaque ids (those `list_sessions` shows).
        let listed: Vec<String> = (p.list_sessions(s1.token.expose()).unwrap().iter())
            .map(|s| s.id.to_string())
            .collect();
        let exported: Vec<String> = (doc["sessions"].as_array().unwrap().iter())
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(exported, listed);
        assert_eq!(doc["sessions"][0]["remembered"], true);
        // The links: the consumed activation, the live reset.
        let links: Vec<(String, String)> = (doc["links"].as_array().unwrap().iter())
            .map(|l| (l["purpose"].to_string(), l["state"].to_string()))
            .collect();
        assert_eq!(
            links,
            [
                ("\"activation\"".into(), "\"consumed\"".into()),
                ("\"password_reset\"".into(), "\"issued\"".into())
            ]
        );
        // The mails to its address: the activation (pending, its link erased when used) and
        // the reset (pending).
        let kinds: Vec<(&str, bool)> = (doc["notifications"].as_array().unwrap().iter())
            .map(|n| {
                (
                    n["kind"].as_str().unwrap(),
                    n["acknowledged"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(kinds, [("activation", false), ("password_reset", false)]);
        // The audit events by it or on it, the admin's creation included.
        let actions: Vec<&str> = (doc["audit"].as_array().unwrap().iter())
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "user_created",
            "account_activated",
            "login_failed",
            "login_succeeded",
            "reset_requested",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        // No secret: tokens, their digests, the password, its hash.
        for secret in [
            s1.token.expose(),
            s2.token.expose(),
            admin_token.as_str(),
            link.as_str(),
            act_link.as_str(),
            reset_link.as_str(),
            USER_PW,
            "argon2",
        ] {
            assert!(!json.contains(secret), "the export holds a secret");
        }
        for t in [s1.token.expose(), s2.token.expose(), reset_link.as_str()] {
            let digest = TokenSecret::parse(t).unwrap().digest().to_hex();
            assert!(!json.contains(&digest), "the export holds a digest");
        }
    }
    // Someone who cannot list the account: UNKNOWN_ACCOUNT, as `account` answers; a session
    // that is not one: SESSION_INVALID.
    let other = Establishment::new("T77777", "AUTRE", "VILLE 3", None).unwrap();
    let decl = Declaration::new("autre@garage.fr", "Martin", "Paul", "Gérant").unwrap();
    p.declare_administrator(&decl, &[other]).unwrap();
    p.request_password_reset(&email("autre@garage.fr")).unwrap();
    let l = p.pending_notifications().unwrap().pop().unwrap();
    let l = l.body.token.as_ref().unwrap().expose().to_owned();
    p.complete_password_reset(&l, "autre@garage.fr", ADMIN_PW, ADMIN_PW)
        .unwrap();
    let stranger = p.login("autre@garage.fr", ADMIN_PW, false).unwrap();
    let code = |r: dealer_portal::Result<String>| r.unwrap_err().code();
    assert_eq!(
        code(p.export_account(stranger.token.expose(), id)),
        "UNKNOWN_ACCOUNT"
    );
    assert_eq!(
        code(
            p.account(stranger.token.expose(), id)
                .map(|_| String::new())
        ),
        "UNKNOWN_ACCOUNT"
    );
    // The user (no right to manage accounts) cannot export the administrator.
    assert_eq!(
        code(p.export_account(s1.token.expose(), admin.account_id)),
        "UNKNOWN_ACCOUNT"
    );
    assert_eq!(
        code(p.export_account("not a session", id)),
        "SESSION_INVALID"
    );
    assert_eq!(
        code(p.export_account(stranger.token.expose(), AccountId::generate())),
        "UNKNOWN_ACCOUNT"
    );
}

/// Invokes `$m!` with the name of every flow above that takes one store.
macro_rules! every_lifecycle_flow {
    ($m:ident) => {
        $m!(export_holds_what_the_flows_wrote);
    };
}
pub(crate) use every_lifecycle_flow;

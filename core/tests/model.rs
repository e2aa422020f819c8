//! Random sequences of portal operations, driven in lockstep against the memory store and the
//! SQLite store: both must give the same answer to every operation, and after every step the
//! invariants hold — no rights escalation, a link works at most once, an establishment that had
//! an active manager keeps one, the audit chain verifies.

use dealer_portal::ManualClock;
use dealer_portal::account::{AccountId, AccountState, Declaration, NewUser};
use dealer_portal::email::Email;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{AccountRepo, MemoryStore, SqliteStore, Store};
use proptest::prelude::*;
use std::collections::HashMap;
use time::Duration;
use time::macros::datetime;

const EMAILS: [&str; 5] = ["admin@x.fr", "u1@x.fr", "u2@x.fr", "u3@x.fr", "u4@x.fr"];
const PASSWORDS: [&str; 3] = ["Model-Password-1!", "Model-Password-2!", "short"];
const ESTABLISHMENTS: [&str; 2] = ["T1", "T2"];

/// The email of account `i`, parsed.
fn email(i: usize) -> Email {
    EMAILS[i].parse().unwrap()
}

/// Establishment `i`'s code, parsed.
fn establishment(i: usize) -> EstablishmentCode {
    ESTABLISHMENTS[i].parse().unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    CreateUser {
        actor: usize,
        est: usize,
        user: usize,
        rights: u8,
    },
    SetRights {
        actor: usize,
        target: usize,
        est: usize,
        rights: u8,
    },
    Disable {
        actor: usize,
        target: usize,
    },
    Enable {
        actor: usize,
        target: usize,
    },
    RequestReset {
        user: usize,
    },
    CompleteReset {
        user: usize,
        pw: usize,
    },
    Activate {
        user: usize,
        pw: usize,
    },
    ReplayUsedLink {
        user: usize,
    },
    Login {
        user: usize,
        pw: usize,
    },
    /// Logs in with the password the account last set successfully.
    LoginKnown {
        user: usize,
    },
    Logout {
        actor: usize,
    },
    Advance {
        minutes: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0..EMAILS.len();
    // Most management is done by the administrator; the others try too.
    let actor = || prop_oneof![2 => Just(0usize), 1 => 0..EMAILS.len()];
    prop_oneof![
        3 => (actor(), 0..2usize, 1..EMAILS.len(), 0u8..64).prop_map(|(actor, est, user, rights)| Op::CreateUser { actor, est, user, rights }),
        3 => (actor(), i(), 0..2usize, 0u8..64).prop_map(|(actor, target, est, rights)| Op::SetRights { actor, target, est, rights }),
        1 => (actor(), i()).prop_map(|(actor, target)| Op::Disable { actor, target }),
        1 => (actor(), i()).prop_map(|(actor, target)| Op::Enable { actor, target }),
        2 => i().prop_map(|user| Op::RequestReset { user }),
        2 => (i(), 0..PASSWORDS.len()).prop_map(|(user, pw)| Op::CompleteReset { user, pw }),
        2 => (i(), 0..PASSWORDS.len()).prop_map(|(user, pw)| Op::Activate { user, pw }),
        1 => i().prop_map(|user| Op::ReplayUsedLink { user }),
        1 => (i(), 0..PASSWORDS.len()).prop_map(|(user, pw)| Op::Login { user, pw }),
        3 => i().prop_map(|user| Op::LoginKnown { user }),
        1 => i().prop_map(|actor| Op::Logout { actor }),
        1 => (1u16..90).prop_map(|minutes| Op::Advance { minutes }),
    ]
}

/// One portal and what the driver knows of it (sessions and used links, by email index).
struct World<S: Store> {
    p: Portal<S, ManualClock>,
    clock: ManualClock,
    sessions: HashMap<usize, String>,
    used_links: HashMap<usize, String>,
    passwords: HashMap<usize, usize>,
}

impl<S: Store> World<S> {
    fn new(store: S) -> Self {
        let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
        let p = Portal::new(store, clock.clone(), PortalConfig::for_tests()).unwrap();
        let est: Vec<Establishment> = ESTABLISHMENTS
            .iter()
            .map(|c| Establishment::new(c, "GARAGE", "VILLE", Some(Regime::Insurance)).unwrap())
            .collect();
        p.declare_administrator(
            &Declaration::new(EMAILS[0], "Admin", "Model", "Gérant").unwrap(),
            &est,
        )
        .unwrap();
        World {
            p,
            clock,
            sessions: HashMap::new(),
            used_links: HashMap::new(),
            passwords: HashMap::new(),
        }
    }

    fn link(&self, user: usize, kind: NotificationKind) -> Option<String> {
        let mails = self.p.pending_notifications().unwrap();
        mails
            .into_iter()
            .rev()
            .find(|n| n.body.kind == kind && n.body.email.as_str() == EMAILS[user])
            .and_then(|n| n.body.token.map(|t| t.expose().to_owned()))
    }

    /// The account's id, or an id that names no account when it does not exist yet.
    fn id(&self, user: usize) -> AccountId {
        self.p
            .store()
            .read(|tx| tx.account_by_email(&email(user)))
            .unwrap()
            .map_or(AccountId::from_bytes([0; 16]), |a| a.id)
    }

    fn session(&self, actor: usize) -> String {
        self.sessions
            .get(&actor)
            .cloned()
            .unwrap_or_else(|| "no-session".into())
    }

    fn apply(&mut self, op: &Op) -> &'static str {
        let code = |r: dealer_portal::Result<()>| r.map_or_else(|e| e.code(), |_| "OK");
        match *op {
            Op::CreateUser {
                actor,
                est,
                user,
                rights,
            } => {
                let u = NewUser::new("User", &format!("N{user}"), EMAILS[user]).unwrap();
                code(
                    self.p
                        .create_user(
                            &self.session(actor),
                            &establishment(est),
                            &u,
                            Rights::from_bits(rights).unwrap(),
                        )
                        .map(|_| ()),
                )
            }
            Op::SetRights {
                actor,
                target,
                est,
                rights,
            } => code(self.p.set_rights(
                &self.session(actor),
                self.id(target),
                &establishment(est),
                Rights::from_bits(rights).unwrap(),
            )),
            Op::Disable { actor, target } => code(
                self.p
                    .disable_account(&self.session(actor), self.id(target)),
            ),
            Op::Enable { actor, target } => {
                code(self.p.enable_account(&self.session(actor), self.id(target)))
            }
            Op::RequestReset { user } => code(self.p.request_password_reset(&email(user))),
            Op::CompleteReset { user, pw } | Op::Activate { user, pw } => {
                let (kind, reset) = match op {
                    Op::CompleteReset { .. } => (NotificationKind::PasswordReset, true),
                    _ => (NotificationKind::Activation, false),
                };
                let Some(link) = self.link(user, kind) else {
                    return "NO_LINK";
                };
                let pw = PASSWORDS[pw];
                let r = if reset {
                    self.p.complete_password_reset(&link, EMAILS[user], pw, pw)
                } else {
                    self.p.activate_account(&link, EMAILS[user], pw, pw)
                };
                if r.is_ok() {
                    self.passwords
                        .insert(user, PASSWORDS.iter().position(|p| *p == pw).unwrap());
                    self.used_links.insert(user, link);
                    self.sessions.remove(&user);
                }
                code(r)
            }
            Op::ReplayUsedLink { user } => {
                let Some(link) = self.used_links.get(&user).cloned() else {
                    return "NO_LINK";
                };
                let pw = PASSWORDS[(user + 1) % 2];
                let a = self.p.complete_password_reset(&link, EMAILS[user], pw, pw);
                let b = self.p.activate_account(&link, EMAILS[user], pw, pw);
                assert_eq!(
                    a.unwrap_err().code(),
                    "TOKEN_INVALID",
                    "a used link worked again"
                );
                assert_eq!(
                    b.unwrap_err().code(),
                    "TOKEN_INVALID",
                    "a used link worked again"
                );
                "TOKEN_INVALID"
            }
            Op::Login { user, pw } => match self.p.login(EMAILS[user], PASSWORDS[pw], false) {
                Ok(s) => {
                    self.sessions.insert(user, s.token.expose().to_owned());
                    "OK"
                }
                Err(e) => e.code(),
            },
            Op::LoginKnown { user } => {
                let pw = self.passwords.get(&user).copied().unwrap_or(0);
                self.apply(&Op::Login { user, pw })
            }
            Op::Logout { actor } => code(self.p.logout(&self.session(actor))),
            Op::Advance { minutes } => {
                self.clock.advance(Duration::minutes(i64::from(minutes)));
                "OK"
            }
        }
    }

    /// (email index → rights matrix, state) for every known account.
    fn snapshot(&self) -> HashMap<usize, (RightsMatrix, AccountState)> {
        self.p
            .store()
            .read(|tx| {
                let mut m = HashMap::new();
                for i in 0..EMAILS.len() {
                    if let Some(a) = tx.account_by_email(&email(i))? {
                        m.insert(i, (tx.rights(a.id)?, a.state));
                    }
                }
                Ok(m)
            })
            .unwrap()
    }

    fn active_managers(&self, est: &str) -> usize {
        let code: EstablishmentCode = est.parse().unwrap();
        self.p.store().read(|tx| tx.active_managers(&code)).unwrap()
    }
}

fn check_invariants<S: Store>(
    w: &World<S>,
    op: &Op,
    before: &HashMap<usize, (RightsMatrix, AccountState)>,
    managers_before: &[usize],
) -> Result<(), TestCaseError> {
    let after = w.snapshot();
    // No escalation: whatever an actor added on an establishment, it held there itself.
    let actor = match *op {
        Op::CreateUser { actor, .. } | Op::SetRights { actor, .. } => Some(actor),
        _ => None,
    };
    for (who, (m, _)) in &after {
        let old = before.get(who).map(|(m, _)| m.clone()).unwrap_or_default();
        for (code, rights) in m.iter() {
            let added = rights.difference(old.rights_on(code));
            if added.is_empty() {
                continue;
            }
            let a = actor.ok_or_else(|| {
                TestCaseError::fail(format!("{op:?} added rights without an actor"))
            })?;
            let held = before
                .get(&a)
                .map(|(m, _)| m.rights_on(code))
                .unwrap_or_default();
            prop_assert!(
                held.contains(Right::ManageAccounts),
                "{op:?}: granted by a non-manager"
            );
            prop_assert!(
                added.is_subset(&held),
                "{op:?}: escalation {added} beyond {held}"
            );
        }
    }
    // The last active manager is never removed.
    for (i, est) in ESTABLISHMENTS.iter().enumerate() {
        if managers_before[i] > 0 {
            prop_assert!(
                w.active_managers(est) > 0,
                "{op:?}: {est} lost its last active manager"
            );
        }
    }
    prop_assert!(w.p.verify_audit_chain(None).is_ok());
    Ok(())
}

fn sqlite() -> SqliteStore {
    SqliteStore::open_in_memory().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn stores_agree_and_invariants_hold(ops in proptest::collection::vec(op(), 1..40)) {
        let mut mem = World::new(MemoryStore::new());
        let mut sql = World::new(sqlite());
        // Bootstrap: the administrator activates itself and logs in, in both.
        for w in [&mut mem as &mut dyn Bootstrap, &mut sql] {
            w.bootstrap();
        }
        for op in &ops {
            let before_m = mem.snapshot();
            let before_s = sql.snapshot();
            let managers: Vec<usize> = ESTABLISHMENTS.iter().map(|e| mem.active_managers(e)).collect();
            let a = mem.apply(op);
            let b = sql.apply(op);
            prop_assert_eq!(a, b, "stores disagree on {:?}", op);
            if std::env::var_os("MODEL_HISTOGRAM").is_some() {
                eprintln!("HIST {} {}", format!("{op:?}").split([' ', '{']).next().unwrap_or(""), a);
            }
            check_invariants(&mem, op, &before_m, &managers)?;
            check_invariants(&sql, op, &before_s, &managers)?;
            let (sm, ss) = (mem.snapshot(), sql.snapshot());
            prop_assert_eq!(sm.len(), ss.len());
            for (k, (m, st)) in &sm {
                prop_assert_eq!(Some(m), ss.get(k).map(|x| &x.0));
                prop_assert_eq!(Some(st), ss.get(k).map(|x| &x.1));
            }
        }
    }
}

trait Bootstrap {
    fn bootstrap(&mut self);
}

impl<S: Store> Bootstrap for World<S> {
    fn bootstrap(&mut self) {
        assert_eq!(self.apply(&Op::RequestReset { user: 0 }), "OK");
        assert_eq!(self.apply(&Op::CompleteReset { user: 0, pw: 0 }), "OK");
        assert_eq!(self.apply(&Op::Login { user: 0, pw: 0 }), "OK");
    }
}

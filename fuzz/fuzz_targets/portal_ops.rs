//! Structure-aware: random sequences of portal operations driven in lockstep against the
//! memory store and a SQLite file (a fresh one per run), on one `ManualClock`, with cheap
//! argon2 parameters (`PortalConfig::for_tests()`).
//!
//! After every step, on each store:
//! - **no escalation**: a right an account gains on an establishment was held there, before the
//!   step, by the actor who granted it (a manager there); only `create_user`/`set_rights` by a
//!   manager, or a repairer's self-registration on its new establishment, add rights; a failed
//!   step changes no right; and no account ever holds a right on an establishment that no
//!   manager of it ever held;
//! - **single use**: a link that worked once never works again, and is no longer usable;
//! - **last manager**: an establishment that had an active manager still has one (and the
//!   store's `active_managers` agrees with the accounts);
//! - **sessions end**: a session ended by logout, a password change or reset, or a disabling
//!   never authenticates again;
//! - **stores agree**: same result code, same details (account lists, token status), same
//!   mails queued, same accounts, states and rights;
//! - **no plaintext secret at rest**: once every mail is acknowledged, the SQLite file and its
//!   WAL contain no link token, session token or password used in the run;
//! - **erasure**: an erased account is in neither store, its email is in neither the SQLite
//!   file nor its WAL, and both audit chains still verify.
//!
//! `run_maintenance` is one of the operations: both stores remove the same counts, a second run
//! right after removes nothing, and the invariants above (used links, ended sessions, the same
//! answers on both stores) keep holding on every later step.
//!
//! At the end of a run, both audit chains verify.

#![no_main]

use arbitrary::Arbitrary;
use dealer_portal::account::{
    AccountId, AccountQuery, AccountState, NewUser, RepairerRegistration,
};
use dealer_portal::email::Email;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{
    AccountRepo, MemoryStore, SqliteOptions, SqliteStore, Store, Synchronous,
};
use dealer_portal::{ManualClock, Result};
use fuzz_support::{code, rights};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use time::{Duration, OffsetDateTime};

const EMAILS: [&str; 6] = [
    "admin.a@garage-xyz.fr",
    "admin.b@garage-uvw.fr",
    "alice@garage-xyz.fr",
    "bruno@garage-uvw.fr",
    "chloe@garage-xyz.fr",
    "denis@exemple.fr",
];
const NAMES: [(&str, &str); 6] = [
    ("Geloen", "Alexandre"),
    ("Martin", "Béatrice"),
    ("Durand", "Alice"),
    ("Lefèvre", "Bruno"),
    ("Éluard", "Chloé"),
    ("de la Tour", "Denis"),
];
/// Administrator A holds T11111 and T22222, B holds T22222 and T33333; R000001 and R000002
/// appear when repairers register.
const ESTABLISHMENTS: [&str; 5] = ["T11111", "T22222", "T33333", "R000001", "R000002"];
const PASSWORDS: [&str; 4] = [
    "Fuzz-Pass-Word-1!",
    "Fuzz-Pass-Word-2?",
    "Fuzz-Pass-Word-3#",
    "weak-password",
];
/// The id given for an account not created yet: it names no account.
const NO_ACCOUNT: &str = "00000000000000000000000000000000";
const MAX_OPS: usize = 64;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum LinkRef {
    /// The newest link of the op's kind for the op's user.
    Latest,
    /// The newest link of the op's kind, whoever it was sent to.
    Newest,
    /// Any link queued so far (any kind, any account).
    Any(u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Op {
    CreateUser {
        actor: u8,
        est: u8,
        user: u8,
        rights: u8,
        mobile: bool,
    },
    SetRights {
        actor: u8,
        target: u8,
        est: u8,
        rights: u8,
    },
    Disable {
        actor: u8,
        target: u8,
    },
    Enable {
        actor: u8,
        target: u8,
    },
    ResendActivation {
        actor: u8,
        target: u8,
    },
    /// `erase_account` (issue 18): a disabled account, by a manager of all its establishments.
    Erase {
        actor: u8,
        target: u8,
    },
    RequestReset {
        user: u8,
    },
    CompleteReset {
        link: LinkRef,
        user: u8,
        pw: u8,
        confirm: bool,
    },
    Activate {
        link: LinkRef,
        user: u8,
        pw: u8,
        confirm: bool,
    },
    Login {
        user: u8,
        pw: u8,
        remember: bool,
    },
    LoginKnown {
        user: u8,
        remember: bool,
    },
    Logout {
        session: u8,
    },
    Authenticate {
        session: u8,
    },
    ChangePassword {
        session: u8,
        pw: u8,
        known_current: bool,
    },
    RegisterRepairer {
        user: u8,
    },
    ListAccounts {
        actor: u8,
        text: u8,
        est: u8,
        right: u8,
        state: u8,
        offset: u8,
        limit: u8,
        descending: bool,
    },
    InspectLink {
        link: LinkRef,
    },
    /// Bulk import: two rows in one transaction, each with its own answer.
    ImportUsers {
        actor: u8,
        rows: [(u8, u8, u8); 2],
    },
    RightsMatrix {
        actor: u8,
        target: u8,
    },
    Manageable {
        actor: u8,
    },
    AuditLog {
        actor: u8,
        est: u8,
    },
    /// A few minutes (sessions idle out after 30, reset links after 60).
    Advance {
        minutes: u8,
    },
    /// Hours at once (lockouts, activation links after 72, remembered sessions after 30 days).
    Jump {
        hours: u8,
    },
    /// `run_maintenance`: removes acknowledged mails past the retention (the shortest accepted
    /// here, one hour), ended links and ended sessions; every later answer must be the same.
    Maintenance,
}

fn ix(i: u8, n: usize) -> usize {
    usize::from(i) % n
}

/// What the driver knows, the same for both stores (tokens themselves differ per store).
#[derive(Default)]
struct Model {
    /// Every link queued, in order: its kind and its account (email index).
    links: Vec<(NotificationKind, usize)>,
    /// Links that worked once.
    used: HashSet<usize>,
    /// Every session opened, in order: its account and whether it has been ended.
    sessions: Vec<(usize, bool)>,
    /// Each account's newest session.
    latest_session: HashMap<usize, usize>,
    /// Each account's password in force (index in PASSWORDS).
    known_password: HashMap<usize, usize>,
    /// Per establishment: every right ever held there by a manager of it.
    ceiling: BTreeMap<&'static str, Rights>,
}

impl Model {
    fn link(&self, r: LinkRef, user: usize, kind: NotificationKind) -> Option<usize> {
        match r {
            LinkRef::Latest => self
                .links
                .iter()
                .rposition(|&(k, u)| k == kind && u == user),
            LinkRef::Newest => self.links.iter().rposition(|&(k, _)| k == kind),
            LinkRef::Any(i) if !self.links.is_empty() => Some(ix(i, self.links.len())),
            LinkRef::Any(_) => None,
        }
    }

    /// For the two forms: the link used and the account whose email is typed (the op's user,
    /// or with its high bit set the link's own account).
    fn redeem(&self, r: LinkRef, user: u8, kind: NotificationKind) -> Option<(usize, usize)> {
        let typed = ix(user, EMAILS.len());
        let l = self.link(r, typed, kind)?;
        Some((
            l,
            if user & 0x80 != 0 {
                self.links[l].1
            } else {
                typed
            },
        ))
    }

    fn end_sessions_of(&mut self, user: usize) {
        for s in &mut self.sessions {
            if s.0 == user {
                s.1 = true;
            }
        }
    }
}

/// One account as both stores must agree on it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AccountSnap {
    state: AccountState,
    rights: RightsMatrix,
    has_password: bool,
    failed_logins: u32,
    lockouts: u32,
    locked_until: Option<OffsetDateTime>,
    mobile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    accounts: Vec<Option<AccountSnap>>,
    establishments: Vec<bool>,
    /// The store's own count of active managers per establishment.
    active_managers: Vec<usize>,
}

impl Snapshot {
    fn rights(&self, user: usize, est: usize) -> Rights {
        self.accounts[user]
            .as_ref()
            .map_or(Rights::EMPTY, |a| a.rights.rights_on(&code_of(est)))
    }

    /// Active accounts holding ManageAccounts, counted from the accounts.
    fn managers(&self, est: usize) -> usize {
        self.accounts
            .iter()
            .flatten()
            .filter(|a| {
                a.state == AccountState::Active
                    && a.rights
                        .rights_on(&code_of(est))
                        .contains(Right::ManageAccounts)
            })
            .count()
    }
}

fn code_of(est: usize) -> EstablishmentCode {
    EstablishmentCode::parse(ESTABLISHMENTS[est]).unwrap()
}

fn email_of(user: usize) -> Email {
    Email::parse(EMAILS[user]).unwrap()
}

struct World<S: Store> {
    p: Portal<S, ManualClock>,
    /// Link tokens, aligned with `Model::links`.
    links: Vec<String>,
    /// Session tokens, aligned with `Model::sessions`.
    sessions: Vec<String>,
}

/// What a step answered, in a form both stores must agree on.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    code: &'static str,
    detail: String,
    new_session: Option<String>,
}

impl Outcome {
    fn of<T>(r: &Result<T>) -> Outcome {
        Outcome {
            code: code(r),
            detail: String::new(),
            new_session: None,
        }
    }
}

impl<S: Store> World<S> {
    fn new(store: S, clock: &ManualClock) -> Self {
        let config = PortalConfig {
            // The shortest retention and small batches: maintenance removes all it may, in
            // several transactions.
            retention: dealer_portal::lifecycle::RetentionConfig {
                acknowledged_mails: dealer_portal::lifecycle::MAIL_RATE_WINDOW,
                batch: 2,
            },
            ..PortalConfig::for_tests()
        };
        let p = Portal::new(store, clock.clone(), config).unwrap();
        World {
            p,
            links: Vec::new(),
            sessions: Vec::new(),
        }
    }

    fn id(&self, user: usize) -> AccountId {
        self.p
            .store()
            .read(|tx| tx.account_by_email(&email_of(user)))
            .unwrap()
            .map_or_else(|| NO_ACCOUNT.parse().unwrap(), |a| a.id)
    }

    fn actor(&self, m: &Model, user: usize) -> &str {
        m.latest_session
            .get(&user)
            .map_or("no-session", |&s| self.sessions[s].as_str())
    }

    fn session(&self, i: u8) -> &str {
        if self.sessions.is_empty() {
            "no-session"
        } else {
            &self.sessions[ix(i, self.sessions.len())]
        }
    }

    fn apply(&self, m: &Model, op: &Op) -> Outcome {
        let n = EMAILS.len();
        match *op {
            Op::CreateUser {
                actor,
                est,
                user,
                rights: bits,
                mobile,
            } => {
                let user = ix(user, n);
                let (last, first) = NAMES[user];
                let mut u = NewUser::new(last, first, EMAILS[user]).unwrap();
                if mobile {
                    u = u.with_mobile("+33", "06 23 42 54 55").unwrap();
                }
                Outcome::of(&self.p.create_user(
                    self.actor(m, ix(actor, n)),
                    &code_of(ix(est, ESTABLISHMENTS.len())),
                    &u,
                    rights_of(bits),
                ))
            }
            Op::SetRights {
                actor,
                target,
                est,
                rights: bits,
            } => Outcome::of(&self.p.set_rights(
                self.actor(m, ix(actor, n)),
                self.id(ix(target, n)),
                &code_of(ix(est, ESTABLISHMENTS.len())),
                rights_of(bits),
            )),
            Op::Disable { actor, target } => Outcome::of(
                &self
                    .p
                    .disable_account(self.actor(m, ix(actor, n)), self.id(ix(target, n))),
            ),
            Op::Enable { actor, target } => Outcome::of(
                &self
                    .p
                    .enable_account(self.actor(m, ix(actor, n)), self.id(ix(target, n))),
            ),
            Op::ResendActivation { actor, target } => Outcome::of(
                &self
                    .p
                    .resend_activation(self.actor(m, ix(actor, n)), self.id(ix(target, n))),
            ),
            Op::Erase { actor, target } => Outcome::of(
                &self
                    .p
                    .erase_account(self.actor(m, ix(actor, n)), self.id(ix(target, n))),
            ),
            Op::RequestReset { user } => {
                Outcome::of(&self.p.request_password_reset(&email_of(ix(user, n))))
            }
            Op::CompleteReset {
                link,
                user,
                pw,
                confirm,
            }
            | Op::Activate {
                link,
                user,
                pw,
                confirm,
            } => {
                let reset = matches!(op, Op::CompleteReset { .. });
                let kind = if reset {
                    NotificationKind::PasswordReset
                } else {
                    NotificationKind::Activation
                };
                let Some((l, user)) = m.redeem(link, user, kind) else {
                    return Outcome {
                        code: "NO_LINK",
                        detail: String::new(),
                        new_session: None,
                    };
                };
                let pw = PASSWORDS[ix(pw, PASSWORDS.len())];
                let confirmation = if confirm { pw } else { "Something-Else-9!" };
                let token = &self.links[l];
                let r = if reset {
                    self.p
                        .complete_password_reset(token, EMAILS[user], pw, confirmation)
                } else {
                    self.p
                        .activate_account(token, EMAILS[user], pw, confirmation)
                };
                Outcome::of(&r)
            }
            Op::Login { user, pw, remember } => {
                self.login(ix(user, n), ix(pw, PASSWORDS.len()), remember)
            }
            Op::LoginKnown { user, remember } => {
                let user = ix(user, n);
                let pw = m.known_password.get(&user).copied().unwrap_or(0);
                self.login(user, pw, remember)
            }
            Op::Logout { session } => Outcome::of(&self.p.logout(self.session(session))),
            Op::Authenticate { session } => {
                let r = self.p.authenticate(self.session(session));
                Outcome {
                    code: code(&r),
                    detail: r.map(|a| a.email.to_string()).unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::ChangePassword {
                session,
                pw,
                known_current,
            } => {
                let current = if known_current && !m.sessions.is_empty() {
                    let owner = m.sessions[ix(session, m.sessions.len())].0;
                    PASSWORDS[m.known_password.get(&owner).copied().unwrap_or(0)]
                } else {
                    PASSWORDS[3]
                };
                let pw = PASSWORDS[ix(pw, PASSWORDS.len())];
                Outcome::of(
                    &self
                        .p
                        .change_password(self.session(session), current, pw, pw),
                )
            }
            Op::RegisterRepairer { user } => {
                let user = ix(user, n);
                let (last, first) = NAMES[user];
                let registration = RepairerRegistration::new(
                    EMAILS[user],
                    last,
                    first,
                    "GARAGE RÉPARATION",
                    "VILLE 2",
                )
                .unwrap();
                Outcome::of(&self.p.register_repairer(&registration))
            }
            Op::ListAccounts {
                actor,
                text,
                est,
                right,
                state,
                offset,
                limit,
                descending,
            } => {
                use dealer_portal::Coded;
                let text = match text % 6 {
                    0 => None,
                    1 => Some("e"),
                    2 => Some("ÉLU"),
                    3 => Some("garage-xyz"),
                    4 => Some("  "),
                    _ => Some("lefevre"),
                };
                let mut q = AccountQuery::default()
                    .with_descending(descending)
                    .with_page(usize::from(offset % 8), 1 + usize::from(limit % 7))
                    .unwrap();
                if let Some(text) = text {
                    q = q.with_text(text).unwrap();
                }
                if est % 2 == 1 {
                    q = q.with_establishment(code_of(ix(est / 2, ESTABLISHMENTS.len())));
                }
                if right % 2 == 1 {
                    q = q.with_right(Right::ALL[ix(right / 2, Right::ALL.len())]);
                }
                if state % 2 == 1 {
                    q = q.with_state(AccountState::ALL[ix(state / 2, AccountState::ALL.len())]);
                }
                let r = self.p.list_accounts(self.actor(m, ix(actor, n)), &q);
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|page| {
                            let emails: Vec<String> = page
                                .items
                                .iter()
                                .map(|a| {
                                    let codes: Vec<&str> =
                                        a.establishments.iter().map(|c| c.as_str()).collect();
                                    format!("{} {:?} {}", a.email, a.state, codes.join(","))
                                })
                                .collect();
                            format!("{} {emails:?}", page.total)
                        })
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::InspectLink { link } => {
                let Some(l) = m.link(link, 0, NotificationKind::PasswordReset) else {
                    return Outcome {
                        code: "NO_LINK",
                        detail: String::new(),
                        new_session: None,
                    };
                };
                let r = self.p.inspect_token(&self.links[l]);
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|s| format!("{} {:?} {:?}", s.usable, s.kind, s.expires_at))
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::ImportUsers { actor, rows } => {
                let rows: Vec<UserImport> = rows
                    .iter()
                    .map(|&(user, est, bits)| {
                        let user = ix(user, n);
                        let (last, first) = NAMES[user];
                        UserImport {
                            establishment: code_of(ix(est, ESTABLISHMENTS.len())),
                            user: NewUser::new(last, first, EMAILS[user]).unwrap(),
                            rights: rights_of(bits),
                        }
                    })
                    .collect();
                let r = self.p.create_users(self.actor(m, ix(actor, n)), &rows);
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|each| {
                            let codes: Vec<&str> = each.iter().map(|r| code(r)).collect();
                            codes.join(",")
                        })
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::RightsMatrix { actor, target } => {
                let r = self
                    .p
                    .rights_matrix(self.actor(m, ix(actor, n)), self.id(ix(target, n)));
                Outcome {
                    code: code(&r),
                    detail: r.map(|mx| format!("{mx:?}")).unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::Manageable { actor } => {
                let r = self
                    .p
                    .manageable_establishments(self.actor(m, ix(actor, n)));
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|es| {
                            let codes: Vec<&str> = es.iter().map(|e| e.code.as_str()).collect();
                            codes.join(",")
                        })
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::AuditLog { actor, est } => {
                let r = self.p.audit_log(
                    self.actor(m, ix(actor, n)),
                    &code_of(ix(est, ESTABLISHMENTS.len())),
                    0,
                    500,
                );
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|events| {
                            let lines: Vec<String> = events
                                .iter()
                                .map(|e| {
                                    format!(
                                        "{} {:?} {:?} {} {}",
                                        e.seq,
                                        e.event.action,
                                        e.event.establishments,
                                        e.event.details,
                                        e.event.at
                                    )
                                })
                                .collect();
                            lines.join("\n")
                        })
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::Maintenance => {
                let r = self.p.run_maintenance();
                if r.is_ok() {
                    // Everything past retention went: a second run finds nothing.
                    let again = self.p.run_maintenance().expect("maintenance runs twice");
                    assert_eq!(again.total(), 0, "maintenance left something: {again:?}");
                }
                Outcome {
                    code: code(&r),
                    detail: r
                        .map(|r| {
                            let (n, t, s) =
                                (r.notifications_purged, r.tokens_purged, r.sessions_purged);
                            format!("{n} {t} {s}")
                        })
                        .unwrap_or_default(),
                    new_session: None,
                }
            }
            Op::Advance { .. } | Op::Jump { .. } => Outcome {
                code: "OK",
                detail: String::new(),
                new_session: None,
            },
        }
    }

    fn login(&self, user: usize, pw: usize, remember: bool) -> Outcome {
        let r = self.p.login(EMAILS[user], PASSWORDS[pw], remember);
        Outcome {
            code: code(&r),
            detail: r
                .as_ref()
                .map(|s| s.expires_at.to_string())
                .unwrap_or_default(),
            new_session: r.ok().map(|s| s.token.expose().to_owned()),
        }
    }

    /// Collects the mails queued by the last step (their link tokens), then acknowledges them.
    fn drain_mails(&mut self) -> Vec<(NotificationKind, usize, bool)> {
        let mut queued = Vec::new();
        for n in self.p.pending_notifications().unwrap() {
            let user = EMAILS
                .iter()
                .position(|e| *e == n.body.email.as_str())
                .expect("a mail to a known address");
            if let Some(t) = &n.body.token {
                self.links.push(t.expose().to_owned());
            }
            queued.push((n.body.kind, user, n.body.token.is_some()));
            self.p.acknowledge_notification(n.id).unwrap();
        }
        queued
    }

    fn snapshot(&self) -> Snapshot {
        self.p
            .store()
            .read(|tx| {
                let mut accounts = Vec::new();
                for e in EMAILS {
                    let a = tx.account_by_email(&Email::parse(e).unwrap())?;
                    accounts.push(match a {
                        Some(a) => Some(AccountSnap {
                            rights: tx.rights(a.id)?,
                            state: a.state,
                            has_password: a.password.is_some(),
                            failed_logins: a.failed_logins,
                            lockouts: a.lockouts,
                            locked_until: a.locked_until,
                            mobile: a.mobile.map(|m| m.e164().to_owned()),
                        }),
                        None => None,
                    });
                }
                let mut establishments = Vec::new();
                let mut active_managers = Vec::new();
                for i in 0..ESTABLISHMENTS.len() {
                    let code = code_of(i);
                    establishments.push(tx.establishment(&code)?.is_some());
                    active_managers.push(tx.active_managers(&code)?);
                }
                Ok(Snapshot {
                    accounts,
                    establishments,
                    active_managers,
                })
            })
            .unwrap()
    }
}

/// The invariants of one store across one step.
fn check_step(
    op: &Op,
    ok: bool,
    before: &Snapshot,
    after: &Snapshot,
    ceiling: &BTreeMap<&str, Rights>,
) {
    let n = EMAILS.len();
    for user in 0..n {
        for est in 0..ESTABLISHMENTS.len() {
            let (was, is) = (before.rights(user, est), after.rights(user, est));
            let added = is.difference(was);
            if !ok {
                assert_eq!(
                    was, is,
                    "{op:?} failed but changed rights of {user} on {est}"
                );
            }
            if !added.is_empty() {
                match *op {
                    Op::CreateUser { actor, .. } | Op::SetRights { actor, .. } => {
                        let (target, on) = match *op {
                            Op::CreateUser { user, est, .. } => (user, est),
                            Op::SetRights { target, est, .. } => (target, est),
                            _ => unreachable!(),
                        };
                        assert_eq!(
                            (user, est),
                            (ix(target, n), ix(on, ESTABLISHMENTS.len())),
                            "{op:?} added rights to another account or establishment"
                        );
                        let held = before.rights(ix(actor, n), est);
                        assert!(
                            held.contains(Right::ManageAccounts),
                            "{op:?}: rights granted by a non-manager ({held})"
                        );
                        assert!(
                            added.is_subset(&held),
                            "{op:?}: escalation: added {added} on {} while the actor held {held}",
                            ESTABLISHMENTS[est]
                        );
                    }
                    Op::ImportUsers { actor, rows } => {
                        let row = rows.iter().find(|&&(u, e, _)| {
                            (ix(u, n), ix(e, ESTABLISHMENTS.len())) == (user, est)
                        });
                        assert!(row.is_some(), "{op:?} added rights outside its rows");
                        let held = before.rights(ix(actor, n), est);
                        assert!(
                            held.contains(Right::ManageAccounts) && added.is_subset(&held),
                            "{op:?}: escalation: added {added} on {} while the actor held {held}",
                            ESTABLISHMENTS[est]
                        );
                    }
                    Op::RegisterRepairer { user: u } => {
                        assert_eq!(user, ix(u, n));
                        assert!(
                            !before.establishments[est],
                            "{op:?} granted on an existing establishment"
                        );
                        assert_eq!(
                            is,
                            Rights::of(&[
                                Right::SubmitClaims,
                                Right::SearchClaims,
                                Right::ManageAccounts
                            ])
                        );
                    }
                    _ => panic!(
                        "{op:?} added {added} to account {user} on {}",
                        ESTABLISHMENTS[est]
                    ),
                }
            }
            // Nobody holds on an establishment a right no manager of it ever held.
            let new_est = !before.establishments[est];
            if !new_est {
                let limit = ceiling
                    .get(ESTABLISHMENTS[est])
                    .copied()
                    .unwrap_or(Rights::EMPTY);
                assert!(
                    is.is_subset(&limit),
                    "{op:?}: account {user} holds {is} on {}, beyond what its managers ever held ({limit})",
                    ESTABLISHMENTS[est]
                );
            }
        }
    }
    for est in 0..ESTABLISHMENTS.len() {
        assert_eq!(
            after.active_managers[est],
            after.managers(est),
            "the store's active_managers disagrees on {}",
            ESTABLISHMENTS[est]
        );
        if before.managers(est) > 0 {
            assert!(
                after.managers(est) > 0,
                "{op:?}: {} lost its last active manager",
                ESTABLISHMENTS[est]
            );
        }
    }
    if !ok
        && !matches!(
            op,
            Op::Login { .. } | Op::LoginKnown { .. } | Op::ChangePassword { .. }
        )
    {
        // A failed step changes nothing an account holds (a failed login counts failures, and
        // so does a wrong current password given to change_password).
        assert_eq!(
            before.accounts, after.accounts,
            "{op:?} failed but changed accounts"
        );
    }
}

fn update_ceiling(ceiling: &mut BTreeMap<&'static str, Rights>, s: &Snapshot) {
    for est in 0..ESTABLISHMENTS.len() {
        for user in 0..EMAILS.len() {
            let r = s.rights(user, est);
            if r.contains(Right::ManageAccounts) {
                let c = ceiling.entry(ESTABLISHMENTS[est]).or_insert(Rights::EMPTY);
                *c = *c | r;
            }
        }
    }
}

/// `FUZZ_TRACE=1` prints each step and its answer (to see what a corpus exercises).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

fn db_path() -> PathBuf {
    let dir = ["/dev/shm", "/tmp"]
        .iter()
        .map(PathBuf::from)
        .find(|d| d.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("dealer-portal-fuzz-ops-{}.db", std::process::id()))
}

fn remove_db(path: &PathBuf) {
    for ext in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

/// No link token, session token or password of the run is in the SQLite file or its WAL.
fn no_plaintext_at_rest(path: &PathBuf, w: &World<SqliteStore>) {
    let bytes = db_bytes(path);
    let secrets = w
        .links
        .iter()
        .chain(&w.sessions)
        .map(String::as_str)
        .chain(PASSWORDS);
    for s in secrets {
        assert!(
            memchr::memmem::find(&bytes, s.as_bytes()).is_none(),
            "a plaintext secret ({} bytes) is at rest in the SQLite file",
            s.len()
        );
    }
}

fn db_bytes(path: &PathBuf) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        bytes.extend_from_slice(&wal);
    }
    bytes
}

/// Once per process: the byte search does see a secret that is at rest (a queued mail's link
/// token), so `no_plaintext_at_rest` is not vacuous.
fn detector_sanity(opts: &SqliteOptions) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let path = PathBuf::from(format!("{}-sanity", db_path().display()));
        remove_db(&path);
        let w = World::new(
            SqliteStore::open(&path, opts.clone()).unwrap(),
            &fuzz_support::clock(),
        );
        let decl = dealer_portal::account::Declaration::new(EMAILS[0], "A", "B", "Gérant").unwrap();
        let e = Establishment::new("T1", "G", "V", None).unwrap();
        w.p.declare_administrator(&decl, &[e]).unwrap();
        w.p.request_password_reset(&email_of(0)).unwrap();
        let n = w.p.pending_notifications().unwrap().pop().unwrap();
        let token = n.body.token.as_ref().unwrap().expose().to_owned();
        assert!(
            memchr::memmem::find(&db_bytes(&path), token.as_bytes()).is_some(),
            "the detector cannot see a pending mail's token in the file"
        );
        w.p.acknowledge_notification(n.id).unwrap();
        assert!(memchr::memmem::find(&db_bytes(&path), token.as_bytes()).is_none());
        drop(w);
        remove_db(&path);
    });
}

fn bootstrap<S: Store>(w: &mut World<S>, m: &mut Model, first: bool) {
    let est = |codes: &[usize]| -> Vec<Establishment> {
        codes
            .iter()
            .map(|&i| {
                Establishment::new(
                    ESTABLISHMENTS[i],
                    "GARAGE",
                    "VILLE 1",
                    Some(Regime::Insurance),
                )
                .unwrap()
            })
            .collect()
    };
    for (admin, codes) in [(0usize, &[0usize, 1][..]), (1, &[1, 2][..])] {
        let (last, first_name) = NAMES[admin];
        let decl =
            dealer_portal::account::Declaration::new(EMAILS[admin], last, first_name, "Gérant")
                .unwrap();
        w.p.declare_administrator(&decl, &est(codes)).unwrap();
        w.p.request_password_reset(&email_of(admin)).unwrap();
        let before = w.links.len();
        let mails = w.drain_mails();
        assert_eq!(mails.len(), 1);
        let link = w.links[before].clone();
        w.p.complete_password_reset(&link, EMAILS[admin], PASSWORDS[admin], PASSWORDS[admin])
            .unwrap();
        let s = w.p.login(EMAILS[admin], PASSWORDS[admin], false).unwrap();
        w.sessions.push(s.token.expose().to_owned());
        if first {
            m.links.push((NotificationKind::PasswordReset, admin));
            m.used.insert(m.links.len() - 1);
            m.sessions.push((admin, false));
            m.latest_session.insert(admin, m.sessions.len() - 1);
            m.known_password.insert(admin, admin);
        }
    }
}

/// The operations: as many as the input holds (no continuation bytes between them), at most
/// `MAX_OPS`.
///
/// An operation done by a session's account (`actor`) with the actor's high bit set is preceded
/// by `LoginKnown` of that account, so that sequences reach the management rules without first
/// having to find a live session.
fn ops(data: &[u8]) -> Vec<Op> {
    let mut u = arbitrary::Unstructured::new(data);
    let mut ops = Vec::new();
    while !u.is_empty() && ops.len() < MAX_OPS {
        let Ok(op) = Op::arbitrary(&mut u) else {
            break;
        };
        if let Some(actor) = op.actor()
            && actor & 0x80 != 0
        {
            ops.push(Op::LoginKnown {
                user: actor,
                remember: false,
            });
        }
        ops.push(op);
    }
    ops
}

impl Op {
    fn actor(&self) -> Option<u8> {
        match *self {
            Op::CreateUser { actor, .. }
            | Op::SetRights { actor, .. }
            | Op::Disable { actor, .. }
            | Op::Enable { actor, .. }
            | Op::ResendActivation { actor, .. }
            | Op::Erase { actor, .. }
            | Op::ListAccounts { actor, .. }
            | Op::ImportUsers { actor, .. }
            | Op::RightsMatrix { actor, .. }
            | Op::Manageable { actor }
            | Op::AuditLog { actor, .. } => Some(actor),
            _ => None,
        }
    }
}

/// Rights from a byte: never empty, except for the top 16 values (to reach
/// `NO_RIGHTS_SELECTED` and removals).
fn rights_of(bits: u8) -> Rights {
    if bits >= 0xF0 {
        Rights::EMPTY
    } else {
        rights(bits % 63 + 1)
    }
}

fuzz_target!(|data: &[u8]| {
    let ops = ops(data);
    let clock = fuzz_support::clock();
    let path = db_path();
    remove_db(&path);
    let opts = SqliteOptions {
        synchronous: Synchronous::Off,
        readers: 1,
        ..SqliteOptions::default()
    };
    detector_sanity(&opts);
    let mut mem = World::new(MemoryStore::new(), &clock);
    let mut sql = World::new(SqliteStore::open(&path, opts).unwrap(), &clock);
    let mut m = Model::default();
    bootstrap(&mut mem, &mut m, true);
    bootstrap(&mut sql, &mut m, false);
    let mut before = mem.snapshot();
    assert_eq!(before, sql.snapshot());
    update_ceiling(&mut m.ceiling, &before);

    for op in &ops {
        match *op {
            Op::Advance { minutes } => clock.advance(Duration::minutes(i64::from(minutes))),
            Op::Jump { hours } => clock.advance(Duration::hours(i64::from(hours))),
            _ => {}
        }
        let a = mem.apply(&m, op);
        let b = sql.apply(&m, op);
        assert_eq!(
            (a.code, &a.detail),
            (b.code, &b.detail),
            "the stores disagree on {op:?}"
        );
        assert_eq!(a.new_session.is_some(), b.new_session.is_some());
        let ok = a.code == "OK";
        if trace() {
            eprintln!("{op:?} => {} {}", a.code, a.detail);
        }

        // Mails: the same ones in both stores.
        let queued = mem.drain_mails();
        assert_eq!(queued, sql.drain_mails(), "different mails after {op:?}");
        for &(kind, user, has_token) in &queued {
            if has_token {
                m.links.push((kind, user));
            }
        }

        // The model's side of the step.
        let n = EMAILS.len();
        match *op {
            Op::CompleteReset { link, user, .. } | Op::Activate { link, user, .. } if ok => {
                let kind = if matches!(op, Op::CompleteReset { .. }) {
                    NotificationKind::PasswordReset
                } else {
                    NotificationKind::Activation
                };
                let (l, typed) = m.redeem(link, user, kind).unwrap();
                assert!(m.used.insert(l), "{op:?}: link #{l} worked a second time");
                let owner = m.links[l].1;
                assert_eq!(owner, typed, "{op:?}: a link worked for another account");
                assert_eq!(
                    m.links[l].0, kind,
                    "{op:?}: a link worked for another purpose"
                );
                m.end_sessions_of(owner);
                if let Op::CompleteReset { pw, .. } | Op::Activate { pw, .. } = *op {
                    m.known_password.insert(owner, ix(pw, PASSWORDS.len()));
                }
            }
            Op::InspectLink { link } => {
                if let Some(l) = m.link(link, 0, NotificationKind::PasswordReset)
                    && m.used.contains(&l)
                {
                    assert!(a.detail.starts_with("false"), "used link #{l} still usable");
                }
            }
            Op::Login { user, .. } | Op::LoginKnown { user, .. } if ok => {
                m.sessions.push((ix(user, n), false));
                m.latest_session.insert(ix(user, n), m.sessions.len() - 1);
                mem.sessions.push(a.new_session.unwrap());
                sql.sessions.push(b.new_session.unwrap());
            }
            Op::Logout { session } if !m.sessions.is_empty() => {
                let s = ix(session, m.sessions.len());
                m.sessions[s].1 = true;
            }
            Op::Authenticate { session } if !m.sessions.is_empty() => {
                let (owner, ended) = m.sessions[ix(session, m.sessions.len())];
                if ended {
                    assert_eq!(a.code, "SESSION_INVALID", "an ended session authenticated");
                }
                if ok {
                    assert_eq!(
                        a.detail, EMAILS[owner],
                        "a session authenticated another account"
                    );
                }
            }
            Op::ChangePassword { session, pw, .. } if ok => {
                let owner = m.sessions[ix(session, m.sessions.len())].0;
                m.end_sessions_of(owner);
                m.known_password.insert(owner, ix(pw, PASSWORDS.len()));
            }
            Op::Disable { target, .. } if ok => m.end_sessions_of(ix(target, n)),
            Op::Erase { target, .. } if ok => {
                // Erased: gone from both stores, its email from the SQLite file and WAL, and
                // both audit chains still verify.
                let target = ix(target, n);
                m.end_sessions_of(target);
                m.known_password.remove(&target);
                let gone = |r: Result<Option<_>>| r.unwrap().is_none();
                assert!(gone(mem.p.store().read(|tx| tx.account_by_email(&email_of(target)))));
                assert!(gone(sql.p.store().read(|tx| tx.account_by_email(&email_of(target)))));
                assert!(
                    memchr::memmem::find(&db_bytes(&path), EMAILS[target].as_bytes()).is_none(),
                    "{op:?}: the erased account's email is still in the SQLite file"
                );
                mem.p.verify_audit_chain(None).expect("memory audit chain after an erasure");
                sql.p.verify_audit_chain(None).expect("sqlite audit chain after an erasure");
            }
            Op::AuditLog { .. } if ok => {
                // The log never holds a secret.
                for (detail, w) in [(&a.detail, &mem.links), (&b.detail, &sql.links)] {
                    for s in w.iter().map(String::as_str).chain(PASSWORDS) {
                        assert!(!detail.contains(s), "a secret in the audit log");
                    }
                }
            }
            _ => {}
        }

        // The invariants, on each store, and the stores against each other.
        let after = mem.snapshot();
        let after_sql = sql.snapshot();
        assert_eq!(after, after_sql, "the stores' accounts differ after {op:?}");
        check_step(op, ok, &before, &after, &m.ceiling);
        update_ceiling(&mut m.ceiling, &after);
        if !queued.is_empty() {
            no_plaintext_at_rest(&path, &sql);
        }
        before = after;
    }

    no_plaintext_at_rest(&path, &sql);
    mem.p.verify_audit_chain(None).expect("memory audit chain");
    sql.p.verify_audit_chain(None).expect("sqlite audit chain");
    drop(sql);
    remove_db(&path);
});

//! [`AsyncPortal`] (feature `tokio`): a current-thread runtime keeps running its other tasks
//! while logins hash (and would not with the synchronous `Portal` called in a task), the seed's
//! flows answer as `Portal` does on memory and SQLite, a panic in a flow reaches the awaiting
//! task, a dropped call still completes, and every flow of `Portal` has its `async fn`.

use dealer_portal::account::{AccountId, AccountPage, AccountQuery, Declaration, NewUser};
use dealer_portal::audit::AuditHead;
use dealer_portal::clock::Clock;
use dealer_portal::document::DocumentPage;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::password::HashParams;
use dealer_portal::period::YearMonth;
use dealer_portal::regime::Reconciliation;
use dealer_portal::regime::Regime;
use dealer_portal::rights::RightsMatrix;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::service::{SessionInfo, TokenStatus};
use dealer_portal::session::{Session, SessionSummary};
use dealer_portal::store::{MemoryStore, SqliteOptions, SqliteStore, Store, Synchronous};
use dealer_portal::{AsyncPortal, ManualClock, SystemClock};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::macros::datetime;

const PASSWORD: &str = "Garage XYZ 2026!";
const USER_PW: &str = "Premiere-Connexion-1";

// AsyncPortal<SqliteStore> can be shared by a multi-thread host and its futures spawned there.
#[allow(dead_code)]
fn compile_time_assertions(p: AsyncPortal<SqliteStore>) {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}
    shareable::<AsyncPortal<SqliteStore>>();
    shareable::<AsyncPortal<MemoryStore, ManualClock>>();
    let q = p.clone();
    spawnable(async move { q.login("a@b.fr".into(), "x".into(), false).await });
    spawnable(async move {
        p.list_accounts(String::new(), AccountQuery::default())
            .await
    });
}

fn sqlite_store(name: &str) -> SqliteStore {
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-async-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    SqliteStore::open(dir.join("portal.db"), opts).unwrap()
}

fn garage(code: &str) -> Establishment {
    Establishment::new(code, "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap()
}

/// The link token of the last `kind` mail to `to`.
fn link<S: Store, C: Clock>(p: &Portal<S, C>, kind: NotificationKind, to: &str) -> String {
    p.pending_notifications()
        .unwrap()
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == to)
        .and_then(|n| n.body.token.map(|t| t.expose().to_owned()))
        .unwrap_or_else(|| panic!("no {kind} mail for {to}"))
}

/// `n` administrators (one establishment each) with `PASSWORD`, on the seed's argon2 parameters
/// (OWASP: m=19456 KiB, t=2, p=1), so that a login takes what it takes in production.
fn seed_hash_portal(n: usize) -> (Portal<MemoryStore>, Vec<String>) {
    let config = PortalConfig {
        hash: HashParams::OWASP,
        anonymous_response_floor_ms: 0,
        ..PortalConfig::default()
    };
    let p = Portal::new(MemoryStore::new(), SystemClock, config).unwrap();
    let emails: Vec<String> = (0..n).map(|i| format!("admin{i}@garage-xyz.fr")).collect();
    for (i, e) in emails.iter().enumerate() {
        let decl = Declaration::new(e, "Geloen", "Alexandre", "Gérant").unwrap();
        p.declare_administrator(&decl, &[garage(&format!("T1000{i}"))])
            .unwrap();
        p.request_password_reset(&decl.email).unwrap();
        let token = link(&p, NotificationKind::PasswordReset, e);
        p.complete_password_reset(&token, e, PASSWORD, PASSWORD)
            .unwrap();
    }
    (p, emails)
}

/// Counts the ticks of a 1 ms interval, in a task of its own, while `work` runs in this one;
/// returns them with how long `work` took. Ticks missed while the thread was held are skipped,
/// not made up afterwards, and none is counted once `work` is done.
async fn ticks_during<F: std::future::Future<Output = ()>>(work: F) -> (u32, Duration) {
    let done = Arc::new(AtomicBool::new(false));
    let ticks = Arc::new(AtomicU32::new(0));
    let ticker = tokio::spawn({
        let (done, ticks) = (Arc::clone(&done), Arc::clone(&ticks));
        async move {
            let mut every = tokio::time::interval(Duration::from_millis(1));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            every.tick().await; // the first tick is immediate
            loop {
                every.tick().await;
                if done.load(Ordering::SeqCst) {
                    break;
                }
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    tokio::task::yield_now().await; // the ticker starts and waits for its first real tick
    let started = Instant::now();
    work.await;
    let took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    ticker.await.unwrap();
    (ticks.load(Ordering::SeqCst), took)
}

#[tokio::test(flavor = "current_thread")]
async fn a_timer_keeps_ticking_while_logins_run() {
    let (p, emails) = seed_hash_portal(4);
    let p = AsyncPortal::new(p);

    // The synchronous Portal called inside the task: the only thread hashes, nothing else runs.
    let sync = p.arc();
    let (blocked_ticks, blocked_took) = ticks_during(async {
        for e in &emails {
            sync.login(e, PASSWORD, false).unwrap();
        }
    })
    .await;

    // AsyncPortal: the four logins run on the blocking pool, the runtime's thread stays free.
    let (ticks, took) = ticks_during(async {
        let logins: Vec<_> = emails
            .iter()
            .map(|e| {
                let p = p.clone();
                let e = e.clone();
                tokio::spawn(async move { p.login(e, PASSWORD.into(), false).await })
            })
            .collect();
        for l in logins {
            l.await.unwrap().unwrap();
        }
    })
    .await;

    // What the logins' duration allows is one tick a millisecond; a shared machine may stretch
    // timers, so a quarter of that is asked for (and at least 3).
    let allowed = u32::try_from(took.as_millis()).unwrap_or(u32::MAX);
    let wanted = (allowed / 4).max(3);
    println!(
        "blocking: {blocked_ticks} ticks in {blocked_took:?}; AsyncPortal: {ticks} ticks in {took:?}"
    );
    assert!(
        took >= Duration::from_millis(5),
        "four logins at the seed's argon2 parameters take more than this: {took:?}"
    );
    assert!(
        ticks >= wanted,
        "the timer starved under AsyncPortal: {ticks} ticks in {took:?}, wanted {wanted}"
    );
    assert_eq!(
        blocked_ticks, 0,
        "the synchronous calls held the runtime's only thread for {blocked_took:?}"
    );
}

/// A transcript of the seed's scenario (§1 declaration and "Mot de passe oublié", §2 "Gestion
/// des comptes", activation, login, the list, documents, the audit chain): what each step
/// answered, with what is random (ids, tokens) left out.
macro_rules! seed_transcript {
    ($p:ident, $sync:ident, $call:ident) => {{
        let mut out: Vec<String> = Vec::new();
        let admin = "admin@garage-xyz.fr";
        let decl = Declaration::new(admin, "Geloen", "Alexandre", "Gérant").unwrap();
        let garages = vec![
            garage("T99999"),
            Establishment::new(
                "T88888",
                "GARAGE UVW",
                "VILLE 2",
                Some(Regime::DelegatedManagement),
            )
            .unwrap(),
        ];
        let admin_id = $call!($p.declare_administrator(decl.clone(), garages)).unwrap();
        out.push(format!(
            "login before reset: {:?}",
            $call!($p.login(admin.into(), PASSWORD.into(), false)).map(|s| s.account_id)
        ));
        out.push(format!(
            "reset: {:?}",
            $call!($p.request_password_reset(decl.email.clone()))
        ));
        let token = link($sync, NotificationKind::PasswordReset, admin);
        out.push(format!(
            "inspect: {:?}",
            $call!($p.inspect_token(token.clone()))
        ));
        out.push(format!(
            "weak: {:?}",
            $call!($p.complete_password_reset(
                token.clone(),
                admin.into(),
                "garage".into(),
                "garage".into()
            ))
        ));
        out.push(format!(
            "reset done: {:?}",
            $call!($p.complete_password_reset(
                token.clone(),
                admin.into(),
                PASSWORD.into(),
                PASSWORD.into()
            ))
        ));
        out.push(format!(
            "inspect after: {:?}",
            $call!($p.inspect_token(token))
        ));
        let session = $call!($p.login(admin.into(), PASSWORD.into(), false)).unwrap();
        out.push(format!(
            "admin logged in: {}",
            session.account_id == admin_id
        ));
        let s = session.token.expose().to_owned();
        let info = $call!($p.authenticate(s.clone())).unwrap();
        out.push(format!(
            "authenticate: {:?} {:?}",
            info.establishment, info.sections
        ));
        let mine: Vec<String> = $call!($p.manageable_establishments(s.clone()))
            .unwrap()
            .into_iter()
            .map(|e| e.code.to_string())
            .collect();
        out.push(format!("manageable: {mine:?}"));
        let user = NewUser::new("GELOEN", "Alexandre", "alexandre@gmail.com")
            .unwrap()
            .with_mobile("+33", "06 23 42 54 55")
            .unwrap();
        let rights: Rights = [Right::SearchQuotesAndContracts, Right::AccountingDocuments]
            .into_iter()
            .collect();
        let uid = $call!($p.create_user(
            s.clone(),
            Some("T99999".parse().unwrap()),
            user.clone(),
            rights
        ))
        .unwrap();
        out.push(format!(
            "same email again: {:?}",
            $call!($p.create_user(s.clone(), Some("T99999".parse().unwrap()), user, rights))
                .map_err(|e| e.code())
        ));
        let activation = link($sync, NotificationKind::Activation, "alexandre@gmail.com");
        out.push(format!(
            "activate: {:?}",
            $call!($p.activate_account(
                activation,
                "Alexandre@Gmail.com".into(),
                USER_PW.into(),
                USER_PW.into()
            ))
        ));
        let us = $call!($p.login("alexandre@gmail.com".into(), USER_PW.into(), true)).unwrap();
        out.push(format!(
            "user: {} until {}",
            us.account_id == uid,
            us.expires_at
        ));
        let u = us.token.expose().to_owned();
        out.push(format!(
            "user lists accounts: {:?}",
            $call!($p.list_accounts(u.clone(), AccountQuery::default())).map_err(|e| e.code())
        ));
        let page = $call!($p.list_accounts(s.clone(), AccountQuery::default())).unwrap();
        let names: Vec<String> = page
            .items
            .iter()
            .map(|a| {
                format!(
                    "{} {} {:?}",
                    a.last_name.as_str(),
                    a.first_name.as_str(),
                    a.state
                )
            })
            .collect();
        out.push(format!("list: {} {names:?}", page.total));
        out.push(format!(
            "rights: {:?}",
            $call!($p.rights_matrix(s.clone(), uid)).map(|m| format!("{m:?}"))
        ));
        out.push(format!(
            "statement: {:?}",
            $call!($p.monthly_statement(u.clone(), None, "1/2026".parse().unwrap()))
                .map(|r| format!("{r:?}"))
                .map_err(|e| e.code())
        ));
        out.push(format!(
            "documents: {:?}",
            $call!($p.search_reference(u.clone(), "AB-123-CD".into(), None, 0, 20))
                .map(|d| d.total)
                .map_err(|e| e.code())
        ));
        out.push(format!(
            "sessions: {:?}",
            $call!($p.list_sessions(u.clone())).map(|v| v.len())
        ));
        out.push(format!("logout: {:?}", $call!($p.logout(u.clone()))));
        out.push(format!(
            "after logout: {:?}",
            $call!($p.authenticate(u)).map(|_| ()).map_err(|e| e.code())
        ));
        out.push(format!(
            "audit chain: {:?}",
            $call!($p.verify_audit_chain(None))
        ));
        out
    }};
}

macro_rules! sync_owned {
    ($e:expr) => {
        $e
    };
}
macro_rules! awaited {
    ($e:expr) => {
        $e.await
    };
}

/// The synchronous `Portal`, spelled with the owned arguments of `AsyncPortal` so that one
/// transcript serves both: each method borrows its arguments and calls the same flow.
struct Owned<'a, S>(&'a Portal<S, ManualClock>);

type R<T> = dealer_portal::Result<T>;
type Code = Option<dealer_portal::EstablishmentCode>;

impl<S: Store> Owned<'_, S> {
    fn declare_administrator(&self, d: Declaration, e: Vec<Establishment>) -> R<AccountId> {
        self.0.declare_administrator(&d, &e)
    }
    fn login(&self, email: String, password: String, remember: bool) -> R<Session> {
        self.0.login(&email, &password, remember)
    }
    fn request_password_reset(&self, email: dealer_portal::Email) -> R<()> {
        self.0.request_password_reset(&email)
    }
    fn inspect_token(&self, t: String) -> R<TokenStatus> {
        self.0.inspect_token(&t)
    }
    fn complete_password_reset(&self, t: String, e: String, p: String, c: String) -> R<()> {
        self.0.complete_password_reset(&t, &e, &p, &c)
    }
    fn activate_account(&self, t: String, e: String, p: String, c: String) -> R<()> {
        self.0.activate_account(&t, &e, &p, &c)
    }
    fn authenticate(&self, s: String) -> R<SessionInfo> {
        self.0.authenticate(&s)
    }
    fn manageable_establishments(&self, s: String) -> R<Vec<Establishment>> {
        self.0.manageable_establishments(&s)
    }
    fn create_user(&self, s: String, e: Code, u: NewUser, r: Rights) -> R<AccountId> {
        self.0.create_user(&s, e.as_ref(), &u, r)
    }
    fn list_accounts(&self, s: String, q: AccountQuery) -> R<AccountPage> {
        self.0.list_accounts(&s, &q)
    }
    fn rights_matrix(&self, s: String, id: AccountId) -> R<RightsMatrix> {
        self.0.rights_matrix(&s, id)
    }
    fn monthly_statement(&self, s: String, e: Code, m: YearMonth) -> R<Reconciliation> {
        self.0.monthly_statement(&s, e.as_ref(), m)
    }
    fn search_reference(
        &self,
        s: String,
        t: String,
        e: Code,
        o: usize,
        l: usize,
    ) -> R<DocumentPage> {
        self.0.search_reference(&s, &t, e.as_ref(), o, l)
    }
    fn list_sessions(&self, s: String) -> R<Vec<SessionSummary>> {
        self.0.list_sessions(&s)
    }
    fn logout(&self, s: String) -> R<()> {
        self.0.logout(&s)
    }
    fn verify_audit_chain(&self, h: Option<AuditHead>) -> R<usize> {
        self.0.verify_audit_chain(h.as_ref())
    }
}

async fn same_answers<S: Store + 'static>(sync_store: S, async_store: S) {
    let at = datetime!(2026-01-15 09:00 UTC);
    let sync = Portal::new(sync_store, ManualClock::new(at), PortalConfig::for_tests()).unwrap();
    let expected = {
        let p = Owned(&sync);
        let s = &sync;
        seed_transcript!(p, s, sync_owned)
    };
    let p = AsyncPortal::new(
        Portal::new(async_store, ManualClock::new(at), PortalConfig::for_tests()).unwrap(),
    );
    let got = {
        let s = p.portal();
        seed_transcript!(p, s, awaited)
    };
    assert_eq!(got, expected);
    assert!(expected.len() > 15, "{expected:#?}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_seed_answers_as_portal_does_in_memory() {
    same_answers(MemoryStore::new(), MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_answers_as_portal_does_on_sqlite() {
    same_answers(sqlite_store("seed-sync"), sqlite_store("seed-async")).await;
}

/// A clock that panics once armed: a flow that reads the time panics inside the blocking task.
struct PanickingClock(Arc<AtomicBool>);

impl Clock for PanickingClock {
    fn now(&self) -> OffsetDateTime {
        if self.0.load(Ordering::SeqCst) {
            panic!("the clock broke");
        }
        SystemClock.now()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_panic_in_a_flow_reaches_the_awaiting_task_with_its_message() {
    let armed = Arc::new(AtomicBool::new(false));
    let clock = PanickingClock(Arc::clone(&armed));
    let p = AsyncPortal::new(
        Portal::new(MemoryStore::new(), clock, PortalConfig::for_tests()).unwrap(),
    );
    armed.store(true, Ordering::SeqCst);
    let joined = tokio::spawn(async move { p.run_maintenance().await }).await;
    let payload = joined.expect_err("the flow panicked").into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the clock broke"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_call_still_completes() {
    let (sync, emails) = seed_hash_portal(1);
    let p = AsyncPortal::new(sync);
    let e = &emails[0];
    p.request_password_reset(e.parse().unwrap()).await.unwrap();
    let token = link(p.portal(), NotificationKind::PasswordReset, e);
    let new = "Another Passw0rd 2026!";
    // Polled once (the blocking task starts: argon2 at the seed's parameters takes milliseconds),
    // then dropped.
    let call = p.complete_password_reset(token.clone(), e.clone(), new.into(), new.into());
    tokio::select! {
        biased;
        _ = call => panic!("a reset with argon2 at OWASP parameters finished on its first poll"),
        _ = std::future::ready(()) => {}
    }
    // The reset goes through all the same: the token gets consumed, the new password works.
    let deadline = Instant::now() + Duration::from_secs(60);
    while p.inspect_token(token.clone()).await.unwrap().usable {
        assert!(
            Instant::now() < deadline,
            "the dropped reset never completed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    p.login(e.clone(), new.into(), false).await.unwrap();
}

/// The names of the `pub fn`s of `Portal`'s impl blocks in core/src/service/ (the flows), and
/// of the `fn`s declared through `flows!` in async_portal.rs.
fn flow_names() -> (Vec<String>, Vec<String>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service");
    let mut sync = Vec::new();
    let mut asynchronous = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap();
        if path.ends_with("async_portal.rs") {
            let flows = &text[text.find("flows! {").unwrap()..];
            for line in flows.lines() {
                if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                    asynchronous.push(rest.split('(').next().unwrap().to_owned());
                }
            }
            continue;
        }
        let mut in_portal = false;
        for line in text.lines() {
            if line.starts_with("impl") {
                in_portal = line.contains(" Portal<S, C>");
            } else if line.starts_with('}') {
                in_portal = false;
            } else if in_portal && let Some(rest) = line.strip_prefix("    pub fn ") {
                sync.push(rest.split(['(', '<']).next().unwrap().to_owned());
            }
        }
    }
    sync.sort();
    asynchronous.sort();
    (sync, asynchronous)
}

#[test]
fn every_flow_of_portal_has_its_async_fn() {
    // Not flows: constructors and accessors of the wrapped portal (`AsyncPortal::portal`), and
    // the pure evaluation, which needs no blocking pool.
    let reached_through_portal = ["new", "store", "config", "evaluate_password"];
    let (sync, asynchronous) = flow_names();
    let missing: Vec<&String> = sync
        .iter()
        .filter(|n| !reached_through_portal.contains(&n.as_str()) && !asynchronous.contains(n))
        .collect();
    assert!(sync.len() > 40, "the reader found only {sync:?}");
    assert!(
        missing.is_empty(),
        "flows of Portal without an async fn: {missing:?}"
    );
    let unknown: Vec<&String> = asynchronous.iter().filter(|n| !sync.contains(n)).collect();
    assert!(
        unknown.is_empty(),
        "async fns that are no flow of Portal: {unknown:?}"
    );
}

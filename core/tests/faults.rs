//! Faults: a writing process killed with SIGKILL at random moments, a concurrency soak on one
//! SQLite file, corrupt and foreign files given to `Portal::open`, and clocks that jump.
//!
//! The kill test re-invokes this very test binary as the child (`child` below, which does
//! nothing unless `DEALER_PORTAL_FAULT_CHILD` names a database). The child prints one `ACK` line
//! per committed write, flushed before the next write starts; the parent kills it at a random
//! moment and checks that every acknowledged write is in the file. `DEALER_PORTAL_FAULT_SEED`
//! replays a run (the seed is printed).

use dealer_portal::account::{AccountId, AccountQuery, Declaration, NewUser};
use dealer_portal::document::{DocumentCategory, DocumentQuery, NewDocument};
use dealer_portal::email::Email;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::{Notification, NotificationKind};
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use dealer_portal::service::{LockoutConfig, Portal, PortalConfig, UserImport};
use dealer_portal::store::{AccountRepo, MemoryStore, SqliteOptions, SqliteStore, Store};
use dealer_portal::token::TokenSecret;
use dealer_portal::{Clock, Coded, EstablishmentCode, ManualClock};
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use time::Duration;
use time::macros::datetime;

const CHILD_ENV: &str = "DEALER_PORTAL_FAULT_CHILD";
const RUN_ENV: &str = "DEALER_PORTAL_FAULT_RUN";
const SEED_ENV: &str = "DEALER_PORTAL_FAULT_SEED";
const ABORT_ENV: &str = "DEALER_PORTAL_FAULT_ABORT";

const ADMIN: &str = "admin@garage-xyz.fr";
const ADMIN_PW: &str = "Garage-XYZ-2026!";
const USER_PW: &str = "Premiere-Connexion-1";

// ----- helpers -----

/// An establishment code written in a test (`"T99999"`), parsed.
fn est(code: &str) -> EstablishmentCode {
    code.parse().unwrap()
}

/// An email written or made by a test, parsed.
fn email(address: &str) -> Email {
    address.parse().unwrap()
}

/// splitmix64: enough randomness for kill moments and operation mixes, and replayable.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// From `DEALER_PORTAL_FAULT_SEED`, else from the OS (through a fresh token).
    fn from_env() -> (Self, u64) {
        let seed = std::env::var(SEED_ENV)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let d = TokenSecret::generate().digest();
                u64::from_le_bytes(d.as_bytes()[..8].try_into().unwrap())
            });
        (Rng(seed), seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A non-empty set of rights.
    fn rights(&mut self) -> Rights {
        let bits = 1 + self.below(63) as u8;
        Rights::from_bits(bits).unwrap()
    }
}

/// A directory in the temp directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dealer-portal-faults-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn code<T>(r: dealer_portal::Result<T>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
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

/// The newest pending mail of this kind for this address.
fn mail<S: Store, C: Clock>(
    p: &Portal<S, C>,
    kind: NotificationKind,
    email: &str,
) -> Option<Notification> {
    p.pending_notifications()
        .unwrap()
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == email)
}

fn link(n: &Notification) -> String {
    n.body.token.as_ref().unwrap().expose().to_owned()
}

/// Declares the administrator of both garages, gives it `ADMIN_PW`, logs in.
fn admin_session<S: Store, C: Clock>(p: &Portal<S, C>) -> String {
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    p.declare_administrator(&decl, &garages()).unwrap();
    p.request_password_reset(&email(ADMIN)).unwrap();
    let n = mail(p, NotificationKind::PasswordReset, ADMIN).unwrap();
    p.complete_password_reset(&link(&n), ADMIN, ADMIN_PW, ADMIN_PW)
        .unwrap();
    p.acknowledge_notification(n.id).unwrap();
    p.login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned()
}

/// Creates and activates a user on T99999; returns its id.
fn active_user<S: Store, C: Clock>(p: &Portal<S, C>, admin: &str, email: &str) -> AccountId {
    let user = NewUser::new("Test", "Utilisateur", email).unwrap();
    let id = p
        .create_user(
            admin,
            &est("T99999"),
            &user,
            Rights::of(&[Right::SearchClaims]),
        )
        .unwrap();
    let n = mail(p, NotificationKind::Activation, email).unwrap();
    p.activate_account(&link(&n), email, USER_PW, USER_PW)
        .unwrap();
    p.acknowledge_notification(n.id).unwrap();
    id
}

fn read_only(path: &Path) -> Connection {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The invariants every state of the file must satisfy, read straight from the file.
fn check_invariants(path: &Path) {
    let c = read_only(path);
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "integrity_check");
    let dup = count(
        &c,
        "SELECT count(*) FROM (SELECT 1 FROM accounts GROUP BY lower(email) HAVING count(*) > 1)",
    );
    assert_eq!(dup, 0, "two accounts share an email");
    let orphans = count(
        &c,
        "SELECT count(*) FROM rights WHERE establishment NOT IN (SELECT code FROM establishments)
            OR account NOT IN (SELECT id FROM accounts)",
    );
    assert_eq!(orphans, 0, "rights on an unknown establishment or account");
    let live = count(
        &c,
        "SELECT count(*) FROM (SELECT 1 FROM tokens WHERE state = 'issued'
            GROUP BY account, purpose HAVING count(*) > 1)",
    );
    assert_eq!(live, 0, "two live tokens for one account and purpose");
    let kept = count(
        &c,
        "SELECT count(*) FROM outbox WHERE acked = 1 AND token IS NOT NULL",
    );
    assert_eq!(kept, 0, "an acknowledged mail kept its token");
}

/// How many audit events of each action the file holds.
fn actions(path: &Path) -> HashMap<String, i64> {
    let c = read_only(path);
    let mut stmt = c
        .prepare("SELECT action, count(*) FROM audit GROUP BY action")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

// ----- kill -9 -----

/// The child: writes until killed (or for 30 s at most), one `ACK` line per committed write.
/// Does nothing in an ordinary test run.
#[test]
fn child() {
    if let Ok(path) = std::env::var(ABORT_ENV) {
        die_mid_transaction(Path::new(&path));
    }
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let run: u64 = std::env::var(RUN_ENV).unwrap().parse().unwrap();
    child_loop(Path::new(&path), run);
}

/// Writes `lines` (each one `ACK\t…\n`) in one write and flushes: once this returns, the parent
/// can read them. A closed pipe means the parent is gone: stop.
fn ack(lines: &[String]) {
    let mut buf = String::new();
    for l in lines {
        buf.push_str("ACK\t");
        buf.push_str(l);
        buf.push('\n');
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(buf.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

fn ack1(line: String) {
    ack(&[line]);
}

/// Something the child did not expect: reported to the parent, which fails the test.
fn die(what: &str, e: impl std::fmt::Display) -> ! {
    let _ = writeln!(std::io::stdout().lock(), "FAIL\t{what}: {e}");
    let _ = std::io::stdout().flush();
    std::process::exit(3);
}

fn child_loop(path: &Path, run: u64) {
    macro_rules! must {
        ($what:expr, $e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => die($what, e),
            }
        };
    }
    let p = must!("open", Portal::open(path, unrationed()));
    // Mails left pending by an earlier child: acknowledged (an acknowledged write each).
    for n in must!("pending", p.pending_notifications()) {
        must!("ack leftover", p.acknowledge_notification(n.id));
        ack1(format!("acked\t{}", n.id));
    }
    // On a fresh file, the administrator's whole setup happens here too.
    let admin = match p.login(ADMIN, ADMIN_PW, false) {
        Ok(s) => s.token.expose().to_owned(),
        Err(_) => {
            let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
            must!("declare", p.declare_administrator(&decl, &garages()));
            ack1(format!("declared\t{ADMIN}"));
            must!("request admin", p.request_password_reset(&email(ADMIN)));
            ack1(format!("requested\t{ADMIN}"));
            let n = mail(&p, NotificationKind::PasswordReset, ADMIN)
                .unwrap_or_else(|| die("admin mail", "missing"));
            let t = link(&n);
            must!(
                "admin reset",
                p.complete_password_reset(&t, ADMIN, ADMIN_PW, ADMIN_PW)
            );
            ack1(format!("reset\t{ADMIN}\t{t}\t{ADMIN_PW}"));
            must!("ack admin mail", p.acknowledge_notification(n.id));
            ack1(format!("acked\t{}", n.id));
            must!("admin login", p.login(ADMIN, ADMIN_PW, false))
                .token
                .expose()
                .to_owned()
        }
    };
    let mut rng = Rng::new(run.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    let mut k = 0u64;
    while Instant::now() < deadline {
        k += 1;
        // Singles and batch rows get distinct names (`u{run}-{k}` vs `u{run}-{k}-b{j}`).
        let user_email = |i: u64| format!("u{run}-{i}@garage-xyz.fr");
        let batch_email = |i: u64, j: u64| format!("u{run}-{i}-b{j}@garage-xyz.fr");
        if k.is_multiple_of(4) {
            // Bulk import: three new users and a taken email, one transaction.
            let mut rows: Vec<UserImport> = (0..3)
                .map(|j| UserImport {
                    establishment: est("T88888"),
                    user: NewUser::new("Fault", "Batch", &batch_email(k, j)).unwrap(),
                    rights: rng.rights(),
                })
                .collect();
            rows.insert(
                rng.below(4) as usize,
                UserImport {
                    establishment: est("T88888"),
                    user: NewUser::new("Fault", "Taken", ADMIN).unwrap(),
                    rights: Rights::of(&[Right::SearchClaims]),
                },
            );
            let results = must!("create_users", p.create_users(&admin, &rows));
            let mut lines = Vec::new();
            for (row, r) in rows.iter().zip(results) {
                match r {
                    Ok(id) => lines.push(format!("user\t{}\t{id}", row.user.email)),
                    Err(e) if e.code() == "EMAIL_TAKEN" && row.user.email.as_str() == ADMIN => {}
                    Err(e) => die("create_users row", e),
                }
            }
            ack(&lines);
            continue;
        }
        let e = user_email(k);
        let user = NewUser::new("Fault", "Kill", &e).unwrap();
        let id = must!(
            "create_user",
            p.create_user(&admin, &est("T99999"), &user, rng.rights())
        );
        ack1(format!("user\t{e}\t{id}"));
        if !k.is_multiple_of(2) {
            continue;
        }
        // Half the users: activation, then a reset, each link used once.
        let n = mail(&p, NotificationKind::Activation, &e)
            .unwrap_or_else(|| die("activation mail", "missing"));
        let t = link(&n);
        must!("activate", p.activate_account(&t, &e, USER_PW, USER_PW));
        ack1(format!("activated\t{e}\t{t}"));
        must!("ack activation", p.acknowledge_notification(n.id));
        ack1(format!("acked\t{}", n.id));
        must!("request reset", p.request_password_reset(&email(&e)));
        ack1(format!("requested\t{e}"));
        let n = mail(&p, NotificationKind::PasswordReset, &e)
            .unwrap_or_else(|| die("reset mail", "missing"));
        let t = link(&n);
        let pw = format!("Reset-{run}-{k}-Passw0rd!");
        must!("reset", p.complete_password_reset(&t, &e, &pw, &pw));
        ack1(format!("reset\t{e}\t{t}\t{pw}"));
        must!("ack reset", p.acknowledge_notification(n.id));
        ack1(format!("acked\t{}", n.id));
    }
}

/// Dies in the middle of a rollback-journal transaction whose pages spilled into the file,
/// leaving a hot journal: what a process killed while creating a database (switching it to
/// WAL) leaves, deterministically.
fn die_mid_transaction(path: &Path) -> ! {
    let new = !path.exists();
    let c = Connection::open(path).unwrap();
    if new {
        // A committed empty database (a header, no schema), as on the way to being created.
        c.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
            .unwrap();
    }
    c.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 2;
         BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS filler (x BLOB);",
    )
    .unwrap();
    for _ in 0..64 {
        c.execute("INSERT INTO filler VALUES (zeroblob(4000))", [])
            .unwrap();
    }
    std::process::exit(0); // no rollback, no close: the journal stays hot
}

fn leave_hot_journal(path: &Path) {
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(ABORT_ENV, path)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(side(path, "-journal").exists(), "no hot journal left");
}

/// A database whose creation was cut by a kill holds a hot journal that only a writer can roll
/// back: it opens (as a new database), instead of being refused for ever. Another
/// application's database with a hot journal is rolled back to its last committed state (as
/// its owner's next open would do) and refused: byte for byte what it was before the
/// interrupted transaction.
#[test]
fn a_hot_journal_left_by_a_kill_is_rolled_back() {
    let dir = TempDir::new("hot");
    let ours = dir.join("created.db");
    leave_hot_journal(&ours);
    let p = Portal::open(&ours, PortalConfig::for_tests())
        .unwrap_or_else(|e| panic!("a database cut during its creation does not open: {e}"));
    admin_session(&p);
    p.verify_audit_chain(None).unwrap();
    drop(p);
    check_invariants(&ours);

    let theirs = dir.join("notes.db");
    {
        let c = Connection::open(&theirs).unwrap();
        c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
            .unwrap();
    }
    let committed = std::fs::read(&theirs).unwrap();
    leave_hot_journal(&theirs);
    assert_ne!(
        std::fs::read(&theirs).unwrap(),
        committed,
        "nothing spilled"
    );
    let err = Portal::open(&theirs, PortalConfig::for_tests()).unwrap_err();
    assert_eq!(err.code(), "STORAGE");
    assert!(
        err.to_string().contains("not a dealer-portal database"),
        "{err}"
    );
    assert_eq!(std::fs::read(&theirs).unwrap(), committed);
    assert!(!side(&theirs, "-journal").exists());
    let c = Connection::open(&theirs).unwrap();
    let body: String = c
        .query_row("SELECT body FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "keep me");
}

/// What the children of one file acknowledged.
#[derive(Default)]
struct Acked {
    /// email → account id.
    users: HashMap<String, String>,
    /// Activation tokens consumed, by email.
    activated: Vec<(String, String)>,
    /// Emails with a reset mail queued.
    requested: HashSet<String>,
    /// (email, reset token consumed, new password): the account's last password change.
    resets: Vec<(String, String, String)>,
    /// Notifications acknowledged.
    mails: HashSet<i64>,
    /// How many lines in all.
    lines: usize,
}

impl Acked {
    /// Records complete lines; returns the indices of the activations and resets they added.
    fn absorb(&mut self, out: &[u8]) -> (usize, usize) {
        let (a0, r0) = (self.activated.len(), self.resets.len());
        // A line without its newline was cut by the kill: not acknowledged.
        let complete = match out.iter().rposition(|&b| b == b'\n') {
            Some(i) => &out[..=i],
            None => &[][..],
        };
        for line in String::from_utf8_lossy(complete).lines() {
            if let Some(f) = line.strip_prefix("FAIL\t") {
                panic!("the child failed: {f}");
            }
            let Some(rest) = line.strip_prefix("ACK\t") else {
                continue; // the test harness's own lines
            };
            self.lines += 1;
            let f: Vec<&str> = rest.split('\t').collect();
            match f[..] {
                ["user", email, id] => {
                    self.users.insert(email.into(), id.into());
                }
                ["activated", email, token] => self.activated.push((email.into(), token.into())),
                ["requested", email] => {
                    self.requested.insert(email.into());
                }
                ["reset", email, token, pw] => {
                    self.resets.push((email.into(), token.into(), pw.into()))
                }
                ["acked", id] => {
                    self.mails.insert(id.parse().unwrap());
                }
                ["declared", email] => {
                    self.users.entry(email.into()).or_default();
                }
                _ => panic!("unexpected line {line:?}"),
            }
        }
        (a0, r0)
    }
}

/// After a kill: the file opens, its log verifies, the invariants hold, every acknowledged
/// write is there, and the links consumed since the last check are dead for good.
fn check_after_kill(path: &Path, acked: &Acked, new: (usize, usize), audit_before: usize) -> usize {
    let p = Portal::open(path, PortalConfig::for_tests())
        .unwrap_or_else(|e| panic!("the file does not open after a kill: {e}"));
    let events = p
        .verify_audit_chain(None)
        .unwrap_or_else(|e| panic!("audit chain after a kill: {e}"));
    assert!(events >= audit_before, "audit events lost");
    check_invariants(path);
    let c = read_only(path);
    // Accounts, with their ids.
    let mut stmt = c.prepare("SELECT email, id, state FROM accounts").unwrap();
    let accounts: HashMap<String, (Vec<u8>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (email, id) in &acked.users {
        let (bytes, _) = accounts
            .get(email)
            .unwrap_or_else(|| panic!("acknowledged account {email} lost"));
        if !id.is_empty() {
            let id: AccountId = id.parse().unwrap();
            assert_eq!(&bytes[..], &id.as_bytes()[..], "{email} has another id");
        }
    }
    // Consumed links stay consumed.
    let mut stmt = c.prepare("SELECT digest, state FROM tokens").unwrap();
    let tokens: HashMap<Vec<u8>, String> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let consumed = acked
        .activated
        .iter()
        .map(|(e, t)| (e, t))
        .chain(acked.resets.iter().map(|(e, t, _)| (e, t)));
    for (email, t) in consumed {
        let d = TokenSecret::parse(t).unwrap().digest();
        assert_eq!(
            tokens.get(&d.as_bytes()[..]).map(String::as_str),
            Some("consumed"),
            "link of {email}"
        );
        assert_eq!(accounts[email].1, "active", "{email} was activated");
    }
    // Queued reset mails and acknowledgements.
    let mut stmt = c
        .prepare("SELECT DISTINCT email FROM outbox WHERE kind = ?1")
        .unwrap();
    let queued: HashSet<String> = stmt
        .query_map([NotificationKind::PasswordReset.code()], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for e in &acked.requested {
        assert!(queued.contains(e), "acknowledged reset request of {e} lost");
    }
    let mut stmt = c
        .prepare("SELECT id FROM outbox WHERE acked = 1 AND token IS NULL")
        .unwrap();
    let done: HashSet<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in &acked.mails {
        assert!(done.contains(id), "acknowledgement of mail {id} lost");
    }
    // The links consumed by the last child: unusable through the portal too, and each new
    // password is the one in force.
    for (email, t) in &acked.activated[new.0..] {
        assert!(!p.inspect_token(t).unwrap().usable);
        assert_eq!(
            code(p.activate_account(t, email, "Another-Passw0rd-9", "Another-Passw0rd-9")),
            "TOKEN_INVALID"
        );
    }
    for (email, t, pw) in &acked.resets[new.1..] {
        assert!(!p.inspect_token(t).unwrap().usable);
        assert_eq!(
            code(p.complete_password_reset(t, email, "Another-Passw0rd-9", "Another-Passw0rd-9")),
            "TOKEN_INVALID"
        );
        assert_eq!(code(p.login(email, pw, false)), "OK", "password of {email}");
    }
    p.verify_audit_chain(None).unwrap()
}

struct Killed {
    /// Whether the child was still running when killed.
    alive: bool,
    /// Its stdout.
    out: Vec<u8>,
}

fn spawn_and_kill(path: &Path, run: u64, after: std::time::Duration) -> Killed {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .env(RUN_ENV, run.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    std::thread::sleep(after);
    let alive = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    let out = reader.join().unwrap();
    if !alive {
        assert!(status.success(), "the child failed: {status}");
    }
    Killed { alive, out }
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    let (mut rng, seed) = Rng::from_env();
    eprintln!("kill -9: {SEED_ENV}={seed}");
    let dir = TempDir::new("kill");
    let main = dir.join("portal.db");
    {
        let p = Portal::open(&main, PortalConfig::for_tests()).unwrap();
        admin_session(&p);
    }
    let started = Instant::now();
    let mut acked = Acked::default();
    let mut audit = 0;
    let (mut kills, mut fresh_kills, mut runs) = (0, 0, 0u64);
    while kills < 200 {
        runs += 1;
        assert!(runs < 600, "the children keep exiting before the kill");
        if runs.is_multiple_of(20) {
            // A fresh file, killed early: during its creation, migration or first setup.
            let path = dir.join(&format!("fresh-{runs}.db"));
            let k = spawn_and_kill(&path, runs, ms(rng.below(40)));
            let mut fresh = Acked::default();
            let new = fresh.absorb(&k.out);
            check_after_kill(&path, &fresh, new, 0);
            fresh_kills += usize::from(k.alive);
            continue;
        }
        let k = spawn_and_kill(&main, runs, ms(rng.below(150)));
        let new = acked.absorb(&k.out);
        audit = check_after_kill(&main, &acked, new, audit);
        kills += usize::from(k.alive);
    }
    eprintln!(
        "kill -9: {kills} kills on one file and {fresh_kills} on fresh files in {:.1} s; \
         {} acknowledged writes survived: {} accounts, {} activations, {} resets, {} mails \
         acknowledged; {audit} audit events",
        started.elapsed().as_secs_f64(),
        acked.lines,
        acked.users.len(),
        acked.activated.len(),
        acked.resets.len(),
        acked.mails.len(),
    );
    assert!(acked.resets.len() > 20, "the kills all came too early");
}

fn ms(n: u64) -> std::time::Duration {
    std::time::Duration::from_millis(n)
}

// ----- concurrency soak -----

#[derive(Default)]
struct Tally {
    ops: BTreeMap<&'static str, u64>,
    login_ok: u64,
    login_failed: u64,
    requests: u64,
    rights_changed: u64,
    acks: u64,
    /// Users this thread created, with the rights it last gave them.
    created: Vec<(AccountId, String, BTreeMap<&'static str, Rights>)>,
    /// Contested emails this thread won.
    won: Vec<u64>,
    /// Answers other than the expected ones.
    unexpected: Vec<String>,
}

impl Tally {
    fn expect<T>(&mut self, op: &'static str, r: &dealer_portal::Result<T>, ok: &[&str]) -> bool {
        *self.ops.entry(op).or_default() += 1;
        let c = match r {
            Ok(_) => "OK",
            Err(e) => e.code(),
        };
        if !ok.contains(&c) {
            let msg = match r {
                Err(e) => format!("{op}: {c}: {e}"),
                Ok(_) => format!("{op}: OK where {ok:?} was expected"),
            };
            self.unexpected.push(msg);
        }
        c == "OK"
    }
}

const SOAK_DOCS: usize = 30;
const CONTESTED: u64 = 40;

/// The test configuration without the ration of `EMAIL_TAKEN` answers, and with a lockout
/// budget above the soak's 8 threads: these runs race on taken emails by the thousand and log
/// one account in from every thread at once, which is what they test; the ration and the
/// budget (concurrent checks beyond `max_failures` are refused) are `hardening.rs`'s.
fn unrationed() -> PortalConfig {
    let mut c = PortalConfig::for_tests();
    c.email_taken.max_answers = u32::MAX;
    c.lockout.max_failures = 16;
    c
}

#[test]
fn concurrency_soak() {
    let dir = TempDir::new("soak");
    let path = dir.join("soak.db");
    let p = Arc::new(Portal::open(&path, unrationed()).unwrap());
    let admin = admin_session(&*p);
    active_user(&*p, &admin, "victim@garage-xyz.fr");
    let docs: Vec<NewDocument> = (0..SOAK_DOCS)
        .map(|i| {
            NewDocument::new(
                "accounting",
                &format!("22040{i:05}"),
                &format!("2025-{:02}-10", 1 + i % 12),
            )
            .unwrap()
        })
        .collect();
    p.add_documents(&est("T99999"), &docs).unwrap();
    let before = actions(&path);
    let sessions_before = count(&read_only(&path), "SELECT count(*) FROM sessions");
    let acked_before = count(
        &read_only(&path),
        "SELECT count(*) FROM outbox WHERE acked = 1",
    );
    let (mut seeder, seed) = Rng::from_env();
    eprintln!("soak: {SEED_ENV}={seed}");
    let started = Instant::now();
    let deadline = started + std::time::Duration::from_secs(6);
    let handles: Vec<_> = (0..8u64)
        .map(|t| {
            let p = Arc::clone(&p);
            let mut rng = Rng::new(seeder.next());
            std::thread::spawn(move || soak_thread(&p, t, &mut rng, deadline))
        })
        .collect();
    let tallies: Vec<Tally> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let elapsed = started.elapsed();

    let unexpected: Vec<&String> = tallies.iter().flat_map(|t| &t.unexpected).collect();
    assert!(unexpected.is_empty(), "unexpected answers: {unexpected:#?}");
    let sum = |f: fn(&Tally) -> u64| tallies.iter().map(f).sum::<u64>();
    let created = sum(|t| t.created.len() as u64);
    let won = sum(|t| t.won.len() as u64);
    // Each contested email went to exactly one thread.
    let mut winners: Vec<u64> = tallies.iter().flat_map(|t| t.won.clone()).collect();
    winners.sort_unstable();
    let distinct = {
        let mut w = winners.clone();
        w.dedup();
        w
    };
    assert_eq!(winners, distinct, "a contested email was created twice");
    // Every account created is listed: no lost insert.
    let admin = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let q = AccountQuery::default().with_page(0, 1).unwrap();
    let listed = p.list_accounts(&admin, &q).unwrap().total as u64;
    assert_eq!(listed, 2 + created + won, "accounts listed vs created");
    // Every user's rights are the last ones its thread set: no lost update.
    for t in &tallies {
        for (id, _, expected) in &t.created {
            let expected: RightsMatrix = expected.iter().map(|(c, r)| (est(c), *r)).collect();
            assert_eq!(p.rights_matrix(&admin, *id).unwrap(), expected);
        }
    }
    // The log holds exactly one event per write that succeeded.
    p.verify_audit_chain(None).unwrap();
    check_invariants(&path);
    let after = actions(&path);
    let delta = |a: &str| after.get(a).copied().unwrap_or(0) - before.get(a).copied().unwrap_or(0);
    assert_eq!(delta("login_succeeded") as u64, sum(|t| t.login_ok) + 1);
    assert_eq!(delta("login_failed") as u64, sum(|t| t.login_failed));
    assert_eq!(delta("user_created") as u64, created + won);
    // Every create_user that created nothing answered EMAIL_TAKEN, audited (issue 16 item 3).
    assert_eq!(
        delta("email_taken_answered") as u64,
        sum(|t| t.ops.get("create_user").copied().unwrap_or(0)) - created - won
    );
    assert_eq!(delta("rights_changed") as u64, sum(|t| t.rights_changed));
    assert_eq!(
        (delta("reset_requested") + delta("reset_request_ignored") + delta("activation_sent"))
            as u64,
        sum(|t| t.requests)
    );
    let known = [
        "login_succeeded",
        "login_failed",
        "user_created",
        "rights_changed",
        "reset_requested",
        "reset_request_ignored",
        "activation_sent",
        "account_locked",
        "email_taken_answered",
    ];
    for (a, _) in after.iter().filter(|(a, _)| !known.contains(&a.as_str())) {
        assert_eq!(delta(a), 0, "unexpected {a} events");
    }
    let c = read_only(&path);
    assert_eq!(
        (count(&c, "SELECT count(*) FROM sessions") - sessions_before) as u64,
        sum(|t| t.login_ok) + 1,
        "sessions opened"
    );
    assert_eq!(
        (count(&c, "SELECT count(*) FROM outbox WHERE acked = 1") - acked_before) as u64,
        sum(|t| t.acks),
        "mails acknowledged"
    );
    let mut ops: BTreeMap<&str, u64> = BTreeMap::new();
    for t in &tallies {
        for (op, n) in &t.ops {
            *ops.entry(op).or_default() += n;
        }
    }
    eprintln!(
        "soak: {} operations in {:.1} s by 8 threads ({created} + {won} contested accounts \
         created, {listed} listed): {ops:?}",
        ops.values().sum::<u64>(),
        elapsed.as_secs_f64()
    );
}

fn soak_thread(p: &Portal<SqliteStore>, t: u64, rng: &mut Rng, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let session = p.login(ADMIN, ADMIN_PW, false);
    tally.expect("login", &session, &["OK"]);
    tally.login_ok += 1;
    let Ok(session) = session else { return tally };
    let session = session.token.expose().to_owned();
    let query = DocumentQuery::new(DocumentCategory::Accounting);
    let mut seen_total = 0;
    let mut i = 0u64;
    while Instant::now() < deadline {
        i += 1;
        match rng.below(13) {
            0 => {
                let r = p.login(ADMIN, ADMIN_PW, rng.below(2) == 0);
                if tally.expect("login", &r, &["OK"]) {
                    tally.login_ok += 1;
                    let r = p.authenticate(r.unwrap().token.expose());
                    tally.expect("authenticate", &r, &["OK"]);
                }
            }
            1 => {
                let r = p.login(&format!("nobody-{t}-{i}@garage-xyz.fr"), ADMIN_PW, false);
                tally.expect("login", &r, &["INVALID_CREDENTIALS"]);
                tally.login_failed += 1;
            }
            2 => {
                let r = p.login("victim@garage-xyz.fr", "Wrong-Password-123", false);
                tally.expect("login", &r, &["INVALID_CREDENTIALS"]);
                tally.login_failed += 1;
            }
            3 | 4 => {
                let r = p.authenticate(&session);
                tally.expect("authenticate", &r, &["OK"]);
            }
            5 => {
                let email = format!("soak-{t}-{i}@garage-xyz.fr");
                let user = NewUser::new("Soak", &format!("T{t}"), &email).unwrap();
                let rights = rng.rights();
                let r = p.create_user(&session, &est("T99999"), &user, rights);
                if tally.expect("create_user", &r, &["OK"]) {
                    let m = BTreeMap::from([("T99999", rights)]);
                    tally.created.push((r.unwrap(), email, m));
                }
            }
            6 => {
                let k = rng.below(CONTESTED);
                let email = format!("race-{k}@garage-xyz.fr");
                let user = NewUser::new("Race", "Contested", &email).unwrap();
                let r = p.create_user(
                    &session,
                    &est("T99999"),
                    &user,
                    Rights::of(&[Right::SearchClaims]),
                );
                if tally.expect("create_user", &r, &["OK", "EMAIL_TAKEN"]) {
                    tally.won.push(k);
                }
            }
            7 | 8 => {
                if tally.created.is_empty() {
                    continue;
                }
                let n = rng.below(tally.created.len() as u64) as usize;
                let code = if rng.below(2) == 0 {
                    "T99999"
                } else {
                    "T88888"
                };
                let rights = rng.rights();
                let id = tally.created[n].0;
                let r = p.set_rights(&session, id, &est(code), rights);
                if tally.expect("set_rights", &r, &["OK"]) {
                    tally.rights_changed += 1;
                    tally.created[n].2.insert(code, rights);
                }
            }
            9 => {
                let address = match (rng.below(3), tally.created.len()) {
                    (0, _) | (_, 0) => format!("unknown-{t}-{i}@garage-xyz.fr"),
                    (1, _) => "victim@garage-xyz.fr".to_owned(),
                    (_, n) => tally.created[rng.below(n as u64) as usize].1.clone(),
                };
                let r = p.request_password_reset(&email(&address));
                tally.expect("request_password_reset", &r, &["OK"]);
                tally.requests += 1;
            }
            10 => {
                let q = AccountQuery::default()
                    .with_page(0, 1 + rng.below(20) as usize)
                    .unwrap();
                let r = p.list_accounts(&session, &q);
                if tally.expect("list_accounts", &r, &["OK"]) {
                    let total = r.unwrap().total;
                    // A later snapshot never has fewer accounts, and has all of ours.
                    if total < seen_total || total < tally.created.len() {
                        tally
                            .unexpected
                            .push(format!("list_accounts: total {total} after {seen_total}"));
                    }
                    seen_total = total;
                }
            }
            11 => {
                let r = p.search_documents(&session, &est("T99999"), &query);
                if tally.expect("search_documents", &r, &["OK"]) && r.unwrap().total != SOAK_DOCS {
                    tally
                        .unexpected
                        .push("search_documents: wrong total".into());
                }
            }
            _ => {
                let pending = p.pending_notifications();
                if !tally.expect("pending_notifications", &pending, &["OK"]) {
                    continue;
                }
                if let Some(n) = pending.unwrap().first() {
                    let r = p.acknowledge_notification(n.id);
                    if tally.expect("acknowledge", &r, &["OK", "UNKNOWN_NOTIFICATION"]) {
                        tally.acks += 1;
                    }
                }
            }
        }
    }
    tally
}

// ----- corrupt and foreign files -----

/// What `Portal::open` must leave exactly as it was.
fn snapshot(path: &Path) -> Vec<(String, Vec<u8>)> {
    if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), Vec::new())
            })
            .collect();
        v.sort();
        v
    } else {
        vec![(String::new(), std::fs::read(path).unwrap())]
    }
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// `Portal::open` refuses the file with a STORAGE error naming it, does not panic, and leaves
/// it (and its neighbourhood) as it was.
fn assert_refused(path: &Path, what: &str) -> String {
    let before = snapshot(path);
    let wal_before = side(path, "-wal").exists();
    let r = std::panic::catch_unwind(|| Portal::open(path, PortalConfig::for_tests()).map(|_| ()));
    let err = match r {
        Err(_) => panic!("{what}: Portal::open panicked"),
        Ok(Ok(())) => panic!("{what}: Portal::open accepted it"),
        Ok(Err(e)) => e,
    };
    assert_eq!(err.code(), "STORAGE", "{what}: {err}");
    let msg = err.to_string();
    // Clear: it names the file, or says what is wrong with it.
    assert!(
        msg.contains(&path.display().to_string())
            || msg.contains("malformed")
            || msg.contains("not a database"),
        "{what}: {msg}"
    );
    assert_eq!(snapshot(path), before, "{what}: the file was modified");
    if !wal_before {
        // SQLite's read-only probe of a WAL-mode file may leave an empty `-wal` beside it
        // (read-only connections do not remove it); never one with content.
        let wal = std::fs::metadata(side(path, "-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "{what}: a WAL with content was left");
    }
    // And the store itself, directly.
    let e = SqliteStore::open(path, SqliteOptions::default()).unwrap_err();
    assert_eq!(e.code(), "STORAGE");
    assert_eq!(snapshot(path), before, "{what}: the file was modified");
    msg
}

fn noise(n: usize) -> Vec<u8> {
    let mut rng = Rng::from_env().0;
    (0..n).map(|_| rng.next() as u8).collect()
}

#[test]
fn corrupt_or_foreign_files_are_refused_untouched() {
    let dir = TempDir::new("files");
    // Random bytes, long and short; a header cut short.
    let f = dir.join("random.db");
    std::fs::write(&f, noise(64 * 1024)).unwrap();
    assert_refused(&f, "random bytes");
    std::fs::write(&f, noise(7)).unwrap();
    assert_refused(&f, "seven random bytes");
    std::fs::write(&f, b"SQLite for").unwrap();
    assert_refused(&f, "a cut SQLite header");

    // A directory.
    let d = dir.join("a-directory.db");
    std::fs::create_dir(&d).unwrap();
    assert_refused(&d, "a directory");

    // Another application's databases: rollback journal, and WAL.
    for (name, journal) in [("notes.db", "DELETE"), ("notes-wal.db", "WAL")] {
        let f = dir.join(name);
        {
            let c = Connection::open(&f).unwrap();
            c.execute_batch(&format!(
                "PRAGMA journal_mode = {journal};
                 CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
                 INSERT INTO notes (body) VALUES ('keep me');"
            ))
            .unwrap();
        }
        let msg = assert_refused(&f, name);
        assert!(msg.contains("not a dealer-portal database"), "{msg}");
        let c = Connection::open(&f).unwrap();
        let body: String = c
            .query_row("SELECT body FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(body, "keep me");
    }

    // A real portal database, cut at various lengths.
    let real = dir.join("real.db");
    {
        let p = Portal::open(&real, PortalConfig::for_tests()).unwrap();
        let admin = admin_session(&p);
        let rows: Vec<UserImport> = (0..300)
            .map(|i| UserImport {
                establishment: est("T99999"),
                user: NewUser::new("Cut", &format!("N{i}"), &format!("cut{i}@garage-xyz.fr"))
                    .unwrap(),
                rights: Rights::of(&[Right::SearchClaims]),
            })
            .collect();
        p.create_users(&admin, &rows).unwrap();
    }
    assert!(!side(&real, "-wal").exists(), "closing checkpoints the WAL");
    let bytes = std::fs::read(&real).unwrap();
    assert!(bytes.len() > 16 * 4096, "{}", bytes.len());
    for cut in [
        20,
        99,
        100,
        4096,
        3 * 4096 + 17,
        bytes.len() / 2,
        bytes.len() - 4096,
    ] {
        let f = dir.join(&format!("cut-{cut}.db"));
        std::fs::write(&f, &bytes[..cut]).unwrap();
        assert_refused(&f, &format!("a database cut at {cut} bytes"));
    }
}

/// An empty file holds nothing to lose: SQLite treats it as an empty database, and so does the
/// store (this is how `tempfile`-style callers create a database).
#[test]
fn an_empty_file_becomes_a_new_database() {
    let dir = TempDir::new("empty");
    let f = dir.join("empty.db");
    std::fs::write(&f, b"").unwrap();
    let p = Portal::open(&f, PortalConfig::for_tests()).unwrap();
    admin_session(&p);
    drop(p);
    let p = Portal::open(&f, PortalConfig::for_tests()).unwrap();
    assert_eq!(code(p.login(ADMIN, ADMIN_PW, false)), "OK");
}

// ----- clock jumps -----

const T0: time::OffsetDateTime = datetime!(2026-01-15 09:00 UTC);

fn clocked<S: Store>(store: S) -> (Portal<S, ManualClock>, ManualClock) {
    let clock = ManualClock::new(T0);
    let p = Portal::new(store, clock.clone(), PortalConfig::for_tests()).unwrap();
    (p, clock)
}

fn sqlite_store(dir: &TempDir, name: &str) -> SqliteStore {
    SqliteStore::open(dir.join(name), SqliteOptions::default()).unwrap()
}

/// A reset link seen expired (by its form's submission or by opening it) stays dead when the
/// clock goes back; a consumed one too, even before its issue time.
fn clock_jumps_and_reset_links<S: Store>(store: S) {
    let (p, clock) = clocked(store);
    admin_session(&p);
    let fresh_link = || {
        p.request_password_reset(&email(ADMIN)).unwrap();
        link(&mail(&p, NotificationKind::PasswordReset, ADMIN).unwrap())
    };
    let try_reset =
        |t: &str| code(p.complete_password_reset(t, ADMIN, "Other-Passw0rd-1", "Other-Passw0rd-1"));

    // Seen expired by a submission.
    clock.set(T0 + Duration::hours(2));
    let t = fresh_link();
    clock.advance(Duration::minutes(61));
    assert_eq!(try_reset(&t), "TOKEN_INVALID");
    for back in [
        Duration::minutes(-30),
        Duration::hours(-2),
        Duration::days(-1),
    ] {
        clock.set(T0 + Duration::hours(3) + Duration::minutes(1) + back);
        assert!(!p.inspect_token(&t).unwrap().usable, "revived {back} back");
        assert_eq!(try_reset(&t), "TOKEN_INVALID", "revived {back} back");
    }

    // Seen expired by opening the link only (a mail scanner, the form page).
    clock.set(T0 + Duration::hours(5));
    let t = fresh_link();
    clock.advance(Duration::minutes(61));
    assert!(!p.inspect_token(&t).unwrap().usable);
    clock.advance(Duration::minutes(-31));
    assert!(
        !p.inspect_token(&t).unwrap().usable,
        "a link seen expired came back when the clock went back"
    );
    assert_eq!(try_reset(&t), "TOKEN_INVALID");

    // Consumed, then the clock goes back before its issue.
    clock.set(T0 + Duration::hours(8));
    let t = fresh_link();
    assert_eq!(
        code(p.complete_password_reset(&t, ADMIN, "Third-Passw0rd-1", "Third-Passw0rd-1")),
        "OK"
    );
    clock.set(T0);
    assert_eq!(try_reset(&t), "TOKEN_INVALID");

    // A link never seen expired is still good after a jump back (nothing to revive), and a
    // jump forward past its expiry ends it.
    clock.set(T0 + Duration::hours(10));
    let t = fresh_link();
    clock.advance(Duration::minutes(-45));
    assert!(p.inspect_token(&t).unwrap().usable);
    clock.advance(Duration::minutes(45 + 60));
    assert_eq!(try_reset(&t), "TOKEN_INVALID");
    p.verify_audit_chain(None).unwrap();
}

/// Sessions: a jump back never ends one early; jumps back and forth never keep one past its
/// absolute limit, and one seen expired (idle or absolute) stays ended when the clock goes back.
/// Asserted about the idle timer: it is measured from the latest use recorded, which never
/// moves back; a use recorded at a clock that was ahead keeps the session (idle-)alive until
/// that time plus the idle timeout, but never past the absolute limit.
fn clock_jumps_and_sessions<S: Store>(store: S) {
    let (p, clock) = clocked(store);
    admin_session(&p);
    let auth = |s: &str| code(p.authenticate(s));
    let start = T0 + Duration::hours(1);
    clock.set(start);
    let s = p.login(ADMIN, ADMIN_PW, false).unwrap();
    assert_eq!(s.expires_at, start + Duration::minutes(30));
    let s = s.token.expose().to_owned();
    // Backwards: never expires early, however far.
    for back in [
        Duration::seconds(-1),
        Duration::hours(-2),
        Duration::days(-400),
    ] {
        clock.set(start + back);
        assert_eq!(auth(&s), "OK", "{back} back");
    }
    clock.set(start + Duration::minutes(25));
    assert_eq!(auth(&s), "OK"); // recorded: last use at +25 min
    clock.set(start + Duration::minutes(5));
    assert_eq!(auth(&s), "OK"); // back: last use stays +25 min
    clock.set(start + Duration::minutes(54));
    assert_eq!(auth(&s), "OK", "idle measured from the latest use");
    // The dance: used every 25 minutes, with jumps back of 3 hours on the way; still ends at
    // the absolute limit (12 h).
    let mut at = start + Duration::minutes(54);
    while at + Duration::minutes(25) < start + Duration::hours(12) {
        at += Duration::minutes(25);
        clock.set(at);
        assert_eq!(auth(&s), "OK", "at {at}");
        clock.set(at - Duration::hours(3));
        assert_eq!(auth(&s), "OK", "at {at} - 3 h");
    }
    clock.set(start + Duration::hours(12));
    assert_eq!(auth(&s), "SESSION_INVALID", "absolute limit");
    for back in [
        Duration::seconds(-1),
        Duration::hours(-1),
        Duration::hours(-11),
    ] {
        clock.set(start + Duration::hours(12) + back);
        assert_eq!(auth(&s), "SESSION_INVALID", "revived {back} back");
    }

    // Idle expiry seen, then the clock goes back.
    clock.set(start + Duration::days(1));
    let s = p
        .login(ADMIN, ADMIN_PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    clock.advance(Duration::minutes(31));
    assert_eq!(auth(&s), "SESSION_INVALID", "idle");
    clock.advance(Duration::minutes(-20));
    assert_eq!(auth(&s), "SESSION_INVALID", "idle expiry revived");

    // A remembered session: 30 days; a jump back of 40 days does not end it, a jump to its end
    // does, for good.
    clock.set(start + Duration::days(2));
    let s = p
        .login(ADMIN, ADMIN_PW, true)
        .unwrap()
        .token
        .expose()
        .to_owned();
    clock.advance(Duration::days(-40));
    assert_eq!(auth(&s), "OK");
    clock.set(start + Duration::days(2) + Duration::days(29));
    assert_eq!(auth(&s), "OK");
    clock.set(start + Duration::days(2) + Duration::days(30));
    assert_eq!(auth(&s), "SESSION_INVALID");
    clock.set(start + Duration::days(3));
    assert_eq!(auth(&s), "SESSION_INVALID", "remembered session revived");
    p.verify_audit_chain(None).unwrap();
}

/// Lockouts. A lock ends at an instant of the portal's clock (`locked_until`, set once, when
/// the lock starts, to that moment plus `lock_for(n)`). Asserted: a jump back never unlocks and
/// never moves that instant; attempts during a lock (before or after a jump) neither lengthen
/// it nor count towards the next one; the account unlocks exactly when the clock reaches the
/// instant; each further lock starts from the moment it is triggered and lasts `lock_for(n)`;
/// a jump forward past the instant ends the lock. (A jump back does make the lock last longer
/// in wall-clock time, by the size of the jump: the portal has no other clock to tell.)
fn clock_jumps_and_lockouts<S: Store>(store: S) {
    let (p, clock) = clocked(store);
    let admin = admin_session(&p);
    const LOCKED: &str = "lock@garage-xyz.fr";
    active_user(&p, &admin, LOCKED);
    let cfg = LockoutConfig::default();
    let state = || {
        let e = Email::parse(LOCKED).unwrap();
        let a = p
            .store()
            .read(|tx| tx.account_by_email(&e))
            .unwrap()
            .unwrap();
        (a.locked_until, a.lockouts, a.failed_logins)
    };
    let wrong = |n: usize| {
        for _ in 0..n {
            assert_eq!(
                code(p.login(LOCKED, "Wrong-Password-123", false)),
                "INVALID_CREDENTIALS"
            );
        }
    };
    let right = || code(p.login(LOCKED, USER_PW, false));

    let ta = T0 + Duration::hours(1);
    clock.set(ta);
    wrong(5);
    let until = ta + cfg.lock_for(1);
    assert_eq!(state(), (Some(until), 1, 0));
    assert_eq!(right(), "INVALID_CREDENTIALS", "locked");
    for back in [
        Duration::minutes(-1),
        Duration::hours(-1),
        Duration::days(-30),
    ] {
        clock.set(ta + back);
        assert_eq!(
            right(),
            "INVALID_CREDENTIALS",
            "unlocked by a jump of {back}"
        );
        wrong(3);
        assert_eq!(
            state(),
            (Some(until), 1, 0),
            "lock changed by a jump of {back}"
        );
    }
    clock.set(until - Duration::seconds(1));
    assert_eq!(right(), "INVALID_CREDENTIALS");
    clock.set(until);
    assert_eq!(right(), "OK", "unlocks at its end");
    assert_eq!(state(), (None, 0, 0));

    // Escalation under jumps: the second lock lasts lock_for(2) from when it starts.
    let tb = T0 + Duration::hours(3);
    clock.set(tb);
    wrong(5);
    clock.set(tb + cfg.lock_for(1));
    wrong(5);
    let until2 = tb + cfg.lock_for(1) + cfg.lock_for(2);
    assert_eq!(state(), (Some(until2), 2, 0));
    clock.set(tb - Duration::hours(2));
    assert_eq!(right(), "INVALID_CREDENTIALS");
    wrong(7);
    assert_eq!(
        state(),
        (Some(until2), 2, 0),
        "a jump back escalated the lock"
    );
    clock.set(until2);
    assert_eq!(right(), "OK");

    // A jump forward ends a lock.
    clock.set(T0 + Duration::hours(6));
    wrong(5);
    assert_eq!(right(), "INVALID_CREDENTIALS");
    clock.advance(Duration::days(1));
    assert_eq!(right(), "OK");
    p.verify_audit_chain(None).unwrap();
}

#[test]
fn clock_jumps_memory() {
    clock_jumps_and_reset_links(MemoryStore::new());
    clock_jumps_and_sessions(MemoryStore::new());
    clock_jumps_and_lockouts(MemoryStore::new());
}

#[test]
fn clock_jumps_sqlite() {
    let dir = TempDir::new("clock");
    clock_jumps_and_reset_links(sqlite_store(&dir, "links.db"));
    clock_jumps_and_sessions(sqlite_store(&dir, "sessions.db"));
    clock_jumps_and_lockouts(sqlite_store(&dir, "lockouts.db"));
    for name in ["links.db", "sessions.db", "lockouts.db"] {
        check_invariants(&dir.join(name));
    }
}

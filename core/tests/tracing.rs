//! The `tracing` feature (issue 19): the seed's whole scenario on the memory store under a
//! subscriber that records every span and event with all their fields, then
//!
//! - each flow called made exactly one span, in call order, named `dealer_portal.<flow>`,
//!   with `flow`, its `outcome` (`ok` or the error's code), the `actor` and the
//!   `establishment` where they apply and not where they do not;
//! - nothing captured holds a secret the scenario used: passwords, mail tokens, session tokens
//!   and their digests, password hashes, the TOTP secret, its codes and the recovery codes,
//!   the deployment's keys and pepper, nor any email address.
//!
//! Built only with `--features tracing` (`required-features` in Cargo.toml).

use dealer_portal::account::{
    AccountQuery, Declaration, NewUser, ProfileUpdate, RepairerRegistration,
};
use dealer_portal::document::{DocumentQuery, NewDocument};
use dealer_portal::email::Email;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::{NotificationId, NotificationKind};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{DebitLine, Regime};
use dealer_portal::rights::{Right, Rights};
use dealer_portal::secret::SecretString;
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{AccountRepo, MemoryStore, Store};
use dealer_portal::token::TokenSecret;
use dealer_portal::totp::{MfaPolicy, TotpKey, TotpSecret};
use dealer_portal::{AccountId, Clock, EstablishmentCode, ManualClock};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use time::Duration;
use time::macros::datetime;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

// ----- a subscriber that keeps everything -----

/// One span as the subscriber saw it: its name and the last value of each field.
#[derive(Debug, Clone)]
struct SpanSeen {
    name: &'static str,
    meta: &'static Metadata<'static>,
    fields: BTreeMap<String, String>,
    /// The span that was current when it was made (a flow inside a flow would show here).
    parent: Option<u64>,
}

#[derive(Default)]
struct Seen {
    spans: Vec<SpanSeen>,
    /// Every span, record and event, formatted with all fields, in order.
    text: String,
    stacks: HashMap<ThreadId, Vec<(Id, &'static Metadata<'static>)>>,
}

/// A `Subscriber` recording every span's and event's fields, with per-thread current spans
/// (what `Span::current()` answers, so the library's `record` calls land).
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Seen>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>, &'a mut String);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.1, " {}={value}", field.name());
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let value = format!("{value:?}");
        let _ = write!(self.1, " {}={value}", field.name());
        self.0.insert(field.name().to_owned(), value);
    }
}

impl Collector {
    fn spans(&self) -> Vec<SpanSeen> {
        self.0.lock().unwrap().spans.clone()
    }
    fn text(&self) -> String {
        self.0.lock().unwrap().text.clone()
    }
}

impl Subscriber for Collector {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut seen = self.0.lock().unwrap();
        let seen = &mut *seen;
        let parent = seen
            .stacks
            .get(&std::thread::current().id())
            .and_then(|s| s.last())
            .map(|(id, _)| id.into_u64());
        let mut fields = BTreeMap::new();
        let _ = write!(
            seen.text,
            "\nspan {} {}",
            attrs.metadata().name(),
            attrs.metadata().target()
        );
        attrs.record(&mut Fields(&mut fields, &mut seen.text));
        seen.spans.push(SpanSeen {
            name: attrs.metadata().name(),
            meta: attrs.metadata(),
            fields,
            parent,
        });
        Id::from_u64(seen.spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut seen = self.0.lock().unwrap();
        let seen = &mut *seen;
        let i = span.into_u64() as usize - 1;
        let _ = write!(seen.text, "\nrecord {}", seen.spans[i].name);
        values.record(&mut Fields(&mut seen.spans[i].fields, &mut seen.text));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut seen = self.0.lock().unwrap();
        let seen = &mut *seen;
        let _ = write!(seen.text, "\nevent {}", event.metadata().target());
        event.record(&mut Fields(&mut BTreeMap::new(), &mut seen.text));
    }
    fn enter(&self, span: &Id) {
        let mut seen = self.0.lock().unwrap();
        let meta = seen.spans[span.into_u64() as usize - 1].meta;
        let stack = seen.stacks.entry(std::thread::current().id()).or_default();
        stack.push((span.clone(), meta));
    }
    fn exit(&self, span: &Id) {
        let mut seen = self.0.lock().unwrap();
        let stack = seen.stacks.entry(std::thread::current().id()).or_default();
        assert_eq!(stack.pop().map(|(id, _)| id), Some(span.clone()));
    }
    fn current_span(&self) -> Current {
        let seen = self.0.lock().unwrap();
        match seen
            .stacks
            .get(&std::thread::current().id())
            .and_then(|s| s.last())
        {
            Some((id, meta)) => Current::new(id.clone(), meta),
            None => Current::none(),
        }
    }
}

// ----- the secret scan -----

/// The secrets (by label) found in `captured`, compared without regard to case.
fn secrets_in<'a>(captured: &str, secrets: &'a [(String, String)]) -> Vec<&'a str> {
    let captured = captured.to_lowercase();
    secrets
        .iter()
        .filter(|(_, s)| captured.contains(&s.to_lowercase()))
        .map(|(label, _)| label.as_str())
        .collect()
}

#[test]
fn the_scan_finds_a_secret_planted_in_captured_text() {
    let secrets = vec![
        ("password".to_owned(), "Garage XYZ 2026!".to_owned()),
        ("email".to_owned(), "admin@garage-xyz.fr".to_owned()),
    ];
    let clean = "span dealer_portal.login flow=login outcome=ok";
    assert!(secrets_in(clean, &secrets).is_empty());
    let planted = format!("{clean} note=ADMIN@garage-xyz.fr");
    assert_eq!(secrets_in(&planted, &secrets), ["email"]);
    assert_eq!(secrets_in("pw=Garage XYZ 2026! x", &secrets), ["password"]);
}

// ----- the flows of Portal -----

/// The `pub fn`s of `Portal` that are not flows: accessors, the constructors that call `new`,
/// and the pure `evaluate_password`.
const UNTRACED: &[&str] = &[
    "store",
    "config",
    "evaluate_password",
    "in_memory",
    "open",
    "open_any",
];

/// Every `pub fn` of an `impl … Portal<…>` block in `src/service/`, sorted.
fn portal_pub_fns() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let mut in_portal = false;
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if line.starts_with("impl") {
                in_portal = line.contains(" Portal<");
            } else if let Some(rest) = line.strip_prefix("    pub fn ")
                && in_portal
            {
                let name = rest.split(['(', '<']).next().unwrap();
                names.push(name.to_owned());
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

// ----- the scenario -----

const ADMIN: &str = "admin@garage-xyz.fr";
const ADMIN_PW: &str = "Garage XYZ, 2026 !";
const USER: &str = "alexandre@gmail.com";
const USER_PW: &str = "Première-Connexion-26";
const USER_PW2: &str = "Deuxième-Connexion-27";
const USER_NEW_EMAIL: &str = "a.geloen@garage-xyz.fr";
const OTHER: &str = "eric.dupont@garage-xyz.fr";
const BULK: &str = "paul.emile@garage-uvw.fr";
const REPAIRER: &str = "atelier@reparations.fr";
const TOTP_KEY: &str = "5a3c";
const AUDIT_KEY: &str = "c3a5";
const PEPPER: &str = "poivre-du-déploiement-2026";

/// What one call should leave: its flow, its outcome, and the actor and establishment.
struct Expected {
    flow: &'static str,
    outcome: &'static str,
    actor: Option<AccountId>,
    establishment: Option<&'static str>,
}

/// The scenario's book-keeping: the spans it expects and the secrets it used.
struct Run {
    expected: Vec<Expected>,
    secrets: Vec<(String, String)>,
}

impl Run {
    /// Calls a flow that should succeed, expecting its span.
    fn ok<T>(
        &mut self,
        flow: &'static str,
        actor: Option<AccountId>,
        establishment: Option<&'static str>,
        r: dealer_portal::Result<T>,
    ) -> T {
        self.expected.push(Expected {
            flow,
            outcome: "ok",
            actor,
            establishment,
        });
        r.unwrap_or_else(|e| panic!("{flow}: {e}"))
    }
    /// Calls a flow that should fail with `code`, expecting its span.
    fn err<T>(
        &mut self,
        flow: &'static str,
        code: &'static str,
        actor: Option<AccountId>,
        establishment: Option<&'static str>,
        r: dealer_portal::Result<T>,
    ) {
        self.expected.push(Expected {
            flow,
            outcome: code,
            actor,
            establishment,
        });
        assert_eq!(r.err().map(|e| e.code()), Some(code), "{flow}");
    }
    fn secret(&mut self, label: impl Into<String>, value: &str) {
        assert!(!value.is_empty());
        self.secrets.push((label.into(), value.to_owned()));
    }
    fn session(&mut self, label: &str, s: &dealer_portal::session::Session) -> String {
        let token = s.token.expose().to_owned();
        let digest = TokenSecret::parse(&token).unwrap().digest().to_hex();
        self.secret(format!("session token {label}"), &token);
        self.secret(format!("session digest {label}"), &digest);
        token
    }
}

type P = Portal<MemoryStore, ManualClock>;

/// The newest pending mail of `kind` to `to`: its id and link token (recorded as secrets).
fn mail(p: &P, run: &mut Run, kind: NotificationKind, to: &str) -> (String, NotificationId) {
    let n = run
        .ok(
            "pending_notifications",
            None,
            None,
            p.pending_notifications(),
        )
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == to)
        .unwrap_or_else(|| panic!("no {kind} mail for {to}"));
    let token = n
        .body
        .token
        .as_ref()
        .map(|t| t.expose().to_owned())
        .unwrap();
    run.secret(format!("{kind} link token"), &token);
    (token, n.id)
}

fn code(s: &str) -> EstablishmentCode {
    s.parse().unwrap()
}

fn hash_of(p: &P, id: AccountId) -> String {
    let a = p.store().read(|tx| tx.account(id)).unwrap().unwrap();
    a.password.unwrap().as_phc().to_owned()
}

/// The seed's scenario (as `examples/onboarding.rs` walks it, plus the hardening flows), every
/// call through `run`, on the memory store with a manual clock (TOTP codes are computed).
fn scenario(run: &mut Run) {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00:10 UTC));
    let totp_key = TOTP_KEY.repeat(16);
    let audit_key = AUDIT_KEY.repeat(16);
    run.secret("totp key", &totp_key);
    run.secret("audit key", &audit_key);
    run.secret("pepper", PEPPER);
    let config = PortalConfig {
        mfa: MfaPolicy::Optional,
        totp_key: Some(TotpKey::from_hex(&totp_key).unwrap()),
        audit_key: Some(dealer_portal::audit::AuditKey::from_hex(&audit_key).unwrap()),
        pepper: Some(SecretString::from(PEPPER)),
        ..PortalConfig::for_tests()
    };
    for (label, pw) in [
        ("admin password", ADMIN_PW),
        ("user password", USER_PW),
        ("user new password", USER_PW2),
    ] {
        run.secret(label, pw);
    }
    for e in [ADMIN, USER, USER_NEW_EMAIL, OTHER, BULK, REPAIRER] {
        run.secret(format!("email {e}"), e);
    }
    let p = run.ok(
        "new",
        None,
        None,
        Portal::new(MemoryStore::new(), clock.clone(), config),
    );

    // 1. The administrator, declared, claims the account through "Mot de passe oublié".
    let garages = [
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap(),
        Establishment::new(
            "T88888",
            "GARAGE UVW",
            "VILLE 2",
            Some(Regime::DelegatedManagement),
        )
        .unwrap(),
    ];
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
    let admin = run.ok(
        "declare_administrator",
        None,
        None,
        p.declare_administrator(&decl, &garages),
    );
    let extra = Establishment::new(
        "T77777",
        "GARAGE RST",
        "VILLE 3",
        Some(Regime::SelfInsurance),
    )
    .unwrap();
    run.ok(
        "add_establishment",
        None,
        Some("T77777"),
        p.add_establishment(&extra),
    );
    let admin_email: Email = ADMIN.parse().unwrap();
    run.ok(
        "request_password_reset",
        None,
        None,
        p.request_password_reset(&admin_email),
    );
    run.ok(
        "pending_notifications",
        None,
        None,
        p.pending_notifications(),
    );
    let (link, mail_id) = mail(&p, run, NotificationKind::PasswordReset, ADMIN);
    run.ok("inspect_token", None, None, p.inspect_token(&link));
    run.err(
        "complete_password_reset",
        "CONFIRMATION_MISMATCH",
        None,
        None,
        p.complete_password_reset(&link, ADMIN, ADMIN_PW, USER_PW),
    );
    run.ok(
        "complete_password_reset",
        None,
        None,
        p.complete_password_reset(&link, ADMIN, ADMIN_PW, ADMIN_PW),
    );
    run.ok(
        "pending_notifications",
        None,
        None,
        p.pending_notifications(),
    );
    run.ok(
        "acknowledge_notification",
        None,
        None,
        p.acknowledge_notification(mail_id),
    );
    run.secret("admin hash", &hash_of(&p, admin));

    // Logging in: a wrong password, an unknown email, then the right one (connected to the
    // first establishment in code order, T88888).
    run.err(
        "login",
        "INVALID_CREDENTIALS",
        Some(admin),
        None,
        p.login(ADMIN, USER_PW, false),
    );
    run.err(
        "login",
        "INVALID_CREDENTIALS",
        None,
        None,
        p.login("nobody@garage-xyz.fr", ADMIN_PW, false),
    );
    run.secret("unknown email", "nobody@garage-xyz.fr");
    let s = run.ok(
        "login",
        Some(admin),
        Some("T88888"),
        p.login(ADMIN, ADMIN_PW, false),
    );
    let admin_s = run.session("admin", &s);
    run.ok(
        "authenticate",
        Some(admin),
        Some("T88888"),
        p.authenticate(&admin_s),
    );
    run.ok("actor", Some(admin), Some("T88888"), p.actor(&admin_s));
    run.err(
        "authenticate",
        "SESSION_INVALID",
        None,
        None,
        p.authenticate("not-a-session"),
    );
    run.ok(
        "select_establishment",
        Some(admin),
        Some("T99999"),
        p.select_establishment(&admin_s, &code("T99999")),
    );

    // 2. Users: created with rights, activated, listed.
    let t99999 = code("T99999");
    run.ok(
        "manageable_establishments",
        Some(admin),
        Some("T99999"),
        p.manageable_establishments(&admin_s),
    );
    let user =
        NewUser::from_fields("GELOEN", "Alexandre", USER, Some("06 23 42 54 55"), None).unwrap();
    let granted: Rights = [
        Right::QuotesAndSubscriptions,
        Right::SearchQuotesAndContracts,
        Right::AccountingDocuments,
    ]
    .into_iter()
    .collect();
    let uid = run.ok(
        "create_user",
        Some(admin),
        Some("T99999"),
        p.create_user(&admin_s, &t99999, &user, granted),
    );
    run.err(
        "create_user",
        "EMAIL_TAKEN",
        Some(admin),
        Some("T88888"),
        p.create_user(&admin_s, &code("T88888"), &user, granted),
    );
    let other = NewUser::from_fields("Dupont", "Éric", OTHER, None, None).unwrap();
    let oid = run.ok(
        "create_user",
        Some(admin),
        Some("T99999"),
        p.create_user(
            &admin_s,
            None,
            &other,
            [Right::SearchClaims].into_iter().collect(),
        ),
    );
    let rows = [UserImport {
        establishment: code("T88888"),
        user: NewUser::from_fields("Émile", "Paul", BULK, None, None).unwrap(),
        rights: [Right::SubmitClaims].into_iter().collect(),
    }];
    let answers = run.ok(
        "create_users",
        Some(admin),
        Some("T99999"),
        p.create_users(&admin_s, &rows),
    );
    assert!(answers[0].is_ok());
    let repairer = RepairerRegistration::new(
        REPAIRER,
        "Garage",
        "Réparateur",
        "RÉPARATIONS SA",
        "VILLE 4",
    )
    .unwrap();
    run.ok(
        "register_repairer",
        None,
        None,
        p.register_repairer(&repairer),
    );
    run.ok(
        "resend_activation",
        Some(admin),
        Some("T99999"),
        p.resend_activation(&admin_s, uid),
    );
    let (activation, _) = mail(&p, run, NotificationKind::Activation, USER);
    let (other_activation, _) = mail(&p, run, NotificationKind::Activation, OTHER);
    assert_ne!(activation, other_activation);
    run.ok(
        "activate_account",
        None,
        None,
        p.activate_account(&activation, USER, USER_PW, USER_PW),
    );
    run.secret("user hash", &hash_of(&p, uid));
    let s = run.ok(
        "login",
        Some(uid),
        Some("T99999"),
        p.login(USER, USER_PW, true),
    );
    let user_s = run.session("user", &s);
    let page = run.ok(
        "list_accounts",
        Some(admin),
        Some("T99999"),
        p.list_accounts(&admin_s, &AccountQuery::default()),
    );
    assert_eq!(page.items.len(), 4);
    run.ok(
        "rights_matrix",
        Some(admin),
        Some("T99999"),
        p.rights_matrix(&admin_s, uid),
    );
    run.ok(
        "set_rights",
        Some(admin),
        Some("T99999"),
        p.set_rights(
            &admin_s,
            uid,
            &t99999,
            granted | Rights::from_iter([Right::SearchClaims]),
        ),
    );
    run.err(
        "set_rights",
        "FORBIDDEN",
        Some(uid),
        Some("T99999"),
        p.set_rights(&user_s, oid, &t99999, Rights::default()),
    );
    run.ok(
        "account",
        Some(uid),
        Some("T99999"),
        p.account(&user_s, uid),
    );
    let update =
        ProfileUpdate::from_fields(None, None, Some("Comptable"), None, Some("01 34 34 67 88"))
            .unwrap();
    run.ok(
        "update_profile",
        Some(uid),
        Some("T99999"),
        p.update_profile(&user_s, uid, &update),
    );

    // 3. Documents and statements.
    let month: YearMonth = "4/2022".parse().unwrap();
    let mut d = NewDocument::new("contract", "GV2022000123", "2022-04-15").unwrap();
    d.registration = Some("AB-123-CD".into());
    run.ok(
        "add_document",
        None,
        Some("T99999"),
        p.add_document(&t99999, &d.validate().unwrap()),
    );
    let invoice = NewDocument::new("accounting", "2204003143", "2022-04-12")
        .unwrap()
        .validate()
        .unwrap();
    run.ok(
        "add_documents",
        None,
        Some("T99999"),
        p.add_documents(&t99999, &[invoice]),
    );
    let q =
        DocumentQuery::parse("contract", None, None, None, None, Some("ab 123 cd"), 0, 50).unwrap();
    let hits = run.ok(
        "search_documents",
        Some(uid),
        Some("T99999"),
        p.search_documents(&user_s, None, &q),
    );
    assert_eq!(hits.total, 1);
    run.ok(
        "search_reference",
        Some(uid),
        Some("T99999"),
        p.search_reference(&user_s, "AB-123-CD", None, 0, 20),
    );
    run.err(
        "search_reference",
        "INVALID_QUERY",
        None,
        None,
        p.search_reference(&user_s, "??", None, 0, 20),
    );
    run.ok(
        "record_debit_line",
        None,
        Some("T99999"),
        p.record_debit_line(
            &t99999,
            month,
            &DebitLine::new("stellantis_insurance", "premium", 182_340).unwrap(),
        ),
    );
    run.ok(
        "monthly_statement",
        Some(admin),
        Some("T99999"),
        p.monthly_statement(&admin_s, &t99999, month),
    );
    run.err(
        "search_documents",
        "UNKNOWN_ESTABLISHMENT",
        Some(uid),
        Some("T11111"),
        p.search_documents(&user_s, &code("T11111"), &q),
    );

    // 4. The user's own security: email change, password change, a second factor.
    let new_email: Email = USER_NEW_EMAIL.parse().unwrap();
    run.err(
        "request_email_change",
        "INVALID_CREDENTIALS",
        Some(uid),
        Some("T99999"),
        p.request_email_change(&user_s, &new_email, ADMIN_PW),
    );
    run.ok(
        "request_email_change",
        Some(uid),
        Some("T99999"),
        p.request_email_change(&user_s, &new_email, USER_PW),
    );
    let (change, _) = mail(&p, run, NotificationKind::EmailChange, USER_NEW_EMAIL);
    run.ok(
        "confirm_email_change",
        None,
        None,
        p.confirm_email_change(&change),
    );
    // The change ended the sessions: log in again with the new address.
    run.err(
        "authenticate",
        "SESSION_INVALID",
        None,
        None,
        p.authenticate(&user_s),
    );
    let s = run.ok(
        "login",
        Some(uid),
        Some("T99999"),
        p.login(USER_NEW_EMAIL, USER_PW, false),
    );
    let user_s = run.session("user new email", &s);
    run.ok(
        "change_password",
        Some(uid),
        Some("T99999"),
        p.change_password(&user_s, USER_PW, USER_PW2, USER_PW2),
    );
    run.err(
        "list_sessions",
        "SESSION_INVALID",
        None,
        None,
        p.list_sessions(&user_s),
    );
    run.secret("user new hash", &hash_of(&p, uid));
    let s = run.ok(
        "login",
        Some(uid),
        Some("T99999"),
        p.login(USER_NEW_EMAIL, USER_PW2, false),
    );
    let user_s = run.session("user 2", &s);
    let enrolment = run.ok(
        "begin_totp_enrollment",
        Some(uid),
        Some("T99999"),
        p.begin_totp_enrollment(&user_s, USER_PW2),
    );
    run.secret("totp secret", enrolment.secret.expose());
    run.secret("totp uri", enrolment.uri.expose());
    let app = TotpSecret::from_base32(enrolment.secret.expose()).unwrap();
    let first = app.code_at(clock.now());
    run.secret("totp code 1", &first);
    let recovery = run.ok(
        "confirm_totp_enrollment",
        Some(uid),
        Some("T99999"),
        p.confirm_totp_enrollment(&user_s, &first),
    );
    for (i, c) in recovery.iter().enumerate() {
        run.secret(format!("recovery code {i}"), c.expose());
    }
    run.ok("logout", Some(uid), Some("T99999"), p.logout(&user_s));
    run.err(
        "login",
        "MFA_REQUIRED",
        Some(uid),
        None,
        p.login(USER_NEW_EMAIL, USER_PW2, false),
    );
    clock.advance(Duration::seconds(30));
    let second = app.code_at(clock.now());
    run.secret("totp code 2", &second);
    let s = run.ok(
        "login_with_otp",
        Some(uid),
        Some("T99999"),
        p.login_with_otp(USER_NEW_EMAIL, USER_PW2, false, Some(&second)),
    );
    let user_s = run.session("user otp", &s);
    run.err(
        "login_with_otp",
        "INVALID_CREDENTIALS",
        Some(uid),
        None,
        p.login_with_otp(USER_NEW_EMAIL, USER_PW2, false, Some(&second)),
    );
    let s = run.ok(
        "login_with_otp",
        Some(uid),
        Some("T99999"),
        p.login_with_otp(USER_NEW_EMAIL, USER_PW2, false, Some(recovery[0].expose())),
    );
    let user_s2 = run.session("user recovery", &s);
    run.ok(
        "list_sessions",
        Some(uid),
        Some("T99999"),
        p.list_sessions(&user_s),
    );
    let sessions = p.list_sessions(&user_s2).unwrap();
    run.expected.push(Expected {
        flow: "list_sessions",
        outcome: "ok",
        actor: Some(uid),
        establishment: Some("T99999"),
    });
    let other_id = sessions.iter().find(|s| !s.current).unwrap().id;
    run.ok(
        "revoke_session",
        Some(uid),
        Some("T99999"),
        p.revoke_session(&user_s2, &other_id),
    );
    run.ok(
        "revoke_other_sessions",
        Some(uid),
        Some("T99999"),
        p.revoke_other_sessions(&user_s2),
    );
    clock.advance(Duration::seconds(30));
    let third = app.code_at(clock.now());
    run.secret("totp code 3", &third);
    run.ok(
        "disable_totp",
        Some(uid),
        Some("T99999"),
        p.disable_totp(&user_s2, USER_PW2, &third),
    );
    run.err(
        "reset_totp",
        "INVALID_STATE",
        Some(admin),
        Some("T99999"),
        p.reset_totp(&admin_s, uid),
    );

    // 5. The manager's side: audit, export, disabling and erasing an account, maintenance.
    run.ok(
        "audit_log",
        Some(admin),
        Some("T99999"),
        p.audit_log(&admin_s, None, 0, 100),
    );
    let head = run.ok("audit_head", None, None, p.audit_head());
    run.ok(
        "verify_audit_chain",
        None,
        None,
        p.verify_audit_chain(Some(&head)),
    );
    run.ok(
        "export_account",
        Some(admin),
        Some("T99999"),
        p.export_account(&admin_s, uid),
    );
    run.ok(
        "disable_account",
        Some(admin),
        Some("T99999"),
        p.disable_account(&admin_s, oid),
    );
    run.ok(
        "erase_account",
        Some(admin),
        Some("T99999"),
        p.erase_account(&admin_s, oid),
    );
    run.ok(
        "disable_account",
        Some(admin),
        Some("T99999"),
        p.disable_account(&admin_s, uid),
    );
    run.ok(
        "enable_account",
        Some(admin),
        Some("T99999"),
        p.enable_account(&admin_s, uid),
    );
    run.ok("run_maintenance", None, None, p.run_maintenance());
    run.ok("logout", Some(admin), Some("T99999"), p.logout(&admin_s));
    run.ok("logout", None, None, p.logout(&admin_s));
    // Every mail still queued: its link token too.
    for n in p.pending_notifications().unwrap() {
        if let Some(t) = &n.body.token {
            run.secret(format!("{} link token", n.body.kind), t.expose());
        }
    }
    run.expected.push(Expected {
        flow: "pending_notifications",
        outcome: "ok",
        actor: None,
        establishment: None,
    });
}

#[test]
fn every_flow_of_the_scenario_has_its_span_and_no_secret_is_captured() {
    let collector = Collector::default();
    let mut run = Run {
        expected: Vec::new(),
        secrets: Vec::new(),
    };
    tracing::subscriber::with_default(collector.clone(), || scenario(&mut run));
    let spans = collector.spans();

    // (a) One span per call, in order, each with its fields.
    let calls: Vec<&str> = run.expected.iter().map(|e| e.flow).collect();
    let names: Vec<&str> = spans.iter().map(|s| s.name).collect();
    let expected_names: Vec<String> = calls.iter().map(|f| format!("dealer_portal.{f}")).collect();
    assert_eq!(
        names, expected_names,
        "one span per flow call, nested flows included in theirs"
    );
    for (i, (span, want)) in spans.iter().zip(&run.expected).enumerate() {
        let at = format!("call {i} ({}): {:?}", want.flow, span.fields);
        assert_eq!(
            span.parent, None,
            "{at}: a flow inside a flow made its own span"
        );
        assert_eq!(
            span.fields.get("flow").map(String::as_str),
            Some(want.flow),
            "{at}"
        );
        assert_eq!(
            span.fields.get("outcome").map(String::as_str),
            Some(want.outcome),
            "{at}"
        );
        let actor = want.actor.map(|a| a.to_string());
        assert_eq!(span.fields.get("actor"), actor.as_ref(), "{at}: actor");
        assert_eq!(
            span.fields.get("establishment").map(String::as_str),
            want.establishment,
            "{at}: establishment"
        );
        let mut keys: Vec<&str> = span.fields.keys().map(String::as_str).collect();
        keys.retain(|k| !["flow", "outcome", "actor", "establishment"].contains(k));
        assert!(keys.is_empty(), "{at}: fields beyond the four: {keys:?}");
    }
    // The scenario went through every flow of the Portal but the pure `evaluate_password`.
    let mut distinct = calls.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut portal_fns = portal_pub_fns();
    portal_fns.retain(|f| !UNTRACED.contains(&f.as_str()));
    assert_eq!(
        distinct, portal_fns,
        "the scenario calls every pub fn of Portal (a new flow needs traced! and a call here)"
    );

    // (b) No secret in anything captured.
    let text = collector.text();
    assert!(text.contains("outcome=INVALID_CREDENTIALS"), "{text}");
    assert!(run.secrets.len() > 30, "{}", run.secrets.len());
    let found = secrets_in(&text, &run.secrets);
    assert!(found.is_empty(), "secrets in the captured spans: {found:?}");
    // The scan would have seen each of them.
    for (label, value) in &run.secrets {
        let planted = format!("{text}\nevent x value={value}");
        assert!(
            secrets_in(&planted, &run.secrets).contains(&label.as_str()),
            "{label}"
        );
    }
    assert!(
        !text.contains("$argon2"),
        "a password hash in the captured spans"
    );

    // Outside the subscriber the flows answer the same and nothing reaches it. (In this test,
    // not in a test of its own: tracing-core computes a call site's interest from the
    // registering thread's dispatcher while only one is registered, so a thread without a
    // subscriber racing the scenario's first calls would turn those spans off for good.)
    let p = Portal::in_memory(PortalConfig::for_tests()).unwrap();
    let refused = p.login(ADMIN, ADMIN_PW, false).unwrap_err();
    assert_eq!(refused.code(), "INVALID_CREDENTIALS");
    assert_eq!(collector.spans().len(), spans.len());

    // A host's own span (a request) is not a flow's: the flow's span is made inside it, as its
    // child, and `login` (which calls `login_with_otp`) still makes one span.
    let host = Collector::default();
    tracing::subscriber::with_default(host.clone(), || {
        tracing::info_span!("host.request").in_scope(|| {
            let refused = p.login(ADMIN, ADMIN_PW, false).unwrap_err();
            assert_eq!(refused.code(), "INVALID_CREDENTIALS");
        })
    });
    let seen: Vec<(&str, Option<u64>)> = host.spans().iter().map(|s| (s.name, s.parent)).collect();
    assert_eq!(
        seen,
        [("host.request", None), ("dealer_portal.login", Some(1))]
    );
}

/// `AsyncPortal` runs each flow on tokio's blocking pool: the flow's span is still made under
/// the awaiting task's subscriber, as a child of its span (a request's).
#[cfg(feature = "tokio")]
#[test]
fn an_async_flow_is_a_child_of_the_awaiting_tasks_span() {
    use tracing::Instrument;
    let collector = Collector::default();
    tracing::subscriber::with_default(collector.clone(), || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let portal = Portal::in_memory(PortalConfig::for_tests()).unwrap();
        let ap = dealer_portal::AsyncPortal::from(portal);
        let refused = rt.block_on(
            async { ap.login(ADMIN.into(), ADMIN_PW.into(), false).await }
                .instrument(tracing::info_span!("host.request")),
        );
        assert_eq!(refused.unwrap_err().code(), "INVALID_CREDENTIALS");
    });
    let seen: Vec<(&str, Option<u64>)> = collector
        .spans()
        .iter()
        .map(|s| (s.name, s.parent))
        .collect();
    assert_eq!(
        seen,
        [
            ("dealer_portal.new", None),
            ("host.request", None),
            ("dealer_portal.login", Some(2))
        ]
    );
    let login = &collector.spans()[2];
    assert_eq!(login.fields["outcome"], "INVALID_CREDENTIALS");
}

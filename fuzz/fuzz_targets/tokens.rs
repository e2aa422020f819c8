//! Token strings from outside (a link's parameter, a cookie) given to `inspect_token`,
//! `complete_password_reset`, `activate_account`, `authenticate` and `logout` on a small
//! in-memory portal built once (rebuilt every so often so its audit log stays small).
//!
//! Never a panic, and only the answers the contract allows:
//! - `inspect_token`: always `Ok`, usable only for a live reset or activation link, exactly;
//! - the two forms: `TOKEN_INVALID` for anything but a live link of their own purpose,
//!   `EMAIL_MISMATCH` for a live link with another email, and policy codes (`PASSWORD_POLICY`,
//!   `CONFIRMATION_MISMATCH`, `PASSWORD_REUSED`) after that. Inputs that would really consume a
//!   live link are not submitted (the portal is shared between runs);
//! - `authenticate`: `Ok` only for the live session token itself, `SESSION_INVALID` otherwise;
//! - `logout`: always `Ok` (the live session is never ended).
//!
//! Besides raw strings, the input can derive near misses of the real tokens: one character
//! changed, truncated, padded, case-flipped, percent-encoded.

#![no_main]

use arbitrary::Arbitrary;
use dealer_portal::account::NewUser;
use dealer_portal::email::Email;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::password::Identity;
use dealer_portal::regime::Regime;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::MemoryStore;
use dealer_portal::token::TokenPurpose;
use dealer_portal::{ManualClock, Right, Rights};
use fuzz_support::{bootstrap_admin, code, pending_link};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

const ADMIN: &str = "admin@garage-xyz.fr";
const ADMIN_PASSWORD: &str = "Garage-XYZ-2026!";
/// The administrator's first password, set by the bootstrap; `ADMIN_PASSWORD` replaces it
/// through a reset whose link is the fixture's consumed one.
const FIRST_PASSWORD: &str = "Garage-XYZ-2025!";
const USER: &str = "jean.dupont@garage-xyz.fr";
/// Runs between two rebuilds of the portal (each rejected well-formed token adds an audit event).
const REBUILD_EVERY: u32 = 20_000;

struct Fixture {
    portal: Portal<MemoryStore, ManualClock>,
    session: String,
    reset: String,
    activation: String,
    consumed: String,
    runs: u32,
}

impl Fixture {
    fn build() -> Fixture {
        let portal = Portal::new(
            MemoryStore::new(),
            fuzz_support::clock(),
            PortalConfig::for_tests(),
        )
        .unwrap();
        let garage =
            Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap();
        let code = garage.code.clone();
        let decl_link = |p: &Portal<MemoryStore, ManualClock>| {
            pending_link(p, ADMIN, NotificationKind::PasswordReset)
        };
        bootstrap_admin(
            &portal,
            ADMIN,
            "Geloen",
            "Alexandre",
            &[garage],
            FIRST_PASSWORD,
        );
        // A used link loses its plaintext from the outbox, so the consumed one is read before
        // it is used: a second reset, completed with the current password.
        portal
            .request_password_reset(&ADMIN.parse().unwrap())
            .unwrap();
        let consumed = decl_link(&portal).unwrap();
        portal
            .complete_password_reset(&consumed, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
            .unwrap();
        let session = portal
            .login(ADMIN, ADMIN_PASSWORD, false)
            .unwrap()
            .token
            .expose()
            .to_owned();
        portal
            .request_password_reset(&ADMIN.parse().unwrap())
            .unwrap();
        let reset = decl_link(&portal).unwrap();
        assert_ne!(reset, consumed);
        let user = NewUser::new("Dupont", "Jean", USER).unwrap();
        portal
            .create_user(
                &session,
                &code,
                &user,
                Rights::EMPTY.with(Right::SearchClaims),
            )
            .unwrap();
        let activation = pending_link(&portal, USER, NotificationKind::Activation).unwrap();
        Fixture {
            portal,
            session,
            reset,
            activation,
            consumed,
            runs: 0,
        }
    }

    fn real(&self, i: u8) -> &str {
        match i % 4 {
            0 => &self.session,
            1 => &self.reset,
            2 => &self.activation,
            _ => &self.consumed,
        }
    }
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

#[derive(Arbitrary, Debug)]
enum TokenPick {
    Raw(String),
    Real(u8),
    /// One byte of a real token replaced.
    Changed {
        which: u8,
        at: u8,
        byte: u8,
    },
    Truncated {
        which: u8,
        len: u8,
    },
    Padded {
        which: u8,
        before: String,
        after: String,
    },
    SwapCase(u8),
    PercentEncoded(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    token: TokenPick,
    email: String,
    password: String,
    confirmation: String,
}

fn pick(f: &Fixture, p: &TokenPick) -> String {
    match p {
        TokenPick::Raw(s) => s.clone(),
        TokenPick::Real(i) => f.real(*i).to_owned(),
        TokenPick::Changed { which, at, byte } => {
            let mut b = f.real(*which).as_bytes().to_vec();
            let i = usize::from(*at) % b.len();
            b[i] = *byte;
            String::from_utf8_lossy(&b).into_owned()
        }
        TokenPick::Truncated { which, len } => {
            let t = f.real(*which);
            t[..usize::from(*len) % t.len()].to_owned()
        }
        TokenPick::Padded {
            which,
            before,
            after,
        } => format!("{before}{}{after}", f.real(*which)),
        TokenPick::SwapCase(i) => f
            .real(*i)
            .chars()
            .map(|c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect(),
        TokenPick::PercentEncoded(i) => f.real(*i).bytes().map(|b| format!("%{b:02X}")).collect(),
    }
}

const POLICY_CODES: [&str; 3] = [
    "PASSWORD_POLICY",
    "CONFIRMATION_MISMATCH",
    "PASSWORD_REUSED",
];

fn run(f: &Fixture, input: &Input) {
    let p = &f.portal;
    let token = pick(f, &input.token);
    let (email, password, confirmation) = (&input.email, &input.password, &input.confirmation);

    // inspect_token: Ok, usable for the live links only.
    let status = p.inspect_token(&token).expect("inspect_token never fails");
    let (usable, kind) = if token == f.reset {
        (true, Some(TokenPurpose::PasswordReset))
    } else if token == f.activation {
        (true, Some(TokenPurpose::Activation))
    } else {
        (false, None)
    };
    assert_eq!(status.usable, usable, "inspect_token({token:?})");
    assert_eq!(status.kind, kind, "inspect_token({token:?})");
    assert_eq!(status.expires_at.is_some(), usable);

    // Whether a form submission with this live link and email could really consume it.
    let parsed_email = Email::parse(email).ok();
    let same = |who: &str| parsed_email.as_ref().map(Email::as_str) == Some(who);
    let policy = &p.config().policy;
    let would_pass = |names: &[&str], who: &str| {
        policy
            .check(
                password,
                confirmation,
                &Identity {
                    email: Some(who),
                    names,
                },
            )
            .is_ok()
    };

    // complete_password_reset
    let skip = token == f.reset
        && same(ADMIN)
        && would_pass(&["Geloen", "Alexandre"], ADMIN)
        && dealer_portal::password::normalize(password).expose() != ADMIN_PASSWORD;
    if !skip {
        let r = p.complete_password_reset(&token, email, password, confirmation);
        let c = code(&r);
        if token == f.reset {
            if same(ADMIN) {
                assert!(POLICY_CODES.contains(&c), "reset answered {c}");
            } else {
                assert_eq!(c, "EMAIL_MISMATCH");
            }
        } else {
            assert_eq!(c, "TOKEN_INVALID", "reset with {token:?}");
        }
    }

    // activate_account
    let skip = token == f.activation && same(USER) && would_pass(&["Dupont", "Jean"], USER);
    if !skip {
        let r = p.activate_account(&token, email, password, confirmation);
        let c = code(&r);
        if token == f.activation {
            if same(USER) {
                assert!(POLICY_CODES.contains(&c), "activation answered {c}");
            } else {
                assert_eq!(c, "EMAIL_MISMATCH");
            }
        } else {
            assert_eq!(c, "TOKEN_INVALID", "activation with {token:?}");
        }
    }

    // authenticate
    match p.authenticate(&token) {
        Ok(a) => {
            assert_eq!(token, f.session, "a session from {token:?}");
            assert_eq!(a.email.as_str(), ADMIN);
        }
        Err(e) => {
            assert_ne!(token, f.session, "the live session was refused: {e:?}");
            assert_eq!(e.code(), "SESSION_INVALID");
        }
    }

    // logout (never of the live session, which the next runs need)
    if token != f.session {
        assert_eq!(code(&p.logout(&token)), "OK");
    }
}

fuzz_target!(|input: Input| {
    FIXTURE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|f| f.runs >= REBUILD_EVERY) {
            *slot = Some(Fixture::build());
        }
        let f = slot.as_mut().unwrap();
        f.runs += 1;
        run(f, &input);
    });
});

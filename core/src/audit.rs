//! The append-only audit log, chained so a store can prove it was not edited: by SHA-256, or,
//! when the portal has an [`AuditKey`], by HMAC-SHA-256, which nobody without the key can
//! recompute. Each event records the [`AuditScheme`] that chained it, so a log begun unkeyed
//! keeps verifying once the portal is given a key.
//!
//! Events name people by their account id only: no email, name or phone enters the chain, so
//! erasing an account (its row, its mails) leaves every event and every hash as it was.

use crate::account::AccountId;
use crate::establishment::EstablishmentCode;
use crate::locale::{Coded, Locale, coded_serde};
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

macro_rules! actions {
    ($($v:ident = $code:literal, $fr:literal, $en:literal;)*) => {
        /// What happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $(#[doc = $en] $v,)*
        }
        impl Coded for AuditAction {
            const ALL: &'static [Self] = &[$(AuditAction::$v),*];
            const WHAT: &'static str = "audit action";
            const ACCEPTED: &'static str = concat!($($code, " "),*);
            fn code(self) -> &'static str {
                match self { $(AuditAction::$v => $code,)* }
            }
            fn label(self, locale: Locale) -> &'static str {
                match (self, locale) { $((AuditAction::$v, Locale::Fr) => $fr, (AuditAction::$v, Locale::En) => $en,)* }
            }
        }
    };
}

actions! {
    AdministratorDeclared = "administrator_declared", "Administrateur déclaré", "Administrator declared";
    ResetRequested = "reset_requested", "Réinitialisation demandée", "Password reset requested";
    ResetRequestIgnored = "reset_request_ignored", "Demande de réinitialisation sans suite", "Password reset request ignored";
    ResetCompleted = "reset_completed", "Mot de passe réinitialisé", "Password reset completed";
    TokenRejected = "token_rejected", "Lien refusé", "Link rejected";
    UserCreated = "user_created", "Utilisateur créé", "User created";
    RightsChanged = "rights_changed", "Droits modifiés", "Rights changed";
    ActivationSent = "activation_sent", "Lien d'activation envoyé", "Activation link sent";
    AccountActivated = "account_activated", "Compte activé", "Account activated";
    LoginSucceeded = "login_succeeded", "Connexion", "Login";
    LoginFailed = "login_failed", "Échec de connexion", "Login failed";
    AccountLocked = "account_locked", "Compte verrouillé", "Account locked";
    Logout = "logout", "Déconnexion", "Logout";
    PasswordChanged = "password_changed", "Mot de passe modifié", "Password changed";
    AccountDisabled = "account_disabled", "Compte désactivé", "Account disabled";
    AccountEnabled = "account_enabled", "Compte réactivé", "Account enabled";
    RepairerRegistered = "repairer_registered", "Réparateur inscrit", "Repairer registered";
    RegistrationIgnored = "registration_ignored", "Inscription sans suite", "Registration ignored";
    EstablishmentSelected = "establishment_selected", "Point de vente choisi", "Establishment selected";
    SessionRevoked = "session_revoked", "Session fermée", "Session ended";
    ProfileUpdated = "profile_updated", "Profil modifié", "Profile updated";
    EmailChangeRequested = "email_change_requested", "Changement d'e-mail demandé", "Email change requested";
    EmailChangeIgnored = "email_change_ignored", "Changement d'e-mail sans suite", "Email change ignored";
    EmailChanged = "email_changed", "E-mail modifié", "Email changed";
    PasswordCheckFailed = "password_check_failed", "Mot de passe actuel refusé", "Current password refused";
    EmailTakenAnswered = "email_taken_answered", "E-mail déjà utilisé signalé", "Email already in use reported";
    RateLimited = "rate_limited", "Limite de réponses atteinte", "Rate limit reached";
    AccountErased = "account_erased", "Compte effacé", "Account erased";
    AuditChainKeyed = "audit_chain_keyed", "Journal d'audit scellé par clé", "Audit log keyed";
}
coded_serde!(AuditAction);

/// An event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    /// When.
    pub at: OffsetDateTime,
    /// Who did it (`None` for anonymous requests: resets, registrations, failed logins).
    pub actor: Option<AccountId>,
    /// What.
    pub action: AuditAction,
    /// To whom.
    pub subject: Option<AccountId>,
    /// Which establishments it concerns (who may read it).
    pub establishments: Vec<EstablishmentCode>,
    /// Details (rights before/after, reasons), never a secret.
    pub details: serde_json::Value,
}

impl NewAuditEvent {
    /// An event with no details.
    pub fn new(at: OffsetDateTime, action: AuditAction) -> Self {
        NewAuditEvent {
            at,
            actor: None,
            action,
            subject: None,
            establishments: Vec::new(),
            details: serde_json::Value::Null,
        }
    }
    /// Sets the actor.
    pub fn by(mut self, actor: AccountId) -> Self {
        self.actor = Some(actor);
        self
    }
    /// Sets the subject.
    pub fn on(mut self, subject: AccountId) -> Self {
        self.subject = Some(subject);
        self
    }
    /// Sets the establishments.
    pub fn at_establishments(mut self, e: impl IntoIterator<Item = EstablishmentCode>) -> Self {
        self.establishments = e.into_iter().collect();
        self
    }
    /// Sets the details.
    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// An event in the log, with its place in the chain.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEvent {
    /// Position in the log, from 1.
    pub seq: u64,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEventBody,
    /// The hash of the previous event (zeros for the first), hex.
    pub prev_hash: String,
    /// The hash of this event chained to the previous one (SHA-256 or HMAC-SHA-256), hex.
    pub hash: String,
}

/// How an event was chained: recorded with each event, so a log that was unkeyed and then
/// keyed verifies event by event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuditScheme {
    /// SHA-256, as the first release chained every event: anyone who can write to the store
    /// can recompute it.
    #[default]
    Sha256,
    /// HMAC-SHA-256 under the portal's [`AuditKey`], which is kept out of the store.
    HmacSha256,
}

impl AuditScheme {
    /// The number the stores keep (0 and 1).
    pub fn code(self) -> i64 {
        match self {
            AuditScheme::Sha256 => 0,
            AuditScheme::HmacSha256 => 1,
        }
    }
    /// The scheme of a stored number; `None` for a number no release wrote.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(AuditScheme::Sha256),
            1 => Some(AuditScheme::HmacSha256),
            _ => None,
        }
    }
}

/// The secret key of a keyed audit chain: 32 bytes, given in the configuration as 64 hex
/// digits (`{"audit_key": "…"}`). Wiped from memory when dropped, `AuditKey(***)` in `Debug`,
/// never serialised, never written to the store.
///
/// ```
/// use dealer_portal::audit::AuditKey;
/// let key = AuditKey::from_hex(&"ab".repeat(32)).unwrap();
/// assert_eq!(format!("{key:?}"), "AuditKey(***)");
/// assert_eq!(AuditKey::from_hex("abc").unwrap_err().code(), "INVALID_CONFIG");
/// ```
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// A key of these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        AuditKey(bytes)
    }

    /// A key from 64 hexadecimal digits; [`Error::InvalidConfig`] otherwise (the message never
    /// repeats what was given).
    pub fn from_hex(text: &str) -> Result<Self> {
        let bad = || Error::InvalidConfig {
            reason: "audit_key must be 64 hexadecimal digits (32 bytes)".into(),
        };
        let text = text.trim().as_bytes();
        if text.len() != 64 {
            return Err(bad());
        }
        let mut key = AuditKey([0; 32]);
        for (i, pair) in text.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
            match (digit(pair[0]), digit(pair[1])) {
                (Some(h), Some(l)) => key.0[i] = h << 4 | l,
                _ => return Err(bad()),
            }
        }
        Ok(key)
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

/// The end of the chain: the last event's position and hash (`seq` 0 and zeros for an empty
/// log). A host records it elsewhere (another system, a write-once medium) and later gives it
/// to `verify_audit_chain`, which then also detects a cut tail.
///
/// ```
/// use dealer_portal::audit::AuditHead;
/// let head = AuditHead::new(0, "0".repeat(64));
/// assert_eq!(head.seq, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuditHead {
    /// The last event's position (0: no event).
    pub seq: u64,
    /// Its hash, 64 lower-case hex digits.
    pub hash: String,
}

impl AuditHead {
    /// A head as a host recorded it.
    pub fn new(seq: u64, hash: impl Into<String>) -> Self {
        AuditHead {
            seq,
            hash: hash.into(),
        }
    }
}

/// The event's fields, serialised for hashing and for readers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEventBody {
    /// When, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Option<AccountId>,
    /// What.
    pub action: AuditAction,
    /// To whom.
    pub subject: Option<AccountId>,
    /// Where.
    pub establishments: Vec<EstablishmentCode>,
    /// Details.
    pub details: serde_json::Value,
}

/// The page size of an audit log read when the caller gives none.
pub const DEFAULT_LIMIT: usize = 50;

/// The hash of the first event's predecessor.
pub const GENESIS: [u8; 32] = [0; 32];

/// Chains `event` at position `seq` after `prev`: SHA-256 over the previous hash, the position
/// and the event's canonical JSON (keys sorted, times to the nanosecond).
pub fn chain_hash(prev: &[u8; 32], seq: u64, event: &NewAuditEvent) -> [u8; 32] {
    let establishments =
        serde_json::to_string(&event.establishments).expect("establishment codes always serialise");
    let details = event.details.to_string();
    chain_hash_encoded(prev, seq, event, &establishments, &details)
}

/// [`chain_hash`] given the event's establishments and details already as compact JSON (what
/// a store writes anyway), so they are serialised once.
pub(crate) fn chain_hash_encoded(
    prev: &[u8; 32],
    seq: u64,
    event: &NewAuditEvent,
    establishments_json: &str,
    details_json: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    canonical_bytes(
        prev,
        seq,
        event,
        establishments_json,
        details_json,
        &mut |b| h.update(b),
    );
    h.finalize().into()
}

/// The event's hash under `scheme`: [`chain_hash_encoded`] for [`AuditScheme::Sha256`], the
/// same bytes through HMAC-SHA-256 under `key` for [`AuditScheme::HmacSha256`] (`None` without
/// a key).
pub(crate) fn scheme_hash_encoded(
    scheme: AuditScheme,
    key: Option<&AuditKey>,
    prev: &[u8; 32],
    seq: u64,
    event: &NewAuditEvent,
    establishments_json: &str,
    details_json: &str,
) -> Option<[u8; 32]> {
    match scheme {
        AuditScheme::Sha256 => Some(chain_hash_encoded(
            prev,
            seq,
            event,
            establishments_json,
            details_json,
        )),
        AuditScheme::HmacSha256 => {
            use hmac::{KeyInit, Mac};
            let mut mac = hmac::Hmac::<sha2_hmac::Sha256>::new_from_slice(&key?.0)
                .expect("HMAC takes a key of any length");
            canonical_bytes(
                prev,
                seq,
                event,
                establishments_json,
                details_json,
                &mut |b| mac.update(b),
            );
            Some(mac.finalize().into_bytes().into())
        }
    }
}

/// [`scheme_hash_encoded`] serialising the event's establishments and details itself.
pub fn scheme_hash(
    scheme: AuditScheme,
    key: Option<&AuditKey>,
    prev: &[u8; 32],
    seq: u64,
    event: &NewAuditEvent,
) -> Option<[u8; 32]> {
    let establishments =
        serde_json::to_string(&event.establishments).expect("establishment codes always serialise");
    let details = event.details.to_string();
    scheme_hash_encoded(scheme, key, prev, seq, event, &establishments, &details)
}

/// The bytes every scheme hashes, given to `h` piece by piece.
fn canonical_bytes(
    prev: &[u8; 32],
    seq: u64,
    event: &NewAuditEvent,
    establishments_json: &str,
    details_json: &str,
    h: &mut dyn FnMut(&[u8]),
) {
    h(prev);
    h(&seq.to_be_bytes());
    h(&event.at.unix_timestamp_nanos().to_be_bytes());
    // The canonical JSON, hashed piece by piece: an object with its keys sorted (action, actor,
    // details, establishments, subject), compact, as serde_json writes a `Value`. Codes and ids
    // are plain ASCII; `details` is a `Value`, whose objects serialise with sorted keys too.
    let id = |id: Option<AccountId>| id.map_or_else(|| "null".to_owned(), |id| format!("\"{id}\""));
    h(b"{\"action\":\"");
    h(event.action.code().as_bytes());
    h(b"\",\"actor\":");
    h(id(event.actor).as_bytes());
    h(b",\"details\":");
    h(details_json.as_bytes());
    h(b",\"establishments\":");
    h(establishments_json.as_bytes());
    h(b",\"subject\":");
    h(id(event.subject).as_bytes());
    h(b"}");
}

/// Lower-case hex of a hash.
pub fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored event as the stores keep it: enough to recompute the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAuditEvent {
    /// Position from 1.
    pub seq: u64,
    /// The event.
    pub event: NewAuditEvent,
    /// Previous hash.
    pub prev_hash: [u8; 32],
    /// This hash.
    pub hash: [u8; 32],
    /// How it was chained.
    pub scheme: AuditScheme,
}

impl StoredAuditEvent {
    /// The reader's view.
    pub fn to_public(&self) -> AuditEvent {
        AuditEvent {
            seq: self.seq,
            event: AuditEventBody {
                at: self.event.at,
                actor: self.event.actor,
                action: self.event.action,
                subject: self.event.subject,
                establishments: self.event.establishments.clone(),
                details: self.event.details.clone(),
            },
            prev_hash: hex(&self.prev_hash),
            hash: hex(&self.hash),
        }
    }
}

/// Checks a whole log, in order: positions follow each other from 1, each event links to the
/// previous hash and each hash matches its content under its scheme. With a `key`, keyed
/// events are checked under it, no unkeyed event may follow a keyed one, and the last event
/// must be keyed (a portal given a key marks the change with a keyed
/// [`AuditAction::AuditChainKeyed`]): whoever rewrites an event and re-chains the rest with
/// plain SHA-256 is caught. Every failure is [`Error::AuditChainBroken`].
///
/// ```
/// use dealer_portal::audit::*;
/// use time::macros::datetime;
/// let e = NewAuditEvent::new(datetime!(2026-01-01 0:00 UTC), AuditAction::Logout);
/// let key = AuditKey::from_bytes([7; 32]);
/// let h = scheme_hash(AuditScheme::HmacSha256, Some(&key), &GENESIS, 1, &e).unwrap();
/// let mut log = vec![StoredAuditEvent {
///     seq: 1, event: e, prev_hash: GENESIS, hash: h, scheme: AuditScheme::HmacSha256,
/// }];
/// assert!(verify_chain(&log, Some(&key)).is_ok());
/// assert_eq!(verify_chain(&log, None).unwrap_err().code(), "AUDIT_CHAIN_BROKEN");
/// log[0].event.action = AuditAction::LoginSucceeded;
/// assert!(verify_chain(&log, Some(&key)).is_err());
/// ```
pub fn verify_chain(events: &[StoredAuditEvent], key: Option<&AuditKey>) -> Result<()> {
    let mut prev = GENESIS;
    let mut keyed_seen = false;
    for (i, e) in events.iter().enumerate() {
        let bad = |what: String| Error::AuditChainBroken {
            reason: format!("event {}: {what}", e.seq),
        };
        if e.seq != i as u64 + 1 {
            return Err(bad("positions do not follow each other".into()));
        }
        if e.prev_hash != prev {
            return Err(bad("does not link to the previous event".into()));
        }
        match e.scheme {
            AuditScheme::Sha256 if key.is_some() && keyed_seen => {
                return Err(bad(
                    "chained without the key after keyed events: the log was \
                     re-chained by someone without the audit_key, or the portal ran without it"
                        .into(),
                ));
            }
            AuditScheme::HmacSha256 if key.is_none() => {
                return Err(bad(
                    "chained with a key (HMAC-SHA-256) and the portal has no \
                     audit_key: configure the key that chained it to verify the log"
                        .into(),
                ));
            }
            _ => {}
        }
        if scheme_hash(e.scheme, key, &prev, e.seq, &e.event) != Some(e.hash) {
            return Err(bad(if e.scheme == AuditScheme::HmacSha256 && !keyed_seen {
                "does not match its HMAC under the configured audit_key: the key is not the \
                 one that chained the log (or the event was edited)"
                    .into()
            } else {
                "content does not match its hash".into()
            }));
        }
        keyed_seen |= e.scheme == AuditScheme::HmacSha256;
        prev = e.hash;
    }
    if let (Some(_), Some(last)) = (key, events.last())
        && last.scheme != AuditScheme::HmacSha256
    {
        return Err(Error::AuditChainBroken {
            reason: format!(
                "event {}: the log ends with an event chained without the key, although the \
                 portal has an audit_key: events were re-chained without the key",
                last.seq
            ),
        });
    }
    Ok(())
}

/// Checks that the log holds `head`: its event `head.seq` has hash `head.hash` (a log that
/// grew since passes). A head past the end (a cut tail) or another hash:
/// [`Error::AuditChainBroken`]; a hash that is not 64 hex digits: [`Error::InvalidInput`].
pub fn check_head(events: &[StoredAuditEvent], head: &AuditHead) -> Result<()> {
    let hash = head.hash.to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidInput {
            field: "expected_head",
            reason: "its hash must be 64 hexadecimal digits, as audit_head() gives it".into(),
        });
    }
    let at = match head.seq {
        0 => hex(&GENESIS),
        n => match events.get(n as usize - 1) {
            Some(e) => hex(&e.hash),
            None => {
                return Err(Error::AuditChainBroken {
                    reason: format!(
                        "the log ends at event {} but the recorded head is event {}: its tail \
                         was cut",
                        events.len(),
                        head.seq
                    ),
                });
            }
        },
    };
    if at != hash {
        return Err(Error::AuditChainBroken {
            reason: format!(
                "event {} does not have the recorded hash: the log was rewritten",
                head.seq
            ),
        });
    }
    Ok(())
}

/// The head of a log whose last event is `last`.
pub fn head_of(last: Option<&StoredAuditEvent>) -> AuditHead {
    match last {
        Some(e) => AuditHead::new(e.seq, hex(&e.hash)),
        None => AuditHead::new(0, hex(&GENESIS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn log(n: u64) -> Vec<StoredAuditEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = NewAuditEvent::new(
                    datetime!(2026-01-01 0:00 UTC) + time::Duration::seconds(seq as i64),
                    AuditAction::LoginFailed,
                )
                .with(json!({"n": seq}));
                let hash = chain_hash(&prev, seq, &e);
                let s = StoredAuditEvent {
                    seq,
                    event: e,
                    prev_hash: prev,
                    hash,
                    scheme: AuditScheme::Sha256,
                };
                prev = hash;
                s
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert!(verify_chain(&log(5), None).is_ok());
        assert!(verify_chain(&[], None).is_ok());
    }

    #[test]
    fn any_edit_breaks_it() {
        let mut l = log(5);
        l[2].event.details = json!({"n": 99});
        assert_eq!(
            verify_chain(&l, None).unwrap_err().code(),
            "AUDIT_CHAIN_BROKEN"
        );
        let mut l = log(5);
        l.remove(1);
        assert!(verify_chain(&l, None).is_err());
        let mut l = log(5);
        l[4].event.at += time::Duration::nanoseconds(1);
        assert!(verify_chain(&l, None).is_err());
    }

    #[test]
    fn public_view_has_hex_hashes() {
        let p = log(1)[0].to_public();
        assert_eq!(p.hash.len(), 64);
        assert_eq!(p.prev_hash, "0".repeat(64));
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["action"], "login_failed");
    }

    /// The chain as first released hashed a `json!` value's text; stored chains must keep
    /// verifying, so the streamed canonical form must give the very same bytes.
    fn chain_hash_as_released(prev: &[u8; 32], seq: u64, event: &NewAuditEvent) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(prev);
        h.update(seq.to_be_bytes());
        h.update(event.at.unix_timestamp_nanos().to_be_bytes());
        let canonical = json!({
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "establishments": event.establishments,
            "details": event.details,
        });
        h.update(canonical.to_string().as_bytes());
        h.finalize().into()
    }

    #[test]
    fn a_known_event_keeps_its_hash() {
        let e = NewAuditEvent::new(datetime!(2026-11-27 3:30 UTC), AuditAction::UserCreated)
            .by(AccountId::from_bytes([1; 16]))
            .on(AccountId::from_bytes([2; 16]))
            .at_establishments(["T99999".parse().unwrap(), "T88888".parse().unwrap()])
            .with(json!({"rights": ["submit_claims"], "before": {"z": 1, "a": "é\"\n"}}));
        assert_eq!(
            hex(&chain_hash(&GENESIS, 7, &e)),
            hex(&chain_hash_as_released(&GENESIS, 7, &e))
        );
    }

    proptest::proptest! {
        #[test]
        fn streamed_canonical_form_is_the_released_one(
            seq in 1u64..1_000_000,
            nanos in 0i64..4_000_000_000_000_000_000,
            action in 0..AuditAction::ALL.len(),
            actor in proptest::option::of(proptest::array::uniform16(0u8..)),
            subject in proptest::option::of(proptest::array::uniform16(0u8..)),
            codes in proptest::collection::vec("T[0-9]{5}", 0..4),
            keys in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,12}", -5i64..5), 0..5),
        ) {
            let mut details = serde_json::Map::new();
            for (k, v, n) in keys {
                details.insert(k, json!([v, n, {"n": n, "s": null}]));
            }
            let mut e = NewAuditEvent::new(
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).unwrap(),
                AuditAction::ALL[action],
            )
            .at_establishments(codes.iter().map(|c| c.parse().unwrap()))
            .with(serde_json::Value::Object(details));
            e.actor = actor.map(AccountId::from_bytes);
            e.subject = subject.map(AccountId::from_bytes);
            let prev = [seq as u8; 32];
            proptest::prop_assert_eq!(
                chain_hash(&prev, seq, &e),
                chain_hash_as_released(&prev, seq, &e)
            );
        }
    }

    /// A log of `n` events, the first `unkeyed` by SHA-256 and the rest under `key`.
    fn mixed(n: u64, unkeyed: u64, key: &AuditKey) -> Vec<StoredAuditEvent> {
        let mut out = log(n);
        let mut prev = GENESIS;
        for e in &mut out {
            e.prev_hash = prev;
            if e.seq > unkeyed {
                e.scheme = AuditScheme::HmacSha256;
                e.hash = scheme_hash(e.scheme, Some(key), &prev, e.seq, &e.event).unwrap();
            }
            prev = e.hash;
        }
        out
    }

    #[test]
    fn a_keyed_log_verifies_under_its_key_only() {
        let key = AuditKey::from_bytes([3; 32]);
        let l = mixed(6, 2, &key);
        assert!(verify_chain(&l, Some(&key)).is_ok());
        let no_key = verify_chain(&l, None).unwrap_err();
        assert_eq!(no_key.code(), "AUDIT_CHAIN_BROKEN");
        assert!(no_key.to_string().contains("event 3"));
        assert!(no_key.to_string().contains("no audit_key"));
        let other = verify_chain(&l, Some(&AuditKey::from_bytes([4; 32]))).unwrap_err();
        assert!(other.to_string().contains("not the one"), "{other}");
        // An unkeyed log under a key: its last event must be keyed.
        let plain = log(3);
        let e = verify_chain(&plain, Some(&key)).unwrap_err();
        assert!(e.to_string().contains("event 3"), "{e}");
        // The HMAC differs from the plain hash of the same bytes.
        assert_ne!(l[2].hash, chain_hash(&l[2].prev_hash, 3, &l[2].event));
    }

    #[test]
    fn a_rewritten_keyed_event_rechained_without_the_key_is_caught() {
        let key = AuditKey::from_bytes([3; 32]);
        let mut l = mixed(5, 0, &key);
        l[3].event.details = json!({"n": 99});
        let mut prev = l[2].hash;
        for e in l.iter_mut().skip(3) {
            e.prev_hash = prev;
            e.scheme = AuditScheme::Sha256;
            e.hash = chain_hash(&prev, e.seq, &e.event);
            prev = e.hash;
        }
        assert!(verify_chain(&l, None).is_err(), "a keyed event is left");
        let e = verify_chain(&l, Some(&key)).unwrap_err();
        assert!(e.to_string().contains("event 4"), "{e}");
    }

    #[test]
    fn heads() {
        let l = log(4);
        let head = head_of(l.last());
        assert_eq!(head.seq, 4);
        assert!(check_head(&l, &head).is_ok());
        assert!(check_head(&l, &AuditHead::new(2, hex(&l[1].hash).to_uppercase())).is_ok());
        assert!(check_head(&l, &head_of(None)).is_ok());
        let cut = check_head(&l[..3], &head).unwrap_err();
        assert_eq!(cut.code(), "AUDIT_CHAIN_BROKEN");
        assert!(cut.to_string().contains("cut"));
        let other = check_head(&l, &AuditHead::new(4, hex(&l[0].hash))).unwrap_err();
        assert_eq!(other.code(), "AUDIT_CHAIN_BROKEN");
        assert_eq!(
            check_head(&l, &AuditHead::new(1, "xyz"))
                .unwrap_err()
                .code(),
            "INVALID_INPUT"
        );
    }

    #[test]
    fn keys_parse_from_hex_and_never_show() {
        let k = AuditKey::from_hex(&"0F".repeat(32)).unwrap();
        assert_eq!(k.0, [0x0f; 32]);
        for bad in ["", "0f", &"0g".repeat(32), &"0f".repeat(33)] {
            let e = AuditKey::from_hex(bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_CONFIG");
        }
        let e = AuditKey::from_hex(&"zz".repeat(32)).unwrap_err();
        assert!(!e.to_string().contains("zz"));
        assert_eq!(format!("{k:?}"), "AuditKey(***)");
    }

    #[test]
    fn actions_have_unique_codes() {
        let codes: std::collections::HashSet<_> =
            AuditAction::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), AuditAction::ALL.len());
    }
}

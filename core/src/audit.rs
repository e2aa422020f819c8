//! The append-only audit log, chained by SHA-256 so a store can prove it was not edited.

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
    TotpEnrolled = "totp_enrolled", "Double authentification activée", "Two-factor login enabled";
    TotpDisabled = "totp_disabled", "Double authentification désactivée", "Two-factor login disabled";
    TotpReset = "totp_reset", "Double authentification réinitialisée", "Two-factor login reset";
    RecoveryCodeUsed = "recovery_code_used", "Code de secours utilisé", "Recovery code used";
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
    /// SHA-256 of the previous event (zeros for the first), hex.
    pub prev_hash: String,
    /// SHA-256 of this event chained to the previous one, hex.
    pub hash: String,
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
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(event.at.unix_timestamp_nanos().to_be_bytes());
    // The canonical JSON, hashed piece by piece: an object with its keys sorted (action, actor,
    // details, establishments, subject), compact, as serde_json writes a `Value`. Codes and ids
    // are plain ASCII; `details` is a `Value`, whose objects serialise with sorted keys too.
    let id = |id: Option<AccountId>| id.map_or_else(|| "null".to_owned(), |id| format!("\"{id}\""));
    h.update(b"{\"action\":\"");
    h.update(event.action.code().as_bytes());
    h.update(b"\",\"actor\":");
    h.update(id(event.actor).as_bytes());
    h.update(b",\"details\":");
    h.update(details_json.as_bytes());
    h.update(b",\"establishments\":");
    h.update(establishments_json.as_bytes());
    h.update(b",\"subject\":");
    h.update(id(event.subject).as_bytes());
    h.update(b"}");
    h.finalize().into()
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
/// previous hash and each hash matches its content.
///
/// ```
/// use dealer_portal::audit::*;
/// use time::macros::datetime;
/// let e = NewAuditEvent::new(datetime!(2026-01-01 0:00 UTC), AuditAction::Logout);
/// let h = chain_hash(&GENESIS, 1, &e);
/// let mut log = vec![StoredAuditEvent { seq: 1, event: e, prev_hash: GENESIS, hash: h }];
/// assert!(verify_chain(&log).is_ok());
/// log[0].event.action = AuditAction::LoginSucceeded;
/// assert!(verify_chain(&log).is_err());
/// ```
pub fn verify_chain(events: &[StoredAuditEvent]) -> Result<()> {
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        let bad =
            |what: &str| Error::storage(format!("audit log broken at event {}: {what}", e.seq));
        if e.seq != i as u64 + 1 {
            return Err(bad("positions do not follow each other"));
        }
        if e.prev_hash != prev {
            return Err(bad("does not link to the previous event"));
        }
        if chain_hash(&prev, e.seq, &e.event) != e.hash {
            return Err(bad("content does not match its hash"));
        }
        prev = e.hash;
    }
    Ok(())
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
                };
                prev = hash;
                s
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert!(verify_chain(&log(5)).is_ok());
        assert!(verify_chain(&[]).is_ok());
    }

    #[test]
    fn any_edit_breaks_it() {
        let mut l = log(5);
        l[2].event.details = json!({"n": 99});
        assert_eq!(verify_chain(&l).unwrap_err().code(), "STORAGE");
        let mut l = log(5);
        l.remove(1);
        assert!(verify_chain(&l).is_err());
        let mut l = log(5);
        l[4].event.at += time::Duration::nanoseconds(1);
        assert!(verify_chain(&l).is_err());
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

    #[test]
    fn actions_have_unique_codes() {
        let codes: std::collections::HashSet<_> =
            AuditAction::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), AuditAction::ALL.len());
    }
}

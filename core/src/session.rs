//! Login sessions: idle and absolute expiry, "Enregistrer mes identifiants".

use crate::account::AccountId;
use crate::establishment::EstablishmentCode;
use crate::secret::SecretString;
use crate::token::{TokenConfig, TokenDigest};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// A session as stored: only the digest of its token, never the token.
///
/// A session is valid while `now` is before both its absolute expiry and `last_seen + idle`.
/// A clock that jumps backwards never shortens a session: `last_seen` only moves forwards.
///
/// ```
/// use dealer_portal::session::SessionRecord;
/// use dealer_portal::token::{TokenConfig, TokenSecret};
/// use dealer_portal::account::AccountId;
/// use time::{Duration, macros::datetime};
/// let now = datetime!(2026-01-15 09:00 UTC);
/// let s = SessionRecord::open(TokenSecret::generate().digest(), AccountId::generate(), now, false,
///     None, &TokenConfig::default());
/// assert!(s.is_valid(now + Duration::minutes(29)));
/// assert!(!s.is_valid(now + Duration::minutes(31)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the session token.
    pub digest: TokenDigest,
    /// Whose session.
    pub account: AccountId,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// Last time it was used (recorded coarsely, see [`SessionRecord::needs_touch`]).
    pub last_seen: OffsetDateTime,
    /// Idle timeout.
    pub idle: Duration,
    /// Absolute expiry.
    pub expires_at: OffsetDateTime,
    /// Opened with "Enregistrer mes identifiants".
    pub remembered: bool,
    /// The establishment the session is connected to ("le point de vente sur lequel je suis
    /// connecté"), if the account holds a right anywhere.
    pub establishment: Option<EstablishmentCode>,
}

impl SessionRecord {
    /// A session opened at `now`, connected to `establishment`. A remembered session lasts
    /// `remembered_session` with no idle timeout of its own; an ordinary one
    /// `session_absolute`, `session_idle` idle.
    pub fn open(
        digest: TokenDigest,
        account: AccountId,
        now: OffsetDateTime,
        remembered: bool,
        establishment: Option<EstablishmentCode>,
        cfg: &TokenConfig,
    ) -> Self {
        let (idle, life) = if remembered {
            (cfg.remembered_session, cfg.remembered_session)
        } else {
            (cfg.session_idle, cfg.session_absolute)
        };
        SessionRecord {
            digest,
            account,
            created_at: now,
            last_seen: now,
            idle,
            expires_at: now + life,
            remembered,
            establishment,
        }
    }

    /// The session's opaque id, shown in the list of one's sessions: derived one way from the
    /// token's digest, so it names the session without giving a way to use it.
    pub fn id(&self) -> SessionId {
        SessionId::of(&self.digest)
    }

    /// Whether it may be used at `now`.
    pub fn is_valid(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at && now < self.last_seen + self.idle
    }

    /// When it expires if not used again.
    pub fn expiry(&self) -> OffsetDateTime {
        self.expires_at.min(self.last_seen + self.idle)
    }

    /// Whether `last_seen` should be written back at `now`. Writing on every request would make
    /// each check a disk commit; instead it is written once the stored value is older than a
    /// twentieth of the idle timeout (90 s for 30 min), which shortens the idle window by at
    /// most that much.
    pub fn needs_touch(&self, now: OffsetDateTime) -> bool {
        now - self.last_seen > self.idle / 20
    }

    /// Records use at `now` (never moving backwards).
    pub fn touch(&mut self, now: OffsetDateTime) {
        if now > self.last_seen {
            self.last_seen = now;
        }
    }
}

/// The opaque id of a session, as [`SessionRecord::id`] gives it: 32 hex digits, the first 16
/// bytes of SHA-256 over a fixed label and the token's digest. Not a secret, and no way back to
/// the token or its digest.
///
/// ```
/// use dealer_portal::session::SessionId;
/// use dealer_portal::token::TokenSecret;
/// let digest = TokenSecret::generate().digest();
/// let id = SessionId::of(&digest);
/// assert_eq!(id.to_string().len(), 32);
/// assert_eq!(id.to_string().parse::<SessionId>().unwrap(), id);
/// assert_eq!("not-an-id".parse::<SessionId>().unwrap_err().code(), "UNKNOWN_SESSION");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// The id of the session whose token has this digest.
    pub fn of(digest: &TokenDigest) -> Self {
        let mut h = Sha256::new();
        h.update(b"dealer-portal session id\0");
        h.update(digest.as_bytes());
        let full = h.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&full[..16]);
        SessionId(id)
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for SessionId {
    type Err = crate::Error;
    /// Parses the 32 hex digits of an id; anything else is [`crate::Error::UnknownSession`]
    /// (which never repeats what was given: it might be a token passed by mistake).
    fn from_str(s: &str) -> crate::Result<Self> {
        let s = s.trim();
        let mut id = [0u8; 16];
        if s.len() != 32 || !s.is_ascii() {
            return Err(crate::Error::UnknownSession);
        }
        for (i, b) in id.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
                .map_err(|_| crate::Error::UnknownSession)?;
        }
        Ok(SessionId(id))
    }
}

impl serde::Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One of a person's sessions, as `list_sessions` shows it: never its token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionSummary {
    /// Its opaque id, for `revoke_session`.
    pub id: SessionId,
    /// When it was opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (recorded coarsely).
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// When it ends if not used again.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Opened with "Enregistrer mes identifiants".
    pub remembered: bool,
    /// Whether it is the session asking.
    pub current: bool,
}

impl SessionSummary {
    /// The summary of `s`, `current` when it is the asking session.
    pub fn of(s: &SessionRecord, current: bool) -> Self {
        SessionSummary {
            id: s.id(),
            created_at: s.created_at,
            last_seen_at: s.last_seen,
            expires_at: s.expiry(),
            remembered: s.remembered,
            current,
        }
    }
}

/// A session handed to the person who logged in: the token goes into a cookie or the app's
/// keychain and is never stored by the library.
#[derive(Debug, Clone)]
pub struct Session {
    /// The session token (secret).
    pub token: SecretString,
    /// Whose session.
    pub account_id: AccountId,
    /// When it expires if not used.
    pub expires_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::TokenSecret;
    use time::macros::datetime;

    fn rec(remembered: bool) -> SessionRecord {
        SessionRecord::open(
            TokenSecret::generate().digest(),
            AccountId::generate(),
            datetime!(2026-01-01 08:00 UTC),
            remembered,
            None,
            &TokenConfig::default(),
        )
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let mut s = rec(false);
        let t0 = s.created_at;
        // Used every 20 minutes: never idle, but over at 12 hours.
        for k in 1..36 {
            let now = t0 + Duration::minutes(20 * k);
            assert!(s.is_valid(now), "after {} min", 20 * k);
            s.touch(now);
        }
        assert!(!s.is_valid(t0 + Duration::hours(12)));
        assert_eq!(s.expiry(), t0 + Duration::hours(12));
    }

    #[test]
    fn remembered_lasts_thirty_days() {
        let s = rec(true);
        assert!(s.is_valid(s.created_at + Duration::days(29)));
        assert!(!s.is_valid(s.created_at + Duration::days(30)));
    }

    #[test]
    fn clock_going_back_does_not_expire_or_rewind() {
        let mut s = rec(false);
        let t0 = s.created_at;
        s.touch(t0 + Duration::minutes(10));
        s.touch(t0 - Duration::hours(1));
        assert_eq!(s.last_seen, t0 + Duration::minutes(10));
        assert!(s.is_valid(t0 - Duration::hours(1)));
    }

    #[test]
    fn touch_is_coarse() {
        let s = rec(false);
        assert!(!s.needs_touch(s.created_at + Duration::seconds(60)));
        assert!(s.needs_touch(s.created_at + Duration::seconds(91)));
    }

    #[test]
    fn debug_holds_no_token() {
        let tok = TokenSecret::generate();
        let s = Session {
            token: SecretString::from(tok.expose()),
            account_id: AccountId::generate(),
            expires_at: datetime!(2026-01-01 08:00 UTC),
        };
        assert!(!format!("{s:?}").contains(tok.expose()));
    }
}

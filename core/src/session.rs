//! Login sessions: idle and absolute expiry, "Enregistrer mes identifiants".

use crate::account::AccountId;
use crate::secret::SecretString;
use crate::token::{TokenConfig, TokenDigest};
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
/// let s = SessionRecord::open(TokenSecret::generate().digest(), AccountId::generate(), now, false, &TokenConfig::default());
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
}

impl SessionRecord {
    /// A session opened at `now`. A remembered session lasts `remembered_session` with no idle
    /// timeout of its own; an ordinary one `session_absolute`, `session_idle` idle.
    pub fn open(
        digest: TokenDigest,
        account: AccountId,
        now: OffsetDateTime,
        remembered: bool,
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
        }
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

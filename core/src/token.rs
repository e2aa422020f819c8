//! Reset, activation and session tokens: the secret, its stored digest, its lifecycle and the
//! configured lifetimes.
//!
//! A token is 256 random bits from the operating system, written in base64url without padding
//! (43 characters) — the [`TokenSecret`] that goes into a mail link or a session cookie. Only its
//! SHA-256 ([`TokenDigest`]) is stored, and digests are compared in constant time. A stored token
//! carries a [`TokenLifecycle`]: issued, then consumed, expired, revoked or superseded, for good.

use crate::locale::{Coded, Locale, coded_serde};
use crate::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// What a token is for.
///
/// ```
/// use dealer_portal::{Coded, Locale, token::TokenPurpose};
/// assert_eq!(TokenPurpose::PasswordReset.code(), "password_reset");
/// assert_eq!(TokenPurpose::Activation.label(Locale::Fr), "Activation du compte");
/// assert_eq!("session".parse::<TokenPurpose>().unwrap_err().code(), "UNKNOWN_CODE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenPurpose {
    /// "Mot de passe oublié": the link to choose a new password.
    PasswordReset,
    /// "Activez votre compte": the link an invited user follows to choose a first password.
    Activation,
    /// The link sent to a new address to confirm an email change.
    EmailChange,
}

impl Coded for TokenPurpose {
    const ALL: &'static [Self] = &[
        TokenPurpose::PasswordReset,
        TokenPurpose::Activation,
        TokenPurpose::EmailChange,
    ];
    const WHAT: &'static str = "token purpose";
    const ACCEPTED: &'static str = "password_reset, activation, email_change";
    fn code(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::Activation => "activation",
            TokenPurpose::EmailChange => "email_change",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (TokenPurpose::PasswordReset, Locale::Fr) => "Réinitialisation du mot de passe",
            (TokenPurpose::PasswordReset, Locale::En) => "Password reset",
            (TokenPurpose::Activation, Locale::Fr) => "Activation du compte",
            (TokenPurpose::Activation, Locale::En) => "Account activation",
            (TokenPurpose::EmailChange, Locale::Fr) => "Confirmation de la nouvelle adresse e-mail",
            (TokenPurpose::EmailChange, Locale::En) => "New email address confirmation",
        }
    }
}
coded_serde!(TokenPurpose);

/// A token's plaintext: 256 random bits from the operating system, in base64url without padding
/// (43 characters of `A-Z a-z 0-9 - _`).
///
/// It is what a mail link or a session cookie carries, and is never stored: store its
/// [`TokenSecret::digest`]. Its memory is wiped when dropped; `Debug` prints `TokenSecret(***)`;
/// there is no `Display`, no `Serialize` and no `Clone`. Equality is constant-time.
///
/// ```
/// use dealer_portal::token::TokenSecret;
/// let secret = TokenSecret::generate();
/// assert_eq!(secret.expose().len(), 43);
/// assert_eq!(format!("{secret:?}"), "TokenSecret(***)");
///
/// // What comes back from the link parses to the same token, with the same digest.
/// let back = TokenSecret::parse(secret.expose()).unwrap();
/// assert_eq!(back.digest(), secret.digest());
///
/// // Anything malformed is simply an invalid token.
/// assert_eq!(TokenSecret::parse("not a token").unwrap_err().code(), "TOKEN_INVALID");
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// Random bytes in a token.
    pub const BYTES: usize = 32;
    /// Characters of a token's text: 32 bytes in base64url without padding.
    pub const LEN: usize = 43;

    /// A fresh token from the operating system's random source.
    ///
    /// # Panics
    /// If the operating system cannot provide randomness (see [`TokenSecret::try_generate`]);
    /// issuing a guessable token instead would be worse.
    pub fn generate() -> TokenSecret {
        match Self::try_generate() {
            Ok(secret) => secret,
            Err(e) => panic!("the operating system's random source failed: {e}"),
        }
    }

    /// A fresh token from the operating system's random source, or the source's error.
    pub fn try_generate() -> std::result::Result<TokenSecret, getrandom::Error> {
        let mut bytes = [0u8; Self::BYTES];
        let filled = getrandom::fill(&mut bytes);
        let secret = filled.map(|()| TokenSecret(URL_SAFE_NO_PAD.encode(bytes)));
        bytes.zeroize();
        secret
    }

    /// Reads a token from text (a link's parameter, a cookie). Anything that is not exactly 43
    /// base64url characters encoding 32 bytes (canonically: the last character's unused bits
    /// are zero) is [`Error::TokenInvalid`] — surrounding space included: a malformed token is
    /// just an invalid one, and says nothing more.
    pub fn parse(text: &str) -> Result<TokenSecret> {
        if text.len() != Self::LEN
            || !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::TokenInvalid);
        }
        let mut bytes = [0u8; Self::BYTES + 2];
        let decoded = URL_SAFE_NO_PAD.decode_slice(text, &mut bytes);
        bytes.zeroize();
        match decoded {
            Ok(Self::BYTES) => Ok(TokenSecret(text.to_owned())),
            _ => Err(Error::TokenInvalid),
        }
    }

    /// The token's text, to put in a link or a cookie; keep the borrow short.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token's text: what is stored and looked up.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

impl PartialEq for TokenSecret {
    /// Constant-time (both have the fixed length of a token).
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}
impl Eq for TokenSecret {}

/// The SHA-256 of a token's text: what a store keeps and looks tokens up by.
///
/// Not a secret (the token cannot be recovered from it), but compared in constant time anyway
/// (`==` is [`TokenDigest::ct_eq`]). `Debug` shows the first 8 hex digits; serde and
/// [`TokenDigest::to_hex`] use 64 lowercase hex digits.
///
/// ```
/// use dealer_portal::token::{TokenDigest, TokenSecret};
/// let d = TokenSecret::generate().digest();
/// let hex = d.to_hex();
/// assert_eq!(hex.len(), 64);
/// assert_eq!(TokenDigest::from_hex(&hex).unwrap(), d);
/// assert!(d.ct_eq(&TokenDigest::from_bytes(*d.as_bytes())));
/// assert_eq!(format!("{d:?}"), format!("TokenDigest({}…)", &hex[..8]));
/// ```
#[derive(Clone, Copy, Eq)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// The digest with these bytes (as read from a store).
    pub const fn from_bytes(bytes: [u8; 32]) -> TokenDigest {
        TokenDigest(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest of a token's text held elsewhere (a queued mail's link), as
    /// [`TokenSecret::digest`] computes it.
    pub(crate) fn of_text(text: &str) -> TokenDigest {
        TokenDigest(Sha256::digest(text.as_bytes()).into())
    }

    /// 64 lowercase hex digits, for storage.
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(HEX[usize::from(b >> 4)] as char);
            s.push(HEX[usize::from(b & 0x0f)] as char);
        }
        s
    }

    /// Reads 64 hex digits (either case); anything else is [`Error::InvalidInput`].
    pub fn from_hex(hex: &str) -> Result<TokenDigest> {
        let invalid = || Error::InvalidInput {
            field: "token digest",
            reason: "expected 64 hexadecimal digits".into(),
        };
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return Err(invalid());
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_value(pair[0]).ok_or_else(invalid)?;
            let lo = hex_value(pair[1]).ok_or_else(invalid)?;
            *o = (hi << 4) | lo;
        }
        Ok(TokenDigest(out))
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &TokenDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl PartialEq for TokenDigest {
    /// Constant-time: [`TokenDigest::ct_eq`].
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl std::hash::Hash for TokenDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl std::fmt::Debug for TokenDigest {
    /// `TokenDigest(1a2b3c4d…)`: the first 8 hex digits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenDigest({}…)", &self.to_hex()[..8])
    }
}

impl Serialize for TokenDigest {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for TokenDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TokenDigest::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Where a token is in its life: `issued → consumed | expired | revoked | superseded`.
///
/// ```
/// use dealer_portal::{Coded, token::TokenState};
/// assert_eq!(TokenState::Superseded.code(), "superseded");
/// assert!(!TokenState::Issued.is_terminal());
/// assert!(TokenState::Consumed.is_terminal());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenState {
    /// Issued and not yet used: usable until it expires.
    Issued,
    /// Used once, successfully.
    Consumed,
    /// Seen past its expiry.
    Expired,
    /// Killed by a change of password or email, a disabled account, a logout.
    Revoked,
    /// Replaced by a newer token of the same purpose for the same account.
    Superseded,
}

impl TokenState {
    /// Whether the token's life is over (every state but [`TokenState::Issued`]). A terminal
    /// state never changes.
    pub const fn is_terminal(self) -> bool {
        !matches!(self, TokenState::Issued)
    }
}

impl Coded for TokenState {
    const ALL: &'static [Self] = &[
        TokenState::Issued,
        TokenState::Consumed,
        TokenState::Expired,
        TokenState::Revoked,
        TokenState::Superseded,
    ];
    const WHAT: &'static str = "token state";
    const ACCEPTED: &'static str = "issued, consumed, expired, revoked, superseded";
    fn code(self) -> &'static str {
        match self {
            TokenState::Issued => "issued",
            TokenState::Consumed => "consumed",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
            TokenState::Superseded => "superseded",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (TokenState::Issued, Locale::Fr) => "Émis",
            (TokenState::Issued, Locale::En) => "Issued",
            (TokenState::Consumed, Locale::Fr) => "Utilisé",
            (TokenState::Consumed, Locale::En) => "Consumed",
            (TokenState::Expired, Locale::Fr) => "Expiré",
            (TokenState::Expired, Locale::En) => "Expired",
            (TokenState::Revoked, Locale::Fr) => "Révoqué",
            (TokenState::Revoked, Locale::En) => "Revoked",
            (TokenState::Superseded, Locale::Fr) => "Remplacé",
            (TokenState::Superseded, Locale::En) => "Superseded",
        }
    }
}
coded_serde!(TokenState);

/// A stored token's purpose, times and state, with the only transitions allowed.
///
/// Rules:
/// - usable ([`TokenLifecycle::is_usable`]) iff the state is [`TokenState::Issued`] and
///   `now < expires_at`;
/// - a terminal state never changes: every transition from one is a no-op (`consume` returns
///   [`Error::TokenInvalid`], `revoke`/`supersede`/`expire` return `false`);
/// - **clocks.** Expiry is judged on `expires_at` alone. A clock reading earlier than
///   `issued_at` (portal servers a few seconds apart, a clock set back) does not make a token
///   unusable as long as it is before `expires_at`: `expires_at` was fixed at issue, so a late
///   clock can never stretch a token beyond the lifetime it was given from its issuing clock.
///   Once a token has been *seen* expired ([`TokenLifecycle::consume`] or
///   [`TokenLifecycle::expire`] at or after `expires_at`), `Expired` is stored and a clock going
///   back never revives it. [`TokenLifecycle::effective_state`] reads an `Issued` token past its
///   expiry as `Expired` without storing it; callers that observe that should persist it with
///   `expire`.
///
/// ```
/// use dealer_portal::token::{TokenLifecycle, TokenPurpose, TokenState};
/// use time::{Duration, macros::datetime};
/// let t0 = datetime!(2026-01-15 09:00 UTC);
/// let mut t = TokenLifecycle::issue(TokenPurpose::PasswordReset, t0, Duration::hours(1));
/// assert!(t.is_usable(t0 + Duration::minutes(59)));
/// assert_eq!(t.effective_state(t0 + Duration::hours(1)), TokenState::Expired);
///
/// t.consume(t0 + Duration::minutes(10)).unwrap();
/// assert_eq!(t.state, TokenState::Consumed);
/// assert_eq!(t.consume(t0 + Duration::minutes(11)).unwrap_err().code(), "TOKEN_INVALID");
/// assert!(!t.revoke()); // terminal: nothing changes
/// assert_eq!(t.state, TokenState::Consumed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLifecycle {
    /// What the token is for.
    pub purpose: TokenPurpose,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// When it stops being usable (exclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Where it is in its life.
    pub state: TokenState,
}

impl TokenLifecycle {
    /// A token of `purpose` issued at `now`, usable for `ttl` (a `ttl` of zero or less gives a
    /// token that is never usable; the expiry saturates at the calendar's end).
    pub fn issue(purpose: TokenPurpose, now: OffsetDateTime, ttl: Duration) -> TokenLifecycle {
        TokenLifecycle {
            purpose,
            issued_at: now,
            expires_at: now.saturating_add(ttl),
            state: TokenState::Issued,
        }
    }

    /// Whether it may be consumed at `now`: `Issued` and `now < expires_at`.
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.state == TokenState::Issued && now < self.expires_at
    }

    /// The state as seen at `now`: the stored state, except that an `Issued` token past its
    /// expiry reads as `Expired`.
    pub fn effective_state(&self, now: OffsetDateTime) -> TokenState {
        match self.state {
            TokenState::Issued if now >= self.expires_at => TokenState::Expired,
            state => state,
        }
    }

    /// Uses the token once: `Issued` → `Consumed` if usable at `now`. Otherwise
    /// [`Error::TokenInvalid`]; an `Issued` token past its expiry becomes `Expired` on the way
    /// (store it: a clock going back must not revive it).
    pub fn consume(&mut self, now: OffsetDateTime) -> Result<()> {
        if self.is_usable(now) {
            self.state = TokenState::Consumed;
            Ok(())
        } else {
            self.expire(now);
            Err(Error::TokenInvalid)
        }
    }

    /// `Issued` → `Revoked` (a password or email change, a disabled account, a logout).
    /// Returns whether the state changed (`false` from a terminal state).
    pub fn revoke(&mut self) -> bool {
        self.end(TokenState::Revoked)
    }

    /// `Issued` → `Superseded` (a newer token of the same purpose was issued). Returns whether
    /// the state changed (`false` from a terminal state).
    pub fn supersede(&mut self) -> bool {
        self.end(TokenState::Superseded)
    }

    /// `Issued` → `Expired` if `now` is at or past `expires_at`: records an observed expiry.
    /// Returns whether the state changed (`false` if not yet expired or already terminal).
    pub fn expire(&mut self, now: OffsetDateTime) -> bool {
        now >= self.expires_at && self.end(TokenState::Expired)
    }

    fn end(&mut self, to: TokenState) -> bool {
        if self.state.is_terminal() {
            return false;
        }
        self.state = to;
        true
    }
}

/// Token lifetimes and the reset-mail rate limit. Serialises durations as whole seconds;
/// missing fields take their default. Call [`TokenConfig::validate`] after deserialising.
///
/// ```
/// use dealer_portal::token::{TokenConfig, TokenPurpose};
/// use time::Duration;
/// let cfg = TokenConfig::default();
/// assert_eq!(cfg.ttl(TokenPurpose::PasswordReset), Duration::hours(1));
/// assert_eq!(cfg.ttl(TokenPurpose::Activation), Duration::hours(72));
/// cfg.validate().unwrap();
///
/// let short: TokenConfig = serde_json::from_str(r#"{"reset_ttl": 900}"#).unwrap();
/// assert_eq!(short.reset_ttl, Duration::minutes(15));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// Lifetime of a password-reset link (default 1 hour).
    #[serde(with = "seconds")]
    pub reset_ttl: Duration,
    /// Lifetime of an activation link (default 72 hours).
    #[serde(with = "seconds")]
    pub activation_ttl: Duration,
    /// Lifetime of the link confirming a new email address (default 24 hours).
    #[serde(with = "seconds")]
    pub email_change_ttl: Duration,
    /// A session ends after this long without use (default 30 minutes).
    #[serde(with = "seconds")]
    pub session_idle: Duration,
    /// A session ends this long after login whatever its use (default 12 hours).
    #[serde(with = "seconds")]
    pub session_absolute: Duration,
    /// Lifetime of a remembered session, "Enregistrer mes identifiants" (default 30 days).
    #[serde(with = "seconds")]
    pub remembered_session: Duration,
    /// Reset (or activation re-send) mails per account per hour, beyond which requests are
    /// silently ignored (default 3).
    pub max_reset_mails_per_hour: u32,
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            reset_ttl: Duration::hours(1),
            activation_ttl: Duration::hours(72),
            email_change_ttl: Duration::hours(24),
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            remembered_session: Duration::days(30),
            max_reset_mails_per_hour: 3,
        }
    }
}

impl TokenConfig {
    /// The longest lifetime accepted for any token (one year).
    pub const MAX_TTL: Duration = Duration::days(366);

    /// The lifetime of a new link of `purpose` (sessions have their own: [`Self::session_absolute`],
    /// [`Self::remembered_session`]).
    pub fn ttl(&self, purpose: TokenPurpose) -> Duration {
        match purpose {
            TokenPurpose::PasswordReset => self.reset_ttl,
            TokenPurpose::Activation => self.activation_ttl,
            TokenPurpose::EmailChange => self.email_change_ttl,
        }
    }

    /// Checks that every duration is positive and at most [`TokenConfig::MAX_TTL`], that
    /// `session_idle <= session_absolute` and that at least one reset mail per hour is allowed;
    /// [`Error::InvalidConfig`] names the first field that is wrong.
    pub fn validate(&self) -> Result<()> {
        let durations = [
            ("reset_ttl", self.reset_ttl),
            ("activation_ttl", self.activation_ttl),
            ("email_change_ttl", self.email_change_ttl),
            ("session_idle", self.session_idle),
            ("session_absolute", self.session_absolute),
            ("remembered_session", self.remembered_session),
        ];
        for (name, d) in durations {
            if !d.is_positive() {
                return Err(Error::InvalidConfig {
                    reason: format!("tokens.{name} must be positive, got {}s", d.whole_seconds()),
                });
            }
            if d > Self::MAX_TTL {
                return Err(Error::InvalidConfig {
                    reason: format!(
                        "tokens.{name} must be at most {}s (366 days), got {}s",
                        Self::MAX_TTL.whole_seconds(),
                        d.whole_seconds()
                    ),
                });
            }
        }
        if self.session_idle > self.session_absolute {
            return Err(Error::InvalidConfig {
                reason: format!(
                    "tokens.session_idle ({}s) must not exceed tokens.session_absolute ({}s)",
                    self.session_idle.whole_seconds(),
                    self.session_absolute.whole_seconds()
                ),
            });
        }
        if self.max_reset_mails_per_hour == 0 {
            return Err(Error::InvalidConfig {
                reason: "tokens.max_reset_mails_per_hour must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// `time::Duration` as whole seconds.
mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-15 09:00 UTC);

    fn reset() -> TokenLifecycle {
        TokenLifecycle::issue(TokenPurpose::PasswordReset, T0, Duration::hours(1))
    }

    fn is_b64url(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn codes_and_labels() {
        for p in TokenPurpose::ALL {
            assert_eq!(TokenPurpose::from_code(p.code()).unwrap(), *p);
            assert_eq!(
                serde_json::to_string(p).unwrap(),
                format!("\"{}\"", p.code())
            );
            assert!(!p.label(Locale::Fr).is_empty() && !p.label(Locale::En).is_empty());
        }
        for s in TokenState::ALL {
            assert_eq!(s.to_string().parse::<TokenState>().unwrap(), *s);
            assert!(!s.label(Locale::Fr).is_empty() && !s.label(Locale::En).is_empty());
        }
        assert_eq!(
            TokenPurpose::ACCEPTED.split(", ").count(),
            TokenPurpose::ALL.len()
        );
        assert_eq!(
            TokenState::ACCEPTED.split(", ").count(),
            TokenState::ALL.len()
        );
        assert_eq!(
            TokenPurpose::from_code("reset").unwrap_err().code(),
            "UNKNOWN_CODE"
        );
    }

    #[test]
    fn generated_secrets_are_43_base64url_chars_and_distinct() {
        let a = TokenSecret::generate();
        let b = TokenSecret::generate();
        assert_eq!(a.expose().len(), TokenSecret::LEN);
        assert!(is_b64url(a.expose()));
        assert_ne!(a, b);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(a.expose()).unwrap().len(),
            TokenSecret::BYTES
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = TokenSecret::generate();
        let dbg = format!("{s:?}");
        assert_eq!(dbg, "TokenSecret(***)");
        assert!(!dbg.contains(s.expose()));
        let wrapped = format!("{:?}", Some(&s));
        assert!(!wrapped.contains(s.expose()));
    }

    #[test]
    fn parse_rejects_malformed() {
        let good = TokenSecret::generate();
        let g = good.expose();
        let cases = [
            String::new(),
            g[..42].to_owned(),
            format!("{g}A"),
            format!(" {}", &g[1..]),
            format!("{g} "),
            format!("{}=", &g[..42]),
            format!("{}+", &g[..42]),
            format!("{}/", &g[..42]),
            format!("{}é", &g[..41]),
            "A".repeat(44),
        ];
        for c in &cases {
            assert_eq!(
                TokenSecret::parse(c).unwrap_err(),
                Error::TokenInvalid,
                "{c:?}"
            );
        }
        assert_eq!(TokenSecret::parse(g).unwrap(), good);
    }

    #[test]
    fn parse_rejects_non_canonical_last_char() {
        // 43 chars carry 258 bits; the last character's two low bits must be zero.
        let base = "A".repeat(42);
        assert!(TokenSecret::parse(&format!("{base}A")).is_ok());
        assert!(TokenSecret::parse(&format!("{base}E")).is_ok());
        assert!(TokenSecret::parse(&format!("{base}B")).is_err());
        assert!(TokenSecret::parse(&format!("{base}_")).is_err());
    }

    #[test]
    fn digest_is_sha256_of_the_text() {
        let s = TokenSecret::parse(&"A".repeat(43)).unwrap();
        let expected: [u8; 32] = Sha256::digest("A".repeat(43).as_bytes()).into();
        assert_eq!(s.digest().as_bytes(), &expected);
        assert_eq!(
            s.digest(),
            TokenSecret::parse(&"A".repeat(43)).unwrap().digest()
        );
    }

    #[test]
    fn digest_hex_roundtrip_and_errors() {
        let d = TokenDigest::from_bytes([0xab; 32]);
        assert_eq!(d.to_hex(), "ab".repeat(32));
        assert_eq!(TokenDigest::from_hex(&"AB".repeat(32)).unwrap(), d);
        for bad in [
            "",
            "ab",
            &"g0".repeat(32),
            &"ab".repeat(33),
            &"é".repeat(32),
        ] {
            assert_eq!(
                TokenDigest::from_hex(bad).unwrap_err().code(),
                "INVALID_INPUT",
                "{bad:?}"
            );
        }
        let mut all = [0u8; 32];
        for (i, b) in all.iter_mut().enumerate() {
            *b = (i * 8) as u8;
        }
        let d = TokenDigest::from_bytes(all);
        assert_eq!(TokenDigest::from_hex(&d.to_hex()).unwrap(), d);
    }

    #[test]
    fn digest_eq_hash_debug_serde() {
        use std::collections::HashSet;
        let a = TokenDigest::from_bytes([1; 32]);
        let mut b_bytes = [1; 32];
        b_bytes[31] = 2;
        let b = TokenDigest::from_bytes(b_bytes);
        assert!(a.ct_eq(&a) && !a.ct_eq(&b));
        assert_eq!(a, a);
        assert_ne!(a, b);
        let set: HashSet<_> = [a, a, b].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert_eq!(format!("{a:?}"), "TokenDigest(01010101…)");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{}\"", "01".repeat(32)));
        assert_eq!(serde_json::from_str::<TokenDigest>(&json).unwrap(), a);
        assert!(serde_json::from_str::<TokenDigest>("\"01\"").is_err());
    }

    #[test]
    fn lifecycle_issue_and_usability() {
        let t = reset();
        assert_eq!(t.state, TokenState::Issued);
        assert_eq!(t.issued_at, T0);
        assert_eq!(t.expires_at, T0 + Duration::hours(1));
        assert!(t.is_usable(T0));
        assert!(t.is_usable(T0 + Duration::seconds(3599)));
        assert!(!t.is_usable(T0 + Duration::hours(1)), "expiry is exclusive");
        assert_eq!(
            t.effective_state(T0 + Duration::seconds(3599)),
            TokenState::Issued
        );
        assert_eq!(
            t.effective_state(T0 + Duration::hours(2)),
            TokenState::Expired
        );
        assert_eq!(
            t.state,
            TokenState::Issued,
            "effective_state stores nothing"
        );
    }

    #[test]
    fn consume_is_single_use() {
        let mut t = reset();
        assert_eq!(t.consume(T0 + Duration::minutes(5)), Ok(()));
        assert_eq!(t.state, TokenState::Consumed);
        assert_eq!(
            t.consume(T0 + Duration::minutes(6)),
            Err(Error::TokenInvalid)
        );
        assert_eq!(t.state, TokenState::Consumed);
        assert!(!t.is_usable(T0 + Duration::minutes(6)));
    }

    #[test]
    fn consume_after_expiry_stores_expired() {
        let mut t = reset();
        assert_eq!(t.consume(T0 + Duration::hours(1)), Err(Error::TokenInvalid));
        assert_eq!(t.state, TokenState::Expired);
        // A clock set back does not revive it.
        assert!(!t.is_usable(T0 + Duration::minutes(1)));
        assert_eq!(
            t.consume(T0 + Duration::minutes(1)),
            Err(Error::TokenInvalid)
        );
        assert_eq!(t.effective_state(T0), TokenState::Expired);
    }

    #[test]
    fn expire_only_when_due() {
        let mut t = reset();
        assert!(!t.expire(T0 + Duration::minutes(59)));
        assert_eq!(t.state, TokenState::Issued);
        assert!(t.expire(T0 + Duration::hours(1)));
        assert_eq!(t.state, TokenState::Expired);
        assert!(!t.expire(T0 + Duration::hours(3)));
        assert!(!t.is_usable(T0));
    }

    #[test]
    fn revoke_and_supersede() {
        let mut t = reset();
        assert!(t.revoke());
        assert_eq!(t.state, TokenState::Revoked);
        assert!(!t.supersede());
        assert!(!t.revoke());
        assert_eq!(t.state, TokenState::Revoked);
        assert_eq!(t.consume(T0), Err(Error::TokenInvalid));

        let mut s = reset();
        assert!(s.supersede());
        assert_eq!(s.state, TokenState::Superseded);
        assert!(!s.revoke());
        assert!(!s.expire(T0 + Duration::days(1)));
        assert_eq!(
            s.effective_state(T0 + Duration::days(1)),
            TokenState::Superseded
        );
    }

    #[test]
    fn clock_before_issue_is_tolerated_until_expiry() {
        let mut t = reset();
        // Another portal server whose clock is a little behind.
        assert!(t.is_usable(T0 - Duration::seconds(5)));
        assert!(t.consume(T0 - Duration::seconds(5)).is_ok());
    }

    #[test]
    fn non_positive_ttl_is_never_usable() {
        for ttl in [Duration::ZERO, Duration::seconds(-10)] {
            let mut t = TokenLifecycle::issue(TokenPurpose::Activation, T0, ttl);
            assert!(!t.is_usable(T0));
            assert!(t.consume(T0).is_err());
            assert_eq!(t.state, TokenState::Expired);
        }
        // Huge lifetimes saturate instead of overflowing.
        let t = TokenLifecycle::issue(TokenPurpose::Activation, T0, Duration::MAX);
        assert!(t.is_usable(T0));
    }

    #[test]
    fn lifecycle_serde() {
        let t = reset();
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"password_reset\"") && json.contains("2026-01-15T09:00:00Z"));
        assert_eq!(serde_json::from_str::<TokenLifecycle>(&json).unwrap(), t);
    }

    #[test]
    fn config_defaults_and_ttl() {
        let c = TokenConfig::default();
        assert_eq!(c.reset_ttl, Duration::hours(1));
        assert_eq!(c.activation_ttl, Duration::hours(72));
        assert_eq!(c.session_idle, Duration::minutes(30));
        assert_eq!(c.session_absolute, Duration::hours(12));
        assert_eq!(c.remembered_session, Duration::days(30));
        assert_eq!(c.max_reset_mails_per_hour, 3);
        assert_eq!(c.ttl(TokenPurpose::Activation), c.activation_ttl);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn config_serde_in_seconds() {
        let c = TokenConfig::default();
        let v: serde_json::Value = serde_json::to_value(&c).unwrap();
        assert_eq!(v["reset_ttl"], 3600);
        assert_eq!(v["activation_ttl"], 259_200);
        assert_eq!(v["session_idle"], 1800);
        assert_eq!(v["session_absolute"], 43_200);
        assert_eq!(v["remembered_session"], 2_592_000);
        assert_eq!(v["max_reset_mails_per_hour"], 3);
        assert_eq!(serde_json::from_value::<TokenConfig>(v).unwrap(), c);
        assert_eq!(serde_json::from_str::<TokenConfig>("{}").unwrap(), c);
        assert!(serde_json::from_str::<TokenConfig>(r#"{"reset_ttl_secs": 10}"#).is_err());
        assert!(serde_json::from_str::<TokenConfig>(r#"{"reset_ttl": "1h"}"#).is_err());
    }

    #[test]
    fn config_validation() {
        let bad = [
            TokenConfig {
                reset_ttl: Duration::ZERO,
                ..Default::default()
            },
            TokenConfig {
                activation_ttl: Duration::seconds(-1),
                ..Default::default()
            },
            TokenConfig {
                session_idle: Duration::hours(13),
                ..Default::default()
            },
            TokenConfig {
                remembered_session: Duration::days(400),
                ..Default::default()
            },
            TokenConfig {
                max_reset_mails_per_hour: 0,
                ..Default::default()
            },
        ];
        for c in bad {
            let e = c.validate().unwrap_err();
            assert_eq!(e.code(), "INVALID_CONFIG", "{c:?}");
        }
        let e = TokenConfig {
            session_idle: Duration::hours(13),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("session_idle"), "{e}");
        let ok = TokenConfig {
            session_idle: Duration::hours(12),
            ..Default::default()
        };
        assert_eq!(ok.validate(), Ok(()));
    }

    // ------------------------------------------------------------------ property tests

    #[derive(Debug, Clone)]
    enum Op {
        Consume,
        Revoke,
        Supersede,
        Expire,
        /// Moves the clock by this many seconds (both ways).
        Clock(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => Just(Op::Consume),
            1 => Just(Op::Revoke),
            1 => Just(Op::Supersede),
            2 => Just(Op::Expire),
            4 => (-7200i64..7200).prop_map(Op::Clock),
        ]
    }

    proptest! {
        #[test]
        fn lifecycle_never_leaves_a_terminal_state(
            ttl in -60i64..7200,
            ops in prop::collection::vec(op(), 0..40),
        ) {
            let mut t = TokenLifecycle::issue(TokenPurpose::PasswordReset, T0, Duration::seconds(ttl));
            let mut now = T0;
            let mut consumed = 0;
            let mut terminal: Option<TokenState> = None;
            let mut seen_expired = false;
            for op in ops {
                let before = t.state;
                match op {
                    Op::Consume => {
                        let usable = t.is_usable(now);
                        let r = t.consume(now);
                        prop_assert_eq!(r.is_ok(), usable);
                        if r.is_ok() {
                            consumed += 1;
                        }
                    }
                    Op::Revoke => { prop_assert_eq!(t.revoke(), !before.is_terminal()); }
                    Op::Supersede => { prop_assert_eq!(t.supersede(), !before.is_terminal()); }
                    Op::Expire => {
                        let changed = t.expire(now);
                        prop_assert_eq!(changed, !before.is_terminal() && now >= t.expires_at);
                    }
                    Op::Clock(s) => now += Duration::seconds(s),
                }
                if let Some(s) = terminal {
                    prop_assert_eq!(t.state, s, "left terminal state {:?}", s);
                } else if t.state.is_terminal() {
                    terminal = Some(t.state);
                }
                if t.state == TokenState::Expired {
                    seen_expired = true;
                }
                if seen_expired {
                    prop_assert!(!t.is_usable(now));
                }
                if t.is_usable(now) {
                    prop_assert_eq!(t.state, TokenState::Issued);
                    prop_assert!(now < t.expires_at);
                }
                prop_assert_eq!(t.effective_state(now).is_terminal(), !t.is_usable(now));
            }
            prop_assert!(consumed <= 1);
            prop_assert_eq!(consumed == 1, t.state == TokenState::Consumed);
        }

        #[test]
        fn generated_secrets_parse_back(_i in 0..64u8) {
            let s = TokenSecret::generate();
            prop_assert_eq!(s.expose().len(), 43);
            prop_assert!(is_b64url(s.expose()));
            let back = TokenSecret::parse(s.expose()).unwrap();
            prop_assert_eq!(back.expose(), s.expose());
            prop_assert_eq!(back.digest(), s.digest());
            prop_assert_eq!(TokenDigest::from_hex(&s.digest().to_hex()).unwrap(), s.digest());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = TokenSecret::parse(&s);
        }

        #[test]
        fn parse_accepts_exactly_canonical_43_char_base64url(s in "[A-Za-z0-9_-]{41,45}") {
            let canonical = s.len() == 43
                && URL_SAFE_NO_PAD.decode(&s).is_ok_and(|b| URL_SAFE_NO_PAD.encode(&b) == s);
            prop_assert_eq!(TokenSecret::parse(&s).is_ok(), canonical);
        }

        #[test]
        fn any_32_bytes_make_a_token(bytes in prop::array::uniform32(any::<u8>())) {
            let text = URL_SAFE_NO_PAD.encode(bytes);
            let s = TokenSecret::parse(&text).unwrap();
            prop_assert_eq!(s.expose(), text.as_str());
        }

        #[test]
        fn digest_hex_never_panics(s in "\\PC{0,70}") {
            let _ = TokenDigest::from_hex(&s);
        }
    }
}

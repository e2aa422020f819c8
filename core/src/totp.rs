//! Two-factor login (RFC 6238 TOTP): the secret, its codes, the recovery codes, the deployment's
//! policy and the key that seals secrets at rest.
//!
//! The arithmetic (HMAC-SHA-1, dynamic truncation, the ±1 step window and the constant-time
//! comparison of codes) is `totp-rs`'s; this module chooses the parameters (SHA-1, 6 digits,
//! 30 s, ±1 step), says which step a code matched (so the store can accept each step once per
//! account), and seals the secret with XChaCha20-Poly1305 under the deployment's
//! [`TotpKey`], bound to the account by the associated data.
//!
//! ```
//! use dealer_portal::totp::TotpSecret;
//! use time::macros::datetime;
//! let secret = TotpSecret::generate();
//! let now = datetime!(2026-03-01 10:00:10 UTC);
//! let code = secret.code_at(now);
//! assert_eq!(code.len(), 6);
//! assert_eq!(secret.verify(&code, now), Some(now.unix_timestamp() / 30));
//! assert_eq!(secret.verify("12345x", now), None);
//! ```

use crate::account::{AccountId, Role};
use crate::locale::{Coded, Locale, coded_serde};
use crate::secret::SecretString;
use crate::token::TokenDigest;
use crate::{Error, Result};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Seconds in a time step (RFC 6238's default, what every authenticator app uses).
pub const STEP_SECONDS: u64 = 30;
/// Digits in a code.
pub const DIGITS: u8 = 6;
/// Steps of drift accepted either side of the current one.
pub const SKEW: u16 = 1;
/// Random bytes in a secret (160 bits, RFC 4226's recommendation).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown by authenticator apps.
pub const ISSUER: &str = "Dealer Portal";

/// Who must have a second factor: a deployment's choice (`{"mfa": "required"}`).
///
/// ```
/// use dealer_portal::totp::MfaPolicy;
/// use dealer_portal::Role;
/// assert_eq!(MfaPolicy::default(), MfaPolicy::Optional);
/// assert!(MfaPolicy::RequiredForAdministrators.requires(Role::Administrator));
/// assert!(!MfaPolicy::RequiredForAdministrators.requires(Role::User));
/// assert_eq!("required".parse::<MfaPolicy>().unwrap(), MfaPolicy::Required);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MfaPolicy {
    /// Each person chooses (the default).
    #[default]
    Optional,
    /// Administrators must enrol; others choose.
    RequiredForAdministrators,
    /// Everyone must enrol.
    Required,
}

impl MfaPolicy {
    /// Whether an account of this role must have a second factor.
    pub fn requires(self, role: Role) -> bool {
        match self {
            MfaPolicy::Optional => false,
            MfaPolicy::RequiredForAdministrators => role == Role::Administrator,
            MfaPolicy::Required => true,
        }
    }
}

impl Coded for MfaPolicy {
    const ALL: &'static [Self] = &[
        MfaPolicy::Optional,
        MfaPolicy::RequiredForAdministrators,
        MfaPolicy::Required,
    ];
    const WHAT: &'static str = "mfa policy";
    const ACCEPTED: &'static str = "optional, required_for_administrators, required";
    fn code(self) -> &'static str {
        match self {
            MfaPolicy::Optional => "optional",
            MfaPolicy::RequiredForAdministrators => "required_for_administrators",
            MfaPolicy::Required => "required",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (MfaPolicy::Optional, Locale::Fr) => "Facultative",
            (MfaPolicy::Optional, Locale::En) => "Optional",
            (MfaPolicy::RequiredForAdministrators, Locale::Fr) => {
                "Obligatoire pour les administrateurs"
            }
            (MfaPolicy::RequiredForAdministrators, Locale::En) => "Required for administrators",
            (MfaPolicy::Required, Locale::Fr) => "Obligatoire",
            (MfaPolicy::Required, Locale::En) => "Required",
        }
    }
}
coded_serde!(MfaPolicy);

/// The shared secret of an authenticator: 20 random bytes. Wiped when dropped; `Debug` is
/// redacted; shown only once, at enrolment, as base32 and in the `otpauth://` URI.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// The code of `secret` (any length) at Unix time `unix`, with `digits` digits: totp-rs's
/// RFC 6238 arithmetic with SHA-1 and 30 s steps.
fn code_with(secret: &[u8], digits: u8, unix: u64) -> String {
    totp(secret, digits).generate(unix).to_string()
}

/// The step `code` matches at `unix` within ±[`SKEW`] steps (totp-rs compares in constant
/// time), or `None`. Anything but exactly `digits` ASCII digits matches nothing.
fn check_with(secret: &[u8], digits: u8, code: &str, unix: u64) -> Option<u64> {
    totp(secret, digits).check(code, unix)
}

fn totp(secret: &[u8], digits: u8) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(digits)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .build_noncompliant()
}

fn unix(at: OffsetDateTime) -> Option<u64> {
    u64::try_from(at.unix_timestamp()).ok()
}

impl TotpSecret {
    /// A fresh secret from the operating system's random source.
    ///
    /// # Panics
    /// If the operating system cannot provide randomness (a guessable secret would be worse).
    pub fn generate() -> TotpSecret {
        let mut s = TotpSecret([0; SECRET_BYTES]);
        if let Err(e) = getrandom::fill(&mut s.0) {
            panic!("the operating system's random source failed: {e}");
        }
        s
    }

    /// The secret with these bytes (tests, and secrets unsealed from a store).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// The secret from its base32 text (as [`base32`](Self::base32) gives it), or `None` if it
    /// is not 20 bytes of base32: what a host's tests, or an example, use to compute codes.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let s = totp_rs::Secret::try_from_base32(text).ok()?;
        let bytes: [u8; SECRET_BYTES] = s.as_bytes().try_into().ok()?;
        Some(TotpSecret(bytes))
    }

    /// The secret as RFC 4648 base32 without padding: what a person types into an
    /// authenticator app by hand.
    pub fn base32(&self) -> SecretString {
        SecretString::from(totp_rs::Secret::from(&self.0[..]).to_base32())
    }

    /// The `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…` URI an authenticator app reads
    /// (usually from a QR code the host draws), with the parameters this portal checks.
    ///
    /// ```
    /// # use dealer_portal::totp::TotpSecret;
    /// let uri = TotpSecret::from_bytes(*b"12345678901234567890").uri("a.b@garage.fr");
    /// assert_eq!(uri.expose(), "otpauth://totp/Dealer%20Portal:a.b%40garage.fr?\
    ///     secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Dealer%20Portal&algorithm=SHA1\
    ///     &digits=6&period=30");
    /// ```
    pub fn uri(&self, account: &str) -> SecretString {
        let issuer = percent(ISSUER);
        let b32 = self.base32();
        SecretString::from(format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent(account),
            b32.expose(),
        ))
    }

    /// The code at `at` (what the person's authenticator shows then).
    pub fn code_at(&self, at: OffsetDateTime) -> String {
        code_with(&self.0, DIGITS, unix(at).unwrap_or(0))
    }

    /// The time step (`unix / 30`) that `code` matches at `at`, the current one or one either
    /// side, or `None`. The caller must accept each step once per account (see
    /// [`crate::store::MfaRepo::advance_totp_step`]). Spaces in the code are ignored
    /// ("123 456"); anything else than 6 digits matches nothing, and never panics.
    pub fn verify(&self, code: &str, at: OffsetDateTime) -> Option<i64> {
        let code = compact(code, 6)?;
        let step = check_with(&self.0, DIGITS, &code, unix(at)?)?;
        i64::try_from(step).ok()
    }

    /// The secret sealed under `key` for `account`: a version byte, a random 24-byte nonce and
    /// the XChaCha20-Poly1305 ciphertext with its tag; the account id is the associated data,
    /// so a sealed secret copied onto another account does not open.
    pub fn seal(&self, key: &TotpKey, account: AccountId) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        if let Err(e) = getrandom::fill(&mut nonce) {
            panic!("the operating system's random source failed: {e}");
        }
        let cipher = XChaCha20Poly1305::new(&key.0.into());
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &self.0,
                    aad: account.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message of 20 bytes");
        let mut out = Vec::with_capacity(1 + 24 + sealed.len());
        out.push(SEAL_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`seal`](Self::seal) made for this account under this key. Another key,
    /// another account or altered bytes: [`Error::Storage`] (the message names no secret).
    pub fn unseal(sealed: &[u8], key: &TotpKey, account: AccountId) -> Result<TotpSecret> {
        let broken = || Error::storage("a second factor's secret does not open with totp_key");
        let (&version, rest) = sealed.split_first().ok_or_else(broken)?;
        if version != SEAL_V1 || rest.len() != 24 + SECRET_BYTES + 16 {
            return Err(broken());
        }
        let (nonce, ct) = rest.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| broken())?;
        let cipher = XChaCha20Poly1305::new(&key.0.into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: ct,
                        aad: account.as_bytes(),
                    },
                )
                .map_err(|_| broken())?,
        );
        let bytes: [u8; SECRET_BYTES] = plain.as_slice().try_into().map_err(|_| broken())?;
        Ok(TotpSecret(bytes))
    }
}

const SEAL_V1: u8 = 1;

/// `text` without spaces and dashes, if what is left is at most `max` characters.
fn compact(text: &str, max: usize) -> Option<String> {
    let mut out = String::with_capacity(max);
    for c in text.chars() {
        if c == ' ' || c == '-' {
            continue;
        }
        if out.len() >= max {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The deployment's key for TOTP secrets at rest (`{"totp_key": "<64 hex digits>"}`): 32
/// bytes, kept outside the database. Wiped when dropped, redacted in `Debug`, never
/// serialised.
///
/// ```
/// use dealer_portal::totp::TotpKey;
/// let key = TotpKey::from_hex(&"ab".repeat(32)).unwrap();
/// assert_eq!(format!("{key:?}"), "TotpKey(***)");
/// assert_eq!(TotpKey::from_hex("abc").unwrap_err().code(), "INVALID_CONFIG");
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpKey([u8; 32]);

impl TotpKey {
    /// Reads 64 hexadecimal digits; anything else is [`Error::InvalidConfig`] (which does not
    /// repeat the value).
    pub fn from_hex(hex: &str) -> Result<TotpKey> {
        let invalid = || Error::InvalidConfig {
            reason: "totp_key must be 64 hexadecimal digits (32 random bytes, e.g. from \
                     `openssl rand -hex 32`)"
                .into(),
        };
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            return Err(invalid());
        }
        let mut key = TotpKey([0; 32]);
        for (i, pair) in hex.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16).ok_or_else(invalid);
            key.0[i] =
                u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).map_err(|_| invalid())?;
        }
        Ok(key)
    }
}

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(***)")
    }
}

/// Recovery codes: 16 base32 characters (80 random bits), shown as `abcd-efgh-ijkl-mnop`,
/// stored as their SHA-256 digest like tokens (80 bits make a dictionary of digests useless).
pub mod recovery {
    use super::{RECOVERY_CODES, TokenDigest, compact};
    use crate::secret::SecretString;

    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    const LEN: usize = 16;

    /// [`RECOVERY_CODES`] fresh codes, each with its digest.
    ///
    /// ```
    /// use dealer_portal::totp::recovery;
    /// let codes = recovery::generate();
    /// assert_eq!(codes.len(), 10);
    /// let (code, digest) = &codes[0];
    /// assert_eq!(code.expose().len(), 19);
    /// assert_eq!(recovery::digest(code.expose()), Some(*digest));
    /// assert_eq!(recovery::digest(&code.expose().to_uppercase().replace('-', " ")), Some(*digest));
    /// assert_eq!(recovery::digest("123456"), None);
    /// ```
    pub fn generate() -> Vec<(SecretString, TokenDigest)> {
        (0..RECOVERY_CODES)
            .map(|_| {
                let mut bytes = [0u8; LEN];
                if let Err(e) = getrandom::fill(&mut bytes) {
                    panic!("the operating system's random source failed: {e}");
                }
                let mut text = String::with_capacity(LEN + 3);
                for (i, b) in bytes.iter().enumerate() {
                    if i > 0 && i % 4 == 0 {
                        text.push('-');
                    }
                    text.push(ALPHABET[usize::from(b & 31)] as char);
                }
                zeroize::Zeroize::zeroize(&mut bytes);
                let text = SecretString::from(text);
                let d = digest(text.expose()).expect("a generated code is well formed");
                (text, d)
            })
            .collect()
    }

    /// The digest of a recovery code as typed (case, spaces and dashes ignored), or `None` if
    /// it cannot be one.
    pub fn digest(typed: &str) -> Option<TokenDigest> {
        let mut c = compact(typed, LEN)?;
        c.make_ascii_lowercase();
        if c.len() != LEN || !c.bytes().all(|b| ALPHABET.contains(&b)) {
            return None;
        }
        let d = TokenDigest::of_text(&c);
        zeroize::Zeroize::zeroize(&mut c);
        Some(d)
    }
}

/// An account's second factor as stored: the sealed secret, whether a first code confirmed it,
/// and the last time step accepted (each step is accepted once).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRecord {
    /// Whose.
    pub account: AccountId,
    /// [`TotpSecret::seal`]'s output.
    pub sealed: Vec<u8>,
    /// Whether enrolment was confirmed by a first code (only then does login ask for codes).
    pub confirmed: bool,
    /// The last step accepted (`unix / 30`), or -1 before any.
    pub last_step: i64,
    /// When enrolment began.
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for TotpRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRecord")
            .field("account", &self.account)
            .field("confirmed", &self.confirmed)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// RFC 6238 appendix B, SHA-1 (seed "12345678901234567890", 8 digits), through the same
    /// functions `verify` and `code_at` use.
    #[test]
    fn rfc6238_appendix_b_sha1() {
        let seed = b"12345678901234567890";
        for (t, code) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_with(seed, 8, t), code, "T = {t}");
            assert_eq!(check_with(seed, 8, code, t), Some(t / 30), "T = {t}");
        }
        // The same seed, 6 digits: the last six of each.
        let s = TotpSecret::from_bytes(*seed);
        let at = OffsetDateTime::from_unix_timestamp(1_111_111_109).unwrap();
        assert_eq!(s.code_at(at), "081804");
        assert_eq!(s.verify("081804", at), Some(1_111_111_109 / 30));
        assert_eq!(s.verify("081 804", at), Some(1_111_111_109 / 30));
    }

    #[test]
    fn drift_of_one_step_is_accepted_two_is_not() {
        let s = TotpSecret::generate();
        let now = datetime!(2026-06-01 12:00:00 UTC);
        let step = now.unix_timestamp() / 30;
        for (shift, ok) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = s.code_at(now + time::Duration::seconds(30 * shift));
            let got = s.verify(&code, now);
            if ok {
                assert_eq!(got, Some(step + shift), "shift {shift}");
            } else {
                assert_eq!(got, None, "shift {shift}");
            }
        }
    }

    #[test]
    fn malformed_codes_match_nothing() {
        let s = TotpSecret::from_bytes(*b"12345678901234567890");
        let at = OffsetDateTime::from_unix_timestamp(1_111_111_109).unwrap();
        for bad in [
            "",
            "08180",
            "0818040",
            "+81804",
            "08180a",
            "０８１８０４",
            "081804\0",
        ] {
            assert_eq!(s.verify(bad, at), None, "{bad:?}");
        }
        assert_eq!(
            s.verify("081804", OffsetDateTime::UNIX_EPOCH - time::Duration::DAY),
            None
        );
    }

    #[test]
    fn sealed_secret_opens_only_with_its_key_and_account() {
        let key = TotpKey::from_hex(&"01".repeat(32)).unwrap();
        let other = TotpKey::from_hex(&"02".repeat(32)).unwrap();
        let a = AccountId::generate();
        let b = AccountId::generate();
        let s = TotpSecret::from_bytes(*b"12345678901234567890");
        let sealed = s.seal(&key, a);
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_ne!(sealed, s.seal(&key, a), "a fresh nonce each time");
        let opened = TotpSecret::unseal(&sealed, &key, a).unwrap();
        assert_eq!(opened.0, s.0);
        assert!(TotpSecret::unseal(&sealed, &other, a).is_err());
        assert!(TotpSecret::unseal(&sealed, &key, b).is_err());
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert!(TotpSecret::unseal(&tampered, &key, a).is_err());
        assert!(TotpSecret::unseal(&[], &key, a).is_err());
        let err = TotpSecret::unseal(&sealed, &other, a)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("GEZDGNBV"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let s = TotpSecret::from_bytes(*b"12345678901234567890");
        let key = TotpKey::from_hex(&"ab".repeat(32)).unwrap();
        let all = format!("{s:?} {key:?} {:?}", s.base32());
        assert!(!all.contains("GEZDGNBV") && !all.contains("ab") && !all.contains("1234"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_well_formed() {
        let codes = recovery::generate();
        let digests: std::collections::HashSet<_> = codes.iter().map(|(_, d)| d.to_hex()).collect();
        assert_eq!(digests.len(), RECOVERY_CODES);
        for (c, _) in &codes {
            let parts: Vec<&str> = c.expose().split('-').collect();
            assert_eq!(parts.len(), 4);
            assert!(parts.iter().all(|p| p.len() == 4));
        }
    }

    proptest::proptest! {
        /// Any text given as a code or a recovery code never panics, and is accepted only when
        /// it is six digits.
        #[test]
        fn any_text_as_a_code_never_panics(text in "\\PC{0,40}", unix in 0i64..4_000_000_000) {
            let s = TotpSecret::from_bytes([7; 20]);
            let at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
            if s.verify(&text, at).is_some() {
                let digits: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
                proptest::prop_assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()));
            }
            let _ = recovery::digest(&text);
        }
    }
}

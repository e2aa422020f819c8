//! Passwords (seed §1 and §2): the rules a new password must meet, and how passwords are kept.
//!
//! Two concepts with very different costs, in two parts of this module:
//!
//! - **The policy** ([`PasswordPolicy`], [`PasswordPolicy::evaluate`]): pure and cheap (no
//!   hashing, no I/O, at most a few small allocations), meant to run on every keystroke of a form
//!   or a mobile app. Each [`Criterion`] is reported as its own [`Check`] so a screen can turn its
//!   bullet from red to green; [`PasswordPolicy::criteria`] lists them, in order, before
//!   anything is typed. [`PasswordPolicy::check`] is the same evaluation at submission time,
//!   turned into the errors of [`crate::Error`]. The seed's rules are the [`Default`];
//!   [`PasswordPolicy::nist`] is what current standards advise, and
//!   [`PasswordPolicy::departures_from_standards`] says where a policy differs from them.
//! - **Hashing** ([`PasswordHasher`], [`PasswordHash`], [`HashParams`]): argon2id, stored as
//!   standard PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that the C reference
//!   implementation and argon2-cffi read and write too. It costs milliseconds and megabytes on
//!   purpose. The history rule ("different from the last N passwords") is checked here, against
//!   hashes, with [`PasswordHasher::matches_any`].
//!
//! What joins them is [`normalize`]: both see a password as its NFKC form, so what the policy
//! counts is exactly what is hashed.
//!
//! In the source, the policy is `policy.rs` (with its blocklist, `password_blocklist.txt`) and
//! `criterion.rs` (what an evaluation reports), hashing is `hasher.rs`; everything is re-exported
//! here, so every path is `dealer_portal::password::…`.
//!
//! # A password's life
//!
//! ```
//! use dealer_portal::password::{Criterion, HashParams, Identity, PasswordHasher, PasswordPolicy};
//! let policy = PasswordPolicy::default(); // the seed's rules
//!
//! // While the person types: which bullets are green, in the policy's order.
//! assert_eq!(policy.criteria()[..2], [Criterion::MinLength, Criterion::Uppercase]);
//! let typing = policy.evaluate("Correct horse", None);
//! assert_eq!(typing.failed(), [Criterion::MinLength, Criterion::Digit]);
//!
//! // On submission: the same rules as errors, and the normalised password to hash.
//! let typed = "Correct horse battery 1!";
//! let password = policy.check(typed, typed, &Identity::default())?;
//! let hasher = PasswordHasher::new(HashParams::testing()); // HashParams::default() in production
//! let hash = hasher.hash(&password)?; // store hash.as_phc()
//!
//! // At login, and when the password changes again (the history rule).
//! assert!(hasher.verify(&password, &hash));
//! assert!(hasher.matches_any(&password, &[hash]));
//! # Ok::<(), dealer_portal::Error>(())
//! ```
//!
//! # Characters
//!
//! A password is a sequence of Unicode code points after NFKC normalisation ([`normalize`]), as
//! NIST SP 800-63B rev 4 §3.1.1.2 recommends. The normalised form is also what is hashed, so the
//! same password typed on two keyboards (a fullwidth `Ａ`, a `ﬁ` ligature, a non-breaking space)
//! matches. After normalisation every character falls in exactly one class:
//!
//! | class   | definition                                                          |
//! |---------|---------------------------------------------------------------------|
//! | control | Unicode general category Cc ([`char::is_control`]): rejected        |
//! | digit   | ASCII `0`–`9` only                                                  |
//! | letter  | [`char::is_alphabetic`] (or upper/lower case): `É`, `ß`, `語`…       |
//! | special | anything else: punctuation, symbols, spaces, emoji, other digits   |
//!
//! A letter counts as uppercase when [`char::is_uppercase`] holds (`É` does) and as lowercase
//! when [`char::is_lowercase`] holds; letters without case (`語`) count as neither. A digit of
//! another script (`٣`) is neither a letter nor a `0`–`9` digit, so it counts as special (NFKC
//! already folds fullwidth and superscript digits to `0`–`9`). A special character listed in
//! [`PasswordPolicy::excluded_specials`] (`€` by default: "Hors €") counts as nothing, but is
//! still allowed in the password.
//!
//! Format characters (category Cf: zero-width joiner, bidi marks…) are *not* rejected: emoji
//! sequences and some scripts (the ZWNJ of Persian) need them. They count as special.

mod criterion;
mod hasher;
mod policy;

pub use criterion::{Check, Criterion, Evaluation};
pub use hasher::{HashParams, PasswordHash, PasswordHasher};
pub use policy::{Departure, Identity, PasswordPolicy, criteria};

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;
use zeroize::Zeroize;

use crate::secret::SecretString;

/// The longest password a login (or a check of the current password) reads, in bytes. A longer
/// one is refused as a wrong password without being normalised or hashed — argon2 over
/// megabytes of input would be a cheap way to load a server — after the same dummy argon2 run a
/// wrong password costs, so it takes the same time. The policy's own limit for new passwords
/// (128 characters by default) is far below it.
pub const MAX_CREDENTIAL_BYTES: usize = 1024;

/// NFKC-normalises a password: what the policy counts and what is hashed.
///
/// ```
/// use dealer_portal::password::normalize;
/// assert_eq!(normalize("ＡＢｃ１").expose(), "ABc1"); // fullwidth
/// assert_eq!(normalize("ﬁn").expose(), "fin"); // ligature
/// assert_eq!(normalize("e\u{301}").expose(), "é"); // combining accent
/// ```
pub fn normalize(password: &str) -> SecretString {
    SecretString::new(nfkc(password).as_ref().to_owned())
}

/// A normalised string, wiped when dropped if it had to be copied.
struct Nfkc<'a>(Cow<'a, str>);

impl std::ops::Deref for Nfkc<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Nfkc<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Drop for Nfkc<'_> {
    fn drop(&mut self) {
        if let Cow::Owned(s) = &mut self.0 {
            s.zeroize();
        }
    }
}

/// NFKC, without copying when the input is ASCII (always normalised) or already normalised.
fn nfkc(s: &str) -> Nfkc<'_> {
    if s.is_ascii() {
        Nfkc(Cow::Borrowed(s))
    } else {
        Nfkc(ComposingNormalizerBorrowed::new_nfkc().normalize(s))
    }
}

#[cfg(test)]
mod tests {
    //! The tests of [`normalize`], and what the submodules' tests share.

    use super::*;
    use proptest::prelude::*;

    /// A password the seed's policy accepts.
    pub(super) const GOOD: &str = "Correct horse battery 1!";

    /// Characters that exercise every class and NFKC.
    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            2 => proptest::char::range('A', 'Z'),
            2 => proptest::char::range('0', '9'),
            2 => proptest::sample::select(vec![
                ' ', '!', '€', 'É', 'é', 'ß', '語', '٣', 'Ａ', '１', 'ﬁ', '\u{a0}', '\u{301}',
                '\t', '\u{7f}', '\u{85}', '\u{200d}', '🎉', 'ǅ', 'Ⅸ', 'ⓐ', '＄', '$',
            ]),
            1 => any::<char>(),
        ]
    }

    pub(super) fn password() -> impl Strategy<Value = String> {
        proptest::collection::vec(interesting_char(), 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn normalize_is_idempotent(pw in password()) {
            let once = normalize(&pw);
            prop_assert!(normalize(once.expose()) == once);
        }
    }
}

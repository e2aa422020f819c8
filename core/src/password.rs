//! The password policy (seed §1 and §2): criteria evaluated at every keystroke, the
//! submission-time check, and argon2id hashing with PHC strings.
//!
//! Two halves with very different costs:
//!
//! - **Policy** ([`PasswordPolicy`], [`PasswordPolicy::evaluate`]): pure and cheap (no hashing,
//!   no I/O, at most a few small allocations), meant to run on every keystroke of a form or a
//!   mobile app. Each criterion is reported separately so a screen can turn its bullet from red to
//!   green. [`PasswordPolicy::check`] is the same evaluation at submission time, turned into the
//!   errors of [`crate::Error`].
//! - **Hashing** ([`PasswordHasher`], [`PasswordHash`]): argon2id, stored as standard PHC strings
//!   (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that the C reference implementation and
//!   argon2-cffi read and write too. The history rule ("different from the last N passwords") is
//!   checked here, against hashes, with [`PasswordHasher::matches_any`].
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

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::OnceLock;

use argon2_rust::params::{Memory, TagLen};
use argon2_rust::{Algorithm, Argon2, Hasher, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use icu_normalizer::ComposingNormalizerBorrowed;
use serde::{Deserialize, Serialize};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::locale::{Coded, Locale, coded_serde};
use crate::secret::SecretString;
use crate::{Error, Result};

// ---------------------------------------------------------------------------------------------
// Criteria
// ---------------------------------------------------------------------------------------------

/// One criterion of the password policy, with a stable snake_case code.
///
/// [`Coded::label`] gives the criterion's name; the bullet shown on a form, with the policy's
/// thresholds ("15 caractères"), is [`Check::label`].
///
/// ```
/// use dealer_portal::password::Criterion;
/// use dealer_portal::Coded;
/// assert_eq!(Criterion::MinLength.code(), "min_length");
/// assert_eq!(Criterion::from_code("not_common").unwrap(), Criterion::NotCommon);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Criterion {
    /// At least `min_length` characters.
    MinLength,
    /// At least `min_uppercase` uppercase letters.
    Uppercase,
    /// At least `min_lowercase` lowercase letters.
    Lowercase,
    /// At least `min_digits` digits `0`–`9`.
    Digit,
    /// At least `min_special` special characters (not counting the excluded ones, e.g. `€`).
    Special,
    /// The confirmation equals the password.
    Confirmation,
    /// At most `max_length` characters (reported only when violated).
    MaxLength,
    /// No control character (reported only when violated).
    NoControl,
    /// Contains neither the email's local part nor a name (optional).
    NotContainingIdentity,
    /// Not a common password (optional blocklist).
    NotCommon,
}

impl Criterion {
    /// The stable code (`min_length`, `uppercase`, …, `not_common`).
    pub fn code(self) -> &'static str {
        match self {
            Criterion::MinLength => "min_length",
            Criterion::Uppercase => "uppercase",
            Criterion::Lowercase => "lowercase",
            Criterion::Digit => "digit",
            Criterion::Special => "special",
            Criterion::Confirmation => "confirmation",
            Criterion::MaxLength => "max_length",
            Criterion::NoControl => "no_control",
            Criterion::NotContainingIdentity => "not_containing_identity",
            Criterion::NotCommon => "not_common",
        }
    }
}

impl Coded for Criterion {
    const ALL: &'static [Self] = &[
        Criterion::MinLength,
        Criterion::Uppercase,
        Criterion::Lowercase,
        Criterion::Digit,
        Criterion::Special,
        Criterion::Confirmation,
        Criterion::MaxLength,
        Criterion::NoControl,
        Criterion::NotContainingIdentity,
        Criterion::NotCommon,
    ];
    const WHAT: &'static str = "password criterion";
    const ACCEPTED: &'static str = "min_length, uppercase, lowercase, digit, special, \
        confirmation, max_length, no_control, not_containing_identity, not_common";
    fn code(self) -> &'static str {
        Criterion::code(self)
    }
    /// The criterion's name, without thresholds (see [`Check::label`] for the form's bullet).
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Criterion::MinLength, Locale::Fr) => "Longueur minimale",
            (Criterion::MinLength, Locale::En) => "Minimum length",
            (Criterion::Uppercase, Locale::Fr) => "Majuscules",
            (Criterion::Uppercase, Locale::En) => "Uppercase letters",
            (Criterion::Lowercase, Locale::Fr) => "Minuscules",
            (Criterion::Lowercase, Locale::En) => "Lowercase letters",
            (Criterion::Digit, Locale::Fr) => "Chiffres",
            (Criterion::Digit, Locale::En) => "Digits",
            (Criterion::Special, Locale::Fr) => "Caractères spéciaux",
            (Criterion::Special, Locale::En) => "Special characters",
            (Criterion::Confirmation, Locale::Fr) => "Confirmation identique au mot de passe",
            (Criterion::Confirmation, Locale::En) => "Confirmation matches the password",
            (Criterion::MaxLength, Locale::Fr) => "Longueur maximale",
            (Criterion::MaxLength, Locale::En) => "Maximum length",
            (Criterion::NoControl, Locale::Fr) => "Pas de caractère de contrôle",
            (Criterion::NoControl, Locale::En) => "No control characters",
            (Criterion::NotContainingIdentity, Locale::Fr) => {
                "Ne contient ni votre email ni votre nom"
            }
            (Criterion::NotContainingIdentity, Locale::En) => {
                "Contains neither your email nor your name"
            }
            (Criterion::NotCommon, Locale::Fr) => "Pas un mot de passe courant",
            (Criterion::NotCommon, Locale::En) => "Not a common password",
        }
    }
}
coded_serde!(Criterion);

// ---------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------

/// The password rules. Every threshold is configurable; [`Default`] (= [`PasswordPolicy::seed`])
/// is the portal's own rules, [`PasswordPolicy::nist`] the current standards' advice.
///
/// Deserialising accepts partial objects (missing fields take the seed's values) and rejects
/// unknown fields; call [`PasswordPolicy::validate_config`] on anything loaded from outside.
///
/// ```
/// use dealer_portal::password::{Criterion, PasswordPolicy};
/// let policy = PasswordPolicy::default();
/// let e = policy.evaluate("Correct horse battery 1!", None);
/// assert!(e.acceptable());
/// let e = policy.evaluate("correct horse", None);
/// // a space counts as special
/// assert_eq!(e.failed(), vec![Criterion::MinLength, Criterion::Uppercase, Criterion::Digit]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Minimum number of characters (code points after NFKC). Seed: 15.
    pub min_length: usize,
    /// Maximum number of characters. Seed: 128; at most [`PasswordPolicy::MAX_LENGTH_LIMIT`].
    pub max_length: usize,
    /// Minimum number of uppercase letters; 0 drops the criterion. Seed: 1.
    pub min_uppercase: usize,
    /// Minimum number of lowercase letters; 0 drops the criterion. Seed: 1.
    pub min_lowercase: usize,
    /// Minimum number of digits `0`–`9`; 0 drops the criterion. Seed: 1.
    pub min_digits: usize,
    /// Minimum number of special characters; 0 drops the criterion. Seed: 1.
    pub min_special: usize,
    /// Characters that are allowed but do not count as special. Seed: `€` ("Hors €").
    pub excluded_specials: Vec<char>,
    /// How many previous passwords (besides the current one) a new one must differ from.
    /// Seed: 5. Checked at submission against hashes ([`PasswordHasher::matches_any`]).
    pub history: usize,
    /// Whether the password may not contain the email's local part or the user's names.
    /// Seed: off.
    pub forbid_identity: bool,
    /// Whether common passwords (the built-in blocklist) are refused. Seed: off.
    pub blocklist: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy::seed()
    }
}

/// Who the password belongs to, for [`Criterion::NotContainingIdentity`].
///
/// ```
/// use dealer_portal::password::Identity;
/// let names = ["Dupont", "Jean-Pierre"];
/// let who = Identity { email: Some("jp.dupont@garage.fr"), names: &names };
/// assert_eq!(who.names.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    /// The account's email, if known.
    pub email: Option<&'a str>,
    /// The account's names (last name, first name…).
    pub names: &'a [&'a str],
}

/// Where a policy departs from current standards, see
/// [`PasswordPolicy::departures_from_standards`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Departure {
    /// A stable code: `composition_rules`, `password_history`, `no_blocklist`,
    /// `short_min_length` or `short_max_length`.
    pub rule: &'static str,
    /// What the policy does, with its settings (e.g. `min_uppercase=1, min_digits=1`).
    pub setting: String,
    /// What the standards say, and where.
    pub reference: &'static str,
}

impl PasswordPolicy {
    /// The largest `max_length` a configuration may set.
    pub const MAX_LENGTH_LIMIT: usize = 1024;
    /// The largest `history` a configuration may set.
    pub const MAX_HISTORY: usize = 50;

    /// The seed's rules, also the [`Default`]: at least 15 characters with 1 uppercase,
    /// 1 lowercase, 1 digit and 1 special character (`€` not counting), at most 128, different
    /// from the current and the 5 previous passwords; no identity rule, no blocklist.
    ///
    /// ```
    /// use dealer_portal::password::PasswordPolicy;
    /// let p = PasswordPolicy::seed();
    /// assert_eq!((p.min_length, p.max_length, p.history), (15, 128, 5));
    /// assert_eq!(p.excluded_specials, vec!['€']);
    /// ```
    pub fn seed() -> Self {
        PasswordPolicy {
            min_length: 15,
            max_length: 128,
            min_uppercase: 1,
            min_lowercase: 1,
            min_digits: 1,
            min_special: 1,
            excluded_specials: vec!['€'],
            history: 5,
            forbid_identity: false,
            blocklist: false,
        }
    }

    /// The profile of NIST SP 800-63B rev 4 and OWASP ASVS 5.0: at least 15 characters, no
    /// composition rule, no history, the common-password blocklist and the identity rule
    /// ("context-specific words such as the username", NIST §3.1.1.2) on.
    ///
    /// The built-in blocklist is a few hundred entries, not the "top 3000 passwords matching the
    /// policy" of ASVS 5.0 V6.2.4 nor a breach corpus (V6.2.12).
    ///
    /// ```
    /// use dealer_portal::password::{Criterion, PasswordPolicy};
    /// let nist = PasswordPolicy::nist();
    /// assert!(nist.departures_from_standards().is_empty());
    /// assert!(nist.evaluate("correct horse battery staple", None).acceptable());
    /// assert_eq!(nist.evaluate("password123456789", None).failed(), vec![Criterion::NotCommon]);
    /// ```
    pub fn nist() -> Self {
        PasswordPolicy {
            min_length: 15,
            max_length: 128,
            min_uppercase: 0,
            min_lowercase: 0,
            min_digits: 0,
            min_special: 0,
            excluded_specials: Vec::new(),
            history: 0,
            forbid_identity: true,
            blocklist: true,
        }
    }

    /// Checks that the configuration is consistent and satisfiable: `1 <= min_length <=
    /// max_length <= 1024`, the composition minimums fit in `max_length`, `history <= 50`, and
    /// each excluded special is a printable character that survives NFKC (otherwise it could
    /// never occur in a normalised password).
    ///
    /// ```
    /// use dealer_portal::password::PasswordPolicy;
    /// assert!(PasswordPolicy::seed().validate_config().is_ok());
    /// let bad = PasswordPolicy { min_length: 200, ..PasswordPolicy::seed() };
    /// assert_eq!(bad.validate_config().unwrap_err().code(), "INVALID_CONFIG");
    /// ```
    pub fn validate_config(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidConfig { reason });
        if self.min_length == 0 {
            return invalid("password min_length must be at least 1".into());
        }
        if self.max_length > Self::MAX_LENGTH_LIMIT {
            return invalid(format!(
                "password max_length {} exceeds the limit of {}",
                self.max_length,
                Self::MAX_LENGTH_LIMIT
            ));
        }
        if self.min_length > self.max_length {
            return invalid(format!(
                "password min_length {} exceeds max_length {}",
                self.min_length, self.max_length
            ));
        }
        let composition = [
            self.min_uppercase,
            self.min_lowercase,
            self.min_digits,
            self.min_special,
        ]
        .iter()
        .try_fold(0usize, |acc, n| acc.checked_add(*n));
        if composition.is_none_or(|sum| sum > self.max_length) {
            return invalid(format!(
                "password composition minimums (uppercase, lowercase, digits, special) add up to \
                 more than max_length {}: no password could satisfy them",
                self.max_length
            ));
        }
        if self.history > Self::MAX_HISTORY {
            return invalid(format!(
                "password history {} exceeds the limit of {}",
                self.history,
                Self::MAX_HISTORY
            ));
        }
        for &c in &self.excluded_specials {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            if c.is_control() || nfkc(s).as_ref() != s {
                return invalid(format!(
                    "excluded special U+{:04X} is a control character or changes under NFKC \
                     normalisation, so it can never occur in a password",
                    u32::from(c)
                ));
            }
        }
        Ok(())
    }

    /// Where this policy departs from NIST SP 800-63B rev 4 (§3.1.1.2, password verifiers) and
    /// OWASP ASVS 5.0 (V6.2, password security), one [`Departure`] per rule: composition rules,
    /// a password history, no blocklist, a minimum under 15, a maximum under 64.
    ///
    /// The seed departs on purpose (the portal demands its rules); this lets an operator see and
    /// document it.
    ///
    /// ```
    /// use dealer_portal::password::PasswordPolicy;
    /// let rules: Vec<_> = PasswordPolicy::seed()
    ///     .departures_from_standards()
    ///     .into_iter()
    ///     .map(|d| d.rule)
    ///     .collect();
    /// assert_eq!(rules, ["composition_rules", "password_history", "no_blocklist"]);
    /// ```
    pub fn departures_from_standards(&self) -> Vec<Departure> {
        let mut out = Vec::new();
        let composition: Vec<String> = [
            ("min_uppercase", self.min_uppercase),
            ("min_lowercase", self.min_lowercase),
            ("min_digits", self.min_digits),
            ("min_special", self.min_special),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name}={n}"))
        .collect();
        if !composition.is_empty() {
            out.push(Departure {
                rule: "composition_rules",
                setting: composition.join(", "),
                reference: "NIST SP 800-63B rev 4 §3.1.1.2: verifiers SHALL NOT impose \
                    composition rules (mixtures of character types); OWASP ASVS 5.0 V6.2.5: \
                    passwords of any composition can be used, with no minimum number of upper or \
                    lower case characters, numbers or special characters",
            });
        }
        if self.history > 0 {
            out.push(Departure {
                rule: "password_history",
                setting: format!("history={}", self.history),
                reference: "Not required by NIST SP 800-63B rev 4 §3.1.1.2 nor OWASP ASVS 5.0 \
                    V6.2: both reject forced periodic changes (ASVS 5.0 V6.2.10), the practice \
                    history rules were made for, because users answer them with predictable \
                    variants (Password1, Password2…); a blocklist is the recommended control",
            });
        }
        if !self.blocklist {
            out.push(Departure {
                rule: "no_blocklist",
                setting: "blocklist=false".into(),
                reference: "NIST SP 800-63B rev 4 §3.1.1.2: verifiers SHALL compare a new \
                    password against a blocklist of commonly used, expected or compromised \
                    values; OWASP ASVS 5.0 V6.2.4: check against at least the top 3000 passwords \
                    matching the policy",
            });
        }
        if self.min_length < 15 {
            out.push(Departure {
                rule: "short_min_length",
                setting: format!("min_length={}", self.min_length),
                reference: "NIST SP 800-63B rev 4 §3.1.1.2: at least 15 characters for a \
                    password used as a single factor (8 within multi-factor authentication); \
                    OWASP ASVS 5.0 V6.2.1: at least 8, 15 strongly recommended",
            });
        }
        if self.max_length < 64 {
            out.push(Departure {
                rule: "short_max_length",
                setting: format!("max_length={}", self.max_length),
                reference: "NIST SP 800-63B rev 4 §3.1.1.2: verifiers SHOULD permit at least 64 \
                    characters; OWASP ASVS 5.0 V6.2.9: passwords of at least 64 characters are \
                    permitted",
            });
        }
        out
    }

    /// Evaluates a candidate password (and its confirmation, once the user has typed one) on
    /// every criterion. Pure and cheap: call it on every keystroke.
    ///
    /// Checks come in this order:
    /// 1. `min_length`, `uppercase`, `lowercase`, `digit`, `special` — each composition check is
    ///    omitted when its threshold is 0 (as in [`PasswordPolicy::nist`]);
    /// 2. `confirmation`, omitted when `confirmation` is `None`; met when the confirmation is
    ///    non-empty and equal to the candidate after NFKC (compared in constant time);
    /// 3. `max_length` and `no_control`, **only when violated**, so that a form shows the seed's
    ///    bullets until the user types something that breaks these limits;
    /// 4. `not_common` when [`PasswordPolicy::blocklist`] is on.
    ///
    /// `not_containing_identity` needs to know the user: see
    /// [`PasswordPolicy::evaluate_with_identity`].
    ///
    /// ```
    /// use dealer_portal::password::{Criterion, PasswordPolicy};
    /// use dealer_portal::Locale;
    /// let e = PasswordPolicy::default().evaluate("Motdepasse 2024", Some("Motdepasse 2025"));
    /// let bullets: Vec<_> = e.checks.iter().map(|c| (c.label(Locale::Fr), c.met)).collect();
    /// assert_eq!(bullets, [
    ///     ("15 caractères".to_string(), true),
    ///     ("1 majuscule".to_string(), true),
    ///     ("1 minuscule".to_string(), true),
    ///     ("1 chiffre".to_string(), true),
    ///     ("1 caractère spécial (Hors €)".to_string(), true),
    ///     ("Confirmation identique au mot de passe".to_string(), false),
    /// ]);
    /// assert_eq!(e.failed(), vec![Criterion::Confirmation]);
    /// ```
    pub fn evaluate(&self, candidate: &str, confirmation: Option<&str>) -> Evaluation {
        self.evaluate_inner(candidate, confirmation, None)
    }

    /// Like [`PasswordPolicy::evaluate`], plus `not_containing_identity` (placed before
    /// `not_common`) when [`PasswordPolicy::forbid_identity`] is on.
    ///
    /// The candidate fails it when it contains, ignoring case (not accents), the email's local
    /// part or any of its `.`/`_`/`-`/`+`-separated parts, or any name or part of a name (split
    /// at spaces, hyphens and apostrophes) — each only if at least 3 characters long.
    ///
    /// ```
    /// use dealer_portal::password::{Criterion, Identity, PasswordPolicy};
    /// let policy = PasswordPolicy { forbid_identity: true, ..PasswordPolicy::seed() };
    /// let names = ["Dupont", "Jean-Pierre"];
    /// let who = Identity { email: Some("jp.dupont@garage.fr"), names: &names };
    /// let e = policy.evaluate_with_identity("Pierre-2024-Bonjour!", None, &who);
    /// assert_eq!(e.failed(), vec![Criterion::NotContainingIdentity]);
    /// ```
    pub fn evaluate_with_identity(
        &self,
        candidate: &str,
        confirmation: Option<&str>,
        identity: &Identity<'_>,
    ) -> Evaluation {
        self.evaluate_inner(candidate, confirmation, Some(identity))
    }

    /// The submission-time check: evaluates `password` with its `confirmation` (and the identity
    /// rule when on) and returns the NFKC-normalised password, ready for
    /// [`PasswordHasher::hash`]. History is not checked here (it needs the stored hashes: see
    /// [`PasswordHasher::matches_any`]).
    ///
    /// # Errors
    /// - [`Error::PasswordPolicy`] when any criterion other than the confirmation fails, even if
    ///   the confirmation differs too; `failed` lists those criteria in the policy's order;
    /// - [`Error::ConfirmationMismatch`] when the password meets the policy but the confirmation
    ///   differs.
    ///
    /// ```
    /// use dealer_portal::password::{Criterion, Identity, PasswordPolicy};
    /// use dealer_portal::Error;
    /// let policy = PasswordPolicy::default();
    /// let none = Identity::default();
    /// let pw = policy.check("Correct horse battery 1!", "Correct horse battery 1!", &none).unwrap();
    /// assert_eq!(pw.expose(), "Correct horse battery 1!");
    /// assert_eq!(
    ///     policy.check("Correct horse battery 1!", "other", &none),
    ///     Err(Error::ConfirmationMismatch)
    /// );
    /// assert_eq!(
    ///     policy.check("short1A!", "different", &none),
    ///     Err(Error::PasswordPolicy { failed: vec!["min_length"] })
    /// );
    /// ```
    pub fn check(
        &self,
        password: &str,
        confirmation: &str,
        identity: &Identity<'_>,
    ) -> Result<SecretString> {
        let evaluation = self.evaluate_inner(password, Some(confirmation), Some(identity));
        let failed: Vec<&'static str> = evaluation
            .checks
            .iter()
            .filter(|c| !c.met && c.criterion != Criterion::Confirmation)
            .map(|c| c.criterion.code())
            .collect();
        if !failed.is_empty() {
            return Err(Error::PasswordPolicy { failed });
        }
        if !evaluation.acceptable() {
            return Err(Error::ConfirmationMismatch);
        }
        Ok(normalize(password))
    }

    fn evaluate_inner(
        &self,
        candidate: &str,
        confirmation: Option<&str>,
        identity: Option<&Identity<'_>>,
    ) -> Evaluation {
        let normalized = nfkc(candidate);
        let counts = Counts::of(&normalized, &self.excluded_specials);
        let mut checks = Vec::with_capacity(10);
        let check = |criterion, met, threshold| Check {
            criterion,
            met,
            threshold,
            excluded_specials: Vec::new(),
        };
        checks.push(check(
            Criterion::MinLength,
            counts.length >= self.min_length,
            self.min_length,
        ));
        let composition = [
            (Criterion::Uppercase, counts.uppercase, self.min_uppercase),
            (Criterion::Lowercase, counts.lowercase, self.min_lowercase),
            (Criterion::Digit, counts.digits, self.min_digits),
        ];
        for (criterion, count, min) in composition {
            if min > 0 {
                checks.push(check(criterion, count >= min, min));
            }
        }
        if self.min_special > 0 {
            checks.push(Check {
                excluded_specials: self.excluded_specials.clone(),
                ..check(
                    Criterion::Special,
                    counts.special >= self.min_special,
                    self.min_special,
                )
            });
        }
        if let Some(confirmation) = confirmation {
            let confirmation = nfkc(confirmation);
            let equal = normalized.as_bytes().ct_eq(confirmation.as_bytes());
            let met = !confirmation.is_empty() && bool::from(equal);
            checks.push(check(Criterion::Confirmation, met, 0));
        }
        if counts.length > self.max_length {
            checks.push(check(Criterion::MaxLength, false, self.max_length));
        }
        if counts.control {
            checks.push(check(Criterion::NoControl, false, 0));
        }
        let needs_identity = self.forbid_identity && identity.is_some();
        if needs_identity || self.blocklist {
            let lower = Nfkc(Cow::Owned(if normalized.is_ascii() {
                normalized.to_ascii_lowercase()
            } else {
                normalized.to_lowercase()
            }));
            if let Some(identity) = identity.filter(|_| needs_identity) {
                let met = !contains_identity(&lower, identity);
                checks.push(check(Criterion::NotContainingIdentity, met, 0));
            }
            if self.blocklist {
                checks.push(check(Criterion::NotCommon, !is_common(&lower), 0));
            }
        }
        Evaluation { checks }
    }
}

/// The criteria a policy reports on every evaluation, in order, for a form to lay out its
/// bullets: `min_length`, the composition criteria whose threshold is not 0, `confirmation`,
/// then `not_containing_identity` and `not_common` when switched on. `max_length` and
/// `no_control` are not listed: they are reported only when violated.
///
/// ```
/// use dealer_portal::password::{criteria, Criterion, PasswordPolicy};
/// assert_eq!(
///     criteria(&PasswordPolicy::nist()),
///     [Criterion::MinLength, Criterion::Confirmation, Criterion::NotContainingIdentity,
///      Criterion::NotCommon]
/// );
/// assert_eq!(criteria(&PasswordPolicy::seed()).len(), 6);
/// ```
pub fn criteria(policy: &PasswordPolicy) -> Vec<Criterion> {
    let mut out = vec![Criterion::MinLength];
    let composition = [
        (Criterion::Uppercase, policy.min_uppercase),
        (Criterion::Lowercase, policy.min_lowercase),
        (Criterion::Digit, policy.min_digits),
        (Criterion::Special, policy.min_special),
    ];
    out.extend(
        composition
            .iter()
            .filter(|(_, min)| *min > 0)
            .map(|(c, _)| *c),
    );
    out.push(Criterion::Confirmation);
    if policy.forbid_identity {
        out.push(Criterion::NotContainingIdentity);
    }
    if policy.blocklist {
        out.push(Criterion::NotCommon);
    }
    out
}

/// The result of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Check {
    /// Which criterion.
    pub criterion: Criterion,
    /// Whether the candidate meets it.
    pub met: bool,
    /// The number shown in the label: the minimum for `min_length` and the composition
    /// criteria, the maximum for `max_length`, 0 for the others.
    pub threshold: usize,
    /// For `special`: the characters that do not count ("Hors €"); empty otherwise.
    pub excluded_specials: Vec<char>,
}

impl Check {
    /// The bullet shown on a form, with the policy's thresholds, in French (the seed's wording)
    /// or English.
    ///
    /// ```
    /// use dealer_portal::password::PasswordPolicy;
    /// use dealer_portal::Locale;
    /// let policy = PasswordPolicy { min_length: 12, min_digits: 2, ..PasswordPolicy::seed() };
    /// let e = policy.evaluate("", None);
    /// let fr: Vec<_> = e.checks.iter().map(|c| c.label(Locale::Fr)).collect();
    /// assert_eq!(fr, ["12 caractères", "1 majuscule", "1 minuscule", "2 chiffres",
    ///                 "1 caractère spécial (Hors €)"]);
    /// let en: Vec<_> = e.checks.iter().map(|c| c.label(Locale::En)).collect();
    /// assert_eq!(en, ["12 characters", "1 uppercase letter", "1 lowercase letter", "2 digits",
    ///                 "1 special character (except €)"]);
    /// ```
    pub fn label(&self, locale: Locale) -> String {
        let n = self.threshold;
        // French uses the singular for 0 and 1; English for 1 only.
        let fr = |one: &str, many: &str| format!("{n} {}", if n >= 2 { many } else { one });
        let en = |one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match (self.criterion, locale) {
            (Criterion::MinLength, Locale::Fr) => fr("caractère", "caractères"),
            (Criterion::MinLength, Locale::En) => en("character", "characters"),
            (Criterion::Uppercase, Locale::Fr) => fr("majuscule", "majuscules"),
            (Criterion::Uppercase, Locale::En) => en("uppercase letter", "uppercase letters"),
            (Criterion::Lowercase, Locale::Fr) => fr("minuscule", "minuscules"),
            (Criterion::Lowercase, Locale::En) => en("lowercase letter", "lowercase letters"),
            (Criterion::Digit, Locale::Fr) => fr("chiffre", "chiffres"),
            (Criterion::Digit, Locale::En) => en("digit", "digits"),
            (Criterion::Special, locale) => {
                let mut label = match locale {
                    Locale::Fr => fr("caractère spécial", "caractères spéciaux"),
                    Locale::En => en("special character", "special characters"),
                };
                if !self.excluded_specials.is_empty() {
                    let list: Vec<String> =
                        self.excluded_specials.iter().map(char::to_string).collect();
                    let word = match locale {
                        Locale::Fr => "Hors",
                        Locale::En => "except",
                    };
                    label.push_str(&format!(" ({word} {})", list.join(", ")));
                }
                label
            }
            (Criterion::MaxLength, Locale::Fr) => {
                format!("{} au maximum", fr("caractère", "caractères"))
            }
            (Criterion::MaxLength, Locale::En) => {
                format!("At most {}", en("character", "characters"))
            }
            (criterion, locale) => criterion.label(locale).to_owned(),
        }
    }
}

/// The result of [`PasswordPolicy::evaluate`]: one [`Check`] per reported criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The checks, in the order documented on [`PasswordPolicy::evaluate`].
    pub checks: Vec<Check>,
}

impl Evaluation {
    /// Whether every reported criterion is met.
    pub fn acceptable(&self) -> bool {
        self.checks.iter().all(|c| c.met)
    }

    /// The unmet criteria, in order.
    pub fn failed(&self) -> Vec<Criterion> {
        self.checks
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.criterion)
            .collect()
    }

    /// The check of one criterion, if it is reported.
    pub fn get(&self, criterion: Criterion) -> Option<&Check> {
        self.checks.iter().find(|c| c.criterion == criterion)
    }
}

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

/// Per-class character counts of a normalised candidate.
#[derive(Debug, Default)]
struct Counts {
    length: usize,
    uppercase: usize,
    lowercase: usize,
    digits: usize,
    special: usize,
    control: bool,
}

impl Counts {
    fn of(s: &str, excluded: &[char]) -> Counts {
        let mut n = Counts::default();
        for c in s.chars() {
            n.length += 1;
            if c.is_control() {
                n.control = true;
            } else if c.is_ascii_digit() {
                n.digits += 1;
            } else if c.is_uppercase() {
                n.uppercase += 1;
            } else if c.is_lowercase() {
                n.lowercase += 1;
            } else if !c.is_alphabetic() && !excluded.contains(&c) {
                n.special += 1;
            }
        }
        n
    }
}

/// Splits at the separators and keeps the whole and the parts of at least 3 characters.
fn identity_tokens<'s>(s: &'s str, separators: &'s [char]) -> impl Iterator<Item = &'s str> + 's {
    std::iter::once(s)
        .chain(s.split(separators))
        .map(str::trim)
        .filter(|t| t.chars().count() >= 3)
}

fn contains_identity(lower_candidate: &str, identity: &Identity<'_>) -> bool {
    let fold = |s: &str| {
        let n = nfkc(s);
        n.to_lowercase()
    };
    let email_hit = identity.email.is_some_and(|email| {
        let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
        let local = fold(local);
        identity_tokens(&local, &['.', '_', '-', '+']).any(|t| lower_candidate.contains(t))
    });
    email_hit
        || identity.names.iter().any(|name| {
            let name = fold(name);
            identity_tokens(&name, &[' ', '-', '\'', '’']).any(|t| lower_candidate.contains(t))
        })
}

const BLOCKLIST_TEXT: &str = include_str!("password_blocklist.txt");

fn blocklist() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        BLOCKLIST_TEXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether a lower-cased NFKC candidate, or the candidate without its trailing digits and
/// special characters, is on the built-in blocklist.
fn is_common(lower: &str) -> bool {
    let set = blocklist();
    if set.contains(lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    !stem.is_empty() && stem.len() < lower.len() && set.contains(stem)
}

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

/// argon2id cost parameters. [`Default`] is OWASP's recommendation: 19 MiB, 2 passes, 1 lane.
///
/// ```
/// use dealer_portal::password::HashParams;
/// let p = HashParams::default();
/// assert_eq!((p.m_cost_kib, p.t_cost, p.p_cost), (19456, 2, 1));
/// assert!(p.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashParams {
    /// Memory, in KiB (`m`). Between `8 * p_cost` and [`HashParams::MAX_M_COST_KIB`].
    pub m_cost_kib: u32,
    /// Passes over memory (`t`). Between 1 and [`HashParams::MAX_T_COST`].
    pub t_cost: u32,
    /// Lanes (`p`). Between 1 and [`HashParams::MAX_P_COST`]; computed sequentially.
    pub p_cost: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams::OWASP
    }
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    pub const OWASP: HashParams = HashParams {
        m_cost_kib: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };
    /// The largest memory cost accepted, here or in a stored hash: 1 GiB.
    pub const MAX_M_COST_KIB: u32 = 1024 * 1024;
    /// The largest number of passes accepted.
    pub const MAX_T_COST: u32 = 100;
    /// The largest number of lanes accepted.
    pub const MAX_P_COST: u32 = 64;

    /// Tiny parameters (256 KiB, 1 pass) for tests: well under a millisecond. Never in
    /// production.
    pub const fn testing() -> HashParams {
        HashParams {
            m_cost_kib: 256,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks argon2's bounds and ours.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] saying which parameter is out of range.
    pub fn validate(&self) -> Result<()> {
        self.check_bounds()
            .map_err(|reason| Error::InvalidConfig {
                reason: reason.into(),
            })
            .map(|_| ())
    }

    /// Our bounds, then argon2's: the parameters to hash with, for an output of [`OUTPUT_LEN`]
    /// bytes, computed on the calling thread whatever `p_cost` is.
    fn check_bounds(&self) -> std::result::Result<Params, &'static str> {
        if self.p_cost == 0 || self.p_cost > Self::MAX_P_COST {
            return Err("argon2 p_cost must be between 1 and 64");
        }
        if self.t_cost == 0 || self.t_cost > Self::MAX_T_COST {
            return Err("argon2 t_cost must be between 1 and 100");
        }
        if self.m_cost_kib < 8 * self.p_cost || self.m_cost_kib > Self::MAX_M_COST_KIB {
            return Err("argon2 m_cost_kib must be between 8 * p_cost and 1048576 (1 GiB)");
        }
        Params::builder()
            .memory(Memory::kib(u64::from(self.m_cost_kib)))
            .passes(self.t_cost)
            .lanes(self.p_cost)
            .threads(1)
            .tag_len(TagLen::bytes(OUTPUT_LEN as u64))
            .build()
            .map_err(|_| "argon2 rejects these parameters")
    }
}

/// A password hash as a PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (salt
/// and hash in standard base64 without padding). Wiped when dropped; `Debug` prints
/// `PasswordHash(***)`; equality is constant-time.
///
/// ```
/// use dealer_portal::password::{HashParams, PasswordHash};
/// let phc = "$argon2id$v=19$m=19456,t=2,p=1$Z3fRtTuKanHfnxrtK4R0Vg$/icOWF4OBsvWNMrBC39vuBFtHGqf91vm6wTsUyfxAOQ";
/// let hash = PasswordHash::from_phc(phc.to_string()).unwrap();
/// assert_eq!(hash.params(), Some(HashParams::default()));
/// assert_eq!(format!("{hash:?}"), "PasswordHash(***)");
/// assert!(PasswordHash::from_phc("$2b$12$bcrypt".into()).is_err());
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Parses and validates a stored PHC string (argon2id, argon2i or argon2d; version 19 or
    /// 16; parameters `m`, `t`, `p` within [`HashParams`]' bounds; salt of 8 to 64 bytes; hash
    /// of 4 to 64 bytes).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on field `"password hash"`; the message never quotes the string.
    pub fn from_phc(phc: String) -> Result<Self> {
        let mut phc = phc;
        if let Err(reason) = Phc::parse(&phc) {
            phc.zeroize();
            return Err(Error::InvalidInput {
                field: "password hash",
                reason: reason.into(),
            });
        }
        Ok(PasswordHash(phc))
    }

    /// The PHC string, for storage only.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// The cost parameters recorded in the string.
    pub fn params(&self) -> Option<HashParams> {
        Phc::parse(&self.0).ok().map(|p| p.params)
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

impl PartialEq for PasswordHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}
impl Eq for PasswordHash {}

/// A parsed PHC string.
struct Phc {
    algorithm: Algorithm,
    version: Version,
    params: HashParams,
    salt: Vec<u8>,
    hash: Zeroizing<Vec<u8>>,
}

impl Phc {
    fn parse(s: &str) -> std::result::Result<Phc, &'static str> {
        let mut fields = s.split('$');
        if fields.next() != Some("") {
            return Err("expected a PHC string starting with $argon2id$");
        }
        let algorithm = match fields.next() {
            Some("argon2id") => Algorithm::Argon2id,
            Some("argon2i") => Algorithm::Argon2i,
            Some("argon2d") => Algorithm::Argon2d,
            _ => return Err("unsupported algorithm; expected argon2id, argon2i or argon2d"),
        };
        let rest: Vec<&str> = fields.collect();
        let (version, params, salt, hash) = match rest.as_slice() {
            [v, params, salt, hash] => {
                let version = match *v {
                    "v=19" => Version::V0x13,
                    "v=16" => Version::V0x10,
                    _ => return Err("unsupported argon2 version; expected v=19 or v=16"),
                };
                (version, *params, *salt, *hash)
            }
            [params, salt, hash] => (Version::V0x10, *params, *salt, *hash),
            _ => return Err("expected $algorithm$v=19$m=..,t=..,p=..$salt$hash"),
        };
        let (mut m, mut t, mut p) = (None, None, None);
        for pair in params.split(',') {
            let (key, value) = pair
                .split_once('=')
                .ok_or("malformed parameters; expected m=..,t=..,p=..")?;
            if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err("parameter values must be decimal integers");
            }
            let value: u32 = value.parse().map_err(|_| "parameter value out of range")?;
            let slot = match key {
                "m" => &mut m,
                "t" => &mut t,
                "p" => &mut p,
                _ => return Err("unsupported parameter; expected only m, t and p"),
            };
            if slot.replace(value).is_some() {
                return Err("repeated parameter");
            }
        }
        let (Some(m_cost_kib), Some(t_cost), Some(p_cost)) = (m, t, p) else {
            return Err("missing parameter; expected m, t and p");
        };
        let params = HashParams {
            m_cost_kib,
            t_cost,
            p_cost,
        };
        params.check_bounds()?;
        let salt = STANDARD_NO_PAD
            .decode(salt)
            .map_err(|_| "salt is not base64 without padding")?;
        if !(8..=64).contains(&salt.len()) {
            return Err("salt must be 8 to 64 bytes");
        }
        let hash = Zeroizing::new(
            STANDARD_NO_PAD
                .decode(hash)
                .map_err(|_| "hash is not base64 without padding")?,
        );
        if !(4..=64).contains(&hash.len()) {
            return Err("hash must be 4 to 64 bytes");
        }
        Ok(Phc {
            algorithm,
            version,
            params,
            salt,
            hash,
        })
    }
}

thread_local! {
    /// The argon2 memory of this thread, kept from one hash to the next (see
    /// [`PasswordHasher::compute`]). Allocates nothing until the first hash.
    static HASHER: RefCell<Hasher> = RefCell::new(
        Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT).hasher(),
    );
}

/// Above this many 1 KiB blocks (64 MiB), memory is allocated for one hash and released.
const RETAINED_BLOCKS_MAX: usize = 64 * 1024;

/// Hashes and verifies passwords with argon2id, optionally with a server-side pepper.
///
/// Passwords are NFKC-normalised ([`normalize`]) before hashing and verifying, so callers may
/// pass what the user typed.
///
/// ```
/// use dealer_portal::password::{HashParams, PasswordHasher};
/// use dealer_portal::SecretString;
/// let hasher = PasswordHasher::new(HashParams::testing());
/// let pw = SecretString::from("Correct horse battery 1!");
/// let hash = hasher.hash(&pw).unwrap();
/// assert!(hash.as_phc().starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
/// assert!(hasher.verify(&pw, &hash));
/// assert!(!hasher.verify(&SecretString::from("wrong"), &hash));
/// assert!(PasswordHasher::new(HashParams::default()).needs_rehash(&hash));
/// ```
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: HashParams,
    pepper: Option<SecretString>,
}

/// The length of the salts we generate, in bytes.
const SALT_LEN: usize = 16;
/// The length of the hashes we produce, in bytes.
const OUTPUT_LEN: usize = 32;

impl PasswordHasher {
    /// A hasher that produces hashes with `params` (validated when hashing).
    pub fn new(params: HashParams) -> Self {
        PasswordHasher {
            params,
            pepper: None,
        }
    }

    /// A hasher with a server-side pepper: argon2's `secret` input, kept out of the database.
    ///
    /// The pepper is not recorded in the PHC string: changing or removing it makes **every**
    /// stored hash fail to verify, so keep it as long as the hashes (users then have to reset
    /// their passwords).
    pub fn with_pepper(params: HashParams, pepper: SecretString) -> Self {
        PasswordHasher {
            params,
            pepper: Some(pepper),
        }
    }

    /// The parameters new hashes are made with.
    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes a password: argon2id v19 at the current parameters, a random 16-byte salt from the
    /// operating system, a 32-byte output.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the parameters are out of range; [`Error::Storage`] when
    /// the operating system's random generator fails.
    pub fn hash(&self, password: &SecretString) -> Result<PasswordHash> {
        let argon_params = self
            .params
            .check_bounds()
            .map_err(|reason| Error::InvalidConfig {
                reason: reason.into(),
            })?;
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt)
            .map_err(|_| Error::storage("the operating system's random generator failed"))?;
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            argon_params,
            password.as_bytes(),
            &salt,
            &mut out[..],
        )
        .map_err(|_| Error::InvalidConfig {
            reason: "argon2 rejected the parameters or the pepper".into(),
        })?;
        let HashParams {
            m_cost_kib,
            t_cost,
            p_cost,
        } = self.params;
        Ok(PasswordHash(format!(
            "$argon2id$v=19$m={m_cost_kib},t={t_cost},p={p_cost}${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(&out[..])
        )))
    }

    /// Whether `password` is the one `hash` was made from. Uses the algorithm, version and
    /// parameters recorded in the hash (not the current ones) and compares in constant time.
    /// A hash that does not parse never verifies.
    pub fn verify(&self, password: &SecretString, hash: &PasswordHash) -> bool {
        bool::from(self.verify_choice(password, hash))
    }

    /// Whether `hash` should be replaced at the next successful login: made with other
    /// parameters than the current ones, with another algorithm or version than argon2id v19,
    /// or with a shorter salt or another output length than ours.
    pub fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        match Phc::parse(hash.as_phc()) {
            Ok(phc) => {
                phc.algorithm != Algorithm::Argon2id
                    || phc.version != Version::V0x13
                    || phc.params != self.params
                    || phc.salt.len() < SALT_LEN
                    || phc.hash.len() != OUTPUT_LEN
            }
            Err(_) => true,
        }
    }

    /// Spends the time of a real [`PasswordHasher::verify`] at the current parameters, without
    /// a hash to check against: for logins with an unknown email, so that response times do not
    /// tell which emails have accounts.
    pub fn dummy_verify(&self, password: &SecretString) {
        let Ok(argon_params) = self.params.check_bounds() else {
            return;
        };
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        let salt = [0x5a_u8; SALT_LEN];
        let _ = self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            argon_params,
            password.as_bytes(),
            &salt,
            &mut out[..],
        );
        let equal = out[..].ct_eq(&[0u8; OUTPUT_LEN][..]);
        std::hint::black_box(bool::from(equal));
    }

    /// Whether `password` matches any of `hashes` (the current password and the history).
    ///
    /// Every hash is computed, whatever matches first, so the time depends on the number of
    /// hashes only, not on which one matched.
    ///
    /// ```
    /// use dealer_portal::password::{HashParams, PasswordHasher};
    /// use dealer_portal::SecretString;
    /// let hasher = PasswordHasher::new(HashParams::testing());
    /// let old: Vec<_> = ["Old password 1!", "Old password 2!"]
    ///     .iter()
    ///     .map(|p| hasher.hash(&SecretString::from(*p)).unwrap())
    ///     .collect();
    /// assert!(hasher.matches_any(&SecretString::from("Old password 1!"), &old));
    /// assert!(!hasher.matches_any(&SecretString::from("A new password 3!"), &old));
    /// ```
    pub fn matches_any(&self, password: &SecretString, hashes: &[PasswordHash]) -> bool {
        let mut any = Choice::from(0);
        for hash in hashes {
            any |= self.verify_choice(password, hash);
        }
        bool::from(any)
    }

    fn verify_choice(&self, password: &SecretString, hash: &PasswordHash) -> Choice {
        let Ok(phc) = Phc::parse(hash.as_phc()) else {
            return Choice::from(0);
        };
        let Ok(argon_params) = phc.params.check_bounds() else {
            return Choice::from(0);
        };
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new(vec![0u8; phc.hash.len()]);
        if self
            .compute(
                phc.algorithm,
                phc.version,
                argon_params,
                password.as_bytes(),
                &phc.salt,
                &mut out,
            )
            .is_err()
        {
            return Choice::from(0);
        }
        out.as_slice().ct_eq(phc.hash.as_slice())
    }

    /// Runs argon2 (argon2-rust: the C reference ported to Rust, with run-time AVX-512/AVX2
    /// dispatch) into `out`, with the pepper as argon2's secret input.
    ///
    /// Up to [`RETAINED_BLOCKS_MAX`], the memory is this thread's [`HASHER`] arena, kept across
    /// hashes: a fresh 19 MiB mapping per hash would cost its page faults every time. The arena
    /// is wiped when each hash returns (argon2-rust's `zeroize-memory`), as the C reference wipes
    /// its memory, so no password-derived state outlives the call; it grows to the largest
    /// parameters this thread has used and is released when the thread ends.
    fn compute(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> std::result::Result<(), argon2_rust::Error> {
        let params = if params.tag_len_bytes() == out.len() {
            params
        } else {
            params
                .to_builder()
                .tag_len(TagLen::bytes(out.len() as u64))
                .build()?
        };
        let argon2 = Argon2::new(algorithm, version, params);
        let secret = self
            .pepper
            .as_ref()
            .map_or(&[][..], |pepper| pepper.expose().as_bytes());
        if params.memory_blocks() as usize <= RETAINED_BLOCKS_MAX {
            let pooled = HASHER.try_with(|cell| {
                cell.try_borrow_mut().ok().map(|mut hasher| {
                    hasher.set_argon2(argon2);
                    hasher.hash_into_with_ad(password, salt, secret, &[], out)
                })
            });
            if let Ok(Some(result)) = pooled {
                return result;
            }
            // The thread is ending (its hasher is gone): one-shot memory below.
        }
        argon2.hash_into_with_ad(password, salt, secret, &[], out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "Correct horse battery 1!";

    fn seed() -> PasswordPolicy {
        PasswordPolicy::seed()
    }

    fn failed(policy: &PasswordPolicy, pw: &str) -> Vec<Criterion> {
        policy.evaluate(pw, None).failed()
    }

    // --- policy ------------------------------------------------------------------------------

    #[test]
    fn criterion_codes_are_stable_and_round_trip() {
        let codes: Vec<_> = Criterion::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "min_length",
                "uppercase",
                "lowercase",
                "digit",
                "special",
                "confirmation",
                "max_length",
                "no_control",
                "not_containing_identity",
                "not_common"
            ]
        );
        assert_eq!(Criterion::ACCEPTED.replace(' ', ""), codes.join(","));
        for c in Criterion::ALL {
            assert_eq!(Criterion::from_code(c.code()).unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<Criterion>(&json).unwrap(), *c);
        }
    }

    #[test]
    fn seed_accepts_a_good_password_with_five_bullets() {
        let e = seed().evaluate(GOOD, None);
        assert!(e.acceptable());
        let shown: Vec<_> = e.checks.iter().map(|c| c.criterion).collect();
        assert_eq!(
            shown,
            [
                Criterion::MinLength,
                Criterion::Uppercase,
                Criterion::Lowercase,
                Criterion::Digit,
                Criterion::Special
            ]
        );
    }

    #[test]
    fn each_seed_criterion_fails_alone() {
        let p = seed();
        assert_eq!(failed(&p, "Short horse 1!"), [Criterion::MinLength]);
        assert_eq!(
            failed(&p, "correct horse battery 1!"),
            [Criterion::Uppercase]
        );
        assert_eq!(
            failed(&p, "CORRECT HORSE BATTERY 1!"),
            [Criterion::Lowercase]
        );
        assert_eq!(failed(&p, "Correct horse battery !"), [Criterion::Digit]);
        assert_eq!(failed(&p, "CorrectHorseBattery1"), [Criterion::Special]);
        assert!(failed(&p, "Correct horse 1!").is_empty()); // 16
        assert!(failed(&p, "Correct hors 1!").is_empty()); // exactly 15
        assert_eq!(failed(&p, "Correct hor 1!"), [Criterion::MinLength]); // 14
    }

    #[test]
    fn euro_does_not_count_as_special_but_is_allowed() {
        let p = seed();
        assert_eq!(failed(&p, "CorrectHorseBattery1€"), [Criterion::Special]);
        assert!(failed(&p, "CorrectHorseBattery1€$").is_empty());
        let no_exclusion = PasswordPolicy {
            excluded_specials: vec![],
            ..seed()
        };
        assert!(failed(&no_exclusion, "CorrectHorseBattery1€").is_empty());
    }

    #[test]
    fn accented_capital_counts_as_uppercase_and_space_as_special() {
        let p = seed();
        assert!(failed(&p, "école numéro 1 Été").is_empty());
        assert_eq!(failed(&p, "école numéro 1 été"), [Criterion::Uppercase]);
        assert_eq!(failed(&p, "ÉCOLE NUMÉRO 1 ÉTÉ"), [Criterion::Lowercase]);
        // the only special is a space
        assert!(failed(&p, "Correct horse1battery").is_empty());
        assert_eq!(failed(&p, "CorrectHorse1Battery"), [Criterion::Special]);
    }

    #[test]
    fn character_classes() {
        let c = Counts::of("aÉß語٣3 🎉€\u{200d}", &['€']);
        assert_eq!(c.length, 10);
        assert_eq!(c.uppercase, 1); // É
        assert_eq!(c.lowercase, 2); // a ß
        assert_eq!(c.digits, 1); // 3 (٣ is not 0-9)
        assert_eq!(c.special, 4); // ٣, space, 🎉, ZWJ (€ excluded, 語 is a letter)
        assert!(!c.control);
        assert!(Counts::of("a\tb", &[]).control);
        assert!(Counts::of("a\u{85}b", &[]).control); // C1 NEL
    }

    #[test]
    fn nfkc_folds_fullwidth_and_ligatures() {
        assert_eq!(normalize("Ａ").expose(), "A");
        assert_eq!(normalize("ﬁ").expose(), "fi");
        assert_eq!(normalize("１２").expose(), "12");
        assert_eq!(normalize("a\u{a0}b").expose(), "a b"); // no-break space
        // the fullwidth digit counts as a 0-9 digit after NFKC
        let p = seed();
        assert!(failed(&p, "Correct horse battery １!").is_empty());
        // "ﬁ" is one code point typed, two after NFKC: 14 typed, 15 counted
        assert!(failed(&p, "Conﬁrm horse1!").is_empty());
        assert_eq!("Conﬁrm horse1!".chars().count(), 14);
        // the same password typed two ways is the same
        assert!(
            p.evaluate("Ｃorrect horse battery 1!", Some(GOOD))
                .acceptable()
        );
    }

    #[test]
    fn max_length_and_control_are_reported_only_when_violated() {
        let p = seed();
        let long = format!("Aa1!{}", "x".repeat(124));
        assert_eq!(long.chars().count(), 128);
        assert!(p.evaluate(&long, None).acceptable());
        let too_long = format!("{long}x");
        let e = p.evaluate(&too_long, None);
        assert_eq!(e.failed(), [Criterion::MaxLength]);
        assert_eq!(e.checks.len(), 6);
        let e = p.evaluate("Correct horse\nbattery 1!", None);
        assert_eq!(e.failed(), [Criterion::NoControl]);
        assert_eq!(
            e.get(Criterion::NoControl).unwrap().label(Locale::Fr),
            "Pas de caractère de contrôle"
        );
        let e = p.evaluate("Correct horse battery 1!\u{7f}", None);
        assert_eq!(e.failed(), [Criterion::NoControl]);
        // the maximum counts code points, not bytes
        let accented = format!("Aa1!{}", "é".repeat(124));
        assert!(p.evaluate(&accented, None).acceptable());
    }

    #[test]
    fn confirmation_rules() {
        let p = seed();
        let e = p.evaluate(GOOD, Some(GOOD));
        assert!(e.acceptable());
        assert_eq!(e.checks.last().unwrap().criterion, Criterion::Confirmation);
        assert_eq!(
            p.evaluate(GOOD, Some("Correct horse battery 2!")).failed(),
            [Criterion::Confirmation]
        );
        assert_eq!(
            p.evaluate(GOOD, Some("")).failed(),
            [Criterion::Confirmation]
        );
        // an empty confirmation is not "identical", even to an empty password
        assert!(
            p.evaluate("", Some(""))
                .failed()
                .contains(&Criterion::Confirmation)
        );
        // compared after NFKC
        assert!(
            p.evaluate(GOOD, Some("Correct horse battery １!"))
                .acceptable()
        );
        // case matters
        assert!(
            !p.evaluate(GOOD, Some("correct horse battery 1!"))
                .acceptable()
        );
        // confirmation comes before the limits reported on violation
        let e = p.evaluate("Correct horse\tbattery 1!", Some("x"));
        assert_eq!(e.failed(), [Criterion::Confirmation, Criterion::NoControl]);
    }

    #[test]
    fn check_chooses_errors_per_api() {
        let p = seed();
        let none = Identity::default();
        assert_eq!(p.check(GOOD, GOOD, &none).unwrap().expose(), GOOD);
        assert_eq!(
            p.check("Ｃorrect horse battery 1!", GOOD, &none)
                .unwrap()
                .expose(),
            GOOD
        );
        assert_eq!(
            p.check(GOOD, "nope", &none),
            Err(Error::ConfirmationMismatch)
        );
        assert_eq!(
            p.check("weak", "different", &none),
            Err(Error::PasswordPolicy {
                failed: vec![
                    Criterion::MinLength.code(),
                    Criterion::Uppercase.code(),
                    Criterion::Digit.code(),
                    Criterion::Special.code()
                ]
            })
        );
        assert_eq!(
            p.check("weak", "weak", &none).unwrap_err().code(),
            "PASSWORD_POLICY"
        );
        let with_identity = PasswordPolicy {
            forbid_identity: true,
            ..seed()
        };
        let names = ["Horse"];
        let who = Identity {
            email: None,
            names: &names,
        };
        assert_eq!(
            with_identity.check(GOOD, "x", &who),
            Err(Error::PasswordPolicy {
                failed: vec![Criterion::NotContainingIdentity.code()]
            })
        );
    }

    #[test]
    fn errors_never_contain_the_password() {
        let p = seed();
        let none = Identity::default();
        for (pw, conf) in [
            ("weaksecret", "weaksecret"),
            (GOOD, "Other horse battery 1!"),
        ] {
            let err = p.check(pw, conf, &none).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(pw) && !text.contains(conf), "{text}");
        }
        let err = PasswordHash::from_phc("$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into())
            .unwrap_err();
        assert!(!err.to_string().contains("c2FsdHNhbHQ"));
        assert_eq!(err.code(), "INVALID_INPUT");
    }

    #[test]
    fn labels_in_french_and_english_with_thresholds() {
        let p = seed();
        let e = p.evaluate("", Some(""));
        let fr: Vec<_> = e.checks.iter().map(|c| c.label(Locale::Fr)).collect();
        assert_eq!(
            fr,
            [
                "15 caractères",
                "1 majuscule",
                "1 minuscule",
                "1 chiffre",
                "1 caractère spécial (Hors €)",
                "Confirmation identique au mot de passe"
            ]
        );
        let en: Vec<_> = e.checks.iter().map(|c| c.label(Locale::En)).collect();
        assert_eq!(
            en,
            [
                "15 characters",
                "1 uppercase letter",
                "1 lowercase letter",
                "1 digit",
                "1 special character (except €)",
                "Confirmation matches the password"
            ]
        );
        let custom = PasswordPolicy {
            min_length: 12,
            min_uppercase: 2,
            min_lowercase: 3,
            min_special: 2,
            excluded_specials: vec!['€', '£'],
            max_length: 20,
            ..seed()
        };
        let e = custom.evaluate(&"a".repeat(21), None);
        let fr: Vec<_> = e.checks.iter().map(|c| c.label(Locale::Fr)).collect();
        assert_eq!(
            fr,
            [
                "12 caractères",
                "2 majuscules",
                "3 minuscules",
                "1 chiffre",
                "2 caractères spéciaux (Hors €, £)",
                "20 caractères au maximum"
            ]
        );
        assert_eq!(e.checks[5].label(Locale::En), "At most 20 characters");
        assert_eq!(
            e.checks[4].label(Locale::En),
            "2 special characters (except €, £)"
        );
        let nist = PasswordPolicy::nist();
        let names = ["Dupont"];
        let who = Identity {
            email: None,
            names: &names,
        };
        let e = nist.evaluate_with_identity("", None, &who);
        let fr: Vec<_> = e.checks.iter().map(|c| c.label(Locale::Fr)).collect();
        assert_eq!(
            fr,
            [
                "15 caractères",
                "Ne contient ni votre email ni votre nom",
                "Pas un mot de passe courant"
            ]
        );
        let en: Vec<_> = e.checks.iter().map(|c| c.label(Locale::En)).collect();
        assert_eq!(
            en,
            [
                "15 characters",
                "Contains neither your email nor your name",
                "Not a common password"
            ]
        );
    }

    #[test]
    fn nist_profile() {
        let nist = PasswordPolicy::nist();
        assert!(nist.validate_config().is_ok());
        assert!(nist.departures_from_standards().is_empty());
        let e = nist.evaluate(
            "correct horse battery staple",
            Some("correct horse battery staple"),
        );
        assert!(e.acceptable());
        assert_eq!(
            e.checks.iter().map(|c| c.criterion).collect::<Vec<_>>(),
            [
                Criterion::MinLength,
                Criterion::Confirmation,
                Criterion::NotCommon
            ]
        );
        assert_eq!(failed(&nist, "short"), [Criterion::MinLength]);
        assert_eq!((nist.min_length, nist.history), (15, 0));
    }

    #[test]
    fn departures_of_the_seed_and_of_a_weak_policy() {
        let seed = seed().departures_from_standards();
        assert_eq!(seed.len(), 3);
        assert_eq!(
            seed[0].setting,
            "min_uppercase=1, min_lowercase=1, min_digits=1, min_special=1"
        );
        assert!(seed[0].reference.contains("NIST SP 800-63B rev 4"));
        assert!(seed[0].reference.contains("ASVS 5.0 V6.2.5"));
        assert_eq!(seed[1].setting, "history=5");
        assert!(seed[2].reference.contains("blocklist"));
        let weak = PasswordPolicy {
            min_length: 8,
            max_length: 32,
            ..PasswordPolicy::nist()
        };
        let rules: Vec<_> = weak
            .departures_from_standards()
            .into_iter()
            .map(|d| d.rule)
            .collect();
        assert_eq!(rules, ["short_min_length", "short_max_length"]);
    }

    #[test]
    fn validate_config_rejects_inconsistent_policies() {
        let bad = [
            PasswordPolicy {
                min_length: 0,
                ..seed()
            },
            PasswordPolicy {
                max_length: 2000,
                ..seed()
            },
            PasswordPolicy {
                min_length: 20,
                max_length: 19,
                ..seed()
            },
            PasswordPolicy {
                max_length: 15,
                min_special: 14,
                ..seed()
            },
            PasswordPolicy {
                min_digits: usize::MAX,
                ..seed()
            },
            PasswordPolicy {
                history: 51,
                ..seed()
            },
            PasswordPolicy {
                excluded_specials: vec!['＄'], // fullwidth: NFKC turns it into '$'
                ..seed()
            },
            PasswordPolicy {
                excluded_specials: vec!['\n'],
                ..seed()
            },
        ];
        for policy in bad {
            let err = policy.validate_config().unwrap_err();
            assert_eq!(err.code(), "INVALID_CONFIG", "{policy:?}");
        }
        assert!(seed().validate_config().is_ok());
    }

    #[test]
    fn blocklist_matches_case_insensitively_and_without_trailing_suffix() {
        let p = PasswordPolicy {
            blocklist: true,
            ..seed()
        };
        assert!(blocklist().len() > 500);
        assert!(blocklist().contains("azerty"));
        assert_eq!(failed(&p, "Azerty123456789!"), [Criterion::NotCommon]);
        assert_eq!(failed(&p, "Password12345678!"), [Criterion::NotCommon]);
        assert_eq!(failed(&p, "Motdepasse2024!!"), [Criterion::NotCommon]);
        assert_eq!(failed(&p, "Stellantis 2025 !"), [Criterion::NotCommon]);
        // fullwidth letters fold to ASCII before the lookup
        assert_eq!(
            failed(&p, "Ｐａｓｓｗｏｒｄ12345678!"),
            [Criterion::NotCommon]
        );
        // a listed word inside a longer passphrase is fine
        assert!(failed(&p, "Password of my Uncle 1!").is_empty());
        assert!(failed(&p, GOOD).is_empty());
        // a fully listed long entry
        let nist = PasswordPolicy::nist();
        assert_eq!(failed(&nist, "qazwsxedcrfv1234"), [Criterion::NotCommon]);
    }

    #[test]
    fn identity_rule() {
        let p = PasswordPolicy {
            forbid_identity: true,
            ..seed()
        };
        let names = ["Dupont", "Jean-Pierre", "Li"];
        let who = Identity {
            email: Some("jp.martin+portal@garage.fr"),
            names: &names,
        };
        let f = |pw: &str| p.evaluate_with_identity(pw, None, &who).failed();
        assert_eq!(
            f("Monsieur DUPONT 2024!"),
            [Criterion::NotContainingIdentity]
        );
        assert_eq!(
            f("Pierre et Paul 2024!"),
            [Criterion::NotContainingIdentity]
        );
        assert_eq!(
            f("Famille Martin 2024!"),
            [Criterion::NotContainingIdentity]
        );
        assert_eq!(
            f("jp.martin+portal 2024!A"),
            [Criterion::NotContainingIdentity]
        );
        assert_eq!(
            f("Ｄｕｐｏｎｔ forever 2024!"),
            [Criterion::NotContainingIdentity]
        );
        // "Li" and "jp" are too short to count
        assert!(f("Limpid jpeg horse 2024!").is_empty());
        // without identity, evaluate does not report the criterion
        assert!(p.evaluate("Monsieur DUPONT 2024!", None).acceptable());
        // switched off: not reported
        let e = seed().evaluate_with_identity("Monsieur DUPONT 2024!", None, &who);
        assert!(e.get(Criterion::NotContainingIdentity).is_none());
        // names with accents: case-insensitive after NFKC
        let names = ["Éloïse"];
        let who = Identity {
            email: None,
            names: &names,
        };
        assert_eq!(
            p.evaluate_with_identity("Ma fille ÉLOÏSE 2024!", None, &who)
                .failed(),
            [Criterion::NotContainingIdentity]
        );
    }

    #[test]
    fn criteria_lists_the_bullets() {
        assert_eq!(
            criteria(&seed()),
            [
                Criterion::MinLength,
                Criterion::Uppercase,
                Criterion::Lowercase,
                Criterion::Digit,
                Criterion::Special,
                Criterion::Confirmation
            ]
        );
        let p = PasswordPolicy {
            min_lowercase: 0,
            blocklist: true,
            ..seed()
        };
        let e = p.evaluate(GOOD, Some(GOOD));
        let reported: Vec<_> = e.checks.iter().map(|c| c.criterion).collect();
        assert_eq!(reported, criteria(&p));
    }

    #[test]
    fn policy_serde_defaults_and_unknown_fields() {
        let p: PasswordPolicy = serde_json::from_str(r#"{"min_length": 12}"#).unwrap();
        assert_eq!(
            p,
            PasswordPolicy {
                min_length: 12,
                ..seed()
            }
        );
        assert!(serde_json::from_str::<PasswordPolicy>(r#"{"min_lenght": 12}"#).is_err());
        let json = serde_json::to_value(seed()).unwrap();
        assert_eq!(json["excluded_specials"], serde_json::json!(["€"]));
    }

    // --- hashing -----------------------------------------------------------------------------

    /// Made by argon2-cffi 25.1.0:
    /// `PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("correct horse battery staple")`.
    const CFFI_OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$Z3fRtTuKanHfnxrtK4R0Vg$/icOWF4OBsvWNMrBC39vuBFtHGqf91vm6wTsUyfxAOQ";
    /// argon2-cffi, `PasswordHasher(time_cost=1, memory_cost=64, parallelism=2)`, two lanes.
    const CFFI_TWO_LANES: &str = "$argon2id$v=19$m=64,t=1,p=2$xH6wVq+jGl9mSiio6S8J5Q$KAjAEWtilWrGt9Tnpo40ysbjnNc9pZCusthG1Vs9tIs";

    /// Made by this module at default parameters; `core/tests/data/argon2_interop.py` checks
    /// that argon2-cffi verifies them.
    const OURS_FOR_CFFI: [(&str, &str); 2] = [
        (
            "$argon2id$v=19$m=19456,t=2,p=1$Nc5lKyLWB9hD5WNjtWpvzA$YfndOUpWFdMCa/uPeP+vdEpS60trVWJpOTYGRtGVk9k",
            "correct horse battery staple",
        ),
        (
            "$argon2id$v=19$m=19456,t=2,p=1$QomdEpnKFcS3uXcmqpblnA$MG0OfX/YnHpL47rKkeXv7r//cC4Zv2K5NhgjW7z7wTc",
            "Ｃorrect horse battery 1!",
        ),
    ];

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn verifies_hashes_made_by_argon2_cffi() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let owasp = PasswordHash::from_phc(CFFI_OWASP.into()).unwrap();
        assert!(hasher.verify(&secret("correct horse battery staple"), &owasp));
        assert!(!hasher.verify(&secret("correct horse battery stapler"), &owasp));
        assert!(hasher.needs_rehash(&owasp));
        assert!(!PasswordHasher::new(HashParams::default()).needs_rehash(&owasp));
        let two = PasswordHash::from_phc(CFFI_TWO_LANES.into()).unwrap();
        assert!(hasher.verify(&secret("Motdepasse2024! É"), &two));
        assert!(!hasher.verify(&secret("Motdepasse2024! E"), &two));
        assert_eq!(
            two.params(),
            Some(HashParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 2
            })
        );
    }

    #[test]
    fn the_vectors_given_to_argon2_cffi_verify_here_too() {
        let hasher = PasswordHasher::new(HashParams::default());
        for (phc, password) in OURS_FOR_CFFI {
            let hash = PasswordHash::from_phc(phc.into()).unwrap();
            assert!(hasher.verify(&secret(password), &hash));
            assert!(!hasher.needs_rehash(&hash));
        }
    }

    #[test]
    fn our_hash_is_a_standard_phc_string() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        let parts: Vec<_> = hash.as_phc().split('$').collect();
        assert_eq!(parts[..4], ["", "argon2id", "v=19", "m=256,t=1,p=1"]);
        assert_eq!(STANDARD_NO_PAD.decode(parts[4]).unwrap().len(), 16);
        assert_eq!(STANDARD_NO_PAD.decode(parts[5]).unwrap().len(), 32);
        assert!(!parts[4].contains('=') && !parts[5].contains('='));
        assert_eq!(hash.params(), Some(HashParams::testing()));
        // it parses back and compares equal to itself
        assert_eq!(PasswordHash::from_phc(hash.as_phc().into()).unwrap(), hash);
    }

    #[test]
    fn same_output_as_rustcrypto_argon2_and_argon2_cffi() {
        // RustCrypto's argon2, an independent implementation, as the reference; our reuse of
        // the thread's arena must not change results
        let params = argon2::Params::new(64, 1, 1, Some(32)).unwrap();
        let reference =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut expected = [0u8; 32];
        reference
            .hash_password_into(
                b"correct horse battery staple",
                b"0123456789abcdef",
                &mut expected,
            )
            .unwrap();
        // and argon2-cffi's low-level hash_secret_raw gave the same bytes
        assert_eq!(
            expected.to_vec(),
            [
                0x6a, 0xae, 0x36, 0x1c, 0x12, 0xfe, 0x20, 0xf0, 0x22, 0xb4, 0x7b, 0x29, 0x0a, 0x1c,
                0x3f, 0xf2, 0x6c, 0x79, 0x25, 0x15, 0xf6, 0x8c, 0x50, 0xe4, 0x4e, 0x69, 0x6c, 0x06,
                0xc9, 0x30, 0x1f, 0xfd
            ]
        );
        let phc = format!(
            "$argon2id$v=19$m=64,t=1,p=1${}${}",
            STANDARD_NO_PAD.encode(b"0123456789abcdef"),
            STANDARD_NO_PAD.encode(expected)
        );
        let hash = PasswordHash::from_phc(phc).unwrap();
        let hasher = PasswordHasher::new(HashParams::testing());
        // twice: the second run reuses the thread's arena, wiped after the first
        for _ in 0..2 {
            assert!(hasher.verify(&secret("correct horse battery staple"), &hash));
        }
    }

    #[test]
    fn hash_verify_round_trip_and_random_salts() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let a = hasher.hash(&secret(GOOD)).unwrap();
        let b = hasher.hash(&secret(GOOD)).unwrap();
        assert_ne!(a, b);
        assert!(hasher.verify(&secret(GOOD), &a));
        assert!(hasher.verify(&secret(GOOD), &b));
        assert!(!hasher.verify(&secret("Correct horse battery 2!"), &a));
        assert!(!hasher.verify(&secret(""), &a));
        // the password is normalised: fullwidth input verifies
        assert!(hasher.verify(&secret("Ｃorrect horse battery 1!"), &a));
    }

    #[test]
    fn hash_at_default_params() {
        let hasher = PasswordHasher::new(HashParams::default());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify(&secret(GOOD), &hash));
        assert!(!hasher.needs_rehash(&hash));
    }

    #[test]
    fn pepper_changes_the_result() {
        let params = HashParams::testing();
        let plain = PasswordHasher::new(params);
        let peppered = PasswordHasher::with_pepper(params, secret("server-side pepper"));
        let other = PasswordHasher::with_pepper(params, secret("another pepper"));
        let hash = peppered.hash(&secret(GOOD)).unwrap();
        assert!(peppered.verify(&secret(GOOD), &hash));
        assert!(!plain.verify(&secret(GOOD), &hash));
        assert!(!other.verify(&secret(GOOD), &hash));
        let unpeppered = plain.hash(&secret(GOOD)).unwrap();
        assert!(!peppered.verify(&secret(GOOD), &unpeppered));
        assert!(!format!("{peppered:?}").contains("pepper\""));
        assert!(!format!("{peppered:?}").contains("server-side"));
    }

    #[test]
    fn needs_rehash_when_params_differ() {
        let old = PasswordHasher::new(HashParams::testing());
        let hash = old.hash(&secret(GOOD)).unwrap();
        assert!(!old.needs_rehash(&hash));
        let stronger = PasswordHasher::new(HashParams {
            t_cost: 2,
            ..HashParams::testing()
        });
        assert!(stronger.needs_rehash(&hash));
        // verification still uses the hash's own parameters
        assert!(stronger.verify(&secret(GOOD), &hash));
        let argon2i = PasswordHash::from_phc(
            "$argon2i$v=19$m=256,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                .into(),
        )
        .unwrap();
        assert!(old.needs_rehash(&argon2i));
    }

    #[test]
    fn matches_any_checks_the_whole_history() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let history: Vec<_> = (0..4)
            .map(|i| hasher.hash(&secret(&format!("Old password {i}!"))).unwrap())
            .collect();
        for i in 0..4 {
            assert!(hasher.matches_any(&secret(&format!("Old password {i}!")), &history));
        }
        assert!(!hasher.matches_any(&secret("Old password 4!"), &history));
        assert!(!hasher.matches_any(&secret(GOOD), &[]));
        hasher.dummy_verify(&secret(GOOD));
    }

    #[test]
    fn from_phc_rejects_malformed_strings() {
        let salt = STANDARD_NO_PAD.encode(b"0123456789abcdef");
        let out = STANDARD_NO_PAD.encode([7u8; 32]);
        let ok = format!("$argon2id$v=19$m=256,t=1,p=1${salt}${out}");
        assert!(PasswordHash::from_phc(ok).is_ok());
        let legacy = format!("$argon2i$m=256,t=1,p=1${salt}${out}"); // no version: v=16
        assert!(PasswordHash::from_phc(legacy).is_ok());
        let bad = [
            String::new(),
            "plaintext".into(),
            format!("$bcrypt$v=19$m=256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=20$m=256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1,keyid=AA${salt}${out}"),
            format!("$argon2id$v=19$m=+256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=4,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=99999999,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=0,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}=${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1$c2FsdA${out}"), // 4-byte salt
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}$AAA"),
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}${out}$extra"),
        ];
        for phc in bad {
            let err = PasswordHash::from_phc(phc.clone()).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "password hash",
                        ..
                    }
                ),
                "{phc}"
            );
        }
    }

    #[test]
    fn hash_debug_is_redacted_and_invalid_params_are_config_errors() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(***)");
        let bad = PasswordHasher::new(HashParams {
            m_cost_kib: 4,
            t_cost: 1,
            p_cost: 1,
        });
        assert_eq!(
            bad.hash(&secret(GOOD)).unwrap_err().code(),
            "INVALID_CONFIG"
        );
        assert!(
            HashParams {
                p_cost: 0,
                ..HashParams::default()
            }
            .validate()
            .is_err()
        );
        assert!(HashParams::testing().validate().is_ok());
    }

    // --- properties --------------------------------------------------------------------------

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

    fn password() -> impl Strategy<Value = String> {
        proptest::collection::vec(interesting_char(), 0..40).prop_map(|v| v.into_iter().collect())
    }

    fn policy() -> impl Strategy<Value = PasswordPolicy> {
        (
            (0usize..20, 0usize..40),
            (0usize..3, 0usize..3, 0usize..3, 0usize..3),
            proptest::collection::vec(proptest::sample::select(vec!['€', '$', ' ', 'é']), 0..3),
            (0usize..10, any::<bool>(), any::<bool>()),
        )
            .prop_map(
                |((min, max), (u, l, d, s), excluded, (h, id, bl))| PasswordPolicy {
                    min_length: min,
                    max_length: max,
                    min_uppercase: u,
                    min_lowercase: l,
                    min_digits: d,
                    min_special: s,
                    excluded_specials: excluded,
                    history: h,
                    forbid_identity: id,
                    blocklist: bl,
                },
            )
    }

    /// The criteria a password fails, computed naively from the definitions.
    fn reference_failures(
        p: &PasswordPolicy,
        pw: &str,
        confirmation: Option<&str>,
    ) -> Vec<Criterion> {
        let n = normalize(pw);
        let chars: Vec<char> = n.expose().chars().collect();
        let count = |f: &dyn Fn(char) -> bool| chars.iter().filter(|c| f(**c)).count();
        let upper = count(&|c| !c.is_control() && c.is_uppercase() && !c.is_ascii_digit());
        let lower = count(&|c| !c.is_control() && c.is_lowercase() && !c.is_ascii_digit());
        let digits = count(&|c| c.is_ascii_digit());
        let special = count(&|c| {
            !c.is_control()
                && !c.is_ascii_digit()
                && !c.is_alphabetic()
                && !c.is_uppercase()
                && !c.is_lowercase()
                && !p.excluded_specials.contains(&c)
        });
        let mut out = Vec::new();
        if chars.len() < p.min_length {
            out.push(Criterion::MinLength);
        }
        for (c, have, min) in [
            (Criterion::Uppercase, upper, p.min_uppercase),
            (Criterion::Lowercase, lower, p.min_lowercase),
            (Criterion::Digit, digits, p.min_digits),
            (Criterion::Special, special, p.min_special),
        ] {
            if have < min {
                out.push(c);
            }
        }
        if let Some(conf) = confirmation {
            let conf = normalize(conf);
            if conf.is_empty() || conf.expose() != n.expose() {
                out.push(Criterion::Confirmation);
            }
        }
        if chars.len() > p.max_length {
            out.push(Criterion::MaxLength);
        }
        if chars.iter().any(|c| c.is_control()) {
            out.push(Criterion::NoControl);
        }
        if p.blocklist {
            let lower = n.expose().to_lowercase();
            let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
            if blocklist().contains(lower.as_str())
                || (!stem.is_empty() && blocklist().contains(stem))
            {
                out.push(Criterion::NotCommon);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn acceptable_iff_every_criterion_holds(
            p in policy(),
            pw in password(),
            conf in proptest::option::of(password()),
            same in any::<bool>(),
        ) {
            let conf = if same { Some(pw.clone()) } else { conf };
            let e = p.evaluate(&pw, conf.as_deref());
            let expected = reference_failures(&p, &pw, conf.as_deref());
            prop_assert_eq!(e.failed(), expected.clone());
            prop_assert_eq!(e.acceptable(), expected.is_empty());
        }

        #[test]
        fn check_agrees_with_evaluate(p in policy(), pw in password(), conf in password()) {
            let none = Identity::default();
            let e = p.evaluate(&pw, Some(&conf));
            match p.check(&pw, &conf, &none) {
                Ok(normalised) => {
                    prop_assert!(e.acceptable());
                    prop_assert!(normalised == normalize(&pw));
                }
                Err(Error::ConfirmationMismatch) => {
                    prop_assert_eq!(e.failed(), vec![Criterion::Confirmation]);
                }
                Err(Error::PasswordPolicy { failed }) => {
                    let mut expected = e.failed();
                    expected.retain(|c| *c != Criterion::Confirmation);
                    let expected: Vec<&str> = expected.iter().map(|c| c.code()).collect();
                    prop_assert!(!failed.is_empty());
                    prop_assert_eq!(failed, expected);
                }
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }

        #[test]
        fn never_panics_on_any_input(
            p in policy(),
            pw in any::<String>(),
            conf in any::<String>(),
            email in any::<String>(),
            name in any::<String>(),
        ) {
            let names = [name.as_str()];
            let who = Identity { email: Some(&email), names: &names };
            let e = p.evaluate_with_identity(&pw, Some(&conf), &who);
            for c in &e.checks {
                let _ = (c.label(Locale::Fr), c.label(Locale::En));
            }
            let _ = p.check(&pw, &conf, &who);
            let _ = p.validate_config();
            let _ = p.departures_from_standards();
            let _ = PasswordHash::from_phc(pw.clone());
        }

        #[test]
        fn serde_round_trips(p in policy(), m in 8u32..100_000, t in 1u32..10, lanes in 1u32..8) {
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PasswordPolicy>(&json).unwrap(), p);
            let h = HashParams { m_cost_kib: m, t_cost: t, p_cost: lanes };
            let json = serde_json::to_string(&h).unwrap();
            prop_assert_eq!(serde_json::from_str::<HashParams>(&json).unwrap(), h);
        }

        #[test]
        fn normalize_is_idempotent(pw in password()) {
            let once = normalize(&pw);
            prop_assert!(normalize(once.expose()) == once);
        }
    }

    /// Cross-check parameters: every algorithm and version our PHC parser accepts, small costs.
    fn cross_check_params() -> impl Strategy<Value = (usize, u32, u32, u32, u32)> {
        (0usize..3, any::<bool>(), 1u32..=4, 1u32..=3).prop_flat_map(
            |(algorithm, v19, lanes, passes)| {
                let version = if v19 { 0x13 } else { 0x10 };
                (8 * lanes..=320).prop_map(move |m| (algorithm, version, m, passes, lanes))
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// argon2-rust, as we call it (pepper as the secret, the thread's arena reused with
        /// other sizes in between), gives RustCrypto's bytes, and a PHC string of RustCrypto's
        /// output verifies here.
        #[test]
        fn same_bytes_as_rustcrypto_argon2(
            (algorithm, version, m, t, p) in cross_check_params(),
            pw in password(),
            salt in proptest::collection::vec(any::<u8>(), 8..=32),
            pepper in proptest::option::of("[ -~]{0,24}"),
            out_len in 4usize..=64,
        ) {
            let ours = HashParams { m_cost_kib: m, t_cost: t, p_cost: p };
            let hasher = match &pepper {
                Some(pepper) => PasswordHasher::with_pepper(ours, secret(pepper)),
                None => PasswordHasher::new(ours),
            };
            let normalised = normalize(&pw);
            let password = normalised.expose().as_bytes();
            let (rc_algorithm, name) = [
                (argon2::Algorithm::Argon2d, "argon2d"),
                (argon2::Algorithm::Argon2i, "argon2i"),
                (argon2::Algorithm::Argon2id, "argon2id"),
            ][algorithm];
            let rc_version =
                if version == 0x13 { argon2::Version::V0x13 } else { argon2::Version::V0x10 };
            let rc_params = argon2::Params::new(m, t, p, Some(out_len)).unwrap();
            let reference = match &pepper {
                Some(pepper) => argon2::Argon2::new_with_secret(
                    pepper.as_bytes(), rc_algorithm, rc_version, rc_params,
                ).unwrap(),
                None => argon2::Argon2::new(rc_algorithm, rc_version, rc_params),
            };
            let mut expected = vec![0u8; out_len];
            reference.hash_password_into(password, &salt, &mut expected).unwrap();

            let (our_algorithm, our_version) = (
                [Algorithm::Argon2d, Algorithm::Argon2i, Algorithm::Argon2id][algorithm],
                if version == 0x13 { Version::V0x13 } else { Version::V0x10 },
            );
            let params = ours.check_bounds().unwrap();
            let mut got = vec![0u8; out_len];
            hasher
                .compute(our_algorithm, our_version, params, password, &salt, &mut got)
                .unwrap();
            prop_assert_eq!(&got, &expected);

            let phc = format!(
                "${name}$v={version}$m={m},t={t},p={p}${}${}",
                STANDARD_NO_PAD.encode(&salt),
                STANDARD_NO_PAD.encode(&expected)
            );
            let hash = PasswordHash::from_phc(phc).unwrap();
            prop_assert!(hasher.verify(&secret(&pw), &hash));
            expected[0] ^= 1;
            let phc = format!(
                "${name}$v={version}$m={m},t={t},p={p}${}${}",
                STANDARD_NO_PAD.encode(&salt),
                STANDARD_NO_PAD.encode(&expected)
            );
            let wrong = PasswordHash::from_phc(phc).unwrap();
            prop_assert!(!hasher.verify(&secret(&pw), &wrong));
        }
    }
}

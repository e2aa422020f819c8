//! The password policy: [`PasswordPolicy`] (the seed's rules by default, the NIST profile, or
//! any consistent thresholds), its evaluation at every keystroke and its check at submission,
//! who the password belongs to ([`Identity`]), where a policy departs from current standards
//! ([`Departure`]), and the built-in blocklist of common passwords (`password_blocklist.txt`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{Check, Criterion, Evaluation, Nfkc, nfkc, normalize};
use crate::secret::SecretString;
use crate::{Error, Result};

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
    /// Seed: 5. Checked at submission against hashes
    /// ([`PasswordHasher::matches_any`](super::PasswordHasher::matches_any)).
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

    /// The criteria this policy checks, in the order [`PasswordPolicy::evaluate`] reports them:
    /// `min_length`, the composition criteria whose threshold is not 0 (`uppercase`, `lowercase`,
    /// `digit`, `special`), `confirmation`, then `not_containing_identity` and `not_common` when
    /// switched on ([`PasswordPolicy::forbid_identity`], [`PasswordPolicy::blocklist`]).
    ///
    /// Each is reported on every evaluation, except `confirmation` (only when a confirmation is
    /// given) and `not_containing_identity` (only by [`PasswordPolicy::evaluate_with_identity`]).
    /// `max_length` and `no_control` are not listed: they are limits, reported only when
    /// violated. This is what a form lays out as bullets before anything is typed, and what a
    /// binding relies on instead of knowing the rules of a policy.
    ///
    /// ```
    /// use dealer_portal::password::{Criterion::*, PasswordPolicy};
    /// let seed = PasswordPolicy::seed();
    /// assert_eq!(seed.criteria(), [MinLength, Uppercase, Lowercase, Digit, Special, Confirmation]);
    /// let nist = PasswordPolicy::nist();
    /// assert_eq!(nist.criteria(), [MinLength, Confirmation, NotContainingIdentity, NotCommon]);
    /// // A threshold of 0 drops its criterion.
    /// let no_digit = PasswordPolicy { min_digits: 0, ..PasswordPolicy::seed() };
    /// assert_eq!(no_digit.criteria(), [MinLength, Uppercase, Lowercase, Special, Confirmation]);
    /// ```
    pub fn criteria(&self) -> Vec<Criterion> {
        let mut out = vec![Criterion::MinLength];
        let composition = [
            (Criterion::Uppercase, self.min_uppercase),
            (Criterion::Lowercase, self.min_lowercase),
            (Criterion::Digit, self.min_digits),
            (Criterion::Special, self.min_special),
        ];
        out.extend(
            composition
                .iter()
                .filter(|(_, min)| *min > 0)
                .map(|(c, _)| *c),
        );
        out.push(Criterion::Confirmation);
        if self.forbid_identity {
            out.push(Criterion::NotContainingIdentity);
        }
        if self.blocklist {
            out.push(Criterion::NotCommon);
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
    /// [`PasswordHasher::hash`](super::PasswordHasher::hash). History is not checked here (it
    /// needs the stored hashes: see
    /// [`PasswordHasher::matches_any`](super::PasswordHasher::matches_any)).
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
/// bullets (the same as [`PasswordPolicy::criteria`]): `min_length`, the composition criteria whose threshold is not 0, `confirmation`,
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
    policy.criteria()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;
    use crate::password::PasswordHash;
    use crate::password::tests::{GOOD, password};
    use proptest::prelude::*;

    fn seed() -> PasswordPolicy {
        PasswordPolicy::seed()
    }

    fn failed(policy: &PasswordPolicy, pw: &str) -> Vec<Criterion> {
        policy.evaluate(pw, None).failed()
    }

    // --- policy ------------------------------------------------------------------------------

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
    fn criteria_method_lists_the_enabled_criteria_in_order() {
        use Criterion::*;
        assert_eq!(
            seed().criteria(),
            [
                MinLength,
                Uppercase,
                Lowercase,
                Digit,
                Special,
                Confirmation
            ]
        );
        let everything = PasswordPolicy {
            min_uppercase: 2,
            forbid_identity: true,
            blocklist: true,
            ..seed()
        };
        assert_eq!(
            everything.criteria(),
            [
                MinLength,
                Uppercase,
                Lowercase,
                Digit,
                Special,
                Confirmation,
                NotContainingIdentity,
                NotCommon
            ]
        );
        let bare = PasswordPolicy {
            min_uppercase: 0,
            min_lowercase: 0,
            min_digits: 0,
            min_special: 0,
            ..seed()
        };
        assert_eq!(bare.criteria(), [MinLength, Confirmation]);
        for p in [seed(), everything, bare, PasswordPolicy::nist()] {
            assert_eq!(criteria(&p), p.criteria());
        }
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

    // --- properties --------------------------------------------------------------------------

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

        /// What `criteria()` lists is what an evaluation with a confirmation and an identity
        /// reports, in the same order, besides the limits reported only when violated.
        #[test]
        fn criteria_are_what_evaluate_reports(p in policy(), pw in password()) {
            let names = ["Dupont"];
            let who = Identity { email: Some("jp.dupont@garage.fr"), names: &names };
            let e = p.evaluate_with_identity(&pw, Some(&pw), &who);
            let reported: Vec<Criterion> = e
                .checks
                .iter()
                .map(|c| c.criterion)
                .filter(|c| !matches!(c, Criterion::MaxLength | Criterion::NoControl))
                .collect();
            prop_assert_eq!(reported, p.criteria());
        }

        #[test]
        fn serde_round_trips(p in policy()) {
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PasswordPolicy>(&json).unwrap(), p);
        }
    }
}

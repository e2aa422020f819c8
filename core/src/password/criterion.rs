//! What an evaluation reports: the [`Criterion`]s a policy can check, each with a stable code
//! and a name; one [`Check`] per criterion reported on a candidate, met or not, with the bullet a
//! form shows; and the [`Evaluation`] that holds them in the policy's order.

use serde::Serialize;

use crate::locale::{Coded, Locale, coded_serde};

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

/// The result of [`PasswordPolicy::evaluate`](super::PasswordPolicy::evaluate): one [`Check`]
/// per reported criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The checks, in the order documented on
    /// [`PasswordPolicy::evaluate`](super::PasswordPolicy::evaluate).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::{Identity, PasswordPolicy};

    fn seed() -> PasswordPolicy {
        PasswordPolicy::seed()
    }

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
}

//! Email addresses, the login identifier of every account.
//!
//! An [`Email`] is parsed once at the boundary and is valid by construction. It is stored in its
//! normalised form — trimmed, NFC-normalised and lower-cased — so that equality, hashing and
//! ordering are case-insensitive, as the spec requires of login identifiers ("compared
//! case-insensitively, stored normalised").
//!
//! Validation is pragmatic, like a portal's sign-up form rather than a full RFC 5322 parser:
//! - at most 254 characters in total, no whitespace, no control or invisible characters;
//! - exactly one `@`;
//! - a local part of 1 to 64 printable characters, without a leading, trailing or doubled dot
//!   (quoted local parts such as `"a b"@x.fr` are not accepted);
//! - a domain of at least two dot-separated labels, each 1 to 63 letters (Unicode letters are
//!   allowed, for internationalised domains), ASCII digits and hyphens, not starting or ending
//!   with a hyphen; the top-level domain is not all digits (so `a@1.2.3.4` is refused, as are
//!   bracketed IP literals).

use crate::{Error, Result};
use icu_normalizer::ComposingNormalizerBorrowed;
use serde::{Deserialize, Serialize};

/// A valid email address, normalised (trimmed, NFC, lower case).
///
/// Equality, hashing and ordering use the normalised form, so `Jean.Dupont@Garage.FR` and
/// `jean.dupont@garage.fr` are the same login.
///
/// ```
/// use dealer_portal::email::Email;
/// let email = Email::parse("  Jean.Dupont@Garage-XYZ.FR ").unwrap();
/// assert_eq!(email.as_str(), "jean.dupont@garage-xyz.fr");
/// assert_eq!(email.local_part(), "jean.dupont");
/// assert_eq!(email.domain(), "garage-xyz.fr");
/// assert_eq!(email, "JEAN.DUPONT@garage-xyz.fr".parse::<Email>().unwrap());
///
/// let err = Email::parse("jean.dupont.garage.fr").unwrap_err();
/// assert_eq!(err.code(), "INVALID_EMAIL");
/// assert!(err.to_string().contains("missing @"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an address is refused: one distinct reason per rule.
mod reason {
    pub const EMPTY: &str = "empty";
    pub const TOO_LONG: &str = "longer than 254 characters";
    pub const CONTROL: &str = "control characters are not allowed";
    pub const WHITESPACE: &str = "spaces are not allowed";
    pub const INVISIBLE: &str = "invisible formatting characters are not allowed";
    pub const MISSING_AT: &str = "missing @";
    pub const SEVERAL_AT: &str = "more than one @";
    pub const LOCAL_EMPTY: &str = "nothing before the @";
    pub const LOCAL_TOO_LONG: &str = "the part before the @ is longer than 64 characters";
    pub const LOCAL_EDGE_DOT: &str = "the part before the @ starts or ends with a dot";
    pub const LOCAL_DOUBLE_DOT: &str = "the part before the @ has two dots in a row";
    pub const DOMAIN_EMPTY: &str = "nothing after the @";
    pub const DOMAIN_NO_DOT: &str = "domain has no dot";
    pub const DOMAIN_EMPTY_LABEL: &str =
        "domain starts or ends with a dot, or has two dots in a row";
    pub const DOMAIN_LABEL_TOO_LONG: &str = "a domain label is longer than 63 characters";
    pub const DOMAIN_CHAR: &str = "domain may only hold letters, digits, hyphens and dots";
    pub const DOMAIN_HYPHEN: &str = "a domain label starts or ends with a hyphen";
    pub const TLD_NUMERIC: &str = "top-level domain is all digits";
}

impl Email {
    /// Longest accepted address, in characters.
    pub const MAX_LEN: usize = 254;
    /// Longest accepted local part (before the `@`), in characters.
    pub const MAX_LOCAL_LEN: usize = 64;
    /// Longest accepted domain label, in characters.
    pub const MAX_LABEL_LEN: usize = 63;

    /// Parses and normalises an address (trimmed, NFC, lower case).
    ///
    /// Every refusal is an [`Error::InvalidEmail`] whose reason names the rule that failed.
    ///
    /// ```
    /// use dealer_portal::{email::Email, Error};
    /// assert_eq!(Email::parse("Admin@Example.fr").unwrap().as_str(), "admin@example.fr");
    /// assert_eq!(
    ///     Email::parse("admin@localhost").unwrap_err(),
    ///     Error::InvalidEmail { reason: "domain has no dot" }
    /// );
    /// ```
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid(reason::EMPTY));
        }
        // Character classes first, on the raw text, so that the reason is the most useful one.
        for c in trimmed.chars() {
            if c.is_control() {
                return Err(invalid(reason::CONTROL));
            }
            if c.is_whitespace() {
                return Err(invalid(reason::WHITESPACE));
            }
            if is_invisible(c) {
                return Err(invalid(reason::INVISIBLE));
            }
        }
        let normalised = ComposingNormalizerBorrowed::new_nfc()
            .normalize(&trimmed.to_lowercase())
            .into_owned();
        if normalised.chars().count() > Self::MAX_LEN {
            return Err(invalid(reason::TOO_LONG));
        }
        let (local, domain) = match normalised.split_once('@') {
            None => return Err(invalid(reason::MISSING_AT)),
            Some((_, rest)) if rest.contains('@') => return Err(invalid(reason::SEVERAL_AT)),
            Some(parts) => parts,
        };
        check_local(local)?;
        check_domain(domain)?;
        Ok(Email(normalised))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@` (normalised).
    ///
    /// ```
    /// use dealer_portal::email::Email;
    /// assert_eq!(Email::parse("Jean+portail@garage.fr").unwrap().local_part(), "jean+portail");
    /// ```
    pub fn local_part(&self) -> &str {
        self.split().0
    }

    /// The part after the `@` (normalised).
    ///
    /// ```
    /// use dealer_portal::email::Email;
    /// assert_eq!(Email::parse("jean@Garage.Example.FR").unwrap().domain(), "garage.example.fr");
    /// ```
    pub fn domain(&self) -> &str {
        self.split().1
    }

    /// Consumes the address, returning the normalised string.
    pub fn into_string(self) -> String {
        self.0
    }

    fn split(&self) -> (&str, &str) {
        // Valid by construction: exactly one '@'.
        self.0.split_once('@').unwrap_or((&self.0, ""))
    }
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidEmail { reason }
}

/// Characters that print nothing: zero-width spaces and joiners, direction marks, word joiners,
/// the byte-order mark and the soft hyphen. They make two addresses look the same.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFF}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

fn check_local(local: &str) -> Result<()> {
    if local.is_empty() {
        return Err(invalid(reason::LOCAL_EMPTY));
    }
    if local.chars().count() > Email::MAX_LOCAL_LEN {
        return Err(invalid(reason::LOCAL_TOO_LONG));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(invalid(reason::LOCAL_EDGE_DOT));
    }
    if local.contains("..") {
        return Err(invalid(reason::LOCAL_DOUBLE_DOT));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<()> {
    if domain.is_empty() {
        return Err(invalid(reason::DOMAIN_EMPTY));
    }
    if !domain.contains('.') {
        return Err(invalid(reason::DOMAIN_NO_DOT));
    }
    let mut tld = "";
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(invalid(reason::DOMAIN_EMPTY_LABEL));
        }
        if label.chars().count() > Email::MAX_LABEL_LEN {
            return Err(invalid(reason::DOMAIN_LABEL_TOO_LONG));
        }
        if !label
            .chars()
            .all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(reason::DOMAIN_CHAR));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(reason::DOMAIN_HYPHEN));
        }
        tld = label;
    }
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(reason::TLD_NUMERIC));
    }
    Ok(())
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Email {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Email {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason_of(s: &str) -> &'static str {
        match Email::parse(s) {
            Err(Error::InvalidEmail { reason }) => reason,
            other => panic!("{s:?} should be invalid, got {other:?}"),
        }
    }

    #[test]
    fn normalises_trim_and_case() {
        let e = Email::parse("  Jean.DUPONT@Garage-XYZ.Fr\t").unwrap();
        assert_eq!(e.as_str(), "jean.dupont@garage-xyz.fr");
        assert_eq!(e.to_string(), "jean.dupont@garage-xyz.fr");
        assert_eq!(e.local_part(), "jean.dupont");
        assert_eq!(e.domain(), "garage-xyz.fr");
        assert_eq!(AsRef::<str>::as_ref(&e), e.as_str());
        assert_eq!(String::from(e.clone()), e.as_str());
        assert_eq!(e.clone().into_string(), e.as_str());
    }

    #[test]
    fn equality_hash_and_order_are_case_insensitive() {
        use std::collections::HashSet;
        let a = Email::parse("Admin@Garage.fr").unwrap();
        let b = Email::parse("admin@GARAGE.FR").unwrap();
        assert_eq!(a, b);
        let set: HashSet<_> = [a.clone(), b].into_iter().collect();
        assert_eq!(set.len(), 1);
        let z = Email::parse("Zoe@garage.fr").unwrap();
        let y = Email::parse("yann@garage.fr").unwrap();
        assert!(a < y && y < z);
    }

    #[test]
    fn accepts_common_addresses() {
        for s in [
            "a@b.co",
            "jean.dupont@garage.fr",
            "jean+portail@garage.fr",
            "j_dupont-2@mail.garage-xyz.example.fr",
            "o'brien@example.ie",
            "x@123.example.com",
            "ventes@xn--garage-dpt-b7a.fr",
            "éric@garage-mécanique.fr",
            "контакт@пример.рф",
            "admin@t99999.fr",
        ] {
            assert!(Email::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn nfc_normalises_so_composed_and_decomposed_match() {
        let composed = Email::parse("\u{e9}ric@garage.fr").unwrap();
        let decomposed = Email::parse("e\u{301}ric@garage.fr").unwrap();
        assert_eq!(composed, decomposed);
        assert_eq!(composed.local_part(), "éric");
    }

    #[test]
    fn every_reason_is_reachable() {
        let cases: [(String, &str); 18] = [
            ("".into(), reason::EMPTY),
            ("   ".into(), reason::EMPTY),
            (
                format!("{}@{1}.{1}.{1}.fr", "a".repeat(64), "b".repeat(63)),
                reason::TOO_LONG,
            ),
            ("a\u{7}b@garage.fr".into(), reason::CONTROL),
            ("jean dupont@garage.fr".into(), reason::WHITESPACE),
            ("jean\u{a0}dupont@garage.fr".into(), reason::WHITESPACE),
            ("jean\u{200b}@garage.fr".into(), reason::INVISIBLE),
            ("jean.garage.fr".into(), reason::MISSING_AT),
            ("jean@dupont@garage.fr".into(), reason::SEVERAL_AT),
            ("@garage.fr".into(), reason::LOCAL_EMPTY),
            (
                format!("{}@garage.fr", "a".repeat(65)),
                reason::LOCAL_TOO_LONG,
            ),
            (".jean@garage.fr".into(), reason::LOCAL_EDGE_DOT),
            ("jean..dupont@garage.fr".into(), reason::LOCAL_DOUBLE_DOT),
            ("jean@".into(), reason::DOMAIN_EMPTY),
            ("jean@localhost".into(), reason::DOMAIN_NO_DOT),
            ("jean@garage..fr".into(), reason::DOMAIN_EMPTY_LABEL),
            (
                format!("jean@{}.fr", "a".repeat(64)),
                reason::DOMAIN_LABEL_TOO_LONG,
            ),
            ("jean@garage_xyz.fr".into(), reason::DOMAIN_CHAR),
        ];
        for (input, expected) in &cases {
            assert_eq!(reason_of(input), *expected, "{input:?}");
        }
        assert_eq!(reason_of("jean.@garage.fr"), reason::LOCAL_EDGE_DOT);
        assert_eq!(reason_of("jean@.garage.fr"), reason::DOMAIN_EMPTY_LABEL);
        assert_eq!(reason_of("jean@garage.fr."), reason::DOMAIN_EMPTY_LABEL);
        assert_eq!(reason_of("jean@-garage.fr"), reason::DOMAIN_HYPHEN);
        assert_eq!(reason_of("jean@garage-.fr"), reason::DOMAIN_HYPHEN);
        assert_eq!(reason_of("jean@192.168.0.1"), reason::TLD_NUMERIC);
        assert_eq!(reason_of("jean@[192.168.0.1]"), reason::DOMAIN_CHAR);
        assert_eq!(reason_of("\"jean\"@garage.fr\u{0}"), reason::CONTROL);
    }

    #[test]
    fn reasons_are_distinct_and_messages_say_what_is_accepted() {
        let all = [
            reason::EMPTY,
            reason::TOO_LONG,
            reason::CONTROL,
            reason::WHITESPACE,
            reason::INVISIBLE,
            reason::MISSING_AT,
            reason::SEVERAL_AT,
            reason::LOCAL_EMPTY,
            reason::LOCAL_TOO_LONG,
            reason::LOCAL_EDGE_DOT,
            reason::LOCAL_DOUBLE_DOT,
            reason::DOMAIN_EMPTY,
            reason::DOMAIN_NO_DOT,
            reason::DOMAIN_EMPTY_LABEL,
            reason::DOMAIN_LABEL_TOO_LONG,
            reason::DOMAIN_CHAR,
            reason::DOMAIN_HYPHEN,
            reason::TLD_NUMERIC,
        ];
        let set: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(set.len(), all.len());
        let msg = Email::parse("nobody").unwrap_err().to_string();
        assert!(msg.contains("missing @"), "{msg}");
        assert!(msg.contains("name@example.fr"), "{msg}");
    }

    #[test]
    fn length_limits_are_inclusive() {
        let local = "a".repeat(64);
        assert!(Email::parse(&format!("{local}@garage.fr")).is_ok());
        let label = "b".repeat(63);
        assert!(Email::parse(&format!("x@{label}.fr")).is_ok());
        // Exactly 254 characters: 64 + 1 + 63 + 1 + 63 + 1 + 61.
        let s = format!("{local}@{label}.{label}.{}", "c".repeat(61));
        assert_eq!(s.chars().count(), 254);
        assert!(Email::parse(&s).is_ok());
        let s = format!("{local}@{label}.{label}.{}", "c".repeat(62));
        assert_eq!(reason_of(&s), reason::TOO_LONG);
        // Surrounding spaces do not count.
        assert!(Email::parse(&format!("  {local}@garage.fr  ")).is_ok());
    }

    #[test]
    fn conversions_agree() {
        let s = "Compta@Garage.fr";
        let a = Email::parse(s).unwrap();
        assert_eq!(s.parse::<Email>().unwrap(), a);
        assert_eq!(Email::try_from(s).unwrap(), a);
        assert_eq!(Email::try_from(s.to_owned()).unwrap(), a);
        assert_eq!(Email::try_from("nope").unwrap_err().code(), "INVALID_EMAIL");
        assert_eq!(
            Email::try_from(String::from("a@b")).unwrap_err().code(),
            "INVALID_EMAIL"
        );
    }

    #[test]
    fn serde_is_a_validated_string() {
        let e = Email::parse("Jean@Garage.fr").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"jean@garage.fr\"");
        let back: Email = serde_json::from_str("\" JEAN@garage.FR \"").unwrap();
        assert_eq!(back, e);
        let err = serde_json::from_str::<Email>("\"jean@garage\"").unwrap_err();
        assert!(err.to_string().contains("domain has no dot"), "{err}");
        assert!(serde_json::from_str::<Email>("42").is_err());
    }

    fn valid_email() -> impl Strategy<Value = String> {
        (
            "[A-Za-z0-9_+'-]{1,20}(\\.[A-Za-z0-9_+-]{1,10}){0,2}",
            "[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?(\\.[a-zé]{1,8}){0,2}",
            "[A-Za-z]{2,6}",
        )
            .prop_map(|(l, d, t)| format!("{l}@{d}.{t}"))
    }

    proptest! {
        #[test]
        fn parse_display_parse_roundtrips(s in valid_email()) {
            let e = Email::parse(&s).unwrap();
            prop_assert_eq!(e.as_str(), s.to_lowercase());
            let shown = e.to_string();
            let again = Email::parse(&shown).unwrap();
            prop_assert_eq!(&again, &e);
            prop_assert_eq!(format!("{}@{}", e.local_part(), e.domain()), e.as_str());
        }

        #[test]
        fn serde_roundtrips(s in valid_email()) {
            let e = Email::parse(&s).unwrap();
            let json = serde_json::to_string(&e).unwrap();
            prop_assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), e);
        }

        #[test]
        fn never_panics_and_output_is_normalised(s in "\\PC{0,80}|.{0,300}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(e.as_str(), e.as_str().trim());
                prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
                prop_assert!(e.as_str().chars().count() <= Email::MAX_LEN);
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
        }

        #[test]
        fn case_never_matters(s in valid_email()) {
            prop_assert_eq!(
                Email::parse(&s.to_uppercase()).unwrap(),
                Email::parse(&s).unwrap()
            );
        }
    }
}

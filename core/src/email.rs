//! Email addresses, the login identifier of every account.
//!
//! An [`Email`] is parsed once at the boundary and is valid by construction. It is stored in its
//! normalised form, so that equality, hashing and ordering are those of the mailbox, as the spec
//! requires of login identifiers ("compared case-insensitively, stored normalised"):
//! - trimmed;
//! - the local part (before the `@`) NFC-normalised and lower-cased;
//! - the domain in the Unicode form of IDNA (UTS #46, the mapping mail systems and browsers
//!   apply): lower case, full-width letters and dots mapped to ASCII ones (`ｇａｒａｇｅ.fr` is
//!   `garage.fr`), `xn--` labels decoded (`xn--garag-fsa.fr` is `garagé.fr`).
//!
//! The stored and compared key and the displayed form are one and the same string: the Unicode
//! form is canonical (two spellings of one domain give the same string), readable, and what the
//! stores index (`accounts.email`, `UNIQUE`). Comparing it is comparing the ASCII form the spec
//! names, since for a valid domain each form is a function of the other. The ASCII form a mail
//! server needs on the wire is derived from it by [`Email::ascii`].
//!
//! Rows written before this normalisation hold the old form (`xn--` and full-width domains
//! spelled as typed); the stores re-parse each email they read, so such a row loads under its
//! new form, but a lookup by the new form does not find it until the row is rewritten.
//!
//! Validation is pragmatic, like a portal's sign-up form rather than a full RFC 5322 parser, and
//! agrees with the widely used Python `email-validator` (checked by the differential test in
//! `core/tests/differential/`, which lists the deliberate differences):
//! - at most 254 bytes in total (UTF-8, with the domain in its ASCII form), no whitespace, no
//!   control or invisible characters;
//! - exactly one `@`;
//! - a local part of 1 to 64 bytes (UTF-8) of letters, digits and `! # $ % & ' * + - / = ? ^ _
//!   ` { | } ~`, or other Unicode letters, marks, numbers, punctuation and symbols, without a
//!   leading, trailing or doubled dot; quoted local parts such as `"a b"@x.fr`, and the other
//!   specials (`( ) , : ; < > [ \ ] "`), are not accepted;
//! - a domain that is a valid internationalised domain name, of at least two dot-separated
//!   labels, each 1 to 63 bytes in ASCII form, made of letters (Unicode letters and marks are
//!   allowed), digits and hyphens, not starting or ending with a hyphen, with no `--` in third and
//!   fourth place other than an `xn--` label that decodes; at most 253 bytes in ASCII form;
//! - a top-level domain ending with a letter (so `a@1.2.3.4` is refused, as are bracketed IP
//!   literals) that is not reserved for uses other than mail: `.arpa`, `.invalid`, `.local`,
//!   `.localhost`, `.onion`, `.test`.

use crate::{Error, Result};
use icu_normalizer::ComposingNormalizerBorrowed;
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use serde::{Deserialize, Serialize};

/// A valid email address, normalised (trimmed; local part NFC and lower case; domain in IDNA's
/// Unicode form).
///
/// Equality, hashing and ordering use the normalised form, so `Jean.Dupont@Garage.FR` and
/// `jean.dupont@garage.fr` are the same login, as are `jean@garagé.fr` and
/// `jean@xn--garag-fsa.fr`.
///
/// ```
/// use dealer_portal::email::Email;
/// let email = Email::parse("  Jean.Dupont@Garage-XYZ.FR ").unwrap();
/// assert_eq!(email.as_str(), "jean.dupont@garage-xyz.fr");
/// assert_eq!(email.local_part(), "jean.dupont");
/// assert_eq!(email.domain(), "garage-xyz.fr");
/// assert_eq!(email, "JEAN.DUPONT@garage-xyz.fr".parse::<Email>().unwrap());
///
/// let idn = Email::parse("jean@xn--garag-fsa.fr").unwrap();
/// assert_eq!(idn.as_str(), "jean@garagé.fr");
/// assert_eq!(idn.ascii(), "jean@xn--garag-fsa.fr");
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
    pub const TOO_LONG: &str = "longer than 254 bytes (UTF-8, domain in ASCII form)";
    pub const CONTROL: &str = "control characters are not allowed";
    pub const WHITESPACE: &str = "spaces are not allowed";
    pub const INVISIBLE: &str = "invisible formatting characters are not allowed";
    pub const MISSING_AT: &str = "missing @";
    pub const SEVERAL_AT: &str = "more than one @";
    pub const LOCAL_EMPTY: &str = "nothing before the @";
    pub const LOCAL_TOO_LONG: &str = "the part before the @ is longer than 64 bytes (UTF-8)";
    pub const LOCAL_EDGE_DOT: &str = "the part before the @ starts or ends with a dot";
    pub const LOCAL_DOUBLE_DOT: &str = "the part before the @ has two dots in a row";
    pub const LOCAL_QUOTED: &str = "quotes are not accepted before the @";
    pub const LOCAL_CHAR: &str = "the part before the @ may only hold letters, digits, dots and \
         ! # $ % & ' * + - / = ? ^ _ ` { | } ~";
    pub const DOMAIN_EMPTY: &str = "nothing after the @";
    pub const DOMAIN_NO_DOT: &str = "domain has no dot";
    pub const DOMAIN_EMPTY_LABEL: &str =
        "domain starts or ends with a dot, or has two dots in a row";
    pub const DOMAIN_LABEL_TOO_LONG: &str =
        "a domain label is longer than 63 bytes (in its ASCII form)";
    pub const DOMAIN_TOO_LONG: &str = "the domain is longer than 253 bytes (in its ASCII form)";
    pub const DOMAIN_CHAR: &str = "domain may only hold letters, digits, hyphens and dots";
    pub const DOMAIN_HYPHEN: &str = "a domain label starts or ends with a hyphen";
    pub const DOMAIN_HYPHEN_34: &str =
        "a domain label has -- in third and fourth place, which only xn-- labels may have";
    pub const DOMAIN_IDNA: &str =
        "the domain is not a valid internationalised domain name (IDNA, or a bad xn-- label)";
    pub const TLD_NUMERIC: &str = "top-level domain does not end with a letter";
    pub const TLD_RESERVED: &str = "the domain is reserved and receives no mail (.arpa, \
         .invalid, .local, .localhost, .onion, .test)";
}

/// Top-level domains reserved for uses other than Internet mail (IANA special-use names, the
/// list `email-validator` refuses too).
const RESERVED_TLDS: [&str; 6] = ["arpa", "invalid", "local", "localhost", "onion", "test"];

/// Inputs longer than this are refused before any normalisation (a bound on the work).
const MAX_INPUT_BYTES: usize = 4 * Email::MAX_LEN;

impl Email {
    /// Longest accepted address, in bytes (UTF-8, with the domain in its ASCII form).
    pub const MAX_LEN: usize = 254;
    /// Longest accepted local part (before the `@`), in bytes (UTF-8).
    pub const MAX_LOCAL_LEN: usize = 64;
    /// Longest accepted domain label, in bytes of its ASCII form.
    pub const MAX_LABEL_LEN: usize = 63;
    /// Longest accepted domain, in bytes of its ASCII form.
    pub const MAX_DOMAIN_LEN: usize = 253;

    /// Parses and normalises an address (trimmed; local part NFC and lower case; domain in
    /// IDNA's Unicode form).
    ///
    /// Every refusal is an [`Error::InvalidEmail`] whose reason names the rule that failed.
    ///
    /// ```
    /// use dealer_portal::{email::Email, Error};
    /// assert_eq!(Email::parse("Admin@Example.fr").unwrap().as_str(), "admin@example.fr");
    /// // Full-width letters are the ASCII ones for mail systems: one mailbox, one login.
    /// assert_eq!(Email::parse("admin@ｅｘａｍｐｌｅ.fr").unwrap().as_str(), "admin@example.fr");
    /// assert_eq!(
    ///     Email::parse("admin@localhost").unwrap_err(),
    ///     Error::InvalidEmail { reason: "domain has no dot" }
    /// );
    /// assert!(Email::parse("je;an@example.fr").is_err());
    /// assert!(Email::parse("admin@garage.test").is_err());
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
        if trimmed.len() > MAX_INPUT_BYTES {
            return Err(invalid(reason::TOO_LONG));
        }
        let (local, domain) = match trimmed.split_once('@') {
            None => return Err(invalid(reason::MISSING_AT)),
            Some((_, rest)) if rest.contains('@') => return Err(invalid(reason::SEVERAL_AT)),
            Some(parts) => parts,
        };
        let local = ComposingNormalizerBorrowed::new_nfc()
            .normalize(&local.to_lowercase())
            .into_owned();
        check_local(&local)?;
        let (ascii, unicode) = normalise_domain(domain)?;
        if local.len() + 1 + ascii.len() > Self::MAX_LEN
            || local.len() + 1 + unicode.len() > Self::MAX_LEN
        {
            return Err(invalid(reason::TOO_LONG));
        }
        Ok(Email(format!("{local}@{unicode}")))
    }

    /// The normalised address: what is stored, compared and displayed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with its domain in IDNA's ASCII form (`xn--` labels), as a mail server
    /// without SMTPUTF8 needs it. The local part is unchanged (non-ASCII local parts need
    /// SMTPUTF8 whatever the domain).
    ///
    /// ```
    /// use dealer_portal::email::Email;
    /// let e = Email::parse("Éric@Garagé.fr").unwrap();
    /// assert_eq!(e.as_str(), "éric@garagé.fr");
    /// assert_eq!(e.ascii(), "éric@xn--garag-fsa.fr");
    /// assert_eq!(Email::parse("a@b.fr").unwrap().ascii(), "a@b.fr");
    /// ```
    pub fn ascii(&self) -> String {
        let (local, domain) = self.split();
        if domain.is_ascii() {
            return self.0.clone();
        }
        // Valid by construction: the domain came out of the same conversion.
        let ascii = Uts46::new()
            .to_ascii(
                domain.as_bytes(),
                AsciiDenyList::EMPTY,
                Hyphens::Allow,
                DnsLength::Ignore,
            )
            .map(|d| d.into_owned())
            .unwrap_or_else(|_| domain.to_owned());
        format!("{local}@{ascii}")
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

    /// The part after the `@` (normalised, in IDNA's Unicode form).
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

/// The general-category groups of a character: letter, mark, number, punctuation, symbol, or
/// something else (separators, controls, formats, unassigned, private use).
#[derive(PartialEq)]
enum Group {
    Letter,
    Mark,
    Number,
    PunctuationOrSymbol,
    Other,
}

fn group(c: char) -> Group {
    use icu_properties::CodePointMapData;
    use icu_properties::props::GeneralCategory as Gc;
    match CodePointMapData::<Gc>::new().get(c) {
        Gc::UppercaseLetter
        | Gc::LowercaseLetter
        | Gc::TitlecaseLetter
        | Gc::ModifierLetter
        | Gc::OtherLetter => Group::Letter,
        Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark => Group::Mark,
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => Group::Number,
        Gc::ConnectorPunctuation
        | Gc::DashPunctuation
        | Gc::OpenPunctuation
        | Gc::ClosePunctuation
        | Gc::InitialPunctuation
        | Gc::FinalPunctuation
        | Gc::OtherPunctuation
        | Gc::MathSymbol
        | Gc::CurrencySymbol
        | Gc::ModifierSymbol
        | Gc::OtherSymbol => Group::PunctuationOrSymbol,
        _ => Group::Other,
    }
}

/// RFC 5322's `atext` (ASCII), which an unquoted local part is made of, with its dots.
fn is_ascii_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn check_local(local: &str) -> Result<()> {
    if local.is_empty() {
        return Err(invalid(reason::LOCAL_EMPTY));
    }
    if local.len() > Email::MAX_LOCAL_LEN {
        return Err(invalid(reason::LOCAL_TOO_LONG));
    }
    if local.contains('"') {
        return Err(invalid(reason::LOCAL_QUOTED));
    }
    for (i, c) in local.chars().enumerate() {
        let ok = if c.is_ascii() {
            c == '.' || is_ascii_atext(c)
        } else {
            // RFC 6531's UTF-8 local parts, without what would make them unsafe to show: a
            // leading combining mark (it would combine with what precedes the address).
            match group(c) {
                Group::Letter | Group::Number | Group::PunctuationOrSymbol => true,
                Group::Mark => i > 0,
                Group::Other => false,
            }
        };
        if !ok {
            return Err(invalid(reason::LOCAL_CHAR));
        }
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(invalid(reason::LOCAL_EDGE_DOT));
    }
    if local.contains("..") {
        return Err(invalid(reason::LOCAL_DOUBLE_DOT));
    }
    Ok(())
}

/// Checks a domain and returns its IDNA ASCII form (for lengths and the wire) and its IDNA
/// Unicode form (stored and shown).
fn normalise_domain(domain: &str) -> Result<(String, String)> {
    if domain.is_empty() {
        return Err(invalid(reason::DOMAIN_EMPTY));
    }
    let uts46 = Uts46::new();
    // UTS #46 mapping (case, width, NFC) and xn-- validation; the structural rules are ours
    // below, for distinct reasons.
    let ascii = uts46
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::EMPTY,
            Hyphens::Allow,
            DnsLength::Ignore,
        )
        .map_err(|_| invalid(reason::DOMAIN_IDNA))?
        .into_owned();
    if ascii.is_empty() {
        return Err(invalid(reason::DOMAIN_EMPTY));
    }
    if !ascii.contains('.') {
        return Err(invalid(reason::DOMAIN_NO_DOT));
    }
    let mut tld = "";
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(invalid(reason::DOMAIN_EMPTY_LABEL));
        }
        if label.len() > Email::MAX_LABEL_LEN {
            return Err(invalid(reason::DOMAIN_LABEL_TOO_LONG));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(reason::DOMAIN_CHAR));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(reason::DOMAIN_HYPHEN));
        }
        if label.get(2..4) == Some("--") && !label.starts_with("xn--") {
            return Err(invalid(reason::DOMAIN_HYPHEN_34));
        }
        tld = label;
    }
    if ascii.len() > Email::MAX_DOMAIN_LEN {
        return Err(invalid(reason::DOMAIN_TOO_LONG));
    }
    if !tld.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(invalid(reason::TLD_NUMERIC));
    }
    if RESERVED_TLDS.contains(&tld) {
        return Err(invalid(reason::TLD_RESERVED));
    }
    let (unicode, status) =
        uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    if status.is_err() {
        return Err(invalid(reason::DOMAIN_IDNA));
    }
    let unicode = unicode.into_owned();
    // Letters (and the marks that go with them), digits and hyphens: UTS #46 alone would let
    // symbols and emoji through, which IDNA 2008 and mail systems refuse.
    for label in unicode.split('.') {
        let chars: Vec<char> = label.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            // IDNA 2008's one punctuation inside a word: the Catalan middle dot, `l·l`.
            let catalan =
                c == '·' && i > 0 && chars[i - 1] == 'l' && chars.get(i + 1) == Some(&'l');
            let ok = c.is_ascii_alphanumeric()
                || c == '-'
                || catalan
                || (!c.is_ascii()
                    && match group(c) {
                        Group::Letter => true,
                        Group::Mark => i > 0,
                        Group::Number => c.is_numeric(),
                        _ => false,
                    });
            if !ok {
                return Err(invalid(reason::DOMAIN_CHAR));
            }
        }
    }
    Ok((ascii, unicode))
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
            reason::LOCAL_QUOTED,
            reason::LOCAL_CHAR,
            reason::DOMAIN_TOO_LONG,
            reason::DOMAIN_HYPHEN_34,
            reason::DOMAIN_IDNA,
            reason::TLD_RESERVED,
        ];
        let set: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(set.len(), all.len());
        let msg = Email::parse("nobody").unwrap_err().to_string();
        assert!(msg.contains("missing @"), "{msg}");
        assert!(msg.contains("name@example.fr"), "{msg}");
    }

    /// Issue 16, item 9: unquoted specials were accepted and stored.
    #[test]
    fn unquoted_specials_are_refused() {
        for s in [
            "je(an@garage.fr",
            "je)an@garage.fr",
            "je,an@garage.fr",
            "je;an@garage.fr",
            "je:an@garage.fr",
            "je<an@garage.fr",
            "je>an@garage.fr",
            "je[an@garage.fr",
            "je]an@garage.fr",
            "je\\an@garage.fr",
            "mailto:jean@garage.fr",
        ] {
            assert_eq!(reason_of(s), reason::LOCAL_CHAR, "{s:?}");
        }
        // RFC 5322's other specials of atext stay accepted.
        for s in ["j!#$%&'*+-/=?^_`{|}~n@garage.fr", "o'brien@garage.fr"] {
            assert!(Email::parse(s).is_ok(), "{s:?}");
        }
    }

    /// Issue 16, item 9: quoted local parts were stored with their quotes.
    #[test]
    fn quoted_local_parts_are_refused() {
        for s in [
            "\"jean\"@garage.fr",
            "\"je.an\"@garage.fr",
            "je\"an@garage.fr",
        ] {
            assert_eq!(reason_of(s), reason::LOCAL_QUOTED, "{s:?}");
        }
    }

    /// Issue 16, item 9: one mailbox, one account, whatever the spelling of its domain.
    #[test]
    fn domains_are_idna_normalised_for_uniqueness() {
        let unicode = Email::parse("jean@garagé.fr").unwrap();
        let ascii = Email::parse("jean@xn--garag-fsa.fr").unwrap();
        assert_eq!(unicode, ascii);
        assert_eq!(ascii.as_str(), "jean@garagé.fr");
        assert_eq!(ascii.domain(), "garagé.fr");
        assert_eq!(unicode.ascii(), "jean@xn--garag-fsa.fr");
        let full_width = Email::parse("jean@ｇａｒａｇｅ.fr").unwrap();
        assert_eq!(full_width, Email::parse("jean@garage.fr").unwrap());
        assert_eq!(full_width.as_str(), "jean@garage.fr");
        // Full-width and ideographic dots are dots.
        assert_eq!(
            Email::parse("jean@garage．fr").unwrap().as_str(),
            "jean@garage.fr"
        );
        assert_eq!(
            Email::parse("jean@garage。fr").unwrap().as_str(),
            "jean@garage.fr"
        );
        assert_eq!(
            Email::parse("JEAN@GARAGÉ.FR").unwrap().as_str(),
            "jean@garagé.fr"
        );
        // The normal form is a fixed point.
        assert_eq!(Email::parse(unicode.as_str()).unwrap(), unicode);
        assert_eq!(Email::parse(&unicode.ascii()).unwrap(), unicode);
    }

    /// Issue 16, item 9: lengths are the bytes of the ASCII form, not characters.
    #[test]
    fn lengths_are_counted_in_bytes_of_the_ascii_form() {
        // 63 × é is 63 characters but a 130-odd byte xn-- label.
        let label = "é".repeat(63);
        assert_eq!(
            reason_of(&format!("jean@{label}.fr")),
            reason::DOMAIN_LABEL_TOO_LONG
        );
        // 33 × é is 66 bytes in UTF-8.
        assert_eq!(
            reason_of(&format!("{}@garage.fr", "é".repeat(33))),
            reason::LOCAL_TOO_LONG
        );
        assert!(Email::parse(&format!("{}@garage.fr", "é".repeat(32))).is_ok());
        // The whole: 163 characters, but 256 bytes.
        let label = "é".repeat(31);
        let s = format!("{}@{label}.{label}.{label}.fr", "a".repeat(64));
        assert_eq!(s.chars().count(), 163);
        assert_eq!(reason_of(&s), reason::TOO_LONG);
        // The domain alone: 253 bytes at most.
        let long = format!("{0}.{0}.{0}.{1}.fr", "b".repeat(63), "c".repeat(60));
        assert_eq!(reason_of(&format!("x@{long}")), reason::DOMAIN_TOO_LONG);
    }

    /// Issue 16, item 9: reserved top-level domains and invalid xn-- labels were accepted.
    #[test]
    fn reserved_tlds_and_bad_punycode_are_refused() {
        for s in [
            "jean@garage.local",
            "jean@garage.test",
            "jean@garage.invalid",
            "jean@garage.onion",
            "jean@garage.localhost",
            "jean@1.168.192.in-addr.arpa",
            "jean@GARAGE.TEST",
        ] {
            assert_eq!(reason_of(s), reason::TLD_RESERVED, "{s:?}");
        }
        for s in [
            "jean@xn--.fr",
            "jean@xn--a.fr",
            "jean@xn--garage-.fr",
            "jean@xn--ls8h-.fr",
        ] {
            assert!(Email::parse(s).is_err(), "{s:?}");
        }
        assert_eq!(reason_of("jean@xn--a.fr"), reason::DOMAIN_IDNA);
        assert_eq!(reason_of("jean@ab--cd.fr"), reason::DOMAIN_HYPHEN_34);
        assert_eq!(reason_of("jean@garage.fr1"), reason::TLD_NUMERIC);
        assert_eq!(reason_of("jean@garage.☃"), reason::DOMAIN_CHAR);
        assert_eq!(reason_of("jean@☃.fr"), reason::DOMAIN_CHAR);
        assert_eq!(reason_of("jean@ab·cd.fr"), reason::DOMAIN_CHAR);
        assert_eq!(
            Email::parse("jean@l·l.cat").unwrap().ascii(),
            "jean@xn--ll-0ea.cat"
        );
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
            "[A-Za-z0-9]([A-Za-z0-9]{0,5}-?[A-Za-z0-9]{0,4}[A-Za-z0-9])?(\\.[a-zé]{1,8}){0,2}",
            "[A-Za-z]{2,6}",
        )
            .prop_filter("reserved top-level domain", |(_, _, t)| {
                !RESERVED_TLDS.contains(&t.to_lowercase().as_str())
            })
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

//! Phone numbers of an account: an optional mobile and an optional landline.
//!
//! The form has, for each, a country calling code (a dropdown, `+33 ▾` by default) and the
//! national number typed as people type it (`06 23 42 54 55`). A [`PhoneNumber`] is parsed
//! from those two fields with the `phonenumber` crate (a port of Google's libphonenumber and its
//! metadata, not a hand-made table), checked against the field it was typed in, and stored in
//! E.164 (`+33623425455`).
//!
//! Which number types each field accepts ([`PhoneKind::accepts`]):
//! - the mobile field: mobile numbers, and numbers the metadata cannot tell apart from fixed
//!   lines (`FixedLineOrMobile`, e.g. in the United States and Canada);
//! - the landline field: fixed-line numbers, `FixedLineOrMobile` ones, and VoIP numbers —
//!   because the French `09` numbers of internet boxes, which libphonenumber classes as VoIP,
//!   are what most French homes and small businesses use as their landline.
//!
//! Toll-free, premium-rate, shared-cost, personal, pager and other special numbers are refused
//! in both fields, as are numbers with an extension (E.164 cannot store one).

use crate::locale::{Coded, Locale, coded_serde};
use crate::{Error, Result};
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, Type};
use serde::{Deserialize, Serialize};

/// Which field a phone number belongs to: the mobile or the landline of an account.
///
/// ```
/// use dealer_portal::{Coded, Locale, phone::PhoneKind};
/// assert_eq!(PhoneKind::FixedLine.code(), "fixed_line");
/// assert_eq!(PhoneKind::FixedLine.label(Locale::Fr), "Fixe");
/// assert_eq!(PhoneKind::FixedLine.label(Locale::En), "Landline");
/// assert_eq!("mobile".parse::<PhoneKind>().unwrap(), PhoneKind::Mobile);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhoneKind {
    /// The mobile field ("Mobile").
    Mobile,
    /// The landline field ("Fixe").
    FixedLine,
}

impl Coded for PhoneKind {
    const ALL: &'static [Self] = &[PhoneKind::Mobile, PhoneKind::FixedLine];
    const WHAT: &'static str = "phone kind";
    const ACCEPTED: &'static str = "mobile, fixed_line";
    fn code(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLine => "fixed_line",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (PhoneKind::Mobile, _) => "Mobile",
            (PhoneKind::FixedLine, Locale::Fr) => "Fixe",
            (PhoneKind::FixedLine, Locale::En) => "Landline",
        }
    }
}
coded_serde!(PhoneKind);

impl PhoneKind {
    /// Whether a number of this libphonenumber type may be stored in this field.
    ///
    /// ```
    /// use dealer_portal::phone::PhoneKind;
    /// use phonenumber::Type;
    /// assert!(PhoneKind::Mobile.accepts(Type::Mobile));
    /// assert!(!PhoneKind::Mobile.accepts(Type::FixedLine));
    /// assert!(PhoneKind::FixedLine.accepts(Type::Voip)); // French 09 box numbers
    /// assert!(PhoneKind::FixedLine.accepts(Type::FixedLineOrMobile));
    /// ```
    pub fn accepts(self, number_type: Type) -> bool {
        match self {
            PhoneKind::Mobile => matches!(number_type, Type::Mobile | Type::FixedLineOrMobile),
            PhoneKind::FixedLine => matches!(
                number_type,
                Type::FixedLine | Type::FixedLineOrMobile | Type::Voip
            ),
        }
    }

    fn field(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "the mobile field needs a mobile number (in France, 06 or 07)",
            PhoneKind::FixedLine => {
                "the landline field needs a fixed-line number (in France, 01 to 05 or 09)"
            }
        }
    }
}

/// A valid phone number, stored in E.164, with the field it belongs to.
///
/// ```
/// use dealer_portal::phone::{PhoneKind, PhoneNumber};
/// let mobile = PhoneNumber::parse("+33", "06 23 42 54 55", PhoneKind::Mobile).unwrap();
/// assert_eq!(mobile.e164(), "+33623425455");
/// assert_eq!(mobile.national_display(), "06 23 42 54 55");
/// assert_eq!(mobile.kind(), PhoneKind::Mobile);
///
/// let landline = PhoneNumber::parse_fr("01 34 34 67 88", PhoneKind::FixedLine).unwrap();
/// assert_eq!(landline.e164(), "+33134346788");
///
/// // A landline typed in the mobile field:
/// let err = PhoneNumber::parse_fr("01 34 34 67 88", PhoneKind::Mobile).unwrap_err();
/// assert_eq!(err.code(), "INVALID_PHONE");
/// assert!(err.to_string().contains("fixed-line number"));
/// ```
#[derive(Clone)]
pub struct PhoneNumber {
    e164: String,
    kind: PhoneKind,
    /// The national format, derived from `e164`: at construction when the number was parsed,
    /// on first use when it was read back from a store (libphonenumber's parsing and formatting
    /// cost about 10 µs a number, and reading a session's account needs neither).
    national: std::sync::OnceLock<String>,
    calling_code: u16,
}

impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneNumber")
            .field("e164", &self.e164)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Two numbers are equal when their E.164 forms and fields are: the rest derives from those.
impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        (&self.e164, self.kind) == (&other.e164, other.kind)
    }
}
impl Eq for PhoneNumber {}
impl std::hash::Hash for PhoneNumber {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.e164, self.kind).hash(h);
    }
}

/// The longest national number accepted as typed, separators included.
const MAX_TYPED_LEN: usize = 40;
/// The most digits after the `+`: a 3-digit calling code and libphonenumber's longest national
/// number, 17 digits (E.164 says 15, but Germany, for one, has longer numbers in service).
const MAX_E164_DIGITS: usize = 20;

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidPhone {
        reason: reason.into(),
    }
}

impl PhoneNumber {
    /// The default country calling code of the form (France).
    pub const DEFAULT_CALLING_CODE: &'static str = "+33";

    /// Parses a number typed in a form: the country calling code chosen in the dropdown
    /// (`"+33"`, `"33"` or `" +33 "`) and the national number as typed (`"06 23 42 54 55"`,
    /// `"06.23.42.54.55"`, `"6 23 42 54 55"`...). A number typed with a leading `+` or `00`
    /// (`"+44 7400 123456"`, `"0044 7400 123456"`) is read as international and its own
    /// country code wins.
    ///
    /// Errors ([`Error::InvalidPhone`], saying what is accepted): an unknown or malformed
    /// calling code, an empty or too long number, letters or other characters than digits,
    /// spaces, dots, hyphens, slashes and parentheses, a number that is not valid in that
    /// country, and a number of the wrong type for the field.
    ///
    /// ```
    /// use dealer_portal::phone::{PhoneKind, PhoneNumber};
    /// let n = PhoneNumber::parse(" 33 ", "06.23.42.54.55", PhoneKind::Mobile).unwrap();
    /// assert_eq!(n.e164(), "+33623425455");
    /// let be = PhoneNumber::parse("+32", "0470 12 34 56", PhoneKind::Mobile).unwrap();
    /// assert_eq!(be.e164(), "+32470123456");
    /// let intl = PhoneNumber::parse("+33", "+44 7400 123456", PhoneKind::Mobile).unwrap();
    /// assert_eq!(intl.e164(), "+447400123456");
    /// let intl = PhoneNumber::parse("+33", "0044 7400 123456", PhoneKind::Mobile).unwrap();
    /// assert_eq!(intl.e164(), "+447400123456");
    /// assert!(PhoneNumber::parse("+999", "06 23 42 54 55", PhoneKind::Mobile).is_err());
    /// ```
    pub fn parse(calling_code: &str, national: &str, kind: PhoneKind) -> Result<Self> {
        let typed = check_typed(national)?;
        // The digits typed after the calling code (whether it was typed or chosen).
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let (parsed, after_code) = if typed.starts_with('+') {
            let parsed = parse_lib(None, typed)?;
            let code = parsed.code().value().to_string();
            let rest = digits.strip_prefix(&code).map(str::to_owned);
            (parsed, rest)
        } else if let Some(international) = typed.strip_prefix("00") {
            let parsed = parse_lib(None, &format!("+{international}"))?;
            let code = parsed.code().value().to_string();
            let rest = digits[2..].strip_prefix(&code).map(str::to_owned);
            (parsed, rest)
        } else {
            let code = parse_calling_code(calling_code)?;
            let parsed = match region_of(code) {
                Some(region) => parse_lib(Some(region), typed)?,
                // A non-geographic code (+800, +882...): no region to parse in.
                None => parse_lib(None, &format!("+{code} {typed}"))?,
            };
            (parsed, Some(digits))
        };
        Self::from_parsed(&parsed, kind, after_code.as_deref())
    }

    /// Parses a number as typed in a form without a calling-code field: the default calling
    /// code, [`Self::DEFAULT_CALLING_CODE`] (+33, France), unless the number starts with `+` or
    /// `00` and so carries its own.
    ///
    /// ```
    /// use dealer_portal::phone::{PhoneKind, PhoneNumber};
    /// let n = PhoneNumber::parse_fr("07 81 23 45 67", PhoneKind::Mobile).unwrap();
    /// assert_eq!(n.e164(), "+33781234567");
    /// let be = PhoneNumber::parse_fr("0032 470 12 34 56", PhoneKind::Mobile).unwrap();
    /// assert_eq!(be.e164(), "+32470123456");
    /// ```
    pub fn parse_fr(national: &str, kind: PhoneKind) -> Result<Self> {
        Self::parse(Self::DEFAULT_CALLING_CODE, national, kind)
    }

    /// Rebuilds a stored number from its E.164 form, validating it again (including against
    /// its field): used when loading from storage.
    ///
    /// ```
    /// use dealer_portal::phone::{PhoneKind, PhoneNumber};
    /// let n = PhoneNumber::from_e164("+33134346788", PhoneKind::FixedLine).unwrap();
    /// assert_eq!(n.national_display(), "01 34 34 67 88");
    /// assert!(PhoneNumber::from_e164("0134346788", PhoneKind::FixedLine).is_err());
    /// assert!(PhoneNumber::from_e164("+33134346788", PhoneKind::Mobile).is_err());
    /// ```
    pub fn from_e164(e164: &str, kind: PhoneKind) -> Result<Self> {
        let digits = e164.strip_prefix('+').unwrap_or("");
        if digits.is_empty()
            || digits.len() > MAX_E164_DIGITS
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(invalid(format!(
                "{:?} is not in E.164 form; expected + and up to {MAX_E164_DIGITS} digits, \
                 such as +33623425455",
                truncate(e164)
            )));
        }
        let parsed = parse_lib(None, e164)?;
        let after_code = digits.strip_prefix(&parsed.code().value().to_string());
        let number = Self::from_parsed(&parsed, kind, after_code)?;
        if number.e164 != e164 {
            return Err(invalid(format!(
                "{:?} is not in canonical E.164 form; expected {}",
                truncate(e164),
                number.e164
            )));
        }
        Ok(number)
    }

    /// Checks a number the library parsed; `typed` is the digits typed after the calling code,
    /// when known (see [`mend_national`]).
    fn from_parsed(
        parsed: &phonenumber::PhoneNumber,
        kind: PhoneKind,
        typed: Option<&str>,
    ) -> Result<Self> {
        if parsed.extension().is_some() {
            return Err(invalid(
                "extensions are not accepted; type the direct number only",
            ));
        }
        let code = parsed.code().value();
        // The national significant number with its leading zeros (Italy's `02…`), classified
        // against the anchored patterns: see `classify`.
        let national = mend_national(code, parsed.national().to_string(), typed);
        let number_type = classify(code, &national);
        if number_type == Type::Unknown {
            return Err(invalid(format!(
                "this is not a valid number for +{code}; expected the national number as \
                 dialled in that country{}",
                if code == 33 {
                    ", such as 06 23 42 54 55 or 01 34 34 67 88"
                } else {
                    ""
                }
            )));
        }
        if !kind.accepts(number_type) {
            return Err(invalid(format!(
                "this is {}; {}",
                describe(number_type),
                kind.field()
            )));
        }
        let e164 = format!("+{code}{national}");
        Ok(PhoneNumber {
            national: national_format(parsed, &national, &e164).into(),
            e164,
            kind,
            calling_code: code,
        })
    }

    /// The number in E.164 form (`+33623425455`), as stored.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The field the number belongs to.
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The number in its country's national format, for display (`06 23 42 54 55`).
    pub fn national_display(&self) -> &str {
        self.national.get_or_init(|| {
            let after_code = self.e164[1..]
                .strip_prefix(&self.calling_code.to_string())
                .unwrap_or_default();
            parse_lib(None, &self.e164)
                .map(|p| {
                    let national = mend_national(
                        self.calling_code,
                        p.national().to_string(),
                        Some(after_code),
                    );
                    national_format(&p, &national, &self.e164)
                })
                .unwrap_or_else(|_| self.e164.clone())
        })
    }

    /// A number a store wrote, read back: its E.164 form was validated (against its field)
    /// when it was parsed, so only its shape is checked here; the national format is derived
    /// on first use. A value of the wrong shape is [`Error::InvalidPhone`] (the stores report
    /// it as a corrupt row).
    // Only the SQL stores use it: the core without them (the browser build) leaves it unused.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn from_store(e164: &str, kind: PhoneKind) -> Result<Self> {
        let digits = e164.strip_prefix('+').unwrap_or("");
        let shaped = !digits.is_empty()
            && digits.len() <= MAX_E164_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        // Calling codes are prefix-free: the first of 1 to 3 leading digits that is one is it.
        let code = (1..=3.min(digits.len()))
            .filter_map(|n| digits[..n].parse::<u16>().ok())
            .find(|c| DATABASE.by_code(c).is_some());
        match code {
            Some(calling_code) if shaped => Ok(PhoneNumber {
                e164: e164.to_owned(),
                kind,
                national: std::sync::OnceLock::new(),
                calling_code,
            }),
            _ => Err(invalid("a stored number is not in E.164 form")),
        }
    }

    /// The country calling code, without the `+` (`33`).
    ///
    /// ```
    /// use dealer_portal::phone::{PhoneKind, PhoneNumber};
    /// let n = PhoneNumber::parse_fr("06 23 42 54 55", PhoneKind::Mobile).unwrap();
    /// assert_eq!(n.calling_code(), 33);
    /// ```
    pub fn calling_code(&self) -> u16 {
        self.calling_code
    }
}

/// The first 40 characters of a value, for error messages.
fn truncate(s: &str) -> String {
    s.chars().take(MAX_TYPED_LEN).collect()
}

fn describe(number_type: Type) -> &'static str {
    match number_type {
        Type::FixedLine => "a fixed-line number",
        Type::Mobile => "a mobile number",
        Type::FixedLineOrMobile => "a fixed-line or mobile number",
        Type::TollFree => "a toll-free number",
        Type::PremiumRate => "a premium-rate number",
        Type::SharedCost => "a shared-cost number",
        Type::PersonalNumber => "a personal number",
        Type::Voip => "a VoIP number",
        Type::Pager => "a pager number",
        Type::Uan => "a company (UAN) number",
        Type::Emergency => "an emergency number",
        Type::Voicemail => "a voicemail access number",
        Type::ShortCode => "a short code",
        Type::StandardRate => "a standard-rate service number",
        Type::Carrier => "a carrier-specific number",
        Type::NoInternational => "a number that cannot be dialled from abroad",
        Type::Unknown => "a number of unknown type",
    }
}

/// Checks the characters of a typed national number before handing it to the library: digits,
/// spaces, `.`, `-`, `/`, parentheses and one leading `+`.
/// One entry of the "+33 ▾" list beside a phone field: a region of libphonenumber's metadata
/// and its country calling code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallingCode {
    /// The region (ISO 3166-1 alpha-2, upper case: `FR`).
    pub region: String,
    /// The calling code with its plus (`+33`).
    pub code: String,
    /// What the list shows: the region's flag (its two regional-indicator letters, which every
    /// phone and browser draws as a flag), the region code and the calling code
    /// (`🇫🇷 FR +33`). The library holds no table of country names; a host wanting them
    /// maps `region` through its own locale data.
    pub label: String,
}

/// Every region libphonenumber knows with its calling code, for the "+33 ▾" field: France
/// first (the default), then by region code. Read from the metadata, not a table of our own.
///
/// ```
/// let codes = dealer_portal::phone::calling_codes();
/// assert_eq!((codes[0].region.as_str(), codes[0].code.as_str()), ("FR", "+33"));
/// assert_eq!(codes[0].label, "🇫🇷 FR +33");
/// assert!(codes.iter().any(|c| c.region == "BE" && c.code == "+32"));
/// assert!(codes.len() > 200);
/// ```
pub fn calling_codes() -> Vec<CallingCode> {
    let mut all: Vec<CallingCode> = DATABASE
        .iter()
        .filter(|m| m.id().len() == 2 && m.id().bytes().all(|b| b.is_ascii_uppercase()))
        .map(|m| {
            let region = m.id().to_owned();
            let flag: String = region
                .chars()
                .filter_map(|c| char::from_u32(0x1F1E6 + (c as u32 - 'A' as u32)))
                .collect();
            let code = format!("+{}", m.country_code());
            CallingCode {
                label: format!("{flag} {region} {code}"),
                region,
                code,
            }
        })
        .collect();
    all.sort_by(|a, b| (a.region != "FR", &a.region).cmp(&(b.region != "FR", &b.region)));
    all.dedup_by(|a, b| a.region == b.region);
    all
}

fn check_typed(national: &str) -> Result<&str> {
    let typed = national.trim();
    if typed.is_empty() {
        return Err(invalid(
            "the number is empty; expected a number such as 06 23 42 54 55",
        ));
    }
    if typed.chars().count() > MAX_TYPED_LEN {
        return Err(invalid(format!(
            "the number is longer than {MAX_TYPED_LEN} characters; expected a number such as \
             06 23 42 54 55"
        )));
    }
    let body = typed.strip_prefix('+').unwrap_or(typed);
    if body.chars().any(char::is_alphabetic) {
        return Err(invalid(
            "letters are not accepted; type the digits, such as 06 23 42 54 55",
        ));
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '\u{a0}' | '.' | '-' | '/' | '(' | ')'))
    {
        return Err(invalid(
            "only digits, spaces, dots, hyphens, slashes, parentheses and a leading + are \
             accepted, such as 06 23 42 54 55",
        ));
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if digits < 3 {
        return Err(invalid(
            "the number is too short; expected a number such as 06 23 42 54 55",
        ));
    }
    // Room for an international prefix (`00 49 ...`); the library checks the real lengths.
    if digits > MAX_E164_DIGITS + 4 {
        return Err(invalid(
            "the number has too many digits; expected a number such as 06 23 42 54 55",
        ));
    }
    Ok(typed)
}

/// Reads the dropdown's country calling code: `+33`, `33` or ` +33 `.
fn parse_calling_code(input: &str) -> Result<u16> {
    let trimmed = input.trim();
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed).trim_start();
    let known = (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    let code = if known {
        digits.parse::<u16>().ok()
    } else {
        None
    };
    match code {
        Some(code) if DATABASE.by_code(&code).is_some() => Ok(code),
        _ => Err(invalid(format!(
            "unknown country calling code {:?}; expected + and the 1 to 3 digits of a \
             country's code, such as +33 for France",
            truncate(input)
        ))),
    }
}

/// The main region of a calling code (`33` → FR, `1` → US), if it is a geographic one.
fn region_of(code: u16) -> Option<phonenumber::country::Id> {
    let metas = DATABASE.by_code(&code)?;
    let main = metas
        .iter()
        .find(|m| m.is_main_country_for_code())
        .or_else(|| metas.first())?;
    main.id().parse().ok()
}

fn parse_lib(
    region: Option<phonenumber::country::Id>,
    text: &str,
) -> Result<phonenumber::PhoneNumber> {
    phonenumber::parse(region, text).map_err(|e| {
        use phonenumber::ParseError as P;
        invalid(match e {
            P::TooShortNsn | P::TooShortAfterIdd => {
                "the number is too short; expected a number such as 06 23 42 54 55".to_owned()
            }
            P::TooLong => {
                "the number has too many digits; expected a number such as 06 23 42 54 55"
                    .to_owned()
            }
            P::InvalidCountryCode => "unknown country calling code in the number; expected + \
                 and the code of a country, such as +33 for France"
                .to_owned(),
            _ => "this is not a phone number; expected a number such as 06 23 42 54 55".to_owned(),
        })
    })
}

/// The national significant number libphonenumber would have kept, from the one the crate
/// kept and the digits typed after the calling code.
///
/// The crate strips a national prefix (`8` in Russia and Lithuania) or a repeated calling code
/// (`39…` typed in Italy, `250…` in Rwanda, the area code `55` in Brazil) when its unanchored
/// match says the rest looks like a number, where libphonenumber keeps the digits as typed when
/// they match the region's general pattern. So, when the crate's number is not valid: the digits
/// as typed, or without the region's national prefix, if they make a valid number. Nothing else
/// is tried (dropping other digits would turn a mistyped number into someone else's).
fn mend_national(code: u16, kept: String, typed: Option<&str>) -> String {
    let (Some(meta), Some(typed)) = (main_metadata(code), typed) else {
        return kept;
    };
    if typed == kept || classify(code, &kept) != Type::Unknown {
        return kept;
    }
    let general = Some(meta.descriptors().general());
    let without_prefix = meta
        .national_prefix()
        .filter(|p| !p.is_empty())
        .and_then(|p| typed.strip_prefix(p));
    [Some(typed), without_prefix]
        .into_iter()
        .flatten()
        .find(|c| matches_whole(general, c) && classify(code, c) != Type::Unknown)
        .map_or(kept, str::to_owned)
}

/// The national format of a number: the crate's formatting of `parsed`, with its national
/// number replaced by ours when [`mend_national`] changed it (through the crate's serde form, its
/// only public way to build a number), or the E.164 form should that fail.
fn national_format(parsed: &phonenumber::PhoneNumber, national: &str, e164: &str) -> String {
    if parsed.national().to_string() == national {
        return parsed.format().mode(Mode::National).to_string();
    }
    let rebuilt = (|| {
        let ours: phonenumber::NationalNumber = national.parse().ok()?;
        let mut value = serde_json::to_value(parsed).ok()?;
        *value.get_mut("national")? = serde_json::to_value(ours).ok()?;
        serde_json::from_value::<phonenumber::PhoneNumber>(value).ok()
    })();
    rebuilt.map_or_else(
        || e164.to_owned(),
        |n| n.format().mode(Mode::National).to_string(),
    )
}

/// The metadata of a calling code's main region (or of the non-geographic code).
fn main_metadata(code: u16) -> Option<&'static phonenumber::metadata::Metadata> {
    let metas = DATABASE.by_code(&code)?;
    metas
        .iter()
        .find(|m| m.is_main_country_for_code())
        .or_else(|| metas.first())
        .copied()
}

/// The type of a national significant number (leading zeros included) of a calling code, as
/// libphonenumber's `getNumberType` computes it, or [`Type::Unknown`] when it is not valid.
///
/// The `phonenumber` crate's own `is_valid`/`number_type` differ from libphonenumber in two ways
/// that this mends, with the crate's metadata: they classify the number with its leading zeros
/// dropped (so every Italian landline, `+39 02…`, was "unknown"), and their pattern matches are
/// not anchored at the end (so a number longer than any valid one passed when a pattern matched
/// its start: whisperfish/rust-phonenumber#31). Here each pattern must match the whole number,
/// `^(?:pattern)$`, as in libphonenumber; the region of a shared calling code (`+1`, `+7`,
/// `+44`…) is chosen as libphonenumber does (its leading digits, else the first region whose
/// patterns the number matches). `core/tests/differential/` checks the result against
/// libphonenumber itself (PyPI `phonenumbers`) for every calling code.
fn classify(code: u16, national: &str) -> Type {
    let Some(regions) = DATABASE.region(&code) else {
        return Type::Unknown;
    };
    let metas: Vec<&phonenumber::metadata::Metadata> = if regions.len() == 1 {
        DATABASE.by_code(&code).unwrap_or_default()
    } else {
        regions.iter().filter_map(|r| DATABASE.by_id(*r)).collect()
    };
    if let [only] = metas.as_slice() {
        return number_type_of(only, national);
    }
    for meta in metas {
        if let Some(leading) = meta.leading_digits() {
            if leading.find(national).is_some_and(|m| m.start() == 0) {
                return number_type_of(meta, national);
            }
        } else {
            let t = number_type_of(meta, national);
            if t != Type::Unknown {
                return t;
            }
        }
    }
    Type::Unknown
}

/// libphonenumber's `getNumberTypeHelper`, with whole-number matches.
fn number_type_of(meta: &phonenumber::metadata::Metadata, national: &str) -> Type {
    let d = meta.descriptors();
    if !matches_whole(Some(d.general()), national) {
        return Type::Unknown;
    }
    let ordered = [
        (d.premium_rate(), Type::PremiumRate),
        (d.toll_free(), Type::TollFree),
        (d.shared_cost(), Type::SharedCost),
        (d.voip(), Type::Voip),
        (d.personal_number(), Type::PersonalNumber),
        (d.pager(), Type::Pager),
        (d.uan(), Type::Uan),
        (d.voicemail(), Type::Voicemail),
    ];
    if let Some((_, t)) = ordered
        .into_iter()
        .find(|(desc, _)| matches_whole(*desc, national))
    {
        return t;
    }
    let same_pattern = match (d.fixed_line(), d.mobile()) {
        (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
        _ => false,
    };
    if matches_whole(d.fixed_line(), national) {
        if same_pattern || matches_whole(d.mobile(), national) {
            return Type::FixedLineOrMobile;
        }
        return Type::FixedLine;
    }
    if !same_pattern && matches_whole(d.mobile(), national) {
        return Type::Mobile;
    }
    Type::Unknown
}

/// libphonenumber's `isNumberMatchingDesc`: a possible length, and the whole number matches.
fn matches_whole(desc: Option<&phonenumber::metadata::Descriptor>, national: &str) -> bool {
    let Some(desc) = desc else {
        return false;
    };
    let lengths = desc.possible_length();
    if !lengths.is_empty() && !lengths.iter().any(|&l| usize::from(l) == national.len()) {
        return false;
    }
    anchored(desc.national_number().as_str()).is_some_and(|re| re.is_match(national))
}

/// The metadata pattern compiled as `^(?:pattern)$`, once per pattern.
fn anchored(pattern: &str) -> Option<std::sync::Arc<regex::Regex>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<String, Option<Arc<regex::Regex>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| {
            // The metadata's patterns are laid out over lines: whitespace is insignificant in
            // them, as in the crate's own compilation.
            regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
                .ignore_whitespace(true)
                .build()
                .ok()
                .map(Arc::new)
        })
        .clone()
}

impl std::fmt::Display for PhoneNumber {
    /// The E.164 form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.e164)
    }
}

#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    #[serde(borrow)]
    e164: std::borrow::Cow<'a, str>,
    kind: PhoneKind,
}

impl Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Stored {
            e164: std::borrow::Cow::Borrowed(&self.e164),
            kind: self.kind,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let stored = Stored::deserialize(d)?;
        Self::from_e164(&stored.e164, stored.kind).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_read_back_from_a_store_are_the_numbers_written() {
        for (typed, kind) in [
            ("06 23 42 54 55", PhoneKind::Mobile),
            ("01 34 34 67 88", PhoneKind::FixedLine),
            ("+44 7400 123456", PhoneKind::Mobile),
            ("+1 212 555 0123", PhoneKind::FixedLine),
            ("+32 470 12 34 56", PhoneKind::Mobile),
        ] {
            let written = PhoneNumber::parse_fr(typed, kind).unwrap();
            let read = PhoneNumber::from_store(written.e164(), kind).unwrap();
            assert_eq!(read, written);
            assert_eq!(read.calling_code(), written.calling_code(), "{typed}");
            assert_eq!(
                read.national_display(),
                written.national_display(),
                "{typed}"
            );
        }
        for bad in [
            "",
            "+",
            "0623425455",
            "+0623425455",
            "+33 6",
            "+999123",
            "+33abc",
        ] {
            assert!(
                PhoneNumber::from_store(bad, PhoneKind::Mobile).is_err(),
                "{bad:?}"
            );
        }
    }

    fn reason_of(r: Result<PhoneNumber>) -> String {
        match r {
            Err(Error::InvalidPhone { reason }) => reason,
            other => panic!("expected InvalidPhone, got {other:?}"),
        }
    }

    /// Issue 16, item 9: national numbers starting with 0 were refused as "unknown type".
    #[test]
    fn national_numbers_with_leading_zeros_are_valid() {
        for (cc, typed, kind, e164, display) in [
            (
                "+39",
                "02 1234 5678",
                PhoneKind::FixedLine,
                "+390212345678",
                "02 1234 5678",
            ),
            (
                "+378",
                "0549 886377",
                PhoneKind::FixedLine,
                "+3780549886377",
                "0549 886377",
            ),
            (
                "+225",
                "01 23 45 6789",
                PhoneKind::Mobile,
                "+2250123456789",
                "01 23 45 6789",
            ),
            (
                "+229",
                "01 95 12 34 56",
                PhoneKind::Mobile,
                "+2290195123456",
                "01 95 12 34 56",
            ),
            (
                "+242",
                "06 123 4567",
                PhoneKind::Mobile,
                "+242061234567",
                "06 123 4567",
            ),
            (
                "+241",
                "01 44 12 34",
                PhoneKind::FixedLine,
                "+24101441234",
                "01 44 12 34",
            ),
        ] {
            let n =
                PhoneNumber::parse(cc, typed, kind).unwrap_or_else(|e| panic!("{cc} {typed}: {e}"));
            assert_eq!(n.e164(), e164, "{cc} {typed}");
            assert_eq!(n.national_display(), display, "{cc} {typed}");
            assert_eq!(PhoneNumber::from_e164(e164, kind).unwrap(), n);
            let intl = PhoneNumber::parse_fr(&format!("{cc} {typed}"), kind).unwrap();
            assert_eq!(intl, n, "{cc} {typed}");
        }
        // Still typed against the field: an Italian landline is not a mobile.
        let r = reason_of(PhoneNumber::parse("+39", "02 1234 5678", PhoneKind::Mobile));
        assert!(r.starts_with("this is a fixed-line number"), "{r}");
    }

    /// Found by the differential test: the crate strips a national prefix or a repeated calling
    /// code that libphonenumber keeps, when what is left matches no pattern.
    #[test]
    fn digits_are_kept_as_typed_when_stripping_leaves_no_number() {
        for (cc, typed, kind, e164) in [
            (
                "+33",
                "+7 855 195 12 83",
                PhoneKind::FixedLine,
                "+78551951283",
            ),
            (
                "+7",
                "8 (855) 195-12-83",
                PhoneKind::FixedLine,
                "+78551951283",
            ),
            (
                "+33",
                "+370 8012 3456",
                PhoneKind::FixedLine,
                "+37080123456",
            ),
            ("+39", "397 171 978", PhoneKind::Mobile, "+39397171978"),
            ("+250", "250 123 456", PhoneKind::FixedLine, "+250250123456"),
            (
                "+55",
                "(55) 4509-7144",
                PhoneKind::FixedLine,
                "+555545097144",
            ),
        ] {
            let n =
                PhoneNumber::parse(cc, typed, kind).unwrap_or_else(|e| panic!("{cc} {typed}: {e}"));
            assert_eq!(n.e164(), e164, "{cc} {typed}");
            assert_eq!(PhoneNumber::from_e164(e164, kind).unwrap(), n);
            let stored = PhoneNumber::from_store(e164, kind).unwrap();
            assert_eq!(stored.national_display(), n.national_display());
        }
        assert_eq!(
            PhoneNumber::parse("+7", "8 (855) 195-12-83", PhoneKind::FixedLine)
                .unwrap()
                .national_display(),
            "8 (855) 195-12-83"
        );
        // Only the typed digits, or them without the national prefix, are tried: a mistyped
        // number does not become another one by losing its first digits.
        for typed in ["06 23 42 54 55 66", "01 34 34 67 88 9"] {
            let r = reason_of(PhoneNumber::parse_fr(typed, PhoneKind::FixedLine));
            assert!(r.contains("not a valid number"), "{typed}: {r}");
        }
    }

    /// Issue 16, item 9: numbers longer than any valid one passed when a pattern matched their
    /// start (whisperfish/rust-phonenumber#31).
    #[test]
    fn numbers_longer_than_any_valid_one_are_refused() {
        for (typed, kind) in [
            ("+31 6 1234 5678 49", PhoneKind::Mobile),
            ("+60 12 345 67890", PhoneKind::Mobile),
            ("+86 10 1234 5678 3", PhoneKind::FixedLine),
        ] {
            let r = reason_of(PhoneNumber::parse_fr(typed, kind));
            assert!(r.contains("not a valid number"), "{typed}: {r}");
        }
        // Their valid prefixes are accepted.
        for (typed, kind) in [
            ("+31 6 1234 5678", PhoneKind::Mobile),
            ("+60 12 345 6789", PhoneKind::Mobile),
            ("+86 10 1234 5678", PhoneKind::FixedLine),
        ] {
            assert!(PhoneNumber::parse_fr(typed, kind).is_ok(), "{typed}");
        }
    }

    #[test]
    fn seed_examples() {
        let m = PhoneNumber::parse("+33", "06 23 42 54 55", PhoneKind::Mobile).unwrap();
        assert_eq!(m.e164(), "+33623425455");
        assert_eq!(m.national_display(), "06 23 42 54 55");
        assert_eq!(m.kind(), PhoneKind::Mobile);
        assert_eq!(m.to_string(), "+33623425455");
        let f = PhoneNumber::parse("+33", "01 34 34 67 88", PhoneKind::FixedLine).unwrap();
        assert_eq!(f.e164(), "+33134346788");
        assert_eq!(f.national_display(), "01 34 34 67 88");
        assert_eq!(f.kind(), PhoneKind::FixedLine);
    }

    #[test]
    fn calling_code_spellings() {
        for cc in ["+33", "33", " +33 ", "+ 33"] {
            let n = PhoneNumber::parse(cc, "0623425455", PhoneKind::Mobile).unwrap();
            assert_eq!(n.e164(), "+33623425455", "{cc:?}");
            assert_eq!(n.calling_code(), 33);
        }
        for cc in [
            "", "+", "+999", "0", "+033", "33a", "+3333", "++33", "FR", "+-1",
        ] {
            let reason = reason_of(PhoneNumber::parse(cc, "0623425455", PhoneKind::Mobile));
            assert!(
                reason.contains("unknown country calling code"),
                "{cc:?}: {reason}"
            );
            assert!(reason.contains("+33 for France"), "{reason}");
        }
    }

    #[test]
    fn typing_variants_give_the_same_number() {
        for typed in [
            "06 23 42 54 55",
            "0623425455",
            "06.23.42.54.55",
            "06-23-42-54-55",
            "6 23 42 54 55",
            "(0)6 23 42 54 55",
            "  06 23 42 54 55  ",
            "06\u{a0}23\u{a0}42\u{a0}54\u{a0}55",
            "+33 6 23 42 54 55",
            "+33 (0)6 23 42 54 55",
            "0033 6 23 42 54 55",
        ] {
            let n = PhoneNumber::parse_fr(typed, PhoneKind::Mobile)
                .unwrap_or_else(|e| panic!("{typed:?}: {e}"));
            assert_eq!(n.e164(), "+33623425455", "{typed:?}");
        }
    }

    #[test]
    fn wrong_field_is_refused_with_a_clear_reason() {
        let r = reason_of(PhoneNumber::parse_fr("01 34 34 67 88", PhoneKind::Mobile));
        assert_eq!(
            r,
            "this is a fixed-line number; the mobile field needs a mobile number (in France, 06 or 07)"
        );
        let r = reason_of(PhoneNumber::parse_fr(
            "06 23 42 54 55",
            PhoneKind::FixedLine,
        ));
        assert!(
            r.starts_with("this is a mobile number; the landline field"),
            "{r}"
        );
        let r = reason_of(PhoneNumber::parse_fr("09 72 12 34 56", PhoneKind::Mobile));
        assert!(
            r.starts_with("this is a VoIP number; the mobile field"),
            "{r}"
        );
        let r = reason_of(PhoneNumber::parse_fr(
            "08 00 12 34 56",
            PhoneKind::FixedLine,
        ));
        assert!(r.starts_with("this is a toll-free number"), "{r}");
        let r = reason_of(PhoneNumber::parse_fr("08 99 12 34 56", PhoneKind::Mobile));
        assert!(r.starts_with("this is a premium-rate number"), "{r}");
        let e = PhoneNumber::parse_fr("01 34 34 67 88", PhoneKind::Mobile).unwrap_err();
        assert_eq!(e.code(), "INVALID_PHONE");
        assert!(e.to_string().starts_with("invalid phone number: this is"));
    }

    #[test]
    fn french_box_numbers_are_landlines() {
        let n = PhoneNumber::parse_fr("09 72 12 34 56", PhoneKind::FixedLine).unwrap();
        assert_eq!(n.e164(), "+33972123456");
        assert_eq!(n.national_display(), "09 72 12 34 56");
        for typed in [
            "02 40 12 34 56",
            "03 20 12 34 56",
            "04 91 12 34 56",
            "05 61 12 34 56",
        ] {
            assert!(
                PhoneNumber::parse_fr(typed, PhoneKind::FixedLine).is_ok(),
                "{typed}"
            );
        }
        assert!(PhoneNumber::parse_fr("07 81 23 45 67", PhoneKind::Mobile).is_ok());
    }

    #[test]
    fn other_countries() {
        let uk = PhoneNumber::parse("+44", "07400 123456", PhoneKind::Mobile).unwrap();
        assert_eq!(uk.e164(), "+447400123456");
        assert_eq!(uk.national_display(), "07400 123456");
        let uk_fixed = PhoneNumber::parse("44", "020 7946 0018", PhoneKind::FixedLine).unwrap();
        assert_eq!(uk_fixed.e164(), "+442079460018");
        let de = PhoneNumber::parse("+49", "030 123456", PhoneKind::FixedLine).unwrap();
        assert_eq!(de.e164(), "+4930123456");
        // North America: mobile and fixed lines look alike, so both fields take them.
        let us2 = PhoneNumber::parse("+1", "201 555 0123", PhoneKind::FixedLine).unwrap();
        assert_eq!(us2.e164(), "+12015550123");
        assert_eq!(us2.calling_code(), 1);
        let us = PhoneNumber::parse("+1", "(201) 555-0123", PhoneKind::Mobile).unwrap();
        assert_eq!(
            us,
            PhoneNumber {
                kind: PhoneKind::Mobile,
                ..us2.clone()
            }
        );
        let be = PhoneNumber::parse("+32", "0470 12 34 56", PhoneKind::Mobile).unwrap();
        assert_eq!(be.calling_code(), 32);
        // Overseas France has its own codes: Réunion.
        let re = PhoneNumber::parse("+262", "0692 12 34 56", PhoneKind::Mobile).unwrap();
        assert_eq!(re.e164(), "+262692123456");
        assert_eq!(re.calling_code(), 262);
    }

    #[test]
    fn leading_plus_is_international_whatever_the_dropdown() {
        let n = PhoneNumber::parse("+33", "+32 470 12 34 56", PhoneKind::Mobile).unwrap();
        assert_eq!(n.e164(), "+32470123456");
        // Even with a malformed dropdown value: the typed code is used.
        let n = PhoneNumber::parse("", "+33 6 23 42 54 55", PhoneKind::Mobile).unwrap();
        assert_eq!(n.e164(), "+33623425455");
    }

    #[test]
    fn malformed_numbers_are_refused() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("06 23 42 54 5X", "letters are not accepted"),
            ("zero six", "letters are not accepted"),
            ("06_23_42", "only digits"),
            ("06;23", "only digits"),
            ("06 23 42 54 55 ext. 12", "letters are not accepted"),
            ("12", "too short"),
            ("+", "too short"),
            ("06 23 42 54", "not a valid number for +33"),
            ("06 23 42 54 55 66", "not a valid number for +33"),
            // A leading 00 is the international prefix: this names no country.
            ("00 00 00 00 00", "unknown country calling code"),
            ("--..//()", "too short"),
            ("1234567890123456789", "too many digits"),
            ("1234567890 1234567890 12345", "too many digits"),
            (&"0".repeat(41), "longer than 40 characters"),
        ];
        for (typed, expected) in cases {
            let r = reason_of(PhoneNumber::parse_fr(typed, PhoneKind::Mobile));
            assert!(r.contains(expected), "{typed:?}: {r}");
            assert!(
                r.contains("expected") || r.contains("accepted") || r.contains("type"),
                "{typed:?}: {r}"
            );
        }
    }

    #[test]
    fn from_e164_revalidates() {
        let n = PhoneNumber::from_e164("+33623425455", PhoneKind::Mobile).unwrap();
        assert_eq!(
            n,
            PhoneNumber::parse_fr("06 23 42 54 55", PhoneKind::Mobile).unwrap()
        );
        for bad in [
            "",
            "+",
            "33623425455",
            "+33 6 23 42 54 55",
            "+0033623425455",
            "+336234254551234567890",
            "+33a23425455",
        ] {
            let r = reason_of(PhoneNumber::from_e164(bad, PhoneKind::Mobile));
            assert!(r.contains("E.164"), "{bad:?}: {r}");
        }
        let r = reason_of(PhoneNumber::from_e164("+33623425455", PhoneKind::FixedLine));
        assert!(r.contains("mobile number"), "{r}");
        let r = reason_of(PhoneNumber::from_e164("+3362342545", PhoneKind::Mobile));
        assert!(r.contains("not a valid number"), "{r}");
        let r = reason_of(PhoneNumber::from_e164("+330623425455", PhoneKind::Mobile));
        assert!(r.contains("canonical E.164"), "{r}");
    }

    #[test]
    fn serde_shape_and_validation() {
        let n = PhoneNumber::parse_fr("06 23 42 54 55", PhoneKind::Mobile).unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, r#"{"e164":"+33623425455","kind":"mobile"}"#);
        assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), n);
        let f = PhoneNumber::parse_fr("01 34 34 67 88", PhoneKind::FixedLine).unwrap();
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"e164": "+33134346788", "kind": "fixed_line"})
        );
        for bad in [
            r#"{"e164":"+33134346788","kind":"mobile"}"#,
            r#"{"e164":"0623425455","kind":"mobile"}"#,
            r#"{"e164":"+33623425455","kind":"pager"}"#,
            r#"{"e164":"+33623425455"}"#,
            r#""+33623425455""#,
        ] {
            assert!(serde_json::from_str::<PhoneNumber>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<PhoneNumber>(r#"{"e164":"+33134346788","kind":"mobile"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("fixed-line"), "{err}");
    }

    #[test]
    fn phone_kind_codes_and_labels() {
        for k in PhoneKind::ALL {
            assert_eq!(PhoneKind::from_code(k.code()).unwrap(), *k);
            assert_eq!(k.to_string(), k.code());
            assert_eq!(k.code().parse::<PhoneKind>().unwrap(), *k);
            assert_eq!(
                serde_json::to_string(k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
        assert_eq!(PhoneKind::Mobile.label(Locale::Fr), "Mobile");
        assert_eq!(PhoneKind::Mobile.label(Locale::En), "Mobile");
        assert_eq!(PhoneKind::FixedLine.label(Locale::Fr), "Fixe");
        assert_eq!(PhoneKind::FixedLine.label(Locale::En), "Landline");
        assert_eq!(
            PhoneKind::from_code(" FIXED_LINE ").unwrap(),
            PhoneKind::FixedLine
        );
        let e = PhoneKind::from_code("landline").unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_CODE");
        assert!(e.to_string().contains("mobile, fixed_line"));
    }

    #[test]
    fn accepts_matrix() {
        use Type as T;
        for t in [T::Mobile, T::FixedLineOrMobile] {
            assert!(PhoneKind::Mobile.accepts(t));
        }
        for t in [T::FixedLine, T::FixedLineOrMobile, T::Voip] {
            assert!(PhoneKind::FixedLine.accepts(t));
        }
        for t in [
            T::TollFree,
            T::PremiumRate,
            T::SharedCost,
            T::PersonalNumber,
            T::Pager,
            T::Uan,
            T::Emergency,
            T::Voicemail,
            T::ShortCode,
            T::StandardRate,
            T::Carrier,
            T::NoInternational,
            T::Unknown,
        ] {
            assert!(!PhoneKind::Mobile.accepts(t) && !PhoneKind::FixedLine.accepts(t));
            assert!(!describe(t).is_empty());
        }
    }

    #[test]
    fn never_panics_for_any_calling_code_on_short_or_idd_input() {
        let inputs = [
            "000",
            "001",
            "0011",
            "00 1",
            "011",
            "0111",
            "010",
            "8 10",
            "810",
            "00 33",
            "0033",
            "00 33 6",
            "+1",
            "+12",
            "+123",
            "+0",
            "+00",
            "+800",
            "+800 1234 5678",
            "99999",
            "0000000000000",
            "1 (2) 3",
            "+44 (0)",
            "0 0 0",
            "9999999999999999",
        ];
        let codes: std::collections::BTreeSet<u16> =
            DATABASE.iter().map(|m| m.country_code()).collect();
        assert!(codes.len() > 200);
        for code in codes {
            let cc = format!("+{code}");
            for typed in inputs {
                for kind in [PhoneKind::Mobile, PhoneKind::FixedLine] {
                    let _ = PhoneNumber::parse(&cc, typed, kind);
                }
            }
        }
        // Non-geographic codes parse without a region.
        assert_eq!(parse_calling_code("+800").unwrap(), 800);
        assert!(region_of(800).is_none());
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_input(cc in "\\PC{0,6}", s in "\\PC{0,50}") {
            for kind in [PhoneKind::Mobile, PhoneKind::FixedLine] {
                let _ = PhoneNumber::parse(&cc, &s, kind);
                let _ = PhoneNumber::from_e164(&s, kind);
            }
        }

        #[test]
        fn never_panics_on_phone_like_input(
            cc in "\\+?[0-9]{0,4}|\\+(33|1|44|7|39|49|262|800|882|979)",
            s in "\\+?[0-9 .()/-]{0,30}",
        ) {
            for kind in [PhoneKind::Mobile, PhoneKind::FixedLine] {
                if let Ok(n) = PhoneNumber::parse(&cc, &s, kind) {
                    // Whatever parses re-parses from storage to the same value.
                    prop_assert_eq!(PhoneNumber::from_e164(n.e164(), kind).unwrap(), n.clone());
                }
                let _ = PhoneNumber::from_e164(&s, kind);
            }
        }

        #[test]
        fn french_mobiles_roundtrip(d in "[67][0-9]{8}") {
            if let Ok(n) = PhoneNumber::parse_fr(&format!("0{d}"), PhoneKind::Mobile) {
                prop_assert_eq!(n.e164(), format!("+33{d}"));
                let again = PhoneNumber::parse_fr(n.national_display(), PhoneKind::Mobile).unwrap();
                prop_assert_eq!(&again, &n);
                let json = serde_json::to_string(&n).unwrap();
                prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), n.clone());
                prop_assert_eq!(PhoneNumber::from_e164(n.e164(), n.kind()).unwrap(), n);
            }
        }

        #[test]
        fn french_landlines_roundtrip(d in "[1-5][0-9]{8}") {
            // Not every block of 01 to 05 is allocated: only the valid ones must round-trip.
            let Ok(n) = PhoneNumber::parse_fr(&format!("0{d}"), PhoneKind::FixedLine) else {
                return Ok(());
            };
            prop_assert_eq!(n.e164(), format!("+33{d}"));
            let display = n.national_display().to_owned();
            prop_assert_eq!(
                PhoneNumber::parse("+33", &display, PhoneKind::FixedLine).unwrap(),
                n.clone()
            );
            prop_assert!(PhoneNumber::parse_fr(&display, PhoneKind::Mobile).is_err());
            let json = serde_json::to_string(&n).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), n);
        }
    }
}

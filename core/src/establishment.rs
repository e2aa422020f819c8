//! Establishments ("établissement", "point de vente"): `GARAGE XYZ`, code `T99999`, `VILLE 1`.

use crate::regime::Regime;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// An establishment's code: 1 to 16 ASCII letters and digits, stored upper case (`T99999`).
/// Repairers registering themselves get `R` followed by six digits (`R000001`).
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// let code: EstablishmentCode = " t99999 ".parse().unwrap();
/// assert_eq!(code.as_str(), "T99999");
/// assert_eq!(EstablishmentCode::repairer(1).as_str(), "R000001");
/// assert_eq!("T-1".parse::<EstablishmentCode>().unwrap_err().code(), "INVALID_ESTABLISHMENT_CODE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EstablishmentCode(String);

impl EstablishmentCode {
    /// Longest accepted code.
    pub const MAX_LEN: usize = 16;

    /// Parses and normalises a code (trimmed, upper case).
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::InvalidEstablishmentCode { reason: "empty" });
        }
        if s.len() > Self::MAX_LEN {
            return Err(Error::InvalidEstablishmentCode { reason: "too long" });
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::InvalidEstablishmentCode {
                reason: "only letters A-Z and digits 0-9 are allowed",
            });
        }
        Ok(EstablishmentCode(s.to_ascii_uppercase()))
    }

    /// The code a self-registered repairer gets: `R` and the sequence number on six digits.
    pub fn repairer(sequence: u64) -> Self {
        EstablishmentCode(format!("R{sequence:06}"))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for EstablishmentCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EstablishmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EstablishmentCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for EstablishmentCode {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for EstablishmentCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An establishment: a dealer's point of sale (with its insurance regime) or a repairer's
/// workshop (no regime).
///
/// ```
/// use dealer_portal::{establishment::Establishment, regime::Regime};
/// let e = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance)).unwrap();
/// assert_eq!(e.code.as_str(), "T99999");
/// assert!(Establishment::new("T1", "  ", "VILLE", None).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Establishment {
    /// Its code, unique across the portal.
    pub code: EstablishmentCode,
    /// Its name (`GARAGE XYZ`).
    pub name: String,
    /// Its city (`VILLE 1`).
    pub city: String,
    /// Its insurance regime; `None` for a repairer.
    pub regime: Option<Regime>,
}

impl Establishment {
    /// Longest accepted name or city, in characters.
    pub const MAX_TEXT: usize = 200;

    /// Validates and builds an establishment: name and city are trimmed, 1 to 200 characters,
    /// without control characters.
    pub fn new(code: &str, name: &str, city: &str, regime: Option<Regime>) -> Result<Self> {
        Ok(Establishment {
            code: EstablishmentCode::parse(code)?,
            name: text("establishment name", name)?,
            city: text("establishment city", city)?,
            regime,
        })
    }
}

fn text(field: &'static str, s: &str) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > Establishment::MAX_TEXT {
        return Err(Error::InvalidInput {
            field,
            reason: format!(
                "expected 1 to {} characters, got {n}",
                Establishment::MAX_TEXT
            ),
        });
    }
    if t.chars().any(char::is_control) {
        return Err(Error::InvalidInput {
            field,
            reason: "control characters are not allowed".into(),
        });
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_codes_parse() {
        for c in ["T99999", "T88888", "t31", "R000001"] {
            assert_eq!(
                EstablishmentCode::parse(c).unwrap().as_str(),
                c.to_ascii_uppercase()
            );
        }
    }

    #[test]
    fn bad_codes_are_errors() {
        for c in ["", "   ", "T 99", "T-99", "ÉTAB", &"A".repeat(17)] {
            assert_eq!(
                EstablishmentCode::parse(c).unwrap_err().code(),
                "INVALID_ESTABLISHMENT_CODE",
                "{c:?}"
            );
        }
    }

    #[test]
    fn serde_validates() {
        let c: EstablishmentCode = serde_json::from_str("\"t99999\"").unwrap();
        assert_eq!(c.as_str(), "T99999");
        assert!(serde_json::from_str::<EstablishmentCode>("\"T 9\"").is_err());
        let e = Establishment::new(
            "T88888",
            "GARAGE UVW",
            "VILLE 2",
            Some(Regime::DelegatedManagement),
        )
        .unwrap();
        let back: Establishment =
            serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn name_and_city_are_checked() {
        assert_eq!(
            Establishment::new("T1", "", "V", None).unwrap_err().code(),
            "INVALID_INPUT"
        );
        assert_eq!(
            Establishment::new("T1", "G", "V\u{7}", None)
                .unwrap_err()
                .code(),
            "INVALID_INPUT"
        );
        let e = Establishment::new("T1", "  GARAGE  ", " VILLE 1 ", None).unwrap();
        assert_eq!((e.name.as_str(), e.city.as_str()), ("GARAGE", "VILLE 1"));
    }

    proptest::proptest! {
        #[test]
        fn code_roundtrip(s in "[A-Za-z0-9]{1,16}") {
            let c = EstablishmentCode::parse(&s).unwrap();
            proptest::prop_assert_eq!(EstablishmentCode::parse(&c.to_string()).unwrap(), c);
        }
        #[test]
        fn code_never_panics(s in "\\PC{0,40}") {
            let _ = EstablishmentCode::parse(&s);
        }
    }
}

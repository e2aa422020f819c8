//! Locales for labels and notifications, and the trait every coded enum implements.

use serde::{Deserialize, Serialize};

/// The languages labels exist in. French is the portal's language and the default.
///
/// ```
/// use dealer_portal::Locale;
/// assert_eq!("en".parse::<Locale>().unwrap(), Locale::En);
/// assert_eq!(Locale::default(), Locale::Fr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// French (the portal's own).
    #[default]
    Fr,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 code, `fr` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }
}

impl std::str::FromStr for Locale {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, UnknownCode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-fr" => Ok(Locale::Fr),
            "en" | "en-gb" | "en-us" => Ok(Locale::En),
            _ => Err(UnknownCode {
                what: "locale",
                value: s.into(),
                accepted: "fr, en",
            }),
        }
    }
}

/// An enum with a stable snake_case code and labels in French and English.
///
/// ```
/// use dealer_portal::{Coded, Locale, Right};
/// assert_eq!(Right::ManageAccounts.code(), "manage_accounts");
/// assert_eq!(Right::ManageAccounts.label(Locale::Fr), "Gérer les comptes");
/// assert_eq!(Right::from_code("manage_accounts").unwrap(), Right::ManageAccounts);
/// ```
pub trait Coded: Sized + Copy + 'static {
    /// Every value, in the canonical order.
    const ALL: &'static [Self];
    /// What the values are called in errors (`"right"`, `"regime"`...).
    const WHAT: &'static str;
    /// The accepted codes, comma-separated, for error messages.
    const ACCEPTED: &'static str;
    /// The stable snake_case code.
    fn code(self) -> &'static str;
    /// The label in a locale.
    fn label(self, locale: Locale) -> &'static str;
    /// The value with this code (case-insensitive, surrounding space ignored).
    fn from_code(code: &str) -> Result<Self, UnknownCode> {
        let wanted = code.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownCode {
                what: Self::WHAT,
                value: code.chars().take(64).collect(),
                accepted: Self::ACCEPTED,
            })
    }
}

/// Implements `Serialize`/`Deserialize` (as the code), `Display` (the code) and `FromStr` for a
/// [`Coded`] enum.
macro_rules! coded_serde {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::locale::Coded::code(*self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$t as $crate::locale::Coded>::from_code(&s).map_err(serde::de::Error::custom)
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::locale::Coded::code(*self))
            }
        }
        impl std::str::FromStr for $t {
            type Err = $crate::locale::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t as $crate::locale::Coded>::from_code(s)
            }
        }
    };
}
pub(crate) use coded_serde;

/// A code that names none of a coded enum's values: what [`Coded::from_code`] answers. It
/// becomes the library error `UNKNOWN_CODE` through `?`.
///
/// ```
/// use dealer_portal::{Coded, Right};
/// let e = Right::from_code("launch_missiles").unwrap_err();
/// assert_eq!(e.code(), "UNKNOWN_CODE");
/// assert!(e.to_string().contains("accepted: quotes_and_subscriptions"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// What kind of value it is (`"right"`, `"regime"`, ...).
    pub what: &'static str,
    /// The value given (at most 64 characters of it; never a secret).
    pub value: String,
    /// The accepted codes, comma-separated.
    pub accepted: &'static str,
}

impl UnknownCode {
    /// The library's stable code for it, `UNKNOWN_CODE`.
    pub fn code(&self) -> &'static str {
        "UNKNOWN_CODE"
    }
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown {} {:?}; accepted: {}",
            self.what, self.value, self.accepted
        )
    }
}

impl std::error::Error for UnknownCode {}

impl From<UnknownCode> for crate::Error {
    fn from(e: UnknownCode) -> Self {
        crate::Error::UnknownCode {
            what: e.what,
            value: e.value,
            accepted: e.accepted,
        }
    }
}

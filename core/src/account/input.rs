//! What people type to create accounts: the administrator's declaration (seed §1), a new user
//! ("Création d'un nouvel utilisateur", seed §2) and a repairer's own registration, each parsed
//! once into valid values.

use crate::email::Email;
use crate::names::PersonName;
use crate::phone::PhoneNumber;
use crate::{Error, Result};

/// The administrator's declaration made via the manager's extranet (Nom, Prénom, Fonction, Mail).
///
/// ```
/// use dealer_portal::account::Declaration;
/// let d = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant").unwrap();
/// assert_eq!(d.email.as_str(), "admin@garage-xyz.fr");
/// assert_eq!(Declaration::new("x", "A", "B", "C").unwrap_err().code(), "INVALID_EMAIL");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Mail.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Fonction (job title), trimmed, at most 100 characters; may be empty.
    pub function: String,
}

impl Declaration {
    /// Validates every field.
    pub fn new(email: &str, last_name: &str, first_name: &str, function: &str) -> Result<Self> {
        Ok(Declaration {
            email: email.parse()?,
            last_name: last_name.parse()?,
            first_name: first_name.parse()?,
            function: function_text(function)?,
        })
    }
}

/// A function (job title, "Fonction"): required ("Mention obligatoire"), trimmed, 1 to 100
/// characters without control characters.
fn function_text(s: &str) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > 100 || t.chars().any(char::is_control) {
        return Err(Error::InvalidInput {
            field: "function",
            reason: "expected 1 to 100 characters, without control characters (the function \
                     is required)"
                .into(),
        });
    }
    Ok(t.to_owned())
}

/// What a profile edit changes: each `None` keeps the field. Phones: `Some(None)` clears one.
///
/// ```
/// use dealer_portal::account::ProfileUpdate;
/// let u = ProfileUpdate::from_fields(None, Some("Éric"), Some("Gérant"), Some("06 23 42 54 55"),
///     Some("")).unwrap();
/// assert_eq!(u.first_name.unwrap().as_str(), "Éric");
/// assert_eq!(u.mobile.unwrap().unwrap().e164(), "+33623425455");
/// assert_eq!(u.landline, Some(None), "an empty phone clears it");
/// assert_eq!(ProfileUpdate::from_fields(None, None, Some(" "), None, None).unwrap_err().code(),
///     "INVALID_INPUT");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    /// Nom.
    pub last_name: Option<PersonName>,
    /// Prénom.
    pub first_name: Option<PersonName>,
    /// Fonction (required: it can be changed, not emptied).
    pub function: Option<String>,
    /// The mobile phone; `Some(None)` removes it.
    pub mobile: Option<Option<PhoneNumber>>,
    /// The landline; `Some(None)` removes it.
    pub landline: Option<Option<PhoneNumber>>,
}

impl ProfileUpdate {
    /// Parses a profile form: `None` keeps a field; a phone given as blank text clears it, and
    /// is otherwise typed as [`PhoneNumber::parse_fr`] reads it (+33 unless it starts with `+`
    /// or `00`), of the field's kind.
    pub fn from_fields(
        last_name: Option<&str>,
        first_name: Option<&str>,
        function: Option<&str>,
        mobile: Option<&str>,
        landline: Option<&str>,
    ) -> Result<Self> {
        let phone = |typed: Option<&str>, kind| -> Result<Option<Option<PhoneNumber>>> {
            Ok(match typed {
                None => None,
                Some(t) if t.trim().is_empty() => Some(None),
                Some(t) => Some(Some(PhoneNumber::parse_fr(t, kind)?)),
            })
        };
        Ok(ProfileUpdate {
            last_name: last_name.map(str::parse).transpose()?,
            first_name: first_name.map(str::parse).transpose()?,
            function: function.map(function_text).transpose()?,
            mobile: phone(mobile, crate::phone::PhoneKind::Mobile)?,
            landline: phone(landline, crate::phone::PhoneKind::FixedLine)?,
        })
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ProfileUpdate::default()
    }
}

/// A new user as typed on "Création d'un nouvel utilisateur".
///
/// ```
/// use dealer_portal::account::NewUser;
/// let u = NewUser::new("GELOEN", "Alexandre", "alexandre@gmail.com")
///     .unwrap()
///     .with_mobile("+33", "06 23 42 54 55")
///     .unwrap();
/// assert_eq!(u.mobile.unwrap().e164(), "+33623425455");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Identifiant/Email.
    pub email: Email,
    /// Numéro de téléphone mobile (optionnel).
    pub mobile: Option<PhoneNumber>,
    /// Numéro de téléphone fixe (optionnel).
    pub landline: Option<PhoneNumber>,
}

impl NewUser {
    /// Validates names and email.
    pub fn new(last_name: &str, first_name: &str, email: &str) -> Result<Self> {
        Ok(NewUser {
            last_name: last_name.parse()?,
            first_name: first_name.parse()?,
            email: email.parse()?,
            mobile: None,
            landline: None,
        })
    }
    /// A new user from a form's or a binding's fields: names and email, and optional phones as
    /// typed, +33 unless a number starts with `+` or `00` (see [`PhoneNumber::parse_fr`]).
    /// Blank phones count as absent. What every binding calls.
    ///
    /// ```
    /// use dealer_portal::account::NewUser;
    /// let u = NewUser::from_fields("Dupont", "Éric", "eric@garage.fr", Some("06 23 42 54 55"),
    ///     Some("0033 1 34 34 67 88")).unwrap();
    /// assert_eq!(u.mobile.unwrap().e164(), "+33623425455");
    /// assert_eq!(u.landline.unwrap().e164(), "+33134346788");
    /// let err = NewUser::from_fields("Dupont", "Éric", "eric@garage.fr", Some("01 34 34 67 88"), None);
    /// assert_eq!(err.unwrap_err().code(), "INVALID_PHONE");
    /// ```
    pub fn from_fields(
        last_name: &str,
        first_name: &str,
        email: &str,
        mobile: Option<&str>,
        landline: Option<&str>,
    ) -> Result<Self> {
        let blank = |s: &&str| !s.trim().is_empty();
        let phone = |typed: Option<&str>, kind| {
            typed
                .filter(blank)
                .map(|t| PhoneNumber::parse_fr(t, kind))
                .transpose()
        };
        let user = NewUser::new(last_name, first_name, email)?;
        Ok(NewUser {
            mobile: phone(mobile, crate::phone::PhoneKind::Mobile)?,
            landline: phone(landline, crate::phone::PhoneKind::FixedLine)?,
            ..user
        })
    }

    /// Adds a mobile number (country calling code such as `+33`, national number as typed).
    pub fn with_mobile(mut self, calling_code: &str, national: &str) -> Result<Self> {
        self.mobile = Some(PhoneNumber::parse(
            calling_code,
            national,
            crate::phone::PhoneKind::Mobile,
        )?);
        Ok(self)
    }
    /// Adds a landline number.
    pub fn with_landline(mut self, calling_code: &str, national: &str) -> Result<Self> {
        self.landline = Some(PhoneNumber::parse(
            calling_code,
            national,
            crate::phone::PhoneKind::FixedLine,
        )?);
        Ok(self)
    }
}

/// A repairer's own registration ("Vous êtes réparateur ? Créer un compte"): who, and the
/// company that becomes the repairer's establishment.
///
/// ```
/// use dealer_portal::account::RepairerRegistration;
/// let r = RepairerRegistration::new("atelier@durand.fr", "Durand", "Marc", " Garage Durand ", "Lyon")
///     .unwrap();
/// assert_eq!(r.company, "Garage Durand");
/// let err = RepairerRegistration::new("atelier@durand.fr", "Durand", "Marc", "", "Lyon");
/// assert_eq!(err.unwrap_err().code(), "INVALID_INPUT");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairerRegistration {
    /// Identifiant/Email.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// The company's name, the establishment's name (trimmed, 1 to 200 characters).
    pub company: String,
    /// The company's city.
    pub city: String,
}

impl RepairerRegistration {
    /// Validates every field: the email and names as for any account, the company and city as
    /// an establishment's name and city.
    pub fn new(
        email: &str,
        last_name: &str,
        first_name: &str,
        company: &str,
        city: &str,
    ) -> Result<Self> {
        let email = email.parse()?;
        let last_name = last_name.parse()?;
        let first_name = first_name.parse()?;
        // The establishment's code is assigned at registration; a placeholder checks the rest.
        let e = crate::establishment::Establishment::new("R0", company, city, None)?;
        Ok(RepairerRegistration {
            email,
            last_name,
            first_name,
            company: e.name,
            city: e.city,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_validates_every_field() {
        assert_eq!(
            Declaration::new("a@b.fr", "", "B", "").unwrap_err().code(),
            "INVALID_NAME"
        );
        assert_eq!(
            Declaration::new("a@b.fr", "A", "B", &"x".repeat(101))
                .unwrap_err()
                .code(),
            "INVALID_INPUT"
        );
        // "Mention obligatoire": the function is required.
        assert_eq!(
            Declaration::new("a@b.fr", "A", "B", "  ")
                .unwrap_err()
                .code(),
            "INVALID_INPUT"
        );
        let d = Declaration::new(" Admin@Garage-XYZ.fr ", "Dupont", "Éric", " Gérant ").unwrap();
        assert_eq!(d.email.as_str(), "admin@garage-xyz.fr");
        assert_eq!(d.function, "Gérant");
    }

    #[test]
    fn new_user_phones_are_typed() {
        let u = NewUser::new("GELOEN", "Alexandre", "alexandre@gmail.com").unwrap();
        assert_eq!(
            u.clone()
                .with_mobile("+33", "01 34 34 67 88")
                .unwrap_err()
                .code(),
            "INVALID_PHONE"
        );
        let u = u.with_landline("+33", "01 34 34 67 88").unwrap();
        assert_eq!(u.landline.unwrap().e164(), "+33134346788");
    }
}

//! A person's profile: reading and editing it (names, function, both phones), and changing
//! one's email through a link sent to the new address.

use super::Portal;
use crate::convert::{iso, rights_map, to_account_id};
use crate::error::Result;
use crate::types::Right;
use dealer_portal::account::{self, ProfileUpdate};
use dealer_portal::email::Email;
use dealer_portal::phone::PhoneNumber;
use dealer_portal::{Coded, SecretString};
use std::collections::HashMap;

/// An account's profile ("Mon profil", or an account a manager opens).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountDetail {
    /// Its id.
    pub id: String,
    /// Its email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// Fonction.
    pub function: String,
    /// The mobile phone in E.164 (`+33623425455`).
    pub mobile: Option<String>,
    /// The landline in E.164.
    pub landline: Option<String>,
    /// The mobile phone in its country's national format (`06 23 42 54 55`).
    pub mobile_display: Option<String>,
    /// The landline in its country's national format.
    pub landline_display: Option<String>,
    /// `declared`, `invited`, `active` or `disabled`.
    pub state: String,
    /// `administrator`, `user` or `repairer`.
    pub role: String,
    /// When it was created, ISO 8601 UTC.
    pub created_at: String,
    /// Its last successful login, ISO 8601 UTC.
    pub last_login_at: Option<String>,
    /// Establishment code → rights: all of them for oneself; for a manager, those on the
    /// establishments the manager manages.
    pub rights: HashMap<String, Vec<Right>>,
}

impl From<account::AccountDetail> for AccountDetail {
    fn from(a: account::AccountDetail) -> Self {
        let e164 = |p: &Option<PhoneNumber>| p.as_ref().map(|n| n.e164().to_owned());
        let display = |p: &Option<PhoneNumber>| p.as_ref().map(|n| n.national_display().to_owned());
        AccountDetail {
            id: a.id.to_string(),
            email: a.email.as_str().to_owned(),
            last_name: a.last_name.to_string(),
            first_name: a.first_name.to_string(),
            mobile: e164(&a.mobile),
            landline: e164(&a.landline),
            mobile_display: display(&a.mobile),
            landline_display: display(&a.landline),
            function: a.function,
            state: a.state.code().to_owned(),
            role: a.role.code().to_owned(),
            created_at: iso(a.created_at),
            last_login_at: a.last_login_at.map(iso),
            rights: rights_map(&a.rights),
        }
    }
}

#[uniffi::export]
impl Portal {
    /// An account's profile: one's own, or an account the actor can list; any other:
    /// `UNKNOWN_ACCOUNT`.
    pub fn account(&self, session_token: String, account_id: String) -> Result<AccountDetail> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.account(&session_token, id)?.into())
    }

    /// Edits a profile: `None` keeps a field, `""` clears a phone; phones are typed as people
    /// type them, each of its field's kind (`INVALID_PHONE` otherwise). One's own, or an
    /// account whose every establishment the actor manages; an account the actor cannot list:
    /// `UNKNOWN_ACCOUNT`; one it can list but not edit: `FORBIDDEN`. Answers the profile as it
    /// now is.
    #[allow(clippy::too_many_arguments)] // one argument per field of the form
    #[uniffi::method(default(
        last_name = None,
        first_name = None,
        function = None,
        mobile = None,
        landline = None
    ))]
    pub fn update_profile(
        &self,
        session_token: String,
        account_id: String,
        last_name: Option<String>,
        first_name: Option<String>,
        function: Option<String>,
        mobile: Option<String>,
        landline: Option<String>,
    ) -> Result<AccountDetail> {
        let id = to_account_id(&account_id)?;
        let update = ProfileUpdate::from_fields(
            last_name.as_deref(),
            first_name.as_deref(),
            function.as_deref(),
            mobile.as_deref(),
            landline.as_deref(),
        )?;
        Ok(self
            .inner
            .update_profile(&session_token, id, &update)?
            .into())
    }

    /// Asks to change the session's account's email, with the current password (a wrong one
    /// is `INVALID_CREDENTIALS` and counts toward the lockout): a link goes to the new address
    /// (`email_change`), a notice to the current one (`email_change_requested`). A taken new
    /// address gets the same answer (its owner gets `account_exists`).
    pub fn request_email_change(
        &self,
        session_token: String,
        new_email: String,
        current_password: String,
    ) -> Result<()> {
        let current_password = SecretString::from(current_password); // wiped when it drops
        let new_email = Email::parse(&new_email)?;
        Ok(self.inner.request_email_change(
            &session_token,
            &new_email,
            current_password.expose(),
        )?)
    }

    /// Confirms an email change with the link sent to the new address: the email changes and
    /// every link and session of the account ends. An unusable link: `TOKEN_INVALID`.
    pub fn confirm_email_change(&self, token: String) -> Result<()> {
        Ok(self.inner.confirm_email_change(&token)?)
    }
}

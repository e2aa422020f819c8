//! Profiles (one's own, and those a manager can list) and the email change.

use super::{Core, Job, Portal, parse_account_id};
use crate::raw::Password;
use crate::values::AccountDetail;
use dealer_portal::Error;
use dealer_portal::account::ProfileUpdate as CoreProfileUpdate;
use dealer_portal::email::Email;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// The fields `updateProfile` changes: a field left out (or `undefined`) keeps its value; an
/// empty phone clears it. Phones as typed; the core reads them.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ProfileUpdate {
    /// Nom.
    pub last_name: Option<String>,
    /// Prénom.
    pub first_name: Option<String>,
    /// Fonction (it can be changed, not emptied).
    pub function: Option<String>,
    /// The mobile number as typed (`06 23 42 54 55`, `+32 …`); "" removes it.
    pub mobile: Option<String>,
    /// The landline number as typed; "" removes it.
    pub landline: Option<String>,
}

portal_methods! {
    #[doc = "An account's profile: one's own, or one the actor can list (else UNKNOWN_ACCOUNT)."]
    fn account / account_async(session_token: String, account_id: String) -> AccountDetail as "Promise<AccountDetail>"
    |p| { p.account(&session_token, parse_account_id(&account_id)?).map(AccountDetail::from) }

    #[doc = "Edits a profile (one's own, or one whose every establishment the actor manages) and"]
    #[doc = "returns it. An account the actor cannot list is UNKNOWN_ACCOUNT; one it can list but"]
    #[doc = "not edit, FORBIDDEN."]
    fn update_profile / update_profile_async(
        session_token: String,
        account_id: String,
        update: Option<ProfileUpdate>,
    ) -> AccountDetail as "Promise<AccountDetail>"
    |p| {
        let u = update.unwrap_or_default();
        let update = CoreProfileUpdate::from_fields(
            u.last_name.as_deref(),
            u.first_name.as_deref(),
            u.function.as_deref(),
            u.mobile.as_deref(),
            u.landline.as_deref(),
        )?;
        p.update_profile(&session_token, parse_account_id(&account_id)?, &update)
            .map(AccountDetail::from)
    }

    #[doc = "Asks to change the session's account's email, with the current password: a link goes"]
    #[doc = "to the new address (`email_change`) and a notice to the current one"]
    #[doc = "(`email_change_requested`). A taken address gets the same answer (its owner is told)."]
    #[doc = "A wrong password is INVALID_CREDENTIALS and counts toward the lockout."]
    fn request_email_change / request_email_change_async(
        session_token: String,
        new_email: String,
        current_password: Password as "string",
    ) -> () as "Promise<void>"
    |p| { p.request_email_change(&session_token, &Email::parse(&new_email)?, &current_password) }

    #[doc = "Confirms an email change with the link sent to the new address: the email changes and"]
    #[doc = "every link and session of the account end."]
    fn confirm_email_change / confirm_email_change_async(token: String) -> () as "Promise<void>"
    |p| { p.confirm_email_change(&token) }
}

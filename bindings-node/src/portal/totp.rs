//! Two-factor login (TOTP): enrolment, its confirmation with recovery codes, disabling it, a
//! manager's reset. `login(email, password, { otp })` is in `sessions.rs`. The calls that check
//! a password (argon2) have `…Async` variants, as every portal method does.

use super::{Core, Job, Portal, parse_account_id};
use crate::raw::Password;
use dealer_portal::Error;
use dealer_portal::service::TotpEnrollment as CoreTotpEnrollment;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// What `beginTotpEnrollment` answers: show once (as text and as a QR code of `uri`).
#[napi(object, object_from_js = false)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// `otpauth://totp/...?secret=...&issuer=...`, for a QR code.
    pub uri: String,
}

impl From<CoreTotpEnrollment> for TotpEnrollment {
    fn from(e: CoreTotpEnrollment) -> Self {
        TotpEnrollment {
            secret: e.secret.expose().to_owned(),
            uri: e.uri.expose().to_owned(),
        }
    }
}

portal_methods! {
    #[doc = "Starts enrolling an authenticator app (the current password is checked; a wrong one"]
    #[doc = "is INVALID_CREDENTIALS and counts toward the lockout). Active after"]
    #[doc = "`confirmTotpEnrollment`. A restricted session may call it."]
    fn begin_totp_enrollment / begin_totp_enrollment_async(
        session_token: String,
        current_password: Password as "string",
    ) -> TotpEnrollment as "Promise<TotpEnrollment>"
    |p| { p.begin_totp_enrollment(&session_token, &current_password).map(TotpEnrollment::from) }

    #[doc = "Activates the pending second factor with a first code; answers the 10 recovery codes,"]
    #[doc = "shown once. A wrong code is MFA_INVALID."]
    fn confirm_totp_enrollment / confirm_totp_enrollment_async(
        session_token: String,
        code: String,
    ) -> Vec<String> as "Promise<Array<string>>"
    |p| {
        let codes = p.confirm_totp_enrollment(&session_token, &code)?;
        Ok(codes.iter().map(|c| c.expose().to_owned()).collect())
    }

    #[doc = "Removes one's second factor: the current password and a current code (or a recovery"]
    #[doc = "code). A wrong code is MFA_INVALID and counts toward the lockout."]
    fn disable_totp / disable_totp_async(
        session_token: String,
        current_password: Password as "string",
        code: String,
    ) -> () as "Promise<void>"
    |p| { p.disable_totp(&session_token, &current_password, &code) }

    #[doc = "Resets another account's second factor (lost phone): a manager of all its"]
    #[doc = "establishments; its owner gets a `totp_reset` notification."]
    fn reset_totp / reset_totp_async(session_token: String, account_id: String) -> () as "Promise<void>"
    |p| { p.reset_totp(&session_token, parse_account_id(&account_id)?) }
}

// `Error` is named by `portal_methods!`'s expansion.
const _: Option<Error> = None;

//! Two-factor login (TOTP): enrolment, its confirmation with recovery codes, disabling it, a
//! manager's reset. `login(..., otp)` is in [`access`](super::access).

use super::Portal;
use crate::convert::to_account_id;
use crate::error::Result;
use dealer_portal::SecretString;
use std::sync::Arc;

/// What `beginTotpEnrollment` answers: the new secret, to show once (as text, and as a QR code
/// of `uri()`). An object rather than a record, so printing it never shows the secret: it
/// prints as `TotpEnrollment(***)`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct TotpEnrollment {
    secret: SecretString,
    uri: SecretString,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollment(***)")
    }
}

#[uniffi::export]
impl TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app; never log it.
    pub fn secret(&self) -> String {
        self.secret.expose().to_owned()
    }
    /// `otpauth://totp/...?secret=...&issuer=...`, for a QR code; never log it.
    pub fn uri(&self) -> String {
        self.uri.expose().to_owned()
    }
}

#[uniffi::export]
impl Portal {
    /// Starts enrolling an authenticator app: the current password is checked (a wrong one is
    /// `INVALID_CREDENTIALS` and counts toward the lockout). Active after
    /// `confirm_totp_enrollment`. A restricted session may call it. Hashes: off the UI thread.
    pub fn begin_totp_enrollment(
        &self,
        session_token: String,
        current_password: String,
    ) -> Result<Arc<TotpEnrollment>> {
        let current = SecretString::from(current_password);
        let e = self
            .inner
            .begin_totp_enrollment(&session_token, current.expose())?;
        Ok(Arc::new(TotpEnrollment {
            secret: e.secret,
            uri: e.uri,
        }))
    }

    /// Activates the pending second factor with a first code (`MFA_INVALID` if wrong); answers
    /// the 10 recovery codes, shown once.
    pub fn confirm_totp_enrollment(&self, session_token: String, code: String) -> Result<Vec<String>> {
        let codes = self.inner.confirm_totp_enrollment(&session_token, &code)?;
        Ok(codes.iter().map(|c| c.expose().to_owned()).collect())
    }

    /// Removes one's second factor: the current password and a current code (or a recovery
    /// code); a wrong code is `MFA_INVALID`.
    pub fn disable_totp(
        &self,
        session_token: String,
        current_password: String,
        code: String,
    ) -> Result<()> {
        let current = SecretString::from(current_password);
        Ok(self
            .inner
            .disable_totp(&session_token, current.expose(), &code)?)
    }

    /// Resets another account's second factor (lost phone): a manager of all its
    /// establishments; its owner gets a `totp_reset` notification.
    pub fn reset_totp(&self, session_token: String, account_id: String) -> Result<()> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.reset_totp(&session_token, id)?)
    }
}

//! Two-factor login (TOTP): enrolment, its confirmation with recovery codes, disabling it, a
//! manager's reset. `login(..., otp)` is in [`access`](super::access).

use super::Portal;
use crate::convert::to_account_id;
use crate::error::Result;
use dealer_portal::SecretString;
use std::sync::Arc;

/// A secret of the enrolment (the base32 secret, or the `otpauth://` URI that holds it): an
/// object that prints as `TotpSecretText(***)`; `expose()` gives the value to show once.
#[derive(uniffi::Object, PartialEq, Eq)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct TotpSecretText(SecretString);

#[uniffi::export]
impl TotpSecretText {
    /// The text itself, to show once (or draw as a QR code); never log it.
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }
}

impl std::hash::Hash for TotpSecretText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.expose().hash(state);
    }
}

impl std::fmt::Debug for TotpSecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecretText(***)")
    }
}

impl std::fmt::Display for TotpSecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecretText(***)")
    }
}

/// What `begin_totp_enrollment` answers: the new secret, to show once, as text and as a QR
/// code of `uri`. Both print redacted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: Arc<TotpSecretText>,
    /// `otpauth://totp/...?secret=...&issuer=...`, for a QR code.
    pub uri: Arc<TotpSecretText>,
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
    ) -> Result<TotpEnrollment> {
        let current = SecretString::from(current_password);
        let e = self
            .inner
            .begin_totp_enrollment(&session_token, current.expose())?;
        Ok(TotpEnrollment {
            secret: Arc::new(TotpSecretText(e.secret)),
            uri: Arc::new(TotpSecretText(e.uri)),
        })
    }

    /// Activates the pending second factor with a first code (`MFA_INVALID` if wrong); answers
    /// the 10 recovery codes, shown once.
    pub fn confirm_totp_enrollment(
        &self,
        session_token: String,
        code: String,
    ) -> Result<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_texts_print_redacted() {
        let t = TotpSecretText(SecretString::from("GEZDGNBVGY3TQOJQ"));
        assert_eq!(format!("{t}"), "TotpSecretText(***)");
        assert!(!format!("{t:?}").contains("GEZD"));
        assert_eq!(t.expose(), "GEZDGNBVGY3TQOJQ");
    }
}

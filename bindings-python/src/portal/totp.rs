//! Two-factor login (TOTP): enrolment, confirmation with recovery codes, disabling, a
//! manager's reset. `login(..., otp=)` is in `mod.rs`. Each call releases the GIL.

use super::{Portal, account_id as parse_account_id};
use crate::errors::Res;
use dealer_portal::SecretString;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

/// What `Portal.begin_totp_enrollment` answers: the secret (base32) and the `otpauth://` URI
/// to show once. `repr` never shows them.
#[pyclass(module = "dealer_portal", frozen)]
pub(crate) struct TotpEnrollment {
    secret: SecretString,
    uri: SecretString,
}

#[pymethods]
impl TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app.
    #[getter]
    fn secret(&self) -> &str {
        self.secret.expose()
    }
    /// `otpauth://totp/...?secret=...&issuer=...`, for a QR code.
    #[getter]
    fn uri(&self) -> &str {
        self.uri.expose()
    }
    fn __repr__(&self) -> &'static str {
        "TotpEnrollment(secret=***, uri=***)"
    }
}

#[pymethods]
impl Portal {
    /// Starts enrolling an authenticator app (the current password is checked); active after
    /// `confirm_totp_enrollment`.
    fn begin_totp_enrollment(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        current_password: PyBackedStr,
    ) -> Res<TotpEnrollment> {
        let e = py.detach(|| {
            self.inner
                .begin_totp_enrollment(&session_token, &current_password)
        })?;
        Ok(TotpEnrollment {
            secret: e.secret,
            uri: e.uri,
        })
    }

    /// Activates the pending second factor with a first code; answers the 10 recovery codes
    /// (shown once). A wrong code: AuthError MFA_INVALID.
    fn confirm_totp_enrollment(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        code: PyBackedStr,
    ) -> Res<Vec<String>> {
        let codes = py.detach(|| self.inner.confirm_totp_enrollment(&session_token, &code))?;
        Ok(codes.iter().map(|c| c.expose().to_owned()).collect())
    }

    /// Removes one's second factor: the current password and a current code.
    fn disable_totp(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        current_password: PyBackedStr,
        code: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .disable_totp(&session_token, &current_password, &code)
        })?)
    }

    /// Resets another account's second factor (a manager of all its establishments); its
    /// owner gets a "totp_reset" notification.
    fn reset_totp(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            let id = parse_account_id(&account_id)?;
            self.inner.reset_totp(&session_token, id)
        })?)
    }
}

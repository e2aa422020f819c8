//! The one conversion from the core's [`Error`] to a Python exception.
//!
//! Every core error becomes an instance of one `PortalError` subclass, chosen by
//! [`Error::family`], carrying `.code` ([`Error::code`]), `.message` (the error's `Display`, which
//! never holds a secret) and `.criteria` ([`Error::failed_criteria`], empty unless the code is
//! `PASSWORD_POLICY`).

use dealer_portal::locale::UnknownCode;
use dealer_portal::{Error, ErrorFamily};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    dealer_portal,
    PortalError,
    PyException,
    "Every error of the portal: `.code` is the core's stable code (\"TOKEN_INVALID\", ...), \
     `.message` says what was wrong, `.criteria` lists the unmet password criteria for \
     PASSWORD_POLICY."
);
create_exception!(
    dealer_portal,
    ValidationError,
    PortalError,
    "Bad input: values, password policy, states, periods, queries."
);
create_exception!(
    dealer_portal,
    AuthError,
    PortalError,
    "Credentials and sessions: INVALID_CREDENTIALS, SESSION_INVALID, MFA_REQUIRED, MFA_INVALID, MFA_ENROLLMENT_REQUIRED."
);
create_exception!(
    dealer_portal,
    TokenError,
    PortalError,
    "Reset and activation links: TOKEN_INVALID, EMAIL_MISMATCH."
);
create_exception!(
    dealer_portal,
    ForbiddenError,
    PortalError,
    "Missing rights, rights escalation, last-manager rule."
);
create_exception!(
    dealer_portal,
    NotFoundError,
    PortalError,
    "Unknown establishment, account, session or notification."
);
create_exception!(
    dealer_portal,
    StorageError,
    PortalError,
    "The store failed."
);

/// The Python exception for a core error.
pub(crate) fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    let message = e.to_string();
    let err = match e.family() {
        ErrorFamily::Validation => ValidationError::new_err(message.clone()),
        ErrorFamily::Auth => AuthError::new_err(message.clone()),
        ErrorFamily::Token => TokenError::new_err(message.clone()),
        ErrorFamily::Forbidden => ForbiddenError::new_err(message.clone()),
        ErrorFamily::NotFound => NotFoundError::new_err(message.clone()),
        ErrorFamily::Storage => StorageError::new_err(message.clone()),
    };
    if let Err(failed) = set_details(py, &err, e.code(), message, e.failed_criteria()) {
        return failed;
    }
    err
}

fn set_details(
    py: Python<'_>,
    err: &PyErr,
    code: &str,
    message: String,
    criteria: Vec<&'static str>,
) -> PyResult<()> {
    let value = err.value(py);
    value.setattr(pyo3::intern!(py, "code"), code)?;
    value.setattr(pyo3::intern!(py, "message"), message)?;
    value.setattr(pyo3::intern!(py, "criteria"), PyList::new(py, criteria)?)?;
    Ok(())
}

/// Class-level defaults, so that a `PortalError` raised by Python code still has the attributes.
pub(crate) fn init_defaults(py: Python<'_>) -> PyResult<()> {
    let base = py.get_type::<PortalError>();
    base.setattr("code", "")?;
    base.setattr("message", "")?;
    base.setattr("criteria", PyList::empty(py))?;
    Ok(())
}

/// An error of a binding call: from the core, or from Python itself (a wrong argument type).
pub(crate) enum Fail {
    Core(Error),
    Py(PyErr),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Core(e)
    }
}

/// A code that names no member (`Right.from_code("fly")`): the core's `UNKNOWN_CODE`.
impl From<UnknownCode> for Fail {
    fn from(e: UnknownCode) -> Self {
        Fail::Core(Error::from(e))
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Self {
        Fail::Py(e)
    }
}

impl From<Fail> for PyErr {
    fn from(f: Fail) -> PyErr {
        match f {
            Fail::Py(e) => e,
            Fail::Core(e) => Python::attach(|py| to_py_err(py, &e)),
        }
    }
}

/// The result of a binding call.
pub(crate) type Res<T> = Result<T, Fail>;

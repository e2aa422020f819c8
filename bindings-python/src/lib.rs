//! `dealer_portal._native`: the Python binding of the `dealer-portal` core.
//!
//! A thin translation: arguments become core values, results become frozen Python value
//! classes, core errors become `PortalError` subclasses (one conversion, in [`errors`]). No
//! product rule lives here. The GIL is released around every call into the portal.

mod convert;
mod errors;
mod functions;
mod portal;
mod values;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    errors::init_defaults(py)?;
    m.add("PortalError", py.get_type::<errors::PortalError>())?;
    m.add("ValidationError", py.get_type::<errors::ValidationError>())?;
    m.add("AuthError", py.get_type::<errors::AuthError>())?;
    m.add("TokenError", py.get_type::<errors::TokenError>())?;
    m.add("ForbiddenError", py.get_type::<errors::ForbiddenError>())?;
    m.add("NotFoundError", py.get_type::<errors::NotFoundError>())?;
    m.add("StorageError", py.get_type::<errors::StorageError>())?;

    m.add_function(wrap_pyfunction!(functions::evaluate_password, m)?)?;
    m.add_function(wrap_pyfunction!(functions::expected_debits, m)?)?;
    m.add_function(wrap_pyfunction!(functions::reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(functions::parse_reference, m)?)?;
    m.add_function(wrap_pyfunction!(functions::support_directory, m)?)?;
    m.add_function(wrap_pyfunction!(values::visible_sections, m)?)?;
    m.add_function(wrap_pyfunction!(values::calling_codes, m)?)?;
    m.add_function(wrap_pyfunction!(values::screen_labels, m)?)?;
    m.add_class::<functions::PasswordHasher>()?;

    m.add_class::<values::PyRight>()?;
    m.add_class::<values::PyRegime>()?;
    m.add_class::<values::PySection>()?;
    m.add_class::<values::Establishment>()?;
    m.add_class::<values::Check>()?;
    m.add_class::<values::Evaluation>()?;
    m.add_class::<values::Session>()?;
    m.add_class::<values::SessionInfo>()?;
    m.add_class::<values::SessionSummary>()?;
    m.add_class::<values::AccountDetail>()?;
    m.add_class::<values::CallingCode>()?;
    m.add_class::<values::ScreenLabel>()?;
    m.add_class::<values::Notification>()?;
    m.add_class::<values::TokenStatus>()?;
    m.add_class::<values::MaintenanceReport>()?;
    m.add_class::<values::AccountSummary>()?;
    m.add_class::<values::AccountPage>()?;
    m.add_class::<values::Document>()?;
    m.add_class::<values::DocumentPage>()?;
    m.add_class::<values::AuditEvent>()?;
    m.add_class::<values::DebitLine>()?;
    m.add_class::<values::ExpectedDebit>()?;
    m.add_class::<values::ReconciledDebit>()?;
    m.add_class::<values::Reconciliation>()?;
    m.add_class::<values::Reference>()?;
    m.add_class::<values::SupportChannel>()?;
    m.add_class::<values::SupportDirectory>()?;
    m.add_class::<values::UserImport>()?;
    m.add_class::<portal::AuditHead>()?;
    m.add_class::<portal::Portal>()?;
    Ok(())
}

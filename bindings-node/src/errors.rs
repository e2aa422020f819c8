//! The one conversion from the core's [`Error`] to a JavaScript error.
//!
//! Every core error becomes a plain JS `Error` (so `instanceof Error` holds and the stack points
//! at the caller) whose `name` is `"PortalError"`, `code` is [`Error::code`], `message` the
//! error's `Display` (which never holds a secret) and `criteria` [`Error::failed_criteria`] (the
//! unmet password criteria for `PASSWORD_POLICY`, empty otherwise). The object is built here
//! with the `Env` and handed to napi as an already-made JS value, which napi throws (sync calls)
//! or rejects the promise with (`…Async` calls) unchanged.
//!
//! A panic is never let out of the addon (unwinding into Node-API would abort the host): every
//! call into the core runs under [`guard`] (sync calls, and the `…Async` ones on the libuv pool),
//! which makes a panic the core's `STORAGE` error ("internal error"), so the caller gets a
//! `PortalError` like any other failure. The exports also carry napi-rs's `catch_unwind` as a
//! backstop for the argument and result conversions around that call.

use dealer_portal::Error;
use dealer_portal::error::StorageError;
use napi::bindgen_prelude::{JsObjectValue, JsValue};
use napi::{Env, Status};
use std::panic::AssertUnwindSafe;

/// What a panic in the addon becomes: the core's `STORAGE` code (its code for "the library
/// failed, not the caller"), with a fixed message (a panic's own message is not shown: it could
/// hold anything).
pub(crate) fn panicked() -> Error {
    Error::Storage(StorageError::new(
        "internal error in dealer-portal (a panic was caught)",
    ))
}

/// `f`, a panic in it made [`panicked`]. `AssertUnwindSafe`: what `f` shares is the portal,
/// whose stores commit whole transactions or none (an open SQLite transaction is rolled back by
/// its guard as the panic unwinds), so the portal stays usable afterwards.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(panicked()))
}

/// `f`, a napi-level body (conversions included), a panic in it thrown as [`panicked`]'s
/// `PortalError`.
pub(crate) fn guarded<T>(env: &Env, f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(js_error(env, &panicked())))
}

/// The JS error for a core error. If building it fails (the environment is shutting down), a
/// plain napi error with the same code as its status still carries the code.
pub(crate) fn js_error(env: &Env, e: &Error) -> napi::Error {
    build(env, e).unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, e.to_string()))
}

fn build(env: &Env, e: &Error) -> napi::Result<napi::Error> {
    let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, e.to_string()))?;
    obj.set_named_property("name", "PortalError")?;
    obj.set_named_property("code", e.code())?;
    obj.set_named_property("criteria", e.failed_criteria())?;
    Ok(napi::Error::from(obj.to_unknown()))
}

/// A core result as a napi result, the error made into a JS `PortalError`.
pub(crate) fn check<T>(env: &Env, r: Result<T, Error>) -> napi::Result<T> {
    r.map_err(|e| js_error(env, &e))
}

/// A configuration object that does not deserialise into the core's type: the core's own
/// `INVALID_CONFIG` error.
pub(crate) fn invalid_config(e: impl std::fmt::Display) -> Error {
    Error::InvalidConfig {
        reason: e.to_string(),
    }
}

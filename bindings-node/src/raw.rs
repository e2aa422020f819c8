//! The few raw Node-API calls of `evaluatePassword`'s per-keystroke path, where napi-rs's
//! generic conversions cost more than the core's whole evaluation.
//!
//! Each `unsafe` block is one Node-API call on handles of the current callback, or the
//! ownership of the per-environment data, with its own `SAFETY:` note.
#![allow(unsafe_code)]

use crate::evaluation::Kept;
use napi::bindgen_prelude::{FromNapiValue, Function, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, JsError, check_status, sys};
use napi_derive::napi;
use std::ffi::c_void;
use std::ptr;

/// Strings shorter than `INLINE - 1` UTF-16 units (any password anyone types) are copied onto
/// the stack; longer ones take napi-rs's two-call path into a `String`.
const INLINE: usize = 128;

/// `f` applied to a JS string's contents as UTF-8: copied with one `napi_get_value_string_utf16`
/// call into a stack buffer (V8 copies the units as they are), then transcoded here, with no
/// heap allocation. The same text as napi-rs's `String` conversion gives (V8's `WriteUtf8`: a
/// lone surrogate becomes U+FFFD), and for a value that is not a string the same error.
pub(crate) fn with_str<R>(value: Unknown<'_>, f: impl FnOnce(&str) -> R) -> napi::Result<R> {
    let mut units = [0u16; INLINE];
    let mut len = 0;
    // SAFETY: `value` is a handle of the current callback's scope in its own environment (an
    // `Unknown` is only made from one); napi writes at most `INLINE` units (NUL included) into
    // `units` and the count it wrote (NUL excluded) into `len`.
    let status = unsafe {
        sys::napi_get_value_string_utf16(
            value.value().env,
            value.raw(),
            units.as_mut_ptr(),
            INLINE,
            &mut len,
        )
    };
    // Fewer than `INLINE - 1` units written: nothing was left out.
    if status == sys::Status::napi_ok
        && let Some(units) = units.get(..len).filter(|_| len < INLINE - 1)
    {
        let mut utf8 = [0u8; 3 * INLINE]; // a unit is at most 3 bytes of UTF-8 (a pair, 4)
        return Ok(f(to_utf8(units, &mut utf8)));
    }
    // Not a string (napi-rs's conversion fails the same way and makes the same error), or a
    // long one.
    String::from_unknown(value).map(|s| f(&s))
}

/// UTF-16 `units` as UTF-8 in `out` (at least 3 bytes per unit), lone surrogates replaced by
/// U+FFFD: an all-ASCII string (the usual password) in one pass the compiler vectorises.
fn to_utf8<'o>(units: &[u16], out: &'o mut [u8]) -> &'o str {
    if units.iter().fold(0, |acc, &u| acc | u) < 0x80 {
        let out = &mut out[..units.len()];
        for (o, &u) in out.iter_mut().zip(units) {
            *o = u as u8; // ASCII: fits
        }
        return std::str::from_utf8(out).unwrap_or_default();
    }
    let mut n = 0;
    for c in char::decode_utf16(units.iter().copied()) {
        n += c
            .unwrap_or(char::REPLACEMENT_CHARACTER)
            .encode_utf8(&mut out[n..])
            .len();
    }
    std::str::from_utf8(&out[..n]).unwrap_or_default()
}

/// `f` on this environment's [`Kept`] evaluations (made on first use), found with one
/// `napi_get_instance_data` call: napi-rs's `Env::get_instance_data` also takes a process-wide
/// lock and a hash lookup to check the pointer's type (~25 ns a call, measured).
///
/// `f` must not run JS (which could call back in here and alias the `&mut`): it reads and
/// creates references, nothing else.
pub(crate) fn with_kept<R>(env: &Env, f: impl FnOnce(&mut Kept) -> R) -> napi::Result<R> {
    let mut data = ptr::null_mut();
    // SAFETY: `env` is the live environment of the current callback.
    check_status!(unsafe { sys::napi_get_instance_data(env.raw(), &mut data) })?;
    if data.is_null() {
        let kept = Box::into_raw(Box::<Kept>::default());
        // SAFETY: as above; napi keeps the pointer until the environment's teardown, then
        // calls `drop_kept` with it once.
        let status = unsafe {
            sys::napi_set_instance_data(env.raw(), kept.cast(), Some(drop_kept), ptr::null_mut())
        };
        if let Err(e) = check_status!(status) {
            // SAFETY: `kept` comes from `Box::into_raw` above and napi did not take it.
            drop(unsafe { Box::from_raw(kept) });
            return Err(e);
        }
        data = kept.cast();
    }
    // SAFETY: this addon's instance-data slot (one per addon and environment) is only ever set
    // here, to a `Box<Kept>` that lives until the environment's teardown; only the
    // environment's own thread runs its callbacks, and `f` runs no JS, so no other `&mut` to it
    // exists while `f` runs.
    Ok(f(unsafe { &mut *data.cast::<Kept>() }))
}

/// The instance-data finaliser: frees the environment's [`Kept`] at its teardown (the
/// references go with the environment: nothing else to release).
unsafe extern "C" fn drop_kept(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the `Box<Kept>` that `with_kept` leaked into the slot; napi calls this
    // once, at teardown.
    drop(unsafe { Box::from_raw(data.cast::<Kept>()) });
}

/// `evaluatePassword` as exported: the options object is read in JS, where a property read
/// costs next to nothing (through Node-API, `napi_get_named_property` makes the key string and
/// does a generic lookup: ~55 ns each, more than the core's evaluation of a short password).
/// No rule here: it reads the two fields as `functions::read_options` does (the same order, a
/// non-string `confirmation` reported before `policy` is read, a non-string password before
/// the options are read) and hands them to [`evaluate_fields_cb`], which converts and checks
/// them as `functions::evaluate_password` does.
const WRAPPER: &str = r#"'use strict';
(function (evaluateFields) {
  return function evaluatePassword(password, options) {
    if (typeof password !== 'string' || options === undefined || options === null) {
      return evaluateFields(password);
    }
    const confirmation = options.confirmation;
    if (confirmation !== undefined && typeof confirmation !== 'string') {
      return evaluateFields(password, confirmation);
    }
    const policy = options.policy;
    return policy === undefined
      ? evaluateFields(password, confirmation)
      : evaluateFields(password, confirmation, policy);
  };
})
//# sourceURL=dealer-portal/evaluatePassword.js
"#;

/// `evaluateFields(password, confirmation?, policy?)`, the native half of [`WRAPPER`]:
/// [`evaluate_fields`](crate::functions::evaluate_fields) behind a plain Node-API callback,
/// without the generated glue's per-call bookkeeping (a borrow scope allocated and locked for
/// arguments that could borrow class instances: these cannot).
unsafe extern "C" fn evaluate_fields_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut argc = 3;
    let mut argv = [ptr::null_mut(); 3];
    // SAFETY: `env` and `info` are this callback's; napi writes at most `argc` handles into
    // `argv` (missing arguments as `undefined`) and the number of arguments given into `argc`.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    let result = check_status!(status).and_then(|()| {
        // SAFETY: `argv` holds handles of this callback's scope in `env`.
        let arg = |i: usize| unsafe { Unknown::from_raw_unchecked(env, argv[i]) };
        let given = |i: usize| (i < argc).then(|| arg(i));
        let env = Env::from_raw(env);
        crate::functions::evaluate_fields(&env, arg(0), (given(1), given(2))).map(|o| o.raw())
    });
    result.unwrap_or_else(|e| {
        // SAFETY: as above; throws the error as the generated glue does (or leaves a pending
        // JS exception, a throwing getter's, as it is).
        unsafe { JsError::from(e).throw_into(env) };
        ptr::null_mut()
    })
}

/// Installs [`WRAPPER`] as `evaluatePassword`, over the export napi-rs generated for
/// `functions::evaluate_password` (napi-rs runs this hook after registering its exports, in
/// every environment: the main thread and each worker).
#[napi(module_exports)]
pub fn install_evaluate_password(mut exports: Object<'_>, env: Env) -> napi::Result<()> {
    let native =
        env.create_function::<Unknown<'_>, Unknown<'_>>("evaluateFields", evaluate_fields_cb)?;
    let make: Function<
        '_,
        Function<'_, Unknown<'_>, Unknown<'_>>,
        Function<'_, Unknown<'_>, Unknown<'_>>,
    > = env.run_script(WRAPPER)?;
    exports.set_named_property("evaluatePassword", make.call(native)?)
}

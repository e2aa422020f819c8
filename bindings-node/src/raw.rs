//! The few raw Node-API calls of `evaluatePassword`'s per-keystroke path, where napi-rs's
//! generic conversions cost more than the core's whole evaluation: a string's contents
//! ([`with_str`]), the per-environment data ([`with_instance_data`]) and a function called
//! without napi-rs's generated glue ([`create_function`]); and the argument type of the
//! passwords the methods take ([`Password`]), whose conversion is an `unsafe` trait method.
//!
//! The one module with `unsafe` code, and it depends on nothing else of this crate: what these
//! helpers are used for lives in `evaluation` and `functions`. Each `unsafe` block is one
//! Node-API call on handles of the current callback, or the ownership of the per-environment
//! data, with its own `SAFETY:` note.
#![allow(unsafe_code)]

use napi::bindgen_prelude::{
    FromNapiValue, Function, JsValue, Object, TypeName, Unknown, ValidateNapiValue,
};
use napi::{Env, JsError, ValueType, check_status, sys};
use std::any::TypeId;
use std::ffi::c_void;
use std::ptr;
use zeroize::Zeroizing;

/// A password (or its confirmation) taken from JS: the UTF-8 copy napi-rs makes of the JS
/// string, wiped (whole allocation) when the call is done with it — after the core call, sync
/// or on the thread pool, or as soon as a later argument fails to convert. The JS string itself
/// cannot be wiped (V8 owns it). Typed `string` in `index.d.ts` (`as "string"`); derefs to `str`.
pub struct Password(Zeroizing<String>);

impl std::ops::Deref for Password {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl FromNapiValue for Password {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller's contract (a handle of the current callback in `env`), passed on
        // to napi-rs's `String` conversion, which makes one allocation and never reallocates it.
        let s = unsafe { String::from_napi_value(env, value) }?;
        Ok(Password(Zeroizing::new(s)))
    }
}

impl TypeName for Password {
    fn type_name() -> &'static str {
        String::type_name()
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Password {}

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

/// The per-environment data, as [`with_instance_data`] keeps it: the type it was made for, then
/// the value (`repr(C)`: the type's id is first, whatever `T` is).
#[repr(C)]
struct Slot<T> {
    type_id: TypeId,
    value: T,
}

/// `f` on this environment's instance of `T` (made with `T::default()` on first use), found with
/// one `napi_get_instance_data` call: napi-rs's `Env::get_instance_data` also takes a
/// process-wide lock and a hash lookup to check the pointer's type (~25 ns a call, measured).
/// Node-API gives an addon one such slot per environment: a call with another type than the
/// slot's is an error, never a misread.
///
/// `f` must not run JS (which could call back in here and alias the `&mut`): it reads and
/// creates references, nothing else.
pub(crate) fn with_instance_data<T: Default + 'static, R>(
    env: &Env,
    f: impl FnOnce(&mut T) -> R,
) -> napi::Result<R> {
    let mut data = ptr::null_mut();
    // SAFETY: `env` is the live environment of the current callback.
    check_status!(unsafe { sys::napi_get_instance_data(env.raw(), &mut data) })?;
    if data.is_null() {
        let slot = Box::into_raw(Box::new(Slot {
            type_id: TypeId::of::<T>(),
            value: T::default(),
        }));
        // SAFETY: as above; napi keeps the pointer until the environment's teardown, then
        // calls `drop_slot::<T>` with it once.
        let status = unsafe {
            sys::napi_set_instance_data(
                env.raw(),
                slot.cast(),
                Some(drop_slot::<T>),
                ptr::null_mut(),
            )
        };
        if let Err(e) = check_status!(status) {
            // SAFETY: `slot` comes from `Box::into_raw` above and napi did not take it.
            drop(unsafe { Box::from_raw(slot) });
            return Err(e);
        }
        data = slot.cast();
    }
    // SAFETY: this addon's instance-data slot (one per addon and environment) is only ever set
    // above, to a `Box<Slot<U>>` for some `U` that lives until the environment's teardown; a
    // `Slot` is `repr(C)`, so whatever `U` is, its first field is the `TypeId` of `U`.
    if unsafe { *data.cast::<TypeId>() } != TypeId::of::<T>() {
        return Err(napi::Error::from_reason(
            "dealer-portal: the per-environment data holds another type",
        ));
    }
    // SAFETY: as above, and `U` is `T`; only the environment's own thread runs its callbacks,
    // and `f` runs no JS, so no other `&mut` to it exists while `f` runs.
    Ok(f(unsafe { &mut (*data.cast::<Slot<T>>()).value }))
}

/// The instance-data finaliser: frees the environment's [`Slot`] at its teardown (references
/// it holds go with the environment: nothing else to release).
unsafe extern "C" fn drop_slot<T>(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the `Box<Slot<T>>` that `with_instance_data::<T>` leaked into the slot;
    // napi calls this once, at teardown.
    drop(unsafe { Box::from_raw(data.cast::<Slot<T>>()) });
}

/// A native function as [`create_function`] calls it: with its first argument (`undefined` when
/// missing) and the second and third when given.
pub(crate) type Native = for<'a> fn(
    &'a Env,
    Unknown<'a>,
    (Option<Unknown<'a>>, Option<Unknown<'a>>),
) -> napi::Result<Object<'a>>;

/// A JS function named `name` that calls `native` through a plain Node-API callback
/// ([`call_native`]), without the generated glue's per-call bookkeeping (a borrow scope
/// allocated and locked for arguments that could borrow class instances: these cannot).
pub(crate) fn create_function<'e>(
    env: &'e Env,
    name: &str,
    native: &'static Native,
) -> napi::Result<Function<'e, Unknown<'e>, Unknown<'e>>> {
    let mut function = ptr::null_mut();
    // SAFETY: `env` is the live environment of the current callback; napi copies `name` (`len`
    // bytes of UTF-8) and keeps `native`, a `'static` reference, as the callback's data.
    check_status!(unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(call_native),
            ptr::from_ref(native).cast_mut().cast(),
            &mut function,
        )
    })?;
    // SAFETY: `function` is the function napi just made in `env`.
    unsafe { Function::from_napi_value(env.raw(), function) }
}

/// The Node-API callback of every [`create_function`]: reads up to three arguments and the
/// [`Native`] it was made with, calls it and returns its result, or throws its error.
unsafe extern "C" fn call_native(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut argc = 3;
    let mut argv = [ptr::null_mut(); 3];
    let mut data = ptr::null_mut();
    // SAFETY: `env` and `info` are this callback's; napi writes at most `argc` handles into
    // `argv` (missing arguments as `undefined`), the number of arguments given into `argc`, and
    // the data the function was made with into `data`.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            &mut data,
        )
    };
    let result = check_status!(status).and_then(|()| {
        // SAFETY: `data` is the `&'static Native` given to `create_function`, which made this
        // function.
        let native = unsafe { &*data.cast::<Native>() };
        // SAFETY: `argv` holds handles of this callback's scope in `env`.
        let arg = |i: usize| unsafe { Unknown::from_raw_unchecked(env, argv[i]) };
        let given = |i: usize| (i < argc).then(|| arg(i));
        let env = Env::from_raw(env);
        native(&env, arg(0), (given(1), given(2))).map(|o| o.raw())
    });
    result.unwrap_or_else(|e| {
        // SAFETY: as above; throws the error as the generated glue does (or leaves a pending
        // JS exception, a throwing getter's, as it is).
        unsafe { JsError::from(e).throw_into(env) };
        ptr::null_mut()
    })
}

//! `evaluatePassword`'s result, built for a call at every keystroke.
//!
//! A candidate password only ever yields a handful of distinct evaluations per policy (each
//! criterion met or not), so the JS objects are built once per distinct evaluation, deeply
//! frozen, kept by reference in the addon's per-environment data, and handed out again: a call
//! then costs the core's pure evaluation, one small-key lookup and one reference read, instead of
//! creating about thirty JS values (the labels above all). The result is an immutable value:
//! equal evaluations are the same object.
//!
//! Every kept evaluation is in a hash map keyed by one flat `Vec<u32>`; those of the default
//! policy (the hot path) are also in a fixed table indexed by a bitmask, looked up first. Neither
//! key compares empty `Vec`s: `memcmp` on an empty `Vec`'s dangling pointer was measured at
//! ~0.18 µs a call (glibc's AVX-512 `memcmp` does a masked load from it, slow on AMD).

use crate::raw::with_instance_data;
use crate::values::Evaluation;
use dealer_portal::password::{Criterion, Evaluation as CoreEvaluation};
use napi::Env;
use napi::bindgen_prelude::{Array, JsObjectValue, JsValue, Object, ObjectRef, ToNapiValue};
use std::collections::HashMap;

/// Beyond this many distinct evaluations per environment (many custom policies), new ones are
/// built and frozen but not kept (the default policy's always are).
const MAX_KEPT: usize = 1024;

/// The size of the default policy's table: the bits of [`default_slot`].
const DEFAULT_SLOTS: usize = 1 << 9;

/// Which policy made an evaluation.
#[derive(Clone, Copy)]
pub(crate) enum Policy {
    /// The binding's default policy (`PasswordPolicy::default()`), the same for the whole process.
    Default,
    /// Any other (a custom `policy` option, a portal's own).
    Other,
}

/// The frozen evaluation objects of one JS environment (main thread or worker).
struct Kept {
    /// The default policy's, indexed by [`default_slot`] (also in `other`).
    default: Box<[Option<ObjectRef<false>>]>,
    /// All, by [`other_key`].
    other: HashMap<Vec<u32>, ObjectRef<false>>,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            default: (0..DEFAULT_SLOTS).map(|_| None).collect(),
            other: HashMap::new(),
        }
    }
}

/// The slot of an evaluation made by the default policy: bits 0–4 whether `min_length`,
/// `uppercase`, `lowercase`, `digit`, `special` are met, bit 5 whether a confirmation was given
/// and bit 6 whether it matches, bits 7 and 8 whether `max_length` and `no_control` are reported
/// (only ever unmet). One policy reports its checks in a fixed order with fixed thresholds and
/// labels, so these bits tell its evaluations apart. `None` for anything else (the default
/// policy never reports it): such an evaluation is keyed as under another policy.
fn default_slot(e: &CoreEvaluation) -> Option<usize> {
    let mut slot = 0;
    for c in &e.checks {
        let met = usize::from(c.met);
        slot |= match c.criterion {
            Criterion::MinLength => met,
            Criterion::Uppercase => met << 1,
            Criterion::Lowercase => met << 2,
            Criterion::Digit => met << 3,
            Criterion::Special => met << 4,
            Criterion::Confirmation => 1 << 5 | met << 6,
            Criterion::MaxLength if !c.met => 1 << 7,
            Criterion::NoControl if !c.met => 1 << 8,
            _ => return None,
        };
    }
    Some(slot)
}

/// What makes two evaluations of any policies produce the same object, in one flat (never empty)
/// key: per check its criterion and outcome, its threshold, then the count and the characters
/// its label shows as excluded. `None` (not kept) if a number does not fit in 32 bits.
fn other_key(e: &CoreEvaluation) -> Option<Vec<u32>> {
    let mut key = Vec::with_capacity(e.checks.len() * 3 + 1);
    for c in &e.checks {
        key.push((c.criterion as u32) << 1 | u32::from(c.met));
        key.push(u32::try_from(c.threshold).ok()?);
        key.push(u32::try_from(c.excluded_specials.len()).ok()?);
        key.extend(c.excluded_specials.iter().map(|&ch| u32::from(ch)));
    }
    Some(key)
}

/// `f` on this environment's [`Kept`] evaluations (see [`with_instance_data`]).
fn with_kept<R>(env: &Env, f: impl FnOnce(&mut Kept) -> R) -> napi::Result<R> {
    with_instance_data(env, f)
}

/// The evaluation as a JS object (the shape of [`Evaluation`]), frozen to the leaves.
fn build<'e>(env: &'e Env, e: &CoreEvaluation) -> napi::Result<Object<'e>> {
    let mut obj = Evaluation::from(e).into_unknown(env)?.coerce_to_object()?;
    let checks: Array<'_> = obj.get_named_property("checks")?;
    for i in 0..checks.len() {
        if let Some(mut check) = checks.get::<Object<'_>>(i)? {
            check.freeze()?;
        }
    }
    checks.coerce_to_object()?.freeze()?;
    obj.freeze()?;
    Ok(obj)
}

/// The JS `Evaluation` of a core evaluation made by `policy`: frozen, shared between equal
/// evaluations (whichever policy made them: the default table only fronts the map).
pub(crate) fn to_js<'e>(
    env: &'e Env,
    e: &CoreEvaluation,
    policy: Policy,
) -> napi::Result<Object<'e>> {
    let slot = match policy {
        Policy::Default => default_slot(e),
        Policy::Other => None,
    };
    // `Kept` is borrowed only to read or store references, never while `build` runs (it sets
    // properties, which a setter on `Object.prototype` would see: JS).
    let hit = with_kept(env, |kept| {
        let r = slot.and_then(|slot| kept.default[slot].as_ref());
        r.map(|r| r.get_value(env)).transpose()
    })??;
    if let Some(obj) = hit {
        return Ok(obj);
    }
    let Some(key) = other_key(e) else {
        return build(env, e);
    };
    let obj = match with_kept(env, |kept| kept.other.get(&key).map(|r| r.get_value(env)))? {
        Some(obj) => obj?,
        None => {
            let obj = build(env, e)?;
            with_kept(env, |kept| -> napi::Result<()> {
                // The default policy's evaluations are few (at most DEFAULT_SLOTS): always kept.
                if slot.is_some() || kept.other.len() < MAX_KEPT {
                    kept.other.insert(key, obj.create_ref::<false>()?);
                }
                Ok(())
            })??;
            obj
        }
    };
    if let Some(slot) = slot {
        with_kept(env, |kept| -> napi::Result<()> {
            kept.default[slot] = Some(obj.create_ref::<false>()?);
            Ok(())
        })??;
    }
    Ok(obj)
}

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
//! policy (the hot path) are also in a table indexed by a bitmask ([`Slots`]), looked up first.
//! Neither key compares empty `Vec`s: `memcmp` on an empty `Vec`'s dangling pointer was measured
//! at ~0.18 µs a call (glibc's AVX-512 `memcmp` does a masked load from it, slow on AMD).
//!
//! Nothing here knows what the default policy checks: the bitmask is laid out from what the
//! policy itself says ([`PasswordPolicy::criteria`]).

use crate::raw::with_instance_data;
use crate::values::Evaluation;
use dealer_portal::Coded;
use dealer_portal::password::{Criterion, Evaluation as CoreEvaluation, PasswordPolicy};
use napi::Env;
use napi::bindgen_prelude::{Array, JsObjectValue, JsValue, Object, ObjectRef, ToNapiValue};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The binding's default policy (`PasswordPolicy::default()`), built once: `evaluatePassword`
/// runs at every keystroke.
pub(crate) static DEFAULT_POLICY: LazyLock<PasswordPolicy> = LazyLock::new(PasswordPolicy::default);

/// The bitmask of the default policy's evaluations, laid out once from its criteria.
static DEFAULT_SLOTS: LazyLock<Slots> = LazyLock::new(|| Slots::of(&DEFAULT_POLICY));

/// Beyond this many distinct evaluations per environment (many custom policies), new ones are
/// built and frozen but not kept (the default policy's always are).
const MAX_KEPT: usize = 1024;

/// Beyond this many bits (a policy checking most criteria), [`Slots`] gives no slot: such a
/// policy's evaluations are only in the map.
const MAX_SLOT_BITS: u32 = 16;

/// Which policy made an evaluation.
#[derive(Clone, Copy)]
pub(crate) enum Policy {
    /// The binding's default policy (`PasswordPolicy::default()`), the same for the whole process.
    Default,
    /// Any other (a custom `policy` option, a portal's own).
    Other,
}

/// The frozen evaluation objects of one JS environment (main thread or worker).
#[derive(Default)]
struct Kept {
    /// The default policy's, indexed by [`Slots::slot`] (also in `other`); grown to the largest
    /// slot used (the usual evaluations have the low slots).
    default: Vec<Option<ObjectRef<false>>>,
    /// All, by [`other_key`].
    other: HashMap<Vec<u32>, ObjectRef<false>>,
}

/// How the evaluations of one policy map to slots of a table: a bitmask with one bit per fact
/// that tells them apart, laid out from the criteria the policy checks
/// ([`PasswordPolicy::criteria`], in its order) and from when `evaluate` reports a check:
///
/// - each criterion the policy checks: a bit set when it is met (the low bits, in the policy's
///   order; `not_containing_identity`, reported only with an identity, which `evaluate` never
///   has, keeps its bit clear);
/// - the confirmation, reported only when one is given: also a bit set when it is reported;
/// - each criterion it does not list (limits reported only when violated, such as
///   `max_length`; criteria the policy switched off, never reported): a bit set when it is
///   reported. Reported *met*, it is not foreseen: no slot.
///
/// One policy reports its checks in a fixed order with fixed thresholds and labels, so these
/// bits tell its evaluations apart.
struct Slots {
    /// Per criterion, indexed by its discriminant: the bits its check sets when met and when
    /// unmet (`None`: an evaluation with that check has no slot). Empty: no slot at all.
    bits: Vec<(Option<usize>, Option<usize>)>,
}

impl Slots {
    /// The layout of `policy`'s evaluations (none beyond [`MAX_SLOT_BITS`] bits).
    fn of(policy: &PasswordPolicy) -> Slots {
        let checked = policy.criteria();
        let others = Criterion::ALL.iter().filter(|c| !checked.contains(c));
        let confirmation = checked.contains(&Criterion::Confirmation);
        let needed = checked.len() + usize::from(confirmation) + others.clone().count();
        if needed > MAX_SLOT_BITS as usize {
            return Slots { bits: Vec::new() };
        }
        let len = Criterion::ALL
            .iter()
            .chain(&checked)
            .map(|&c| c as usize + 1)
            .max();
        let mut bits = vec![(None, None); len.unwrap_or_default()];
        let mut next = (0..needed).map(|i| 1usize << i);
        for &c in &checked {
            bits[c as usize] = (next.next(), Some(0));
        }
        if confirmation {
            let (met, unmet) = &mut bits[Criterion::Confirmation as usize];
            let given = next.next().unwrap_or_default();
            (*met, *unmet) = (met.map(|m| m | given), Some(given));
        }
        for &c in others {
            bits[c as usize] = (None, next.next());
        }
        Slots { bits }
    }

    /// The slot of an evaluation made by the policy this layout is of; `None` for one it does
    /// not foresee, which is then keyed as under another policy.
    fn slot(&self, e: &CoreEvaluation) -> Option<usize> {
        let mut slot = 0;
        for c in &e.checks {
            let (met, unmet) = *self.bits.get(c.criterion as usize)?;
            slot |= if c.met { met } else { unmet }?;
        }
        Some(slot)
    }
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
        Policy::Default => DEFAULT_SLOTS.slot(e),
        Policy::Other => None,
    };
    // `Kept` is borrowed only to read or store references, never while `build` runs (it sets
    // properties, which a setter on `Object.prototype` would see: JS).
    let hit = with_kept(env, |kept| {
        let r = slot.and_then(|slot| kept.default.get(slot)?.as_ref());
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
                // The default policy's evaluations are few (one per slot): always kept.
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
            if kept.default.len() <= slot {
                kept.default.resize_with(slot + 1, || None);
            }
            kept.default[slot] = Some(obj.create_ref::<false>()?);
            Ok(())
        })??;
    }
    Ok(obj)
}

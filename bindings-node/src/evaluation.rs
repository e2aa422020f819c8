//! `evaluatePassword`'s result, built for a call at every keystroke.
//!
//! A candidate password only ever yields a handful of distinct evaluations per policy (each
//! criterion met or not), so the JS objects are built once per distinct evaluation, deeply
//! frozen, kept by reference in the addon's per-environment data, and handed out again: a call
//! then costs the core's pure evaluation, one hash lookup and one reference read, instead of
//! creating about thirty JS values (the labels above all). The result is an immutable value:
//! equal evaluations are the same object.

use crate::values::Evaluation;
use dealer_portal::password::{Criterion, Evaluation as CoreEvaluation};
use napi::bindgen_prelude::{Array, JsObjectValue, JsValue, Object, ObjectRef, ToNapiValue};
use napi::{Env, Status};
use std::collections::HashMap;

/// Beyond this many distinct evaluations per environment (many custom policies), new ones are
/// built and frozen but not kept.
const MAX_KEPT: usize = 1024;

/// What makes two evaluations produce the same object: each check's criterion, outcome, and what
/// its label shows.
type Key = Vec<(Criterion, bool, usize, Vec<char>)>;

/// The frozen evaluation objects of one JS environment (main thread or worker).
#[derive(Default)]
struct Kept(HashMap<Key, ObjectRef<false>>);

fn kept(env: &Env) -> napi::Result<&'static mut Kept> {
    if env.get_instance_data::<Kept>()?.is_none() {
        // At environment teardown the references go with it: nothing to release.
        env.set_instance_data(Kept::default(), (), |_| {})?;
    }
    env.get_instance_data::<Kept>()?
        .ok_or_else(|| napi::Error::new(Status::GenericFailure, "no instance data"))
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

/// The JS `Evaluation` of a core evaluation: frozen, shared between equal evaluations.
pub(crate) fn to_js<'e>(env: &'e Env, e: &CoreEvaluation) -> napi::Result<Object<'e>> {
    let key: Key = e
        .checks
        .iter()
        .map(|c| (c.criterion, c.met, c.threshold, c.excluded_specials.clone()))
        .collect();
    let kept = kept(env)?;
    if let Some(r) = kept.0.get(&key) {
        return r.get_value(env);
    }
    let obj = build(env, e)?;
    if kept.0.len() < MAX_KEPT {
        kept.0.insert(key, obj.create_ref::<false>()?);
    }
    Ok(obj)
}

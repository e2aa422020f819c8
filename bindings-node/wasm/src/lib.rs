//! # dealer-portal-wasm
//!
//! The browser build of dealer-portal's pure functions, with wasm-bindgen: `evaluatePassword`,
//! `visibleSections` and `parseReference`, with the values and errors of the Node binding
//! (`bindings-node/index.d.ts`), so that a page shows the password criteria with the very
//! function the server applies, without sending each keystroke to a server.
//!
//! No rule lives here: each export reads its JS arguments, calls the core, and builds plain JS
//! objects (with `js-sys`, no serde layer) — the same field names and order as the Node
//! binding's objects, frozen as they are. A core error is thrown as the Node binding throws it:
//! an `Error` whose `name` is `"PortalError"`, `code` the core's code, `message` the error's
//! text, and `criteria` the unmet criteria of a `PASSWORD_POLICY` (empty otherwise). An argument
//! of the wrong JS type (a number as the password) is a `TypeError`, as a conversion error is
//! in the Node binding (not a `PortalError`). A panic (a bug: the core's functions here are
//! fuzzed not to) aborts, as `panic = "abort"` is the only strategy of this target on stable: the
//! call throws a `WebAssembly.RuntimeError` where the Node binding throws a `STORAGE`
//! `PortalError`.
//!
//! Built by `bindings-node/wasm/build.sh` into `bindings-node/browser/`:
//!
//! ```js
//! import init, { evaluatePassword } from './dealer_portal_wasm.js';
//! await init();
//! evaluatePassword('Motdepasse1!', { confirmation: 'Motdepasse1!' }).acceptable;
//! ```

use dealer_portal::locale::UnknownCode;
use dealer_portal::password::{Check, Evaluation, PasswordPolicy};
use dealer_portal::{Coded, Error, Locale, Right, Rights};
use js_sys::{Array, JsString, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;
use wasm_bindgen::prelude::*;

/// The typings of the exports (wasm-bindgen writes them into `dealer_portal_wasm.d.ts`): the
/// Node binding's (`bindings-node/index.d.ts`), word for word, for these three functions.
/// `bindings-node/wasm/test/typed-usage.ts` checks that each result is assignable to the Node
/// binding's type and back.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A password policy: the core's `PasswordPolicy` (missing fields take the seed's values). */
export interface PasswordPolicy {
  min_length?: number
  max_length?: number
  min_uppercase?: number
  min_lowercase?: number
  min_digits?: number
  min_special?: number
  /** Characters allowed but not counted as special (the seed: `€`). */
  excluded_specials?: string[]
  /** How many previous passwords a new one must differ from (the seed: 5). */
  history?: number
  /** Refuse passwords containing the email's local part or the names. */
  forbid_identity?: boolean
  /** Refuse common passwords (the built-in blocklist). */
  blocklist?: boolean
}
/** A password criterion. */
export type Criterion =
  | 'min_length'
  | 'uppercase'
  | 'lowercase'
  | 'digit'
  | 'special'
  | 'confirmation'
  | 'max_length'
  | 'no_control'
  | 'not_containing_identity'
  | 'not_common'
/** The optional arguments of `evaluatePassword`. */
export interface EvaluateOptions {
  /** The confirmation field; when given, a `confirmation` check is reported. */
  confirmation?: string
  /** Another policy than the seed's (partial: missing fields take the seed's values). */
  policy?: PasswordPolicy
}
/** The result of one password criterion (frozen). */
export interface Check {
  /** min_length, uppercase, lowercase, digit, special, confirmation, then optional criteria. */
  readonly criterion: Criterion
  /** Whether the candidate meets it: the bullet is green. */
  readonly met: boolean
  /** The number shown in the label (the minimum, or the maximum for max_length; else 0). */
  readonly threshold: number
  /** The bullet in French ("15 caractères"). */
  readonly labelFr: string
  /** The bullet in English ("15 characters"). */
  readonly labelEn: string
}
/** The evaluation of a candidate password, criterion by criterion (frozen). */
export interface Evaluation {
  /** Whether every reported criterion is met. */
  readonly acceptable: boolean
  /** The checks, in the policy's order. */
  readonly checks: ReadonlyArray<Check>
}
/**
 * Evaluates a candidate password criterion by criterion (min_length, uppercase, lowercase,
 * digit, special, then confirmation when given): pure and cheap, no hashing — call it at every
 * keystroke to turn the bullets from red to green. The same function the server applies.
 */
export function evaluatePassword(password: string, options?: EvaluateOptions | undefined | null): Evaluation
/** A right's stable code (the values of the Node binding's `Right` enum). */
export type RightCode =
  | 'quotes_and_subscriptions'
  | 'search_quotes_and_contracts'
  | 'submit_claims'
  | 'search_claims'
  | 'accounting_documents'
  | 'manage_accounts'
/** A tab's stable code. */
export type SectionCode =
  | 'home'
  | 'quotes_and_contracts'
  | 'workshop_claims'
  | 'easicare'
  | 'documents'
  | 'account_management'
/** A tab of the portal's menu (ACCUEIL, LISTE DEVIS ET CONTRATS, ...). */
export interface Section {
  /** The stable code (home, quotes_and_contracts, ...). */
  code: SectionCode
  /** The tab in French ("GESTION DES COMPTES"). */
  labelFr: string
  /** The tab in English ("ACCOUNT MANAGEMENT"). */
  labelEn: string
}
/**
 * The menu's tabs to show for the rights held on the connected establishment, in the seed's
 * order: ACCUEIL and EASICARE always, each other tab when one of its rights is held.
 */
export function visibleSections(rights: Array<RightCode>): Array<Section>
/** What a quick-search reference is. */
export type ReferenceKind = 'registration_plate' | 'contract_number' | 'agreement_number'
/** A plate's format. */
export type PlateFormat = 'siv' | 'fni'
/** A quick-search reference: a registration plate, a contract number or an agreement number. */
export interface Reference {
  /** registration_plate, contract_number or agreement_number. */
  kind: ReferenceKind
  /** "AB-123-CD", "1234 AB 56", or an upper-case number without separators. */
  normalized: string
  /** For a plate, its format (siv or fni). */
  plateFormat?: PlateFormat
}
/**
 * Recognises a quick-search reference: a registration plate (`AB-123-CD`, old `1234 AB 56`,
 * any spacing or case), a contract number or an agreement number.
 */
export function parseReference(text: string): Reference
"#;

/// The default policy (`PasswordPolicy::default()`, the seed's), built once: `evaluatePassword`
/// runs at every keystroke.
static DEFAULT_POLICY: LazyLock<PasswordPolicy> = LazyLock::new(PasswordPolicy::default);

/// Evaluates a candidate password criterion by criterion (min_length, uppercase, lowercase,
/// digit, special, then confirmation when `options.confirmation` is given), with the seed's
/// policy or `options.policy` (a partial `PasswordPolicy`, snake_case fields as in the Node
/// binding; an invalid one throws `INVALID_CONFIG`). The result is frozen, and equal
/// evaluations are the same object, as in the Node binding:
/// `{acceptable, checks: [{criterion, met, threshold, labelFr, labelEn}]}`.
#[wasm_bindgen(js_name = evaluatePassword, skip_typescript)]
pub fn evaluate_password(password: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let password = string_arg(&password, "password")?;
    let (confirmation, policy) = read_options(&options)?;
    let evaluation = match policy {
        None => DEFAULT_POLICY.evaluate(&password, confirmation.as_deref()),
        Some(policy) => {
            let policy = read_policy(&policy).map_err(|e| portal_error(&e))?;
            policy.evaluate(&password, confirmation.as_deref())
        }
    };
    evaluation_to_js(&evaluation)
}

/// The menu's tabs to show for the rights held on the connected establishment, in the seed's
/// order, as `[{code, labelFr, labelEn}]`. `rights` is an array of right codes
/// (`'manage_accounts'`, ..., the values of the Node binding's `Right` enum); another value
/// throws `UNKNOWN_CODE`.
#[wasm_bindgen(js_name = visibleSections, skip_typescript)]
pub fn visible_sections(rights: JsValue) -> Result<JsValue, JsValue> {
    if !Array::is_array(&rights) {
        return Err(type_error("rights: expected an array of right codes"));
    }
    let mut set = Rights::EMPTY;
    for (i, r) in Array::from(&rights).iter().enumerate() {
        let code = string_arg(&r, &format!("rights[{i}]"))?;
        set.insert(right(&code).map_err(|e| portal_error(&e))?);
    }
    let out = Array::new();
    for s in dealer_portal::menu::visible_sections(set) {
        let obj = Object::new();
        set_str(&obj, "code", s.code())?;
        set_str(&obj, "labelFr", s.label(Locale::Fr))?;
        set_str(&obj, "labelEn", s.label(Locale::En))?;
        out.push(&obj);
    }
    Ok(out.into())
}

/// Recognises a quick-search reference: a registration plate (`AB-123-CD`, old `1234 AB 56`,
/// any spacing or case), a contract number or an agreement number, as
/// `{kind, normalized, plateFormat?}`; anything else throws the core's error
/// (`INVALID_QUERY`, saying what is accepted).
#[wasm_bindgen(js_name = parseReference, skip_typescript)]
pub fn parse_reference(text: JsValue) -> Result<JsValue, JsValue> {
    let text = string_arg(&text, "text")?;
    let r = dealer_portal::reference::parse_reference(&text).map_err(|e| portal_error(&e))?;
    let obj = Object::new();
    set_str(&obj, "kind", r.kind().code())?;
    let format = r.plate_format().map(|p| p.code());
    set_str(&obj, "normalized", &r.into_normalized())?;
    if let Some(format) = format {
        set_str(&obj, "plateFormat", format)?;
    }
    Ok(obj.into())
}

/// The right with exactly this code, as the Node binding's `Right` string enum accepts it (the
/// core's own reading also takes other cases and spaces); another value is the core's
/// `UNKNOWN_CODE` error.
fn right(code: &str) -> Result<Right, Error> {
    Right::ALL
        .iter()
        .copied()
        .find(|r| r.code() == code)
        .ok_or_else(|| {
            Error::from(UnknownCode {
                what: Right::WHAT,
                value: code.chars().take(64).collect(),
                accepted: Right::ACCEPTED,
            })
        })
}

/// `options.confirmation` (a string, or absent when `undefined`) and `options.policy` (absent
/// when `undefined` or `null`), read in that order as the Node binding reads them: a
/// confirmation that is not a string is reported before the policy is read.
fn read_options(options: &JsValue) -> Result<(Option<String>, Option<JsValue>), JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None));
    }
    let confirmation = Reflect::get(options, &JsValue::from_str("confirmation"))?;
    let confirmation = if confirmation.is_undefined() {
        None
    } else {
        Some(string_arg(&confirmation, "options.confirmation")?)
    };
    let policy = Reflect::get(options, &JsValue::from_str("policy"))?;
    let policy = (!policy.is_undefined() && !policy.is_null()).then_some(policy);
    Ok((confirmation, policy))
}

/// A `policy` option as the core's [`PasswordPolicy`]: its JSON text read into a
/// `serde_json::Value`, then deserialised from that value as the Node binding does (napi-rs
/// reads the object into a `serde_json::Value`), so a mismatch is the same `INVALID_CONFIG` with
/// the same message; then the core's consistency check.
fn read_policy(policy: &JsValue) -> Result<PasswordPolicy, Error> {
    let invalid = |reason: String| Error::InvalidConfig { reason };
    let json = js_sys::JSON::stringify(policy)
        .map_err(|_| invalid("the policy is not a plain object".into()))?;
    let value: serde_json::Value =
        serde_json::from_str(&String::from(json)).map_err(|e| invalid(e.to_string()))?;
    let policy: PasswordPolicy =
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    policy.validate_config()?;
    Ok(policy)
}

/// Beyond this many distinct evaluations (many custom policies), new ones are built and frozen
/// but not kept; the Node binding keeps as many.
const MAX_KEPT: usize = 1024;

thread_local! {
    /// The frozen evaluation objects built so far, by [`key`]: a candidate password only ever
    /// yields a handful of distinct evaluations per policy, so each is built once and handed out
    /// again, as the Node binding does (equal evaluations are the same object). Building one
    /// costs about thirty values made across the JS boundary (~45 µs in V8, against ~1 µs for
    /// the core's evaluation); handing a kept one out costs a lookup.
    static KEPT: RefCell<HashMap<Vec<u32>, JsValue>> = RefCell::new(HashMap::new());
}

/// What makes two evaluations produce the same object (the Node binding's key): per check its
/// criterion and outcome, its threshold, then the count and the characters its label shows as
/// excluded. `None` (not kept) if a number does not fit in 32 bits.
fn key(e: &Evaluation) -> Option<Vec<u32>> {
    let mut key = Vec::with_capacity(e.checks.len() * 3 + 1);
    for c in &e.checks {
        key.push((c.criterion as u32) << 1 | u32::from(c.met));
        key.push(u32::try_from(c.threshold).ok()?);
        key.push(u32::try_from(c.excluded_specials.len()).ok()?);
        key.extend(c.excluded_specials.iter().map(|&ch| u32::from(ch)));
    }
    Some(key)
}

/// The evaluation as the Node binding's frozen `Evaluation`, kept ([`KEPT`]) or built.
fn evaluation_to_js(e: &Evaluation) -> Result<JsValue, JsValue> {
    let Some(key) = key(e) else {
        return build(e);
    };
    if let Some(kept) = KEPT.with_borrow(|kept| kept.get(&key).cloned()) {
        return Ok(kept);
    }
    let obj = build(e)?;
    KEPT.with_borrow_mut(|kept| {
        if kept.len() < MAX_KEPT {
            kept.insert(key, obj.clone());
        }
    });
    Ok(obj)
}

/// `{acceptable, checks}`, each check `{criterion, met, threshold, labelFr, labelEn}`, frozen to
/// the leaves.
fn build(e: &Evaluation) -> Result<JsValue, JsValue> {
    let checks = Array::new();
    for c in &e.checks {
        checks.push(&Object::freeze(&check_to_js(c)?));
    }
    let obj = Object::new();
    Reflect::set(&obj, &"acceptable".into(), &e.acceptable().into())?;
    Reflect::set(&obj, &"checks".into(), &Object::freeze(&checks))?;
    Ok(Object::freeze(&obj).into())
}

fn check_to_js(c: &Check) -> Result<Object, JsValue> {
    let obj = Object::new();
    set_str(&obj, "criterion", c.criterion.code())?;
    Reflect::set(&obj, &"met".into(), &c.met.into())?;
    // As the Node binding's `count`: a threshold beyond u32 shows as u32::MAX.
    let threshold = u32::try_from(c.threshold).unwrap_or(u32::MAX);
    Reflect::set(&obj, &"threshold".into(), &threshold.into())?;
    set_str(&obj, "labelFr", &c.label(Locale::Fr))?;
    set_str(&obj, "labelEn", &c.label(Locale::En))?;
    Ok(obj)
}

fn set_str(obj: &Object, key: &str, value: &str) -> Result<(), JsValue> {
    Reflect::set(obj, &key.into(), &JsValue::from_str(value)).map(drop)
}

/// A string argument, or a `TypeError` naming it.
fn string_arg(v: &JsValue, name: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| type_error(&format!("{name}: expected a string")))
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The JS error for a core error, shaped as the Node binding's `PortalError`: an `Error` with
/// `name` `"PortalError"`, `code`, `message` (the error's text, which never holds a secret) and
/// `criteria`.
fn portal_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("PortalError");
    let criteria: Array = e
        .failed_criteria()
        .into_iter()
        .map(JsString::from)
        .collect();
    // Setting own properties of a fresh Error cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(e.code()));
    let _ = Reflect::set(&err, &"criteria".into(), &criteria);
    err.into()
}

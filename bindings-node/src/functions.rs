//! The pure functions of the contract (no store): cheap, synchronous, no `…Async` variants.

use crate::errors::{check, guard, guarded, invalid_config};
use crate::evaluation::{DEFAULT_POLICY, Policy};
use crate::raw::{Native, create_function, with_str};
use crate::values::{
    CallingCode, DebitLine, ExpectedDebit, Reconciliation, Reference, Regime, Right, ScreenLabel,
    Section, SupportDirectory, debit_lines, rights_set,
};
use dealer_portal::password::{Evaluation as CoreEvaluation, PasswordPolicy};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{self, Regime as CoreRegime};
use dealer_portal::rights::Right as CoreRight;
use dealer_portal::{Coded, Error, Locale};
use napi::bindgen_prelude::{FromNapiValue, Function, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use std::collections::BTreeMap;

/// A plain object deserialised into a core configuration type (its serde field names); a
/// mismatch is the core's `INVALID_CONFIG`.
pub(crate) fn from_config<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
) -> Result<T, Error> {
    serde_json::from_value(v).map_err(invalid_config)
}

/// The optional arguments of `evaluatePassword`.
// Only its typings are used: `read_options` and the JS wrapper ([`WRAPPER`]) read the object.
#[napi(object, object_to_js = false)]
#[expect(
    dead_code,
    reason = "made only by its generated conversion, which nothing calls"
)]
pub struct EvaluateOptions {
    /// The confirmation field; when given, a `confirmation` check is reported.
    pub confirmation: Option<String>,
    /// Another policy than the seed's (partial: missing fields take the seed's values).
    #[napi(ts_type = "PasswordPolicy")]
    pub policy: Option<serde_json::Value>,
}

/// The `confirmation` and `policy` fields of `evaluatePassword`'s options object, as is
/// (`None`: no options), read as [`EvaluateOptions`]'s generated conversion would read them:
/// `confirmation` first, and if it is neither `undefined` nor a string, its conversion error
/// before `policy` is read. The JS wrapper ([`WRAPPER`]) reads them the same way.
pub(crate) fn read_options<'a>(
    options: Option<Object<'a>>,
) -> napi::Result<(Option<Unknown<'a>>, Option<Unknown<'a>>)> {
    let Some(obj) = options else {
        return Ok((None, None));
    };
    let confirmation: Unknown<'a> = obj.get_c_named_property_unchecked(c"confirmation")?;
    if !matches!(
        confirmation.get_type()?,
        ValueType::Undefined | ValueType::String
    ) {
        return Err(confirmation_error(confirmation));
    }
    let policy: Unknown<'a> = obj.get_c_named_property_unchecked(c"policy")?;
    Ok((Some(confirmation), Some(policy)))
}

/// Runs `f` with the password, the confirmation and the policy of `evaluatePassword`'s
/// options, converted from their fields (`None` or `undefined`: absent) with the values and
/// errors of [`EvaluateOptions`]'s generated conversion, at a fraction of its cost on the
/// per-keystroke path: `policy` (usually absent) converted only when present, and a
/// confirmation that is the very password string (`===`) not converted again (equal strings
/// have equal UTF-8).
pub(crate) fn with_fields<R>(
    env: &Env,
    password: Unknown<'_>,
    (confirmation, policy): (Option<Unknown<'_>>, Option<Unknown<'_>>),
    f: impl FnOnce(&str, Option<&str>, Option<serde_json::Value>) -> napi::Result<R>,
) -> napi::Result<R> {
    with_str(password, |pw| {
        let same = match confirmation {
            Some(c) => env.strict_equals(password, c)?,
            None => false,
        };
        let confirmation = match confirmation {
            Some(c) if !same => match c.get_type()? {
                ValueType::Undefined => None,
                ValueType::String => Some(c),
                _ => return Err(confirmation_error(c)),
            },
            _ => None,
        };
        let policy = match policy {
            Some(p) if p.get_type()? != ValueType::Undefined => {
                Some(serde_json::Value::from_unknown(p).map_err(|e| field_error(e, "policy"))?)
            }
            _ => None,
        };
        match confirmation {
            Some(c) => with_str(c, |c| f(pw, Some(c), policy))?,
            None => f(pw, same.then_some(pw), policy),
        }
    })?
}

/// The error of a `confirmation` that is not a string, as the generated conversion makes it.
fn confirmation_error(value: Unknown<'_>) -> napi::Error {
    match String::from_unknown(value) {
        Err(e) => field_error(e, "confirmation"),
        Ok(_) => napi::Error::from_reason("confirmation: not a string"),
    }
}

/// A field's conversion error, naming the field as the generated conversion does.
fn field_error(mut e: napi::Error, field: &str) -> napi::Error {
    e.reason = format!("{} on EvaluateOptions.{field}", e.reason);
    e
}

/// The evaluation, and whether the default policy made it.
fn evaluate(
    password: &str,
    confirmation: Option<&str>,
    policy: Option<serde_json::Value>,
) -> Result<(CoreEvaluation, Policy), Error> {
    match policy {
        None | Some(serde_json::Value::Null) => Ok((
            DEFAULT_POLICY.evaluate(password, confirmation),
            Policy::Default,
        )),
        Some(p) => {
            let policy: PasswordPolicy = from_config(p)?;
            policy.validate_config()?;
            Ok((policy.evaluate(password, confirmation), Policy::Other))
        }
    }
}

/// `evaluatePassword` on the password and its options' fields (see [`with_fields`]).
pub(crate) fn evaluate_fields<'e>(
    env: &'e Env,
    password: Unknown<'_>,
    fields: (Option<Unknown<'_>>, Option<Unknown<'_>>),
) -> napi::Result<Object<'e>> {
    // Called from a plain Node-API callback (`raw::call_native`): a panic must stop here.
    guarded(env, || {
        let (evaluation, policy) =
            with_fields(env, password, fields, |pw, confirmation, policy| {
                check(env, evaluate(pw, confirmation, policy))
            })?;
        crate::evaluation::to_js(env, &evaluation, policy)
    })
}

/// Evaluates a candidate password criterion by criterion (min_length, uppercase, lowercase,
/// digit, special, then confirmation when given): pure and cheap, no hashing — call it at every
/// keystroke to turn the bullets from red to green. The result is frozen: equal evaluations are
/// the same object.
// The export is replaced at load by a JS wrapper that reads the options object in JS and calls
// `evaluate_fields` through a plain Node-API callback (`install_evaluate_password`): the same
// values and errors as this function, which declares it (typings, index.js).
#[napi(
    catch_unwind,
    ts_args_type = "password: string, options?: EvaluateOptions | undefined | null",
    ts_return_type = "Evaluation"
)]
pub fn evaluate_password<'e>(
    env: &'e Env,
    password: Unknown<'_>,
    options: Option<Object<'_>>,
) -> napi::Result<Object<'e>> {
    guarded(env, || {
        expect_string(password)?;
        evaluate_fields(env, password, read_options(options)?)
    })
}

/// The conversion error of a password that is not a string, raised before the options are
/// read (as the generated conversion of a `String` argument did).
pub(crate) fn expect_string(password: Unknown<'_>) -> napi::Result<()> {
    if password.get_type()? == ValueType::String {
        return Ok(());
    }
    String::from_unknown(password).map(drop)
}

/// `evaluatePassword` as exported: the options object is read in JS, where a property read
/// costs next to nothing (through Node-API, `napi_get_named_property` makes the key string and
/// does a generic lookup: ~55 ns each, more than the core's evaluation of a short password).
/// No rule here: it reads the two fields as [`read_options`] does (the same order, a
/// non-string `confirmation` reported before `policy` is read, a non-string password before
/// the options are read) and hands them to [`EVALUATE_FIELDS`], which converts and checks
/// them as [`evaluate_password`] does.
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
/// [`evaluate_fields`] behind a plain Node-API callback ([`create_function`]).
static EVALUATE_FIELDS: Native = evaluate_fields;

/// Installs [`WRAPPER`] as `evaluatePassword`, over the export napi-rs generated for
/// [`evaluate_password`] (napi-rs runs this hook after registering its exports, in
/// every environment: the main thread and each worker).
#[napi(module_exports)]
pub fn install_evaluate_password(mut exports: Object<'_>, env: Env) -> napi::Result<()> {
    let native = create_function(&env, "evaluateFields", &EVALUATE_FIELDS)?;
    let make: Function<
        '_,
        Function<'_, Unknown<'_>, Unknown<'_>>,
        Function<'_, Unknown<'_>, Unknown<'_>>,
    > = env.run_script(WRAPPER)?;
    exports.set_named_property("evaluatePassword", make.call(native)?)
}

/// The monthly direct debits a regime expects, in order.
#[napi(catch_unwind)]
pub fn expected_debits(env: Env, regime: Regime) -> napi::Result<Vec<ExpectedDebit>> {
    guarded(&env, || {
        Ok(regime::expected_debits(regime.into())
            .iter()
            .map(ExpectedDebit::from)
            .collect())
    })
}

/// Reconciles a month's (`M/YYYY`) debit lines against the regime's expected debits: each
/// debit with its lines and total, what is missing, what is unexpected.
#[napi(catch_unwind)]
pub fn reconcile(
    env: Env,
    regime: Regime,
    month: String,
    lines: Vec<DebitLine>,
) -> napi::Result<Reconciliation> {
    check(
        &env,
        guard(|| {
            let month = YearMonth::parse(&month)?;
            let lines = debit_lines(&lines)?;
            regime::reconcile(regime.into(), month, &lines).map(Reconciliation::from)
        }),
    )
}

/// Recognises a quick-search reference: a registration plate (`AB-123-CD`, old `1234 AB 56`,
/// any spacing or case), a contract number or an agreement number.
#[napi(catch_unwind)]
pub fn parse_reference(env: Env, text: String) -> napi::Result<Reference> {
    check(
        &env,
        guard(|| dealer_portal::reference::parse_reference(&text).map(Reference::from)),
    )
}

/// The support contacts (the seed's by default): channels and the topics each serves.
#[napi(catch_unwind)]
pub fn support_directory(env: Env) -> napi::Result<SupportDirectory> {
    guarded(&env, || {
        Ok(dealer_portal::support::support_directory().into())
    })
}

/// The menu's tabs to show for the rights held on the connected establishment, in the seed's
/// order: ACCUEIL and EASICARE always, each other tab when one of its rights is held.
#[napi(catch_unwind)]
pub fn visible_sections(env: Env, rights: Vec<Right>) -> napi::Result<Vec<Section>> {
    guarded(&env, || {
        Ok(dealer_portal::menu::visible_sections(rights_set(&rights))
            .into_iter()
            .map(Section::from)
            .collect())
    })
}

/// The calling codes of the "+33 ▾" list beside a phone field: France first, then by region.
#[napi(catch_unwind)]
pub fn calling_codes(env: Env) -> napi::Result<Vec<CallingCode>> {
    guarded(&env, || {
        Ok(dealer_portal::phone::calling_codes()
            .into_iter()
            .map(CallingCode::from)
            .collect())
    })
}

/// Every text a host needs for the seed's screens: criteria, rights, states, roles, sections,
/// sort orders, notices, document categories and kinds, regimes, phone fields, mails, topics.
#[napi(catch_unwind)]
pub fn screen_labels(env: Env) -> napi::Result<Vec<ScreenLabel>> {
    guarded(&env, || {
        Ok(dealer_portal::menu::screen_labels()
            .into_iter()
            .map(ScreenLabel::from)
            .collect())
    })
}

/// A right's or a regime's stable code and labels.
#[napi(object, object_from_js = false)]
pub struct Labels {
    /// The stable snake_case code (the enum's value).
    pub code: &'static str,
    /// In French ("Gérer les comptes").
    pub label_fr: &'static str,
    /// In English ("Manage accounts").
    pub label_en: &'static str,
}

fn labels<T: Coded>(v: T) -> Labels {
    Labels {
        code: v.code(),
        label_fr: v.label(Locale::Fr),
        label_en: v.label(Locale::En),
    }
}

/// A right's stable code, labels and the seed's explanation of what it allows.
#[napi(object, object_from_js = false)]
pub struct RightLabels {
    /// The stable snake_case code (the enum's value).
    pub code: &'static str,
    /// In French ("Gérer les comptes").
    pub label_fr: &'static str,
    /// In English ("Manage accounts").
    pub label_en: &'static str,
    /// What it allows, in French ("Permet de créer d'autres comptes utilisateurs").
    pub description_fr: &'static str,
    /// What it allows, in English ("Lets you create other user accounts").
    pub description_en: &'static str,
}

/// The code, labels and explanations of a right.
#[napi(catch_unwind)]
pub fn describe_right(env: Env, right: Right) -> napi::Result<RightLabels> {
    guarded(&env, || {
        let r = CoreRight::from(right);
        Ok(RightLabels {
            code: r.code(),
            label_fr: r.label(Locale::Fr),
            label_en: r.label(Locale::En),
            description_fr: r.description(Locale::Fr),
            description_en: r.description(Locale::En),
        })
    })
}

/// The code and labels of a regime.
#[napi(catch_unwind)]
pub fn describe_regime(env: Env, regime: Regime) -> napi::Result<Labels> {
    guarded(&env, || Ok(labels(CoreRegime::from(regime))))
}

/// Whether a caught value is a `PortalError` thrown by this package (and, when `code` is given,
/// one with that code): `catch (e) { if (isPortalError(e, 'TOKEN_INVALID')) … }` narrows `e`.
#[napi(
    catch_unwind,
    ts_args_type = "e: unknown, code?: string",
    ts_return_type = "e is PortalError"
)]
pub fn is_portal_error(env: Env, e: Unknown<'_>, code: Option<String>) -> napi::Result<bool> {
    guarded(&env, || is_portal_error_inner(e, code))
}

fn is_portal_error_inner(e: Unknown<'_>, code: Option<String>) -> napi::Result<bool> {
    if e.get_type()? != ValueType::Object {
        return Ok(false);
    }
    let obj = e.coerce_to_object()?;
    let text = |key: &str| -> napi::Result<Option<String>> {
        let v: Unknown<'_> = obj.get_named_property(key)?;
        if v.get_type()? != ValueType::String {
            return Ok(None);
        }
        Ok(Some(v.coerce_to_string()?.into_utf8()?.into_owned()?))
    };
    if text("name")?.as_deref() != Some("PortalError") {
        return Ok(false);
    }
    Ok(match (text("code")?, code) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(actual), Some(wanted)) => actual == wanted,
    })
}

/// The codes of the core's enums, for the test that keeps the unions of `index.d.ts` in step
/// with the core. Not part of the API (absent from the typings).
#[napi(js_name = "__codes", skip_typescript, catch_unwind)]
pub fn codes(env: Env) -> napi::Result<BTreeMap<&'static str, Vec<&'static str>>> {
    guarded(&env, || Ok(all_codes()))
}

fn all_codes() -> BTreeMap<&'static str, Vec<&'static str>> {
    fn all<T: Coded>() -> Vec<&'static str> {
        T::ALL.iter().map(|v| v.code()).collect()
    }
    use dealer_portal::{account, document, menu, notification, reference, support, token};
    BTreeMap::from([
        ("ErrorCode", Error::CODES.to_vec()),
        ("Criterion", all::<dealer_portal::password::Criterion>()),
        ("NotificationKind", all::<notification::NotificationKind>()),
        ("TokenKind", all::<token::TokenPurpose>()),
        ("AccountState", all::<account::AccountState>()),
        ("Role", all::<account::Role>()),
        ("SectionCode", all::<menu::Section>()),
        ("DocumentCategory", all::<document::DocumentCategory>()),
        ("DocumentKind", all::<document::DocumentKind>()),
        ("Issuer", all::<regime::Issuer>()),
        ("DebitNature", all::<regime::DebitNature>()),
        ("DebitCode", all::<regime::DebitCode>()),
        ("ReferenceKind", all::<reference::ReferenceKind>()),
        ("PlateFormat", all::<reference::PlateFormat>()),
        ("ChannelKind", all::<support::ChannelKind>()),
        ("SupportTopic", all::<support::SupportTopic>()),
        ("Locale", vec![Locale::Fr.code(), Locale::En.code()]),
        ("Right", all::<CoreRight>()),
        ("Regime", all::<CoreRegime>()),
    ])
}

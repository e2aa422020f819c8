//! The pure functions of the contract (no store): cheap, synchronous, no `…Async` variants.

use crate::errors::{check, invalid_config};
use crate::evaluation::Policy;
use crate::values::{
    DebitLine, ExpectedDebit, Reconciliation, Reference, Regime, Right, SupportDirectory,
    debit_lines,
};
use dealer_portal::password::{Evaluation as CoreEvaluation, PasswordPolicy};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{self, Regime as CoreRegime};
use dealer_portal::rights::Right as CoreRight;
use dealer_portal::{Coded, Error, Locale};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::sync::LazyLock;

/// The default policy, built once: `evaluatePassword` runs at every keystroke.
static DEFAULT_POLICY: LazyLock<PasswordPolicy> = LazyLock::new(PasswordPolicy::default);

/// A plain object deserialised into a core configuration type (its serde field names); a
/// mismatch is the core's `INVALID_CONFIG`.
pub(crate) fn from_config<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
) -> Result<T, Error> {
    serde_json::from_value(v).map_err(invalid_config)
}

/// The optional arguments of `evaluatePassword`.
// Its generated conversion only serves the typings: `EvaluateOptions::read` reads the object.
#[napi(object, object_to_js = false)]
pub struct EvaluateOptions {
    /// The confirmation field; when given, a `confirmation` check is reported.
    pub confirmation: Option<String>,
    /// Another policy than the seed's (partial: missing fields take the seed's values).
    #[napi(ts_type = "PasswordPolicy")]
    pub policy: Option<serde_json::Value>,
}

impl EvaluateOptions {
    /// Reads the options object as its generated conversion does (same values, same errors),
    /// at a fraction of the cost on the per-keystroke path: each field straight from the object,
    /// converted only when present (`policy` is usually absent).
    pub(crate) fn read(options: Option<Object<'_>>) -> napi::Result<Option<Self>> {
        let Some(obj) = options else {
            return Ok(None);
        };
        Ok(Some(EvaluateOptions {
            confirmation: field(&obj, c"confirmation")?,
            policy: field(&obj, c"policy")?,
        }))
    }
}

/// An optional field of [`EvaluateOptions`], as the generated conversion reads it: `undefined`
/// is `None`, anything else (`null` too) is converted, and an error names the field.
fn field<T: FromNapiValue>(obj: &Object<'_>, key: &CStr) -> napi::Result<Option<T>> {
    let value: Unknown<'_> = obj.get_c_named_property_unchecked(key)?;
    if value.get_type()? == ValueType::Undefined {
        return Ok(None);
    }
    T::from_unknown(value).map(Some).map_err(|mut e| {
        e.reason = format!("{} on EvaluateOptions.{}", e.reason, key.to_string_lossy());
        e
    })
}

/// The evaluation, and whether the default policy made it.
fn evaluate(
    password: &str,
    options: Option<EvaluateOptions>,
) -> Result<(CoreEvaluation, Policy), Error> {
    let Some(options) = options else {
        return Ok((DEFAULT_POLICY.evaluate(password, None), Policy::Default));
    };
    let confirmation = options.confirmation.as_deref();
    let evaluation = match options.policy {
        None | Some(serde_json::Value::Null) => (
            DEFAULT_POLICY.evaluate(password, confirmation),
            Policy::Default,
        ),
        Some(p) => {
            let policy: PasswordPolicy = from_config(p)?;
            policy.validate_config()?;
            (policy.evaluate(password, confirmation), Policy::Other)
        }
    };
    Ok(evaluation)
}

/// Evaluates a candidate password criterion by criterion (min_length, uppercase, lowercase,
/// digit, special, then confirmation when given): pure and cheap, no hashing — call it at every
/// keystroke to turn the bullets from red to green. The result is frozen: equal evaluations are
/// the same object.
#[napi(
    ts_args_type = "password: string, options?: EvaluateOptions | undefined | null",
    ts_return_type = "Evaluation"
)]
pub fn evaluate_password<'e>(
    env: &'e Env,
    password: String,
    options: Option<Object<'_>>,
) -> napi::Result<Object<'e>> {
    let options = EvaluateOptions::read(options)?;
    let (evaluation, policy) = check(env, evaluate(&password, options))?;
    crate::evaluation::to_js(env, &evaluation, policy)
}

/// The monthly direct debits a regime expects, in order.
#[napi]
pub fn expected_debits(regime: Regime) -> Vec<ExpectedDebit> {
    regime::expected_debits(regime.into())
        .iter()
        .map(ExpectedDebit::from)
        .collect()
}

/// Reconciles a month's (`M/YYYY`) debit lines against the regime's expected debits: each
/// debit with its lines and total, what is missing, what is unexpected.
#[napi]
pub fn reconcile(
    env: Env,
    regime: Regime,
    month: String,
    lines: Vec<DebitLine>,
) -> napi::Result<Reconciliation> {
    check(&env, {
        (|| {
            let month = YearMonth::parse(&month)?;
            let lines = debit_lines(&lines)?;
            regime::reconcile(regime.into(), month, &lines).map(Reconciliation::from)
        })()
    })
}

/// Recognises a quick-search reference: a registration plate (`AB-123-CD`, old `1234 AB 56`,
/// any spacing or case), a contract number or an agreement number.
#[napi]
pub fn parse_reference(env: Env, text: String) -> napi::Result<Reference> {
    check(
        &env,
        dealer_portal::reference::parse_reference(&text).map(Reference::from),
    )
}

/// The support contacts (the seed's by default): channels and the topics each serves.
#[napi]
pub fn support_directory() -> SupportDirectory {
    dealer_portal::support::support_directory().into()
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

/// The code and labels of a right.
#[napi]
pub fn describe_right(right: Right) -> Labels {
    labels(CoreRight::from(right))
}

/// The code and labels of a regime.
#[napi]
pub fn describe_regime(regime: Regime) -> Labels {
    labels(CoreRegime::from(regime))
}

/// Whether a caught value is a `PortalError` thrown by this package (and, when `code` is given,
/// one with that code): `catch (e) { if (isPortalError(e, 'TOKEN_INVALID')) … }` narrows `e`.
#[napi(
    ts_args_type = "e: unknown, code?: string",
    ts_return_type = "e is PortalError"
)]
pub fn is_portal_error(e: Unknown<'_>, code: Option<String>) -> napi::Result<bool> {
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
#[napi(js_name = "__codes", skip_typescript)]
pub fn codes() -> BTreeMap<&'static str, Vec<&'static str>> {
    fn all<T: Coded>() -> Vec<&'static str> {
        T::ALL.iter().map(|v| v.code()).collect()
    }
    use dealer_portal::{account, document, notification, reference, support, token};
    BTreeMap::from([
        ("ErrorCode", Error::CODES.to_vec()),
        ("Criterion", all::<dealer_portal::password::Criterion>()),
        ("NotificationKind", all::<notification::NotificationKind>()),
        ("TokenKind", all::<token::TokenPurpose>()),
        ("AccountState", all::<account::AccountState>()),
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

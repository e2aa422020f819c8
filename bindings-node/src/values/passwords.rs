//! A password's evaluation, criterion by criterion.

use super::count;
use dealer_portal::Locale;
use dealer_portal::password::{Check as CoreCheck, Evaluation as CoreEvaluation};
use napi_derive::napi;

/// The result of one password criterion (frozen: shared between equal evaluations).
#[napi(object, object_from_js = false)]
pub struct Check {
    /// min_length, uppercase, lowercase, digit, special, confirmation, then optional criteria.
    #[napi(readonly, ts_type = "Criterion")]
    pub criterion: &'static str,
    /// Whether the candidate meets it: the bullet is green.
    #[napi(readonly)]
    pub met: bool,
    /// The number shown in the label (the minimum, or the maximum for max_length; else 0).
    #[napi(readonly)]
    pub threshold: u32,
    /// The bullet in French ("15 caractères").
    #[napi(readonly)]
    pub label_fr: String,
    /// The bullet in English ("15 characters").
    #[napi(readonly)]
    pub label_en: String,
}

impl From<&CoreCheck> for Check {
    fn from(c: &CoreCheck) -> Self {
        Check {
            criterion: c.criterion.code(),
            met: c.met,
            threshold: count(c.threshold),
            label_fr: c.label(Locale::Fr),
            label_en: c.label(Locale::En),
        }
    }
}

/// The evaluation of a candidate password, criterion by criterion. An immutable (frozen) value:
/// equal evaluations are the same object.
#[napi(object, object_from_js = false)]
pub struct Evaluation {
    /// Whether every reported criterion is met.
    #[napi(readonly)]
    pub acceptable: bool,
    /// The checks, in the policy's order.
    #[napi(readonly, ts_type = "ReadonlyArray<Check>")]
    pub checks: Vec<Check>,
}

impl From<&CoreEvaluation> for Evaluation {
    fn from(e: &CoreEvaluation) -> Self {
        Evaluation {
            acceptable: e.acceptable(),
            checks: e.checks.iter().map(Check::from).collect(),
        }
    }
}

//! Direct debits and their reconciliation against an establishment's regime.

use super::Regime;
use dealer_portal::regime::{
    DebitLine as CoreDebitLine, ExpectedDebit as CoreExpectedDebit,
    ReconciledDebit as CoreReconciledDebit, Reconciliation as CoreReconciliation,
};
use dealer_portal::{Coded, Error, Locale};
use napi_derive::napi;

/// A line of a direct debit: issuer, nature and amount in integer cents.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct DebitLine {
    /// stellantis_insurance or stellantis_services.
    #[napi(ts_type = "Issuer")]
    pub issuer: String,
    /// premium, claims_settled, management_fees or npo.
    #[napi(ts_type = "DebitNature")]
    pub nature: String,
    /// The amount in integer cents.
    pub amount_cents: i64,
    /// The bank statement's wording.
    pub label: Option<String>,
}

impl DebitLine {
    pub(crate) fn to_core(&self) -> Result<CoreDebitLine, Error> {
        let mut line = CoreDebitLine::new(&self.issuer, &self.nature, self.amount_cents)?;
        if let Some(l) = &self.label {
            line = line.with_label(l)?;
        }
        Ok(line)
    }
}

impl From<&CoreDebitLine> for DebitLine {
    fn from(l: &CoreDebitLine) -> Self {
        DebitLine {
            issuer: l.issuer.code().to_owned(),
            nature: l.nature.code().to_owned(),
            amount_cents: l.amount_cents,
            label: l.label.clone(),
        }
    }
}

/// A list of debit lines as core lines.
pub(crate) fn debit_lines(lines: &[DebitLine]) -> Result<Vec<CoreDebitLine>, Error> {
    lines.iter().map(DebitLine::to_core).collect()
}

/// A monthly debit a regime expects.
#[napi(object, object_from_js = false)]
pub struct ExpectedDebit {
    /// The debit's code (insurance_monthly, claims_settled, ...).
    #[napi(ts_type = "DebitCode")]
    pub code: &'static str,
    /// Who collects it.
    #[napi(ts_type = "Issuer")]
    pub issuer: &'static str,
    /// The `[issuer, nature]` pairs of the lines it gathers.
    #[napi(ts_type = "Array<[Issuer, DebitNature]>")]
    pub accepted: Vec<Vec<&'static str>>,
    /// In French.
    pub label_fr: &'static str,
    /// In English.
    pub label_en: &'static str,
}

impl From<&CoreExpectedDebit> for ExpectedDebit {
    fn from(d: &CoreExpectedDebit) -> Self {
        ExpectedDebit {
            code: d.code.code(),
            issuer: d.issuer.code(),
            accepted: d
                .accepted
                .iter()
                .map(|(i, n)| vec![i.code(), n.code()])
                .collect(),
            label_fr: d.label(Locale::Fr),
            label_en: d.label(Locale::En),
        }
    }
}

/// An expected debit with its lines and total.
#[napi(object, object_from_js = false)]
pub struct ReconciledDebit {
    /// The debit's code.
    #[napi(ts_type = "DebitCode")]
    pub code: &'static str,
    /// Who collects it.
    #[napi(ts_type = "Issuer")]
    pub issuer: &'static str,
    /// Its lines.
    pub lines: Vec<DebitLine>,
    /// Their total in integer cents.
    pub total_cents: i64,
    /// In French.
    pub label_fr: &'static str,
}

impl From<&CoreReconciledDebit> for ReconciledDebit {
    fn from(d: &CoreReconciledDebit) -> Self {
        ReconciledDebit {
            code: d.code.code(),
            issuer: d.issuer.code(),
            lines: d.lines.iter().map(DebitLine::from).collect(),
            total_cents: d.total_cents,
            label_fr: d.code.label(Locale::Fr),
        }
    }
}

/// A month's debit lines reconciled against a regime's expected debits.
#[napi(object, object_from_js = false)]
pub struct Reconciliation {
    /// The regime.
    pub regime: Regime,
    /// The month, M/YYYY.
    pub month: String,
    /// Each expected debit with its lines and total, in the regime's order.
    pub debits: Vec<ReconciledDebit>,
    /// Codes of the expected debits with no line.
    #[napi(ts_type = "Array<DebitCode>")]
    pub missing: Vec<&'static str>,
    /// The lines that belong to no debit of the regime.
    pub unexpected: Vec<DebitLine>,
    /// Nothing missing and nothing unexpected.
    pub complete: bool,
}

impl From<CoreReconciliation> for Reconciliation {
    fn from(r: CoreReconciliation) -> Self {
        Reconciliation {
            regime: r.regime.into(),
            month: r.month.to_string(),
            debits: r.debits.iter().map(ReconciledDebit::from).collect(),
            missing: r.missing.iter().map(|c| c.code()).collect(),
            unexpected: r.unexpected.iter().map(DebitLine::from).collect(),
            complete: r.is_complete(),
        }
    }
}

//! Insurance regimes of an establishment and their monthly direct debits (seed §3).
//!
//! Each [`Regime`] expects a fixed set of monthly debits ([`expected_debits`]); a debit gathers
//! lines of given (issuer, nature) pairs. [`classify`] puts one [`DebitLine`] into its debit or
//! says why it is an anomaly; [`reconcile`] does a whole month. Money is integer cents (`i64`),
//! never floats; a negative amount is a credit (refund, regularisation) and is classified like
//! any other line.

use crate::locale::{Coded, Locale, coded_serde};
use crate::period::YearMonth;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// How an establishment's warranties are insured, which decides its monthly direct debits.
///
/// ```
/// use dealer_portal::{Coded, Locale, regime::Regime};
/// assert_eq!(Regime::DelegatedManagement.code(), "delegated_management");
/// assert_eq!(Regime::SelfInsurance.label(Locale::Fr), "Auto-assurance");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Regime {
    /// "En mode assurance": one monthly debit with several lines.
    Insurance,
    /// "En mode gestion déléguée": two distinct monthly debits by Stellantis Services.
    DelegatedManagement,
    /// "En auto-assurance": one NPO debit by Stellantis Services.
    SelfInsurance,
}

impl Coded for Regime {
    const ALL: &'static [Self] = &[
        Regime::Insurance,
        Regime::DelegatedManagement,
        Regime::SelfInsurance,
    ];
    const WHAT: &'static str = "regime";
    const ACCEPTED: &'static str = "insurance, delegated_management, self_insurance";
    fn code(self) -> &'static str {
        match self {
            Regime::Insurance => "insurance",
            Regime::DelegatedManagement => "delegated_management",
            Regime::SelfInsurance => "self_insurance",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Regime::Insurance, Locale::Fr) => "Mode assurance",
            (Regime::Insurance, Locale::En) => "Insurance",
            (Regime::DelegatedManagement, Locale::Fr) => "Gestion déléguée",
            (Regime::DelegatedManagement, Locale::En) => "Delegated management",
            (Regime::SelfInsurance, Locale::Fr) => "Auto-assurance",
            (Regime::SelfInsurance, Locale::En) => "Self-insurance",
        }
    }
}
coded_serde!(Regime);

/// Who collects a debit line: the insurer or the warranty manager.
///
/// ```
/// use dealer_portal::{Coded, Locale, regime::Issuer};
/// assert_eq!(Issuer::from_code("stellantis_services").unwrap(), Issuer::StellantisServices);
/// assert_eq!(Issuer::StellantisInsurance.label(Locale::Fr), "Stellantis Insurance");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Issuer {
    /// Stellantis Insurance, the insurer.
    StellantisInsurance,
    /// Stellantis Services, the warranty manager.
    StellantisServices,
}

impl Coded for Issuer {
    const ALL: &'static [Self] = &[Issuer::StellantisInsurance, Issuer::StellantisServices];
    const WHAT: &'static str = "issuer";
    const ACCEPTED: &'static str = "stellantis_insurance, stellantis_services";
    fn code(self) -> &'static str {
        match self {
            Issuer::StellantisInsurance => "stellantis_insurance",
            Issuer::StellantisServices => "stellantis_services",
        }
    }
    fn label(self, _locale: Locale) -> &'static str {
        // Company names: the same in every language.
        match self {
            Issuer::StellantisInsurance => "Stellantis Insurance",
            Issuer::StellantisServices => "Stellantis Services",
        }
    }
}
coded_serde!(Issuer);

/// What a debit line is for.
///
/// ```
/// use dealer_portal::{Coded, Locale, regime::DebitNature};
/// assert_eq!(DebitNature::ClaimsSettled.label(Locale::Fr), "Sinistres réglés pour votre compte");
/// assert_eq!(DebitNature::Npo.code(), "npo");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DebitNature {
    /// "Primes": the premiums for the vehicles sold in the month.
    Premium,
    /// "Sinistres réglés pour votre compte": claims settled on the dealer's behalf.
    ClaimsSettled,
    /// "Frais de gestion": management fees.
    ManagementFees,
    /// "NPO".
    Npo,
}

impl Coded for DebitNature {
    const ALL: &'static [Self] = &[
        DebitNature::Premium,
        DebitNature::ClaimsSettled,
        DebitNature::ManagementFees,
        DebitNature::Npo,
    ];
    const WHAT: &'static str = "debit nature";
    const ACCEPTED: &'static str = "premium, claims_settled, management_fees, npo";
    fn code(self) -> &'static str {
        match self {
            DebitNature::Premium => "premium",
            DebitNature::ClaimsSettled => "claims_settled",
            DebitNature::ManagementFees => "management_fees",
            DebitNature::Npo => "npo",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (DebitNature::Premium, Locale::Fr) => "Primes",
            (DebitNature::Premium, Locale::En) => "Premiums",
            (DebitNature::ClaimsSettled, Locale::Fr) => "Sinistres réglés pour votre compte",
            (DebitNature::ClaimsSettled, Locale::En) => "Claims settled on your behalf",
            (DebitNature::ManagementFees, Locale::Fr) => "Frais de gestion",
            (DebitNature::ManagementFees, Locale::En) => "Management fees",
            (DebitNature::Npo, _) => "NPO",
        }
    }
}
coded_serde!(DebitNature);

/// One line of a direct debit, as read from a bank statement or an issuer's notice.
///
/// `amount_cents` is in euro cents; a negative amount is a credit (a refund or a
/// regularisation) and is classified like any other line of its nature.
///
/// ```
/// use dealer_portal::regime::{DebitLine, DebitNature, Issuer};
/// let line = DebitLine::new("stellantis_insurance", "premium", 12_345).unwrap();
/// assert_eq!((line.issuer, line.nature), (Issuer::StellantisInsurance, DebitNature::Premium));
/// assert_eq!(DebitLine::new("acme", "premium", 1).unwrap_err().code(), "UNKNOWN_CODE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DebitLine {
    /// Who collects it.
    pub issuer: Issuer,
    /// What it is for.
    pub nature: DebitNature,
    /// The amount in cents (negative: a credit).
    pub amount_cents: i64,
    /// The wording on the statement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl DebitLine {
    /// Longest accepted label, in characters.
    pub const MAX_LABEL: usize = 500;

    /// A line from the codes of its issuer and nature ([`Error::UnknownCode`] otherwise).
    pub fn new(issuer: &str, nature: &str, amount_cents: i64) -> Result<Self> {
        Ok(DebitLine {
            issuer: Issuer::from_code(issuer)?,
            nature: DebitNature::from_code(nature)?,
            amount_cents,
            label: None,
        })
    }

    /// The same line with a label: trimmed, at most 500 characters, no control characters; a
    /// blank label is no label.
    pub fn with_label(mut self, label: &str) -> Result<Self> {
        let t = label.trim();
        if t.chars().count() > Self::MAX_LABEL {
            return Err(Error::InvalidInput {
                field: "debit line label",
                reason: format!("expected at most {} characters", Self::MAX_LABEL),
            });
        }
        if t.chars().any(char::is_control) {
            return Err(Error::InvalidInput {
                field: "debit line label",
                reason: "control characters are not allowed".into(),
            });
        }
        self.label = (!t.is_empty()).then(|| t.to_owned());
        Ok(self)
    }
}

/// The monthly direct debits an establishment receives, by regime.
///
/// ```
/// use dealer_portal::{Coded, Locale, regime::DebitCode};
/// assert_eq!(DebitCode::InsuranceMonthly.label(Locale::Fr), "Prélèvement mensuel (primes, NPO inclus)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DebitCode {
    /// Insurance: the one monthly debit, premiums of the vehicles sold in the month, NPO
    /// included, in lines of both issuers.
    InsuranceMonthly,
    /// Delegated management: the claims settled on the dealer's behalf.
    ClaimsSettled,
    /// Delegated management: the management fees and the NPO.
    ManagementFeesAndNpo,
    /// Self-insurance: the one NPO debit.
    SelfInsuranceNpo,
}

impl Coded for DebitCode {
    const ALL: &'static [Self] = &[
        DebitCode::InsuranceMonthly,
        DebitCode::ClaimsSettled,
        DebitCode::ManagementFeesAndNpo,
        DebitCode::SelfInsuranceNpo,
    ];
    const WHAT: &'static str = "debit";
    const ACCEPTED: &'static str =
        "insurance_monthly, claims_settled, management_fees_and_npo, self_insurance_npo";
    fn code(self) -> &'static str {
        match self {
            DebitCode::InsuranceMonthly => "insurance_monthly",
            DebitCode::ClaimsSettled => "claims_settled",
            DebitCode::ManagementFeesAndNpo => "management_fees_and_npo",
            DebitCode::SelfInsuranceNpo => "self_insurance_npo",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (DebitCode::InsuranceMonthly, Locale::Fr) => "Prélèvement mensuel (primes, NPO inclus)",
            (DebitCode::InsuranceMonthly, Locale::En) => "Monthly debit (premiums, NPO included)",
            (DebitCode::ClaimsSettled, Locale::Fr) => {
                "Prélèvement des sinistres réglés pour votre compte"
            }
            (DebitCode::ClaimsSettled, Locale::En) => "Debit of the claims settled on your behalf",
            (DebitCode::ManagementFeesAndNpo, Locale::Fr) => {
                "Prélèvement des frais de gestion + NPO"
            }
            (DebitCode::ManagementFeesAndNpo, Locale::En) => "Debit of the management fees + NPO",
            (DebitCode::SelfInsuranceNpo, Locale::Fr) => "Prélèvement NPO",
            (DebitCode::SelfInsuranceNpo, Locale::En) => "NPO debit",
        }
    }
}
coded_serde!(DebitCode);

/// One monthly debit a regime expects: who collects it and which (issuer, nature) lines it
/// gathers.
///
/// A static table: it serialises (for the bindings) but is never deserialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ExpectedDebit {
    /// Which debit.
    pub code: DebitCode,
    /// Who collects it (whose name is on the bank statement).
    pub issuer: Issuer,
    /// The (issuer, nature) pairs of the lines it gathers.
    pub accepted: &'static [(Issuer, DebitNature)],
}

impl ExpectedDebit {
    /// The debit's label in a locale.
    pub fn label(&self, locale: Locale) -> &'static str {
        self.code.label(locale)
    }

    /// Whether a line of this issuer and nature belongs to this debit.
    pub fn accepts(&self, issuer: Issuer, nature: DebitNature) -> bool {
        self.accepted.contains(&(issuer, nature))
    }
}

use DebitNature as N;
use Issuer as I;

const INSURANCE: &[ExpectedDebit] = &[ExpectedDebit {
    code: DebitCode::InsuranceMonthly,
    // The insurer collects the premiums; Stellantis Services' lines (NPO) ride on the same debit.
    issuer: I::StellantisInsurance,
    accepted: &[
        (I::StellantisInsurance, N::Premium),
        (I::StellantisServices, N::Premium),
        (I::StellantisInsurance, N::Npo),
        (I::StellantisServices, N::Npo),
    ],
}];

const DELEGATED: &[ExpectedDebit] = &[
    ExpectedDebit {
        code: DebitCode::ClaimsSettled,
        issuer: I::StellantisServices,
        accepted: &[(I::StellantisServices, N::ClaimsSettled)],
    },
    ExpectedDebit {
        code: DebitCode::ManagementFeesAndNpo,
        issuer: I::StellantisServices,
        accepted: &[
            (I::StellantisServices, N::ManagementFees),
            (I::StellantisServices, N::Npo),
        ],
    },
];

const SELF_INSURANCE: &[ExpectedDebit] = &[ExpectedDebit {
    code: DebitCode::SelfInsuranceNpo,
    issuer: I::StellantisServices,
    accepted: &[(I::StellantisServices, N::Npo)],
}];

/// The monthly debits a regime expects, in the order statements and screens show them (seed §3).
///
/// - Insurance: one debit, [`DebitCode::InsuranceMonthly`], collected by Stellantis Insurance,
///   gathering the premium and NPO lines of both Stellantis Insurance and Stellantis Services.
/// - Delegated management: two debits by Stellantis Services, [`DebitCode::ClaimsSettled`] and
///   [`DebitCode::ManagementFeesAndNpo`].
/// - Self-insurance: one NPO debit by Stellantis Services, [`DebitCode::SelfInsuranceNpo`].
///
/// ```
/// use dealer_portal::regime::{expected_debits, DebitCode, Regime};
/// let codes: Vec<_> = expected_debits(Regime::DelegatedManagement).iter().map(|d| d.code).collect();
/// assert_eq!(codes, [DebitCode::ClaimsSettled, DebitCode::ManagementFeesAndNpo]);
/// ```
pub fn expected_debits(regime: Regime) -> &'static [ExpectedDebit] {
    match regime {
        Regime::Insurance => INSURANCE,
        Regime::DelegatedManagement => DELEGATED,
        Regime::SelfInsurance => SELF_INSURANCE,
    }
}

/// Why a debit line does not belong to any debit of a regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Anomaly {
    /// No debit of the regime gathers lines of this nature (e.g. management fees in insurance).
    NatureNotExpected {
        /// The line's nature.
        nature: DebitNature,
        /// The establishment's regime.
        regime: Regime,
    },
    /// The regime has lines of this nature, but not from this issuer (e.g. an NPO line from
    /// Stellantis Insurance in self-insurance).
    IssuerNotExpected {
        /// The line's issuer.
        issuer: Issuer,
        /// The line's nature.
        nature: DebitNature,
        /// The establishment's regime.
        regime: Regime,
    },
}

impl Anomaly {
    /// A stable code: `nature_not_expected` or `issuer_not_expected`.
    pub fn code(&self) -> &'static str {
        match self {
            Anomaly::NatureNotExpected { .. } => "nature_not_expected",
            Anomaly::IssuerNotExpected { .. } => "issuer_not_expected",
        }
    }

    /// A sentence saying what is wrong, in a locale.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (Anomaly::NatureNotExpected { nature, regime }, Locale::Fr) => format!(
                "« {} » n'est pas prélevé en {}",
                nature.label(locale),
                regime.label(locale).to_lowercase()
            ),
            (Anomaly::NatureNotExpected { nature, regime }, Locale::En) => format!(
                "{} are not debited under {}",
                nature.label(locale),
                regime.label(locale).to_lowercase()
            ),
            (
                Anomaly::IssuerNotExpected {
                    issuer,
                    nature,
                    regime,
                },
                Locale::Fr,
            ) => format!(
                "« {} » n'est pas prélevé par {} en {}",
                nature.label(locale),
                issuer.label(locale),
                regime.label(locale).to_lowercase()
            ),
            (
                Anomaly::IssuerNotExpected {
                    issuer,
                    nature,
                    regime,
                },
                Locale::En,
            ) => format!(
                "{} are not debited by {} under {}",
                nature.label(locale),
                issuer.label(locale),
                regime.label(locale).to_lowercase()
            ),
        }
    }
}

/// Where a debit line goes for a regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Into this expected debit.
    Debit(DebitCode),
    /// Nowhere: the regime expects no such line.
    Anomaly(Anomaly),
}

/// Puts a debit line into its debit for a regime, or says why it is an anomaly.
///
/// Only the issuer and the nature decide: the amount never makes a line an anomaly (a negative
/// amount is a credit, a zero amount a neutral line).
///
/// ```
/// use dealer_portal::regime::{classify, Anomaly, Classification, DebitCode, DebitLine, Regime};
/// let npo = DebitLine::new("stellantis_services", "npo", 4_200).unwrap();
/// assert_eq!(classify(Regime::SelfInsurance, &npo), Classification::Debit(DebitCode::SelfInsuranceNpo));
/// let fees = DebitLine::new("stellantis_services", "management_fees", 900).unwrap();
/// assert!(matches!(
///     classify(Regime::Insurance, &fees),
///     Classification::Anomaly(Anomaly::NatureNotExpected { .. })
/// ));
/// ```
pub fn classify(regime: Regime, line: &DebitLine) -> Classification {
    let debits = expected_debits(regime);
    if let Some(d) = debits.iter().find(|d| d.accepts(line.issuer, line.nature)) {
        return Classification::Debit(d.code);
    }
    let nature_known = debits
        .iter()
        .flat_map(|d| d.accepted)
        .any(|&(_, n)| n == line.nature);
    Classification::Anomaly(if nature_known {
        Anomaly::IssuerNotExpected {
            issuer: line.issuer,
            nature: line.nature,
            regime,
        }
    } else {
        Anomaly::NatureNotExpected {
            nature: line.nature,
            regime,
        }
    })
}

/// One expected debit of a month with the lines it gathered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciledDebit {
    /// Which debit.
    pub code: DebitCode,
    /// Who collects it.
    pub issuer: Issuer,
    /// Its lines, in input order; empty when the debit is missing.
    pub lines: Vec<DebitLine>,
    /// The sum of the lines' amounts, in cents (0 when missing).
    pub total_cents: i64,
}

/// A month of debit lines checked against what a regime expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// The establishment's regime.
    pub regime: Regime,
    /// The month reconciled.
    pub month: YearMonth,
    /// Every expected debit of the regime, in [`expected_debits`] order, missing ones included
    /// (with no lines and a total of 0).
    pub debits: Vec<ReconciledDebit>,
    /// The codes of the expected debits that received no line, in expected order.
    pub missing: Vec<DebitCode>,
    /// The lines no expected debit takes, in input order (see [`classify`] for why).
    pub unexpected: Vec<DebitLine>,
}

impl Reconciliation {
    /// Whether every expected debit is there and no line is unexpected.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }

    /// The reconciled debit with this code, if the regime expects it.
    pub fn debit(&self, code: DebitCode) -> Option<&ReconciledDebit> {
        self.debits.iter().find(|d| d.code == code)
    }
}

/// Reconciles a month of debit lines with the debits a regime expects.
///
/// Every line ends up in exactly one place: the debit [`classify`] puts it in, or `unexpected`.
/// Every expected debit is listed in `debits` (in [`expected_debits`] order), even when no line
/// came, and then its code is also in `missing`; a debit whose lines sum to zero is present, not
/// missing. Totals are summed with checked arithmetic: an overflow is [`Error::InvalidInput`].
///
/// ```
/// use dealer_portal::regime::{reconcile, DebitCode, DebitLine, Regime};
/// let lines = [
///     DebitLine::new("stellantis_insurance", "premium", 100_000).unwrap(),
///     DebitLine::new("stellantis_services", "npo", 2_500).unwrap(),
///     DebitLine::new("stellantis_services", "claims_settled", 7_000).unwrap(),
/// ];
/// let r = reconcile(Regime::Insurance, "5/2024".parse().unwrap(), &lines).unwrap();
/// assert_eq!(r.debits[0].code, DebitCode::InsuranceMonthly);
/// assert_eq!(r.debits[0].total_cents, 102_500);
/// assert!(r.missing.is_empty());
/// assert_eq!(r.unexpected, [lines[2].clone()]);
/// ```
pub fn reconcile(regime: Regime, month: YearMonth, lines: &[DebitLine]) -> Result<Reconciliation> {
    let expected = expected_debits(regime);
    let mut debits: Vec<ReconciledDebit> = expected
        .iter()
        .map(|d| ReconciledDebit {
            code: d.code,
            issuer: d.issuer,
            lines: Vec::new(),
            total_cents: 0,
        })
        .collect();
    let mut unexpected = Vec::new();
    for line in lines {
        match classify(regime, line) {
            Classification::Debit(code) => {
                // `classify` only returns codes of this regime's table.
                if let Some(d) = debits.iter_mut().find(|d| d.code == code) {
                    d.total_cents =
                        d.total_cents
                            .checked_add(line.amount_cents)
                            .ok_or_else(|| Error::InvalidInput {
                                field: "amount_cents",
                                reason: format!(
                                    "the total of the debit {} overflows (more than {} cents)",
                                    code.code(),
                                    i64::MAX
                                ),
                            })?;
                    d.lines.push(line.clone());
                }
            }
            Classification::Anomaly(_) => unexpected.push(line.clone()),
        }
    }
    let missing = debits
        .iter()
        .filter(|d| d.lines.is_empty())
        .map(|d| d.code)
        .collect();
    Ok(Reconciliation {
        regime,
        month,
        debits,
        missing,
        unexpected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(issuer: Issuer, nature: DebitNature, amount_cents: i64) -> DebitLine {
        DebitLine {
            issuer,
            nature,
            amount_cents,
            label: None,
        }
    }

    fn may() -> YearMonth {
        YearMonth::new(2024, 5).unwrap()
    }

    #[test]
    fn codes_and_labels() {
        for (code, fr) in [
            ("premium", "Primes"),
            ("claims_settled", "Sinistres réglés pour votre compte"),
            ("management_fees", "Frais de gestion"),
            ("npo", "NPO"),
        ] {
            let n = DebitNature::from_code(code).unwrap();
            assert_eq!((n.code(), n.label(Locale::Fr)), (code, fr));
            assert!(!n.label(Locale::En).is_empty());
        }
        assert_eq!(
            Issuer::from_code(" Stellantis_Insurance ").unwrap(),
            Issuer::StellantisInsurance
        );
        assert_eq!(
            Issuer::StellantisServices.label(Locale::En),
            "Stellantis Services"
        );
        for d in DebitCode::ALL {
            assert_eq!(DebitCode::from_code(d.code()).unwrap(), *d);
            assert_ne!(d.label(Locale::Fr), d.label(Locale::En));
        }
        let e = DebitNature::from_code("fees").unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_CODE");
        assert!(e.to_string().contains("management_fees"));
    }

    #[test]
    fn seed_regimes_expect_their_debits() {
        let ins = expected_debits(Regime::Insurance);
        assert_eq!(ins.len(), 1);
        assert_eq!(ins[0].code, DebitCode::InsuranceMonthly);
        assert_eq!(ins[0].issuer, Issuer::StellantisInsurance);
        for i in Issuer::ALL {
            assert!(ins[0].accepts(*i, DebitNature::Premium));
            assert!(ins[0].accepts(*i, DebitNature::Npo));
            assert!(!ins[0].accepts(*i, DebitNature::ManagementFees));
        }
        let del = expected_debits(Regime::DelegatedManagement);
        assert_eq!(
            del.iter().map(|d| (d.code, d.issuer)).collect::<Vec<_>>(),
            [
                (DebitCode::ClaimsSettled, Issuer::StellantisServices),
                (DebitCode::ManagementFeesAndNpo, Issuer::StellantisServices)
            ]
        );
        let selfi = expected_debits(Regime::SelfInsurance);
        assert_eq!(selfi.len(), 1);
        assert_eq!(selfi[0].code, DebitCode::SelfInsuranceNpo);
        assert_eq!(
            selfi[0].accepted,
            [(Issuer::StellantisServices, DebitNature::Npo)]
        );
        assert_eq!(selfi[0].label(Locale::Fr), "Prélèvement NPO");
    }

    #[test]
    fn every_debit_takes_only_its_issuer_or_the_insurance_pair() {
        // Delegated management and self-insurance debits are all Stellantis Services'.
        for r in [Regime::DelegatedManagement, Regime::SelfInsurance] {
            for d in expected_debits(r) {
                assert!(d.accepted.iter().all(|(i, _)| *i == d.issuer));
            }
        }
        // No (issuer, nature) pair goes into two debits of one regime.
        for r in Regime::ALL {
            let pairs: Vec<_> = expected_debits(*r)
                .iter()
                .flat_map(|d| d.accepted)
                .collect();
            let set: std::collections::HashSet<_> = pairs.iter().collect();
            assert_eq!(set.len(), pairs.len());
        }
    }

    #[test]
    fn classify_reports_anomalies() {
        use DebitNature as N;
        use Issuer as I;
        let c = |r, i, n| classify(r, &line(i, n, 1));
        assert_eq!(
            c(Regime::Insurance, I::StellantisServices, N::Npo),
            Classification::Debit(DebitCode::InsuranceMonthly)
        );
        assert_eq!(
            c(
                Regime::DelegatedManagement,
                I::StellantisServices,
                N::ClaimsSettled
            ),
            Classification::Debit(DebitCode::ClaimsSettled)
        );
        assert_eq!(
            c(Regime::DelegatedManagement, I::StellantisServices, N::Npo),
            Classification::Debit(DebitCode::ManagementFeesAndNpo)
        );
        assert_eq!(
            c(Regime::Insurance, I::StellantisServices, N::ClaimsSettled),
            Classification::Anomaly(Anomaly::NatureNotExpected {
                nature: N::ClaimsSettled,
                regime: Regime::Insurance
            })
        );
        assert_eq!(
            c(Regime::SelfInsurance, I::StellantisInsurance, N::Npo),
            Classification::Anomaly(Anomaly::IssuerNotExpected {
                issuer: I::StellantisInsurance,
                nature: N::Npo,
                regime: Regime::SelfInsurance
            })
        );
        assert_eq!(
            c(Regime::SelfInsurance, I::StellantisServices, N::Premium),
            Classification::Anomaly(Anomaly::NatureNotExpected {
                nature: N::Premium,
                regime: Regime::SelfInsurance
            })
        );
        assert_eq!(
            c(
                Regime::DelegatedManagement,
                I::StellantisInsurance,
                N::ManagementFees
            ),
            Classification::Anomaly(Anomaly::IssuerNotExpected {
                issuer: I::StellantisInsurance,
                nature: N::ManagementFees,
                regime: Regime::DelegatedManagement
            })
        );
    }

    #[test]
    fn amounts_never_make_anomalies() {
        for amount in [0, -1, -5_000, i64::MIN, i64::MAX] {
            let l = line(Issuer::StellantisServices, DebitNature::Npo, amount);
            assert_eq!(
                classify(Regime::SelfInsurance, &l),
                Classification::Debit(DebitCode::SelfInsuranceNpo)
            );
        }
    }

    #[test]
    fn anomaly_messages_and_serde() {
        let a = Anomaly::IssuerNotExpected {
            issuer: Issuer::StellantisInsurance,
            nature: DebitNature::Npo,
            regime: Regime::SelfInsurance,
        };
        assert_eq!(a.code(), "issuer_not_expected");
        assert!(a.message(Locale::Fr).contains("Stellantis Insurance"));
        assert!(a.message(Locale::En).contains("self-insurance"));
        let json = serde_json::to_string(&Classification::Anomaly(a)).unwrap();
        assert_eq!(
            json,
            r#"{"anomaly":{"reason":"issuer_not_expected","issuer":"stellantis_insurance","nature":"npo","regime":"self_insurance"}}"#
        );
        assert_eq!(
            serde_json::from_str::<Classification>(&json).unwrap(),
            Classification::Anomaly(a)
        );
        let d = Classification::Debit(DebitCode::ClaimsSettled);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"debit":"claims_settled"}"#
        );
        let n = Anomaly::NatureNotExpected {
            nature: DebitNature::ManagementFees,
            regime: Regime::Insurance,
        };
        assert!(n.message(Locale::Fr).contains("Frais de gestion"));
        assert!(n.message(Locale::En).contains("Management fees"));
    }

    #[test]
    fn debit_line_new_and_label() {
        let l = DebitLine::new("stellantis_services", "management_fees", -300).unwrap();
        assert_eq!(l.amount_cents, -300);
        assert_eq!(
            DebitLine::new("stellantis_services", "bonus", 1)
                .unwrap_err()
                .code(),
            "UNKNOWN_CODE"
        );
        let l = l.with_label("  Frais mai 2024 ").unwrap();
        assert_eq!(l.label.as_deref(), Some("Frais mai 2024"));
        assert_eq!(l.clone().with_label("   ").unwrap().label, None);
        assert_eq!(
            l.clone().with_label("a\nb").unwrap_err().code(),
            "INVALID_INPUT"
        );
        assert_eq!(
            l.clone().with_label(&"x".repeat(501)).unwrap_err().code(),
            "INVALID_INPUT"
        );
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(
            json,
            r#"{"issuer":"stellantis_services","nature":"management_fees","amount_cents":-300,"label":"Frais mai 2024"}"#
        );
        assert_eq!(serde_json::from_str::<DebitLine>(&json).unwrap(), l);
        assert!(
            serde_json::from_str::<DebitLine>(r#"{"issuer":"x","nature":"npo","amount_cents":1}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<DebitLine>(
                r#"{"issuer":"stellantis_services","nature":"npo","amount_cents":1.5}"#
            )
            .is_err()
        );
    }

    #[test]
    fn reconcile_insurance_month() {
        let lines = [
            line(Issuer::StellantisInsurance, DebitNature::Premium, 120_000),
            line(Issuer::StellantisServices, DebitNature::Premium, 30_000),
            line(Issuer::StellantisServices, DebitNature::Npo, 4_500),
            line(Issuer::StellantisInsurance, DebitNature::Npo, -500),
        ];
        let r = reconcile(Regime::Insurance, may(), &lines).unwrap();
        assert!(r.is_complete());
        assert_eq!(r.debits.len(), 1);
        assert_eq!(r.debits[0].lines, lines);
        assert_eq!(r.debits[0].total_cents, 154_000);
        assert_eq!(r.debits[0].issuer, Issuer::StellantisInsurance);
        assert_eq!(r.month.to_string(), "5/2024");
    }

    #[test]
    fn reconcile_delegated_reports_missing_and_unexpected() {
        let lines = [
            line(
                Issuer::StellantisServices,
                DebitNature::ClaimsSettled,
                80_000,
            ),
            line(
                Issuer::StellantisServices,
                DebitNature::ClaimsSettled,
                1_000,
            ),
            line(Issuer::StellantisInsurance, DebitNature::Premium, 5),
        ];
        let r = reconcile(Regime::DelegatedManagement, may(), &lines).unwrap();
        assert!(!r.is_complete());
        assert_eq!(r.debits.len(), 2);
        let claims = r.debit(DebitCode::ClaimsSettled).unwrap();
        assert_eq!(claims.total_cents, 81_000);
        assert_eq!(claims.lines.len(), 2);
        let fees = r.debit(DebitCode::ManagementFeesAndNpo).unwrap();
        assert!(fees.lines.is_empty());
        assert_eq!(fees.total_cents, 0);
        assert_eq!(r.missing, [DebitCode::ManagementFeesAndNpo]);
        assert_eq!(r.unexpected, [lines[2].clone()]);
        assert_eq!(r.debit(DebitCode::InsuranceMonthly), None);
    }

    #[test]
    fn reconcile_empty_self_insurance_and_zero_total() {
        let r = reconcile(Regime::SelfInsurance, may(), &[]).unwrap();
        assert_eq!(r.missing, [DebitCode::SelfInsuranceNpo]);
        assert_eq!(r.debits[0].total_cents, 0);
        // A refund cancelling a debit: present (not missing), total zero.
        let lines = [
            line(Issuer::StellantisServices, DebitNature::Npo, 700),
            line(Issuer::StellantisServices, DebitNature::Npo, -700),
        ];
        let r = reconcile(Regime::SelfInsurance, may(), &lines).unwrap();
        assert!(r.missing.is_empty());
        assert_eq!(r.debits[0].total_cents, 0);
    }

    #[test]
    fn reconcile_overflow_is_an_error() {
        let lines = [
            line(Issuer::StellantisServices, DebitNature::Npo, i64::MAX),
            line(Issuer::StellantisServices, DebitNature::Npo, 1),
        ];
        let e = reconcile(Regime::SelfInsurance, may(), &lines).unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidInput {
                field: "amount_cents",
                ..
            }
        ));
        // Unexpected lines are not summed: no overflow from them.
        let lines = [
            line(Issuer::StellantisInsurance, DebitNature::Npo, i64::MAX),
            line(Issuer::StellantisInsurance, DebitNature::Npo, i64::MAX),
        ];
        assert!(reconcile(Regime::SelfInsurance, may(), &lines).is_ok());
    }

    #[test]
    fn reconciliation_serde_roundtrip() {
        let lines = [
            line(
                Issuer::StellantisServices,
                DebitNature::ManagementFees,
                1_234,
            ),
            line(Issuer::StellantisServices, DebitNature::Premium, 99),
        ];
        let r = reconcile(Regime::DelegatedManagement, may(), &lines).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""missing":["claims_settled"]"#), "{json}");
        assert!(json.contains(r#""month":"5/2024""#), "{json}");
        assert_eq!(serde_json::from_str::<Reconciliation>(&json).unwrap(), r);
        let e = serde_json::to_value(expected_debits(Regime::SelfInsurance)[0]).unwrap();
        assert_eq!(
            e,
            serde_json::json!({"code":"self_insurance_npo","issuer":"stellantis_services",
                "accepted":[["stellantis_services","npo"]]})
        );
    }

    fn any_line() -> impl Strategy<Value = DebitLine> {
        (
            proptest::sample::select(Issuer::ALL),
            proptest::sample::select(DebitNature::ALL),
            -1_000_000_000i64..1_000_000_000,
        )
            .prop_map(|(i, n, a)| line(i, n, a))
    }

    proptest! {
        #[test]
        fn reconcile_conserves_lines(
            regime in proptest::sample::select(Regime::ALL),
            lines in proptest::collection::vec(any_line(), 0..40),
        ) {
            let r = reconcile(regime, may(), &lines).unwrap();
            // Expected debits, in order.
            let codes: Vec<_> = r.debits.iter().map(|d| d.code).collect();
            let expected: Vec<_> = expected_debits(regime).iter().map(|d| d.code).collect();
            prop_assert_eq!(codes, expected);
            // Every line is in exactly one place, and in the place `classify` says.
            let placed: usize = r.debits.iter().map(|d| d.lines.len()).sum::<usize>()
                + r.unexpected.len();
            prop_assert_eq!(placed, lines.len());
            for d in &r.debits {
                prop_assert_eq!(d.total_cents, d.lines.iter().map(|l| l.amount_cents).sum::<i64>());
                prop_assert_eq!(d.lines.is_empty(), r.missing.contains(&d.code));
                for l in &d.lines {
                    prop_assert_eq!(classify(regime, l), Classification::Debit(d.code));
                }
            }
            for l in &r.unexpected {
                prop_assert!(matches!(classify(regime, l), Classification::Anomaly(_)));
            }
            let json = serde_json::to_string(&r).unwrap();
            prop_assert_eq!(serde_json::from_str::<Reconciliation>(&json).unwrap(), r);
        }
    }
}

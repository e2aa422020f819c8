//! Insurance regimes of an establishment and their monthly direct debits (seed §3).

use crate::locale::{Coded, Locale, coded_serde};

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

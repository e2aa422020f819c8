//! The contract's values as plain JS objects (`#[napi(object)]`, camelCase fields) and string
//! enums, with their conversions from and to the core's types, one file per concept. Codes and
//! labels come from the core's [`Coded`](dealer_portal::Coded) implementations; no rule lives here.

mod accounts;
mod documents;
mod labels;
mod lifecycle;
mod passwords;
mod regimes;
mod sessions;

pub(crate) use accounts::*;
pub(crate) use documents::*;
pub(crate) use labels::*;
pub(crate) use lifecycle::*;
pub(crate) use passwords::*;
pub(crate) use regimes::*;
pub(crate) use sessions::*;

use dealer_portal::regime::Regime as CoreRegime;
use dealer_portal::rights::{Right as CoreRight, Rights, RightsMatrix};
use napi_derive::napi;
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An instant as ISO 8601 in UTC (`2026-01-15T09:00:00Z`), as the contract says.
pub(crate) fn iso(t: OffsetDateTime) -> String {
    let utc = t.to_offset(UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|_| utc.to_string())
}

/// A count as a JS number (counts and totals never reach 2^32 in a portal).
pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One of the six rights of an account on an establishment; the value is the stable code.
// The members are named as in the contract (`Right.MANAGE_ACCOUNTS`), not in Rust's style.
#[napi(string_enum)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Réaliser des devis & souscriptions.
    #[napi(value = "quotes_and_subscriptions")]
    QUOTES_AND_SUBSCRIPTIONS,
    /// Rechercher des devis et contrats.
    #[napi(value = "search_quotes_and_contracts")]
    SEARCH_QUOTES_AND_CONTRACTS,
    /// Déposer des demandes de prise en charge.
    #[napi(value = "submit_claims")]
    SUBMIT_CLAIMS,
    /// Rechercher des demandes de prise en charge.
    #[napi(value = "search_claims")]
    SEARCH_CLAIMS,
    /// Accéder aux documents comptables.
    #[napi(value = "accounting_documents")]
    ACCOUNTING_DOCUMENTS,
    /// Gérer les comptes.
    #[napi(value = "manage_accounts")]
    MANAGE_ACCOUNTS,
}

impl From<Right> for CoreRight {
    fn from(r: Right) -> CoreRight {
        match r {
            Right::QUOTES_AND_SUBSCRIPTIONS => CoreRight::QuotesAndSubscriptions,
            Right::SEARCH_QUOTES_AND_CONTRACTS => CoreRight::SearchQuotesAndContracts,
            Right::SUBMIT_CLAIMS => CoreRight::SubmitClaims,
            Right::SEARCH_CLAIMS => CoreRight::SearchClaims,
            Right::ACCOUNTING_DOCUMENTS => CoreRight::AccountingDocuments,
            Right::MANAGE_ACCOUNTS => CoreRight::ManageAccounts,
        }
    }
}

impl From<CoreRight> for Right {
    fn from(r: CoreRight) -> Right {
        match r {
            CoreRight::QuotesAndSubscriptions => Right::QUOTES_AND_SUBSCRIPTIONS,
            CoreRight::SearchQuotesAndContracts => Right::SEARCH_QUOTES_AND_CONTRACTS,
            CoreRight::SubmitClaims => Right::SUBMIT_CLAIMS,
            CoreRight::SearchClaims => Right::SEARCH_CLAIMS,
            CoreRight::AccountingDocuments => Right::ACCOUNTING_DOCUMENTS,
            CoreRight::ManageAccounts => Right::MANAGE_ACCOUNTS,
        }
    }
}

/// A right set as a list in canonical order.
pub(crate) fn rights_list(rights: Rights) -> Vec<Right> {
    rights.iter().map(Right::from).collect()
}

/// A rights matrix as a record from establishment code to rights, as the core holds it (only
/// establishments where at least one right is held).
pub(crate) fn rights_by_code(matrix: &RightsMatrix) -> BTreeMap<String, Vec<Right>> {
    matrix
        .iter()
        .map(|(code, rights)| (code.as_str().to_owned(), rights_list(rights)))
        .collect()
}

/// A list of rights as a core right set (duplicates collapse).
pub(crate) fn rights_set(rights: &[Right]) -> Rights {
    let mut set = Rights::EMPTY;
    for r in rights {
        set.insert((*r).into());
    }
    set
}

/// The insurance regime of an establishment; the value is the stable code.
// The members are named as in the contract (`Right.MANAGE_ACCOUNTS`), not in Rust's style.
#[napi(string_enum)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// En mode assurance.
    #[napi(value = "insurance")]
    INSURANCE,
    /// Gestion déléguée.
    #[napi(value = "delegated_management")]
    DELEGATED_MANAGEMENT,
    /// Auto-assurance.
    #[napi(value = "self_insurance")]
    SELF_INSURANCE,
}

impl From<Regime> for CoreRegime {
    fn from(r: Regime) -> CoreRegime {
        match r {
            Regime::INSURANCE => CoreRegime::Insurance,
            Regime::DELEGATED_MANAGEMENT => CoreRegime::DelegatedManagement,
            Regime::SELF_INSURANCE => CoreRegime::SelfInsurance,
        }
    }
}

impl From<CoreRegime> for Regime {
    fn from(r: CoreRegime) -> Regime {
        match r {
            CoreRegime::Insurance => Regime::INSURANCE,
            CoreRegime::DelegatedManagement => Regime::DELEGATED_MANAGEMENT,
            CoreRegime::SelfInsurance => Regime::SELF_INSURANCE,
        }
    }
}

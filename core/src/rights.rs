//! The six rights of the seed (§2), sets of them, the rights matrix and the delegation rules.

use crate::locale::{Coded, Locale, coded_serde};

/// One right a user holds on an establishment.
///
/// ```
/// use dealer_portal::{Coded, Locale, rights::Right};
/// assert_eq!(Right::AccountingDocuments.label(Locale::Fr), "Accéder aux documents comptables");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Right {
    /// "Réaliser des devis & souscriptions".
    QuotesAndSubscriptions,
    /// "Rechercher des devis et contrats".
    SearchQuotesAndContracts,
    /// "Déposer des demandes de prise en charge".
    SubmitClaims,
    /// "Rechercher des demandes de prise en charge".
    SearchClaims,
    /// "Accéder aux documents comptables".
    AccountingDocuments,
    /// "Gérer les comptes".
    ManageAccounts,
}

impl Coded for Right {
    const ALL: &'static [Self] = &[
        Right::QuotesAndSubscriptions,
        Right::SearchQuotesAndContracts,
        Right::SubmitClaims,
        Right::SearchClaims,
        Right::AccountingDocuments,
        Right::ManageAccounts,
    ];
    const WHAT: &'static str = "right";
    const ACCEPTED: &'static str = "quotes_and_subscriptions, search_quotes_and_contracts, submit_claims, search_claims, accounting_documents, manage_accounts";
    fn code(self) -> &'static str {
        match self {
            Right::QuotesAndSubscriptions => "quotes_and_subscriptions",
            Right::SearchQuotesAndContracts => "search_quotes_and_contracts",
            Right::SubmitClaims => "submit_claims",
            Right::SearchClaims => "search_claims",
            Right::AccountingDocuments => "accounting_documents",
            Right::ManageAccounts => "manage_accounts",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Right::QuotesAndSubscriptions, Locale::Fr) => "Réaliser des devis & souscriptions",
            (Right::QuotesAndSubscriptions, Locale::En) => "Make quotes and subscriptions",
            (Right::SearchQuotesAndContracts, Locale::Fr) => "Rechercher des devis et contrats",
            (Right::SearchQuotesAndContracts, Locale::En) => "Search quotes and contracts",
            (Right::SubmitClaims, Locale::Fr) => "Déposer des demandes de prise en charge",
            (Right::SubmitClaims, Locale::En) => "Submit workshop claims",
            (Right::SearchClaims, Locale::Fr) => "Rechercher des demandes de prise en charge",
            (Right::SearchClaims, Locale::En) => "Search workshop claims",
            (Right::AccountingDocuments, Locale::Fr) => "Accéder aux documents comptables",
            (Right::AccountingDocuments, Locale::En) => "Access accounting documents",
            (Right::ManageAccounts, Locale::Fr) => "Gérer les comptes",
            (Right::ManageAccounts, Locale::En) => "Manage accounts",
        }
    }
}
coded_serde!(Right);

//! The rights-aware menu of the portal (the seed's tab bar), for mobile apps.

use crate::types::Right;
use dealer_portal::{Coded, Locale};

/// One tab of the portal's menu.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Section {
    /// Stable code: `home`, `quotes_and_contracts`, `workshop_claims`, `easicare`, `documents`,
    /// `account_management`.
    pub code: String,
    /// The seed's French label (`ACCUEIL`, `LISTE DEVIS ET CONTRATS`...).
    pub label_fr: String,
    /// English label.
    pub label_en: String,
}

impl From<dealer_portal::menu::Section> for Section {
    fn from(s: dealer_portal::menu::Section) -> Self {
        Section {
            code: s.code().to_owned(),
            label_fr: s.label(Locale::Fr).to_owned(),
            label_en: s.label(Locale::En).to_owned(),
        }
    }
}

/// The tabs to show for the rights held on the selected establishment, in the seed's menu
/// order: ACCUEIL and EASICARE always; LISTE DEVIS ET CONTRATS with `quotes_and_subscriptions`
/// or `search_quotes_and_contracts`; PRISE EN CHARGE ATELIER with `submit_claims` or
/// `search_claims`; DOCUMENTS with `accounting_documents`; GESTION DES COMPTES with
/// `manage_accounts`. The rule is the core's ([`dealer_portal::menu::visible_sections`]);
/// this translates it.
#[uniffi::export]
pub fn visible_sections(rights: Vec<Right>) -> Vec<Section> {
    let held: dealer_portal::Rights = rights.into_iter().map(dealer_portal::Right::from).collect();
    dealer_portal::menu::visible_sections(held)
        .into_iter()
        .map(Section::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(rights: &[Right]) -> Vec<String> {
        visible_sections(rights.to_vec())
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    #[test]
    fn no_rights_shows_home_and_easicare() {
        assert_eq!(codes(&[]), ["home", "easicare"]);
    }

    #[test]
    fn every_right_shows_the_whole_seed_menu_in_order() {
        let all = visible_sections(Right::all());
        let labels: Vec<_> = all.iter().map(|s| s.label_fr.as_str()).collect();
        assert_eq!(
            labels,
            [
                "ACCUEIL",
                "LISTE DEVIS ET CONTRATS",
                "PRISE EN CHARGE ATELIER",
                "EASICARE",
                "DOCUMENTS",
                "GESTION DES COMPTES"
            ]
        );
    }

    #[test]
    fn each_tab_opens_with_either_of_its_rights() {
        use Right::*;
        assert_eq!(
            codes(&[SearchQuotesAndContracts]),
            ["home", "quotes_and_contracts", "easicare"]
        );
        assert_eq!(
            codes(&[QuotesAndSubscriptions]),
            ["home", "quotes_and_contracts", "easicare"]
        );
        assert_eq!(
            codes(&[SearchClaims]),
            ["home", "workshop_claims", "easicare"]
        );
        assert_eq!(
            codes(&[ManageAccounts, SubmitClaims, SubmitClaims]),
            ["home", "workshop_claims", "easicare", "account_management"]
        );
        assert_eq!(
            codes(&[AccountingDocuments]),
            ["home", "easicare", "documents"]
        );
    }
}

//! The rights-aware menu of the portal (the seed's tab bar), for mobile apps.

use crate::types::Right;

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

/// Which rights open a tab: `None` for the tabs every signed-in person sees.
struct Tab {
    code: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    opened_by: Option<&'static [Right]>,
}

/// The seed's menu, in its order: ACCUEIL, LISTE DEVIS ET CONTRATS, PRISE EN CHARGE ATELIER,
/// EASICARE, DOCUMENTS, GESTION DES COMPTES.
const MENU: &[Tab] = &[
    Tab {
        code: "home",
        label_fr: "ACCUEIL",
        label_en: "HOME",
        opened_by: None,
    },
    Tab {
        code: "quotes_and_contracts",
        label_fr: "LISTE DEVIS ET CONTRATS",
        label_en: "QUOTES AND CONTRACTS",
        opened_by: Some(&[
            Right::QuotesAndSubscriptions,
            Right::SearchQuotesAndContracts,
        ]),
    },
    Tab {
        code: "workshop_claims",
        label_fr: "PRISE EN CHARGE ATELIER",
        label_en: "WORKSHOP CLAIMS",
        opened_by: Some(&[Right::SubmitClaims, Right::SearchClaims]),
    },
    // EASICARE is in every menu the seed shows and no right governs it (the welcome page
    // sends everyone to "MyIcare onglet Easicare"): shown to everyone, like ACCUEIL.
    Tab {
        code: "easicare",
        label_fr: "EASICARE",
        label_en: "EASICARE",
        opened_by: None,
    },
    Tab {
        code: "documents",
        label_fr: "DOCUMENTS",
        label_en: "DOCUMENTS",
        opened_by: Some(&[Right::AccountingDocuments]),
    },
    Tab {
        code: "account_management",
        label_fr: "GESTION DES COMPTES",
        label_en: "ACCOUNT MANAGEMENT",
        opened_by: Some(&[Right::ManageAccounts]),
    },
];

/// The tabs to show for the rights held on the selected establishment, in the seed's menu
/// order: ACCUEIL and EASICARE always; LISTE DEVIS ET CONTRATS with `quotes_and_subscriptions`
/// or `search_quotes_and_contracts`; PRISE EN CHARGE ATELIER with `submit_claims` or
/// `search_claims`; DOCUMENTS with `accounting_documents`; GESTION DES COMPTES with
/// `manage_accounts`. Pure: duplicates and order of `rights` do not matter.
#[uniffi::export]
pub fn visible_sections(rights: Vec<Right>) -> Vec<Section> {
    MENU.iter()
        .filter(|tab| {
            tab.opened_by
                .is_none_or(|any| any.iter().any(|r| rights.contains(r)))
        })
        .map(|tab| Section {
            code: tab.code.to_owned(),
            label_fr: tab.label_fr.to_owned(),
            label_en: tab.label_en.to_owned(),
        })
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

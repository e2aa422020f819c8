//! The portal's menu (seed §2–3): the tabs of its top bar, and which of them a person sees.
//!
//! Every page of the seed's "espace partenaire" carries the same bar of tabs: ACCUEIL, LISTE
//! DEVIS ET CONTRATS, PRISE EN CHARGE ATELIER, EASICARE, DOCUMENTS and GESTION DES COMPTES. Each
//! tab is a [`Section`]: a stable code (`home`, `quotes_and_contracts`…) and its label, in French
//! as the seed writes it and in English ([`Coded`]).
//!
//! Which tabs show follows the rights held on the establishment the session is connected to, and
//! nothing else. Rights are held per establishment ([`crate::rights::RightsMatrix`]), so moving
//! to another establishment may change the menu. A section names the rights that open it
//! ([`Section::opened_by`]) and shows when any one of them is held there: LISTE DEVIS ET
//! CONTRATS with making quotes or searching them, PRISE EN CHARGE ATELIER with submitting or
//! searching claims, DOCUMENTS with the accounting documents, GESTION DES COMPTES with managing
//! accounts. ACCUEIL and EASICARE need no right, so everyone sees them; each right opens exactly
//! one tab. [`visible_sections`] gives the tabs to show, always in the seed's order.
//!
//! ```
//! use dealer_portal::menu::visible_sections;
//! use dealer_portal::rights::{Right, Rights};
//! use dealer_portal::{Coded, Locale};
//! // A repairer who may submit workshop claims on the connected establishment:
//! let tabs = visible_sections(Rights::from(Right::SubmitClaims));
//! let labels: Vec<_> = tabs.iter().map(|s| s.label(Locale::Fr)).collect();
//! assert_eq!(labels, ["ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"]);
//! ```
//!
//! The menu is what a screen shows, not a permission: every operation of the services checks the
//! rights it needs itself, whatever tab it was reached from.

use crate::locale::{Coded, Locale, coded_serde};
use crate::rights::{Right, Rights};

/// A tab of the portal's menu (the seed's tab bar), shown or not by the rights held on the
/// selected establishment.
///
/// ```
/// use dealer_portal::menu::{Section, visible_sections};
/// use dealer_portal::rights::{Right, Rights};
/// use dealer_portal::{Coded, Locale};
/// let tabs = visible_sections(Rights::from(Right::AccountingDocuments));
/// let labels: Vec<_> = tabs.iter().map(|s| s.label(Locale::Fr)).collect();
/// assert_eq!(labels, ["ACCUEIL", "EASICARE", "DOCUMENTS"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// "ACCUEIL": always.
    Home,
    /// "LISTE DEVIS ET CONTRATS": quotes and subscriptions, or searching quotes and contracts.
    QuotesAndContracts,
    /// "PRISE EN CHARGE ATELIER": submitting or searching workshop claims.
    WorkshopClaims,
    /// "EASICARE": in every menu of the seed and governed by no right, so always shown.
    Easicare,
    /// "DOCUMENTS": accounting documents.
    Documents,
    /// "GESTION DES COMPTES": managing accounts.
    AccountManagement,
}

impl Section {
    /// The rights any one of which opens the tab; empty for the tabs everyone sees.
    pub fn opened_by(self) -> &'static [Right] {
        match self {
            Section::Home | Section::Easicare => &[],
            Section::QuotesAndContracts => &[
                Right::QuotesAndSubscriptions,
                Right::SearchQuotesAndContracts,
            ],
            Section::WorkshopClaims => &[Right::SubmitClaims, Right::SearchClaims],
            Section::Documents => &[Right::AccountingDocuments],
            Section::AccountManagement => &[Right::ManageAccounts],
        }
    }
}

impl Coded for Section {
    const ALL: &'static [Self] = &[
        Section::Home,
        Section::QuotesAndContracts,
        Section::WorkshopClaims,
        Section::Easicare,
        Section::Documents,
        Section::AccountManagement,
    ];
    const WHAT: &'static str = "section";
    const ACCEPTED: &'static str =
        "home, quotes_and_contracts, workshop_claims, easicare, documents, account_management";
    fn code(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::QuotesAndContracts => "quotes_and_contracts",
            Section::WorkshopClaims => "workshop_claims",
            Section::Easicare => "easicare",
            Section::Documents => "documents",
            Section::AccountManagement => "account_management",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Section::Home, Locale::Fr) => "ACCUEIL",
            (Section::Home, Locale::En) => "HOME",
            (Section::QuotesAndContracts, Locale::Fr) => "LISTE DEVIS ET CONTRATS",
            (Section::QuotesAndContracts, Locale::En) => "QUOTES AND CONTRACTS",
            (Section::WorkshopClaims, Locale::Fr) => "PRISE EN CHARGE ATELIER",
            (Section::WorkshopClaims, Locale::En) => "WORKSHOP CLAIMS",
            (Section::Easicare, _) => "EASICARE",
            (Section::Documents, _) => "DOCUMENTS",
            (Section::AccountManagement, Locale::Fr) => "GESTION DES COMPTES",
            (Section::AccountManagement, Locale::En) => "ACCOUNT MANAGEMENT",
        }
    }
}
coded_serde!(Section);

/// The tabs to show for the rights held on the selected establishment, in the seed's menu
/// order: ACCUEIL and EASICARE always, each other tab when one of its rights is held.
pub fn visible_sections(rights: Rights) -> Vec<Section> {
    Section::ALL
        .iter()
        .copied()
        .filter(|s| s.opened_by().is_empty() || s.opened_by().iter().any(|r| rights.contains(*r)))
        .collect()
}

/// A fixed text of the seed's screens that is neither a value's label nor a section: what a
/// host shows as it is, in French or English.
///
/// ```
/// use dealer_portal::{Coded, Locale, menu::Notice};
/// assert_eq!(Notice::NoManagementElsewhere.label(Locale::Fr),
///     "Vous n'avez pas de droits de gestion de compte sur d'autres établissements");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// "Gestion des comptes" when the actor manages one establishment only.
    NoManagementElsewhere,
    /// The search field of the account list.
    SearchUser,
    /// The quick reference field of the header.
    QuickReference,
    /// The phone fields' mention that they are optional.
    OptionalPhone,
    /// The declaration's mention that every field is required.
    RequiredMention,
}

impl Coded for Notice {
    const ALL: &'static [Self] = &[
        Notice::NoManagementElsewhere,
        Notice::SearchUser,
        Notice::QuickReference,
        Notice::OptionalPhone,
        Notice::RequiredMention,
    ];
    const WHAT: &'static str = "notice";
    const ACCEPTED: &'static str =
        "no_management_elsewhere, search_user, quick_reference, optional_phone, required_mention";
    fn code(self) -> &'static str {
        match self {
            Notice::NoManagementElsewhere => "no_management_elsewhere",
            Notice::SearchUser => "search_user",
            Notice::QuickReference => "quick_reference",
            Notice::OptionalPhone => "optional_phone",
            Notice::RequiredMention => "required_mention",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Notice::NoManagementElsewhere, Locale::Fr) => {
                "Vous n'avez pas de droits de gestion de compte sur d'autres établissements"
            }
            (Notice::NoManagementElsewhere, Locale::En) => {
                "You have no account management rights on other establishments"
            }
            (Notice::SearchUser, Locale::Fr) => "Rechercher un utilisateur",
            (Notice::SearchUser, Locale::En) => "Search for a user",
            (Notice::QuickReference, Locale::Fr) => "Immatriculation, n° contrat, n° accord",
            (Notice::QuickReference, Locale::En) => "Plate, contract no., agreement no.",
            (Notice::OptionalPhone, Locale::Fr) => "(optionnel)",
            (Notice::OptionalPhone, Locale::En) => "(optional)",
            (Notice::RequiredMention, Locale::Fr) => "Mention obligatoire",
            (Notice::RequiredMention, Locale::En) => "Required",
        }
    }
}
coded_serde!(Notice);

/// One text of the seed's screens, in both languages: what [`screen_labels`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScreenLabel {
    /// What kind of value it labels (`"right"`, `"account state"`, `"password criterion"`...).
    pub group: &'static str,
    /// The value's stable code.
    pub code: &'static str,
    /// The French text.
    pub label_fr: &'static str,
    /// The English text.
    pub label_en: &'static str,
}

fn labels_of<T: Coded>() -> impl Iterator<Item = ScreenLabel> {
    T::ALL.iter().map(|v| ScreenLabel {
        group: T::WHAT,
        code: v.code(),
        label_fr: v.label(Locale::Fr),
        label_en: v.label(Locale::En),
    })
}

/// Every text a host needs to draw the seed's screens, as the library holds them: the password
/// criteria, the rights, the account states and roles, the menu's sections, the sort orders of
/// the account list, the fixed notices, the document categories and kinds, the regimes, the
/// phone fields, the mails and the support topics. A host (or an app) shows these rather than
/// texts of its own, so every screen says what the library means. The rights' longer
/// explanations are [`Right::description`].
///
/// ```
/// use dealer_portal::menu::screen_labels;
/// let labels = screen_labels();
/// let notice = labels.iter().find(|l| l.code == "no_management_elsewhere").unwrap();
/// assert_eq!(notice.group, "notice");
/// assert!(notice.label_fr.starts_with("Vous n'avez pas de droits"));
/// assert!(labels.iter().any(|l| l.group == "sort order" && l.label_fr == "Ordre alphabétique (A à Z)"));
/// ```
pub fn screen_labels() -> Vec<ScreenLabel> {
    use crate::account::{AccountState, Role, SortOrder};
    use crate::document::{DocumentCategory, DocumentKind};
    labels_of::<crate::password::Criterion>()
        .chain(labels_of::<Right>())
        .chain(labels_of::<AccountState>())
        .chain(labels_of::<Role>())
        .chain(labels_of::<Section>())
        .chain(labels_of::<SortOrder>())
        .chain(labels_of::<Notice>())
        .chain(labels_of::<DocumentCategory>())
        .chain(labels_of::<DocumentKind>())
        .chain(labels_of::<crate::regime::Regime>())
        .chain(labels_of::<crate::phone::PhoneKind>())
        .chain(labels_of::<crate::notification::NotificationKind>())
        .chain(labels_of::<crate::support::SupportTopic>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_labels_are_complete_and_unique() {
        let labels = screen_labels();
        let mut seen = std::collections::HashSet::new();
        for l in &labels {
            assert!(seen.insert((l.group, l.code)), "{l:?} twice");
            assert!(!l.label_fr.is_empty() && !l.label_en.is_empty(), "{l:?}");
        }
        for group in [
            "password criterion",
            "right",
            "account state",
            "role",
            "sort order",
            "notice",
            "section",
        ] {
            assert!(labels.iter().any(|l| l.group == group), "no {group}");
        }
    }

    #[test]
    fn menu_follows_rights_in_seed_order() {
        let codes = |r: Rights| {
            visible_sections(r)
                .into_iter()
                .map(Section::code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(Rights::EMPTY), ["home", "easicare"]);
        assert_eq!(
            codes(Rights::all()),
            [
                "home",
                "quotes_and_contracts",
                "workshop_claims",
                "easicare",
                "documents",
                "account_management"
            ]
        );
        assert_eq!(
            codes(Rights::from(Right::SearchClaims)),
            ["home", "workshop_claims", "easicare"]
        );
        assert_eq!(
            codes(Rights::from(Right::QuotesAndSubscriptions)),
            ["home", "quotes_and_contracts", "easicare"]
        );
        assert_eq!(
            codes(Rights::from(Right::ManageAccounts)),
            ["home", "easicare", "account_management"]
        );
    }

    #[test]
    fn every_right_opens_exactly_one_tab() {
        for r in Right::ALL {
            assert_eq!(
                Section::ALL
                    .iter()
                    .filter(|s| s.opened_by().contains(r))
                    .count(),
                1,
                "{r}"
            );
        }
    }
}

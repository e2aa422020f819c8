//! The value types of the contract (`../shared/API.md`) as uniffi records and enums, and their
//! translations from and to the core's types. Codes and labels come from the core.

use dealer_portal::{Coded, Locale};
use dealer_portal::{establishment, password, phone, reference, regime, rights, support};

// ----- rights and regimes -----

/// One right a user holds on an establishment (the seed's six check boxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, uniffi::Enum)]
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

impl Right {
    /// The six rights, in the seed's order.
    pub fn all() -> Vec<Right> {
        rights::Right::ALL.iter().map(|&r| r.into()).collect()
    }
}

impl From<rights::Right> for Right {
    fn from(r: rights::Right) -> Self {
        match r {
            rights::Right::QuotesAndSubscriptions => Right::QuotesAndSubscriptions,
            rights::Right::SearchQuotesAndContracts => Right::SearchQuotesAndContracts,
            rights::Right::SubmitClaims => Right::SubmitClaims,
            rights::Right::SearchClaims => Right::SearchClaims,
            rights::Right::AccountingDocuments => Right::AccountingDocuments,
            rights::Right::ManageAccounts => Right::ManageAccounts,
        }
    }
}

impl From<Right> for rights::Right {
    fn from(r: Right) -> Self {
        match r {
            Right::QuotesAndSubscriptions => rights::Right::QuotesAndSubscriptions,
            Right::SearchQuotesAndContracts => rights::Right::SearchQuotesAndContracts,
            Right::SubmitClaims => rights::Right::SubmitClaims,
            Right::SearchClaims => rights::Right::SearchClaims,
            Right::AccountingDocuments => rights::Right::AccountingDocuments,
            Right::ManageAccounts => rights::Right::ManageAccounts,
        }
    }
}

#[uniffi::export]
impl Right {
    /// The stable code (`manage_accounts`).
    pub fn code(&self) -> String {
        rights::Right::from(*self).code().to_owned()
    }
    /// The seed's French label ("Gérer les comptes").
    pub fn label_fr(&self) -> String {
        rights::Right::from(*self).label(Locale::Fr).to_owned()
    }
    /// The English label.
    pub fn label_en(&self) -> String {
        rights::Right::from(*self).label(Locale::En).to_owned()
    }
    /// The seed's explanation of the right, in French ("Permet de créer d'autres comptes
    /// utilisateurs").
    pub fn description_fr(&self) -> String {
        rights::Right::from(*self)
            .description(Locale::Fr)
            .to_owned()
    }
    /// The explanation in English.
    pub fn description_en(&self) -> String {
        rights::Right::from(*self)
            .description(Locale::En)
            .to_owned()
    }
}

/// The core's set of rights from a list (duplicates ignored).
pub(crate) fn to_rights(list: &[Right]) -> rights::Rights {
    list.iter().map(|&r| rights::Right::from(r)).collect()
}

/// A set of rights as a list, in the canonical order.
pub(crate) fn from_rights(set: rights::Rights) -> Vec<Right> {
    set.iter().map(Right::from).collect()
}

/// An establishment's insurance regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Regime {
    /// "En mode assurance".
    Insurance,
    /// "En mode gestion déléguée".
    DelegatedManagement,
    /// "En auto-assurance".
    SelfInsurance,
}

impl From<regime::Regime> for Regime {
    fn from(r: regime::Regime) -> Self {
        match r {
            regime::Regime::Insurance => Regime::Insurance,
            regime::Regime::DelegatedManagement => Regime::DelegatedManagement,
            regime::Regime::SelfInsurance => Regime::SelfInsurance,
        }
    }
}

impl From<Regime> for regime::Regime {
    fn from(r: Regime) -> Self {
        match r {
            Regime::Insurance => regime::Regime::Insurance,
            Regime::DelegatedManagement => regime::Regime::DelegatedManagement,
            Regime::SelfInsurance => regime::Regime::SelfInsurance,
        }
    }
}

#[uniffi::export]
impl Regime {
    /// The stable code (`delegated_management`).
    pub fn code(&self) -> String {
        regime::Regime::from(*self).code().to_owned()
    }
    /// The French label ("Gestion déléguée").
    pub fn label_fr(&self) -> String {
        regime::Regime::from(*self).label(Locale::Fr).to_owned()
    }
    /// The English label.
    pub fn label_en(&self) -> String {
        regime::Regime::from(*self).label(Locale::En).to_owned()
    }
}

// ----- establishments -----

/// An establishment (point de vente): `T99999`, `GARAGE XYZ`, `VILLE 1`; a repairer's has no
/// regime.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Establishment {
    /// Its code, unique across the portal.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// Its regime; `None` for a repairer.
    #[uniffi(default)]
    pub regime: Option<Regime>,
}

impl From<establishment::Establishment> for Establishment {
    fn from(e: establishment::Establishment) -> Self {
        Establishment {
            code: e.code.as_str().to_owned(),
            name: e.name,
            city: e.city,
            regime: e.regime.map(Regime::from),
        }
    }
}

impl TryFrom<&Establishment> for establishment::Establishment {
    type Error = dealer_portal::Error;
    fn try_from(e: &Establishment) -> Result<Self, Self::Error> {
        establishment::Establishment::new(&e.code, &e.name, &e.city, e.regime.map(Into::into))
    }
}

// ----- password criteria -----

/// One criterion of the password policy, as a form shows it (red, then green).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Check {
    /// The criterion's code: `min_length`, `uppercase`, `lowercase`, `digit`, `special`,
    /// `confirmation`, `max_length`, `no_control`, `not_containing_identity`, `not_common`.
    pub criterion: String,
    /// Whether the candidate meets it.
    pub met: bool,
    /// The seed's bullet, with the policy's thresholds ("15 caractères").
    pub label_fr: String,
    /// The bullet in English ("15 characters").
    pub label_en: String,
}

/// The criteria of a candidate password, for live feedback at every keystroke.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Evaluation {
    /// Whether every criterion is met.
    pub acceptable: bool,
    /// min_length, uppercase, lowercase, digit, special, confirmation (when a confirmation was
    /// given), then any optional criteria.
    pub checks: Vec<Check>,
}

impl From<password::Evaluation> for Evaluation {
    fn from(e: password::Evaluation) -> Self {
        Evaluation {
            acceptable: e.acceptable(),
            checks: e
                .checks
                .iter()
                .map(|c| Check {
                    criterion: c.criterion.code().to_owned(),
                    met: c.met,
                    label_fr: c.label(Locale::Fr),
                    label_en: c.label(Locale::En),
                })
                .collect(),
        }
    }
}

// ----- debits and reconciliation -----

/// An (issuer, nature) pair a debit gathers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DebitLineKind {
    /// `stellantis_insurance` or `stellantis_services`.
    pub issuer: String,
    /// `premium`, `claims_settled`, `management_fees` or `npo`.
    pub nature: String,
}

/// One monthly direct debit a regime expects.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExpectedDebit {
    /// `insurance_monthly`, `claims_settled`, `management_fees_and_npo` or `self_insurance_npo`.
    pub code: String,
    /// Who collects it.
    pub issuer: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// The lines it gathers.
    pub accepted: Vec<DebitLineKind>,
}

impl From<&regime::ExpectedDebit> for ExpectedDebit {
    fn from(d: &regime::ExpectedDebit) -> Self {
        ExpectedDebit {
            code: d.code.code().to_owned(),
            issuer: d.issuer.code().to_owned(),
            label_fr: d.label(Locale::Fr).to_owned(),
            label_en: d.label(Locale::En).to_owned(),
            accepted: d
                .accepted
                .iter()
                .map(|(i, n)| DebitLineKind {
                    issuer: i.code().to_owned(),
                    nature: n.code().to_owned(),
                })
                .collect(),
        }
    }
}

/// One line of a bank statement's direct debit. Money in integer cents.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DebitLine {
    /// `stellantis_insurance` or `stellantis_services`.
    pub issuer: String,
    /// `premium`, `claims_settled`, `management_fees` or `npo`.
    pub nature: String,
    /// The amount, in cents.
    pub amount_cents: i64,
    /// The statement's wording, if any.
    #[uniffi(default)]
    pub label: Option<String>,
}

impl From<&regime::DebitLine> for DebitLine {
    fn from(l: &regime::DebitLine) -> Self {
        DebitLine {
            issuer: l.issuer.code().to_owned(),
            nature: l.nature.code().to_owned(),
            amount_cents: l.amount_cents,
            label: l.label.clone(),
        }
    }
}

impl TryFrom<&DebitLine> for regime::DebitLine {
    type Error = dealer_portal::Error;
    fn try_from(l: &DebitLine) -> Result<Self, Self::Error> {
        let line = regime::DebitLine::new(&l.issuer, &l.nature, l.amount_cents)?;
        match &l.label {
            Some(label) => line.with_label(label),
            None => Ok(line),
        }
    }
}

/// An expected debit of the month with its lines.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReconciledDebit {
    /// The debit's code.
    pub code: String,
    /// Who collects it.
    pub issuer: String,
    /// Its lines, in input order; empty when missing.
    pub lines: Vec<DebitLine>,
    /// The sum of its lines, in cents.
    pub total_cents: i64,
}

/// A month of debit lines checked against what a regime expects.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reconciliation {
    /// The regime.
    pub regime: Regime,
    /// The month, `M/YYYY`.
    pub month: String,
    /// Every expected debit, in order, missing ones included (no lines, total 0).
    pub debits: Vec<ReconciledDebit>,
    /// Codes of the expected debits with no line.
    pub missing: Vec<String>,
    /// The lines no expected debit takes.
    pub unexpected: Vec<DebitLine>,
    /// Whether nothing is missing and nothing unexpected.
    pub complete: bool,
}

impl From<regime::Reconciliation> for Reconciliation {
    fn from(r: regime::Reconciliation) -> Self {
        Reconciliation {
            regime: r.regime.into(),
            month: r.month.to_string(),
            complete: r.is_complete(),
            debits: r
                .debits
                .iter()
                .map(|d| ReconciledDebit {
                    code: d.code.code().to_owned(),
                    issuer: d.issuer.code().to_owned(),
                    lines: d.lines.iter().map(DebitLine::from).collect(),
                    total_cents: d.total_cents,
                })
                .collect(),
            missing: r.missing.iter().map(|c| c.code().to_owned()).collect(),
            unexpected: r.unexpected.iter().map(DebitLine::from).collect(),
        }
    }
}

// ----- phones -----

/// One text of the seed's screens in both languages (the core's `menu::screen_labels`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenLabel {
    /// What kind of value it labels (`right`, `account state`, `notice`...).
    pub group: String,
    /// The value's stable code.
    pub code: String,
    /// The French text.
    pub label_fr: String,
    /// The English text.
    pub label_en: String,
}

impl From<dealer_portal::menu::ScreenLabel> for ScreenLabel {
    fn from(l: dealer_portal::menu::ScreenLabel) -> Self {
        ScreenLabel {
            group: l.group.to_owned(),
            code: l.code.to_owned(),
            label_fr: l.label_fr.to_owned(),
            label_en: l.label_en.to_owned(),
        }
    }
}

/// One entry of the "+33 ▾" list beside a phone field: a region and its calling code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallingCode {
    /// The region (ISO 3166-1 alpha-2: `FR`).
    pub region: String,
    /// The calling code with its plus (`+33`).
    pub code: String,
    /// What the list shows (`🇫🇷 FR +33`): the region's flag, its code and the calling code.
    pub label_fr: String,
    /// The same label (it names no country, so it reads the same in English).
    pub label_en: String,
}

impl From<phone::CallingCode> for CallingCode {
    fn from(c: phone::CallingCode) -> Self {
        CallingCode {
            region: c.region,
            code: c.code,
            label_en: c.label.clone(),
            label_fr: c.label,
        }
    }
}

// ----- references and support -----

/// A recognised quick-search reference.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reference {
    /// `registration_plate`, `contract_number` or `agreement_number`.
    pub kind: String,
    /// `AB-123-CD`, `1234 AB 56`, or upper-case letters and digits.
    pub normalized: String,
    /// For a plate, `siv` or `fni`.
    pub plate_format: Option<String>,
}

impl From<reference::Reference> for Reference {
    fn from(r: reference::Reference) -> Self {
        Reference {
            kind: r.kind().code().to_owned(),
            plate_format: r.plate_format().map(|f| f.code().to_owned()),
            normalized: r.into_normalized(),
        }
    }
}

/// One way to reach support.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SupportChannel {
    /// `email` or `phone`.
    pub kind: String,
    /// The address or number, as displayed (`01 86 99 02 69`).
    pub value: String,
    /// The topics it serves: `subscription`, `billing`, `contract_changes`,
    /// `connection_problems`.
    pub topics: Vec<String>,
    /// The topics' French labels, in the same order.
    pub topic_labels_fr: Vec<String>,
}

/// The support contacts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SupportDirectory {
    /// The channels, e-mail first.
    pub channels: Vec<SupportChannel>,
}

impl From<support::SupportDirectory> for SupportDirectory {
    fn from(d: support::SupportDirectory) -> Self {
        SupportDirectory {
            channels: d
                .channels
                .into_iter()
                .map(|c| SupportChannel {
                    kind: c.kind.code().to_owned(),
                    topics: c.topics.iter().map(|t| t.code().to_owned()).collect(),
                    topic_labels_fr: c
                        .topics
                        .iter()
                        .map(|t| t.label(Locale::Fr).to_owned())
                        .collect(),
                    value: c.value,
                })
                .collect(),
        }
    }
}

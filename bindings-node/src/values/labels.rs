//! Screen texts and lists: the menu's sections, the calling codes of the phone fields,
//! quick-search references and the support contacts.

use dealer_portal::menu::Section as CoreSection;
use dealer_portal::phone::CallingCode as CoreCallingCode;
use dealer_portal::reference::Reference as CoreReference;
use dealer_portal::support::{
    SupportChannel as CoreSupportChannel, SupportDirectory as CoreSupportDirectory,
};
use dealer_portal::{Coded, Locale};
use napi_derive::napi;

/// A tab of the portal's menu (ACCUEIL, LISTE DEVIS ET CONTRATS, ...).
#[napi(object, object_from_js = false)]
pub struct Section {
    /// The stable code (home, quotes_and_contracts, ...).
    #[napi(ts_type = "SectionCode")]
    pub code: &'static str,
    /// The tab in French ("GESTION DES COMPTES").
    pub label_fr: &'static str,
    /// The tab in English ("ACCOUNT MANAGEMENT").
    pub label_en: &'static str,
}

impl From<CoreSection> for Section {
    fn from(s: CoreSection) -> Self {
        Section {
            code: s.code(),
            label_fr: s.label(Locale::Fr),
            label_en: s.label(Locale::En),
        }
    }
}

/// One text of the seed's screens in both languages (the core's `menu::screen_labels`).
#[napi(object, object_from_js = false)]
pub struct ScreenLabel {
    /// What kind of value it labels ("right", "account state", "notice"...).
    pub group: &'static str,
    /// The value's stable code.
    pub code: &'static str,
    /// The French text.
    pub label_fr: &'static str,
    /// The English text.
    pub label_en: &'static str,
}

impl From<dealer_portal::menu::ScreenLabel> for ScreenLabel {
    fn from(l: dealer_portal::menu::ScreenLabel) -> Self {
        ScreenLabel {
            group: l.group,
            code: l.code,
            label_fr: l.label_fr,
            label_en: l.label_en,
        }
    }
}

/// One entry of the "+33 ▾" list beside a phone field.
#[napi(object, object_from_js = false)]
pub struct CallingCode {
    /// The region (ISO 3166-1 alpha-2, upper case: "FR").
    pub region: String,
    /// The calling code with its plus ("+33").
    pub code: String,
    /// What the list shows ("🇫🇷 FR +33"): the core's one label, the same in both languages.
    pub label_fr: String,
    /// The same label as `labelFr`.
    pub label_en: String,
}

impl From<CoreCallingCode> for CallingCode {
    fn from(c: CoreCallingCode) -> Self {
        CallingCode {
            region: c.region,
            code: c.code,
            label_en: c.label.clone(),
            label_fr: c.label,
        }
    }
}

/// A quick-search reference: a registration plate, a contract number or an agreement number.
#[napi(object, object_from_js = false)]
pub struct Reference {
    /// registration_plate, contract_number or agreement_number.
    #[napi(ts_type = "ReferenceKind")]
    pub kind: &'static str,
    /// "AB-123-CD", "1234 AB 56", or an upper-case number without separators.
    pub normalized: String,
    /// For a plate, its format (siv or fni).
    #[napi(ts_type = "PlateFormat")]
    pub plate_format: Option<&'static str>,
}

impl From<CoreReference> for Reference {
    fn from(r: CoreReference) -> Self {
        Reference {
            kind: r.kind().code(),
            plate_format: r.plate_format().map(|p| p.code()),
            normalized: r.into_normalized(),
        }
    }
}

/// A support contact channel and the topics it serves.
#[napi(object, object_from_js = false)]
pub struct SupportChannel {
    /// email or phone.
    #[napi(ts_type = "ChannelKind")]
    pub kind: &'static str,
    /// The address or number.
    pub value: String,
    /// Codes of the topics it serves (subscription, billing, contract_changes, ...).
    #[napi(ts_type = "Array<SupportTopic>")]
    pub topics: Vec<&'static str>,
    /// The topics in French.
    pub topic_labels_fr: Vec<&'static str>,
}

/// The support contacts (seed §4).
#[napi(object, object_from_js = false)]
pub struct SupportDirectory {
    /// Every channel.
    pub channels: Vec<SupportChannel>,
}

impl From<CoreSupportDirectory> for SupportDirectory {
    fn from(d: CoreSupportDirectory) -> Self {
        SupportDirectory {
            channels: d.channels.iter().map(channel).collect(),
        }
    }
}

fn channel(c: &CoreSupportChannel) -> SupportChannel {
    SupportChannel {
        kind: c.kind.code(),
        value: c.value.clone(),
        topics: c.topics.iter().map(|t| t.code()).collect(),
        topic_labels_fr: c.topics.iter().map(|t| t.label(Locale::Fr)).collect(),
    }
}

//! Support and contacts (seed §4): the channels a dealer can reach and what each is for.
//!
//! The seed lists two contacts (an e-mail address and a phone number) and then four topics; each
//! contact serves all four. [`support_directory`] returns those values; a host replaces them with
//! its own through [`SupportDirectory::new`].

use crate::locale::{Coded, Locale, coded_serde};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// What a dealer contacts support about.
///
/// ```
/// use dealer_portal::{Coded, Locale, support::SupportTopic};
/// assert_eq!(SupportTopic::Billing.label(Locale::Fr), "Pour la facturation");
/// assert_eq!(SupportTopic::Billing.code(), "billing");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupportTopic {
    /// The subscription of a warranty.
    Subscription,
    /// Billing.
    Billing,
    /// Changes to warranty contracts: duration, extension, reinstatement, cancellation...
    ContractChanges,
    /// Problems connecting to the portal (Services.Spoticar).
    ConnectionProblems,
}

impl Coded for SupportTopic {
    const ALL: &'static [Self] = &[
        SupportTopic::Subscription,
        SupportTopic::Billing,
        SupportTopic::ContractChanges,
        SupportTopic::ConnectionProblems,
    ];
    const WHAT: &'static str = "support topic";
    const ACCEPTED: &'static str = "subscription, billing, contract_changes, connection_problems";
    fn code(self) -> &'static str {
        match self {
            SupportTopic::Subscription => "subscription",
            SupportTopic::Billing => "billing",
            SupportTopic::ContractChanges => "contract_changes",
            SupportTopic::ConnectionProblems => "connection_problems",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (SupportTopic::Subscription, Locale::Fr) => "Pour la souscription d'une garantie",
            (SupportTopic::Subscription, Locale::En) => "To subscribe a warranty",
            (SupportTopic::Billing, Locale::Fr) => "Pour la facturation",
            (SupportTopic::Billing, Locale::En) => "For billing",
            (SupportTopic::ContractChanges, Locale::Fr) => {
                "Pour modifier vos contrats de garantie : durée, prolongation, remise en vigueur, annulation, etc."
            }
            (SupportTopic::ContractChanges, Locale::En) => {
                "To change your warranty contracts: duration, extension, reinstatement, cancellation, etc."
            }
            (SupportTopic::ConnectionProblems, Locale::Fr) => {
                "Communiquer vos problèmes de connexion à l'outil Services.Spoticar"
            }
            (SupportTopic::ConnectionProblems, Locale::En) => {
                "Report your problems connecting to Services.Spoticar"
            }
        }
    }
}
coded_serde!(SupportTopic);

/// How a support channel is reached.
///
/// ```
/// use dealer_portal::{Coded, Locale, support::ChannelKind};
/// assert_eq!(ChannelKind::Phone.label(Locale::Fr), "Par téléphone");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
}

impl Coded for ChannelKind {
    const ALL: &'static [Self] = &[ChannelKind::Email, ChannelKind::Phone];
    const WHAT: &'static str = "channel kind";
    const ACCEPTED: &'static str = "email, phone";
    fn code(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Phone => "phone",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (ChannelKind::Email, Locale::Fr) => "Par e-mail",
            (ChannelKind::Email, Locale::En) => "By e-mail",
            (ChannelKind::Phone, Locale::Fr) => "Par téléphone",
            (ChannelKind::Phone, Locale::En) => "By phone",
        }
    }
}
coded_serde!(ChannelKind);

/// One way to reach support and the topics it serves.
///
/// `value` is kept as displayed (`01 86 99 02 69`), trimmed. Deserialisation validates.
///
/// ```
/// use dealer_portal::support::{ChannelKind, SupportChannel, SupportTopic};
/// let c = SupportChannel::new(ChannelKind::Email, " aide@example.fr ", vec![SupportTopic::Billing]).unwrap();
/// assert_eq!(c.value, "aide@example.fr");
/// assert!(SupportChannel::new(ChannelKind::Phone, "01 23", vec![SupportTopic::Billing]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SupportChannelRepr")]
pub struct SupportChannel {
    /// E-mail or phone.
    pub kind: ChannelKind,
    /// The address or number, as displayed.
    pub value: String,
    /// The topics it serves, in [`SupportTopic::ALL`] order, without duplicates.
    pub topics: Vec<SupportTopic>,
}

#[derive(Deserialize)]
struct SupportChannelRepr {
    kind: ChannelKind,
    value: String,
    topics: Vec<SupportTopic>,
}

impl TryFrom<SupportChannelRepr> for SupportChannel {
    type Error = Error;
    fn try_from(r: SupportChannelRepr) -> Result<Self> {
        SupportChannel::new(r.kind, &r.value, r.topics)
    }
}

fn channel_error(reason: impl Into<String>) -> Error {
    Error::InvalidInput {
        field: "support channel",
        reason: reason.into(),
    }
}

impl SupportChannel {
    /// Longest accepted value, in characters.
    pub const MAX_VALUE: usize = 254;

    /// A channel: the value is trimmed, non-empty, at most 254 characters, without control
    /// characters; an e-mail value has one `@` with text on both sides and no whitespace; a
    /// phone value has at least 6 digits and only digits, spaces, `+`, `.`, `-`, `(`, `)`. At
    /// least one topic; duplicates are dropped and topics kept in canonical order.
    pub fn new(kind: ChannelKind, value: &str, topics: Vec<SupportTopic>) -> Result<Self> {
        let v = value.trim();
        if v.is_empty() {
            return Err(channel_error("the value is empty"));
        }
        if v.chars().count() > Self::MAX_VALUE {
            return Err(channel_error(format!(
                "the value is longer than {} characters",
                Self::MAX_VALUE
            )));
        }
        if v.chars().any(char::is_control) {
            return Err(channel_error("control characters are not allowed"));
        }
        match kind {
            ChannelKind::Email => {
                let ok = v.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && !domain.is_empty() && !domain.contains('@')
                });
                if !ok || v.chars().any(char::is_whitespace) {
                    return Err(channel_error(
                        "an e-mail channel needs an address like info@example.fr (one @, no spaces)",
                    ));
                }
            }
            ChannelKind::Phone => {
                let allowed = v
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '.' | '-' | '(' | ')'));
                let digits = v.chars().filter(char::is_ascii_digit).count();
                if !allowed || digits < 6 {
                    return Err(channel_error(
                        "a phone channel needs a number of at least 6 digits, like 01 86 99 02 69",
                    ));
                }
            }
        }
        let topics: Vec<SupportTopic> = SupportTopic::ALL
            .iter()
            .copied()
            .filter(|t| topics.contains(t))
            .collect();
        if topics.is_empty() {
            return Err(channel_error("a channel serves at least one topic"));
        }
        Ok(SupportChannel {
            kind,
            value: v.to_owned(),
            topics,
        })
    }

    /// Whether this channel serves `topic`.
    pub fn serves(&self, topic: SupportTopic) -> bool {
        self.topics.contains(&topic)
    }
}

/// The support channels shown to dealers. Deserialisation validates.
///
/// ```
/// use dealer_portal::support::{support_directory, ChannelKind, SupportTopic};
/// let dir = support_directory();
/// let billing: Vec<_> = dir.channels_for(SupportTopic::Billing).map(|c| c.value.as_str()).collect();
/// assert_eq!(billing, ["info@garantiestellantis.fr", "01 86 99 02 69"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SupportDirectoryRepr")]
pub struct SupportDirectory {
    /// The channels, in display order.
    pub channels: Vec<SupportChannel>,
}

#[derive(Deserialize)]
struct SupportDirectoryRepr {
    channels: Vec<SupportChannel>,
}

impl TryFrom<SupportDirectoryRepr> for SupportDirectory {
    type Error = Error;
    fn try_from(r: SupportDirectoryRepr) -> Result<Self> {
        SupportDirectory::new(r.channels)
    }
}

impl SupportDirectory {
    /// The seed's e-mail address.
    pub const SEED_EMAIL: &'static str = "info@garantiestellantis.fr";
    /// The seed's phone number, as displayed.
    pub const SEED_PHONE: &'static str = "01 86 99 02 69";

    /// A host's own directory: at least one channel, each re-validated (see
    /// [`SupportChannel::new`]), no channel listed twice (same kind and value).
    ///
    /// ```
    /// use dealer_portal::support::{ChannelKind, SupportChannel, SupportDirectory, SupportTopic};
    /// let hotline = SupportChannel::new(ChannelKind::Phone, "+33 1 23 45 67 89",
    ///     vec![SupportTopic::ConnectionProblems]).unwrap();
    /// let dir = SupportDirectory::new(vec![hotline]).unwrap();
    /// assert_eq!(dir.channels_for(SupportTopic::Billing).count(), 0);
    /// assert!(SupportDirectory::new(vec![]).is_err());
    /// ```
    pub fn new(channels: Vec<SupportChannel>) -> Result<Self> {
        if channels.is_empty() {
            return Err(channel_error("the directory needs at least one channel"));
        }
        let mut checked: Vec<SupportChannel> = Vec::with_capacity(channels.len());
        for c in channels {
            let c = SupportChannel::new(c.kind, &c.value, c.topics)?;
            if checked
                .iter()
                .any(|o| o.kind == c.kind && o.value.eq_ignore_ascii_case(&c.value))
            {
                return Err(channel_error(format!(
                    "the {} channel {:?} is listed twice",
                    c.kind.code(),
                    c.value
                )));
            }
            checked.push(c);
        }
        Ok(SupportDirectory { channels: checked })
    }

    /// The channels serving `topic`, in display order.
    pub fn channels_for(&self, topic: SupportTopic) -> impl Iterator<Item = &SupportChannel> {
        self.channels.iter().filter(move |c| c.serves(topic))
    }
}

impl Default for SupportDirectory {
    /// The seed's directory (see [`support_directory`]).
    fn default() -> Self {
        let all = SupportTopic::ALL.to_vec();
        SupportDirectory {
            channels: vec![
                SupportChannel {
                    kind: ChannelKind::Email,
                    value: Self::SEED_EMAIL.to_owned(),
                    topics: all.clone(),
                },
                SupportChannel {
                    kind: ChannelKind::Phone,
                    value: Self::SEED_PHONE.to_owned(),
                    topics: all,
                },
            ],
        }
    }
}

/// The seed's support directory: e-mail `info@garantiestellantis.fr` and phone
/// `01 86 99 02 69`, each serving the four topics.
///
/// ```
/// use dealer_portal::support::{support_directory, ChannelKind};
/// let dir = support_directory();
/// assert_eq!(dir.channels[0].kind, ChannelKind::Email);
/// assert_eq!(dir.channels[1].value, "01 86 99 02 69");
/// assert_eq!(dir.channels[1].topics.len(), 4);
/// ```
pub fn support_directory() -> SupportDirectory {
    SupportDirectory::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_directory() {
        let d = support_directory();
        assert_eq!(d.channels.len(), 2);
        assert_eq!(
            (d.channels[0].kind, d.channels[0].value.as_str()),
            (ChannelKind::Email, "info@garantiestellantis.fr")
        );
        assert_eq!(
            (d.channels[1].kind, d.channels[1].value.as_str()),
            (ChannelKind::Phone, "01 86 99 02 69")
        );
        for t in SupportTopic::ALL {
            assert_eq!(d.channels_for(*t).count(), 2);
        }
        // The default passes its own validation.
        assert_eq!(SupportDirectory::new(d.channels.clone()).unwrap(), d);
    }

    #[test]
    fn seed_topic_labels() {
        let fr: Vec<_> = SupportTopic::ALL
            .iter()
            .map(|t| t.label(Locale::Fr))
            .collect();
        assert_eq!(
            fr,
            [
                "Pour la souscription d'une garantie",
                "Pour la facturation",
                "Pour modifier vos contrats de garantie : durée, prolongation, remise en vigueur, annulation, etc.",
                "Communiquer vos problèmes de connexion à l'outil Services.Spoticar",
            ]
        );
        for t in SupportTopic::ALL {
            assert_eq!(SupportTopic::from_code(t.code()).unwrap(), *t);
        }
        assert_eq!(ChannelKind::from_code("EMAIL").unwrap(), ChannelKind::Email);
        assert_eq!(
            SupportTopic::from_code("sales").unwrap_err().code(),
            "UNKNOWN_CODE"
        );
    }

    #[test]
    fn channel_validation() {
        let t = || vec![SupportTopic::Billing];
        for (kind, v) in [
            (ChannelKind::Email, ""),
            (ChannelKind::Email, "   "),
            (ChannelKind::Email, "info.example.fr"),
            (ChannelKind::Email, "info @example.fr"),
            (ChannelKind::Email, "@example.fr"),
            (ChannelKind::Email, "info@"),
            (ChannelKind::Email, "a@b@c"),
            (ChannelKind::Phone, "12345"),
            (ChannelKind::Phone, "01 86 99 02 6x"),
            (ChannelKind::Phone, "01\u{7}86990269"),
        ] {
            let e = SupportChannel::new(kind, v, t()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        field: "support channel",
                        ..
                    }
                ),
                "{v:?}"
            );
        }
        assert!(SupportChannel::new(ChannelKind::Phone, "+33 (0)1 86-99.02.69", t()).is_ok());
        assert!(
            SupportChannel::new(ChannelKind::Email, &format!("a@{}", "b".repeat(253)), t())
                .is_err()
        );
        assert!(SupportChannel::new(ChannelKind::Email, "a@b", vec![]).is_err());
        let c = SupportChannel::new(
            ChannelKind::Email,
            "a@b.fr",
            vec![
                SupportTopic::ConnectionProblems,
                SupportTopic::Billing,
                SupportTopic::Billing,
            ],
        )
        .unwrap();
        assert_eq!(
            c.topics,
            [SupportTopic::Billing, SupportTopic::ConnectionProblems]
        );
        assert!(c.serves(SupportTopic::Billing) && !c.serves(SupportTopic::Subscription));
    }

    #[test]
    fn host_directory() {
        let email =
            SupportChannel::new(ChannelKind::Email, "a@b.fr", vec![SupportTopic::Billing]).unwrap();
        let dup = SupportChannel::new(
            ChannelKind::Email,
            "A@B.FR",
            vec![SupportTopic::Subscription],
        )
        .unwrap();
        assert!(SupportDirectory::new(vec![email.clone(), dup]).is_err());
        assert!(SupportDirectory::new(vec![]).is_err());
        // Public fields can be edited: `new` re-validates.
        let mut bad = email.clone();
        bad.value = "nope".into();
        assert!(SupportDirectory::new(vec![bad]).is_err());
        let dir = SupportDirectory::new(vec![email]).unwrap();
        assert_eq!(dir.channels_for(SupportTopic::Subscription).count(), 0);
    }

    #[test]
    fn serde_roundtrip_and_validation() {
        let d = support_directory();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["channels"][0]["kind"], "email");
        assert_eq!(json["channels"][1]["value"], "01 86 99 02 69");
        assert_eq!(json["channels"][1]["topics"][2], "contract_changes");
        assert_eq!(serde_json::from_value::<SupportDirectory>(json).unwrap(), d);
        assert!(serde_json::from_str::<SupportDirectory>(r#"{"channels":[]}"#).is_err());
        assert!(
            serde_json::from_str::<SupportChannel>(
                r#"{"kind":"phone","value":"12","topics":["billing"]}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<SupportChannel>(
                r#"{"kind":"fax","value":"0123456","topics":["billing"]}"#
            )
            .is_err()
        );
    }

    proptest::proptest! {
        #[test]
        fn channel_new_never_panics(v in "\\PC{0,40}", phone in proptest::bool::ANY) {
            let kind = if phone { ChannelKind::Phone } else { ChannelKind::Email };
            if let Ok(c) = SupportChannel::new(kind, &v, SupportTopic::ALL.to_vec()) {
                proptest::prop_assert_eq!(SupportChannel::new(kind, &c.value, c.topics.clone()).unwrap(), c);
            }
        }
    }
}

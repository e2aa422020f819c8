//! The six rights of the seed (§2), sets of them, the rights matrix and the delegation rules.
//!
//! - [`Right`]: one of the six rights; [`Rights`]: a set of them in one byte;
//!   [`RightsMatrix`]: establishment → rights, for one account.
//! - The delegation rules (the file `rights/delegation.rs`, re-exported here) are pure functions
//!   that the services call before changing anything: [`check_grant`] (creating a user, opening
//!   an establishment to an account), [`check_set_rights`] (changing an account's rights
//!   somewhere), [`disable_scope`], [`check_last_manager`] and [`visible_to`]. In short: acting
//!   on accounts of an establishment needs [`Right::ManageAccounts`] there; a manager may give
//!   only rights it holds there itself, may take away any right, and sees only accounts holding
//!   rights on an establishment it manages.

use crate::establishment::EstablishmentCode;
use crate::locale::{Coded, Locale, coded_serde};
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

mod delegation;

pub use delegation::{
    DisableScope, check_grant, check_last_manager, check_set_rights, disable_scope, visible_to,
};

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

impl Right {
    /// The seed's explanation of the right (§2, "Gestion des droits"), as a screen shows it
    /// beside the check-box.
    ///
    /// ```
    /// use dealer_portal::{Locale, Right};
    /// assert_eq!(Right::QuotesAndSubscriptions.description(Locale::Fr),
    ///     "Permet de créer des devis et des souscriptions de contrats");
    /// assert_eq!(Right::ManageAccounts.description(Locale::En),
    ///     "Lets you create other user accounts");
    /// ```
    pub fn description(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Right::QuotesAndSubscriptions, Locale::Fr) => {
                "Permet de créer des devis et des souscriptions de contrats"
            }
            (Right::QuotesAndSubscriptions, Locale::En) => {
                "Lets you create quotes and contract subscriptions"
            }
            (Right::SearchQuotesAndContracts, Locale::Fr) => {
                "Permet de rechercher les devis et les contrats"
            }
            (Right::SearchQuotesAndContracts, Locale::En) => "Lets you search quotes and contracts",
            (Right::SubmitClaims, Locale::Fr) => {
                "Permet de déposer des demandes de prise en charge atelier"
            }
            (Right::SubmitClaims, Locale::En) => "Lets you submit workshop claims",
            (Right::SearchClaims, Locale::Fr) => {
                "Permet de rechercher des dossiers de prise en charge atelier"
            }
            (Right::SearchClaims, Locale::En) => "Lets you search workshop claim files",
            (Right::AccountingDocuments, Locale::Fr) => {
                "Permet d'accéder aux documents comptables du point de vente sur lequel je suis connecté"
            }
            (Right::AccountingDocuments, Locale::En) => {
                "Lets you access the accounting documents of the establishment you are connected to"
            }
            (Right::ManageAccounts, Locale::Fr) => "Permet de créer d'autres comptes utilisateurs",
            (Right::ManageAccounts, Locale::En) => "Lets you create other user accounts",
        }
    }

    /// This right's bit in a [`Rights`] set: bit `i` is `Right::ALL[i]`.
    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Right`]s, stored in one byte (bit `i` is `Right::ALL[i]`).
///
/// It is `Copy`, costs nothing to pass around, and iterates in the canonical order of
/// [`Right::ALL`] whatever the insertion order. It serialises as a list of codes (in canonical
/// order) and deserialises from one, rejecting unknown codes and tolerating duplicates.
/// `Display` gives the codes separated by `", "` (the empty set displays as the empty string) and
/// [`std::str::FromStr`] reads them back.
///
/// ```
/// use dealer_portal::rights::{Right, Rights};
/// let mut r = Rights::EMPTY.with(Right::SubmitClaims);
/// r.insert(Right::QuotesAndSubscriptions);
/// assert!(r.contains(Right::SubmitClaims));
/// assert_eq!(r.len(), 2);
/// assert_eq!(r.to_string(), "quotes_and_subscriptions, submit_claims");
/// assert!(r.is_subset(&Rights::all()));
///
/// let parsed = Rights::from_codes(["submit_claims", "quotes_and_subscriptions"]).unwrap();
/// assert_eq!(parsed, r);
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"["quotes_and_subscriptions","submit_claims"]"#);
/// assert_eq!(Rights::from_codes(["fly"]).unwrap_err().code(), "UNKNOWN_CODE");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rights(u8);

impl Rights {
    /// The mask of the bits that name a right.
    const MASK: u8 = (1 << Right::ALL.len()) - 1;

    /// No right at all.
    pub const EMPTY: Rights = Rights(0);

    /// All six rights (what an administrator holds on its establishments).
    ///
    /// ```
    /// use dealer_portal::rights::Rights;
    /// assert_eq!(Rights::all().len(), 6);
    /// ```
    pub const fn all() -> Rights {
        Rights(Self::MASK)
    }

    /// The set of the given rights, usable in constants.
    ///
    /// ```
    /// use dealer_portal::rights::{Right, Rights};
    /// const REPAIRER: Rights = Rights::of(&[Right::SubmitClaims, Right::SearchClaims]);
    /// assert_eq!(REPAIRER.len(), 2);
    /// ```
    pub const fn of(rights: &[Right]) -> Rights {
        let mut bits = 0;
        let mut i = 0;
        while i < rights.len() {
            bits |= rights[i].bit();
            i += 1;
        }
        Rights(bits)
    }

    /// Whether `right` is in the set.
    pub const fn contains(self, right: Right) -> bool {
        self.0 & right.bit() != 0
    }

    /// Adds `right`; returns whether it was absent.
    pub fn insert(&mut self, right: Right) -> bool {
        let absent = !self.contains(right);
        self.0 |= right.bit();
        absent
    }

    /// Removes `right`; returns whether it was present.
    pub fn remove(&mut self, right: Right) -> bool {
        let present = self.contains(right);
        self.0 &= !right.bit();
        present
    }

    /// This set with `right` added.
    #[must_use]
    pub const fn with(self, right: Right) -> Rights {
        Rights(self.0 | right.bit())
    }

    /// The rights in either set.
    #[must_use]
    pub const fn union(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }

    /// The rights in both sets.
    #[must_use]
    pub const fn intersection(self, other: Rights) -> Rights {
        Rights(self.0 & other.0)
    }

    /// The rights in `self` and not in `other`.
    ///
    /// ```
    /// use dealer_portal::rights::{Right, Rights};
    /// let missing = Rights::all().difference(Rights::EMPTY.with(Right::ManageAccounts));
    /// assert!(!missing.contains(Right::ManageAccounts));
    /// assert_eq!(missing.len(), 5);
    /// ```
    #[must_use]
    pub const fn difference(self, other: Rights) -> Rights {
        Rights(self.0 & !other.0)
    }

    /// Whether every right of `self` is in `other`.
    pub const fn is_subset(&self, other: &Rights) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set holds no right.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many rights the set holds (0 to 6).
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The rights, in the canonical order of [`Right::ALL`].
    ///
    /// ```
    /// use dealer_portal::rights::{Right, Rights};
    /// let r = Rights::EMPTY.with(Right::ManageAccounts).with(Right::QuotesAndSubscriptions);
    /// let v: Vec<Right> = r.iter().collect();
    /// assert_eq!(v, [Right::QuotesAndSubscriptions, Right::ManageAccounts]);
    /// ```
    pub fn iter(self) -> RightsIter {
        RightsIter(self.0)
    }

    /// The codes of the rights, in canonical order.
    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(Right::code).collect()
    }

    /// The raw bits (bit `i` is `Right::ALL[i]`), for compact storage.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The set with these raw bits; `None` if a bit names no right (bits 6 and 7).
    ///
    /// ```
    /// use dealer_portal::rights::Rights;
    /// assert_eq!(Rights::from_bits(0b11_1111), Some(Rights::all()));
    /// assert_eq!(Rights::from_bits(0b100_0000), None);
    /// ```
    pub const fn from_bits(bits: u8) -> Option<Rights> {
        if bits & !Self::MASK == 0 {
            Some(Rights(bits))
        } else {
            None
        }
    }

    /// The set of the rights with these codes (case-insensitive, surrounding space ignored;
    /// duplicates are fine). An unknown code is [`Error::UnknownCode`].
    pub fn from_codes<I>(codes: I) -> Result<Rights>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        codes
            .into_iter()
            .map(|c| Right::from_code(c.as_ref()).map_err(Error::from))
            .collect()
    }
}

impl fmt::Debug for Rights {
    /// `Rights[submit_claims, search_claims]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights[{self}]")
    }
}

impl fmt::Display for Rights {
    /// The codes separated by `", "`; nothing for the empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(r.code())?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Rights {
    type Err = Error;
    /// Reads what `Display` writes: codes separated by commas; a blank string is the empty set.
    fn from_str(s: &str) -> Result<Rights> {
        if s.trim().is_empty() {
            return Ok(Rights::EMPTY);
        }
        Rights::from_codes(s.split(','))
    }
}

impl From<Right> for Rights {
    fn from(right: Right) -> Rights {
        Rights(right.bit())
    }
}

impl From<&[Right]> for Rights {
    fn from(rights: &[Right]) -> Rights {
        Rights::of(rights)
    }
}

impl FromIterator<Right> for Rights {
    fn from_iter<I: IntoIterator<Item = Right>>(iter: I) -> Rights {
        let mut r = Rights::EMPTY;
        r.extend(iter);
        r
    }
}

impl Extend<Right> for Rights {
    fn extend<I: IntoIterator<Item = Right>>(&mut self, iter: I) {
        for right in iter {
            self.insert(right);
        }
    }
}

impl IntoIterator for Rights {
    type Item = Right;
    type IntoIter = RightsIter;
    fn into_iter(self) -> RightsIter {
        self.iter()
    }
}

impl IntoIterator for &Rights {
    type Item = Right;
    type IntoIter = RightsIter;
    fn into_iter(self) -> RightsIter {
        self.iter()
    }
}

impl std::ops::BitOr for Rights {
    type Output = Rights;
    /// [`Rights::union`].
    fn bitor(self, rhs: Rights) -> Rights {
        self.union(rhs)
    }
}

impl std::ops::BitAnd for Rights {
    type Output = Rights;
    /// [`Rights::intersection`].
    fn bitand(self, rhs: Rights) -> Rights {
        self.intersection(rhs)
    }
}

impl std::ops::Sub for Rights {
    type Output = Rights;
    /// [`Rights::difference`].
    fn sub(self, rhs: Rights) -> Rights {
        self.difference(rhs)
    }
}

impl Serialize for Rights {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Rights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Rights, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Rights;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of right codes")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Rights, A::Error> {
                let mut r = Rights::EMPTY;
                while let Some(right) = seq.next_element::<Right>()? {
                    r.insert(right);
                }
                Ok(r)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The iterator of [`Rights::iter`]: the rights of a set in canonical order.
#[derive(Debug, Clone)]
pub struct RightsIter(u8);

impl Iterator for RightsIter {
    type Item = Right;
    fn next(&mut self) -> Option<Right> {
        if self.0 == 0 {
            return None;
        }
        let i = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(Right::ALL[i])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.count_ones() as usize;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for RightsIter {
    fn next_back(&mut self) -> Option<Right> {
        if self.0 == 0 {
            return None;
        }
        let i = 7 - self.0.leading_zeros() as usize;
        self.0 &= !(1 << i);
        Some(Right::ALL[i])
    }
}

impl ExactSizeIterator for RightsIter {}
impl std::iter::FusedIterator for RightsIter {}

/// Who may do what where: for each establishment, the [`Rights`] an account holds there.
///
/// An establishment where the account holds nothing has no entry: [`RightsMatrix::set`] with the
/// empty set removes it, so [`RightsMatrix::establishments`] is exactly where the account holds
/// at least one right. Serialises as a map from establishment code to a list of right codes;
/// deserialising validates codes, drops establishments with an empty list and rejects an
/// establishment given twice (`"t1"` and `"T1"` are the same one).
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::{Right, Rights, RightsMatrix};
/// let t1: EstablishmentCode = "T99999".parse().unwrap();
/// let mut m = RightsMatrix::new();
/// m.set(t1.clone(), Rights::all());
/// assert!(m.rights_on(&t1).contains(Right::ManageAccounts));
/// assert!(m.contains("t99999", Right::ManageAccounts)); // no allocation
/// assert_eq!(m.manageable(), [&t1]);
/// m.set(t1.clone(), Rights::EMPTY);
/// assert!(m.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RightsMatrix(BTreeMap<EstablishmentCode, Rights>);

impl RightsMatrix {
    /// Up to this many establishments, [`RightsMatrix::contains`] scans the sorted entries
    /// instead of building an [`EstablishmentCode`] to look one up.
    const SCAN_MAX: usize = 32;

    /// A matrix without any right.
    pub const fn new() -> RightsMatrix {
        RightsMatrix(BTreeMap::new())
    }

    /// The rights held on `establishment` (empty if none).
    pub fn rights_on(&self, establishment: &EstablishmentCode) -> Rights {
        self.0.get(establishment).copied().unwrap_or_default()
    }

    /// Whether `right` is held on the establishment with this code, given as text (trimmed,
    /// case-insensitive like [`EstablishmentCode::parse`]); `false` for a malformed code.
    /// Does not allocate for matrices of up to 32 establishments.
    pub fn contains(&self, establishment: &str, right: Right) -> bool {
        let code = establishment.trim().as_bytes();
        if code.is_empty() || code.len() > EstablishmentCode::MAX_LEN {
            return false;
        }
        let mut buf = [0u8; EstablishmentCode::MAX_LEN];
        for (d, &b) in buf.iter_mut().zip(code) {
            if !b.is_ascii_alphanumeric() {
                return false;
            }
            *d = b.to_ascii_uppercase();
        }
        let key = &buf[..code.len()];
        if self.0.len() > Self::SCAN_MAX {
            // Validated above, so this parse succeeds; it allocates the code once.
            return EstablishmentCode::parse(establishment)
                .is_ok_and(|code| self.rights_on(&code).contains(right));
        }
        for (k, r) in &self.0 {
            match k.as_str().as_bytes().cmp(key) {
                Ordering::Less => {}
                Ordering::Equal => return r.contains(right),
                Ordering::Greater => return false,
            }
        }
        false
    }

    /// Sets the rights held on `establishment`; the empty set removes the entry. Returns the
    /// rights held there before.
    pub fn set(&mut self, establishment: EstablishmentCode, rights: Rights) -> Rights {
        let before = if rights.is_empty() {
            self.0.remove(&establishment)
        } else {
            self.0.insert(establishment, rights)
        };
        before.unwrap_or_default()
    }

    /// Adds `rights` to those held on `establishment`; returns the rights now held there.
    pub fn grant(&mut self, establishment: EstablishmentCode, rights: Rights) -> Rights {
        if rights.is_empty() {
            return self.rights_on(&establishment);
        }
        let held = self.0.entry(establishment).or_default();
        *held = held.union(rights);
        *held
    }

    /// Removes `rights` from those held on `establishment` (the entry goes when nothing is
    /// left); returns the rights still held there.
    pub fn revoke(&mut self, establishment: &EstablishmentCode, rights: Rights) -> Rights {
        let Some(held) = self.0.get_mut(establishment) else {
            return Rights::EMPTY;
        };
        *held = held.difference(rights);
        let left = *held;
        if left.is_empty() {
            self.0.remove(establishment);
        }
        left
    }

    /// Removes every right held on `establishment`; returns what was held there.
    pub fn revoke_all(&mut self, establishment: &EstablishmentCode) -> Rights {
        self.0.remove(establishment).unwrap_or_default()
    }

    /// Each establishment with the (non-empty) rights held there, ordered by code.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&EstablishmentCode, Rights)> + ExactSizeIterator + '_
    {
        self.0.iter().map(|(c, r)| (c, *r))
    }

    /// The establishments where at least one right is held, ordered by code.
    pub fn establishments(
        &self,
    ) -> impl DoubleEndedIterator<Item = &EstablishmentCode> + ExactSizeIterator + '_ {
        self.0.keys()
    }

    /// The establishments where `right` is held, ordered by code.
    pub fn establishments_with(&self, right: Right) -> impl Iterator<Item = &EstablishmentCode> {
        self.0
            .iter()
            .filter(move |(_, r)| r.contains(right))
            .map(|(c, _)| c)
    }

    /// The establishments whose accounts this holder may manage (it holds
    /// [`Right::ManageAccounts`] there), ordered by code: "Gestion des comptes".
    pub fn manageable(&self) -> Vec<&EstablishmentCode> {
        self.establishments_with(Right::ManageAccounts).collect()
    }

    /// Whether no right is held anywhere.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// On how many establishments at least one right is held.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether [`Right::ManageAccounts`] is held on `establishment`.
    fn manages(&self, establishment: &EstablishmentCode) -> bool {
        self.rights_on(establishment)
            .contains(Right::ManageAccounts)
    }
}

impl<'a> IntoIterator for &'a RightsMatrix {
    type Item = (&'a EstablishmentCode, Rights);
    type IntoIter = std::iter::Map<
        std::collections::btree_map::Iter<'a, EstablishmentCode, Rights>,
        fn((&'a EstablishmentCode, &'a Rights)) -> (&'a EstablishmentCode, Rights),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(c, r)| (c, *r))
    }
}

impl FromIterator<(EstablishmentCode, Rights)> for RightsMatrix {
    /// Gathers entries; rights given twice for one establishment are united, empty ones
    /// dropped.
    fn from_iter<I: IntoIterator<Item = (EstablishmentCode, Rights)>>(iter: I) -> RightsMatrix {
        let mut m = RightsMatrix::new();
        for (code, rights) in iter {
            m.grant(code, rights);
        }
        m
    }
}

impl Serialize for RightsMatrix {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter())
    }
}

impl<'de> Deserialize<'de> for RightsMatrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<RightsMatrix, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RightsMatrix;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from establishment code to a list of right codes")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<RightsMatrix, A::Error> {
                let mut seen = BTreeMap::new();
                while let Some((code, rights)) = map.next_entry::<EstablishmentCode, Rights>()? {
                    if seen.contains_key(&code) {
                        return Err(de::Error::custom(format_args!(
                            "establishment {code} is given twice"
                        )));
                    }
                    seen.insert(code, rights);
                }
                seen.retain(|_, r: &mut Rights| !r.is_empty());
                Ok(RightsMatrix(seen))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    pub(super) fn code(s: &str) -> EstablishmentCode {
        EstablishmentCode::parse(s).unwrap()
    }

    pub(super) fn rights(list: &[Right]) -> Rights {
        Rights::of(list)
    }

    pub(super) fn matrix(entries: &[(&str, Rights)]) -> RightsMatrix {
        entries.iter().map(|(c, r)| (code(c), *r)).collect()
    }

    pub(super) const MANAGER_CLAIMS: Rights = Rights::of(&[
        Right::ManageAccounts,
        Right::SubmitClaims,
        Right::SearchClaims,
    ]);

    #[test]
    fn bits_follow_canonical_order() {
        for (i, r) in Right::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
            assert_eq!(Rights::from(*r).bits(), 1 << i);
        }
        assert_eq!(Rights::all().bits(), 0b11_1111);
        assert_eq!(Rights::EMPTY.bits(), 0);
    }

    #[test]
    fn from_bits_rejects_unknown_bits() {
        for b in 0..=u8::MAX {
            assert_eq!(Rights::from_bits(b).is_some(), b < 64, "{b}");
        }
        assert_eq!(Rights::from_bits(5).unwrap().bits(), 5);
    }

    #[test]
    fn insert_remove_report_changes() {
        let mut r = Rights::EMPTY;
        assert!(r.insert(Right::SearchClaims));
        assert!(!r.insert(Right::SearchClaims));
        assert_eq!(r.len(), 1);
        assert!(r.remove(Right::SearchClaims));
        assert!(!r.remove(Right::SearchClaims));
        assert!(r.is_empty());
    }

    #[test]
    fn set_algebra_examples() {
        let a = rights(&[Right::SubmitClaims, Right::SearchClaims]);
        let b = rights(&[Right::SearchClaims, Right::ManageAccounts]);
        assert_eq!(
            a | b,
            rights(&[
                Right::SubmitClaims,
                Right::SearchClaims,
                Right::ManageAccounts
            ])
        );
        assert_eq!(a & b, rights(&[Right::SearchClaims]));
        assert_eq!(a - b, rights(&[Right::SubmitClaims]));
        assert!(!a.is_subset(&b));
        assert!((a & b).is_subset(&a));
        assert!(Rights::EMPTY.is_subset(&Rights::EMPTY));
        assert_eq!(Rights::all().difference(Rights::all()), Rights::EMPTY);
    }

    #[test]
    fn iteration_is_canonical_both_ways() {
        let r: Rights = [
            Right::ManageAccounts,
            Right::QuotesAndSubscriptions,
            Right::SubmitClaims,
        ]
        .into_iter()
        .collect();
        let fwd: Vec<_> = r.iter().collect();
        assert_eq!(
            fwd,
            [
                Right::QuotesAndSubscriptions,
                Right::SubmitClaims,
                Right::ManageAccounts
            ]
        );
        let back: Vec<_> = r.iter().rev().collect();
        assert_eq!(
            back,
            [
                Right::ManageAccounts,
                Right::SubmitClaims,
                Right::QuotesAndSubscriptions
            ]
        );
        assert_eq!(r.iter().len(), 3);
        assert_eq!(Rights::all().iter().collect::<Vec<_>>(), Right::ALL);
        assert_eq!((&r).into_iter().count(), 3);
    }

    #[test]
    fn from_slice_and_codes() {
        let r = Rights::from(&[Right::SubmitClaims, Right::SubmitClaims][..]);
        assert_eq!(r.len(), 1);
        let c =
            Rights::from_codes([" Submit_Claims ", "manage_accounts", "submit_claims"]).unwrap();
        assert_eq!(c, rights(&[Right::SubmitClaims, Right::ManageAccounts]));
        assert_eq!(
            Rights::from_codes(Vec::<String>::new()).unwrap(),
            Rights::EMPTY
        );
        let e = Rights::from_codes(["submit_claims", "launch_missiles"]).unwrap_err();
        assert!(
            matches!(&e, Error::UnknownCode { what: "right", value, .. } if value == "launch_missiles")
        );
        assert_eq!(c.codes(), ["submit_claims", "manage_accounts"]);
    }

    #[test]
    fn display_debug_and_fromstr() {
        let r = rights(&[Right::ManageAccounts, Right::SearchClaims]);
        assert_eq!(r.to_string(), "search_claims, manage_accounts");
        assert_eq!(format!("{r:?}"), "Rights[search_claims, manage_accounts]");
        assert_eq!(Rights::EMPTY.to_string(), "");
        assert_eq!(format!("{:?}", Rights::EMPTY), "Rights[]");
        assert_eq!(r.to_string().parse::<Rights>().unwrap(), r);
        assert_eq!("  ".parse::<Rights>().unwrap(), Rights::EMPTY);
        assert!("search_claims,,manage_accounts".parse::<Rights>().is_err());
        assert!("nope".parse::<Rights>().is_err());
    }

    #[test]
    fn rights_serde() {
        let r = rights(&[Right::ManageAccounts, Right::QuotesAndSubscriptions]);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"["quotes_and_subscriptions","manage_accounts"]"#);
        assert_eq!(serde_json::from_str::<Rights>(&json).unwrap(), r);
        assert_eq!(
            serde_json::from_str::<Rights>(r#"["MANAGE_ACCOUNTS","manage_accounts"]"#).unwrap(),
            Rights::from(Right::ManageAccounts)
        );
        assert_eq!(serde_json::from_str::<Rights>("[]").unwrap(), Rights::EMPTY);
        assert!(serde_json::from_str::<Rights>(r#"["admin"]"#).is_err());
        assert!(serde_json::from_str::<Rights>(r#""manage_accounts""#).is_err());
        assert!(serde_json::from_str::<Rights>("63").is_err());
    }

    #[test]
    fn matrix_set_grant_revoke() {
        let t1 = code("T1");
        let mut m = RightsMatrix::new();
        assert_eq!(m.set(t1.clone(), Right::SubmitClaims.into()), Rights::EMPTY);
        assert_eq!(
            m.grant(t1.clone(), Right::SearchClaims.into()),
            rights(&[Right::SubmitClaims, Right::SearchClaims])
        );
        assert_eq!(m.grant(code("T2"), Rights::EMPTY), Rights::EMPTY);
        assert_eq!(m.len(), 1, "granting nothing creates no entry");
        assert_eq!(
            m.revoke(&t1, Right::SubmitClaims.into()),
            Right::SearchClaims.into()
        );
        assert_eq!(m.revoke(&t1, Right::SearchClaims.into()), Rights::EMPTY);
        assert!(m.is_empty(), "revoking the last right removes the entry");
        assert_eq!(m.revoke(&t1, Rights::all()), Rights::EMPTY);
        m.set(t1.clone(), Rights::all());
        assert_eq!(m.revoke_all(&t1), Rights::all());
        assert_eq!(m.revoke_all(&t1), Rights::EMPTY);
        m.set(t1.clone(), Rights::all());
        assert_eq!(m.set(t1.clone(), Rights::EMPTY), Rights::all());
        assert!(m.is_empty());
    }

    #[test]
    fn matrix_queries() {
        let m = matrix(&[
            ("T3", Right::SubmitClaims.into()),
            ("T1", Rights::all()),
            ("R000001", MANAGER_CLAIMS),
        ]);
        let codes: Vec<_> = m.establishments().map(EstablishmentCode::as_str).collect();
        assert_eq!(codes, ["R000001", "T1", "T3"]);
        let managed: Vec<_> = m
            .manageable()
            .into_iter()
            .map(EstablishmentCode::as_str)
            .collect();
        assert_eq!(managed, ["R000001", "T1"]);
        let submit: Vec<_> = m
            .establishments_with(Right::SubmitClaims)
            .map(|c| c.as_str())
            .collect();
        assert_eq!(submit, ["R000001", "T1", "T3"]);
        assert_eq!(m.establishments_with(Right::AccountingDocuments).count(), 1);
        assert_eq!(m.rights_on(&code("T9")), Rights::EMPTY);
        let pairs: Vec<_> = (&m)
            .into_iter()
            .map(|(c, r)| (c.as_str(), r.len()))
            .collect();
        assert_eq!(pairs, [("R000001", 3), ("T1", 6), ("T3", 1)]);
        assert_eq!(m.iter().len(), 3);
    }

    #[test]
    fn matrix_from_iter_unites_and_drops_empty() {
        let m: RightsMatrix = [
            (code("T1"), Rights::from(Right::SubmitClaims)),
            (code("t1"), Rights::from(Right::SearchClaims)),
            (code("T2"), Rights::EMPTY),
        ]
        .into_iter()
        .collect();
        assert_eq!(m.len(), 1);
        assert_eq!(m.rights_on(&code("T1")).len(), 2);
    }

    #[test]
    fn matrix_contains_by_text() {
        let m = matrix(&[
            ("T99999", MANAGER_CLAIMS),
            ("T1", Right::SearchClaims.into()),
        ]);
        assert!(m.contains("T99999", Right::ManageAccounts));
        assert!(m.contains(" t99999 ", Right::SubmitClaims));
        assert!(!m.contains("T99999", Right::AccountingDocuments));
        assert!(m.contains("t1", Right::SearchClaims));
        for bad in ["", "T-1", "T 1", "É1", "T0", "T100", "Z", &"A".repeat(17)] {
            assert!(!m.contains(bad, Right::SearchClaims), "{bad:?}");
        }
        // Large matrices take the lookup path; both paths agree.
        let big: RightsMatrix = (0..100)
            .map(|i| {
                (
                    code(&format!("T{i:03}")),
                    if i % 2 == 0 {
                        Rights::all()
                    } else {
                        Right::SubmitClaims.into()
                    },
                )
            })
            .collect();
        assert!(big.len() > RightsMatrix::SCAN_MAX);
        assert!(big.contains("t042", Right::ManageAccounts));
        assert!(!big.contains("T043", Right::ManageAccounts));
        assert!(big.contains("T043", Right::SubmitClaims));
        assert!(!big.contains("T100", Right::SubmitClaims));
        assert!(!big.contains("T-1", Right::SubmitClaims));
    }

    #[test]
    fn matrix_serde() {
        let m = matrix(&[("T2", Right::SubmitClaims.into()), ("T1", MANAGER_CLAIMS)]);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"T1":["submit_claims","search_claims","manage_accounts"],"T2":["submit_claims"]}"#
        );
        assert_eq!(serde_json::from_str::<RightsMatrix>(&json).unwrap(), m);
        let lenient: RightsMatrix =
            serde_json::from_str(r#"{"t1":["submit_claims"],"T2":[]}"#).unwrap();
        assert_eq!(lenient, matrix(&[("T1", Right::SubmitClaims.into())]));
        for bad in [
            r#"{"T 1":["submit_claims"]}"#,
            r#"{"T1":["root"]}"#,
            r#"{"T1":["submit_claims"],"t1":["search_claims"]}"#,
            r#"["T1"]"#,
        ] {
            assert!(serde_json::from_str::<RightsMatrix>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&RightsMatrix::new()).unwrap(), "{}");
    }

    // ------------------------------------------------------------------ property tests

    pub(super) fn any_rights() -> impl Strategy<Value = Rights> {
        (0u8..64).prop_map(|b| Rights::from_bits(b).unwrap())
    }

    fn model(r: Rights) -> BTreeSet<Right> {
        Right::ALL
            .iter()
            .copied()
            .filter(|x| r.contains(*x))
            .collect()
    }

    pub(super) fn any_code() -> impl Strategy<Value = EstablishmentCode> {
        "[A-Za-z0-9]{1,4}".prop_map(|s| code(&s))
    }

    #[derive(Debug, Clone)]
    enum MatrixOp {
        Set(EstablishmentCode, Rights),
        Grant(EstablishmentCode, Rights),
        Revoke(EstablishmentCode, Rights),
        RevokeAll(EstablishmentCode),
    }

    fn matrix_op() -> impl Strategy<Value = MatrixOp> {
        let c = prop::sample::select(vec!["T1", "T2", "T3", "R000001"]).prop_map(code);
        prop_oneof![
            (c.clone(), any_rights()).prop_map(|(c, r)| MatrixOp::Set(c, r)),
            (c.clone(), any_rights()).prop_map(|(c, r)| MatrixOp::Grant(c, r)),
            (c.clone(), any_rights()).prop_map(|(c, r)| MatrixOp::Revoke(c, r)),
            c.prop_map(MatrixOp::RevokeAll),
        ]
    }

    proptest! {
        #[test]
        fn algebra_matches_btreeset(
            a in any_rights(),
            b in any_rights(),
            r in prop::sample::select(Right::ALL),
        ) {
            let (ma, mb) = (model(a), model(b));
            prop_assert_eq!(model(a.union(b)), ma.union(&mb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(model(a.intersection(b)), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(model(a.difference(b)), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(a.is_subset(&b), ma.is_subset(&mb));
            prop_assert_eq!(a.len(), ma.len());
            prop_assert_eq!(a.is_empty(), ma.is_empty());
            prop_assert_eq!(a.contains(r), ma.contains(&r));
            prop_assert_eq!(a.iter().collect::<Vec<_>>(), ma.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(a.iter().rev().collect::<Vec<_>>(), ma.iter().rev().copied().collect::<Vec<_>>());
            let mut ins = a;
            let mut mins = ma.clone();
            prop_assert_eq!(ins.insert(r), mins.insert(r));
            prop_assert_eq!(model(ins), mins);
            prop_assert_eq!(model(a.with(r)), model(ins));
            let mut rem = a;
            let mut mrem = ma.clone();
            prop_assert_eq!(rem.remove(r), mrem.remove(&r));
            prop_assert_eq!(model(rem), mrem);
            // Laws.
            prop_assert_eq!(a | b, b | a);
            prop_assert_eq!(a & b, b & a);
            prop_assert_eq!(a - (a - b), a & b);
            prop_assert!((a & b).is_subset(&a) && a.is_subset(&(a | b)));
            prop_assert_eq!(a.is_subset(&b), a - b == Rights::EMPTY);
            prop_assert_eq!(Rights::from_bits(a.bits()), Some(a));
            prop_assert_eq!(a.iter().collect::<Rights>(), a);
        }

        #[test]
        fn rights_roundtrips(a in any_rights()) {
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<Rights>(&json).unwrap(), a);
            prop_assert_eq!(a.to_string().parse::<Rights>().unwrap(), a);
            prop_assert_eq!(Rights::from_codes(a.codes()).unwrap(), a);
        }

        #[test]
        fn matrix_roundtrips(entries in prop::collection::vec((any_code(), any_rights()), 0..8)) {
            let m: RightsMatrix = entries.into_iter().collect();
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<RightsMatrix>(&json).unwrap(), m);
        }

        #[test]
        fn matrix_never_stores_empty(ops in prop::collection::vec(matrix_op(), 0..40)) {
            let mut m = RightsMatrix::new();
            let mut model: BTreeMap<EstablishmentCode, Rights> = BTreeMap::new();
            for op in ops {
                match op {
                    MatrixOp::Set(c, r) => { m.set(c.clone(), r); model.insert(c, r); }
                    MatrixOp::Grant(c, r) => {
                        let now = m.grant(c.clone(), r);
                        let e = model.entry(c).or_default();
                        *e = *e | r;
                        prop_assert_eq!(now, *e);
                    }
                    MatrixOp::Revoke(c, r) => {
                        let left = m.revoke(&c, r);
                        let e = model.entry(c).or_default();
                        *e = *e - r;
                        prop_assert_eq!(left, *e);
                    }
                    MatrixOp::RevokeAll(c) => {
                        let was = m.revoke_all(&c);
                        prop_assert_eq!(was, model.remove(&c).unwrap_or_default());
                    }
                }
                model.retain(|_, r| !r.is_empty());
                prop_assert!(m.iter().all(|(_, r)| !r.is_empty()));
                let expected: Vec<_> = model.iter().map(|(c, r)| (c, *r)).collect();
                prop_assert_eq!(m.iter().collect::<Vec<_>>(), expected);
                prop_assert_eq!(m.is_empty(), model.is_empty());
                prop_assert_eq!(m.len(), model.len());
                for (c, r) in &model {
                    for right in Right::ALL {
                        prop_assert_eq!(m.contains(c.as_str(), *right), r.contains(*right));
                    }
                }
            }
        }

    }
}

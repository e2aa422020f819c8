//! "Gestion des comptes": what the account list is asked for ([`AccountQuery`], valid by
//! construction) and what it answers ([`AccountPage`]).

use super::{AccountId, AccountState};
use crate::email::Email;
use crate::establishment::EstablishmentCode;
use crate::locale::{Coded, Locale, coded_serde};
use crate::names::PersonName;
use crate::rights::Right;
use crate::{Error, Result};

/// One line of the account list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountSummary {
    /// Its id.
    pub id: AccountId,
    /// Its email.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Its state.
    pub state: AccountState,
    /// The establishments (visible to the actor) where it holds rights, sorted by code.
    pub establishments: Vec<EstablishmentCode>,
}

/// A page of accounts with the total count of matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountPage {
    /// The accounts of this page.
    pub items: Vec<AccountSummary>,
    /// How many accounts match in all.
    pub total: usize,
}

/// One account as its profile page shows it: `account` and `update_profile` answer it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountDetail {
    /// Its id.
    pub id: AccountId,
    /// Its email.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Fonction (empty for users created by a manager until someone sets it).
    pub function: String,
    /// The mobile phone.
    pub mobile: Option<crate::phone::PhoneNumber>,
    /// The landline.
    pub landline: Option<crate::phone::PhoneNumber>,
    /// Its state.
    pub state: AccountState,
    /// Administrator, user or repairer.
    pub role: super::Role,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// Its last successful login.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<time::OffsetDateTime>,
    /// Its rights: all of them for oneself; for a manager, those on the establishments the
    /// manager manages.
    pub rights: crate::rights::RightsMatrix,
}

impl AccountDetail {
    /// The detail of `a`, showing `rights`.
    pub fn of(a: &super::Account, rights: crate::rights::RightsMatrix) -> Self {
        AccountDetail {
            id: a.id,
            email: a.email.clone(),
            last_name: a.last_name.clone(),
            first_name: a.first_name.clone(),
            function: a.function.clone(),
            mobile: a.mobile.clone(),
            landline: a.landline.clone(),
            state: a.state,
            role: a.role,
            created_at: a.created_at,
            last_login_at: a.last_login_at,
            rights,
        }
    }
}

/// The order of the account list ("Trier par"): French alphabetical order of last then first
/// name, A→Z or Z→A.
///
/// ```
/// use dealer_portal::{Coded, Locale, account::SortOrder};
/// assert_eq!(SortOrder::AToZ.label(Locale::Fr), "Ordre alphabétique (A à Z)");
/// assert_eq!(SortOrder::from_code("z_to_a").unwrap(), SortOrder::ZToA);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// "Ordre alphabétique (A à Z)", the default.
    #[default]
    AToZ,
    /// "Ordre alphabétique (Z à A)".
    ZToA,
}

impl Coded for SortOrder {
    const ALL: &'static [Self] = &[SortOrder::AToZ, SortOrder::ZToA];
    const WHAT: &'static str = "sort order";
    const ACCEPTED: &'static str = "a_to_z, z_to_a";
    fn code(self) -> &'static str {
        match self {
            SortOrder::AToZ => "a_to_z",
            SortOrder::ZToA => "z_to_a",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (SortOrder::AToZ, Locale::Fr) => "Ordre alphabétique (A à Z)",
            (SortOrder::AToZ, Locale::En) => "Alphabetical order (A to Z)",
            (SortOrder::ZToA, Locale::Fr) => "Ordre alphabétique (Z à A)",
            (SortOrder::ZToA, Locale::En) => "Alphabetical order (Z to A)",
        }
    }
}
coded_serde!(SortOrder);

/// What `list_accounts` is asked for: valid by construction, so no store ever sees a query that
/// skipped its checks. Start from [`AccountQuery::default`] (everything, A→Z, first page of 50)
/// and narrow it.
///
/// ```
/// use dealer_portal::account::{AccountQuery, AccountState};
/// let q = AccountQuery::default()
///     .with_text("  éric ").unwrap()
///     .with_state(AccountState::Active)
///     .with_page(50, 25).unwrap();
/// assert_eq!(q.text(), Some("éric"));
/// assert_eq!((q.offset(), q.limit()), (50, 25));
/// assert_eq!(AccountQuery::default().with_page(0, 501).unwrap_err().code(), "INVALID_QUERY");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountQuery {
    pub(crate) text: Option<String>,
    pub(crate) establishment: Option<EstablishmentCode>,
    pub(crate) right: Option<Right>,
    pub(crate) state: Option<AccountState>,
    pub(crate) descending: bool,
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

impl Default for AccountQuery {
    fn default() -> Self {
        AccountQuery {
            text: None,
            establishment: None,
            right: None,
            state: None,
            descending: false,
            offset: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

impl AccountQuery {
    /// Page size when none is given.
    pub const DEFAULT_LIMIT: usize = 50;
    /// Largest page.
    pub const MAX_LIMIT: usize = 500;
    /// Longest search text, in characters.
    pub const MAX_TEXT: usize = 254;

    /// Searches `text` in names and email, case- and accent-insensitive. The text is trimmed;
    /// blank means no text. Over [`Self::MAX_TEXT`] characters is [`Error::InvalidQuery`].
    pub fn with_text(mut self, text: &str) -> Result<Self> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_TEXT {
            return Err(Error::InvalidQuery {
                reason: format!("search text is at most {} characters", Self::MAX_TEXT),
            });
        }
        self.text = (!text.is_empty()).then(|| text.to_owned());
        Ok(self)
    }

    /// Only accounts with rights on this establishment.
    pub fn with_establishment(mut self, code: EstablishmentCode) -> Self {
        self.establishment = Some(code);
        self
    }

    /// Only accounts holding this right on a visible establishment.
    pub fn with_right(mut self, right: Right) -> Self {
        self.right = Some(right);
        self
    }

    /// Only accounts in this state.
    pub fn with_state(mut self, state: AccountState) -> Self {
        self.state = Some(state);
        self
    }

    /// Z→A (`true`) or A→Z (`false`, the default).
    pub fn with_descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self
    }

    /// In this order ([`SortOrder::AToZ`] by default).
    pub fn with_order(self, order: SortOrder) -> Self {
        self.with_descending(order == SortOrder::ZToA)
    }

    /// Skips `offset` accounts and returns at most `limit` (1 to [`Self::MAX_LIMIT`], else
    /// [`Error::InvalidQuery`]).
    pub fn with_page(mut self, offset: usize, limit: usize) -> Result<Self> {
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(Error::InvalidQuery {
                reason: format!("limit must be 1 to {}, got {limit}", Self::MAX_LIMIT),
            });
        }
        self.offset = offset;
        self.limit = limit;
        Ok(self)
    }

    /// The search text, trimmed, if any.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
    /// The establishment filter.
    pub fn establishment(&self) -> Option<&EstablishmentCode> {
        self.establishment.as_ref()
    }
    /// The right filter.
    pub fn right(&self) -> Option<Right> {
        self.right
    }
    /// The state filter.
    pub fn state(&self) -> Option<AccountState> {
        self.state
    }
    /// Whether the order is Z→A.
    pub fn descending(&self) -> bool {
        self.descending
    }
    /// How many accounts to skip.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// Page size.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_bounds() {
        let q = AccountQuery::default();
        assert_eq!((q.offset(), q.limit(), q.text()), (0, 50, None));
        assert_eq!(
            q.clone().with_page(0, 0).unwrap_err().code(),
            "INVALID_QUERY"
        );
        assert_eq!(
            q.clone().with_page(0, 501).unwrap_err().code(),
            "INVALID_QUERY"
        );
        assert_eq!(q.clone().with_page(7, 500).unwrap().offset(), 7);
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let q = AccountQuery::default();
        assert_eq!(q.clone().with_text("   ").unwrap().text(), None);
        assert_eq!(q.clone().with_text(" Éric ").unwrap().text(), Some("Éric"));
        assert!(q.clone().with_text(&"é".repeat(254)).is_ok());
        assert_eq!(
            q.with_text(&"é".repeat(255)).unwrap_err().code(),
            "INVALID_QUERY"
        );
    }
}

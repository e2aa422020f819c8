//! Establishments and accounts: what the account screens show and what an import gives.

use super::{Regime, Right, iso, rights_by_code};
use dealer_portal::account::{
    AccountDetail as CoreAccountDetail, AccountSummary as CoreAccountSummary,
};
use dealer_portal::establishment::Establishment as CoreEstablishment;
use dealer_portal::{Coded, Error};
use napi_derive::napi;
use std::collections::BTreeMap;

/// An establishment (point de vente): code, name, city and regime (none for a repairer's).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Establishment {
    /// e.g. `T99999`.
    pub code: String,
    /// e.g. `GARAGE XYZ`.
    pub name: String,
    /// e.g. `VILLE 1`.
    pub city: String,
    /// None for a repairer's establishment.
    pub regime: Option<Regime>,
}

impl Establishment {
    pub(crate) fn to_core(&self) -> Result<CoreEstablishment, Error> {
        CoreEstablishment::new(
            &self.code,
            &self.name,
            &self.city,
            self.regime.map(Into::into),
        )
    }
}

impl From<CoreEstablishment> for Establishment {
    fn from(e: CoreEstablishment) -> Self {
        Establishment {
            code: e.code.as_str().to_owned(),
            name: e.name,
            city: e.city,
            regime: e.regime.map(Into::into),
        }
    }
}

/// One line of the account list.
#[napi(object, object_from_js = false)]
pub struct AccountSummary {
    /// The account id.
    pub id: String,
    /// The login email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// declared, invited, active or disabled.
    #[napi(ts_type = "AccountState")]
    pub state: &'static str,
    /// The codes of the establishments (visible to the actor) where it holds rights.
    pub establishments: Vec<String>,
}

impl From<CoreAccountSummary> for AccountSummary {
    fn from(a: CoreAccountSummary) -> Self {
        AccountSummary {
            id: a.id.to_string(),
            email: a.email.as_str().to_owned(),
            last_name: a.last_name.as_str().to_owned(),
            first_name: a.first_name.as_str().to_owned(),
            state: a.state.code(),
            establishments: a
                .establishments
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        }
    }
}

/// A page of accounts with the total number of matches.
#[napi(object, object_from_js = false)]
pub struct AccountPage {
    /// This page, in French alphabetical order.
    pub items: Vec<AccountSummary>,
    /// Matches in all pages.
    pub total: u32,
}

/// One row of a bulk user import (`createUsers`), as given: the core validates each row.
#[napi(object, object_to_js = false)]
pub struct UserImport {
    /// Where the user gets rights.
    pub establishment_code: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// The login email.
    pub email: String,
    /// At least one, among the importer's own rights there.
    pub rights: Vec<Right>,
    /// A mobile number as typed (`06 23 42 54 55`, or `+32 …` for another country); the core
    /// reads it.
    pub mobile: Option<String>,
    /// A landline number as typed; the core reads it.
    pub landline: Option<String>,
}

/// The outcome of one row of `createUsers`: the new account id, or the row's error.
#[napi(object, object_from_js = false)]
pub struct ImportOutcome {
    /// The new account's id when the row was imported.
    pub account_id: Option<String>,
    /// The error code when it was not (same codes as thrown errors).
    #[napi(ts_type = "ErrorCode")]
    pub code: Option<&'static str>,
    /// What was wrong with the row.
    pub message: Option<String>,
    /// Unmet password criteria (always empty for imports; kept for the error's shape).
    #[napi(ts_type = "Array<Criterion>")]
    pub criteria: Option<Vec<&'static str>>,
}

/// An account's profile as `account` and `updateProfile` answer it.
#[napi(object, object_from_js = false)]
pub struct AccountDetail {
    /// The account id.
    pub id: String,
    /// The login email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// Fonction.
    pub function: String,
    /// The mobile number in E.164 ("+33623425455").
    pub mobile: Option<String>,
    /// The landline number in E.164.
    pub landline: Option<String>,
    /// The mobile number in its country's national format ("06 23 42 54 55").
    pub mobile_display: Option<String>,
    /// The landline number in its country's national format.
    pub landline_display: Option<String>,
    /// declared, invited, active or disabled.
    #[napi(ts_type = "AccountState")]
    pub state: &'static str,
    /// administrator, user or repairer.
    #[napi(ts_type = "Role")]
    pub role: &'static str,
    /// When it was created (ISO 8601, UTC).
    pub created_at: String,
    /// Its last successful login (ISO 8601, UTC), if any.
    pub last_login_at: Option<String>,
    /// Its rights by establishment code: all of them for oneself; for a manager, those on the
    /// establishments the manager manages.
    pub rights: BTreeMap<String, Vec<Right>>,
}

impl From<CoreAccountDetail> for AccountDetail {
    fn from(a: CoreAccountDetail) -> Self {
        AccountDetail {
            id: a.id.to_string(),
            email: a.email.as_str().to_owned(),
            last_name: a.last_name.as_str().to_owned(),
            first_name: a.first_name.as_str().to_owned(),
            function: a.function,
            mobile: a.mobile.as_ref().map(|p| p.e164().to_owned()),
            landline: a.landline.as_ref().map(|p| p.e164().to_owned()),
            mobile_display: a.mobile.as_ref().map(|p| p.national_display().to_owned()),
            landline_display: a.landline.as_ref().map(|p| p.national_display().to_owned()),
            state: a.state.code(),
            role: a.role.code(),
            created_at: iso(a.created_at),
            last_login_at: a.last_login_at.map(iso),
            rights: rights_by_code(&a.rights),
        }
    }
}

//! "Gestion des comptes" (seed §2): users and their rights, one by one or in bulk, the account
//! list, disabling, and repairers' own registration.

use super::Portal;
use crate::convert::{code, code_opt, count, rights_map, size, to_account_id};
use crate::error::{PortalError, Result};
use crate::types::{Establishment, Right, to_rights};
use dealer_portal::account::{AccountQuery, AccountState, NewUser, RepairerRegistration};
use dealer_portal::service::UserImport as CoreUserImport;
use dealer_portal::{Coded, account};
use std::collections::HashMap;

/// One line of the account list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountSummary {
    /// Its id.
    pub id: String,
    /// Its email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// `declared`, `invited`, `active` or `disabled`.
    pub state: String,
    /// The establishments (that the actor manages) where it holds rights.
    pub establishments: Vec<String>,
}

/// A page of accounts with the number of matches in all.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountPage {
    /// This page.
    pub items: Vec<AccountSummary>,
    /// How many match in all.
    pub total: u64,
}

impl From<account::AccountPage> for AccountPage {
    fn from(p: account::AccountPage) -> Self {
        AccountPage {
            total: count(p.total),
            items: p
                .items
                .into_iter()
                .map(|a| AccountSummary {
                    id: a.id.to_string(),
                    email: a.email.as_str().to_owned(),
                    last_name: a.last_name.to_string(),
                    first_name: a.first_name.to_string(),
                    state: a.state.code().to_owned(),
                    establishments: a
                        .establishments
                        .iter()
                        .map(|c| c.as_str().to_owned())
                        .collect(),
                })
                .collect(),
        }
    }
}

/// One row of a bulk user import (`create_users`), as given: the core parses each row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// A mobile number as typed (`06 23 42 54 55`, or `+44 7400 123456`).
    #[uniffi(default)]
    pub mobile: Option<String>,
    /// A landline number as typed.
    #[uniffi(default)]
    pub landline: Option<String>,
}

/// The outcome of one row of `create_users`: the new account's id, or the row's error.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportOutcome {
    /// The new account's id when the row was imported.
    pub account_id: Option<String>,
    /// The error's stable code when it was not (the same codes as thrown errors).
    pub code: Option<String>,
    /// What was wrong with the row.
    pub detail: Option<String>,
}

impl From<Result<String, PortalError>> for ImportOutcome {
    fn from(r: Result<String, PortalError>) -> Self {
        match r {
            Ok(id) => ImportOutcome {
                account_id: Some(id),
                code: None,
                detail: None,
            },
            Err(PortalError::Failed { code, detail, .. }) => ImportOutcome {
                account_id: None,
                code: Some(code),
                detail: Some(detail),
            },
        }
    }
}

impl TryFrom<&UserImport> for CoreUserImport {
    type Error = dealer_portal::Error;
    fn try_from(row: &UserImport) -> Result<Self, Self::Error> {
        Ok(CoreUserImport {
            establishment: code(&row.establishment_code)?,
            user: NewUser::from_fields(
                &row.last_name,
                &row.first_name,
                &row.email,
                row.mobile.as_deref(),
                row.landline.as_deref(),
            )?,
            rights: to_rights(&row.rights),
        })
    }
}

#[uniffi::export]
impl Portal {
    /// The establishments where the session's account manages accounts.
    pub fn manageable_establishments(&self, session_token: String) -> Result<Vec<Establishment>> {
        Ok(self
            .inner
            .manageable_establishments(&session_token)?
            .into_iter()
            .map(Establishment::from)
            .collect())
    }

    /// Creates a user (`Invited`, activation mail queued) with rights the actor holds there, on
    /// `establishment_code` (`None`: the session's connected establishment). Phones are typed
    /// as people type them (`06 23 42 54 55`, or `+44 7400 123456`; the core reads them).
    /// Returns the account id.
    #[allow(clippy::too_many_arguments)] // the contract's signature
    #[uniffi::method(default(mobile = None, landline = None))]
    pub fn create_user(
        &self,
        session_token: String,
        establishment_code: Option<String>,
        last_name: String,
        first_name: String,
        email: String,
        rights: Vec<Right>,
        mobile: Option<String>,
        landline: Option<String>,
    ) -> Result<String> {
        let code = code_opt(establishment_code.as_deref())?;
        let user = NewUser::from_fields(
            &last_name,
            &first_name,
            &email,
            mobile.as_deref(),
            landline.as_deref(),
        )?;
        Ok(self
            .inner
            .create_user(&session_token, code.as_ref(), &user, to_rights(&rights))?
            .to_string())
    }

    /// Creates many users in one transaction (bulk import). Answers, row by row, the new
    /// account's id or the row's error; a bad row does not stop the others. A storage failure
    /// fails the whole call and writes none of the batch.
    pub fn create_users(
        &self,
        session_token: String,
        rows: Vec<UserImport>,
    ) -> Result<Vec<ImportOutcome>> {
        // Rows that do not parse keep their error; the others go to the core together.
        let parsed: Vec<Result<CoreUserImport, dealer_portal::Error>> =
            rows.iter().map(CoreUserImport::try_from).collect();
        let valid: Vec<CoreUserImport> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().cloned())
            .collect();
        let mut created = self.inner.create_users(&session_token, &valid)?.into_iter();
        let mut out = Vec::with_capacity(parsed.len());
        for p in parsed {
            let outcome = match p {
                Err(e) => Err(e),
                // The core answers one result per row it was given, in order.
                Ok(_) => created.next().unwrap_or_else(|| {
                    Err(dealer_portal::Error::Storage(
                        dealer_portal::error::StorageError::new("missing result for a row"),
                    ))
                }),
            };
            out.push(
                outcome
                    .map(|id| id.to_string())
                    .map_err(PortalError::from)
                    .into(),
            );
        }
        Ok(out)
    }

    /// "Vous êtes réparateur ? Créer un compte": the same answer when the email is taken.
    pub fn register_repairer(
        &self,
        email: String,
        last_name: String,
        first_name: String,
        company: String,
        city: String,
    ) -> Result<()> {
        let registration =
            RepairerRegistration::new(&email, &last_name, &first_name, &company, &city)?;
        Ok(self.inner.register_repairer(&registration)?)
    }

    /// Sends a new activation link to an invited account; the earlier one stops working.
    pub fn resend_activation(&self, session_token: String, account_id: String) -> Result<()> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.resend_activation(&session_token, id)?)
    }

    /// Sets an account's rights on one establishment (an empty list removes them).
    pub fn set_rights(
        &self,
        session_token: String,
        account_id: String,
        establishment_code: String,
        rights: Vec<Right>,
    ) -> Result<()> {
        let id = to_account_id(&account_id)?;
        let code = code(&establishment_code)?;
        Ok(self
            .inner
            .set_rights(&session_token, id, &code, to_rights(&rights))?)
    }

    /// An account's rights: establishment code → rights, only where it holds at least one
    /// (the actor's own account: all of them; another: on the establishments the actor manages).
    pub fn rights_matrix(
        &self,
        session_token: String,
        account_id: String,
    ) -> Result<HashMap<String, Vec<Right>>> {
        let id = to_account_id(&account_id)?;
        Ok(rights_map(&self.inner.rights_matrix(&session_token, id)?))
    }

    /// Disables an account: no more login, its sessions and links end.
    pub fn disable_account(&self, session_token: String, account_id: String) -> Result<()> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.disable_account(&session_token, id)?)
    }

    /// Re-enables a disabled account.
    pub fn enable_account(&self, session_token: String, account_id: String) -> Result<()> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.enable_account(&session_token, id)?)
    }

    /// Accounts with rights on the establishments the actor manages (the actor included, in
    /// every state unless filtered), searched case- and accent-insensitively, in French order.
    /// `establishment_code` `None`: every establishment the actor manages. `state`: `declared`,
    /// `invited`, `active` or `disabled`.
    #[allow(clippy::too_many_arguments)] // one argument per filter of the screen
    #[uniffi::method(default(
        text = None,
        establishment_code = None,
        descending = false,
        offset = 0,
        limit = 50,
        right = None,
        state = None
    ))]
    pub fn list_accounts(
        &self,
        session_token: String,
        text: Option<String>,
        establishment_code: Option<String>,
        descending: bool,
        offset: u32,
        limit: u32,
        right: Option<Right>,
        state: Option<String>,
    ) -> Result<AccountPage> {
        let mut q = AccountQuery::default()
            .with_descending(descending)
            .with_page(size(offset), size(limit))?;
        if let Some(t) = &text {
            q = q.with_text(t)?;
        }
        if let Some(c) = code_opt(establishment_code.as_deref())? {
            q = q.with_establishment(c);
        }
        if let Some(r) = right {
            q = q.with_right(r.into());
        }
        if let Some(s) = &state {
            q = q.with_state(AccountState::from_code(s).map_err(dealer_portal::Error::from)?);
        }
        Ok(self.inner.list_accounts(&session_token, &q)?.into())
    }
}

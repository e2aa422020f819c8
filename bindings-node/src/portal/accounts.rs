//! Establishments, the administrator's declaration, users and their rights, the account list.

use super::{Core, Job, Portal};
use super::{page, parse_account_id, parse_code, parse_optional_code};
use crate::values::{
    AccountPage, AccountSummary, Establishment, ImportOutcome, Right, UserImport, count,
    rights_by_code, rights_set,
};
use dealer_portal::Coded;
use dealer_portal::Error;
use dealer_portal::account::{
    AccountQuery, AccountState, Declaration, NewUser, RepairerRegistration,
};
use dealer_portal::service::UserImport as CoreUserImport;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The optional arguments of `createUser`.
#[napi(object, object_to_js = false)]
pub struct CreateUserOptions {
    /// A mobile number as typed (`06 23 42 54 55`, or `+32 …` / `0032 …` for another
    /// country); the core reads it.
    pub mobile: Option<String>,
    /// A landline number as typed; the core reads it.
    pub landline: Option<String>,
}

/// The optional arguments of `listAccounts`.
#[napi(object, object_to_js = false)]
pub struct ListAccountsOptions {
    /// Search in names and email (case- and accent-insensitive).
    pub text: Option<String>,
    /// Only accounts with rights on this establishment.
    pub establishment_code: Option<String>,
    /// Only accounts holding this right.
    pub right: Option<Right>,
    /// Only accounts in this state: declared, invited, active or disabled.
    #[napi(ts_type = "AccountState")]
    pub state: Option<String>,
    /// Z→A instead of A→Z.
    pub descending: Option<bool>,
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

fn outcome(r: Result<String, Error>) -> ImportOutcome {
    match r {
        Ok(id) => ImportOutcome {
            account_id: Some(id),
            code: None,
            message: None,
            criteria: None,
        },
        Err(e) => ImportOutcome {
            account_id: None,
            code: Some(e.code()),
            message: Some(e.to_string()),
            criteria: Some(e.failed_criteria()),
        },
    }
}

portal_methods! {
    #[doc = "Records (or updates) an establishment."]
    fn add_establishment / add_establishment_async(establishment: Establishment) -> () as "Promise<void>"
    |p| { p.add_establishment(&establishment.to_core()?) }

    #[doc = "Records the administrator declared via the manager's extranet (Nom, Prénom, Fonction,"]
    #[doc = "Mail) as `declared`, holding all six rights on `establishments`; declaring again adds"]
    #[doc = "establishments. Returns the account id."]
    fn declare_administrator / declare_administrator_async(
        email: String,
        last_name: String,
        first_name: String,
        job_function: String,
        establishments: Vec<Establishment>,
    ) -> String as "Promise<string>"
    |p| {
        let decl = Declaration::new(&email, &last_name, &first_name, &job_function)?;
        let establishments = establishments
            .iter()
            .map(Establishment::to_core)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(p.declare_administrator(&decl, &establishments)?.to_string())
    }

    #[doc = "The establishments where the session's account may manage accounts."]
    fn manageable_establishments / manageable_establishments_async(session_token: String) -> Vec<Establishment> as "Promise<Array<Establishment>>"
    |p| {
        Ok(p.manageable_establishments(&session_token)?
            .into_iter()
            .map(Establishment::from)
            .collect())
    }

    #[doc = "Creates an invited user on an establishment the actor manages (undefined or null: the one"]
    #[doc = "the session is connected to) and queues its activation mail; returns its account id."]
    fn create_user / create_user_async(
        session_token: String,
        establishment_code: Option<String>,
        last_name: String,
        first_name: String,
        email: String,
        rights: Vec<Right>,
        options: Option<CreateUserOptions>,
    ) -> String as "Promise<string>"
    |p| {
        let (mobile, landline) = options.map_or((None, None), |o| (o.mobile, o.landline));
        let user = NewUser::from_fields(&last_name, &first_name, &email, mobile.as_deref(), landline.as_deref())?;
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        Ok(p.create_user(&session_token, establishment.as_ref(), &user, rights_set(&rights))?
            .to_string())
    }

    #[doc = "Creates many users in one transaction. Returns, row by row, the new account id or the"]
    #[doc = "row's error code and message; a bad row does not stop the others."]
    fn create_users / create_users_async(session_token: String, rows: Vec<UserImport>) -> Vec<ImportOutcome> as "Promise<Array<ImportOutcome>>"
    |p| {
        // Rows that do not parse keep their error; the others go to the core together.
        let parsed: Vec<Result<CoreUserImport, Error>> = rows
            .iter()
            .map(|row| {
                Ok(CoreUserImport {
                    establishment: parse_code(&row.establishment_code)?,
                    user: NewUser::from_fields(
                        &row.last_name,
                        &row.first_name,
                        &row.email,
                        row.mobile.as_deref(),
                        row.landline.as_deref(),
                    )?,
                    rights: rights_set(&row.rights),
                })
            })
            .collect();
        let valid: Vec<CoreUserImport> = parsed.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        let mut created = p.create_users(&session_token, &valid)?.into_iter();
        Ok(parsed
            .into_iter()
            .map(|r| {
                outcome(match r {
                    Err(e) => Err(e),
                    Ok(_) => created
                        .next()
                        .unwrap_or_else(|| Err(Error::Storage(dealer_portal::error::StorageError::new("missing result for a row"))))
                        .map(|id| id.to_string()),
                })
            })
            .collect())
    }

    #[doc = "\"Vous êtes réparateur ? Créer un compte\": the same answer whether or not the email is"]
    #[doc = "taken."]
    fn register_repairer / register_repairer_async(
        email: String,
        last_name: String,
        first_name: String,
        company: String,
        city: String,
    ) -> () as "Promise<void>"
    |p| { p.register_repairer(&RepairerRegistration::new(&email, &last_name, &first_name, &company, &city)?) }

    #[doc = "Sends a new activation link to an invited account; the earlier one stops working."]
    fn resend_activation / resend_activation_async(session_token: String, account_id: String) -> () as "Promise<void>"
    |p| { p.resend_activation(&session_token, parse_account_id(&account_id)?) }

    #[doc = "Sets an account's rights on one establishment (an empty list removes them)."]
    fn set_rights / set_rights_async(
        session_token: String,
        account_id: String,
        establishment_code: String,
        rights: Vec<Right>,
    ) -> () as "Promise<void>"
    |p| { p.set_rights(&session_token, parse_account_id(&account_id)?, &parse_code(&establishment_code)?, rights_set(&rights)) }

    #[doc = "An account's rights by establishment code (only establishments where it holds some)."]
    fn rights_matrix / rights_matrix_async(session_token: String, account_id: String) -> BTreeMap<String, Vec<Right>> as "Promise<Record<string, Array<Right>>>"
    |p| {
        Ok(rights_by_code(&p.rights_matrix(&session_token, parse_account_id(&account_id)?)?))
    }

    #[doc = "Disables an account: no login, its sessions and links revoked."]
    fn disable_account / disable_account_async(session_token: String, account_id: String) -> () as "Promise<void>"
    |p| { p.disable_account(&session_token, parse_account_id(&account_id)?) }

    #[doc = "Re-enables a disabled account."]
    fn enable_account / enable_account_async(session_token: String, account_id: String) -> () as "Promise<void>"
    |p| { p.enable_account(&session_token, parse_account_id(&account_id)?) }

    #[doc = "Accounts with rights on establishments the actor manages, in French order, paginated."]
    fn list_accounts / list_accounts_async(session_token: String, options: Option<ListAccountsOptions>) -> AccountPage as "Promise<AccountPage>"
    |p| {
        let mut q = AccountQuery::default();
        if let Some(o) = options {
            if let Some(text) = &o.text {
                q = q.with_text(text)?;
            }
            if let Some(c) = &o.establishment_code {
                q = q.with_establishment(parse_code(c)?);
            }
            if let Some(r) = o.right {
                q = q.with_right(r.into());
            }
            if let Some(s) = &o.state {
                q = q.with_state(AccountState::from_code(s)?);
            }
            if let Some(d) = o.descending {
                q = q.with_descending(d);
            }
            let (offset, limit) = page(o.offset, o.limit, AccountQuery::DEFAULT_LIMIT);
            q = q.with_page(offset, limit)?;
        }
        let page = p.list_accounts(&session_token, &q)?;
        Ok(AccountPage {
            items: page.items.into_iter().map(AccountSummary::from).collect(),
            total: count(page.total),
        })
    }
}

//! `Portal`: the core's service over a store chosen at run time, shared between the JS thread
//! and the libuv thread pool.
//!
//! Each method is written once, as a body over `&CorePortal`, and [`portal_methods!`] makes two
//! JS methods of it: the synchronous one (for scripts) and its `…Async` twin, which moves the
//! (owned) arguments and an `Arc` of the portal into a [`Job`] run on the libuv thread pool, so
//! argon2 and the store never block the event loop. Argument parsing happens inside the body, so
//! a bad value is the core's own error in both variants.

use crate::errors::check;
use crate::evaluation::Policy;
use crate::functions::{expect_string, from_config, read_options, with_fields};
use crate::values::{
    AccountPage, AccountSummary, AuditEvent, DebitLine, Document, DocumentPage, Establishment,
    ImportOutcome, Notification, Reconciliation, Right, Session, TokenStatus, UserImport, count,
    rights_by_code, rights_set,
};
use dealer_portal::account::{
    AccountId, AccountQuery, AccountState, Declaration, NewUser, RepairerRegistration,
};
use dealer_portal::audit;
use dealer_portal::document::DocumentQuery;
use dealer_portal::email::Email;
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::notification::NotificationId;
use dealer_portal::period::YearMonth;
use dealer_portal::service::{Portal as CorePortal, PortalConfig, UserImport as CoreUserImport};
use dealer_portal::store::AnyStore;
use dealer_portal::{Coded, Error};
use napi::bindgen_prelude::{AsyncTask, Object, ToNapiValue, TypeName, Unknown};
use napi::{Env, Status, Task};
use napi_derive::napi;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

type Core = CorePortal<AnyStore>;

/// One call into the core, run on the libuv thread pool; its promise resolves with the result
/// or rejects with the same `PortalError` the synchronous variant throws.
pub struct Job<T> {
    work: Option<Box<dyn FnOnce() -> Result<T, Error> + Send>>,
}

impl<T> Job<T> {
    fn spawn(work: impl FnOnce() -> Result<T, Error> + Send + 'static) -> AsyncTask<Job<T>>
    where
        Job<T>: Task,
    {
        AsyncTask::new(Job {
            work: Some(Box::new(work)),
        })
    }
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = Result<T, Error>;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "task ran twice"))?;
        // A panic must not unwind into libuv; it rejects the promise instead.
        std::panic::catch_unwind(AssertUnwindSafe(work))
            .map_err(|_| napi::Error::new(Status::GenericFailure, "dealer-portal panicked"))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<T> {
        check(&env, output)
    }
}

/// The optional arguments of `login`.
#[napi(object, object_to_js = false)]
pub struct LoginOptions {
    /// "Enregistrer mes identifiants": a remembered (30-day) session.
    pub remember: Option<bool>,
}

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

/// The optional arguments of `searchDocuments`.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct SearchDocumentsOptions {
    /// For accounting documents: maintenance_invoice, warranty_invoice, ...
    #[napi(ts_type = "DocumentKind")]
    pub kind: Option<String>,
    /// The document's number.
    pub number: Option<String>,
    /// First month, M/YYYY.
    pub period_from: Option<String>,
    /// Last month, M/YYYY (inclusive).
    pub period_to: Option<String>,
    /// A plate, contract number or agreement number.
    pub reference: Option<String>,
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

/// The optional arguments of `auditLog`.
#[napi(object, object_to_js = false)]
pub struct PageOptions {
    /// Skip this many (0).
    pub offset: Option<u32>,
    /// Page size (50).
    pub limit: Option<u32>,
}

fn config_arg(config: Option<serde_json::Value>) -> Result<PortalConfig, Error> {
    match config {
        None | Some(serde_json::Value::Null) => Ok(PortalConfig::default()),
        Some(c) => from_config(c),
    }
}

/// An establishment code, parsed by the core.
fn parse_code(s: &str) -> Result<EstablishmentCode, Error> {
    EstablishmentCode::parse(s)
}

/// An optional establishment code (`undefined` or `null`: the session's connected one, which
/// the core picks).
fn parse_optional_code(s: Option<&str>) -> Result<Option<EstablishmentCode>, Error> {
    s.map(EstablishmentCode::parse).transpose()
}

/// An account id, parsed by the core (anything that is not one is `UNKNOWN_ACCOUNT`).
fn parse_account_id(s: &str) -> Result<AccountId, Error> {
    s.parse()
}

/// Offset and limit, defaulting to 0 and `default_limit`.
fn page(offset: Option<u32>, limit: Option<u32>, default_limit: usize) -> (usize, usize) {
    (
        offset.map_or(0, |n| n as usize),
        limit.map_or(default_limit, |n| n as usize),
    )
}

fn outbox_id(id: i64) -> Result<NotificationId, Error> {
    u64::try_from(id)
        .map(NotificationId)
        .map_err(|_| Error::UnknownNotification { id: id.to_string() })
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

/// The portal over a store: a SQLite file (`Portal.open`) or memory (`Portal.inMemory`).
/// Every method that hashes a password or touches the store has an `…Async` twin returning a
/// `Promise`, run on the libuv thread pool.
#[napi]
pub struct Portal {
    inner: Arc<Core>,
}

impl Portal {
    fn open_location(location: &str, config: Option<serde_json::Value>) -> Result<Self, Error> {
        let config = config_arg(config)?;
        Ok(Portal {
            inner: Arc::new(CorePortal::open_any(location, config)?),
        })
    }
}

#[napi]
impl Portal {
    /// Opens (creating and migrating if needed) the SQLite file at `path`. `config` is a plain
    /// object with the core's `PortalConfig` fields (snake_case), partial: e.g.
    /// `{ hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } }`.
    #[napi(factory)]
    pub fn open(
        env: Env,
        path: String,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> napi::Result<Portal> {
        check(&env, Portal::open_location(&path, config))
    }

    /// `Portal.open` on the libuv thread pool (opening migrates the file).
    #[napi(ts_return_type = "Promise<Portal>")]
    pub fn open_async(
        path: String,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> AsyncTask<Job<Portal>> {
        Job::spawn(move || Portal::open_location(&path, config))
    }

    /// A portal over a fresh in-memory store.
    #[napi(factory)]
    pub fn in_memory(
        env: Env,
        #[napi(ts_arg_type = "PortalConfig")] config: Option<serde_json::Value>,
    ) -> napi::Result<Portal> {
        check(&env, Portal::open_location(":memory:", config))
    }

    /// Evaluates a candidate password against this portal's policy (pure, no hashing; the
    /// `policy` option is ignored: the portal's own applies). Frozen, like `evaluatePassword`'s.
    #[napi(
        ts_args_type = "password: string, options?: EvaluateOptions | undefined | null",
        ts_return_type = "Evaluation"
    )]
    pub fn evaluate_password<'e>(
        &self,
        env: &'e Env,
        password: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> napi::Result<Object<'e>> {
        expect_string(password)?;
        let fields = read_options(options)?;
        let evaluation = with_fields(env, password, fields, |pw, confirmation, _policy| {
            Ok(self.inner.evaluate_password(pw, confirmation))
        })?;
        crate::evaluation::to_js(env, &evaluation, Policy::Other)
    }
}

/// Writes each method twice: `name` (synchronous) and `name_async` (a `Job` on the libuv pool,
/// typed `Promise<…>` in `index.d.ts` by the TypeScript type after `as`). An argument's
/// TypeScript type may be given after `as` too.
///
/// Docs are given as `#[doc = "..."]` rather than `///`: a `///` comment passed through a
/// `macro_rules!` becomes a raw string literal, which napi's typings generator prints as is.
macro_rules! portal_methods {
    ($(
        $(#[doc = $doc:tt])*
        fn $name:ident / $name_async:ident ($($arg:ident : $ty:ty $(as $argts:tt)?),* $(,)?) -> $out:ty as $ts:tt
            |$p:ident| { $($body:tt)* }
    )*) => {
        #[napi]
        impl Portal {
            $(
                $(#[doc = $doc])*
                #[napi]
                #[allow(clippy::too_many_arguments)]
                pub fn $name(&self, env: Env, $($(#[napi(ts_arg_type = $argts)])? $arg: $ty),*) -> napi::Result<$out> {
                    check(&env, (|$p: &Core| -> Result<$out, Error> { $($body)* })(&self.inner))
                }

                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = "Runs on the libuv thread pool: the event loop keeps running."]
                #[napi(ts_return_type = $ts)]
                #[allow(clippy::too_many_arguments)]
                pub fn $name_async(&self, $($(#[napi(ts_arg_type = $argts)])? $arg: $ty),*) -> AsyncTask<Job<$out>> {
                    let inner = Arc::clone(&self.inner);
                    Job::spawn(move || (|$p: &Core| -> Result<$out, Error> { $($body)* })(&inner))
                }
            )*
        }
    };
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

    #[doc = "\"Mot de passe oublié\": answers the same whether or not the email is known."]
    fn request_password_reset / request_password_reset_async(email: String) -> () as "Promise<void>"
    |p| { p.request_password_reset(&Email::parse(&email)?) }

    #[doc = "Completes a reset from the mail's link: the email again and the new password twice."]
    fn complete_password_reset / complete_password_reset_async(
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> () as "Promise<void>"
    |p| { p.complete_password_reset(&token, &email, &password, &confirmation) }

    #[doc = "Activates an invited account from the mail's link: the email again and the password"]
    #[doc = "twice."]
    fn activate_account / activate_account_async(
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> () as "Promise<void>"
    |p| { p.activate_account(&token, &email, &password, &confirmation) }

    #[doc = "Whether a reset or activation link is still usable, for the form page; never consumes it."]
    fn inspect_token / inspect_token_async(token: String) -> TokenStatus as "Promise<TokenStatus>"
    |p| { p.inspect_token(&token).map(TokenStatus::from) }

    #[doc = "Notifications (mails) waiting to be sent, oldest first."]
    fn pending_notifications / pending_notifications_async() -> Vec<Notification> as "Promise<Array<Notification>>"
    |p| { Ok(p.pending_notifications()?.into_iter().map(Notification::from).collect()) }

    #[doc = "Marks a notification sent; its token is erased from the store."]
    fn acknowledge_notification / acknowledge_notification_async(notification_id: i64) -> () as "Promise<void>"
    |p| { p.acknowledge_notification(outbox_id(notification_id)?) }

    #[doc = "Logs in; every failure (unknown email, wrong password, not active, locked) is"]
    #[doc = "INVALID_CREDENTIALS."]
    fn login / login_async(email: String, password: String, options: Option<LoginOptions>) -> Session as "Promise<Session>"
    |p| {
        let remember = options.and_then(|o| o.remember).unwrap_or(false);
        p.login(&email, &password, remember).map(Session::from)
    }

    #[doc = "Ends a session (an unknown one is not an error)."]
    fn logout / logout_async(session_token: String) -> () as "Promise<void>"
    |p| { p.logout(&session_token) }

    #[doc = "Changes the session's password; every session of the account is ended."]
    fn change_password / change_password_async(
        session_token: String,
        current: String,
        password: String,
        confirmation: String,
    ) -> () as "Promise<void>"
    |p| { p.change_password(&session_token, &current, &password, &confirmation) }

    #[doc = "The establishments where the session's account may manage accounts."]
    fn manageable_establishments / manageable_establishments_async(session_token: String) -> Vec<Establishment> as "Promise<Array<Establishment>>"
    |p| {
        Ok(p.manageable_establishments(&session_token)?
            .into_iter()
            .map(Establishment::from)
            .collect())
    }

    #[doc = "Creates an invited user on an establishment the actor manages and queues its activation"]
    #[doc = "mail; returns its account id."]
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

    #[doc = "The audit log of an establishment the actor manages, newest first."]
    fn audit_log / audit_log_async(session_token: String, establishment_code: Option<String>, options: Option<PageOptions>) -> Vec<AuditEvent> as "Promise<Array<AuditEvent>>"
    |p| {
        let (offset, limit) = options
            .map_or((0, audit::DEFAULT_LIMIT), |o| page(o.offset, o.limit, audit::DEFAULT_LIMIT));
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        Ok(p.audit_log(&session_token, establishment.as_ref(), offset, limit)?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }

    #[doc = "Recomputes the audit chain; returns the number of events. STORAGE if it was edited."]
    fn verify_audit_chain / verify_audit_chain_async() -> u32 as "Promise<number>"
    |p| { p.verify_audit_chain().map(count) }

    #[doc = "Adds a document of an establishment (the host's import); returns its id."]
    fn add_document / add_document_async(establishment_code: String, document: Document) -> String as "Promise<string>"
    |p| { Ok(p.add_document(&parse_code(&establishment_code)?, &document.to_core()?)?.to_string()) }

    #[doc = "Adds many documents of one establishment in one transaction; returns their ids."]
    fn add_documents / add_documents_async(establishment_code: String, documents: Vec<Document>) -> Vec<String> as "Promise<Array<string>>"
    |p| {
        let docs = documents.iter().map(Document::to_core).collect::<Result<Vec<_>, _>>()?;
        Ok(p.add_documents(&parse_code(&establishment_code)?, &docs)?
            .into_iter()
            .map(|id| id.to_string())
            .collect())
    }

    #[doc = "Searches the documents of an establishment (\"moteur de recherche de document\"), newest"]
    #[doc = "first, paginated."]
    fn search_documents / search_documents_async(
        session_token: String,
        establishment_code: Option<String>,
        category: String as "DocumentCategory",
        options: Option<SearchDocumentsOptions>,
    ) -> DocumentPage as "Promise<DocumentPage>"
    |p| {
        let o = options.unwrap_or_default();
        let (offset, limit) = page(o.offset, o.limit, DocumentQuery::DEFAULT_LIMIT);
        let q = DocumentQuery::parse(
            &category,
            o.kind.as_deref(),
            o.number.as_deref(),
            o.period_from.as_deref(),
            o.period_to.as_deref(),
            o.reference.as_deref(),
            offset,
            limit,
        )?;
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        let page = p.search_documents(&session_token, establishment.as_ref(), &q)?;
        Ok(DocumentPage {
            items: page.items.into_iter().map(Document::from).collect(),
            total: count(page.total),
        })
    }

    #[doc = "Records a direct-debit line of an establishment for a month (M/YYYY)."]
    fn record_debit_line / record_debit_line_async(establishment_code: String, month: String, line: DebitLine) -> () as "Promise<void>"
    |p| { p.record_debit_line(&parse_code(&establishment_code)?, YearMonth::parse(&month)?, &line.to_core()?) }

    #[doc = "The month's (M/YYYY) statement of an establishment, reconciled against its regime."]
    fn monthly_statement / monthly_statement_async(session_token: String, establishment_code: Option<String>, month: String) -> Reconciliation as "Promise<Reconciliation>"
    |p| {
        let month = YearMonth::parse(&month)?;
        let establishment = parse_optional_code(establishment_code.as_deref())?;
        p.monthly_statement(&session_token, establishment.as_ref(), month).map(Reconciliation::from)
    }
}

// The portal is shared between the JS thread and the thread pool.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Core>();
};

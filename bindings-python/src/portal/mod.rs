//! `Portal`: the core's service over a run-time chosen store, shared between threads.
//!
//! Every method converts its arguments while attached to the interpreter, then releases the GIL
//! (`py.detach`) for the whole call into the core (argon2, store transactions), so Python
//! threads run in parallel; then converts the result back.

use crate::convert::iso;
use crate::errors::{Res, to_py_err};
use crate::functions::from_config;
use crate::values::{
    AccountDetail, AccountPage, AccountSummary, AuditEvent, DebitLine, Document, DocumentPage,
    Establishment, Evaluation, Notification, PyRight, Reconciliation, Session, SessionInfo,
    SessionSummary, TokenStatus, UserImport, matrix_dict, rights_arg,
};
use dealer_portal::account::{
    AccountQuery, AccountState, Declaration, NewUser, ProfileUpdate, RepairerRegistration,
};
use dealer_portal::document::DocumentQuery;
use dealer_portal::email::Email;
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::notification::NotificationId;
use dealer_portal::period::YearMonth;
use dealer_portal::service::{Portal as CorePortal, PortalConfig, UserImport as CoreUserImport};
use dealer_portal::session::SessionId;
use dealer_portal::store::AnyStore;
use dealer_portal::{AccountId, Coded, Error};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;
use std::path::PathBuf;

mod audit;
pub(crate) use audit::AuditHead;
mod lifecycle;

/// The portal over a store: a SQLite file (`Portal.open`) or memory (`Portal.in_memory`).
/// Safe to share between threads.
#[pyclass(module = "dealer_portal", frozen)]
pub(crate) struct Portal {
    pub(super) inner: CorePortal<AnyStore>,
}

fn config_arg(config: Option<&Bound<'_, PyAny>>) -> Res<PortalConfig> {
    match config {
        None => Ok(PortalConfig::default()),
        Some(c) if c.is_none() => Ok(PortalConfig::default()),
        Some(c) => from_config(c),
    }
}

// Every argument is parsed by the core's own constructor, once, before the flow is called.

pub(super) fn code(s: &str) -> Result<EstablishmentCode, Error> {
    EstablishmentCode::parse(s)
}

/// An optional establishment code: `None` lets the core use the session's connected one.
pub(super) fn opt_code(s: Option<&str>) -> Result<Option<EstablishmentCode>, Error> {
    s.map(EstablishmentCode::parse).transpose()
}

pub(super) fn account_id(s: &str) -> Result<AccountId, Error> {
    s.parse()
}

impl Portal {
    fn open_location(
        py: Python<'_>,
        location: &str,
        config: Option<&Bound<'_, PyAny>>,
    ) -> Res<Self> {
        let config = config_arg(config)?;
        let inner = py.detach(|| CorePortal::open_any(location, config))?;
        Ok(Portal { inner })
    }
}

#[pymethods]
impl Portal {
    /// Opens (creating and migrating if needed) the SQLite file at `path`.
    #[staticmethod]
    #[pyo3(signature = (path, config=None))]
    fn open(py: Python<'_>, path: PathBuf, config: Option<&Bound<'_, PyAny>>) -> Res<Self> {
        let location = path
            .to_str()
            .ok_or_else(|| PyValueError::new_err("the path must be valid UTF-8"))?;
        Self::open_location(py, location, config)
    }

    /// A portal over a fresh in-memory store.
    #[staticmethod]
    #[pyo3(signature = (config=None))]
    fn in_memory(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> Res<Self> {
        Self::open_location(py, ":memory:", config)
    }

    /// Evaluates a candidate password against this portal's policy (pure, no hashing).
    #[pyo3(signature = (password, confirmation=None))]
    fn evaluate_password(
        &self,
        password: PyBackedStr,
        confirmation: Option<PyBackedStr>,
    ) -> Evaluation {
        Evaluation {
            inner: self
                .inner
                .evaluate_password(&password, confirmation.as_deref()),
        }
    }

    // ----- establishments and administrators -----

    /// Records (or updates) an establishment.
    fn add_establishment(&self, py: Python<'_>, establishment: Establishment) -> Res<()> {
        Ok(py.detach(|| self.inner.add_establishment(&establishment.inner))?)
    }

    /// Records the administrator declared via the manager's extranet, holding all six rights
    /// on `establishments`; declaring again adds establishments. Returns the account id.
    fn declare_administrator(
        &self,
        py: Python<'_>,
        email: PyBackedStr,
        last_name: PyBackedStr,
        first_name: PyBackedStr,
        function: PyBackedStr,
        establishments: Vec<Establishment>,
    ) -> Res<String> {
        let establishments: Vec<_> = establishments.into_iter().map(|e| e.inner).collect();
        let id = py.detach(|| {
            let decl = Declaration::new(&email, &last_name, &first_name, &function)?;
            self.inner.declare_administrator(&decl, &establishments)
        })?;
        Ok(id.to_string())
    }

    // ----- reset, activation, tokens -----

    /// "Mot de passe oublié": answers the same whether or not the email is known.
    fn request_password_reset(&self, py: Python<'_>, email: PyBackedStr) -> Res<()> {
        Ok(py.detach(|| self.inner.request_password_reset(&Email::parse(&email)?))?)
    }

    /// Completes a reset: the email again and the new password twice.
    fn complete_password_reset(
        &self,
        py: Python<'_>,
        token: PyBackedStr,
        email: PyBackedStr,
        password: PyBackedStr,
        confirmation: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .complete_password_reset(&token, &email, &password, &confirmation)
        })?)
    }

    /// Activates an invited account: the email again and the password twice.
    fn activate_account(
        &self,
        py: Python<'_>,
        token: PyBackedStr,
        email: PyBackedStr,
        password: PyBackedStr,
        confirmation: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .activate_account(&token, &email, &password, &confirmation)
        })?)
    }

    /// Whether a reset or activation link is still usable; never consumes it.
    fn inspect_token(&self, py: Python<'_>, token: PyBackedStr) -> Res<TokenStatus> {
        let status = py.detach(|| self.inner.inspect_token(&token))?;
        Ok(TokenStatus {
            usable: status.usable,
            kind: status.kind.map(|k| k.code()),
            expires_at: status.expires_at.map(iso),
        })
    }

    // ----- outbox -----

    /// Notifications waiting to be sent, oldest first.
    fn pending_notifications(&self, py: Python<'_>) -> Res<Vec<Notification>> {
        let pending = py.detach(|| self.inner.pending_notifications())?;
        Ok(pending
            .into_iter()
            .map(|n| Notification { inner: n })
            .collect())
    }

    /// Marks a notification sent; its token is erased from the store.
    fn acknowledge_notification(&self, py: Python<'_>, notification_id: u64) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .acknowledge_notification(NotificationId(notification_id))
        })?)
    }

    // ----- login and sessions -----

    /// Logs in; every failure is AuthError INVALID_CREDENTIALS.
    #[pyo3(signature = (email, password, remember=false))]
    fn login(
        &self,
        py: Python<'_>,
        email: PyBackedStr,
        password: PyBackedStr,
        remember: bool,
    ) -> Res<Session> {
        let s = py.detach(|| self.inner.login(&email, &password, remember))?;
        Ok(Session {
            account_id: s.account_id.to_string(),
            expires_at: iso(s.expires_at),
            token: s.token,
        })
    }

    /// Ends a session (an unknown one is not an error).
    fn logout(&self, py: Python<'_>, session_token: PyBackedStr) -> Res<()> {
        Ok(py.detach(|| self.inner.logout(&session_token))?)
    }

    /// Changes the session's password; every session of the account is ended.
    fn change_password(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        current: PyBackedStr,
        password: PyBackedStr,
        confirmation: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .change_password(&session_token, &current, &password, &confirmation)
        })?)
    }

    /// What a host checks on every request: who is connected, until when, the establishment
    /// the session is connected to, the rights and the visible menu. AuthError SESSION_INVALID
    /// for an unknown, ended or expired session.
    fn authenticate(&self, py: Python<'_>, session_token: PyBackedStr) -> Res<SessionInfo> {
        let inner = py.detach(|| self.inner.authenticate(&session_token))?;
        Ok(SessionInfo { inner })
    }

    /// Connects the session to another establishment where the account holds a right.
    fn select_establishment(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        establishment_code: PyBackedStr,
    ) -> Res<SessionInfo> {
        let inner = py.detach(|| {
            self.inner
                .select_establishment(&session_token, &code(&establishment_code)?)
        })?;
        Ok(SessionInfo { inner })
    }

    /// The caller's own live sessions, oldest first (an opaque id each, never the token).
    fn list_sessions(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
    ) -> Res<Vec<SessionSummary>> {
        let all = py.detach(|| self.inner.list_sessions(&session_token))?;
        Ok(all
            .into_iter()
            .map(|s| SessionSummary { inner: s })
            .collect())
    }

    /// Ends one of the caller's sessions by its id; NotFoundError UNKNOWN_SESSION otherwise.
    fn revoke_session(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        session_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            let id = session_id.parse::<SessionId>()?;
            self.inner.revoke_session(&session_token, &id)
        })?)
    }

    /// Ends every session of the caller but the asking one; how many ended.
    fn revoke_other_sessions(&self, py: Python<'_>, session_token: PyBackedStr) -> Res<usize> {
        Ok(py.detach(|| self.inner.revoke_other_sessions(&session_token))?)
    }

    // ----- profiles and email change -----

    /// An account's profile: one's own, or an account the actor can list.
    fn account(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<AccountDetail> {
        let inner = py.detach(|| {
            self.inner
                .account(&session_token, self::account_id(&account_id)?)
        })?;
        Ok(AccountDetail { inner })
    }

    /// Edits a profile: None keeps a field, "" clears a phone (phones as typed). Answers the
    /// profile as it now is.
    #[pyo3(signature = (session_token, account_id, *, last_name=None, first_name=None, function=None, mobile=None, landline=None))]
    #[allow(clippy::too_many_arguments)]
    fn update_profile(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
        last_name: Option<PyBackedStr>,
        first_name: Option<PyBackedStr>,
        function: Option<PyBackedStr>,
        mobile: Option<PyBackedStr>,
        landline: Option<PyBackedStr>,
    ) -> Res<AccountDetail> {
        let inner = py.detach(|| {
            let id = self::account_id(&account_id)?;
            let update = ProfileUpdate::from_fields(
                last_name.as_deref(),
                first_name.as_deref(),
                function.as_deref(),
                mobile.as_deref(),
                landline.as_deref(),
            )?;
            self.inner.update_profile(&session_token, id, &update)
        })?;
        Ok(AccountDetail { inner })
    }

    /// Asks to change the session's email (the current password is checked, without the GIL):
    /// a link goes to the new address, a notice to the current one.
    fn request_email_change(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        new_email: PyBackedStr,
        current_password: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            let new_email = Email::parse(&new_email)?;
            self.inner
                .request_email_change(&session_token, &new_email, &current_password)
        })?)
    }

    /// Confirms an email change with the link's token; every session of the account ends.
    fn confirm_email_change(&self, py: Python<'_>, token: PyBackedStr) -> Res<()> {
        Ok(py.detach(|| self.inner.confirm_email_change(&token))?)
    }

    // ----- users and rights -----

    /// The establishments where the session's account may manage accounts.
    fn manageable_establishments(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
    ) -> Res<Vec<Establishment>> {
        let list = py.detach(|| self.inner.manageable_establishments(&session_token))?;
        Ok(list
            .into_iter()
            .map(|e| Establishment { inner: e })
            .collect())
    }

    /// Creates an invited user on an establishment the actor manages (None: the connected
    /// one); returns its id. Phones as typed (see the core's `NewUser::from_fields`).
    #[pyo3(signature = (session_token, establishment_code, last_name, first_name, email, rights, mobile=None, landline=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_user(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        establishment_code: Option<PyBackedStr>,
        last_name: PyBackedStr,
        first_name: PyBackedStr,
        email: PyBackedStr,
        rights: &Bound<'_, PyAny>,
        mobile: Option<PyBackedStr>,
        landline: Option<PyBackedStr>,
    ) -> Res<String> {
        let rights = rights_arg(rights)?;
        let id = py.detach(|| {
            let code = opt_code(establishment_code.as_deref())?;
            let user = NewUser::from_fields(
                &last_name,
                &first_name,
                &email,
                mobile.as_deref(),
                landline.as_deref(),
            )?;
            self.inner
                .create_user(&session_token, code.as_ref(), &user, rights)
        })?;
        Ok(id.to_string())
    }

    /// Creates many users in one transaction. Returns, row by row, the new account id or the
    /// PortalError of that row; a bad row does not stop the others.
    fn create_users(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        rows: Vec<UserImport>,
    ) -> Res<Vec<Py<PyAny>>> {
        // Rows that do not parse keep their error; the others go to the core together.
        let parsed: Vec<Result<CoreUserImport, Error>> = py.detach(|| {
            rows.iter()
                .map(|row| {
                    Ok(CoreUserImport {
                        establishment: code(&row.establishment_code)?,
                        user: NewUser::from_fields(
                            &row.last_name,
                            &row.first_name,
                            &row.email,
                            row.mobile.as_deref(),
                            row.landline.as_deref(),
                        )?,
                        rights: row
                            .rights
                            .iter()
                            .map(|r| dealer_portal::rights::Right::from(*r))
                            .collect(),
                    })
                })
                .collect()
        });
        let valid: Vec<CoreUserImport> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().cloned())
            .collect();
        let mut created = py
            .detach(|| self.inner.create_users(&session_token, &valid))?
            .into_iter();
        let mut out = Vec::with_capacity(parsed.len());
        for p in parsed {
            let outcome = match p {
                Err(e) => Err(e),
                Ok(_) => created.next().unwrap_or(Err(Error::Storage(
                    dealer_portal::error::StorageError::new("missing result for a row"),
                ))),
            };
            out.push(match outcome {
                Ok(id) => pyo3::types::PyString::new(py, &id.to_string())
                    .into_any()
                    .unbind(),
                Err(e) => to_py_err(py, &e).into_value(py).into_any(),
            });
        }
        Ok(out)
    }

    /// "Vous êtes réparateur ? Créer un compte": the same answer whether or not the email is taken.
    fn register_repairer(
        &self,
        py: Python<'_>,
        email: PyBackedStr,
        last_name: PyBackedStr,
        first_name: PyBackedStr,
        company: PyBackedStr,
        city: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            let registration =
                RepairerRegistration::new(&email, &last_name, &first_name, &company, &city)?;
            self.inner.register_repairer(&registration)
        })?)
    }

    /// Sends a new activation link to an invited account; the earlier one stops working.
    fn resend_activation(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .resend_activation(&session_token, self::account_id(&account_id)?)
        })?)
    }

    /// Sets an account's rights on one establishment (an empty list removes them).
    fn set_rights(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
        establishment_code: PyBackedStr,
        rights: &Bound<'_, PyAny>,
    ) -> Res<()> {
        let rights = rights_arg(rights)?;
        Ok(py.detach(|| {
            let (id, code) = (self::account_id(&account_id)?, code(&establishment_code)?);
            self.inner.set_rights(&session_token, id, &code, rights)
        })?)
    }

    /// An account's rights by establishment code (only establishments where it holds some).
    fn rights_matrix<'py>(
        &self,
        py: Python<'py>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<Bound<'py, PyDict>> {
        let matrix = py.detach(|| {
            self.inner
                .rights_matrix(&session_token, self::account_id(&account_id)?)
        })?;
        Ok(matrix_dict(py, &matrix)?)
    }

    /// Disables an account: no login, its sessions and links revoked.
    fn disable_account(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .disable_account(&session_token, self::account_id(&account_id)?)
        })?)
    }

    /// Re-enables a disabled account.
    fn enable_account(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .enable_account(&session_token, self::account_id(&account_id)?)
        })?)
    }

    /// Accounts with rights on establishments the actor manages, in French order, paginated.
    #[pyo3(signature = (session_token, text=None, establishment_code=None, descending=false, offset=0, limit=50, *, right=None, state=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_accounts(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        text: Option<PyBackedStr>,
        establishment_code: Option<PyBackedStr>,
        descending: bool,
        offset: usize,
        limit: usize,
        right: Option<PyRight>,
        state: Option<PyBackedStr>,
    ) -> Res<AccountPage> {
        let page = py.detach(|| {
            let mut q = AccountQuery::default()
                .with_descending(descending)
                .with_page(offset, limit)?;
            if let Some(t) = text.as_deref() {
                q = q.with_text(t)?;
            }
            if let Some(c) = opt_code(establishment_code.as_deref())? {
                q = q.with_establishment(c);
            }
            if let Some(r) = right {
                q = q.with_right(r.into());
            }
            if let Some(s) = state.as_deref() {
                q = q.with_state(AccountState::from_code(s).map_err(Error::from)?);
            }
            self.inner.list_accounts(&session_token, &q)
        })?;
        Ok(AccountPage {
            items: page
                .items
                .into_iter()
                .map(|a| AccountSummary { inner: a })
                .collect(),
            total: page.total,
        })
    }

    // ----- outbox and audit -----

    /// The audit log of an establishment the actor manages (None: the connected one), newest
    /// first.
    #[pyo3(signature = (session_token, establishment_code=None, offset=0, limit=50))]
    fn audit_log(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        establishment_code: Option<PyBackedStr>,
        offset: usize,
        limit: usize,
    ) -> Res<Vec<AuditEvent>> {
        let events = py.detach(|| {
            let code = opt_code(establishment_code.as_deref())?;
            self.inner
                .audit_log(&session_token, code.as_ref(), offset, limit)
        })?;
        Ok(events
            .into_iter()
            .map(|e| AuditEvent { inner: e })
            .collect())
    }

    // ----- documents and debits -----

    /// Adds a document of an establishment (the host's import); returns its id.
    fn add_document(
        &self,
        py: Python<'_>,
        establishment_code: PyBackedStr,
        document: Document,
    ) -> Res<String> {
        let id = py.detach(|| {
            self.inner
                .add_document(&code(&establishment_code)?, &document.inner)
        })?;
        Ok(id.to_string())
    }

    /// Adds many documents of one establishment in one transaction; returns their ids.
    fn add_documents(
        &self,
        py: Python<'_>,
        establishment_code: PyBackedStr,
        documents: Vec<Document>,
    ) -> Res<Vec<String>> {
        let docs: Vec<_> = documents.into_iter().map(|d| d.inner).collect();
        let ids = py.detach(|| self.inner.add_documents(&code(&establishment_code)?, &docs))?;
        Ok(ids.into_iter().map(|i| i.to_string()).collect())
    }

    /// Searches the documents of an establishment (None: the connected one), newest first,
    /// paginated.
    #[pyo3(signature = (session_token, establishment_code, category, kind=None, number=None, period_from=None, period_to=None, reference=None, offset=0, limit=50))]
    #[allow(clippy::too_many_arguments)]
    fn search_documents(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        establishment_code: Option<PyBackedStr>,
        category: PyBackedStr,
        kind: Option<PyBackedStr>,
        number: Option<PyBackedStr>,
        period_from: Option<PyBackedStr>,
        period_to: Option<PyBackedStr>,
        reference: Option<PyBackedStr>,
        offset: usize,
        limit: usize,
    ) -> Res<DocumentPage> {
        let page = py.detach(|| {
            let code = opt_code(establishment_code.as_deref())?;
            let q = DocumentQuery::parse(
                &category,
                kind.as_deref(),
                number.as_deref(),
                period_from.as_deref(),
                period_to.as_deref(),
                reference.as_deref(),
                offset,
                limit,
            )?;
            self.inner
                .search_documents(&session_token, code.as_ref(), &q)
        })?;
        Ok(DocumentPage {
            items: page.items.into_iter().map(Document::from).collect(),
            total: page.total,
        })
    }

    /// The header's quick search: the documents of every category the actor may read on the
    /// establishment (None: the connected one) whose plate, contract or agreement number is
    /// `text`. ValidationError INVALID_QUERY if the text is none of the three.
    #[pyo3(signature = (session_token, text, establishment_code=None, offset=0, limit=50))]
    fn search_reference(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        text: PyBackedStr,
        establishment_code: Option<PyBackedStr>,
        offset: usize,
        limit: usize,
    ) -> Res<DocumentPage> {
        let page = py.detach(|| {
            let code = opt_code(establishment_code.as_deref())?;
            self.inner
                .search_reference(&session_token, &text, code.as_ref(), offset, limit)
        })?;
        Ok(DocumentPage {
            items: page.items.into_iter().map(Document::from).collect(),
            total: page.total,
        })
    }

    /// Records a direct-debit line of an establishment for a month (M/YYYY).
    fn record_debit_line(
        &self,
        py: Python<'_>,
        establishment_code: PyBackedStr,
        month: PyBackedStr,
        line: DebitLine,
    ) -> Res<()> {
        Ok(py.detach(|| {
            let month = YearMonth::parse(&month)?;
            self.inner
                .record_debit_line(&code(&establishment_code)?, month, &line.inner)
        })?)
    }

    /// The month's statement of an establishment (None: the connected one), reconciled
    /// against its regime.
    fn monthly_statement(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        establishment_code: Option<PyBackedStr>,
        month: PyBackedStr,
    ) -> Res<Reconciliation> {
        let inner = py.detach(|| {
            let code = opt_code(establishment_code.as_deref())?;
            let month = YearMonth::parse(&month)?;
            self.inner
                .monthly_statement(&session_token, code.as_ref(), month)
        })?;
        Ok(Reconciliation { inner })
    }

    fn __repr__(&self) -> &'static str {
        "Portal(...)"
    }
}

// Keeps the type-level promise visible: the portal is shared between threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<CorePortal<AnyStore>>();
};

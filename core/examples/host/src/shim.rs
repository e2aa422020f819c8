//! A stand-in for the core's `AsyncPortal` (feature `tokio`) until it is on main: the same
//! method names and owned arguments, each call run on tokio's blocking pool so argon2 never
//! blocks an executor thread. Switching to the core's type is a change of import.

use dealer_portal::Result;
use dealer_portal::account::{
    AccountDetail, AccountPage, AccountQuery, Declaration, NewUser, ProfileUpdate,
};
use dealer_portal::document::{DocumentId, DocumentPage, DocumentQuery, NewDocument};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::notification::{Notification, NotificationId};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{DebitLine, Reconciliation};
use dealer_portal::rights::{Rights, RightsMatrix};
use dealer_portal::service::{Portal, SessionInfo, TokenStatus};
use dealer_portal::session::Session;
use dealer_portal::store::SqliteStore;
use dealer_portal::{AccountId, Email};
use std::sync::Arc;

/// The portal, shared by every request; cheap to clone.
#[derive(Clone)]
pub struct AsyncPortal {
    inner: Arc<Portal<SqliteStore>>,
}

macro_rules! flows {
    ($(fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = |$p:ident| $body:expr;)*) => {
        $(
            #[allow(dead_code)]
            pub async fn $name(&self, $($arg: $ty),*) -> $ret {
                let $p = Arc::clone(&self.inner);
                match tokio::task::spawn_blocking(move || $body).await {
                    Ok(answer) => answer,
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
        )*
    };
}

impl AsyncPortal {
    /// Wraps a portal.
    pub fn new(portal: Portal<SqliteStore>) -> Self {
        AsyncPortal {
            inner: Arc::new(portal),
        }
    }

    /// The portal itself, for cheap pure calls (`evaluate_password`).
    pub fn portal(&self) -> &Portal<SqliteStore> {
        &self.inner
    }

    flows! {
        fn add_establishment(e: Establishment) -> Result<()> = |p| p.add_establishment(&e);
        fn declare_administrator(decl: Declaration, establishments: Vec<Establishment>)
            -> Result<AccountId> = |p| p.declare_administrator(&decl, &establishments);
        fn add_document(code: EstablishmentCode, doc: NewDocument) -> Result<DocumentId> =
            |p| p.add_document(&code, &doc);
        fn search_documents(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            q: DocumentQuery,
        ) -> Result<DocumentPage> =
            |p| p.search_documents(&session_token, establishment.as_ref(), &q);
        fn search_reference(
            session_token: String,
            text: String,
            establishment: Option<EstablishmentCode>,
            offset: usize,
            limit: usize,
        ) -> Result<DocumentPage> =
            |p| p.search_reference(&session_token, &text, establishment.as_ref(), offset, limit);
        fn record_debit_line(code: EstablishmentCode, month: YearMonth, line: DebitLine)
            -> Result<()> = |p| p.record_debit_line(&code, month, &line);
        fn monthly_statement(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            month: YearMonth,
        ) -> Result<Reconciliation> =
            |p| p.monthly_statement(&session_token, establishment.as_ref(), month);
        fn pending_notifications() -> Result<Vec<Notification>> = |p| p.pending_notifications();
        fn acknowledge_notification(id: NotificationId) -> Result<()> =
            |p| p.acknowledge_notification(id);
        fn account(session_token: String, id: AccountId) -> Result<AccountDetail> =
            |p| p.account(&session_token, id);
        fn update_profile(session_token: String, id: AccountId, update: ProfileUpdate)
            -> Result<AccountDetail> = |p| p.update_profile(&session_token, id, &update);
        fn request_password_reset(email: Email) -> Result<()> =
            |p| p.request_password_reset(&email);
        fn inspect_token(token: String) -> Result<TokenStatus> = |p| p.inspect_token(&token);
        fn complete_password_reset(
            token: String,
            email: String,
            password: String,
            confirmation: String,
        ) -> Result<()> = |p| p.complete_password_reset(&token, &email, &password, &confirmation);
        fn activate_account(
            token: String,
            email: String,
            password: String,
            confirmation: String,
        ) -> Result<()> = |p| p.activate_account(&token, &email, &password, &confirmation);
        fn login(email: String, password: String, remember: bool) -> Result<Session> =
            |p| p.login(&email, &password, remember);
        fn authenticate(session_token: String) -> Result<SessionInfo> =
            |p| p.authenticate(&session_token);
        fn select_establishment(session_token: String, code: EstablishmentCode)
            -> Result<SessionInfo> = |p| p.select_establishment(&session_token, &code);
        fn logout(session_token: String) -> Result<()> = |p| p.logout(&session_token);
        fn manageable_establishments(session_token: String) -> Result<Vec<Establishment>> =
            |p| p.manageable_establishments(&session_token);
        fn create_user(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            user: NewUser,
            rights: Rights,
        ) -> Result<AccountId> =
            |p| p.create_user(&session_token, establishment.as_ref(), &user, rights);
        fn set_rights(
            session_token: String,
            id: AccountId,
            code: EstablishmentCode,
            requested: Rights,
        ) -> Result<()> = |p| p.set_rights(&session_token, id, &code, requested);
        fn rights_matrix(session_token: String, id: AccountId) -> Result<RightsMatrix> =
            |p| p.rights_matrix(&session_token, id);
        fn list_accounts(session_token: String, q: AccountQuery) -> Result<AccountPage> =
            |p| p.list_accounts(&session_token, &q);
    }
}

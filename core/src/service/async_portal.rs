//! [`AsyncPortal`]: the portal's flows as `async fn`s for hosts on tokio (feature `tokio`).
//!
//! Every flow of [`Portal`] may block: argon2 runs for tens of milliseconds in `login`, and every
//! store does blocking I/O. Called straight from an async task, such a call holds one of the
//! runtime's worker threads for its whole length (on a current-thread runtime: every other task).
//! `AsyncPortal` runs each call on tokio's blocking pool (`tokio::task::spawn_blocking`) of the
//! runtime that awaits it, and hands the answer back. It starts no runtime of its own.

use super::{Actor, Portal, SessionInfo, TokenStatus, TotpEnrollment, UserImport};
use crate::Result;
use crate::account::{
    AccountDetail, AccountId, AccountPage, AccountQuery, Declaration, NewUser, ProfileUpdate,
    RepairerRegistration,
};
use crate::audit::{AuditEvent, AuditHead};
use crate::clock::{Clock, SystemClock};
use crate::document::{DocumentId, DocumentPage, DocumentQuery, NewDocument};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::lifecycle::MaintenanceReport;
use crate::notification::{Notification, NotificationId};
use crate::period::YearMonth;
use crate::regime::{DebitLine, Reconciliation};
use crate::rights::{Rights, RightsMatrix};
use crate::secret::SecretString;
use crate::session::{Session, SessionId, SessionSummary};
use crate::store::Store;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The [`Portal`] for async hosts: each flow is an `async fn` that runs the synchronous flow on
/// tokio's blocking pool, so argon2 and the store's I/O never hold an executor thread.
///
/// It wraps an `Arc<Portal<S, C>>`: cloning it is cheap, and it is `Send + Sync` when the store
/// is (every store of this crate is). Methods take owned arguments (`String` where the
/// synchronous flow borrows a `&str`, `Vec<T>` for a `&[T]`, `Option<EstablishmentCode>` for an
/// optional establishment) because the blocking task may outlive the caller's borrows; passwords
/// and codes handed over as `String` are wiped from memory once the call is done. Each returns
/// what its [`Portal`] flow returns. The cheap pure calls (`evaluate_password`, `config`) are
/// reached through [`AsyncPortal::portal`].
///
/// The library starts no runtime: the methods must be awaited inside a tokio runtime (any
/// flavour; tokio's `rt` feature is enough), and they panic otherwise, as `spawn_blocking` does.
///
/// **Cancellation**: dropping a method's future before it completes does not stop the call;
/// the blocking task runs to its end (a login still counts its attempt, a reset still consumes
/// its token) and its answer is dropped. **Panics**: a panic inside the flow resumes in the
/// task awaiting it, as it would have with the synchronous call. If the runtime is shut down
/// before the blocking task could start, the method panics (it has no answer to give).
///
/// ```
/// use dealer_portal::AsyncPortal;
/// use dealer_portal::account::Declaration;
/// use dealer_portal::establishment::Establishment;
/// use dealer_portal::regime::Regime;
/// use dealer_portal::service::{Portal, PortalConfig};
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> dealer_portal::Result<()> {
///     let portal = AsyncPortal::new(Portal::in_memory(PortalConfig::for_tests())?);
///     let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance))?;
///     let decl = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant")?;
///     let admin = portal.declare_administrator(decl.clone(), vec![garage]).await?;
///     portal.request_password_reset(decl.email.clone()).await?;
///     let mail = portal.pending_notifications().await?.pop().unwrap();
///     let token = mail.body.token.as_ref().unwrap().expose().to_owned();
///     let password = "Garage-XYZ-2026!";
///     portal
///         .complete_password_reset(token, decl.email.to_string(), password.into(), password.into())
///         .await?;
///     // Pure and cheap: called on the wrapped Portal directly.
///     assert!(portal.portal().evaluate_password(password, None).acceptable());
///     let session = portal.login("admin@garage-xyz.fr".into(), password.into(), false).await?;
///     assert_eq!(session.account_id, admin);
///     let info = portal.authenticate(session.token.expose().to_owned()).await?;
///     assert_eq!(info.account_id, admin);
///     Ok(())
/// }
/// ```
pub struct AsyncPortal<S, C = SystemClock> {
    inner: Arc<Portal<S, C>>,
}

impl<S, C> Clone for AsyncPortal<S, C> {
    fn clone(&self) -> Self {
        AsyncPortal {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S, C> std::fmt::Debug for AsyncPortal<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AsyncPortal").field(&self.inner).finish()
    }
}

impl<S, C> From<Portal<S, C>> for AsyncPortal<S, C> {
    fn from(portal: Portal<S, C>) -> Self {
        AsyncPortal::new(portal)
    }
}

impl<S, C> AsyncPortal<S, C> {
    /// Wraps `portal`.
    ///
    /// ```
    /// use dealer_portal::AsyncPortal;
    /// use dealer_portal::service::{Portal, PortalConfig};
    ///
    /// let portal = AsyncPortal::new(Portal::in_memory(PortalConfig::for_tests()).unwrap());
    /// assert!(portal.portal().evaluate_password("Garage-XYZ-2026!", None).acceptable());
    /// ```
    pub fn new(portal: Portal<S, C>) -> Self {
        AsyncPortal {
            inner: Arc::new(portal),
        }
    }

    /// Wraps a portal already shared, e.g. with synchronous code of the host.
    ///
    /// ```
    /// use dealer_portal::AsyncPortal;
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// use std::sync::Arc;
    ///
    /// let shared = Arc::new(Portal::in_memory(PortalConfig::for_tests()).unwrap());
    /// let portal = AsyncPortal::from_arc(Arc::clone(&shared));
    /// assert!(std::ptr::eq(portal.portal(), &*shared));
    /// ```
    pub fn from_arc(portal: Arc<Portal<S, C>>) -> Self {
        AsyncPortal { inner: portal }
    }

    /// The wrapped portal, for the cheap pure calls ([`Portal::evaluate_password`],
    /// [`Portal::config`]), which need no blocking pool.
    ///
    /// ```
    /// use dealer_portal::AsyncPortal;
    /// use dealer_portal::service::{Portal, PortalConfig};
    ///
    /// let portal = AsyncPortal::new(Portal::in_memory(PortalConfig::for_tests()).unwrap());
    /// assert!(!portal.portal().evaluate_password("garage", None).acceptable());
    /// ```
    pub fn portal(&self) -> &Portal<S, C> {
        &self.inner
    }

    /// The shared portal itself, to hand to synchronous code.
    ///
    /// ```
    /// use dealer_portal::AsyncPortal;
    /// use dealer_portal::service::{Portal, PortalConfig};
    ///
    /// let portal = AsyncPortal::new(Portal::in_memory(PortalConfig::for_tests()).unwrap());
    /// let shared = portal.arc();
    /// assert!(std::ptr::eq(portal.portal(), &*shared));
    /// ```
    pub fn arc(&self) -> Arc<Portal<S, C>> {
        Arc::clone(&self.inner)
    }
}

/// A password, code or token handed over by value: wiped when the call is done.
fn wiped(s: String) -> Zeroizing<String> {
    Zeroizing::new(s)
}

/// One `pub async fn` per flow: the owned arguments move into a closure run on the blocking pool
/// with the portal (`|p| body`); its answer comes back as is.
macro_rules! flows {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = |$p:ident| $body:expr;
    )*) => {
        $(
            $(#[$doc])*
            pub async fn $name(&self, $($arg: $ty),*) -> $ret {
                self.run(move |$p| $body).await
            }
        )*
    };
}

impl<S, C> AsyncPortal<S, C>
where
    S: Store + 'static,
    C: Clock + 'static,
{
    /// Runs `f` on the blocking pool of the current tokio runtime; a panic in `f` resumes here.
    async fn run<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&Portal<S, C>) -> T + Send + 'static,
        T: Send + 'static,
    {
        let portal = Arc::clone(&self.inner);
        // With `tracing`: the flow's span is a child of the awaiting task's span (a request's).
        #[cfg(feature = "tracing")]
        let f = super::trace::in_current_span(f);
        match tokio::task::spawn_blocking(move || f(&portal)).await {
            Ok(answer) => answer,
            Err(e) => match e.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                // spawn_blocking tasks cannot be aborted: only a runtime shutting down before
                // the task started gets here.
                Err(_) => panic!("AsyncPortal: the tokio runtime shut down before the call ran"),
            },
        }
    }

    flows! {
        // administrator.rs
        /// Adds an establishment; see [`Portal::add_establishment`].
        fn add_establishment(e: Establishment) -> Result<()> = |p| p.add_establishment(&e);
        /// Declares an administrator with its establishments; see
        /// [`Portal::declare_administrator`].
        fn declare_administrator(decl: Declaration, establishments: Vec<Establishment>)
            -> Result<AccountId> = |p| p.declare_administrator(&decl, &establishments);

        // documents.rs
        /// Adds a document to an establishment; see [`Portal::add_document`].
        fn add_document(code: EstablishmentCode, doc: NewDocument) -> Result<DocumentId> =
            |p| p.add_document(&code, &doc);
        /// Adds documents in one transaction; see [`Portal::add_documents`].
        fn add_documents(code: EstablishmentCode, docs: Vec<NewDocument>)
            -> Result<Vec<DocumentId>> = |p| p.add_documents(&code, &docs);
        /// Searches documents; see [`Portal::search_documents`].
        fn search_documents(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            q: DocumentQuery,
        ) -> Result<DocumentPage> =
            |p| p.search_documents(&wiped(session_token), establishment.as_ref(), &q);
        /// The quick reference search; see [`Portal::search_reference`].
        fn search_reference(
            session_token: String,
            text: String,
            establishment: Option<EstablishmentCode>,
            offset: usize,
            limit: usize,
        ) -> Result<DocumentPage> = |p| {
            p.search_reference(&wiped(session_token), &text, establishment.as_ref(), offset, limit)
        };
        /// Records a direct debit line; see [`Portal::record_debit_line`].
        fn record_debit_line(code: EstablishmentCode, month: YearMonth, line: DebitLine)
            -> Result<()> = |p| p.record_debit_line(&code, month, &line);
        /// A month's statement; see [`Portal::monthly_statement`].
        fn monthly_statement(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            month: YearMonth,
        ) -> Result<Reconciliation> =
            |p| p.monthly_statement(&wiped(session_token), establishment.as_ref(), month);

        // erasure.rs
        /// Erases a disabled account; see [`Portal::erase_account`].
        fn erase_account(session_token: String, id: AccountId) -> Result<()> =
            |p| p.erase_account(&wiped(session_token), id);

        // lifecycle.rs
        /// Purges what the retention rules say; see [`Portal::run_maintenance`].
        fn run_maintenance() -> Result<MaintenanceReport> = |p| p.run_maintenance();
        /// An account's data as JSON; see [`Portal::export_account`].
        fn export_account(session_token: String, id: AccountId) -> Result<String> =
            |p| p.export_account(&wiped(session_token), id);

        // notifications.rs
        /// The mails waiting to be sent; see [`Portal::pending_notifications`].
        fn pending_notifications() -> Result<Vec<Notification>> =
            |p| p.pending_notifications();
        /// Marks a mail as sent; see [`Portal::acknowledge_notification`].
        fn acknowledge_notification(id: NotificationId) -> Result<()> =
            |p| p.acknowledge_notification(id);
        /// The audit log; see [`Portal::audit_log`].
        fn audit_log(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            offset: usize,
            limit: usize,
        ) -> Result<Vec<AuditEvent>> =
            |p| p.audit_log(&wiped(session_token), establishment.as_ref(), offset, limit);
        /// The audit chain's head; see [`Portal::audit_head`].
        fn audit_head() -> Result<AuditHead> = |p| p.audit_head();
        /// Verifies the audit chain; see [`Portal::verify_audit_chain`].
        fn verify_audit_chain(expected_head: Option<AuditHead>) -> Result<usize> =
            |p| p.verify_audit_chain(expected_head.as_ref());

        // profiles.rs
        /// An account's detail; see [`Portal::account`].
        fn account(session_token: String, id: AccountId) -> Result<AccountDetail> =
            |p| p.account(&wiped(session_token), id);
        /// Updates a profile; see [`Portal::update_profile`].
        fn update_profile(session_token: String, id: AccountId, update: ProfileUpdate)
            -> Result<AccountDetail> = |p| p.update_profile(&wiped(session_token), id, &update);
        /// Asks to change one's email; see [`Portal::request_email_change`].
        fn request_email_change(session_token: String, new_email: Email, current_password: String)
            -> Result<()> = |p| {
            p.request_email_change(&wiped(session_token), &new_email, &wiped(current_password))
        };
        /// Confirms an email change from its link; see [`Portal::confirm_email_change`].
        fn confirm_email_change(token: String) -> Result<()> =
            |p| p.confirm_email_change(&wiped(token));

        // reset.rs
        /// "Mot de passe oublié"; see [`Portal::request_password_reset`].
        fn request_password_reset(email: Email) -> Result<()> =
            |p| p.request_password_reset(&email);
        /// What a link's token is good for; see [`Portal::inspect_token`].
        fn inspect_token(token: String) -> Result<TokenStatus> =
            |p| p.inspect_token(&wiped(token));
        /// Sets a password from a reset link; see [`Portal::complete_password_reset`].
        fn complete_password_reset(
            token: String,
            email: String,
            password: String,
            confirmation: String,
        ) -> Result<()> = |p| {
            p.complete_password_reset(
                &wiped(token),
                &email,
                &wiped(password),
                &wiped(confirmation),
            )
        };
        /// Activates an account from its link; see [`Portal::activate_account`].
        fn activate_account(
            token: String,
            email: String,
            password: String,
            confirmation: String,
        ) -> Result<()> = |p| {
            p.activate_account(&wiped(token), &email, &wiped(password), &wiped(confirmation))
        };

        // sessions.rs
        /// Logs in; see [`Portal::login`].
        fn login(email: String, password: String, remember: bool) -> Result<Session> =
            |p| p.login(&email, &wiped(password), remember);
        /// Logs in with a second factor; see [`Portal::login_with_otp`].
        fn login_with_otp(email: String, password: String, remember: bool, otp: Option<String>)
            -> Result<Session> = |p| {
            let otp = otp.map(wiped);
            p.login_with_otp(&email, &wiped(password), remember, otp.as_ref().map(|c| c.as_str()))
        };
        /// Checks a session; see [`Portal::authenticate`].
        fn authenticate(session_token: String) -> Result<SessionInfo> =
            |p| p.authenticate(&wiped(session_token));
        /// The session's actor; see [`Portal::actor`].
        fn actor(session_token: String) -> Result<Actor> = |p| p.actor(&wiped(session_token));
        /// Switches the connected establishment; see [`Portal::select_establishment`].
        fn select_establishment(session_token: String, code: EstablishmentCode)
            -> Result<SessionInfo> = |p| p.select_establishment(&wiped(session_token), &code);
        /// One's sessions; see [`Portal::list_sessions`].
        fn list_sessions(session_token: String) -> Result<Vec<SessionSummary>> =
            |p| p.list_sessions(&wiped(session_token));
        /// Ends one of one's sessions; see [`Portal::revoke_session`].
        fn revoke_session(session_token: String, id: SessionId) -> Result<()> =
            |p| p.revoke_session(&wiped(session_token), &id);
        /// Ends one's other sessions; see [`Portal::revoke_other_sessions`].
        fn revoke_other_sessions(session_token: String) -> Result<usize> =
            |p| p.revoke_other_sessions(&wiped(session_token));
        /// Logs out; see [`Portal::logout`].
        fn logout(session_token: String) -> Result<()> = |p| p.logout(&wiped(session_token));
        /// Changes one's password; see [`Portal::change_password`].
        fn change_password(
            session_token: String,
            current: String,
            password: String,
            confirmation: String,
        ) -> Result<()> = |p| {
            p.change_password(
                &wiped(session_token),
                &wiped(current),
                &wiped(password),
                &wiped(confirmation),
            )
        };

        // totp.rs
        /// Starts TOTP enrolment; see [`Portal::begin_totp_enrollment`].
        fn begin_totp_enrollment(session_token: String, current_password: String)
            -> Result<TotpEnrollment> =
            |p| p.begin_totp_enrollment(&wiped(session_token), &wiped(current_password));
        /// Confirms TOTP enrolment with a code; see [`Portal::confirm_totp_enrollment`].
        fn confirm_totp_enrollment(session_token: String, code: String)
            -> Result<Vec<SecretString>> =
            |p| p.confirm_totp_enrollment(&wiped(session_token), &wiped(code));
        /// Turns one's TOTP off; see [`Portal::disable_totp`].
        fn disable_totp(session_token: String, current_password: String, code: String)
            -> Result<()> = |p| {
            p.disable_totp(&wiped(session_token), &wiped(current_password), &wiped(code))
        };
        /// Resets another account's TOTP; see [`Portal::reset_totp`].
        fn reset_totp(session_token: String, id: AccountId) -> Result<()> =
            |p| p.reset_totp(&wiped(session_token), id);

        // users.rs
        /// The establishments one manages; see [`Portal::manageable_establishments`].
        fn manageable_establishments(session_token: String) -> Result<Vec<Establishment>> =
            |p| p.manageable_establishments(&wiped(session_token));
        /// Creates a user; see [`Portal::create_user`].
        fn create_user(
            session_token: String,
            establishment: Option<EstablishmentCode>,
            user: NewUser,
            rights: Rights,
        ) -> Result<AccountId> =
            |p| p.create_user(&wiped(session_token), establishment.as_ref(), &user, rights);
        /// Creates users in bulk; see [`Portal::create_users`].
        fn create_users(session_token: String, rows: Vec<UserImport>)
            -> Result<Vec<Result<AccountId>>> = |p| p.create_users(&wiped(session_token), &rows);
        /// A repairer's self-registration; see [`Portal::register_repairer`].
        fn register_repairer(registration: RepairerRegistration) -> Result<()> =
            |p| p.register_repairer(&registration);
        /// Sends the activation mail again; see [`Portal::resend_activation`].
        fn resend_activation(session_token: String, id: AccountId) -> Result<()> =
            |p| p.resend_activation(&wiped(session_token), id);
        /// Sets an account's rights on an establishment; see [`Portal::set_rights`].
        fn set_rights(
            session_token: String,
            id: AccountId,
            code: EstablishmentCode,
            requested: Rights,
        ) -> Result<()> = |p| p.set_rights(&wiped(session_token), id, &code, requested);
        /// An account's rights; see [`Portal::rights_matrix`].
        fn rights_matrix(session_token: String, id: AccountId) -> Result<RightsMatrix> =
            |p| p.rights_matrix(&wiped(session_token), id);
        /// Disables an account; see [`Portal::disable_account`].
        fn disable_account(session_token: String, id: AccountId) -> Result<()> =
            |p| p.disable_account(&wiped(session_token), id);
        /// Enables an account again; see [`Portal::enable_account`].
        fn enable_account(session_token: String, id: AccountId) -> Result<()> =
            |p| p.enable_account(&wiped(session_token), id);
        /// "Gestion des comptes": the account list; see [`Portal::list_accounts`].
        fn list_accounts(session_token: String, q: AccountQuery) -> Result<AccountPage> =
            |p| p.list_accounts(&wiped(session_token), &q);
    }
}

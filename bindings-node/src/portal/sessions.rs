//! Logging in and out, what a host checks on every request (`authenticate`), the connected
//! establishment, one's own sessions, and the links (tokens) of "Mot de passe oublié" and
//! activation, with the mails that carry them.

use super::{Core, Job, Portal, parse_code};
use crate::raw::Password;
use crate::values::{Notification, Session, SessionInfo, SessionSummary, TokenStatus, count};
use dealer_portal::Error;
use dealer_portal::email::Email;
use dealer_portal::notification::NotificationId;
use dealer_portal::session::SessionId;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// The optional arguments of `login`.
#[napi(object, object_to_js = false)]
pub struct LoginOptions {
    /// "Enregistrer mes identifiants": a remembered (30-day) session.
    pub remember: Option<bool>,
    /// The code of the account's authenticator app, or one of its recovery codes: needed when
    /// the account has a second factor (without it, MFA_REQUIRED).
    pub otp: Option<String>,
}

fn outbox_id(id: i64) -> Result<NotificationId, Error> {
    u64::try_from(id)
        .map(NotificationId)
        .map_err(|_| Error::UnknownNotification { id: id.to_string() })
}

portal_methods! {
    #[doc = "\"Mot de passe oublié\": answers the same whether or not the email is known."]
    fn request_password_reset / request_password_reset_async(email: String) -> () as "Promise<void>"
    |p| { p.request_password_reset(&Email::parse(&email)?) }

    #[doc = "Completes a reset from the mail's link: the email again and the new password twice."]
    fn complete_password_reset / complete_password_reset_async(
        token: String,
        email: String,
        password: Password as "string",
        confirmation: Password as "string",
    ) -> () as "Promise<void>"
    |p| { p.complete_password_reset(&token, &email, &password, &confirmation) }

    #[doc = "Activates an invited account from the mail's link: the email again and the password"]
    #[doc = "twice."]
    fn activate_account / activate_account_async(
        token: String,
        email: String,
        password: Password as "string",
        confirmation: Password as "string",
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
    #[doc = "INVALID_CREDENTIALS. An account with a second factor needs `options.otp`: without it,"]
    #[doc = "MFA_REQUIRED (only after a right password); a wrong or replayed code is"]
    #[doc = "INVALID_CREDENTIALS and counts toward the lockout."]
    fn login / login_async(email: String, password: String, options: Option<LoginOptions>) -> Session as "Promise<Session>"
    |p| {
        let remember = options.as_ref().and_then(|o| o.remember).unwrap_or(false);
        let otp = options.as_ref().and_then(|o| o.otp.as_deref());
        p.login_with_otp(&email, &password, remember, otp).map(Session::from)
    }

    #[doc = "Ends a session (an unknown one is not an error)."]
    fn logout / logout_async(session_token: String) -> () as "Promise<void>"
    |p| { p.logout(&session_token) }

    #[doc = "Changes the session's password; every session of the account is ended."]
    fn change_password / change_password_async(
        session_token: String,
        current: Password as "string",
        password: Password as "string",
        confirmation: Password as "string",
    ) -> () as "Promise<void>"
    |p| { p.change_password(&session_token, &current, &password, &confirmation) }

    #[doc = "What a host checks on every request: who is connected, until when, the establishment"]
    #[doc = "the session is connected to, the account's rights and the menu sections visible there."]
    #[doc = "An unknown, ended or expired session is SESSION_INVALID."]
    fn authenticate / authenticate_async(session_token: String) -> SessionInfo as "Promise<SessionInfo>"
    |p| { p.authenticate(&session_token).map(SessionInfo::from) }

    #[doc = "Connects the session to another establishment where the account holds a right (else"]
    #[doc = "FORBIDDEN); the menu and the calls that name no establishment follow it."]
    fn select_establishment / select_establishment_async(session_token: String, establishment_code: String) -> SessionInfo as "Promise<SessionInfo>"
    |p| { p.select_establishment(&session_token, &parse_code(&establishment_code)?).map(SessionInfo::from) }

    #[doc = "The caller's own live sessions, oldest first: an opaque id (never the token), when each"]
    #[doc = "was opened and last used, when it ends, whether it was remembered, which one is asking."]
    fn list_sessions / list_sessions_async(session_token: String) -> Vec<SessionSummary> as "Promise<Array<SessionSummary>>"
    |p| { Ok(p.list_sessions(&session_token)?.into_iter().map(SessionSummary::from).collect()) }

    #[doc = "Ends one of the caller's sessions by its id (from `listSessions`); an id that is not one"]
    #[doc = "of the caller's sessions is UNKNOWN_SESSION."]
    fn revoke_session / revoke_session_async(session_token: String, session_id: String) -> () as "Promise<void>"
    |p| { p.revoke_session(&session_token, &session_id.parse::<SessionId>()?) }

    #[doc = "Ends every session of the caller but the asking one; returns how many ended."]
    fn revoke_other_sessions / revoke_other_sessions_async(session_token: String) -> u32 as "Promise<number>"
    |p| { p.revoke_other_sessions(&session_token).map(count) }
}

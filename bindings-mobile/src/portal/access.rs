//! Getting in and staying in: reset and activation links, login, logout, the change of
//! password, and the sessions a host checks on every request (`authenticate`, the connected
//! establishment, one's own sessions).

use super::Portal;
use crate::convert::{code, iso, rights_map};
use crate::error::Result;
use crate::menu::Section;
use crate::tokens::SessionToken;
use crate::types::Right;
use dealer_portal::email::Email;
use dealer_portal::service;
use dealer_portal::session::{self, SessionId};
use dealer_portal::{Coded, SecretString};
use std::collections::HashMap;
use std::sync::Arc;

/// A session handed to the person who logged in: keep `token.expose()` in the
/// keychain/keystore. Printing it never shows the token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Session {
    /// The session token (secret; an object that prints as `SessionToken(***)`).
    pub token: Arc<SessionToken>,
    /// Whose session.
    pub account_id: String,
    /// When it expires if not used, ISO 8601 UTC.
    pub expires_at: String,
}

impl From<session::Session> for Session {
    fn from(s: session::Session) -> Self {
        Session {
            token: Arc::new(s.token.into()),
            account_id: s.account_id.to_string(),
            expires_at: iso(s.expires_at),
        }
    }
}

/// Whether a link (reset, activation, email change) can still be used; opening it never
/// consumes it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenStatus {
    /// Whether the form can be shown.
    pub usable: bool,
    /// `password_reset`, `activation` or `email_change`, when the token is known.
    pub kind: Option<String>,
    /// When it expires, ISO 8601 UTC, when usable.
    pub expires_at: Option<String>,
}

impl From<service::TokenStatus> for TokenStatus {
    fn from(s: service::TokenStatus) -> Self {
        TokenStatus {
            usable: s.usable,
            kind: s.kind.map(|k| k.code().to_owned()),
            expires_at: s.expires_at.map(iso),
        }
    }
}

/// What `authenticate` answers on every request: who is connected, until when, on which
/// establishment, with which rights and which menu.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionInfo {
    /// The account.
    pub account_id: String,
    /// Its email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// `administrator`, `user` or `repairer`.
    pub role: String,
    /// When the session ends if not used again, ISO 8601 UTC.
    pub expires_at: String,
    /// The code of the establishment the session is connected to ("le point de vente sur
    /// lequel je suis connecté"); `None` when the account holds no right anywhere.
    pub establishment: Option<String>,
    /// Establishment code → rights, where the account holds at least one.
    pub rights: HashMap<String, Vec<Right>>,
    /// The menu sections visible on the connected establishment, in the seed's order.
    pub sections: Vec<Section>,
    /// Whether the account has a second factor.
    pub mfa_enrolled: bool,
    /// Whether the session may only enrol a second factor.
    pub restricted: bool,
}

impl From<service::SessionInfo> for SessionInfo {
    fn from(s: service::SessionInfo) -> Self {
        SessionInfo {
            account_id: s.account_id.to_string(),
            email: s.email.as_str().to_owned(),
            last_name: s.last_name.to_string(),
            first_name: s.first_name.to_string(),
            role: s.role.code().to_owned(),
            expires_at: iso(s.expires_at),
            establishment: s.establishment.map(|c| c.as_str().to_owned()),
            rights: rights_map(&s.rights),
            sections: s.sections.into_iter().map(Section::from).collect(),
            mfa_enrolled: s.mfa_enrolled,
            restricted: s.restricted,
        }
    }
}

/// One of the caller's own live sessions ("Mes sessions"): never its token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionSummary {
    /// Its opaque id, for `revoke_session`.
    pub id: String,
    /// When it was opened, ISO 8601 UTC.
    pub created_at: String,
    /// When it was last used (recorded coarsely), ISO 8601 UTC.
    pub last_seen_at: String,
    /// When it ends if not used again, ISO 8601 UTC.
    pub expires_at: String,
    /// Opened with "Enregistrer mes identifiants".
    pub remembered: bool,
    /// Whether it is the session asking.
    pub current: bool,
}

impl From<session::SessionSummary> for SessionSummary {
    fn from(s: session::SessionSummary) -> Self {
        SessionSummary {
            id: s.id.to_string(),
            created_at: iso(s.created_at),
            last_seen_at: iso(s.last_seen_at),
            expires_at: iso(s.expires_at),
            remembered: s.remembered,
            current: s.current,
        }
    }
}

#[uniffi::export]
impl Portal {
    // ----- links: reset and activation -----

    /// "Mot de passe oublié": the same answer whether a well-formed email is known or not; an
    /// address that is none is `INVALID_EMAIL`.
    pub fn request_password_reset(&self, email: String) -> Result<()> {
        Ok(self.inner.request_password_reset(&Email::parse(&email)?)?)
    }

    /// The reset form: the email typed again and the new password twice.
    pub fn complete_password_reset(
        &self,
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        // The passwords uniffi handed us are wiped when these drop, after the core's call.
        let (password, confirmation) = (
            SecretString::from(password),
            SecretString::from(confirmation),
        );
        Ok(self.inner.complete_password_reset(
            &token,
            &email,
            password.expose(),
            confirmation.expose(),
        )?)
    }

    /// Whether a link can still be used; never consumes it.
    pub fn inspect_token(&self, token: String) -> Result<TokenStatus> {
        Ok(self.inner.inspect_token(&token)?.into())
    }

    /// The activation form ("Première connexion"): email and the new password twice.
    pub fn activate_account(
        &self,
        token: String,
        email: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        // The passwords uniffi handed us are wiped when these drop, after the core's call.
        let (password, confirmation) = (
            SecretString::from(password),
            SecretString::from(confirmation),
        );
        Ok(self
            .inner
            .activate_account(&token, &email, password.expose(), confirmation.expose())?)
    }

    // ----- login and sessions -----

    /// Logs in ("Enregistrer mes identifiants" = `remember`). Unknown email, wrong password,
    /// inactive or locked account: `INVALID_CREDENTIALS`. The session is connected to the first
    /// establishment (code order) where the account holds a right. An account with a second
    /// factor needs `otp` (its app's current code, or a recovery code): without it,
    /// `MFA_REQUIRED` (only after a right password); a wrong or replayed one is
    /// `INVALID_CREDENTIALS` and counts toward the lockout.
    #[uniffi::method(default(remember = false, otp = None))]
    pub fn login(
        &self,
        email: String,
        password: String,
        remember: bool,
        otp: Option<String>,
    ) -> Result<Session> {
        let password = SecretString::from(password); // wiped when it drops, after the call
        Ok(self
            .inner
            .login_with_otp(&email, password.expose(), remember, otp.as_deref())?
            .into())
    }

    /// Ends a session; an unknown one is not an error.
    pub fn logout(&self, session_token: String) -> Result<()> {
        Ok(self.inner.logout(&session_token)?)
    }

    /// Changes the password: the current one, then the new one twice. Every session ends.
    pub fn change_password(
        &self,
        session_token: String,
        current: String,
        password: String,
        confirmation: String,
    ) -> Result<()> {
        // The passwords uniffi handed us are wiped when these drop, after the core's call.
        let current = SecretString::from(current);
        let (password, confirmation) = (
            SecretString::from(password),
            SecretString::from(confirmation),
        );
        Ok(self.inner.change_password(
            &session_token,
            current.expose(),
            password.expose(),
            confirmation.expose(),
        )?)
    }

    /// What a host checks on every request: who is connected, until when, the connected
    /// establishment, the rights and the menu there. An unknown, ended or expired session:
    /// `SESSION_INVALID`.
    pub fn authenticate(&self, session_token: String) -> Result<SessionInfo> {
        Ok(self.inner.authenticate(&session_token)?.into())
    }

    /// Connects the session to another establishment where the account holds a right; the
    /// menu and the calls given no establishment code follow it. Unknown code:
    /// `UNKNOWN_ESTABLISHMENT`; no right there: `FORBIDDEN`.
    pub fn select_establishment(
        &self,
        session_token: String,
        establishment_code: String,
    ) -> Result<SessionInfo> {
        let code = code(&establishment_code)?;
        Ok(self
            .inner
            .select_establishment(&session_token, &code)?
            .into())
    }

    /// The caller's own live sessions, oldest first (an opaque id each, never the token).
    pub fn list_sessions(&self, session_token: String) -> Result<Vec<SessionSummary>> {
        Ok(self
            .inner
            .list_sessions(&session_token)?
            .into_iter()
            .map(SessionSummary::from)
            .collect())
    }

    /// Ends one of the caller's sessions (the current one included) by its id; an id that is
    /// not one of the caller's sessions: `UNKNOWN_SESSION`.
    pub fn revoke_session(&self, session_token: String, session_id: String) -> Result<()> {
        let id: SessionId = session_id.parse()?;
        Ok(self.inner.revoke_session(&session_token, &id)?)
    }

    /// Ends every session of the caller but the asking one; answers how many ended.
    pub fn revoke_other_sessions(&self, session_token: String) -> Result<u64> {
        Ok(crate::convert::count(
            self.inner.revoke_other_sessions(&session_token)?,
        ))
    }
}

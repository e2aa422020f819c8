//! Sessions, links (tokens) and the mails that carry them.

use super::{Right, Section, iso, rights_by_code};
use dealer_portal::Coded;
use dealer_portal::notification::Notification as CoreNotification;
use dealer_portal::service::{SessionInfo as CoreSessionInfo, TokenStatus as CoreTokenStatus};
use dealer_portal::session::{Session as CoreSession, SessionSummary as CoreSessionSummary};
use napi_derive::napi;
use std::collections::BTreeMap;

/// A login session. `token` is a secret: keep it in an HttpOnly cookie or a keychain.
#[napi(object, object_from_js = false)]
pub struct Session {
    /// The session token.
    pub token: String,
    /// The account logged in.
    pub account_id: String,
    /// When it expires if not used (ISO 8601, UTC).
    pub expires_at: String,
}

impl From<CoreSession> for Session {
    fn from(s: CoreSession) -> Self {
        Session {
            token: s.token.expose().to_owned(),
            account_id: s.account_id.to_string(),
            expires_at: iso(s.expires_at),
        }
    }
}

/// A queued mail the host must send, then acknowledge.
#[napi(object, object_from_js = false)]
pub struct Notification {
    /// Its id in the outbox, for `acknowledgeNotification`.
    pub id: i64,
    /// password_reset, activation, account_locked, account_exists, email_change (to the new
    /// address, with a link) or email_change_requested (the notice to the current one).
    #[napi(ts_type = "NotificationKind")]
    pub kind: &'static str,
    /// The recipient (normalised: trimmed, lower case).
    pub email: String,
    /// The recipient's name, for the greeting.
    pub name: String,
    /// The link's token, for mails that carry a link (a secret).
    pub token: Option<String>,
    /// When the link (or the lock) expires (ISO 8601, UTC).
    pub expires_at: Option<String>,
    /// When it was queued (ISO 8601, UTC).
    pub created_at: String,
    /// The mail's language: "fr" or "en".
    #[napi(ts_type = "Locale")]
    pub locale: &'static str,
    /// The mail's subject in its language.
    pub subject: &'static str,
}

impl From<CoreNotification> for Notification {
    fn from(n: CoreNotification) -> Self {
        Notification {
            id: i64::try_from(n.id.0).unwrap_or(i64::MAX),
            kind: n.body.kind.code(),
            subject: n.subject(),
            email: n.body.email.as_str().to_owned(),
            name: n.body.name,
            token: n.body.token.as_ref().map(|t| t.expose().to_owned()),
            expires_at: n.body.expires_at.map(iso),
            created_at: iso(n.created_at),
            locale: n.body.locale.code(),
        }
    }
}

/// Whether a reset or activation link can still be used (inspecting never consumes it).
#[napi(object, object_from_js = false)]
pub struct TokenStatus {
    /// Whether the form can be shown.
    pub usable: bool,
    /// password_reset, activation or email_change, when the token is known.
    #[napi(ts_type = "TokenKind")]
    pub kind: Option<&'static str>,
    /// When it expires, when usable (ISO 8601, UTC).
    pub expires_at: Option<String>,
}

impl From<CoreTokenStatus> for TokenStatus {
    fn from(s: CoreTokenStatus) -> Self {
        TokenStatus {
            usable: s.usable,
            kind: s.kind.map(|k| k.code()),
            expires_at: s.expires_at.map(iso),
        }
    }
}

/// What `authenticate` answers on every request: who is connected, until when, on which
/// establishment, with which rights and which menu.
#[napi(object, object_from_js = false)]
pub struct SessionInfo {
    /// The account logged in.
    pub account_id: String,
    /// Its login email.
    pub email: String,
    /// Nom.
    pub last_name: String,
    /// Prénom.
    pub first_name: String,
    /// administrator, user or repairer.
    #[napi(ts_type = "Role")]
    pub role: &'static str,
    /// When the session ends if not used again (ISO 8601, UTC).
    pub expires_at: String,
    /// The code of the establishment the session is connected to ("le point de vente sur
    /// lequel je suis connecté"); none when the account holds no right anywhere.
    pub establishment: Option<String>,
    /// The account's rights by establishment code (only establishments where it holds some).
    pub rights: BTreeMap<String, Vec<Right>>,
    /// The menu sections visible on the connected establishment, in the seed's order.
    pub sections: Vec<Section>,
    /// Whether the account has a second factor.
    pub mfa_enrolled: bool,
    /// Whether the session may only enrol a second factor.
    pub restricted: bool,
}

impl From<CoreSessionInfo> for SessionInfo {
    fn from(i: CoreSessionInfo) -> Self {
        SessionInfo {
            account_id: i.account_id.to_string(),
            email: i.email.as_str().to_owned(),
            last_name: i.last_name.as_str().to_owned(),
            first_name: i.first_name.as_str().to_owned(),
            role: i.role.code(),
            expires_at: iso(i.expires_at),
            establishment: i.establishment.map(|c| c.as_str().to_owned()),
            rights: rights_by_code(&i.rights),
            sections: i.sections.into_iter().map(Section::from).collect(),
            mfa_enrolled: i.mfa_enrolled,
            restricted: i.restricted,
        }
    }
}

/// One of the caller's own sessions, as `listSessions` shows it: never its token.
#[napi(object, object_from_js = false)]
pub struct SessionSummary {
    /// Its opaque id (32 hex digits), for `revokeSession`.
    pub id: String,
    /// When it was opened (ISO 8601, UTC).
    pub created_at: String,
    /// When it was last used (ISO 8601, UTC; recorded coarsely).
    pub last_seen_at: String,
    /// When it ends if not used again (ISO 8601, UTC).
    pub expires_at: String,
    /// Opened with "Enregistrer mes identifiants".
    pub remembered: bool,
    /// Whether it is the session asking.
    pub current: bool,
}

impl From<CoreSessionSummary> for SessionSummary {
    fn from(s: CoreSessionSummary) -> Self {
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

//! Sessions, links (tokens) and the mails that carry them.

use super::iso;
use dealer_portal::Coded;
use dealer_portal::notification::Notification as CoreNotification;
use dealer_portal::service::TokenStatus as CoreTokenStatus;
use dealer_portal::session::Session as CoreSession;
use napi_derive::napi;

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
    /// password_reset, activation, account_locked or account_exists.
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
    /// password_reset or activation, when the token is known.
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

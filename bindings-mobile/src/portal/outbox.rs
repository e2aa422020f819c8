//! The outbox (the mails the host sends) and the audit log as the host sees them.

use super::Portal;
use crate::convert::{code_opt, iso, size};
use crate::error::Result;
use crate::tokens::LinkToken;
use dealer_portal::{Coded, Locale, audit, notification};
use std::sync::Arc;

/// A mail the host must send (the library sends none), then acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Notification {
    /// Its id, for `acknowledge_notification`.
    pub id: String,
    /// `password_reset`, `activation`, `account_locked`, `account_exists`, `email_change` or
    /// `email_change_requested`.
    pub kind: String,
    /// The recipient, normalised (trimmed, lower case).
    pub email: String,
    /// The recipient's name, for the greeting.
    pub name: String,
    /// The link's token, when the mail carries a link (secret; an object that prints as
    /// `LinkToken(***)`: put `token.expose()` in the link).
    pub token: Option<Arc<LinkToken>>,
    /// When the link (or the lock) expires, ISO 8601 UTC.
    pub expires_at: Option<String>,
    /// The mail's language, `fr` or `en`.
    pub locale: String,
    /// The mail's subject in its language ("Activez votre compte").
    pub subject: String,
    /// When it was queued, ISO 8601 UTC.
    pub created_at: String,
}

impl From<notification::Notification> for Notification {
    fn from(n: notification::Notification) -> Self {
        Notification {
            id: n.id.to_string(),
            subject: n.subject().to_owned(),
            kind: n.body.kind.code().to_owned(),
            email: n.body.email.as_str().to_owned(),
            name: n.body.name.clone(),
            token: n.body.token.map(|t| Arc::new(t.into())),
            expires_at: n.body.expires_at.map(iso),
            locale: n.body.locale.code().to_owned(),
            created_at: iso(n.created_at),
        }
    }
}

/// An entry of the audit log, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEvent {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When, ISO 8601 UTC.
    pub at: String,
    /// Who (an account id).
    pub actor: Option<String>,
    /// What: `administrator_declared`, `user_created`, `rights_changed`, `login_succeeded`...
    pub action: String,
    /// The action's French label.
    pub action_label_fr: String,
    /// To whom (an account id).
    pub subject: Option<String>,
    /// Where.
    pub establishments: Vec<String>,
    /// Details, as JSON (rights before/after, reasons...).
    pub details_json: String,
    /// SHA-256 of the previous entry, hex.
    pub prev_hash: String,
    /// SHA-256 of this entry chained to the previous one, hex.
    pub hash: String,
}

impl From<audit::AuditEvent> for AuditEvent {
    fn from(e: audit::AuditEvent) -> Self {
        AuditEvent {
            seq: e.seq,
            at: iso(e.event.at),
            actor: e.event.actor.map(|a| a.to_string()),
            action: e.event.action.code().to_owned(),
            action_label_fr: e.event.action.label(Locale::Fr).to_owned(),
            subject: e.event.subject.map(|a| a.to_string()),
            establishments: e
                .event
                .establishments
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            details_json: e.event.details.to_string(),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[uniffi::export]
impl Portal {
    /// The mails waiting to be sent, oldest first.
    pub fn pending_notifications(&self) -> Result<Vec<Notification>> {
        Ok(self
            .inner
            .pending_notifications()?
            .into_iter()
            .map(Notification::from)
            .collect())
    }

    /// Marks a mail sent; its link token is erased from the store.
    pub fn acknowledge_notification(&self, notification_id: String) -> Result<()> {
        Ok(self
            .inner
            .acknowledge_notification(notification_id.parse()?)?)
    }

    /// The audit log of an establishment the actor manages (`None`: the session's connected
    /// establishment), newest first.
    #[uniffi::method(default(establishment_code = None, offset = 0, limit = 50))]
    pub fn audit_log(
        &self,
        session_token: String,
        establishment_code: Option<String>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        let code = code_opt(establishment_code.as_deref())?;
        Ok(self
            .inner
            .audit_log(&session_token, code.as_ref(), size(offset), size(limit))?
            .into_iter()
            .map(AuditEvent::from)
            .collect())
    }
}
